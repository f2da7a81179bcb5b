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

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fake is a model that answers from the request and records what it saw.
type fake struct {
	mu     sync.Mutex
	window int
	reqs   []llm.Request
	fail   error
}

func (f *fake) Model(context.Context) (string, error) { return "fake-1", nil }
func (f *fake) ContextLength() int                    { return f.window }

func (f *fake) see(req llm.Request) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
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
	a.Summary, a.Title, a.Tags = fakeAnswer(req), "A Title", []string{"#Work", "work", "Road Trip", ""}
	return nil
}

func newSummarizer(t *testing.T, m Model, style string) *Summarizer {
	t.Helper()
	p, err := prompt.Load("summarize", "", Prompt)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	return New(m, p, Options{Style: style, Jobs: 3, Now: func() time.Time { return at }})
}

func TestRecord(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"adds all", `{"id":"1","text":"Ship it <now> & tell Bo."}`,
			`{"id":"1","text":"Ship it <now> & tell Bo.","summary":"about Ship it <now> & tell Bo.","title":"A Title","tags":["work","road-trip"],"provenance":{"summary":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"title":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"},"tags":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"}}}`},
		{"keeps title and tags", `{"title":"Mine","tags":[],"text":"x","provenance":{"text":{"tool":"transcribe"}}}`,
			`{"title":"Mine","tags":[],"text":"x","provenance":{"text":{"tool":"transcribe"},"summary":{"tool":"summarize","model":"fake-1","prompt":"HASH","at":"2026-11-26T09:00:00Z"}},"summary":"about x"}`},
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
			want := strings.ReplaceAll(tt.want, "HASH", s.p.Hash)
			if string(rec.JSON) != want {
				t.Errorf("\n got %s\nwant %s", rec.JSON, want)
			}
		})
	}
}

func TestField(t *testing.T) {
	p, _ := prompt.Load("summarize", "", Prompt)
	s := New(&fake{window: 4096}, p, Options{Field: "note.body"})
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
	s.opt.OnPart = func(line, n int) { parts = n }
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
// parts, with and without context, and compares with testdata/*.golden.
func TestPromptGolden(t *testing.T) {
	p, err := prompt.Load("summarize", "", Prompt)
	if err != nil {
		t.Fatal(err)
	}
	mems := []Memory{{Title: "Roof repair", Snippet: "Bob quoted 2,000 for the roof.", Created: "2026-10-01"}, {Snippet: "Call the insurer."}}
	cases := map[string]struct {
		tmpl string
		d    data
	}{
		"system":           {"system", data{}},
		"system-context":   {"system", data{Context: mems}},
		"final-brief-json": {"final", data{Text: "The text.", Style: "brief", JSON: true}},
		"final-bullets":    {"final", data{Text: "The text.", Style: "bullets"}},
		"final-detailed":   {"final", data{Text: "The text.", Style: "detailed", JSON: true}},
		"final-custom":     {"final", data{Text: "The text.", Style: "haiku"}},
		"final-from-parts": {"final", data{Text: "notes 1\n\nnotes 2", Style: "brief", Parts: 2, FromParts: true, JSON: true}},
		"part":             {"part", data{Text: "Part text.", Part: 2, Parts: 3}},
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
