package memory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/shelfai/shelf/lib/memory/vecindex"
)

// chunkSize is how many codes one row of the codes table holds.
const chunkSize = 8192

// pending is a vector waiting to be written with others.
type pending struct {
	rowid int64
	q     []byte
	scale float32
}

// quantized normalizes and quantizes a vector for storage.
func quantized(rowid int64, v []float32) pending {
	q, scale := vecindex.Quantize(vecindex.Normalize(v))
	return pending{rowid, q, scale}
}

// putVectors stores vectors (of one model) and appends their sign codes
// to the model's chunks, each chunk read and written once.
func putVectors(ctx context.Context, tx *sql.Tx, model string, vs []pending) error {
	if len(vs) == 0 {
		return nil
	}
	words := vecindex.Words(len(vs[0].q))
	var chunk, n int64
	codes := vecindex.Codes{Words: words}
	err := tx.QueryRowContext(ctx, "SELECT chunk, n, rowids, bits FROM codes WHERE model = ? AND words = ? ORDER BY chunk DESC LIMIT 1", model, words).Scan(&chunk, &n, &codes.Rowids, &codes.Bits)
	if errors.Is(err, sql.ErrNoRows) {
		n = chunkSize // start a new chunk below
	} else if err != nil {
		return err
	}
	flush := func() error {
		_, err := tx.ExecContext(ctx, "UPDATE codes SET n = ?, rowids = ?, bits = ? WHERE chunk = ?", n, codes.Rowids, codes.Bits, chunk)
		return err
	}
	ins, err := tx.PrepareContext(ctx, "INSERT OR REPLACE INTO vectors(rowid, model, dim, scale, q, chunk, slot) VALUES(?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer ins.Close()
	dirty := false
	for _, v := range vs {
		if vecindex.Words(len(v.q)) != words {
			return fmt.Errorf("vectors of %s differ in size: %d and %d", model, len(vs[0].q), len(v.q))
		}
		if n >= chunkSize {
			if dirty {
				if err := flush(); err != nil {
					return err
				}
			}
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(chunk), 0) + 1 FROM codes").Scan(&chunk); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO codes(chunk, model, words, n, rowids, bits) VALUES(?, ?, ?, 0, x'', x'')", chunk, model, words); err != nil {
				return err
			}
			n, codes = 0, vecindex.Codes{Words: words}
		}
		codes.Append(v.rowid, vecindex.QuantizedSignBits(v.q))
		if _, err := ins.ExecContext(ctx, v.rowid, model, len(v.q), v.scale, v.q, chunk, n); err != nil {
			return err
		}
		n++
		dirty = true
	}
	return flush()
}

// dropVector removes a memory's vector and blanks its code.
func dropVector(ctx context.Context, tx *sql.Tx, rowid int64) error {
	var chunk, slot int64
	err := tx.QueryRowContext(ctx, "SELECT chunk, slot FROM vectors WHERE rowid = ?", rowid).Scan(&chunk, &slot)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var words int
	var codes vecindex.Codes
	if err := tx.QueryRowContext(ctx, "SELECT words, rowids, bits FROM codes WHERE chunk = ?", chunk).Scan(&words, &codes.Rowids, &codes.Bits); err != nil {
		return err
	}
	codes.Words = words
	codes.Clear(int(slot))
	if _, err := tx.ExecContext(ctx, "UPDATE codes SET rowids = ?, bits = ? WHERE chunk = ?", codes.Rowids, codes.Bits, chunk); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM vectors WHERE rowid = ?", rowid)
	return err
}

// hammingTop scans every code of the model and returns the rowids of the
// n codes nearest to the query's signs.
func (s *Store) hammingTop(ctx context.Context, model string, q []float32, n int) ([]int64, error) {
	qc := vecindex.SignBits(q)
	codes, release, err := s.codes(ctx, model, len(qc))
	if err != nil {
		return nil, err
	}
	defer release()
	return codes.Nearest(qc, n), nil
}

// Models lists the embedding models of the store's vectors (which are the
// current memories'), the one with the most vectors first, ties by name.
// A store embedded by one model, as it is but while a reindex to another
// runs, costs two index lookups.
func (s *Store) Models(ctx context.Context) ([]string, error) {
	var first, last string
	err := s.db.QueryRowContext(ctx, "SELECT model FROM vectors ORDER BY model LIMIT 1").Scan(&first)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, "SELECT model FROM vectors ORDER BY model DESC LIMIT 1").Scan(&last); err != nil {
		return nil, err
	}
	if first == last {
		return []string{first}, nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT model FROM vectors GROUP BY model ORDER BY COUNT(*) DESC, model")
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

// ChooseModel picks a run's embedding model from the one set ("" for
// none) and the models of the store's vectors (Models: most vectors
// first). Without one set, the store's; the one set, if the store has no
// vectors or some of that model. Else the run embeds nothing (mismatch):
// vectors of two models are not comparable, and a store of both would
// find by meaning only the memories of the query's model.
func ChooseModel(set string, stored []string) (use string, mismatch bool) {
	switch {
	case set == "" && len(stored) > 0:
		return stored[0], false
	case set == "" || len(stored) == 0 || slices.Contains(stored, set):
		return set, false
	}
	return "", true
}

// scanStrings reads rows of one text column, and closes them.
func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
