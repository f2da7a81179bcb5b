package summarize

import (
	"context"
	"errors"
	"flag"
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

var update = flag.Bool("update", false, "rewrite golden files")

// fake is a model that answers from the request and records what it saw.
// With cut set, it is a server whose real window is that many tokens: a
// longer request gets a TruncatedError, and, with learn, the window is cut
// from then on, as llm.Client learns it from the cut.
type fake struct {
	mu     sync.Mutex
	window int
	reqs   []llm.Request
	fail   error
	cut    int
	learn  bool
	cuts   int
	notes  string // the notes of every part, when set
}

func (f *fake) Model(context.Context) (string, error) { return "fake-1", nil }
func (f *fake) Window(context.Context) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.window
}

func (f *fake) see(req llm.Request) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	sent := 0
	for _, m := range req.Messages {
		sent += llm.EstimateTokens(m.Content)
	}
	if f.cut > 0 && sent > f.cut {
		f.cuts++
		err := &llm.TruncatedError{Sent: sent, Took: f.cut, Window: f.window}
		if f.learn {
			f.window = min(f.window, f.cut)
		}
		return err
	}
	return f.fail
}

// answer is the first line of the <text> block, so notes and summaries
// can be traced to what they came from.
func fakeAnswer(req llm.Request) string {
	u := req.Messages[len(req.Messages)-1].Content
	i := strings.Index(u, "<text>\n")
	body := u[i+7:]
	body = body[:strings.Index(body, "\n</text>")]
	first := strings.SplitN(strings.TrimSpace(body), "\n", 2)[0]
	if len(first) > 40 {
		first = first[:40]
	}
	return "about " + first
}

func (f *fake) Complete(ctx context.Context, req llm.Request) (string, error) {
	if err := f.see(req); err != nil {
		return "", err
	}
	if f.notes != "" && strings.Contains(req.Messages[len(req.Messages)-1].Content, " is part ") {
		return f.notes, nil
	}
	return fakeAnswer(req), nil
}

func (f *fake) Stream(ctx context.Context, req llm.Request, on func(string) error) (string, error) {
	s, err := f.Complete(ctx, req)
	if err == nil {
		for _, w := range strings.SplitAfter(s, " ") {
			on(w)
		}
	}
	return s, err
}

func (f *fake) Structured(ctx context.Context, req llm.Request, name string, schema *llm.Schema, out any) error {
	if err := f.see(req); err != nil {
		return err
	}
	a := out.(*answer)
	a.Summary, a.Title, a.Tags = fakeAnswer(req), "A title", []string{"#Work", "work", "Road Trip", ""}
	return nil
}

func newSummarizer(t *testing.T, m Model, style string) *Summarizer {
	t.Helper()
	p, err := prompt.Load("summarize", "", Prompt)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	return New(m, p, Options{Style: style, Options: ask.Options{Jobs: 3, Now: func() time.Time { return at }}})
}

func TestRecord(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"adds all", `{"id":"1","text":"Ship it <now> & tell Bo."}`,
			`{"id":"1","text":"Ship it <now> & tell Bo.","summary":"about Ship it <now> & tell Bo.","title":"A title","tags":["work","road-trip"],"checks":{"summary":{"unsupported":[]},"title":{"unsupported":[]}},"provenance":{"summary":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"title":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"tags":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"}}}`},
		{"keeps title and tags", `{"title":"Mine","tags":[],"text":"x","provenance":{"text":{"tool":"transcribe"}}}`,
			`{"title":"Mine","tags":[],"text":"x","provenance":{"text":{"tool":"transcribe"},"summary":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"}},"summary":"about x","checks":{"summary":{"unsupported":[]}}}`},
		{"no text", `{"id":"2","body":"x"}`, `{"id":"2","body":"x"}`},
		{"empty text", `{"text":"  "}`, `{"text":"  "}`},
		{"text not a string", `{"text":42}`, `{"text":42}`},
	}
	s := newSummarizer(t, &fake{window: 4096}, "brief")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record.New([]byte(tt.in))
			if err := s.Record(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tt.want, "HASH", s.ask.Prompt.Hash)
			if string(rec.JSON) != want {
				t.Errorf("\n got %s\nwant %s", rec.JSON, want)
			}
		})
	}
}

func TestField(t *testing.T) {
	p, _ := prompt.Load("summarize", "", Prompt)
	s := New(&fake{window: 4096}, p, Options{Options: ask.Options{Field: "note.body"}})
	rec := record.New([]byte(`{"note":{"body":"deep text"}}`))
	if err := s.Record(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if rec.Get("summary").String() != "about deep text" {
		t.Fatalf("%s", rec.JSON)
	}
}

func TestFailureLeavesRecord(t *testing.T) {
	s := newSummarizer(t, &fake{window: 4096, fail: errors.New("boom")}, "brief")
	rec := record.New([]byte(`{"text":"x"}`))
	if err := s.Record(context.Background(), rec); err == nil || string(rec.JSON) != `{"text":"x"}` {
		t.Fatalf("%v %s", err, rec.JSON)
	}
}

func TestMapReduce(t *testing.T) {
	var paras []string
	for i := range 40 {
		paras = append(paras, fmt.Sprintf("Paragraph %02d. %s", i, strings.Repeat("Some words that fill the paragraph. ", 10)))
	}
	text := strings.Join(paras, "\n\n")
	f := &fake{window: 512}
	s := newSummarizer(t, f, "brief")
	var parts int
	s.onPart = func(line, n int) { parts = n }
	rec := record.New([]byte(`{"text":` + mustJSON(text) + `}`))
	if err := s.Record(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if parts < 5 {
		t.Fatalf("split into %d parts", parts)
	}
	for i, r := range f.reqs {
		total := 0
		for _, m := range r.Messages {
			total += llm.EstimateTokens(m.Content)
		}
		if total+r.MaxTokens > f.window {
			t.Errorf("request %d: %d tokens + %d for the answer > window %d", i, total, r.MaxTokens, f.window)
		}
	}
	last := f.reqs[len(f.reqs)-1].Messages[1].Content
	if !strings.Contains(last, "notes taken, in order, from the") {
		t.Errorf("final request does not work on notes:\n%s", last)
	}
	// Every paragraph was read by some part request.
	seen := strings.Builder{}
	for _, r := range f.reqs[:parts] {
		seen.WriteString(r.Messages[1].Content)
	}
	for i := range 40 {
		if !strings.Contains(seen.String(), fmt.Sprintf("Paragraph %02d.", i)) {
			t.Errorf("paragraph %d never sent", i)
		}
	}
	if s := rec.Get("summary").String(); !strings.HasPrefix(s, "about about ") || !strings.Contains(s, "Paragraph 00") {
		t.Errorf("summary %q does not come from the notes", rec.Get("summary").String())
	}
}

// TestNotesFitTheirOwnBudget: the parts of a record's text are cut for
// the shared layout's budget, the same as every tool's; the notes of the
// parts are summarize's alone, and are sent whole when the final request
// has room for them, without the room the shared layout keeps for what
// another tool asks after a text.
func TestNotesFitTheirOwnBudget(t *testing.T) {
	var paras []string
	for i := range 60 {
		paras = append(paras, fmt.Sprintf("Paragraph %02d. %s", i, strings.Repeat("Some words that fill the paragraph. ", 10)))
	}
	text := strings.Join(paras, "\n\n")                                        // about 7,000 tokens
	f := &fake{window: 4096, notes: strings.Repeat("A note of a part. ", 100)} // 600 tokens
	s := newSummarizer(t, f, "brief")
	var parts int
	s.onPart = func(line, n int) { parts = n }
	rec := record.New([]byte(`{"text":` + mustJSON(text) + `}`))
	if err := s.Record(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	// The notes of the parts take more than a request of the shared
	// budget carries, and less than the final request has room for.
	notes := parts * llm.EstimateTokens(f.notes)
	b, err := s.budgets(4096, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if notes <= b.final || notes >= b.notesFinal {
		t.Fatalf("%d parts of notes take %d tokens; the test needs more than %d and less than %d", parts, notes, b.final, b.notesFinal)
	}
	if len(f.reqs) != parts+1 {
		t.Errorf("%d requests for %d parts: the notes were split again", len(f.reqs), parts)
	}
}

// TestCutSplitsAgain: when the server cuts a request all the same, the text
// is summarized once more, split for a smaller window, and the summary is
// of the whole text; a second cut is the record's error.
func TestCutSplitsAgain(t *testing.T) {
	var paras []string
	for i := range 40 {
		paras = append(paras, fmt.Sprintf("Paragraph %02d. %s", i, strings.Repeat("Some words that fill the paragraph. ", 10)))
	}
	text := strings.Join(paras, "\n\n")
	for _, tc := range []struct {
		name      string
		f         *fake
		retryWith int // the window of the second try (0: none)
		fails     bool
	}{
		{"the cut shows the server's window", &fake{window: 4096, cut: 900, learn: true}, 900, false},
		{"the window was right, the estimate low: half the window", &fake{window: 2048, cut: 1000}, 1024, false},
		{"cut again: the record fails", &fake{window: 4096, cut: 700}, 2048, true},
		{"control: no cut, no second try", &fake{window: 4096}, 0, false},
	} {
		s := newSummarizer(t, tc.f, "brief")
		retried := 0
		s.ask.OnCut = func(line, window int) {
			if window != tc.retryWith {
				t.Errorf("%s: split again for %d, want %d", tc.name, window, tc.retryWith)
			}
			retried++
		}
		rec := record.New([]byte(`{"text":` + mustJSON(text) + `}`))
		err := s.Record(context.Background(), rec)
		var te *llm.TruncatedError
		if tc.fails != (err != nil) || tc.fails && !errors.As(err, &te) {
			t.Errorf("%s: error %v", tc.name, err)
			continue
		}
		if retried != min(tc.retryWith, 1) {
			t.Errorf("%s: split again %d times", tc.name, retried)
		}
		if !tc.fails && !strings.Contains(rec.Get("summary").String(), "Paragraph 00") {
			t.Errorf("%s: summary %q", tc.name, rec.Get("summary").String())
		}
	}
}

// TestCutAfterStreaming: the summary of a cut text that has already been
// streamed is not taken back, nor followed by a second one: the run fails.
func TestCutAfterStreaming(t *testing.T) {
	// Cut before anything was streamed: split again, then streamed.
	f := &fake{window: 4096, cut: 900, learn: true}
	s := newSummarizer(t, f, "brief")
	var out strings.Builder
	_, err := s.Text(context.Background(), strings.Repeat("A sentence of some words. ", 200), func(p string) error {
		out.WriteString(p)
		return nil
	})
	if err != nil || f.cuts != 1 || !strings.HasPrefix(out.String(), "about about ") {
		t.Fatalf("err %v after %d cuts, out %q", err, f.cuts, out.String())
	}
	f = &fake{window: 4096}
	s = newSummarizer(t, &streamThenCut{f}, "brief")
	out.Reset()
	_, err = s.Text(context.Background(), "A short text.", func(p string) error {
		out.WriteString(p)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "the summary written is of part of the text only") || out.Len() == 0 {
		t.Fatalf("err %v, out %q", err, out.String())
	}
	if len(f.reqs) != 1 {
		t.Errorf("%d requests, want 1", len(f.reqs))
	}
}

// streamThenCut streams its answer, then finds in the usage that the
// input was cut.
type streamThenCut struct{ *fake }

func (s *streamThenCut) Stream(ctx context.Context, req llm.Request, on func(string) error) (string, error) {
	out, _ := s.fake.Stream(ctx, req, on)
	return out, &llm.TruncatedError{Sent: 100, Took: 10, Window: 4096}
}

func TestWindowTooSmall(t *testing.T) {
	s := newSummarizer(t, &fake{window: 300}, "detailed")
	err := s.Record(context.Background(), record.New([]byte(`{"text":"x"}`)))
	if err == nil || !strings.Contains(err.Error(), "leaves no room") {
		t.Fatalf("err %v", err)
	}
}

func TestNormalizeTags(t *testing.T) {
	got := record.NormalizeTags([]string{"#Go", "go", " Home Office ", "", "#", "ÉTÉ"})
	if strings.Join(got, ",") != "go,home-office,été" {
		t.Fatalf("%q", got)
	}
}

func mustJSON(s string) string {
	b, _ := record.Marshal(s)
	return string(b)
}

// TestPromptGolden renders the built-in prompt for each style and the
// parts, with and without context (which follows the text, in the shared
// text block), and compares with testdata/*.golden.
func TestPromptGolden(t *testing.T) {
	p, err := prompt.Load("summarize", "", Prompt)
	if err != nil {
		t.Fatal(err)
	}
	mems := []ask.Memory{{Title: "Roof repair", Snippet: "Bob quoted 2,000 for the roof.", Created: "2026-10-01"}, {Snippet: "Call the insurer."}}
	cases := map[string]struct {
		tmpl string
		d    data
	}{
		"system":           {"system", data{}},
		"final-context":    {"final", data{Text: "The text.", Style: "brief", JSON: true, Context: mems}},
		"part-context":     {"part", data{Text: "Part text.", Part: 1, Parts: 2, Context: mems}},
		"final-brief-json": {"final", data{Text: "The text.", Style: "brief", JSON: true}},
		"final-bullets":    {"final", data{Text: "The text.", Style: "bullets"}},
		"final-detailed":   {"final", data{Text: "The text.", Style: "detailed", JSON: true}},
		"final-custom":     {"final", data{Text: "The text.", Style: "haiku"}},
		"final-from-parts": {"final", data{Text: "notes 1\n\nnotes 2", Style: "brief", Parts: 2, FromParts: true, JSON: true}},
		"part":             {"part", data{Text: "Part text.", Part: 2, Parts: 3}},
		"repair-json":      {"repair", data{Style: "brief", JSON: true, Summary: "Bo pays $9,500.", Title: "Bo's $9,500", Unsupported: []string{"Bo", "$9,500"}}},
		"repair-no-title":  {"repair", data{Style: "brief", JSON: true, Summary: "Bo pays.", Unsupported: []string{"Bo"}}},
		"repair-plain":     {"repair", data{Style: "bullets", Summary: "- Bo pays.\n- Soon.", Unsupported: []string{"Bo"}}},
	}
	for name, c := range cases {
		got, err := p.Render(c.tmpl, c.d)
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", name+".golden")
		if *update {
			os.WriteFile(golden, []byte(got+"\n"), 0o644)
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got+"\n" != string(want) {
			t.Errorf("%s:\n--- got\n%s\n--- want\n%s", name, got, want)
		}
	}
}
