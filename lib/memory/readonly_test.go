package memory

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/memory/vecindex"
	"github.com/shelfai/shelf/lib/testserver"
)

// filled makes a store at a path of its own with three memories, closed.
func filled(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, []Item{
		item(t, `{"id":"a","title":"Roof","text":"the roofer quoted"}`),
		item(t, `{"id":"b","title":"Garden","text":"tulips in the garden"}`),
		item(t, `{"id":"c","title":"Budget","text":"budget for the garden"}`),
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

type fileState struct {
	data  []byte
	mtime time.Time
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{data, fi.ModTime()}
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filled(t)
	before := stateOf(t, path)
	s, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hits, err := s.Search(ctx, Query{Text: "tulips", Vector: testserver.Embed("tulips", 64), Model: "bow"})
	if err != nil || len(hits) == 0 || hits[0].ID != "b" {
		t.Fatalf("search: %+v %v", hits, err)
	}
	if st, err := s.Stats(ctx); err != nil || st.Memories != 3 {
		t.Fatalf("stats: %+v %v", st, err)
	}
	// The connection itself refuses to write (mode=ro), whatever the
	// file's permissions say.
	if _, err := s.Put(ctx, []Item{item(t, `{"id":"d","text":"new"}`)}); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("a write through a read-only store: %v", err)
	}
	s.Close()
	if after := stateOf(t, path); !bytes.Equal(after.data, before.data) || !after.mtime.Equal(before.mtime) {
		t.Fatal("reading changed the store's file")
	}
}

// TestOpenReadOnlyNoLog opens a store whose write-ahead log cannot be made
// (a folder the user may not write; here a directory in the log's place,
// which stops root too): the store is read as it is.
func TestOpenReadOnlyNoLog(t *testing.T) {
	ctx := context.Background()
	path := filled(t)
	if err := os.MkdirAll(filepath.Join(path+"-wal", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, path); err == nil {
		t.Fatal("the test needs a store that cannot be opened for writing")
	}
	s, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hits, err := s.Search(ctx, Query{Text: "roofer", Mode: "keyword"})
	if err != nil || len(hits) != 1 || hits[0].ID != "a" {
		t.Fatalf("search: %+v %v", hits, err)
	}
}

// TestOpenReadOnlyMissing reads a store that is not there as an empty one,
// and makes nothing on disk.
func TestOpenReadOnlyMissing(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "none")
	for _, path := range []string{filepath.Join(dir, "m.db"), filepath.Join(dir, "n.db")} {
		s, err := OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		hits, err := s.Search(ctx, Query{Text: "anything", Vector: []float32{1, 0}, Model: "bow"})
		if err != nil || len(hits) != 0 {
			t.Fatalf("search: %+v %v", hits, err)
		}
		if hits, err := s.Search(ctx, Query{}); err != nil || len(hits) != 0 {
			t.Fatalf("newest: %+v %v", hits, err)
		}
		st, err := s.Stats(ctx)
		if err != nil || st.Memories != 0 || st.Path != path {
			t.Fatalf("stats: %+v %v", st, err)
		}
		var out bytes.Buffer
		if n, err := s.Export(ctx, &out); err != nil || n != 0 {
			t.Fatalf("export: %d %v", n, err)
		}
		s.Close()
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("reading made %s: %v", dir, err)
	}
}

// TestCodesUnwritable: when the codes file beside the store cannot be
// written, the codes are read from the store instead.
func TestCodesUnwritable(t *testing.T) {
	ctx := context.Background()
	path := filled(t)
	want := func() []int64 {
		s, err := OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ids, err := s.hammingTop(ctx, "bow", testserver.Embed("garden", 64), 2)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}()
	s, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	side := vecindex.FilePath(s.Path, "bow")
	os.Remove(side)
	if err := os.MkdirAll(filepath.Join(side, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	got, err := s.hammingTop(ctx, "bow", testserver.Embed("garden", 64), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Equal(got, want) {
		t.Fatalf("nearest codes %v, want %v", got, want)
	}
}

// TestNewerSchema: a store of a newer layout is a SchemaError, read-only
// or not, and is left as it is.
func TestNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filled(t)
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for name, open := range map[string]func(context.Context, string) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		_, err := open(ctx, path)
		var se *SchemaError
		if !errors.As(err, &se) || se.Version != 99 || !se.Newer() || err.Error() != path+" was written by a newer remember (schema 99, this one knows 2)" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
