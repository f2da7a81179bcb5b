package vecindex

import (
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
