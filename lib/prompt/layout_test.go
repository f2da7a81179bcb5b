package prompt_test

// The prompts of the tools that send a record's text, as the requests they
// make: the layout a server's prompt cache can reuse, and the old layout
// of a person's own templates, which must keep making the same requests.

import (
	"context"
	"encoding/json"
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
	"github.com/shelfai/shelf/lib/summarize"
	"github.com/shelfai/shelf/lib/tasks"
)

var update = flag.Bool("update", false, "rewrite golden files")

// model answers every request and keeps it.
type model struct {
	window int
	mu     sync.Mutex
	reqs   []llm.Request
}

func (m *model) Model(context.Context) (string, error) { return "fake-1", nil }
func (m *model) Window(context.Context) int            { return m.window }

func (m *model) see(req llm.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs = append(m.reqs, req)
}

func (m *model) Complete(ctx context.Context, req llm.Request) (string, error) {
	m.see(req)
	return "Notes of the part.", nil
}

func (m *model) Stream(ctx context.Context, req llm.Request, on func(string) error) (string, error) {
	out, _ := m.Complete(ctx, req)
	return out, on(out)
}

func (m *model) Structured(ctx context.Context, req llm.Request, name string, schema *llm.Schema, out any) error {
	m.see(req)
	answer := `{"tasks":[]}`
	if name == "summary" {
		answer = `{"title":"The week","summary":"A week of work.","tags":["work"]}`
	}
	return json.Unmarshal([]byte(answer), out)
}

// take returns the requests made since the last take.
func (m *model) take() []llm.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.reqs
	m.reqs = nil
	return r
}

var at = time.Date(2026, 3, 6, 17, 0, 0, 0, time.UTC)

func load(t *testing.T, tool, file, builtin string) *prompt.Prompt {
	t.Helper()
	p, err := prompt.Load(tool, file, builtin)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// memo is the text of the prompt-cache fixture: about 1,500 words.
func memo(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "cache", "memo.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return record.New(b).Get("text").String()
}

// records are a short record with related memories and a long one (the
// memo) with them, as summarize's answers leave them for tasks.
func records(t *testing.T) []string {
	ctx := `"context":[{"id":"a","title":"Hartmann bakery","snippet":"Lena Hartmann wants the shop front kept dark green.","created":"2026-02-20"},{"id":"b","snippet":"The printer's rush fee was 250 euros.","score":0.4}]`
	long, _ := record.Marshal(memo(t))
	return []string{
		`{"id":"short","created":"2026-03-06T09:15:00+01:00","text":"Call Daniel on Monday about the chairman's letter, and book the van for the move.",` + ctx + `}`,
		`{"id":"long","created":"2026-03-06T16:40:00+01:00","text":` + string(long) + `,` + ctx + `}`,
	}
}

// run passes each record through summarize and then tasks, as the
// pipeline does, and returns the requests of each, in order.
func run(t *testing.T, window int, sumPrompt, taskPrompt *prompt.Prompt, recs []string) (sum, task [][]llm.Request) {
	t.Helper()
	m := &model{window: window}
	opt := ask.Options{Now: func() time.Time { return at }}
	s := summarize.New(m, sumPrompt, summarize.Options{Options: opt})
	x := tasks.New(m, taskPrompt, tasks.Options{Options: opt, Zone: time.FixedZone("CET", 3600)})
	for _, in := range recs {
		rec := record.New([]byte(in))
		if err := s.Record(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		sum = append(sum, m.take())
		if err := x.Record(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		task = append(task, m.take())
	}
	return sum, task
}

func dump(reqs []llm.Request) string {
	var b strings.Builder
	for i, r := range reqs {
		fmt.Fprintf(&b, "=== request %d, max_tokens %d\n", i+1, r.MaxTokens)
		for _, m := range r.Messages {
			fmt.Fprintf(&b, "--- %s\n%s\n", m.Role, m.Content)
		}
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s: the requests differ (go test -update shows how):\n%s", path, got)
	}
}

// TestOldTemplates: templates of the old layout (each tool's system
// message first, with the related memories and the date; the text last),
// as a person may keep them in their configuration, make the requests
// they always made: those recorded in testdata/old-*.golden.
func TestOldTemplates(t *testing.T) {
	old := filepath.Join("..", "..", "testdata", "cache", "old")
	sp := load(t, "summarize", filepath.Join(old, "summarize.tmpl"), summarize.Prompt)
	tp := load(t, "tasks", filepath.Join(old, "tasks.tmpl"), tasks.Prompt)
	for _, window := range []int{8192, 2048} {
		sum, task := run(t, window, sp, tp, records(t))
		for i, name := range []string{"short", "long"} {
			golden(t, fmt.Sprintf("old-summarize-%s-%d.golden", name, window), dump(sum[i]))
			golden(t, fmt.Sprintf("old-tasks-%s-%d.golden", name, window), dump(task[i]))
		}
	}
}

// TestSharedPrefix: with the built-in prompts, every request of summarize
// and tasks about a text starts the same way: the same system message
// (nothing in it that changes per record or per call), then the text and
// the related memories. A text too long for one request is cut into the
// same parts by both tools, each part sent with that same prefix; what
// each tool asks comes after it. So a server's prompt cache evaluates a
// text once for the whole pipeline.
func TestSharedPrefix(t *testing.T) {
	sp := load(t, "summarize", "", summarize.Prompt)
	tp := load(t, "tasks", "", tasks.Prompt)
	recs := records(t)
	for _, tt := range []struct {
		window int
		parts  []int // of each record
	}{
		{8192, []int{1, 1}},
		{4096, []int{1, 2}}, // Ollama's default
	} {
		sum, task := run(t, tt.window, sp, tp, recs)
		system := sum[0][0].Messages[0]
		for i, in := range recs {
			text := record.New([]byte(in)).Get("text").String()
			all := append(append([]llm.Request(nil), sum[i]...), task[i]...)
			for j, r := range all {
				if r.Messages[0] != system || len(r.Messages) != 2 {
					t.Fatalf("window %d, record %d, request %d: not the shared system message, then one user message:\n%s", tt.window, i, j, dump([]llm.Request{r}))
				}
			}
			n := tt.parts[i]
			if len(task[i]) != n || len(sum[i]) != n+min(n-1, 1) {
				t.Fatalf("window %d, record %d: %d requests of summarize and %d of tasks, want the text in %d parts:\n%s", tt.window, i, len(sum[i]), len(task[i]), n, dump(all))
			}
			var joined strings.Builder
			for j := range n {
				s, x := sum[i][j].Messages[1].Content, task[i][j].Messages[1].Content
				k := 0
				for k < len(s) && k < len(x) && s[k] == x[k] {
					k++
				}
				shared := s[:k]
				part, ok := strings.CutPrefix(shared, "<text>\n")
				if !ok {
					t.Fatalf("window %d, record %d, part %d: the user message does not start with the text:\n%s", tt.window, i, j+1, s)
				}
				part, after, ok := strings.Cut(part, "\n</text>")
				if !ok {
					t.Fatalf("window %d, record %d, part %d: the requests of summarize and tasks part before the end of the text:\n--- summarize\n%s\n--- tasks\n%s", tt.window, i, j+1, s, x)
				}
				mems, _ := ask.Memories(record.New([]byte(in)))
				for _, m := range mems {
					if !strings.Contains(after, m.Snippet) {
						t.Errorf("window %d, record %d, part %d: the memory %q is not in the shared prefix:\n%s", tt.window, i, j+1, m.Snippet, shared)
					}
				}
				joined.WriteString(part)
			}
			if joined.String() != text {
				t.Errorf("window %d, record %d: the parts do not make the text", tt.window, i)
			}
		}
	}
}
