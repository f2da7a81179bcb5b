package memory

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/testserver"
)

// The recall fixture: 200 memories of a freelancer's life and 50
// questions about them, each with the memories that answer it.
type fixtureQuery struct {
	Query    string   `json:"query"`
	Relevant []string `json:"relevant"`
}

func readLines[T any](t testing.TB, name string) []T {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "recall", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

type embedFunc func(texts []string) ([][]float32, error)

// embedder is the test server's embedding (bag of hashed words, 384
// dimensions), or a real endpoint's when SHELF_BENCH_BASE_URL and
// SHELF_BENCH_EMBED_MODEL are set.
func embedder(t testing.TB) (string, embedFunc) {
	if url, model := os.Getenv("SHELF_BENCH_BASE_URL"), os.Getenv("SHELF_BENCH_EMBED_MODEL"); url != "" && model != "" {
		c := llm.New(llm.Config{BaseURL: url, Timeout: time.Minute, Retries: 2})
		return model, func(texts []string) ([][]float32, error) { return c.Embed(context.Background(), model, texts) }
	}
	return "test-bow-384", func(texts []string) ([][]float32, error) {
		out := make([][]float32, len(texts))
		for i, s := range texts {
			out[i] = testserver.Embed(s, 384)
		}
		return out, nil
	}
}

type quality struct{ recall5, mrr float64 }

func measureQuality(t testing.TB, open opener) map[string]quality {
	ctx := context.Background()
	s := open(t)
	model, embed := embedder(t)
	var items []Item
	var texts []string
	for _, raw := range readLines[json.RawMessage](t, "memories.jsonl") {
		it, ok := ItemOf(raw)
		if !ok {
			t.Fatalf("fixture memory without text: %s", raw)
		}
		items = append(items, it)
		texts = append(texts, it.EmbedText())
	}
	vecs, err := embed(texts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		items[i].Vector, items[i].Model = vecs[i], model
	}
	if _, err := s.Put(ctx, items); err != nil {
		t.Fatal(err)
	}
	queries := readLines[fixtureQuery](t, "queries.jsonl")
	out := map[string]quality{}
	for _, mode := range []string{"keyword", "vector", "hybrid"} {
		var q quality
		for _, fq := range queries {
			qv, err := embed([]string{fq.Query})
			if err != nil {
				t.Fatal(err)
			}
			hits, err := s.Search(ctx, Query{Text: fq.Query, Vector: qv[0], Model: model, K: 5, Mode: mode})
			if err != nil {
				t.Fatal(err)
			}
			found := 0
			first := 0
			for rank, h := range hits {
				if slices.Contains(fq.Relevant, h.ID) {
					found++
					if first == 0 {
						first = rank + 1
					}
				}
			}
			q.recall5 += float64(found) / float64(min(len(fq.Relevant), 5))
			if first > 0 {
				q.mrr += 1 / float64(first)
			}
		}
		q.recall5 /= float64(len(queries))
		q.mrr /= float64(len(queries))
		out[mode] = q
	}
	return out
}

// BenchmarkRecallQuality (make bench) reports recall@5 and MRR on the
// fixture for keyword, vector and hybrid recall.
// With PostgreSQL, the shared store's figures too (pg-...).
func BenchmarkRecallQuality(b *testing.B) {
	q := measureQuality(b, func(t testing.TB) Backend { return openSQLite(t) })
	for _, mode := range []string{"keyword", "vector", "hybrid"} {
		b.ReportMetric(q[mode].recall5, mode+"-recall@5")
		b.ReportMetric(q[mode].mrr, mode+"-MRR")
	}
	if cluster == nil {
		return
	}
	q = measureQuality(b, func(t testing.TB) Backend { return openShared(t, "alice") })
	for _, mode := range []string{"keyword", "vector", "hybrid"} {
		b.ReportMetric(q[mode].recall5, "pg-"+mode+"-recall@5")
		b.ReportMetric(q[mode].mrr, "pg-"+mode+"-MRR")
	}
}

// TestHybridBeatsBoth holds the fusion to its purpose on the fixture (with
// the test server's embeddings): better recall@5 and MRR than keyword or
// vector search alone.
func TestHybridBeatsBoth(t *testing.T) { each(t, testHybridBeatsBoth) }

func testHybridBeatsBoth(t *testing.T, open opener) {
	if os.Getenv("SHELF_BENCH_BASE_URL") != "" {
		t.Skip("the claim is checked with the test server's embeddings")
	}
	q := measureQuality(t, open)
	for _, other := range []string{"keyword", "vector"} {
		if q["hybrid"].recall5 <= q[other].recall5 || q["hybrid"].mrr <= q[other].mrr {
			t.Errorf("hybrid %+v does not beat %s %+v", q["hybrid"], other, q[other])
		}
	}
}
