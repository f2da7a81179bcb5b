package memory

import (
	"context"
	"slices"
	"testing"

	"github.com/shelfai/shelf/lib/testserver"
)

// TestModels: the store knows the models of its vectors, the one with the
// most first; superseded and forgotten memories' vectors do not count.
func TestModels(t *testing.T) { each(t, testModels) }

func testModels(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	models := func() []string {
		t.Helper()
		m, err := s.Models(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if got := models(); len(got) != 0 {
		t.Fatalf("an empty store: %v", got)
	}
	bare, _ := ItemOf([]byte(`{"id":"z","text":"no vector"}`))
	s.Put(ctx, []Item{bare})
	if got := models(); len(got) != 0 {
		t.Fatalf("a store without vectors: %v", got)
	}
	s.Put(ctx, []Item{item(t, `{"id":"a","text":"one"}`), item(t, `{"id":"b","text":"two"}`), item(t, `{"id":"c","text":"three"}`)})
	if got := models(); !slices.Equal(got, []string{"bow"}) {
		t.Fatalf("one model: %v", got)
	}
	// A reindex under way, to "zzz": first the fewer, then the most.
	ids, _, _ := s.Missing(ctx, "zzz", 1)
	if err := s.SetVectors(ctx, "zzz", ids, [][]float32{testserver.Embed("x", 8)}); err != nil {
		t.Fatal(err)
	}
	if got := models(); !slices.Equal(got, []string{"bow", "zzz"}) {
		t.Fatalf("3 to 1: %v", got)
	}
	ids, _, _ = s.Missing(ctx, "zzz", 10)
	if err := s.SetVectors(ctx, "zzz", ids[:2], [][]float32{testserver.Embed("y", 8), testserver.Embed("z", 8)}); err != nil {
		t.Fatal(err)
	}
	if got := models(); !slices.Equal(got, []string{"zzz", "bow"}) {
		t.Fatalf("1 to 3: %v", got)
	}
	s.Forget(ctx, []string{"a", "b", "c", "z"})
	if got := models(); len(got) != 0 {
		t.Fatalf("all forgotten: %v", got)
	}
}

// TestChooseModel: the model set wins when the store's vectors are of it
// or there are none; without one set, the store's (of most vectors); a
// model set that the store's vectors are not of embeds nothing.
func TestChooseModel(t *testing.T) {
	for _, c := range []struct {
		set      string
		stored   []string
		use      string
		mismatch bool
	}{
		{"", nil, "", false},
		{"", []string{"tiny"}, "tiny", false},
		{"", []string{"big", "tiny"}, "big", false},
		{"tiny", nil, "tiny", false},
		{"tiny", []string{"tiny"}, "tiny", false},
		{"tiny", []string{"big", "tiny"}, "tiny", false},
		{"big", []string{"tiny"}, "", true},
		{"other", []string{"big", "tiny"}, "", true},
	} {
		use, mismatch := ChooseModel(c.set, c.stored)
		if use != c.use || mismatch != c.mismatch {
			t.Errorf("ChooseModel(%q, %v) = %q, %v; want %q, %v", c.set, c.stored, use, mismatch, c.use, c.mismatch)
		}
	}
}
