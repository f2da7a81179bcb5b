package vecindex

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestQuantize(t *testing.T) {
	v := []float32{0.5, -0.25, 0, 1, -1}
	q, scale := Quantize(v)
	back := Dequantize(q, scale)
	for i := range v {
		if d := back[i] - v[i]; d > 0.005 || d < -0.005 {
			t.Errorf("%d: %v -> %v", i, v[i], back[i])
		}
	}
	if bits := SignBits(v); bits[0] != 0b01001 {
		t.Errorf("sign bits %b", bits[0])
	}
	if bits := QuantizedSignBits(q); bits[0] != 0b01001 {
		t.Errorf("sign bits of the int8 vector %b", bits[0])
	}
	if q, scale := Quantize(make([]float32, 3)); scale != 0 || !slices.Equal(q, []byte{0, 0, 0}) {
		t.Errorf("zeros: %v %v", q, scale)
	}
}

func TestDot(t *testing.T) {
	q := []float32{1, 2, 3, 4, 5}
	v := []byte{1, 0xff, 2, 0, 0xfe} // 1, -1, 2, 0, -2
	if got := Dot(q, v); got != 1-2+6-10 {
		t.Errorf("Dot = %v, want -5", got)
	}
	n := Normalize([]float32{3, 4})
	if n[0] != 0.6 || n[1] != 0.8 {
		t.Errorf("Normalize = %v", n)
	}
}

// codesOf makes the codes of one-word vectors: rowid i+1 has code c[i].
func codesOf(c ...uint64) Codes {
	out := Codes{Words: 1}
	for i, w := range c {
		out.Append(int64(i+1), []uint64{w})
	}
	return out
}

// TestNearest: the n codes nearest by Hamming distance, whatever the
// order they come in; empty slots are left out by Live.
func TestNearest(t *testing.T) {
	c := codesOf(0b1111, 0b0001, 0b0111, 0b0000, 0b1000)
	for _, tc := range []struct {
		q    uint64
		n    int
		want []int64
	}{
		{0b0000, 1, []int64{4}},
		{0b0000, 2, []int64{2, 4}},
		{0b0000, 3, []int64{2, 4, 5}},
		{0b1111, 2, []int64{1, 3}},
		{0b1111, 9, []int64{1, 2, 3, 4, 5}},
	} {
		got := c.Nearest([]uint64{tc.q}, tc.n)
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Nearest(%04b, %d) = %v, want %v", tc.q, tc.n, got, tc.want)
		}
	}
	c.Clear(3) // rowid 4, code 0
	live := c.Live()
	if live.Len() != 4 {
		t.Fatalf("%d live codes, want 4", live.Len())
	}
	if got := live.Nearest([]uint64{0}, 1); !slices.Equal(got, []int64{2}) && !slices.Equal(got, []int64{5}) {
		t.Errorf("after clearing rowid 4: %v", got)
	}
}

// TestFile: the file gives back the codes written, and nothing when it
// is of another generation (MapAny: whatever it is) or size of code, cut
// short, or missing.
func TestFile(t *testing.T) {
	dir := t.TempDir()
	path := FilePath(filepath.Join(dir, "m.db"), "tiny")
	if path == FilePath(filepath.Join(dir, "m.db"), "big") {
		t.Fatal("two models share a file")
	}
	if _, _, ok := MapFile(path, 1, 1); ok {
		t.Fatal("a missing file maps")
	}
	want := codesOf(0b1010, 0b0101, 0b1111)
	if err := WriteFile(path, 7, want); err != nil {
		t.Fatal(err)
	}
	got, release, ok := MapFile(path, 7, 1)
	if !ok {
		t.Fatal("the file written does not map")
	}
	if got.Len() != 3 || !slices.Equal(got.Rowids, want.Rowids) || !slices.Equal(got.Bits, want.Bits) {
		t.Errorf("mapped %+v, want %+v", got, want)
	}
	release()
	if _, _, ok := MapFile(path, 8, 1); ok {
		t.Error("a file of an older generation maps")
	}
	if _, _, ok := MapFile(path, 7, 2); ok {
		t.Error("a file of codes of another size maps")
	}
	if c, gen, release, ok := MapAny(path, 1); !ok || gen != 7 || c.Len() != 3 {
		t.Errorf("MapAny: %v %d %v", ok, gen, c)
	} else {
		release()
	}
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)-1], 0o600)
	if _, _, ok := MapFile(path, 7, 1); ok {
		t.Error("a file cut short maps")
	}
	RemoveFiles(filepath.Join(dir, "m.db"))
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left after RemoveFiles: %v", entries)
	}
}

// nearestOne is Nearest as it was first written, one code at a time, the
// reference of TestNearestSame.
func nearestOne(chunks []Codes, q []uint64, n int) []int64 {
	heap := make([]cand, 0, n+1)
	for _, c := range chunks {
		w := c.Words
		for i := range c.Len() {
			rowid := int64(binary.LittleEndian.Uint64(c.Rowids[i*8:]))
			if rowid == 0 {
				continue
			}
			d := 0
			for j := range w {
				d += bits.OnesCount64(binary.LittleEndian.Uint64(c.Bits[(i*w+j)*8:]) ^ q[j])
			}
			if len(heap) == n {
				if d >= heap[0].dist {
					continue
				}
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

// TestNearestSame: the scan gives the very rowids, in the very order, of
// one that takes a code at a time, ties (codes of few bits have many) and
// empty slots and all, for codes of 6 words (their own loop) and others.
func TestNearestSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, w := range []int{1, 2, 6, 12} {
		for _, n := range []int{1, 3, 150, 5000} {
			var chunks []Codes
			for k := range 4 {
				c := randomCodes(rng, 50+k*700, w)
				for i := range c.Bits {
					c.Bits[i] &= 0x11 // few bits set: many ties
				}
				for i := 0; i < c.Len(); i += 7 {
					c.Clear(i)
				}
				chunks = append(chunks, c, Codes{Words: w})
			}
			q := make([]uint64, w)
			for i := range q {
				q[i] = rng.Uint64() & 0x1111111111111111
			}
			if got, want := Nearest(chunks, q, n), nearestOne(chunks, q, n); !slices.Equal(got, want) {
				t.Errorf("%d words, n %d: %d rowids, want %d (or another order)", w, n, len(got), len(want))
			}
		}
	}
	if got := Nearest([]Codes{codesOf(1, 2)}, []uint64{0}, 0); len(got) != 0 {
		t.Errorf("n 0: %v", got)
	}
	// A malformed chunk (fewer bits than rowids, or codes longer than the
	// query) is passed over; a huge n is as many as there are.
	var short Codes
	short.Words = 1
	short.Append(7, []uint64{0})
	short.Append(8, []uint64{0})
	short.Bits = short.Bits[:8]
	long := Codes{Words: 2}
	long.Append(9, []uint64{0, 0})
	got := Nearest([]Codes{short, codesOf(1, 2), long}, []uint64{0}, 1<<40)
	slices.Sort(got)
	if !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("with malformed chunks: %v, want [1 2]", got)
	}
}
