package memory

import (
	"context"
	"fmt"
)

// Embedder makes the embeddings of texts with a model (llm.Client is one).
type Embedder interface {
	Embed(ctx context.Context, model string, texts []string) ([][]float32, error)
}

// WriteError is a failure to write the store: its folder or file
// read-only, the disk full.
type WriteError struct{ Err error }

func (e *WriteError) Error() string { return e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// embedBatch is how many texts one embedding request of Reindex and Fill
// carries.
const embedBatch = 64

// Reindex embeds with model every current memory that has no vector of
// it (none yet, or another model's), a batch at a time, and returns how
// many it embedded. A failure to store the vectors is a *WriteError; the
// embedder's errors are returned as they are.
func Reindex(ctx context.Context, s Backend, e Embedder, model string) (int, error) {
	return embedAll(ctx, s, e, model, -1, func(limit int) ([]int64, []string, error) {
		return s.Missing(ctx, model, limit)
	})
}

// ReindexAll embeds every current memory with model again, whatever
// vector it has: for a model that changed under the same name (its
// vectors of another size now). Errors are as Reindex's.
func ReindexAll(ctx context.Context, s Backend, e Embedder, model string) (int, error) {
	var last int64
	return embedAll(ctx, s, e, model, -1, func(limit int) ([]int64, []string, error) {
		ids, texts, err := s.Current(ctx, last, limit)
		if len(ids) > 0 {
			last = ids[len(ids)-1]
		}
		return ids, texts, err
	})
}

// Fill embeds with model up to limit memories that have no vector at all
// (stored while the embedding endpoint failed), oldest first, so that the
// store heals without a reindex. It returns how many it embedded, with
// errors as Reindex's.
func Fill(ctx context.Context, s Backend, e Embedder, model string, limit int) (int, error) {
	return embedAll(ctx, s, e, model, limit, func(limit int) ([]int64, []string, error) {
		return s.Unembedded(ctx, limit)
	})
}

// embedAll embeds what list lists until it lists nothing, or limit (if
// not negative) memories are done.
func embedAll(ctx context.Context, s Backend, e Embedder, model string, limit int, list func(int) ([]int64, []string, error)) (int, error) {
	total := 0
	for limit < 0 || total < limit {
		n := embedBatch
		if limit >= 0 {
			n = min(n, limit-total)
		}
		ids, texts, err := list(n)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		vecs, err := e.Embed(ctx, model, texts)
		if err != nil {
			return total, err
		}
		if len(vecs) != len(ids) {
			return total, fmt.Errorf("asked for %d embeddings, got %d", len(ids), len(vecs))
		}
		if err := s.SetVectors(ctx, model, ids, vecs); err != nil {
			return total, &WriteError{Err: err}
		}
		total += len(ids)
	}
	return total, nil
}
