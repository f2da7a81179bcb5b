package memory

import (
	"context"
	"errors"
	"slices"
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
