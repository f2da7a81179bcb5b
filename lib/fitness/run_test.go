package fitness

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/sysexits"
)

// TestFindPrograms: the check runs the tools installed with it, under the
// names they were installed with (make install, with or without
// PROGRAM_PREFIX; make build's bin/), before any on PATH.
func TestFindPrograms(t *testing.T) {
	onPath := map[string]bool{"summarize": true, "tasks": true, "shelf-file": true, "remember": true, "transcribe": true, "file": true}
	lookPath := func(available map[string]bool) func(string) (string, error) {
		return func(name string) (string, error) {
			if available[name] {
				return "/elsewhere/" + name, nil
			}
			return "", errors.New("not found")
		}
	}
	for _, c := range []struct {
		name  string
		self  string   // the check's name
		here  []string // the programs next to it
		path  map[string]bool
		want  Programs // "" for next to it: names there
		error string
	}{
		{"make build", "fitness", []string{"summarize", "tasks", "file", "remember", "transcribe"}, onPath,
			Programs{"summarize", "tasks", "file", "remember", "transcribe"}, ""},
		{"make install", "shelf-fitness", []string{"summarize", "tasks", "shelf-file", "remember", "transcribe"}, onPath,
			Programs{"summarize", "tasks", "shelf-file", "remember", "transcribe"}, ""},
		{"make install PROGRAM_PREFIX=shelf-", "shelf-fitness", []string{"shelf-summarize", "shelf-tasks", "shelf-file", "shelf-remember", "shelf-transcribe"}, onPath,
			Programs{"shelf-summarize", "shelf-tasks", "shelf-file", "shelf-remember", "shelf-transcribe"}, ""},
		{"make install PROGRAM_PREFIX=x-", "x-fitness", []string{"x-summarize", "x-tasks", "x-file", "x-remember"}, onPath,
			Programs{"x-summarize", "x-tasks", "x-file", "x-remember", "/elsewhere/transcribe"}, ""},
		{"on PATH only", "shelf-fitness", nil, onPath,
			Programs{"/elsewhere/summarize", "/elsewhere/tasks", "/elsewhere/shelf-file", "/elsewhere/remember", "/elsewhere/transcribe"}, ""},
		{"PROGRAM_PREFIX=shelf- on PATH", "shelf-fitness", nil, map[string]bool{"shelf-summarize": true, "shelf-tasks": true, "shelf-file": true, "shelf-remember": true},
			Programs{"/elsewhere/shelf-summarize", "/elsewhere/shelf-tasks", "/elsewhere/shelf-file", "/elsewhere/shelf-remember", ""}, ""},
		{"file(1) is not the filer", "shelf-fitness", []string{"summarize", "tasks", "remember"}, map[string]bool{"file": true},
			Programs{}, "shelf-file not found next to this program or on PATH"},
		{"a program of another name", "fitness.test", nil, onPath,
			Programs{"/elsewhere/summarize", "/elsewhere/tasks", "/elsewhere/shelf-file", "/elsewhere/remember", "/elsewhere/transcribe"}, ""},
		{"none", "fitness", nil, nil,
			Programs{}, "summarize, tasks, shelf-file and remember not found next to this program or on PATH"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, n := range append([]string{c.self}, c.here...) {
				if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			got, err := FindPrograms(filepath.Join(dir, c.self), lookPath(c.path))
			if c.error != "" {
				if err == nil || err.Error() != c.error || sysexits.Code(err) != sysexits.Unavailable {
					t.Fatalf("error %v (status %d), want %q (status 69)", err, sysexits.Code(err), c.error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			for _, p := range []*string{&want.Summarize, &want.Tasks, &want.File, &want.Remember, &want.Transcribe} {
				if *p != "" && !filepath.IsAbs(*p) {
					*p = filepath.Join(dir, *p)
				}
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestFindDir: the check finds the memos make install put in
// DATADIR/shelf/fitness, when DATADIR is PREFIX/share next to the check's
// BINDIR or one of the XDG data folders (BINDIR elsewhere), and those of
// the source tree it runs in before an installed copy.
func TestFindDir(t *testing.T) {
	root := t.TempDir()
	put := func(dir string) string {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, FixtureFile), []byte("memos: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	at := func(p string) string { return filepath.Join(root, p) }
	next := put(at("prefix/share/shelf/fitness"))
	apart := put(at("usr/share/shelf/fitness"))
	tree := put(at("src/testdata/fitness"))
	given := put(at("given"))
	if err := os.WriteFile(at("src/go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(at("src/cmd/fitness"), 0o755); err != nil {
		t.Fatal(err)
	}
	data := []string{at("home/.local/share/shelf"), at("usr/local/share/shelf"), at("usr/share/shelf")}
	for _, c := range []struct {
		name, dir, exe, wd string
		data               []string
		want, error        string
	}{
		{"--fixtures", given, at("prefix/bin/shelf-fitness"), at("src"), data, given, ""},
		{"--fixtures without memos", at("nothing"), at("prefix/bin/shelf-fitness"), at("src"), data, "", "no fixtures in " + at("nothing") + ": "},
		{"next to the program", "", at("prefix/bin/shelf-fitness"), at("src"), data, next, ""},
		{"BINDIR apart from DATADIR", "", at("bin/shelf-fitness"), root, data, apart, ""},
		{"the source tree before an installed copy", "", at("src/bin/fitness"), at("src/cmd/fitness"), data, tree, ""},
		{"nowhere", "", at("bin/shelf-fitness"), root, data[:2], "", "no fixtures found (looked in " + at("share/shelf/fitness") + ", " +
			at("home/.local/share/shelf/fitness") + ", " + at("usr/local/share/shelf/fitness") + ")"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := FindDir(c.dir, c.exe, c.wd, c.data)
			if c.error != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.error) {
					t.Fatalf("FindDir = %q, %v; want the error %q", got, err, c.error)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("FindDir = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
