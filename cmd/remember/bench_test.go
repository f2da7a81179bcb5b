package main

// The speed benchmarks of make bench: a store of 100,000 memories with
// 384-dimensional vectors (1,000,000 with SHELF_BENCH_1M=1), each recall a
// new process as people run it, against the test server for the query's
// embedding; p50 and p95 latency, and the ingest rate of records through
// remember itself.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/testserver"
)

func recallLatency(b *testing.B, n int) {
	bin := buildRemember(b)
	srv, err := testserver.New(testserver.Options{Dims: 384})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	vocab := words(rng, 5000)
	dir := b.TempDir()
	db := filepath.Join(dir, "m.db")
	built := buildStore(b, db, n, rng, vocab)
	// What building the store took in this process is not the recall's.
	runtime.GC()
	debug.FreeOSMemory()
	env := append(os.Environ(), "SHELF_BASE_URL="+srv.BaseURL(), "SHELF_EMBED_MODEL=tiny", "XDG_CACHE_HOME="+dir)
	run := func() time.Duration {
		cmd := exec.Command(bin, "--db", db, "recall", "-k", "5", text(rng, vocab, 4))
		cmd.Env = env
		start := time.Now()
		out, err := cmd.Output()
		d := time.Since(start)
		if err != nil || strings.Count(string(out), "\n") != 5 {
			b.Fatalf("recall: %v\n%s", err, out)
		}
		return d
	}
	run() // the page cache warm, as on a machine in use
	var ds []time.Duration
	for range 40 {
		ds = append(ds, run())
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "ms-p95")
	b.ReportMetric(float64(n)/built.Seconds(), "bulk-stores/s")
}

func BenchmarkRecall100k(b *testing.B) { recallLatency(b, 100_000) }

func BenchmarkRecall1M(b *testing.B) {
	if os.Getenv("SHELF_BENCH_1M") == "" {
		b.Skip("set SHELF_BENCH_1M=1 (it builds a store of a million memories)")
	}
	recallLatency(b, 1_000_000)
}

// BenchmarkIngest stores 5,000 records through remember, embeddings from
// the test server, as a pipeline would.
func BenchmarkIngest(b *testing.B) {
	bin := buildRemember(b)
	srv, err := testserver.New(testserver.Options{Dims: 384})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	vocab := words(rng, 5000)
	var in strings.Builder
	const n = 5000
	for i := range n {
		fmt.Fprintf(&in, "{\"id\":\"r%d\",\"title\":%q,\"text\":%q}\n", i, text(rng, vocab, 3), text(rng, vocab, 20))
	}
	dir := b.TempDir()
	cmd := exec.Command(bin, "--db", filepath.Join(dir, "m.db"), "-j", "32")
	cmd.Env = append(os.Environ(), "SHELF_BASE_URL="+srv.BaseURL(), "SHELF_EMBED_MODEL=tiny", "XDG_CACHE_HOME="+dir)
	cmd.Stdin = strings.NewReader(in.String())
	start := time.Now()
	out, err := cmd.Output()
	d := time.Since(start)
	if err != nil || strings.Count(string(out), "\n") != n {
		b.Fatalf("ingest: %v", err)
	}
	b.ReportMetric(n/d.Seconds(), "records/s")
	b.ReportMetric(float64(srv.Requests()), "embedding-requests")
}
