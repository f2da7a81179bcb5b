package tasks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullDisk is a todo.txt file on a disk that fills up: the first write
// gets only its first half through, then the disk is full.
type fullDisk struct {
	*os.File
	syncErr error
}

func (f *fullDisk) Write(p []byte) (int, error) {
	n, err := f.File.Write(p[:len(p)/2])
	if err != nil {
		return n, err
	}
	return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

func (f *fullDisk) Sync() error {
	if f.syncErr != nil {
		return f.syncErr
	}
	return f.File.Sync()
}

// syncFails writes whole, and then cannot make the write last.
type syncFails struct{ *os.File }

func (f *syncFails) Sync() error { return &os.PathError{Op: "sync", Path: f.Name(), Err: syscall.EIO} }

// A failed append leaves the file as it was: no half line, no line that
// may not have reached the disk. The person's own lines, even one without
// its final newline, are untouched.
func TestAppendFailureLeavesTheFile(t *testing.T) {
	tasks := []Task{
		{ID: "11111111-1111-4111-8111-111111111111", Title: "Call the dentist"},
		{ID: "22222222-2222-4222-8222-222222222222", Title: "Water the garden"},
	}
	for _, tt := range []struct {
		name string
		wrap func(*os.File) todoFile
		want string
	}{
		{"a write cut short", func(f *os.File) todoFile { return &fullDisk{File: f} }, "no space left on device"},
		{"a sync that fails", func(f *os.File) todoFile { return &syncFails{f} }, "input/output error"},
	} {
		for i, mine := range []string{"", "(A) my own task\n", "my own task without a newline"} {
			t.Run(tt.name+"/"+[]string{"empty", "own lines", "no final newline"}[i], func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "todo.txt")
				if err := os.WriteFile(path, []byte(mine), 0o644); err != nil {
					t.Fatal(err)
				}
				f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				n, err := appendNew(tt.wrap(f), tasks)
				if err == nil || !strings.Contains(err.Error(), tt.want) || n != 0 {
					t.Errorf("appendNew: %d, %v; want 0 and an error with %q", n, err, tt.want)
				}
				got, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != mine {
					t.Errorf("the file holds %q, want %q as it was", got, mine)
				}
			})
		}
	}
}

// The append that works adds each task once.
func TestAppendNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "todo.txt")
	os.WriteFile(path, []byte("mine"), 0o644)
	tasks := []Task{{ID: "11111111-1111-4111-8111-111111111111", Title: "Call the dentist"}}
	for want := 1; want >= 0; want-- {
		n, err := AppendTodoTxt(path, tasks)
		if err != nil || n != want {
			t.Fatalf("AppendTodoTxt: %d, %v; want %d", n, err, want)
		}
	}
	got, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(got), "mine\n") || strings.Count(string(got), "Call the dentist") != 1 || strings.Count(string(got), "\n") != 2 {
		t.Errorf("the file holds %q", got)
	}
	if _, err := AppendTodoTxt(filepath.Join(path, "x"), tasks); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("a file under a file: %v", err)
	}
}
