package llm

import (
	"context"
	"math"
	"testing"

	"github.com/shelfai/shelf/lib/sysexits"
)

func TestCheckVectors(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, tt := range []struct {
		vecs [][]float32
		want string
	}{
		{[][]float32{{1, 0}, {0, 1}}, ""},
		{[][]float32{{1}}, ""},
		{[][]float32{{1, 0}, nil}, "no vector for input 2"},
		{[][]float32{{}}, "the vector of input 1 is empty"},
		{[][]float32{{1, 0}, {}}, "the vector of input 2 is empty"},
		{[][]float32{{1, 0, 0}, {1, 0, 0}, {1, 0}}, "the vectors differ in length: 3 for input 1, 2 for input 3"},
		{[][]float32{{1, nan}}, "the vector of input 1 has NaN at 2"},
		{[][]float32{{1, 0}, {-inf, 0}}, "the vector of input 2 has -Inf at 1"},
	} {
		if got := checkVectors(tt.vecs); got != tt.want {
			t.Errorf("checkVectors(%v) = %q, want %q", tt.vecs, got, tt.want)
		}
	}
}

// An answer of unusable vectors is an error of kind BadVectors (exit 1);
// a whole one is not.
func TestEmbedBadVectors(t *testing.T) {
	s, _ := server(t)
	for model, want := range map[string]string{
		"tiny+emptyvec": "the vector of input 1 is empty",
		"tiny+ragged":   "the vectors differ in length: 64 for input 1, 63 for input 2",
	} {
		_, err := client(s.BaseURL(), model).Embed(context.Background(), model, []string{"a roof", "the garden"})
		kind, e := KindOf(err)
		if kind != BadVectors || e.Request != "embeddings" || err.Error() != "embeddings from "+s.BaseURL()+": "+want || sysexits.Code(err) != sysexits.Failure {
			t.Errorf("%s: %v (kind %d, exit %d), want BadVectors: %s", model, err, kind, sysexits.Code(err), want)
		}
	}
	vecs, err := client(s.BaseURL(), "tiny+ragged").Embed(context.Background(), "tiny+ragged", []string{"one alone"})
	if err != nil || len(vecs) != 1 || len(vecs[0]) != 64 {
		t.Errorf("one input: %d vectors, %v", len(vecs), err)
	}
}
