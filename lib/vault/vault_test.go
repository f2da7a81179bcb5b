package vault

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/sysexits"
)

func TestFrontMatterRoundTrips(t *testing.T) {
	cases := []FrontMatter{
		{ID: "memo-1", Title: "Call with the print shop", Created: "2026-11-26T09:00:00+01:00", Source: "memos/a.m4a", Tags: []string{"print", "catalogue"}, Aliases: []string{"Call with the print shop"}},
		{ID: "x", Title: `Quotes "and" colons: [[links]] # not a comment`, Tags: []string{"yes", "no", "null", "1984"}},
		{ID: "nul", Title: "nul\x00byte \u202eright-to-left", Created: "2026-11-26"},
		{ID: "multi", Title: "line one\nline two", Source: "- dash first"},
		{ID: "true", Title: "true"},
	}
	for _, fm := range cases {
		note, err := Render(fm, "# Body\n\ntext\n")
		if err != nil {
			t.Fatal(err)
		}
		back, body, err := Parse(note)
		if err != nil || back == nil {
			t.Fatalf("%q: parse: %v\n%s", fm.Title, err, note)
		}
		if back.Hash == "" || len(back.Hash) != 64 {
			t.Errorf("%q: hash %q", fm.Title, back.Hash)
		}
		back.Hash = ""
		if !reflect.DeepEqual(*back, fm) {
			t.Errorf("round trip:\n got %+v\nwant %+v\n%s", *back, fm, note)
		}
		if string(body) != "# Body\n\ntext\n" {
			t.Errorf("body %q", body)
		}
		if !Unchanged(note) {
			t.Errorf("%q: a fresh note counts as edited", fm.Title)
		}
	}
}

func TestUnchanged(t *testing.T) {
	note, _ := Render(FrontMatter{ID: "a", Title: "T"}, "body\n")
	tests := map[string]string{
		"body edited":         strings.Replace(string(note), "body", "Body", 1),
		"appended":            string(note) + "more\n",
		"front matter edited": strings.Replace(string(note), "title: T", "title: U", 1),
		"hash removed":        hashLine.ReplaceAllString(string(note), ""),
		"no front matter":     "just text\n",
		"hash in the body":    "---\nid: a\n---\nshelf-hash: " + strings.Repeat("0", 64) + "\n",
	}
	for name, s := range tests {
		if Unchanged([]byte(s)) {
			t.Errorf("%s: counts as unchanged", name)
		}
	}
}

func TestSafeName(t *testing.T) {
	tests := map[string]string{
		"../../x":                    "x",
		"/etc/passwd":                "etc passwd",
		"a\x00b":                     "a b",
		"CON":                        "_CON",
		"con.txt":                    "_con.txt",
		"lpt1":                       "_lpt1",
		"console":                    "console",
		"\u202egpj.exe":              "gpj.exe",
		"trailing dots...":           "trailing dots",
		"  spaced   out  ":           "spaced out",
		"..":                         "",
		"Notes: 2026 [draft] #1 | x": "Notes 2026 draft 1 x",
		"Café":                       "Café",
		// Characters that take up no room are removed, not made spaces:
		// a name that looks like "Clients" is "Clients".
		"Cl\u200bients":              "Clients",
		"a\u200c\u200d\u200e\u200fb": "ab",
		"\ufeffBOM\u2060\u2064":      "BOM",
		"soft\u00adhyphen":           "softhyphen",
		"\u200b.hidden":              "hidden",
		"\u200b":                     "",
		"a \u2066b\u2069":            "a b",
	}
	for in, want := range tests {
		if got := SafeName(in, 100); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
	long := SafeName(strings.Repeat("é", 200), 101)
	if len(long) > 101 || !strings.HasPrefix(strings.Repeat("é", 60), long) {
		t.Errorf("long name cut badly: %d bytes", len(long))
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"Call with the print shop":  "call-with-the-print-shop",
		"Café déjà vu — Ünïcödé":    "cafe-deja-vu-unicode",
		"../../x":                   "x",
		"🦀":                         "",
		"Cl\u200bients call":        "clients-call",
		"word\u2060joiner":          "wordjoiner",
		strings.Repeat("word ", 40): strings.TrimSuffix(strings.Repeat("word-", 16), "-"),
	}
	for in, want := range tests {
		if got := Slug(in, 80); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInside(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "vault", "ok"), 0o755)
	os.MkdirAll(filepath.Join(dir, "outside"), 0o755)
	os.Symlink(filepath.Join(dir, "outside"), filepath.Join(dir, "vault", "link"))
	os.Symlink(filepath.Join(dir, "vault", "ok"), filepath.Join(dir, "vault", "inner"))
	v, err := Open(filepath.Join(dir, "vault"))
	if err != nil {
		t.Fatal(err)
	}
	for rel, ok := range map[string]bool{
		"ok/note.md": true, "new/deeper/note.md": true, "inner/note.md": true,
		"link/note.md": false, "link": false, "../outside/x.md": false, "/etc/passwd": false,
		"ok/../../outside": false, "": false, "a\x00b": false,
	} {
		_, err := v.Inside(rel)
		if (err == nil) != ok {
			t.Errorf("Inside(%q): %v", rel, err)
		}
	}
}

func TestIndex(t *testing.T) {
	dir := t.TempDir()
	root, cache := filepath.Join(dir, "vault"), filepath.Join(dir, "cache")
	os.MkdirAll(filepath.Join(root, "a"), 0o755)
	os.MkdirAll(filepath.Join(root, ".trash"), 0o755)
	note, _ := Render(FrontMatter{ID: "n1", Title: "One"}, "x\n")
	os.WriteFile(filepath.Join(root, "a", "one.md"), note, 0o644)
	os.WriteFile(filepath.Join(root, ".trash", "old.md"), note, 0o644)
	os.WriteFile(filepath.Join(root, "plain.md"), []byte("no front matter"), 0o644)
	v, _ := Open(root)
	ix, err := LoadIndex(v, cache)
	if err != nil || !ix.Rebuilt {
		t.Fatalf("first load: %v rebuilt=%v", err, ix.Rebuilt)
	}
	if rel, ok, _ := ix.Lookup("n1"); !ok || rel != "a/one.md" {
		t.Fatalf("lookup: %q %v", rel, ok)
	}
	ix.Save()
	ix2, _ := LoadIndex(v, cache)
	if ix2.Rebuilt {
		t.Error("a saved, fresh index was rebuilt")
	}
	// The person moves the note: the folder times change, the index is rebuilt.
	os.MkdirAll(filepath.Join(root, "b"), 0o755)
	os.Rename(filepath.Join(root, "a", "one.md"), filepath.Join(root, "b", "one.md"))
	ix3, _ := LoadIndex(v, cache)
	if rel, ok, _ := ix3.Lookup("n1"); !ix3.Rebuilt || !ok || rel != "b/one.md" {
		t.Fatalf("after a move: %q %v rebuilt=%v", rel, ok, ix3.Rebuilt)
	}
	if _, ok, _ := ix3.Lookup("nope"); ok {
		t.Error("unknown id found")
	}
}

// Open's errors are types, with an exit status and no words of a command
// line: the tool says what to type.
func TestOpenErrors(t *testing.T) {
	_, err := Open("")
	if !errors.Is(err, ErrNoVault) || sysexits.Code(err) != sysexits.Usage || sysexits.Hint(err) != "" {
		t.Errorf("no vault: %v (exit %d, hint %q)", err, sysexits.Code(err), sysexits.Hint(err))
	}
	dir := filepath.Join(t.TempDir(), "nope")
	_, err = Open(dir)
	var missing *MissingError
	if !errors.As(err, &missing) || missing.Dir != dir || !errors.Is(err, fs.ErrNotExist) ||
		err.Error() != "vault "+dir+" does not exist" || sysexits.Code(err) != sysexits.CantCreate || sysexits.Hint(err) != "" {
		t.Errorf("missing vault: %v (exit %d, hint %q)", err, sysexits.Code(err), sysexits.Hint(err))
	}
}
