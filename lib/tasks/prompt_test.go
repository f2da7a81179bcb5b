package tasks

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/ask"
	"github.com/shelfai/shelf/lib/prompt"
)

// TestPromptGolden renders the built-in prompt, whole and for a part, with
// and without the summary and related memories, and compares with
// testdata/*.golden: the text first, what tasks asks after it.
func TestPromptGolden(t *testing.T) {
	p, err := prompt.Load("tasks", "", Prompt)
	if err != nil {
		t.Fatal(err)
	}
	mems := []ask.Memory{{Title: "Call the dentist", Snippet: "booked for Monday", Created: "2026-11-20"}, {Snippet: "Buy stamps."}}
	x := &Extractor{}
	d := func(text, summary string, part, parts int, mems []ask.Memory) data {
		d := x.data(time.Date(2026, 11, 26, 9, 30, 0, 0, time.FixedZone("CET", 3600)), summary, mems)
		d.Text, d.Part, d.Parts = text, part, parts
		return d
	}
	cases := map[string]struct {
		tmpl string
		d    data
	}{
		"system":       {"system", d("", "", 1, 1, nil)},
		"user":         {"user", d("Call Bob tomorrow.", "", 1, 1, nil)},
		"user-context": {"user", d("Call Bob tomorrow.", "Bob is to be called.", 1, 1, mems)},
		"user-part":    {"user", d("Part text.", "The whole summary.", 2, 3, nil)},
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
