package memory

import (
	"context"
	"database/sql"
	"errors"

	"github.com/shelfai/shelf/lib/memory/vecindex"
)

// The sign codes of a model are also kept in a file beside the database
// (vecindex.FilePath), rebuilt from the codes table whenever the store has
// changed since: a generation number in meta counts the writes.

// bump records that the store changed (in the writing transaction).
const bumpSQL = `INSERT INTO meta(key, value) VALUES('generation', '1')
	ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`

func (s *Store) generation(ctx context.Context) (uint64, error) {
	var g uint64
	err := s.db.QueryRowContext(ctx, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'").Scan(&g)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return g, nil
}

// codes returns the model's live codes from the file beside the store,
// rebuilding it if it is missing or older than the store. When the file
// cannot be written (a store the user may only read), the codes just read
// from the store serve instead. release unmaps.
func (s *Store) codes(ctx context.Context, model string, words int) (codes vecindex.Codes, release func(), err error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return codes, nil, err
	}
	path := vecindex.FilePath(s.Path, model)
	if codes, release, ok := vecindex.MapFile(path, gen, words); ok {
		return codes, release, nil
	}
	codes, err = s.storedCodes(ctx, model, words)
	if err != nil {
		return codes, nil, err
	}
	vecindex.WriteFile(path, gen, codes) // a cache: the codes in hand serve without it
	return codes, func() {}, nil
}

// storedCodes reads the model's live codes from the store's chunks.
func (s *Store) storedCodes(ctx context.Context, model string, words int) (vecindex.Codes, error) {
	all := vecindex.Codes{Words: words}
	rows, err := s.db.QueryContext(ctx, "SELECT n, rowids, bits FROM codes WHERE model = ? AND words = ? ORDER BY chunk", model, words)
	if err != nil {
		return all, err
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		chunk := vecindex.Codes{Words: words}
		if err := rows.Scan(&n, &chunk.Rowids, &chunk.Bits); err != nil {
			return all, err
		}
		chunk.Rowids, chunk.Bits = chunk.Rowids[:n*8], chunk.Bits[:n*words*8]
		live := chunk.Live() // without the forgotten and superseded
		all.Rowids = append(all.Rowids, live.Rowids...)
		all.Bits = append(all.Bits, live.Bits...)
	}
	return all, rows.Err()
}

// dropSidecars removes the code files (after forgetting, at once rather
// than at the next search).
func (s *Store) dropSidecars() { vecindex.RemoveFiles(s.Path) }
