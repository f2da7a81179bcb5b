package memory

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/shelfai/shelf/lib/testserver"
)

// fakeEmbedder embeds as the test server does, counting the texts.
type fakeEmbedder struct{ texts int }

func (e *fakeEmbedder) Embed(_ context.Context, _ string, texts []string) ([][]float32, error) {
	e.texts += len(texts)
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = testserver.Embed(t, 64)
	}
	return out, nil
}

func bareItems(t *testing.T, s Backend, n int) {
	t.Helper()
	var items []Item
	for i := range n {
		it, _ := ItemOf([]byte(`{"id":"` + string(rune('a'+i)) + `","text":"note ` + string(rune('a'+i)) + `"}`))
		items = append(items, it)
	}
	if _, err := s.Put(context.Background(), items); err != nil {
		t.Fatal(err)
	}
}

// TestFillAndReindex: Fill embeds at most its limit of the memories
// without a vector; Reindex the rest, then those of another model.
func TestFillAndReindex(t *testing.T) { each(t, testFillAndReindex) }

func testFillAndReindex(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	bareItems(t, s, 5)
	e := &fakeEmbedder{}
	if n, err := Fill(ctx, s, e, "bow", 2); n != 2 || err != nil {
		t.Fatalf("Fill: %d, %v", n, err)
	}
	if n, err := Reindex(ctx, s, e, "bow"); n != 3 || err != nil {
		t.Fatalf("Reindex: %d, %v", n, err)
	}
	if n, err := Fill(ctx, s, e, "bow", 10); n != 0 || err != nil {
		t.Fatalf("Fill of a store with every vector: %d, %v", n, err)
	}
	if n, err := Reindex(ctx, s, e, "other"); n != 5 || err != nil {
		t.Fatalf("Reindex with another model: %d, %v", n, err)
	}
	if m, _ := s.Models(ctx); len(m) != 1 || m[0] != "other" || e.texts != 10 {
		t.Fatalf("models %v after %d texts", m, e.texts)
	}
}

// TestReindexReadOnly: a store that refuses the vectors is a WriteError.
func TestReindexReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	bareItems(t, w, 2)
	w.Close()
	s, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var we *WriteError
	if n, err := Reindex(ctx, s, &fakeEmbedder{}, "bow"); n != 0 || !errors.As(err, &we) {
		t.Fatalf("Reindex: %d, %v", n, err)
	}
}
