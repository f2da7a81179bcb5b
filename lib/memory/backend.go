package memory

import (
	"context"
	"io"
	"strings"
)

// Backend is a store of memories: a Store (SQLite, one person's file) or
// a Shared store (PostgreSQL, a collective's, each member owning what
// they stored). Every command works on either, with the same records out.
type Backend interface {
	// Put stores the items in one transaction, and says what it did with
	// each.
	Put(ctx context.Context, items []Item) ([]Outcome, error)
	// Search recalls the memories nearest to a query.
	Search(ctx context.Context, q Query) ([]Hit, error)
	// Matching returns every current memory that has all the words of
	// q.Text and passes q's filters: what forgetting by a query forgets.
	Matching(ctx context.Context, q Query) ([]Hit, error)
	// Forget removes every version of the memories with these ids.
	Forget(ctx context.Context, ids []string) ([]string, error)
	// Export writes every version of every memory as JSON Lines.
	Export(ctx context.Context, w io.Writer) (int, error)
	// Import reads an export into the store.
	Import(ctx context.Context, r io.Reader) (int, error)
	// Stats counts what the store holds.
	Stats(ctx context.Context) (Stats, error)
	// Models lists the embedding models of the store's vectors, the one
	// with the most vectors first.
	Models(ctx context.Context) ([]string, error)
	// Missing, Current and Unembedded list memories to embed (their
	// row ids and texts); SetVectors stores their vectors.
	Missing(ctx context.Context, model string, limit int) ([]int64, []string, error)
	Current(ctx context.Context, after int64, limit int) ([]int64, []string, error)
	Unembedded(ctx context.Context, limit int) ([]int64, []string, error)
	SetVectors(ctx context.Context, model string, rowids []int64, vecs [][]float32) error
	Close() error
}

var _ Backend = (*Store)(nil)

// IsURL reports whether a store's location is a PostgreSQL URL
// (postgres:// or postgresql://) rather than a file.
func IsURL(db string) bool {
	l := strings.ToLower(strings.TrimSpace(db))
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}
