package fitness_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/shelfai/shelf/lib/fitness"
)

// A fixtures file names memos and folders that become file and folder
// names in the check's work folder (the memo's spoken text and audio, the
// vault's folders): one that is no single name of a file would have the
// check write outside its work folder, so Load refuses it.
func TestLoadRefusesIDsAndFoldersThatAreNotNames(t *testing.T) {
	for name, yaml := range map[string]string{
		"memo id":      "created: 2026-03-12T10:00:00Z\nfolders: [a]\nmemos:\n  - {id: \"../../escaped\", lang: en, text: x, folder: a}\n",
		"memo id nl":   "created: 2026-03-12T10:00:00Z\nfolders: [a]\nmemos:\n  - {id: \"m1\\n## heading\", lang: en, text: x, folder: a}\n",
		"folder":       "created: 2026-03-12T10:00:00Z\nfolders: [\"../../escaped\"]\nmemos:\n  - {id: m1, lang: en, text: x, folder: a}\n",
		"folder slash": "created: 2026-03-12T10:00:00Z\nfolders: [\"/abs\"]\nmemos:\n  - {id: m1, lang: en, text: x, folder: a}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, fitness.FixtureFile), []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := fitness.Load(dir); err == nil {
				t.Errorf("Load accepted %q", yaml)
			}
		})
	}
}
