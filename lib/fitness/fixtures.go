// Package fitness provides shelf-fitness's work: the fixture memos and
// their truth, running the real tools over them with a model, scoring what
// the tools wrote against the truth by fixed rules, and the report (a table
// per model, results as JSON, every wrong answer, a picture of quality
// against seconds per memo).
//
// Matching rules, so that a score means the same in every run:
//
//   - Words are compared folded: lower case, accents dropped, NFKC.
//   - A found task matches a true task of the same memo when every keyword
//     group of the true task has an alternative that starts a word of the
//     found title ("invoic" matches "invoicing"). Each true task takes at
//     most one found task and each found task at most one true task: the
//     true tasks in order, each the first unmatched found task that
//     matches, one with the same due date before others.
//   - A due date is right when both have none, or both have the same day
//     and, when the truth has a time, the same hour and minute.
//   - A fact is kept when the summary or the title holds one of its
//     alternatives: a number by its value in any notation (8,400 = 8400 =
//     8.400), words in order (after the folding above).
//   - A fact is invented when summarize's check lists it (checks.summary
//     and checks.title); on records without checks, the same check
//     (lib/ground) is made here.
//   - A transcript's word errors are the fewest words changed, left out
//     or added to make it its memo's text, both written as SpeechWords
//     has them (case, punctuation and numbers in words or digits make no
//     error); the word error rate is the errors of all memos over all
//     their words. A transcript of more than 4n+20 words for a memo of n
//     (or of more than 64 bytes for each of those) is all wrong without
//     being aligned: 4n+21 errors, more than one within the bound can
//     have.
package fitness

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// FixtureFile is the name of the fixtures' file in their folder.
const FixtureFile = "memos.yaml"

// Fixtures are the memos and questions of the check.
type Fixtures struct {
	Created   time.Time  `yaml:"created"`
	Folders   []string   `yaml:"folders"`
	Memos     []*Memo    `yaml:"memos"`
	Long      []*Long    `yaml:"long"`
	Questions []Question `yaml:"questions"`
}

// Memo is one memo and its truth.
type Memo struct {
	ID      string    `yaml:"id" json:"id"`
	Lang    string    `yaml:"lang" json:"lang"`
	Kind    string    `yaml:"kind" json:"kind"` // plain, asr or long
	Created time.Time `yaml:"created" json:"created"`
	Text    string    `yaml:"text" json:"text"`
	Title   string    `yaml:"title" json:"title"`
	Folder  string    `yaml:"folder" json:"folder"`
	Facts   []string  `yaml:"facts" json:"facts"`
	Tasks   []Task    `yaml:"tasks" json:"tasks"`
}

// Task is a true task.
type Task struct {
	Title    string   `yaml:"title" json:"title"`
	Keywords []string `yaml:"keywords" json:"keywords"`
	Due      string   `yaml:"due" json:"due,omitempty"`
	When     string   `yaml:"when" json:"when,omitempty"`
	For      string   `yaml:"for" json:"for,omitempty"`
	Quote    string   `yaml:"quote" json:"quote"`
}

// Long is a memo made of the texts of others.
type Long struct {
	ID     string   `yaml:"id"`
	Parts  []string `yaml:"parts"`
	Title  string   `yaml:"title"`
	Folder string   `yaml:"folder"`
	Facts  []string `yaml:"facts"`
}

// Question is a recall question and the memos that answer it.
type Question struct {
	Q   string   `yaml:"q" json:"q"`
	IDs []string `yaml:"ids" json:"ids"`
}

// Load reads the fixtures in dir and makes the long memos.
func Load(dir string) (*Fixtures, error) {
	path := filepath.Join(dir, FixtureFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f Fixtures
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if err := f.checkNames(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	byID := map[string]*Memo{}
	for _, m := range f.Memos {
		if byID[m.ID] != nil {
			return nil, fmt.Errorf("%s: memo %s twice", path, m.ID)
		}
		byID[m.ID] = m
		m.Text = strings.TrimSpace(m.Text)
		if m.Created.IsZero() {
			m.Created = f.Created
		}
		if m.Kind == "" {
			m.Kind = "plain"
		}
	}
	for _, l := range f.Long {
		m := &Memo{ID: l.ID, Lang: "en", Kind: "long", Created: f.Created, Title: l.Title, Folder: l.Folder, Facts: l.Facts}
		var texts []string
		seen := map[string]bool{}
		for _, id := range l.Parts {
			p := byID[id]
			if p == nil {
				return nil, fmt.Errorf("%s: long memo %s: no memo %s", path, l.ID, id)
			}
			if !p.Created.Equal(f.Created) {
				return nil, fmt.Errorf("%s: long memo %s: memo %s was made at another time, so its dates would not hold", path, l.ID, id)
			}
			texts = append(texts, p.Text)
			if !seen[id] { // a part said twice asks for its tasks once
				m.Tasks = append(m.Tasks, p.Tasks...)
			}
			seen[id] = true
		}
		m.Text = strings.Join(texts, "\n\n")
		f.Memos = append(f.Memos, m)
	}
	return &f, nil
}

// MaxNameBytes is the longest memo id or folder the fixtures may have.
const MaxNameBytes = 100

// checkNames holds the memo ids and the folders, which become names of
// files and folders in the check's work folder and headings of the
// report, to single names: not empty, not . or .., without / or \,
// control characters (line ends too) or bidirectional formatting
// characters, at most MaxNameBytes bytes.
func (f *Fixtures) checkNames() error {
	for i, d := range f.Folders {
		if why := notName(d); why != "" {
			return fmt.Errorf("folders[%d] %q is not a single folder name: %s", i, d, why)
		}
	}
	for i, m := range f.Memos {
		if why := notName(m.ID); why != "" {
			return fmt.Errorf("memos[%d]: id %q is not a single name: %s", i, m.ID, why)
		}
		if why := notName(m.Folder); m.Folder != "" && why != "" {
			return fmt.Errorf("memo %s: folder %q is not a single folder name: %s", m.ID, m.Folder, why)
		}
	}
	for i, l := range f.Long {
		if why := notName(l.ID); why != "" {
			return fmt.Errorf("long[%d]: id %q is not a single name: %s", i, l.ID, why)
		}
		if why := notName(l.Folder); l.Folder != "" && why != "" {
			return fmt.Errorf("long memo %s: folder %q is not a single folder name: %s", l.ID, l.Folder, why)
		}
	}
	return nil
}

// notName says why s is no single name of a file, or "".
func notName(s string) string {
	switch {
	case s == "":
		return "it is empty"
	case s == "." || s == "..":
		return "it names a folder by its place"
	case len(s) > MaxNameBytes:
		return fmt.Sprintf("it is longer than %d bytes", MaxNameBytes)
	case !utf8.ValidString(s):
		return "it is not UTF-8"
	case strings.ContainsAny(s, `/\`):
		return "it has a / or \\"
	case strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) || unicode.Is(unicode.Bidi_Control, r)
	}) >= 0:
		return "it has a control or bidirectional formatting character"
	}
	return ""
}

// Memo returns the memo with the id, or nil.
func (f *Fixtures) Memo(id string) *Memo {
	for _, m := range f.Memos {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Stored are the memos remember keeps: all but the long ones, which
// repeat the others.
func (f *Fixtures) Stored() []*Memo {
	var out []*Memo
	for _, m := range f.Memos {
		if m.Kind != "long" {
			out = append(out, m)
		}
	}
	return out
}

// FindDir finds the fixtures: dir when given; else next to the program
// (../share/shelf/fitness from its folder, as make install puts them);
// else testdata/fitness in the source tree the working folder is in;
// else fitness in one of the data folders (the XDG ones, for a check
// installed with BINDIR apart from DATADIR).
func FindDir(dir, exe, wd string, data []string) (string, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, FixtureFile)); err != nil {
			return "", fmt.Errorf("no fixtures in %s: %v", dir, err)
		}
		return dir, nil
	}
	var tried []string
	if exe != "" {
		d := filepath.Join(filepath.Dir(exe), "..", "share", "shelf", "fitness")
		tried = append(tried, d)
		if _, err := os.Stat(filepath.Join(d, FixtureFile)); err == nil {
			return filepath.Clean(d), nil
		}
	}
	for d := wd; d != ""; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			t := filepath.Join(d, "testdata", "fitness")
			tried = append(tried, t)
			if _, err := os.Stat(filepath.Join(t, FixtureFile)); err == nil {
				return t, nil
			}
			break
		}
		up := filepath.Dir(d)
		if up == d {
			break
		}
		d = up
	}
	for _, d := range data {
		t := filepath.Join(d, "fitness")
		if slices.Contains(tried, t) {
			continue
		}
		tried = append(tried, t)
		if _, err := os.Stat(filepath.Join(t, FixtureFile)); err == nil {
			return t, nil
		}
	}
	return "", fmt.Errorf("no fixtures found (looked in %s)", strings.Join(tried, ", "))
}

// Langs counts the memos of each language.
func (f *Fixtures) Langs() map[string]int {
	n := map[string]int{}
	for _, m := range f.Memos {
		n[m.Lang]++
	}
	return n
}

// Kinds counts the memos of each kind.
func (f *Fixtures) Kinds() map[string]int {
	n := map[string]int{}
	for _, m := range f.Memos {
		n[m.Kind]++
	}
	return n
}

// Folders returns the vault's folders, sorted.
func (f *Fixtures) sortedFolders() []string {
	out := slices.Clone(f.Folders)
	slices.Sort(out)
	return out
}
