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

// eachModel calls put with the vectors of each model (vs[i] is of
// models[i]), the models in the order they first come.
func eachModel(models []string, vs []pending, put func(model string, vs []pending) error) error {
	byModel := map[string][]pending{}
	var order []string
	for i, p := range vs {
		if _, ok := byModel[models[i]]; !ok {
			order = append(order, models[i])
		}
		byModel[models[i]] = append(byModel[models[i]], p)
	}
	for _, model := range order {
		if err := put(model, byModel[model]); err != nil {
			return err
		}
	}
	return nil
}

// signChunk is a row of a store's codes: the sign codes of up to a
// chunk's size of vectors, n of them so far.
type signChunk struct {
	id    int64
	n     int64
	codes vecindex.Codes
}

// appendSigns appends the sign codes of vectors (of one model, vs[0]'s
// size) to a store's chunks of codes: to last (nil: none yet), then to
// new ones, made by add, as each holds size codes. write stores a chunk
// once it is filled in, each once. It returns the chunk and the slot of
// each vector.
func appendSigns(model string, vs []pending, size int64, last *signChunk, add func() (int64, error), write func(c *signChunk) error) (chunks, slots []int64, err error) {
	words := vecindex.Words(len(vs[0].q))
	c := last
	if c == nil {
		c = &signChunk{n: size} // full: a new chunk first
	}
	dirty := false
	for _, v := range vs {
		if vecindex.Words(len(v.q)) != words {
			return nil, nil, fmt.Errorf("vectors of %s differ in size: %d and %d", model, len(vs[0].q), len(v.q))
		}
		if c.n >= size {
			if dirty {
				if err := write(c); err != nil {
					return nil, nil, err
				}
			}
			id, err := add()
			if err != nil {
				return nil, nil, err
			}
			c = &signChunk{id: id, codes: vecindex.Codes{Words: words}}
		}
		c.codes.Append(v.rowid, vecindex.QuantizedSignBits(v.q))
		chunks, slots = append(chunks, c.id), append(slots, c.n)
		c.n++
		dirty = true
	}
	return chunks, slots, write(c)
}

// putVectors stores vectors (of one model) and appends their sign codes
// to the model's chunks, each chunk read and written once.
func putVectors(ctx context.Context, tx *sql.Tx, model string, vs []pending) error {
	if len(vs) == 0 {
		return nil
	}
	words := vecindex.Words(len(vs[0].q))
	last := &signChunk{codes: vecindex.Codes{Words: words}}
	err := tx.QueryRowContext(ctx, "SELECT chunk, n, rowids, bits FROM codes WHERE model = ? AND words = ? ORDER BY chunk DESC LIMIT 1", model, words).Scan(&last.id, &last.n, &last.codes.Rowids, &last.codes.Bits)
	if errors.Is(err, sql.ErrNoRows) {
		last = nil
	} else if err != nil {
		return err
	}
	chunks, slots, err := appendSigns(model, vs, chunkSize, last, func() (int64, error) {
		var chunk int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(chunk), 0) + 1 FROM codes").Scan(&chunk); err != nil {
			return 0, err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO codes(chunk, model, words, n, rowids, bits) VALUES(?, ?, ?, 0, x'', x'')", chunk, model, words)
		return chunk, err
	}, func(c *signChunk) error {
		_, err := tx.ExecContext(ctx, "UPDATE codes SET n = ?, rowids = ?, bits = ? WHERE chunk = ?", c.n, c.codes.Rowids, c.codes.Bits, c.id)
		return err
	})
	if err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, "INSERT OR REPLACE INTO vectors(rowid, model, dim, scale, q, chunk, slot) VALUES(?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer ins.Close()
	for i, v := range vs {
		if _, err := ins.ExecContext(ctx, v.rowid, model, len(v.q), v.scale, v.q, chunks[i], slots[i]); err != nil {
			return err
		}
	}
	return nil
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
	return scanColumn[string](rows)
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
