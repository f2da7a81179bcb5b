package main

// The benchmarks of a collective's store on PostgreSQL (skipped without
// PostgreSQL): recall at 100,000 memories (SHELF_BENCH_N for fewer), each
// a new process, beside the SQLite store of the same memories, in the
// same run; recall while 8 members write; and 8 members storing at once
// through remember.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/memory/pgtest"
	"github.com/shelfai/shelf/lib/testserver"
)

// benchN is the store size of the recall benchmarks: n, or SHELF_BENCH_N.
func benchN(b *testing.B, n int) int {
	if v := os.Getenv("SHELF_BENCH_N"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1000 {
			b.Fatalf("SHELF_BENCH_N=%q: give a number of memories, 1000 or more", v)
		}
		return m
	}
	return n
}

// benchCollective makes a database of the keeper's with the store's
// tables, and returns the keeper's URL and that of each of n members.
func benchCollective(b *testing.B, members int) (string, []string) {
	c := pgtest.Need(b, cluster, noCluster)
	ctx := context.Background()
	roles := []string{"keeper"}
	for i := range members {
		roles = append(roles, fmt.Sprintf("member%d", i))
	}
	for _, r := range roles {
		if err := c.Role(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	db, err := c.NewDatabase(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Exec(ctx, "postgres", "ALTER DATABASE "+db+" OWNER TO keeper"); err != nil {
		b.Fatal(err)
	}
	s, err := memory.OpenShared(ctx, c.URL("keeper", db), memory.ReadWrite)
	if err != nil {
		b.Fatal(err)
	}
	s.Close()
	var urls []string
	for _, r := range roles[1:] {
		urls = append(urls, c.URL(r, db))
	}
	return c.URL("keeper", db), urls
}

// settle vacuums and analyzes the store's tables as their owner, the
// keeper at url.
func settle(b *testing.B, url string) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("VACUUM (ANALYZE) memories, vectors, codes"); err != nil {
		b.Fatal(err)
	}
}

// latency runs 40 recalls of each of dbs (after one each to warm up),
// each a new process, alternating between them so that each meets the
// same conditions, and returns their p50 and p95 in milliseconds, by db.
func latency(b *testing.B, bin string, env []string, dbs []string, rng *rand.Rand, vocab []string) (p50, p95 []float64) {
	run := func(db string) time.Duration {
		cmd := exec.Command(bin, "recall", "-k", "5", text(rng, vocab, 4))
		cmd.Env = append(env, "SHELF_DB="+db)
		start := time.Now()
		out, err := cmd.Output()
		d := time.Since(start)
		if err != nil || strings.Count(string(out), "\n") != 5 {
			var stderr []byte
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				stderr = ee.Stderr
			}
			b.Fatalf("recall: %v\n%s%s", err, out, stderr)
		}
		return d
	}
	ds := make([][]time.Duration, len(dbs))
	for i := -1; i < 40; i++ {
		for j, db := range dbs {
			if d := run(db); i >= 0 {
				ds[j] = append(ds[j], d)
			}
		}
	}
	for _, d := range ds {
		slices.Sort(d)
		p50 = append(p50, float64(d[len(d)/2].Microseconds())/1000)
		p95 = append(p95, float64(d[len(d)*95/100].Microseconds())/1000)
	}
	return p50, p95
}

// BenchmarkRecallShared100k: recall from the same memories in SQLite and
// in PostgreSQL, reached directly and through a pooler (PgBouncer in
// transaction mode, as examples/collective sets it up; skipped without
// it), at rest and while 8 members write.
func BenchmarkRecallShared100k(b *testing.B) {
	n := benchN(b, 100_000)
	keeper, members := benchCollective(b, 8)
	bin := buildRemember(b)
	srv, err := testserver.New(testserver.Options{Dims: 384})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	dir := b.TempDir()
	lite := filepath.Join(dir, "m.db")
	rng := rand.New(rand.NewPCG(3, 4))
	vocab := words(rng, 5000)
	buildStore(b, lite, n, rng, vocab)
	rng = rand.New(rand.NewPCG(3, 4))
	vocab = words(rng, 5000)
	built := buildStore(b, members[0], n, rng, vocab)
	b.ReportMetric(float64(n)/built.Seconds(), "pg-bulk-stores/s")
	// The stores measured: SQLite (at rest only), PostgreSQL, and
	// PostgreSQL through a pooler with 2 server connections a member.
	names := []string{"sqlite", "pg", "pooled"}
	dbs := []string{lite, members[1], ""}
	if p, err := cluster.Pooler(2, 0); err == nil {
		dbs[2] = through(p, members[1])
	} else if errors.Is(err, pgtest.ErrNoPooler) {
		b.Logf("not measured through a pooler: %v", err)
		names, dbs = names[:2], dbs[:2]
	} else {
		b.Fatal(err)
	}
	env := append(os.Environ(), "SHELF_BASE_URL="+srv.BaseURL(), "SHELF_EMBED_MODEL=tiny", "XDG_CACHE_HOME="+dir)
	report := func(phase string, names []string, p50, p95 []float64) {
		for i, name := range names {
			goal := ""
			switch {
			case phase == "" && name != "sqlite":
				goal = "(goal<50)"
			case phase == "-paced":
				goal = "(goal<100)"
			}
			b.ReportMetric(p50[i], name+phase+"-ms-p50"+goal)
			b.ReportMetric(p95[i], name+phase+"-ms-p95")
		}
	}
	// What autovacuum does within a minute or so of a bulk import, or of
	// the last phase's writes (it vacuums and analyzes the tables): done
	// before each phase, so that it does not run in the middle of the
	// measurement, which starts from the store at rest.
	settle(b, keeper)
	runtime.GC()
	debug.FreeOSMemory()
	p50, p95 := latency(b, bin, env, dbs, rng, vocab)
	report("", names, p50, p95)

	// While 8 members write, a batch of 10 memories at a time each,
	// directly: each a batch every 100 ms (800 memories a second, all
	// told: far more than eight people's pipelines store, which is the
	// goal's case); then as fast as they can, which takes both cores of
	// a small machine (the server's work for the writers, in 8 processes,
	// beside the recall's: a recall then gets about a fifth of the
	// machine, and takes its time; through a pooler it finds a server
	// process ready and logged in, which saves it the most work).
	for _, pace := range []struct {
		name  string
		every time.Duration
	}{{"-paced", 100 * time.Millisecond}, {"-flat-out", 0}} {
		settle(b, keeper)
		var p50, p95 []float64
		rate := whileWriting(b, members, vocab, pace.every, func() {
			p50, p95 = latency(b, bin, env, dbs[1:], rng, vocab)
		})
		report(pace.name, names[1:], p50, p95)
		b.ReportMetric(rate, "pg"+pace.name+"-stores/s")
	}
}

// through is the URL u of the cluster, through pooler p.
func through(p *pgtest.Pooler, u string) string {
	v, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	v.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Port))
	return v.String()
}

// whileWriting runs measure while each member stores a batch of 10
// memories every so often (0: one after the other), and returns how many
// memories a second were stored meanwhile.
// The members' memories are embedded before they start, as a member's
// pipeline does on their own machine, not on the server's: what the
// writing takes of this machine is the database's work and the driver's.
func whileWriting(b *testing.B, members []string, vocab []string, every time.Duration, measure func()) float64 {
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var written atomic.Int64
	var werr atomic.Pointer[error]
	run := fmt.Sprint(time.Now().UnixNano())
	type memo struct {
		title, body string
		vec         []float32
	}
	pools := make([][]memo, len(members))
	for w := range members {
		r := rand.New(rand.NewPCG(uint64(w), 9))
		for range 200 {
			title, body := text(r, vocab, 3), text(r, vocab, 12)
			it := memory.Item{Title: title, Body: body}
			pools[w] = append(pools[w], memo{title, body, testserver.Embed(it.EmbedText(), 384)})
		}
	}
	for w, url := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := memory.OpenShared(ctx, url, memory.ReadWrite)
			if err != nil {
				werr.Store(&err)
				return
			}
			defer s.Close()
			tick := time.NewTicker(max(every, time.Microsecond))
			defer tick.Stop()
			for i := 0; ctx.Err() == nil; i++ {
				if every > 0 {
					select {
					case <-ctx.Done():
						return
					case <-tick.C:
					}
				}
				var items []memory.Item
				for j := range 10 {
					m := pools[w][(i*10+j)%len(pools[w])]
					id := fmt.Sprintf("w%s-%d-%d-%d", run, w, i, j)
					items = append(items, memory.Item{ID: id, Title: m.title, Body: m.body, Model: "tiny", Vector: m.vec,
						Record: []byte(fmt.Sprintf(`{"id":%q,"title":%q,"text":%q}`, id, m.title, m.body))})
				}
				if _, err := s.Put(ctx, items); err != nil {
					if ctx.Err() == nil {
						werr.Store(&err)
					}
					return
				}
				written.Add(10)
			}
		}()
	}
	start := time.Now()
	measure()
	d := time.Since(start)
	stop()
	wg.Wait()
	if err := werr.Load(); err != nil {
		b.Fatal(*err)
	}
	return float64(written.Load()) / d.Seconds()
}

// BenchmarkIngestShared: 8 members each store 1,000 records through
// remember at once (embeddings from the test server) while one of them
// recalls, directly and through a pooler by turns: nothing lost, no
// version twice, no error; the records stored a second, all told, and how
// long the recalls took meanwhile.
func BenchmarkIngestShared(b *testing.B) {
	_, members := benchCollective(b, 8)
	p, err := cluster.Pooler(2, 0)
	if errors.Is(err, pgtest.ErrNoPooler) {
		b.Logf("not measured through a pooler: %v", err)
	} else if err != nil {
		b.Fatal(err)
	}
	bin := buildRemember(b)
	srv, err := testserver.New(testserver.Options{Dims: 384})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	const each = 1000
	var cmds []*exec.Cmd
	for w, url := range members {
		rng := rand.New(rand.NewPCG(uint64(w), 6))
		vocab := words(rng, 5000)
		var in strings.Builder
		for i := range each {
			fmt.Fprintf(&in, "{\"id\":\"m%d-r%d\",\"title\":%q,\"text\":%q}\n", w, i, text(rng, vocab, 3), text(rng, vocab, 20))
		}
		cmd := exec.Command(bin, "-j", "8")
		cmd.Env = append(os.Environ(), "SHELF_DB="+url, "SHELF_BASE_URL="+srv.BaseURL(), "SHELF_EMBED_MODEL=tiny", "XDG_CACHE_HOME="+b.TempDir())
		cmd.Stdin = strings.NewReader(in.String())
		cmds = append(cmds, cmd)
	}
	cache := b.TempDir()
	stopRecall := make(chan struct{})
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, len(cmds))
	for i, cmd := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := cmd.Output()
			if err == nil && strings.Count(string(out), "\n") != each {
				err = fmt.Errorf("%d records out, want %d", strings.Count(string(out), "\n"), each)
			}
			errs[i] = err
		}()
	}
	// Meanwhile a member recalls, again and again, directly and through
	// the pooler by turns.
	targets := []string{members[0]}
	if p != nil {
		targets = append(targets, through(p, members[0]))
	}
	took := make([][]time.Duration, len(targets))
	done := make(chan struct{})
	var rerr error
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stopRecall:
				return
			default:
			}
			cmd := exec.Command(bin, "recall", "-k", "3", fmt.Sprintf("note %d", i))
			cmd.Env = append(os.Environ(), "SHELF_DB="+targets[i%len(targets)], "SHELF_BASE_URL="+srv.BaseURL(), "SHELF_EMBED_MODEL=tiny", "XDG_CACHE_HOME="+cache)
			t := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				rerr = fmt.Errorf("recall: %v\n%s", err, out)
				return
			}
			took[i%len(targets)] = append(took[i%len(targets)], time.Since(t))
		}
	}()
	wg.Wait()
	d := time.Since(start)
	close(stopRecall)
	<-done
	for _, err := range append(errs, rerr) {
		if err != nil {
			b.Fatal(err)
		}
	}
	s, err := memory.OpenShared(context.Background(), members[0], memory.ReadOnly)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	st, err := s.Stats(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if st.Memories != len(members)*each || st.Versions != st.Memories || st.Vectors["tiny"] != st.Memories {
		b.Fatalf("stored %+v, want %d memories", st, len(members)*each)
	}
	b.ReportMetric(float64(len(members)*each)/d.Seconds(), "records/s")
	for i, name := range []string{"pg", "pooled"}[:len(targets)] {
		ds := took[i]
		if len(ds) == 0 {
			b.Fatalf("no recall %s while the members stored", name)
		}
		slices.Sort(ds)
		b.ReportMetric(float64(len(ds)), name+"-recalls-meanwhile")
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, name+"-recall-ms-p50")
		b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, name+"-recall-ms-p95")
	}
}
