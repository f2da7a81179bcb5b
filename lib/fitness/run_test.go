package fitness

import (
	"errors"
	"os"
	"path/filepath"
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
