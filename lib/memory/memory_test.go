package memory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/testserver"
)

func open(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func item(t testing.TB, rec string) Item {
	it, ok := ItemOf([]byte(rec))
	if !ok {
		t.Fatalf("nothing to remember in %s", rec)
	}
	it.Vector, it.Model = testserver.Embed(it.EmbedText(), 64), "bow"
	return it
}

func TestPutVersions(t *testing.T) { each(t, testPutVersions) }

func testPutVersions(t *testing.T, open opener) {
	s := open(t)
	ctx := context.Background()
	res, err := s.Put(ctx, []Item{
		item(t, `{"id":"a","text":"first"}`),
		item(t, `{"id":"a","text":"second"}`), // superseded in the same batch
		item(t, `{"id":"b","text":"other"}`),
		item(t, `{"id":"b","text":"other"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res, []Outcome{{Result: Stored}, {Result: Superseded}, {Result: Stored}, {Result: Unchanged}}) {
		t.Fatalf("results %v", res)
	}
	st, _ := s.Stats(ctx)
	if st.Memories != 2 || st.Versions != 3 || st.Vectors["bow"] != 2 {
		t.Fatalf("stats %+v", st)
	}
	hits, err := s.Search(ctx, Query{Text: "first", Vector: testserver.Embed("first", 64), Model: "bow", K: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Snippet == "first" {
			t.Error("a superseded version was recalled")
		}
	}
}

// TestCodesFindNeighbours checks the two-stage vector search (sign codes,
// then int8 re-ranking) against exact search over a store big enough to
// use it.
func TestCodesFindNeighbours(t *testing.T) { each(t, testCodesFindNeighbours) }

func testCodesFindNeighbours(t *testing.T, open opener) {
	if testing.Short() {
		t.Skip("builds a store of 25,000 vectors")
	}
	s := open(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	const n, dim = exactLimit + 5000, 96
	vecs := make([][]float32, n)
	var batch []Item
	for i := range n {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		vecs[i] = v
		batch = append(batch, Item{ID: fmt.Sprint(i), Record: []byte(fmt.Sprintf(`{"id":"%d"}`, i)), Body: "x", Vector: v, Model: "r"})
		if len(batch) == 5000 {
			if _, err := s.Put(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	found := 0
	for trial := range 20 {
		target := vecs[trial*997]
		q := make([]float32, dim)
		for j := range q {
			q[j] = target[j] + float32(rng.NormFloat64())*0.3
		}
		hits, err := s.Search(ctx, Query{Vector: q, Model: "r", K: 1, Mode: "vector"})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 1 && hits[0].ID == fmt.Sprint(trial*997) {
			found++
		}
	}
	if found < 19 {
		t.Fatalf("the nearest vector found %d of 20 times", found)
	}
	// A new memory is found at once: the codes file follows the store.
	q := make([]float32, dim)
	for j := range q {
		q[j] = float32(rng.NormFloat64())
	}
	if _, err := s.Put(ctx, []Item{{ID: "new", Record: []byte(`{"id":"new"}`), Body: "x", Vector: q, Model: "r"}}); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, Query{Vector: q, Model: "r", K: 1, Mode: "vector"})
	if err != nil || len(hits) != 1 || hits[0].ID != "new" {
		t.Fatalf("a new memory is not found: %+v %v", hits, err)
	}
	// A forgotten one is gone from it.
	if _, err := s.Forget(ctx, []string{"new"}); err != nil {
		t.Fatal(err)
	}
	hits, _ = s.Search(ctx, Query{Vector: q, Model: "r", K: 1, Mode: "vector"})
	if len(hits) == 1 && hits[0].ID == "new" {
		t.Fatal("a forgotten memory is still found")
	}
	// A query of the wrong size is an error, not an empty answer.
	_, err = s.Search(ctx, Query{Vector: q[:10], Model: "r", K: 1, Mode: "vector"})
	var de *DimensionError
	if !errors.As(err, &de) || de.Query != 10 || de.Store != 96 || de.Model != "r" {
		t.Errorf("a 10-dimensional query against 96-dimensional vectors: %v", err)
	}
}

func TestExportImport(t *testing.T) { each(t, testExportImport) }

func testExportImport(t *testing.T, open opener) {
	ctx := context.Background()
	a := open(t)
	a.Put(ctx, []Item{item(t, `{"id":"a","text":"x <y>"}`), item(t, `{"id":"b","title":"T","text":"z"}`)})
	a.Put(ctx, []Item{item(t, `{"id":"a","text":"x2"}`)})
	var one, two bytes.Buffer
	if _, err := a.Export(ctx, &one); err != nil {
		t.Fatal(err)
	}
	b := open(t)
	if _, err := b.Import(ctx, bytes.NewReader(one.Bytes())); err != nil {
		t.Fatal(err)
	}
	b.Export(ctx, &two)
	if one.String() != two.String() {
		t.Fatalf("export differs after import:\n%s\n%s", one.String(), two.String())
	}
}

func TestMatching(t *testing.T) { each(t, testMatching) }

func testMatching(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	s.Put(ctx, []Item{
		item(t, `{"id":"1","title":"Invoice","text":"invoice from ACME"}`),
		item(t, `{"id":"2","kind":"task","text":"pay the ACME invoice"}`),
		item(t, `{"id":"3","text":"an invoice from the print shop"}`),
		item(t, `{"id":"4","text":"ACME invoices"}`),
	})
	ids := func(q Query) []string {
		t.Helper()
		hits, err := s.Matching(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.ID)
		}
		return out
	}
	if got := ids(Query{Text: "the invoice, ACME", K: 1}); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("every word: %v", got)
	}
	if got := ids(Query{Text: "invoice acme", Kind: "task"}); !slices.Equal(got, []string{"2"}) {
		t.Errorf("with a filter: %v", got)
	}
	for _, q := range []string{"", "   ", "?!"} {
		if _, err := s.Matching(ctx, Query{Text: q}); !errors.Is(err, ErrNoWords) {
			t.Errorf("%q: %v, want ErrNoWords", q, err)
		}
	}
}

func TestUnembedded(t *testing.T) { each(t, testUnembedded) }

func testUnembedded(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	bare := func(rec string) Item {
		it, _ := ItemOf([]byte(rec))
		return it
	}
	s.Put(ctx, []Item{bare(`{"id":"a","text":"one"}`), item(t, `{"id":"b","text":"two"}`), bare(`{"id":"c","text":"three"}`)})
	ids, texts, err := s.Unembedded(ctx, 1)
	if err != nil || len(ids) != 1 || texts[0] != "one" {
		t.Fatalf("first: %v %v %v", ids, texts, err)
	}
	ids, texts, err = s.Unembedded(ctx, 10)
	if err != nil || len(ids) != 2 || texts[1] != "three" {
		t.Fatalf("all: %v %v %v", ids, texts, err)
	}
	if err := s.SetVectors(ctx, "bow", ids, [][]float32{testserver.Embed("one", 64), testserver.Embed("three", 64)}); err != nil {
		t.Fatal(err)
	}
	if ids, _, err := s.Unembedded(ctx, 10); err != nil || len(ids) != 0 {
		t.Fatalf("after: %v %v", ids, err)
	}
	// Once none are missing, the SQLite store says so without looking; a
	// memory stored without a vector makes it look again.
	if s, ok := s.(*Store); ok {
		if g, _ := s.meta(ctx, "unembedded"); g != "0" {
			t.Fatalf("flag %q after a look that found none", g)
		}
	}
	s.Put(ctx, []Item{bare(`{"id":"d","text":"four"}`)})
	if ids, _, err := s.Unembedded(ctx, 10); err != nil || len(ids) != 1 {
		t.Fatalf("a new one: %v %v", ids, err)
	}
}

func TestStoredAt(t *testing.T) { each(t, testStoredAt) }

func testStoredAt(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	setNow(s, func() time.Time { return time.Unix(1795683600, 0) })
	s.Put(ctx, []Item{item(t, `{"id":"a","text":"one"}`)})
	var out bytes.Buffer
	s.Export(ctx, &out)
	if !strings.Contains(out.String(), `"stored_at":1795683600,`) {
		t.Fatalf("export: %s", out.String())
	}
}

func TestSearchEmbedFails(t *testing.T) { each(t, testSearchEmbedFails) }

func testSearchEmbedFails(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	s.Put(ctx, []Item{item(t, `{"id":"a","text":"tulips"}`), item(t, `{"id":"b","text":"roof"}`)})
	broken := errors.New("embeddings: 503")
	q := Query{Text: "tulips", Model: "bow", Embed: func(context.Context) ([]float32, error) { return nil, broken }}
	if _, err := s.Search(ctx, q); !errors.Is(err, broken) {
		t.Fatalf("without a fallback: %v", err)
	}
	var heard error
	q.OnEmbedError = func(err error) { heard = err }
	hits, err := s.Search(ctx, q)
	if err != nil || len(hits) != 1 || hits[0].ID != "a" || !errors.Is(heard, broken) {
		t.Fatalf("with a fallback: %+v %v, heard %v", hits, err, heard)
	}
}
