package vault

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/safetext"
)

// fakeModel answers the folder request with folder and keeps the folders
// it was offered.
type fakeModel struct {
	folder  string
	offered []string
}

func (m *fakeModel) Model(context.Context) (string, error) { return "fake", nil }

func (m *fakeModel) Structured(_ context.Context, _ llm.Request, _ string, schema *llm.Schema, out any) error {
	m.offered = schema.Properties["folder"].Enum
	b, _ := json.Marshal(map[string]string{"folder": m.folder})
	return json.Unmarshal(b, out)
}

var filedAt = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func newFiler(t *testing.T, root string, m Model, opt Options) *Filer {
	t.Helper()
	v, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := LoadIndex(v, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p, err := prompt.Load("file", "", Template)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return filedAt }
	}
	f, err := NewFiler(v, ix, m, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// fileOne files one record and returns it and its note.
func fileOne(t *testing.T, f *Filer, js string) (*record.Record, string) {
	t.Helper()
	rec := record.New([]byte(js))
	if err := f.Record(context.Background(), rec); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	note, err := os.ReadFile(filepath.Join(f.v.Root, filepath.FromSlash(rec.Get("path").String())))
	if err != nil {
		t.Fatal(err)
	}
	return rec, string(note)
}

// controlChars finds the characters no note may hold (tabs and line ends
// aside).
func controlChars(s string) []rune {
	var bad []rune
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			bad = append(bad, r)
		}
	}
	return bad
}

// What a model made (title, summary, tags, tasks, transcript) cannot forge
// a line, a task, a tag or a front matter key in the note.
func TestHostileNote(t *testing.T) {
	f := newFiler(t, t.TempDir(), nil, Options{Folder: "notes"})
	rec, note := fileOne(t, f, `{"id":"h1","created":"2026-11-26T09:00:00Z",`+
		`"title":"Plan\n- [x] forged done\u001b[2J\u0007 #secret\u202e\ntitle: forged",`+
		`"summary":"Fine.\r\n- [x] forged in the summary\u2028## Tasks\n`+"```"+`\n%% hide the rest",`+
		`"tags":["a\u001bb","Cafe\u0301","x\ny"],`+
		`"tasks":[{"title":"Pay\n- [x] forged ✅ 2026-01-01","due":"2026-12-01","for":"Sam\r\n- [x] x","priority":"high"},`+
		`{"title":"Ring","due":"2026-12-01 ✅ 2026-01-01"}],`+
		`"segments":[{"start":1,"text":"said\n- [x] forged \u0007"}]}`)
	want := "---\n" +
		"id: h1\n" +
		"title: 'Plan - [x] forged done [2J #secret title: forged'\n" +
		"created: \"2026-11-26T09:00:00Z\"\n" +
		"tags:\n  - a-b\n  - café\n  - x-y\n" +
		"aliases:\n  - 'Plan - [x] forged done [2J #secret title: forged'\n" +
		"shelf-hash: HASH\n" +
		"---\n" +
		"# Plan - \\[x] forged done \\[2J \\#secret title: forged\n\n" +
		"Fine.\n- \\[x] forged in the summary\n\\#\\# Tasks\n\\```\n%\\% hide the rest\n\n" +
		"## Tasks\n\n" +
		"- [ ] Pay - \\[x] forged 2026-01-01 (for Sam - \\[x] x) ⏫ 📅 2026-12-01\n" +
		"- [ ] Ring\n\n" +
		"## Transcript\n\n" +
		"[00:01] said - \\[x] forged\n"
	fm, _, err := Parse([]byte(note))
	if err != nil || fm == nil {
		t.Fatalf("front matter: %v\n%s", err, note)
	}
	if got := strings.Replace(note, fm.Hash, "HASH", 1); got != want {
		t.Errorf("note:\n%s\nwant:\n%s", got, want)
	}
	if bad := controlChars(note); bad != nil {
		t.Errorf("control characters %q in the note", bad)
	}
	if rec.Get("title").String() != fm.Title || !slices.Equal(fm.Tags, []string{"a-b", "café", "x-y"}) {
		t.Errorf("record: %s", rec.JSON)
	}
	// The due that is not a date is left out, with a warning.
	if errs := rec.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Message, `task "Ring": due "2026-12-01 ✅ 2026-01-01" is not a date; left out of the note`) {
		t.Errorf("errors: %+v", errs)
	}

	// The record's own text keeps its Markdown (a person's checklist stays
	// one); only control characters go.
	_, note = fileOne(t, f, `{"id":"h2","created":"2026-11-26T09:00:00Z","title":"Mine","text":"My list\u0000:\r\n- [ ] milk\u001b[0m\n\tindented"}`)
	if !strings.HasSuffix(note, "## Text\n\nMy list :\n- [ ] milk [0m\n\tindented\n") {
		t.Errorf("text:\n%s", note)
	}
}

// A created that is neither an RFC 3339 time nor a date is not written
// into the note: the note takes the time of filing, as when created is
// missing, and the record carries a warning.
func TestCreated(t *testing.T) {
	long := strings.Repeat("x", 10<<10)
	tests := []struct {
		created string // JSON value; "" leaves it out
		want    string // the note's created
		name    string // the note's file name
		warn    string
	}{
		{`"2026-11-20T08:30:00+01:00"`, `"2026-11-20T08:30:00+01:00"`, "2026-11-20-n.md", ""},
		{`"2026-11-20"`, `"2026-11-20"`, "2026-11-20-n.md", ""},
		{``, `"2026-11-26T09:00:00Z"`, "2026-11-26-n.md", ""},
		{`null`, `"2026-11-26T09:00:00Z"`, "2026-11-26-n.md", ""},
		{`"last week"`, `"2026-11-26T09:00:00Z"`, "2026-11-26-n.md", `created: "last week" is neither an RFC 3339 time nor a date; it was not written into the note`},
		{`"2026-13-45"`, `"2026-11-26T09:00:00Z"`, "2026-11-26-n.md", `created: "2026-13-45" is neither`},
		{`"2026-11-20T25:00:00Z"`, `"2026-11-26T09:00:00Z"`, "2026-11-26-n.md", `created: "2026-11-20T25:00:00Z" is neither`},
		{`"2026-11-20\nid: forged"`, `"2026-11-26T09:00:00Z"`, "2026-11-26-n.md", `created: "2026-11-20\nid: forged" is neither`},
		{`1795683600`, `"2026-11-26T09:00:00Z"`, "2026-11-26-n.md", `created: 1795683600 is neither`},
		{`"` + long + `"`, `"2026-11-26T09:00:00Z"`, "2026-11-26-n.md", `created: "` + strings.Repeat("x", 40) + `…" is neither`},
	}
	for _, tt := range tests {
		f := newFiler(t, t.TempDir(), nil, Options{Folder: "notes"})
		js := `{"id":"c1","title":"N","text":"t"}`
		if tt.created != "" {
			js = `{"id":"c1","created":` + tt.created + `,"title":"N","text":"t"}`
		}
		rec, note := fileOne(t, f, js)
		label := tt.created
		if len(label) > 50 {
			label = label[:50]
		}
		if got := rec.Get("path").String(); got != "notes/"+tt.name {
			t.Errorf("%s: path %s, want notes/%s", label, got, tt.name)
		}
		if !strings.Contains(note, "\ncreated: "+tt.want+"\n") {
			t.Errorf("%s: want created: %s in\n%.300s", label, tt.want, note)
		}
		if strings.Count(note, "\nid: ") != 1 || len(note) > 2000 {
			t.Errorf("%s: the note holds what created said:\n%.300s", label, note)
		}
		errs := rec.Errors()
		switch {
		case tt.warn == "" && len(errs) > 0:
			t.Errorf("%s: errors %+v", label, errs)
		case tt.warn != "" && (len(errs) != 1 || !strings.HasPrefix(errs[0].Message, tt.warn) || len(errs[0].Message) > 200):
			t.Errorf("%s: errors %+v, want one starting %q", label, errs, tt.warn)
		}
	}
}

// Filing a record again with no usable created keeps the note's created
// (and so leaves the note as it is).
func TestCreatedKeptOnUpdate(t *testing.T) {
	root := t.TempDir()
	f := newFiler(t, root, nil, Options{Folder: "notes"})
	_, first := fileOne(t, f, `{"id":"k1","title":"Keep","text":"t"}`)
	f2 := newFiler(t, root, nil, Options{Folder: "notes", Now: func() time.Time { return filedAt.Add(48 * time.Hour) }})
	_, second := fileOne(t, f2, `{"id":"k1","created":"yesterday","title":"Keep","text":"t"}`)
	if first != second {
		t.Errorf("the note changed:\n%s\n---\n%s", first, second)
	}
}

// Folder names are compared in NFC: a folder the vault has, spelled with
// a combining accent (as some systems write names), is that folder, whether
// the person names it or the model chooses or proposes it.
func TestFolderNFC(t *testing.T) {
	nfd, nfc := "Cafe\u0301", "Café"
	if got := SafeName(nfd, 100); got != nfc {
		t.Errorf("SafeName(%+q) = %+q, want %+q", nfd, got, nfc)
	}
	if got := FolderPath(nfd + "/Me\u0301nu"); got != nfc+"/Ménu" {
		t.Errorf("FolderPath = %+q", got)
	}
	for _, tt := range []struct {
		name   string
		folder string // --folder, sanitized as cmd/file does
		answer string // the model's answer
		new    bool
		want   string
	}{
		{name: "--folder", folder: FolderPath(nfc), want: nfd},
		{name: "--folder, deeper", folder: FolderPath(nfc + "/Recipes"), want: nfd + "/Recipes"},
		{name: "chosen", answer: nfc, want: nfd},
		{name: "proposed", answer: nfc, new: true, want: nfd},
		{name: "proposed, decomposed", answer: nfd + " ", new: true, want: nfd},
	} {
		root := t.TempDir()
		os.Mkdir(filepath.Join(root, nfd), 0o755)
		os.Mkdir(filepath.Join(root, "home"), 0o755)
		var m *fakeModel
		var model Model
		if tt.folder == "" {
			m = &fakeModel{folder: tt.answer}
			model = m
		}
		f := newFiler(t, root, model, Options{Folder: tt.folder, AllowNew: tt.new})
		rec, _ := fileOne(t, f, `{"id":"f1","created":"2026-11-26T09:00:00Z","title":"Croissants","text":"t"}`)
		if got := rec.Get("folder").String(); got != tt.want {
			t.Errorf("%s: folder %+q, want %+q", tt.name, got, tt.want)
		}
		entries, _ := os.ReadDir(root)
		if len(entries) != 2 {
			t.Errorf("%s: a second folder was made: %v", tt.name, entries)
		}
		if m != nil && !tt.new && !slices.Equal(m.offered, []string{nfc, "home", "inbox"}) {
			t.Errorf("%s: offered %+q", tt.name, m.offered)
		}
	}
}

// A note's tags are tags Obsidian takes; each one changed or left out is
// named in a warning.
func TestNoteTags(t *testing.T) {
	for _, tt := range []struct {
		in, want []string
		warnings int
	}{
		{[]string{"work", "home/garden"}, []string{"work", "home/garden"}, 0},
		{[]string{"a.b", "a-b"}, []string{"a-b"}, 1},
		{[]string{"..", ".hidden", "x/../y", "1984", "2026/11"}, []string{"hidden", "x/y"}, 5},
		{nil, []string{}, 0},
	} {
		got, warnings := noteTags(tt.in)
		if !slices.Equal(got, tt.want) || len(warnings) != tt.warnings {
			t.Errorf("noteTags(%q) = %q, %q; want %q and %d warnings", tt.in, got, warnings, tt.want, tt.warnings)
		}
	}
}

// A folder that differs only in case from one the vault has is that folder
// (a second one would stand beside it on a case-sensitive file system, and
// collide with it on a case-insensitive one), unless the vault has that
// very spelling too.
func TestFolderCase(t *testing.T) {
	for _, tt := range []struct {
		name    string
		folders []string
		folder  string // --folder, sanitized as cmd/file does
		answer  string // the model's answer (with AllowNew)
		want    string
	}{
		{name: "proposed", folders: []string{"clients", "home"}, answer: "Clients", want: "clients"},
		{name: "proposed, upper", folders: []string{"Clients", "home"}, answer: "CLIENTS", want: "Clients"},
		{name: "proposed, inbox", folders: []string{"Inbox"}, answer: "inbox", want: "Inbox"},
		{name: "proposed, both spellings", folders: []string{"Clients", "clients"}, answer: "clients", want: "clients"},
		{name: "proposed, neither spelling", folders: []string{"Clients", "clients"}, answer: "CLIENTS", want: "Clients"},
		{name: "--folder", folders: []string{"clients"}, folder: FolderPath("Clients/ACME"), want: "clients/ACME"},
		{name: "--folder, deeper", folders: []string{"clients/acme"}, folder: FolderPath("Clients/Acme/2026"), want: "clients/acme/2026"},
		{name: "new", folders: []string{"home"}, answer: "Clients", want: "Clients"},
	} {
		root := t.TempDir()
		for _, d := range tt.folders {
			os.MkdirAll(filepath.Join(root, d), 0o755)
		}
		before, _ := os.ReadDir(root)
		var model Model
		if tt.folder == "" {
			model = &fakeModel{folder: tt.answer}
		}
		f := newFiler(t, root, model, Options{Folder: tt.folder, AllowNew: true})
		rec, _ := fileOne(t, f, `{"id":"f1","created":"2026-11-26T09:00:00Z","title":"Invoice","text":"t"}`)
		if got := rec.Get("folder").String(); got != tt.want {
			t.Errorf("%s: folder %q, want %q", tt.name, got, tt.want)
		}
		after, _ := os.ReadDir(root)
		if tt.name != "new" && len(after) != len(before) {
			t.Errorf("%s: a second folder was made: %v", tt.name, after)
		}
	}
}

func TestDeriveTitle(t *testing.T) {
	tests := []struct{ text, summary, want string }{
		{"the text", "A summary, first.", "A summary, first"},
		{"one two three four five six seven eight nine", "", "one two three four five six seven eight"},
		{"", "", "Untitled note"},
		// Characters that take up no room are no words.
		{"\u200b \ufeff", "", "Untitled note"},
		{"Cl\u200bients", "", "Clients"},
	}
	for _, tt := range tests {
		if got := safetext.Title(deriveTitle(tt.text, tt.summary)); got != tt.want {
			t.Errorf("deriveTitle(%q, %q) = %q, want %q", tt.text, tt.summary, got, tt.want)
		}
	}
}
