package fitness_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/fitness"
)

// A fixtures file names memos and folders that become file and folder
// names in the check's work folder (the memo's spoken text and audio, the
// vault's folders): one that is no single name of a file would have the
// check write outside its work folder, so Load refuses it.
func TestLoadRefusesIDsAndFoldersThatAreNotNames(t *testing.T) {
	for name, c := range map[string]struct{ yaml, field string }{
		"memo id":      {"created: 2026-03-12T10:00:00Z\nfolders: [a]\nmemos:\n  - {id: \"../../escaped\", lang: en, text: x, folder: a}\n", "memos[0]: id"},
		"memo id nl":   {"created: 2026-03-12T10:00:00Z\nfolders: [a]\nmemos:\n  - {id: \"m1\\n## heading\", lang: en, text: x, folder: a}\n", "memos[0]: id"},
		"memo id esc":  {"created: 2026-03-12T10:00:00Z\nfolders: [a]\nmemos:\n  - {id: \"m1\\e[31m\", lang: en, text: x, folder: a}\n", "memos[0]: id"},
		"memo id dots": {"created: 2026-03-12T10:00:00Z\nfolders: [a]\nmemos:\n  - {id: \"..\", lang: en, text: x, folder: a}\n", "memos[0]: id"},
		"memo folder":  {"created: 2026-03-12T10:00:00Z\nfolders: [a]\nmemos:\n  - {id: m1, lang: en, text: x, folder: \"a/../../b\"}\n", "memo m1: folder"},
		"long id":      {"created: 2026-03-12T10:00:00Z\nfolders: [a]\nmemos:\n  - {id: m1, lang: en, text: x, folder: a}\nlong:\n  - {id: \"x/y\", parts: [m1], folder: a}\n", "long[0]: id"},
		"folder":       {"created: 2026-03-12T10:00:00Z\nfolders: [\"../../escaped\"]\nmemos:\n  - {id: m1, lang: en, text: x, folder: a}\n", "folders[0]"},
		"folder slash": {"created: 2026-03-12T10:00:00Z\nfolders: [\"/abs\"]\nmemos:\n  - {id: m1, lang: en, text: x, folder: a}\n", "folders[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, fitness.FixtureFile), []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := fitness.Load(dir)
			if err == nil {
				t.Fatalf("Load accepted %q", c.yaml)
			}
			if !strings.Contains(err.Error(), c.field) || strings.ContainsAny(err.Error(), "\n\x1b") {
				t.Errorf("error %q: want it to name %q, on one line without escapes", err, c.field)
			}
		})
	}
}
