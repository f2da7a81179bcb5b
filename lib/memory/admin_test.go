package memory

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/shelfai/shelf/lib/pipeline"
)

// TestForgetNotFound: ids the store does not hold are an ErrNotFound that
// names them; the others are forgotten all the same.
func TestForgetNotFound(t *testing.T) { each(t, testForgetNotFound) }

func testForgetNotFound(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.Put(ctx, []Item{item(t, `{"id":"a","text":"one"}`), item(t, `{"id":"b","text":"two"}`)}); err != nil {
		t.Fatal(err)
	}
	found, err := s.Forget(ctx, []string{"a", "nope", "gone"})
	if !slices.Equal(found, []string{"a"}) {
		t.Errorf("found %v", found)
	}
	var nf *NotFoundError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &nf) || !slices.Equal(nf.IDs, []string{"nope", "gone"}) {
		t.Fatalf("error %v", err)
	}
	if st, _ := s.Stats(ctx); st.Memories != 1 {
		t.Errorf("%d memories left, want 1", st.Memories)
	}
	if found, err := s.Forget(ctx, []string{"b"}); err != nil || !slices.Equal(found, []string{"b"}) {
		t.Errorf("forget b: %v %v", found, err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestExportWriteFails: a failure to write the export is a
// *pipeline.WriteError (the output's, not the store's).
func TestExportWriteFails(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.Put(ctx, []Item{item(t, `{"id":"a","text":"one"}`)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Export(ctx, failWriter{})
	var we *pipeline.WriteError
	if !errors.As(err, &we) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("error %v (%T)", err, err)
	}
}

// TestStats: what stats counts, the same on both stores: current memories
// and every version, vectors by model, and the first and last created of
// the current memories (as written, dates and times alike).
func TestStats(t *testing.T) { each(t, testStats) }

func testStats(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	bare, _ := ItemOf([]byte(`{"id":"d","text":"no vector","created":"2026-01-02"}`))
	for _, batch := range [][]Item{
		{item(t, `{"id":"a","text":"one","created":"2026-03-01T10:00:00+01:00"}`), item(t, `{"id":"b","text":"two"}`), bare,
			item(t, `{"id":"c","text":"three","created":"2025-12-31"}`)},
		{item(t, `{"id":"a","text":"one, again","created":"2026-04-01"}`)}, // a's first created is not current
	} {
		if _, err := s.Put(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Forget(ctx, []string{"c"}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Memories != 3 || st.Versions != 4 || !maps.Equal(st.Vectors, map[string]int{"bow": 2}) || !maps.Equal(st.Dims, map[string]int{"bow": 64}) ||
		st.Oldest != "2026-01-02" || st.Newest != "2026-04-01" || st.Bytes <= 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestMemberName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"alice", "alice"},
		{"bob.smith@crew", "bob.smith@crew"},
		{"jörg_2", "jörg_2"},
		{"bob), e9 (stored by alice", `"bob), e9 (stored by alice"`},
		{"x\x1b[2J", `"x\x1b[2J"`},
		{"", `""`},
	} {
		if got := MemberName(c.in); got != c.want {
			t.Errorf("MemberName(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	e := &ForeignError{IDs: []string{"e5", "e6"}, Members: []string{"bob), e9 (stored by alice", "carol"}}
	if got := e.Error(); !strings.Contains(got, `e5 (stored by "bob), e9 (stored by alice"), e6 (stored by carol)`) {
		t.Errorf("ForeignError: %s", got)
	}
}
