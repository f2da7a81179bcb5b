package summarize

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/ask"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
)

// inventor is a model that answers the first request of a record with
// first (summary and title) and a repair request (known by RepairMarker)
// with repaired; part requests get "notes".
type inventor struct {
	mu               sync.Mutex
	window           int
	first, repaired  answer
	repairErr        error
	reqs             []llm.Request
	repairs, streams int
}

func (f *inventor) Model(context.Context) (string, error) { return "fake-1", nil }
func (f *inventor) Window(context.Context) int            { return cmpOr(f.window, 4096) }

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func (f *inventor) pick(req llm.Request) (answer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	if strings.Contains(req.Messages[len(req.Messages)-1].Content, RepairMarker) {
		f.repairs++
		return f.repaired, f.repairErr
	}
	return f.first, nil
}

func (f *inventor) Structured(ctx context.Context, req llm.Request, name string, schema *llm.Schema, out any) error {
	a, err := f.pick(req)
	*out.(*answer) = a
	return err
}

func (f *inventor) Complete(ctx context.Context, req llm.Request) (string, error) {
	if strings.Contains(req.Messages[len(req.Messages)-1].Content, " is part ") {
		f.mu.Lock()
		f.reqs = append(f.reqs, req)
		f.mu.Unlock()
		return "notes", nil
	}
	a, err := f.pick(req)
	return a.Summary, err
}

func (f *inventor) Stream(ctx context.Context, req llm.Request, on func(string) error) (string, error) {
	f.mu.Lock()
	f.streams++
	f.mu.Unlock()
	s, err := f.Complete(ctx, req)
	if err == nil {
		err = on(s)
	}
	return s, err
}

func checker(t *testing.T, m Model, mode string, p *prompt.Prompt) (*Summarizer, *[]string) {
	t.Helper()
	if p == nil {
		var err error
		if p, err = prompt.Load("summarize", "", Prompt); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	var warned []string
	s := New(m, p, Options{Check: mode, Warn: func(line int, msg string) { warned = append(warned, fmt.Sprintf("%d: %s", line, msg)) },
		Options: ask.Options{Now: func() time.Time { return at }}})
	return s, &warned
}

const memo = `{"id":"m","text":"Call Bob about the roof. The quote was 2,000 euros."}`

var (
	invented = answer{Title: "Roof quote for Priya", Summary: "Bob quoted 2,000 euros, and Priya paid $9,500.", Tags: []string{"roof"}}
	clean    = answer{Title: "Roof quote", Summary: "Bob quoted 2,000 euros for the roof.", Tags: []string{"house"}}
)

// TestCheckRecord: what the summary and a new title claim that the text
// does not hold is listed in "checks", with a warning in errors (and on
// the log) for each; the summary is kept. retry asks once more and keeps
// the answer with fewer such claims, the first on a tie; off checks
// nothing.
func TestCheckRecord(t *testing.T) {
	const prov = `"provenance":{"summary":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"title":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"tags":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"}}`
	const memoFields = `{"id":"m","text":"Call Bob about the roof. The quote was 2,000 euros.",`
	inventedOut := memoFields + `"summary":"Bob quoted 2,000 euros, and Priya paid $9,500.","title":"Roof quote for Priya","tags":["roof"],`
	warnSummary := `the summary says what the text does not: \"$9,500\", \"Priya\" (checks.summary.unsupported)`
	warnTitle := `the title says what the text does not: \"Priya\" (checks.title.unsupported)`
	tests := []struct {
		name     string
		mode     string
		in       string
		repaired answer
		err      error
		want     string
		repairs  int
		warnings int
	}{
		{"warn", CheckWarn, memo, clean,
			nil, inventedOut + `"checks":{"summary":{"unsupported":["$9,500","Priya"]},"title":{"unsupported":["Priya"]}},` + prov +
				`,"errors":[{"tool":"summarize","message":"` + warnSummary + `"},{"tool":"summarize","message":"` + warnTitle + `"}]}`, 0, 2},
		{"the default is warn", "", memo, clean,
			nil, inventedOut + `"checks":{"summary":{"unsupported":["$9,500","Priya"]},"title":{"unsupported":["Priya"]}},` + prov +
				`,"errors":[{"tool":"summarize","message":"` + warnSummary + `"},{"tool":"summarize","message":"` + warnTitle + `"}]}`, 0, 2},
		{"retry: the clean answer is kept", CheckRetry, memo, clean,
			nil, memoFields + `"summary":"Bob quoted 2,000 euros for the roof.","title":"Roof quote","tags":["house"],"checks":{"summary":{"unsupported":[]},"title":{"unsupported":[]}},` + prov + `}`, 1, 0},
		{"retry: a tie keeps the first", CheckRetry, memo,
			answer{Title: "Roof quote for Dana", Summary: "Bob quoted 2,000 euros, and Dana paid 7 dollars.", Tags: []string{"x"}},
			nil, inventedOut + `"checks":{"summary":{"unsupported":["$9,500","Priya"]},"title":{"unsupported":["Priya"]}},` + prov +
				`,"errors":[{"tool":"summarize","message":"the summary says what the text does not after a repair round: \"$9,500\", \"Priya\" (checks.summary.unsupported)"},{"tool":"summarize","message":"the title says what the text does not after a repair round: \"Priya\" (checks.title.unsupported)"}]}`, 1, 2},
		{"retry: better, not clean", CheckRetry, memo,
			answer{Title: "Roof quote", Summary: "Bob quoted 2,000 euros, Priya says.", Tags: []string{"house"}},
			nil, memoFields + `"summary":"Bob quoted 2,000 euros, Priya says.","title":"Roof quote","tags":["house"],"checks":{"summary":{"unsupported":["Priya"]},"title":{"unsupported":[]}},` + prov +
				`,"errors":[{"tool":"summarize","message":"the summary says what the text does not after a repair round: \"Priya\" (checks.summary.unsupported)"}]}`, 1, 1},
		{"retry: a failed repair round keeps the first and says so", CheckRetry, memo, answer{},
			errors.New("the answer does not match the schema"), inventedOut + `"checks":{"summary":{"unsupported":["$9,500","Priya"]},"title":{"unsupported":["Priya"]}},` + prov +
				`,"errors":[{"tool":"summarize","message":"the summary says what the text does not (the repair round failed: the answer does not match the schema): \"$9,500\", \"Priya\" (checks.summary.unsupported)"},{"tool":"summarize","message":"the title says what the text does not (the repair round failed: the answer does not match the schema): \"Priya\" (checks.title.unsupported)"}]}`, 1, 2},
		{"off", CheckOff, memo, clean,
			nil, inventedOut + prov + `}`, 0, 0},
		{"off takes back the checks of the summary replaced", CheckOff,
			`{"title":"Roof","checks":{"summary":{"unsupported":["X"]},"title":{"unsupported":[]}},"text":"Call Bob."}`, clean,
			nil, `{"title":"Roof","checks":{"title":{"unsupported":[]}},"text":"Call Bob.","summary":"Bob quoted 2,000 euros, and Priya paid $9,500.","tags":["roof"],"provenance":{"summary":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"tags":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"}}}`, 0, 0},
		{"off, all checks gone: no checks", CheckOff,
			`{"checks":{"summary":{"unsupported":["X"]}},"text":"Call Bob."}`, clean,
			nil, `{"text":"Call Bob.","summary":"Bob quoted 2,000 euros, and Priya paid $9,500.","title":"Roof quote for Priya","tags":["roof"],` + prov + `}`, 0, 0},
		{"a title kept is not checked", CheckWarn,
			`{"title":"Priya's roof","text":"Call Bob about the roof. The quote was 2,000 euros."}`, clean,
			nil, `{"title":"Priya's roof","text":"Call Bob about the roof. The quote was 2,000 euros.","summary":"Bob quoted 2,000 euros, and Priya paid $9,500.","tags":["roof"],"checks":{"summary":{"unsupported":["$9,500","Priya"]}},"provenance":{"summary":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"tags":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"}}` +
				`,"errors":[{"tool":"summarize","message":"` + warnSummary + `"}]}`, 0, 1},
		{"retry of a title kept: only the summary counts", CheckRetry,
			`{"title":"Roof","text":"Call Bob about the roof. The quote was 2,000 euros."}`,
			answer{Title: "Priya Priya 77", Summary: "Bob quoted 2,000 euros.", Tags: []string{"house"}},
			nil, `{"title":"Roof","text":"Call Bob about the roof. The quote was 2,000 euros.","summary":"Bob quoted 2,000 euros.","tags":["house"],"checks":{"summary":{"unsupported":[]}},"provenance":{"summary":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"tags":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"}}}`, 1, 0},
		{"checks that are not an object are replaced", CheckWarn,
			`{"checks":"odd","text":"Call Bob about the roof. The quote was 2,000 euros.","title":"Roof"}`, clean,
			nil, `{"checks":{"summary":{"unsupported":["$9,500","Priya"]}},"text":"Call Bob about the roof. The quote was 2,000 euros.","title":"Roof","summary":"Bob quoted 2,000 euros, and Priya paid $9,500.","tags":["roof"],"provenance":{"summary":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"tags":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"}}` +
				`,"errors":[{"tool":"summarize","message":"the record's \"checks\" was not an object (\"odd\"); it is replaced by one"},{"tool":"summarize","message":"` + warnSummary + `"}]}`, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &inventor{first: invented, repaired: tt.repaired, repairErr: tt.err}
			s, warned := checker(t, f, tt.mode, nil)
			rec := record.New([]byte(tt.in))
			rec.Line = 3
			if err := s.Record(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tt.want, "HASH", s.ask.Prompt.Hash)
			if string(rec.JSON) != want {
				t.Errorf("\n got %s\nwant %s", rec.JSON, want)
			}
			if f.repairs != tt.repairs {
				t.Errorf("%d repair rounds, want %d", f.repairs, tt.repairs)
			}
			if len(*warned) != tt.warnings {
				t.Errorf("warned %q, want %d warnings", *warned, tt.warnings)
			}
			for _, w := range *warned {
				if !strings.HasPrefix(w, "3: the ") {
					t.Errorf("warning %q does not name the record's line", w)
				}
			}
		})
	}
}

// TestRepairRequest: the repair round sends the answer and what of it the
// text does not hold (summary's and title's, each once), not the text,
// with the system prompt of the first request; a prompt of the person's
// own without a repair template gets the built-in one.
func TestRepairRequest(t *testing.T) {
	own, err := prompt.Parse("summarize", "mine.tmpl", `{{define "system"}}Be brief.{{end}}{{define "part"}}Part: <text>{{.Text}}</text>{{end}}{{define "final"}}Sum up: <text>{{.Text}}</text>{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*prompt.Prompt{nil, own} {
		f := &inventor{first: invented, repaired: clean}
		s, _ := checker(t, f, CheckRetry, p)
		if err := s.Record(context.Background(), record.New([]byte(memo))); err != nil {
			t.Fatal(err)
		}
		if len(f.reqs) != 2 {
			t.Fatalf("%d requests", len(f.reqs))
		}
		first, repair := f.reqs[0], f.reqs[1]
		if repair.Messages[0] != first.Messages[0] {
			t.Errorf("system %q, want that of the first request %q", repair.Messages[0].Content, first.Messages[0].Content)
		}
		u := repair.Messages[1].Content
		for _, want := range []string{`These are not in the text: "$9,500", "Priya".`, `in place of "Roof quote for Priya"`, "<summary>\nBob quoted 2,000 euros, and Priya paid $9,500.\n</summary>"} {
			if !strings.Contains(u, want) {
				t.Errorf("repair prompt lacks %q:\n%s", want, u)
			}
		}
		if strings.Contains(u, "Call Bob") {
			t.Errorf("repair prompt carries the text:\n%s", u)
		}
		if repair.MaxTokens != first.MaxTokens {
			t.Errorf("repair MaxTokens %d, want %d", repair.MaxTokens, first.MaxTokens)
		}
	}
}

// TestCheckSplitText: a text summarized in parts is checked whole: a fact
// of the last part, which the final request never saw (it saw notes), is
// supported; one in no part is not.
func TestCheckSplitText(t *testing.T) {
	var paras []string
	for i := range 40 {
		paras = append(paras, fmt.Sprintf("Paragraph %02d. %s", i, strings.Repeat("Some words that fill the paragraph. ", 10)))
	}
	paras = append(paras, "At the end, Zoe Okafor pays 7,250 euros.")
	text := strings.Join(paras, "\n\n")
	f := &inventor{window: 512, first: answer{Title: "Words", Summary: "Words fill paragraphs; Zoe Okafor pays 7,250 euros, Priya 77."}}
	s, _ := checker(t, f, CheckWarn, nil)
	var parts int
	s.onPart = func(line, n int) { parts = n }
	rec := record.New([]byte(`{"text":` + mustJSON(text) + `}`))
	if err := s.Record(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if parts < 5 {
		t.Fatalf("split into %d parts", parts)
	}
	final := f.reqs[len(f.reqs)-1].Messages[1].Content
	if !strings.Contains(final, "notes taken") || strings.Contains(final, "Zoe") {
		t.Fatalf("the final request is not on notes without the fact:\n%s", final)
	}
	if got := rec.Get("checks").Raw; got != `{"summary":{"unsupported":["77","Priya"]},"title":{"unsupported":[]}}` {
		t.Errorf("checks %s", got)
	}
}

// TestCheckText: plain text (--raw) is checked too, its warnings on the
// log; with retry the summary comes in one piece, the one kept, instead of
// streaming.
func TestCheckText(t *testing.T) {
	text := "Call Bob about the roof. The quote was 2,000 euros."
	for _, tc := range []struct {
		mode, want string
		streams    int
		warned     []string
	}{
		{CheckWarn, invented.Summary, 1, []string{`1: the summary says what the text does not: "$9,500", "Priya" (checks.summary.unsupported)`}},
		{CheckRetry, clean.Summary, 0, nil},
		{CheckOff, invented.Summary, 1, nil},
	} {
		f := &inventor{first: invented, repaired: clean}
		s, warned := checker(t, f, tc.mode, nil)
		var out []string
		res, err := s.Text(context.Background(), text, func(p string) error {
			out = append(out, p)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(out, "") != tc.want || res.Summary != tc.want || f.streams != tc.streams {
			t.Errorf("%s: wrote %q (%d streams), result %q, want %q", tc.mode, out, f.streams, res.Summary, tc.want)
		}
		if strings.Join(*warned, "\n") != strings.Join(tc.warned, "\n") {
			t.Errorf("%s: warned %q, want %q", tc.mode, *warned, tc.warned)
		}
		if tc.mode == CheckRetry && len(out) != 1 {
			t.Errorf("retry: %d pieces, want one", len(out))
		}
	}
	// A record's text for --raw: checked, warned on the log, title never.
	f := &inventor{first: invented, repaired: clean}
	s, warned := checker(t, f, CheckWarn, nil)
	rec := record.New([]byte(memo))
	rec.Line = 7
	res, ok, err := s.RecordText(context.Background(), rec)
	if err != nil || !ok || res.Checks == nil || res.Checks.Title != nil || len(*warned) != 1 || !strings.HasPrefix((*warned)[0], "7: the summary") {
		t.Errorf("RecordText: %v %v %+v %q", ok, err, res.Checks, *warned)
	}
}

// TestCheckPromptFile: the built-in prompt's repair template is in the
// file --print-prompt shows (so a copy of it keeps it).
func TestCheckPromptFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(".", "summarize.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `{{define "repair"`) || !strings.Contains(string(b), RepairMarker) {
		t.Errorf("summarize.tmpl has no repair template starting with %q", RepairMarker)
	}
}
