package fitness_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shelfai/shelf/lib/fitness"
)

// unsafeRune reports a character that must not reach a report file raw:
// a control character but the line end, or a bidirectional formatting
// character.
func unsafeRune(r rune) bool {
	return (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// What the models, transcribe and the fixtures say reaches wrong.md and
// results.json; a terminal escape, a bell, a C1 control or a
// bidirectional override in it reaches neither raw (wrong.md shows it as
// an escape, results.json as a JSON escape that decodes to the same
// text), and nothing in it starts a line of wrong.md.
func TestReportEscapesWhatModelsSaid(t *testing.T) {
	hostile := "\x1b[31mred\x07 \u009b2J \u202eevil\u202c\n## Forged heading\r\n- [x] forged item"
	res := &fitness.Result{Model: "m\x1b]0;title\x07", Wrong: []fitness.Wrong{
		{Memo: "m01", Tool: "tasks", What: "task invented " + hostile, Expected: "none", Got: hostile},
	}}
	res.Transcribe = &fitness.Transcribe{Model: "api:\u009b31m", Memos: 1, Wrong: []fitness.Wrong{
		{Memo: "m02", Tool: "transcribe", What: "1 of 2 words wrong", Expected: "a b", Got: hostile},
	}}
	failed := &fitness.Result{Model: "other", Error: "summarize: " + hostile}
	dir := t.TempDir()
	if err := fitness.WriteReport(dir, fitness.Report{Models: []*fitness.Result{res, failed}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"wrong.md", "results.json", "table.md"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if i := strings.IndexFunc(string(data), unsafeRune); i >= 0 {
			t.Errorf("%s has %U raw at %d: %q", name, []rune(string(data[i:]))[0], i, data)
		}
		if name == "wrong.md" {
			for _, l := range strings.Split(string(data), "\n") {
				if strings.Contains(l, "Forged") && !strings.HasPrefix(l, "- ") && !strings.HasPrefix(l, "Not measured") {
					t.Errorf("wrong.md: the answer starts a line of its own: %q", l)
				}
			}
		}
	}
	var back fitness.Report
	data, _ := os.ReadFile(filepath.Join(dir, "results.json"))
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.Models[0].Wrong[0].Got; got != hostile {
		t.Errorf("results.json: got %q, want %q", got, hostile)
	}
	if got := back.Models[0].Transcribe.Model; got != "api:\u009b31m" {
		t.Errorf("results.json: transcribe model %q", got)
	}
}

// A transcript or an answer of megabytes is cut in wrong.md to a length
// one can read, and the cut says so.
func TestWrongCutsLongAnswers(t *testing.T) {
	long := strings.Repeat("word ", 200000)
	res := &fitness.Result{Model: "m", Wrong: []fitness.Wrong{{Memo: "m01", Tool: "transcribe", What: "many words wrong", Expected: "a b", Got: long}}}
	dir := t.TempDir()
	if err := fitness.WriteReport(dir, fitness.Report{Models: []*fitness.Result{res}}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "wrong.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCount(data); n > 2*fitness.MaxShown {
		t.Errorf("wrong.md has %d characters, want at most %d", n, 2*fitness.MaxShown)
	}
	if !strings.Contains(string(data), "more characters)") {
		t.Errorf("wrong.md does not say the answer was cut: %.300q", data)
	}
}

// A link already in the report folder in place of a report file is
// replaced, not written through: the file it points at stays as it was.
func TestWriteReportReplacesLinks(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(outside, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	names := []string{"table.md", "results.json", "wrong.md", "quality-vs-seconds.svg"}
	for _, n := range names {
		if err := os.Symlink(outside, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := fitness.WriteReport(dir, fitness.Report{Models: []*fitness.Result{{Model: "m"}}}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(outside); string(data) != "keep me\n" {
		t.Errorf("the file a link pointed at was written: %.80q", data)
	}
	for _, n := range names {
		st, err := os.Lstat(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if !st.Mode().IsRegular() || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want a regular file, 0644", n, st.Mode())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(names) {
		t.Errorf("the report folder holds %d files, want %d", len(entries), len(names))
	}
}

// The report folder is made, and known to take files, before the run.
func TestPrepareReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := fitness.PrepareReport(dir); err != nil {
		t.Fatal(err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("report folder: %v, %d files left", err, len(entries))
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fitness.PrepareReport(filepath.Join(file, "rep")); err == nil {
		t.Error("PrepareReport made a folder under a file")
	}
}
