// Package vecindex provides the vector index of remember's store: vectors
// kept as int8 with one scale each, for exact re-ranking; their sign bits
// packed 64 dimensions a word (codes), which a Hamming scan ranks a
// million of in a few million popcounts; and the file beside the store
// that holds a model's codes, which a new process maps into memory and
// scans in one read. The store keeps what the index is built from; the
// file is a cache.
package vecindex

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// Quantize keeps a vector as int8 with one scale: v[i] ~ q[i]*scale.
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

// Normalize returns v scaled to length 1 (v itself when it is all zeros).
func Normalize(v []float32) []float32 {
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

// Dot is the dot product of a float query with an int8 vector (times the
// vector's scale, it is their similarity).
func Dot(q []float32, v []byte) float32 {
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

// Words is how many 64-bit words the code of a vector of dim dimensions
// takes.
func Words(dim int) int { return (dim + 63) / 64 }

// SignBits is the code of a vector: its signs, 64 dimensions a word.
func SignBits(v []float32) []uint64 {
	w := make([]uint64, Words(len(v)))
	for i, x := range v {
		if x > 0 {
			w[i/64] |= 1 << (i % 64)
		}
	}
	return w
}

// QuantizedSignBits is the code of an int8 vector (of Quantize).
func QuantizedSignBits(q []byte) []uint64 {
	w := make([]uint64, Words(len(q)))
	for i, b := range q {
		if int8(b) > 0 {
			w[i/64] |= 1 << (i % 64)
		}
	}
	return w
}

// Codes are the codes of many vectors, as the store's chunks and the file
// hold them: Rowids [n]u64 and Bits [n*Words]u64, little-endian. A rowid
// of 0 is an empty slot (a vector removed).
type Codes struct {
	Words  int
	Rowids []byte
	Bits   []byte
}

// Len is how many codes c holds.
func (c Codes) Len() int { return len(c.Rowids) / 8 }

// Append adds the code of the vector of rowid.
func (c *Codes) Append(rowid int64, code []uint64) {
	c.Rowids = binary.LittleEndian.AppendUint64(c.Rowids, uint64(rowid))
	for _, w := range code {
		c.Bits = binary.LittleEndian.AppendUint64(c.Bits, w)
	}
}

// Clear empties slot i (its rowid 0, its bits zero).
func (c Codes) Clear(i int) {
	binary.LittleEndian.PutUint64(c.Rowids[i*8:], 0)
	clear(c.Bits[i*c.Words*8 : (i+1)*c.Words*8])
}

// Live returns the codes of c without its empty slots. A chunk without
// any is c itself; else the runs between empty slots are copied whole.
func (c Codes) Live() Codes {
	n := c.Len()
	empty := 0
	for i := range n {
		if binary.LittleEndian.Uint64(c.Rowids[i*8:]) == 0 {
			empty++
		}
	}
	if empty == 0 {
		return c
	}
	w := c.Words * 8
	out := Codes{Words: c.Words, Rowids: make([]byte, 0, (n-empty)*8), Bits: make([]byte, 0, (n-empty)*w)}
	for i := 0; i < n; {
		if binary.LittleEndian.Uint64(c.Rowids[i*8:]) == 0 {
			i++
			continue
		}
		j := i + 1
		for j < n && binary.LittleEndian.Uint64(c.Rowids[j*8:]) != 0 {
			j++
		}
		out.Rowids = append(out.Rowids, c.Rowids[i*8:j*8]...)
		out.Bits = append(out.Bits, c.Bits[i*w:j*w]...)
		i = j
	}
	return out
}

type cand struct {
	rowid int64
	dist  int
}

// Nearest returns the rowids of the n codes nearest to q by Hamming
// distance, in no particular order. q has c.Words words.
func (c Codes) Nearest(q []uint64, n int) []int64 { return Nearest([]Codes{c}, q, n) }

// Nearest returns the rowids of the n codes of all the chunks nearest to
// q by Hamming distance, in no particular order; empty slots are left out,
// and chunks of codes longer than q or with fewer bits than rowids (a
// store's malformed row: another member can write one) are passed over.
// Each chunk is read where it is (a mapped file, say), never copied.
func Nearest(chunks []Codes, q []uint64, n int) []int64 {
	// A bounded max-heap on distance keeps the n best; a code no nearer
	// than the farthest of them is passed over (so the first of equals
	// stays).
	if n <= 0 {
		return []int64{}
	}
	heap := make([]cand, 0, min(n, 4096)+1)
	var dist []int
	for _, c := range chunks {
		size := c.Len()
		if size == 0 || c.Words > len(q) || len(c.Bits) < size*c.Words*8 {
			continue // none, or a malformed chunk
		}
		if cap(dist) < size {
			dist = make([]int, size)
		}
		dist = dist[:size]
		hamming(dist, c.Bits[:size*c.Words*8], q[:c.Words])
		rowids := c.Rowids[:size*8]
		for i, d := range dist {
			if len(heap) == n && d >= heap[0].dist {
				continue
			}
			rowid := int64(binary.LittleEndian.Uint64(rowids[i*8:]))
			if rowid == 0 {
				continue
			}
			if len(heap) == n {
				heap[0] = cand{rowid, d}
				siftDown(heap, 0)
				continue
			}
			heap = append(heap, cand{rowid, d})
			for k := len(heap) - 1; k > 0; {
				p := (k - 1) / 2
				if heap[p].dist >= heap[k].dist {
					break
				}
				heap[p], heap[k] = heap[k], heap[p]
				k = p
			}
		}
	}
	out := make([]int64, len(heap))
	for i, c := range heap {
		out[i] = c.rowid
	}
	return out
}

// hamming sets dist[i] to the Hamming distance of q to the i-th code of
// codes, each of len(q) words one after the other. Codes of 384
// dimensions (6 words, the size of the small embedding models people run)
// have a loop of their own, with no bounds checks in it.
func hamming(dist []int, codes []byte, q []uint64) {
	w := len(q)
	if w == 6 {
		q0, q1, q2, q3, q4, q5 := q[0], q[1], q[2], q[3], q[4], q[5]
		for i := range dist {
			r := codes[i*48 : i*48+48 : i*48+48]
			dist[i] = bits.OnesCount64(binary.LittleEndian.Uint64(r[0:])^q0) +
				bits.OnesCount64(binary.LittleEndian.Uint64(r[8:])^q1) +
				bits.OnesCount64(binary.LittleEndian.Uint64(r[16:])^q2) +
				bits.OnesCount64(binary.LittleEndian.Uint64(r[24:])^q3) +
				bits.OnesCount64(binary.LittleEndian.Uint64(r[32:])^q4) +
				bits.OnesCount64(binary.LittleEndian.Uint64(r[40:])^q5)
		}
		return
	}
	for i := range dist {
		r := codes[i*w*8 : (i+1)*w*8]
		d := 0
		for j, x := range q {
			d += bits.OnesCount64(binary.LittleEndian.Uint64(r[j*8:]) ^ x)
		}
		dist[i] = d
	}
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
