package memory

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// chunkSize is how many codes one row of the codes table holds.
const chunkSize = 8192

// Quantize stores a vector as int8 with one scale: v[i] ~ q[i]*scale.
func Quantize(v []float32) ([]byte, float32) {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	if m == 0 {
		return make([]byte, len(v)), 0
	}
	scale := m / 127
	q := make([]byte, len(v))
	for i, x := range v {
		q[i] = byte(int8(math.Round(float64(x) / scale)))
	}
	return q, float32(scale)
}

// Dequantize gives a vector back from Quantize.
func Dequantize(q []byte, scale float32) []float32 {
	v := make([]float32, len(q))
	for i, b := range q {
		v[i] = float32(int8(b)) * scale
	}
	return v
}

// SignBits packs the signs of a vector, 64 dimensions a word.
func SignBits(v []float32) []uint64 {
	w := make([]uint64, (len(v)+63)/64)
	for i, x := range v {
		if x > 0 {
			w[i/64] |= 1 << (i % 64)
		}
	}
	return w
}

// dotQ is the dot product of a float query with an int8 vector.
func dotQ(q []float32, v []byte) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(v) && i+4 <= len(q); i += 4 {
		s0 += q[i] * float32(int8(v[i]))
		s1 += q[i+1] * float32(int8(v[i+1]))
		s2 += q[i+2] * float32(int8(v[i+2]))
		s3 += q[i+3] * float32(int8(v[i+3]))
	}
	for ; i < len(v) && i < len(q); i++ {
		s0 += q[i] * float32(int8(v[i]))
	}
	return (s0 + s1) + (s2 + s3)
}

func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return v
	}
	n = math.Sqrt(n)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / n)
	}
	return out
}

// pending is a vector waiting to be written with others.
type pending struct {
	rowid int64
	q     []byte
	scale float32
}

// quantized normalizes and quantizes a vector for storage.
func quantized(rowid int64, v []float32) pending {
	q, scale := Quantize(normalize(v))
	return pending{rowid, q, scale}
}

// putVectors stores vectors (of one model) and appends their sign codes
// to the model's chunks, each chunk read and written once.
func putVectors(ctx context.Context, tx *sql.Tx, model string, vs []pending) error {
	if len(vs) == 0 {
		return nil
	}
	words := (len(vs[0].q) + 63) / 64
	var chunk, n int64
	var rowids, bitsBlob []byte
	err := tx.QueryRowContext(ctx, "SELECT chunk, n, rowids, bits FROM codes WHERE model = ? AND words = ? ORDER BY chunk DESC LIMIT 1", model, words).Scan(&chunk, &n, &rowids, &bitsBlob)
	if errors.Is(err, sql.ErrNoRows) {
		n = chunkSize // start a new chunk below
	} else if err != nil {
		return err
	}
	flush := func() error {
		_, err := tx.ExecContext(ctx, "UPDATE codes SET n = ?, rowids = ?, bits = ? WHERE chunk = ?", n, rowids, bitsBlob, chunk)
		return err
	}
	ins, err := tx.PrepareContext(ctx, "INSERT OR REPLACE INTO vectors(rowid, model, dim, scale, q, chunk, slot) VALUES(?, ?, ?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer ins.Close()
	dirty := false
	for _, v := range vs {
		if (len(v.q)+63)/64 != words {
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
			n, rowids, bitsBlob = 0, nil, nil
		}
		code := make([]uint64, words)
		for i, b := range v.q {
			if int8(b) > 0 {
				code[i/64] |= 1 << (i % 64)
			}
		}
		rowids = binary.LittleEndian.AppendUint64(rowids, uint64(v.rowid))
		for _, w := range code {
			bitsBlob = binary.LittleEndian.AppendUint64(bitsBlob, w)
		}
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
	var words int64
	var rowids, bitsBlob []byte
	if err := tx.QueryRowContext(ctx, "SELECT words, rowids, bits FROM codes WHERE chunk = ?", chunk).Scan(&words, &rowids, &bitsBlob); err != nil {
		return err
	}
	binary.LittleEndian.PutUint64(rowids[slot*8:], 0)
	clear(bitsBlob[slot*words*8 : (slot+1)*words*8])
	if _, err := tx.ExecContext(ctx, "UPDATE codes SET rowids = ?, bits = ? WHERE chunk = ?", rowids, bitsBlob, chunk); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM vectors WHERE rowid = ?", rowid)
	return err
}

type cand struct {
	rowid int64
	dist  int
}

// hammingTop scans every code of the model and returns the rowids of the
// n codes nearest to the query's signs.
func (s *Store) hammingTop(ctx context.Context, model string, q []float32, n int) ([]int64, error) {
	qc := SignBits(q)
	w := len(qc)
	rowids, codes, release, err := s.codes(ctx, model, w)
	if err != nil {
		return nil, err
	}
	defer release()
	// A bounded max-heap on distance keeps the n best.
	heap := make([]cand, 0, n+1)
	count := len(rowids) / 8
	for i := range count {
		d := 0
		for j := range w {
			d += bits.OnesCount64(binary.LittleEndian.Uint64(codes[(i*w+j)*8:]) ^ qc[j])
		}
		if len(heap) == n {
			if d >= heap[0].dist {
				continue
			}
			heap[0] = cand{int64(binary.LittleEndian.Uint64(rowids[i*8:])), d}
			siftDown(heap, 0)
			continue
		}
		heap = append(heap, cand{int64(binary.LittleEndian.Uint64(rowids[i*8:])), d})
		for k := len(heap) - 1; k > 0; {
			p := (k - 1) / 2
			if heap[p].dist >= heap[k].dist {
				break
			}
			heap[p], heap[k] = heap[k], heap[p]
			k = p
		}
	}
	out := make([]int64, len(heap))
	for i, c := range heap {
		out[i] = c.rowid
	}
	return out, nil
}

func siftDown(h []cand, i int) {
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].dist > h[m].dist {
			m = l
		}
		if r < len(h) && h[r].dist > h[m].dist {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
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
