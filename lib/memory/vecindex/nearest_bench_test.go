package vecindex

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"
)

// randomCodes are n codes of w words, rowids 1 to n.
func randomCodes(rng *rand.Rand, n, w int) Codes {
	c := Codes{Words: w, Rowids: make([]byte, 8*n), Bits: make([]byte, 8*n*w)}
	for i := range n {
		binary.LittleEndian.PutUint64(c.Rowids[i*8:], uint64(i+1))
	}
	for i := range c.Bits {
		c.Bits[i] = byte(rng.Uint32())
	}
	return c
}

// BenchmarkNearest: the Hamming scan of 100,000 codes of 384 dimensions
// in 25 chunks, for the 150 nearest, as a recall of the shared store does:
// Nearest, and beside it the scan it replaced (a code at a time), with
// the ratio of their times.
func BenchmarkNearest(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var chunks []Codes
	for range 25 {
		chunks = append(chunks, randomCodes(rng, 4000, 6))
	}
	q := make([]uint64, 6)
	for i := range q {
		q[i] = rng.Uint64()
	}
	var took [2]time.Duration
	for i, scan := range []func([]Codes, []uint64, int) []int64{nearestOne, Nearest} {
		start := time.Now()
		for range b.N {
			scan(chunks, q, 150)
		}
		took[i] = time.Since(start)
	}
	b.ReportMetric(float64(took[0].Microseconds())/float64(b.N)/1000, "one-at-a-time-ms")
	b.ReportMetric(float64(took[1].Microseconds())/float64(b.N)/1000, "scan-ms")
	b.ReportMetric(float64(took[1])/float64(took[0]), "scan/one-at-a-time")
}
