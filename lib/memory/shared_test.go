package memory

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/shelfai/shelf/lib/memory/pgtest"
	"github.com/shelfai/shelf/lib/record"
)

// collective makes a database owned by a keeper, with the store's tables
// made by the keeper, and returns its name: what examples/collective sets
// up.
func collective(t *testing.T) string {
	t.Helper()
	db := sharedDB(t, "keeper")
	openSharedAs(t, db, "keeper")
	return db
}

// asRole opens a plain connection to db as role.
func asRole(t *testing.T, db, role string) *sql.DB {
	t.Helper()
	c := pgtest.Need(t, cluster, noCluster)
	if err := c.Role(context.Background(), role); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("pgx", c.URL(role, db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestMembersOwnTheirMemories: every member reads every memory, recall
// names who stored it and --member filters by it; but one member cannot
// overwrite, supersede or forget another's, through the store or with
// hand-written SQL: the database refuses.
func TestMembersOwnTheirMemories(t *testing.T) {
	ctx := context.Background()
	db := collective(t)
	alice, bob := openSharedAs(t, db, "alice"), openSharedAs(t, db, "bob")
	if _, err := alice.Put(ctx, []Item{item(t, `{"id":"roof","title":"Roof","text":"the roof quote from Jansen is 4200"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Put(ctx, []Item{item(t, `{"id":"van","text":"the van needs new tyres before the roof job"}`)}); err != nil {
		t.Fatal(err)
	}
	hits, err := bob.Search(ctx, Query{Text: "roof", Mode: "keyword", K: 5})
	if err != nil {
		t.Fatal(err)
	}
	members := map[string]string{}
	for _, h := range hits {
		members[h.ID] = h.Member
	}
	if members["roof"] != "alice" || members["van"] != "bob" {
		t.Fatalf("members of the hits: %v", members)
	}
	hits, _ = bob.Search(ctx, Query{Text: "roof", Mode: "keyword", K: 5, Member: "alice"})
	if len(hits) != 1 || hits[0].ID != "roof" {
		t.Fatalf("--member alice: %+v", hits)
	}
	if hits, _ := bob.Search(ctx, Query{K: 5, Member: "bob"}); len(hits) != 1 || hits[0].ID != "van" {
		t.Fatalf("the newest of bob: %+v", hits)
	}

	// Through the store: bob's new version of alice's memory is refused,
	// and the refusal names her.
	forged := `{"id":"roof","text":"the roof quote is 1 euro"}`
	res, err := bob.Put(ctx, []Item{item(t, forged)})
	if err != nil || res[0].Result != Foreign || res[0].Owner != "alice" {
		t.Fatalf("bob supersedes alice's memory: %v %v", res, err)
	}
	var out bytes.Buffer
	k := NewSink(&out, bob, nil, "remember")
	rec := record.New([]byte(forged))
	rec.Meta = item(t, forged)
	if err := k.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := k.Flush(); err != nil {
		t.Fatal(err)
	}
	const refused = "roof is alice's memory, which only alice may change"
	var ns *NotStoredError
	if err := k.Err(); !errors.As(err, &ns) || !strings.Contains(err.Error(), refused) || ns.Foreign == nil || !slices.Equal(ns.Foreign.Owners(), []string{"alice"}) {
		t.Fatalf("the sink's error: %v", err)
	}
	if !strings.Contains(out.String(), `"errors":[{"tool":"remember","message":"not stored: `+refused) {
		t.Fatalf("the record refused: %s", out.String())
	}
	found, err := bob.Forget(ctx, []string{"roof"})
	var fe *ForeignError
	if len(found) != 0 || !errors.As(err, &fe) || !slices.Equal(fe.IDs, []string{"roof"}) || fe.Members[0] != "alice" {
		t.Fatalf("bob forgets alice's memory: %v %v", found, err)
	}
	// An import that would give alice's memory a new version as bob's.
	_, err = bob.Import(ctx, strings.NewReader(`{"id":"roof","version":2,"current":true,"stored_at":0,"record":`+forged+"}\n"))
	if !errors.As(err, &fe) || err.Error() != "line 1: "+refused {
		t.Fatalf("bob imports a version of alice's memory: %v", err)
	}

	// With hand-written SQL: nothing of alice's changes.
	sqlBob := asRole(t, db, "bob")
	for _, stmt := range []string{
		"UPDATE memories SET body = 'forged', record = '{}' WHERE id = 'roof'",
		"UPDATE memories SET current = 0 WHERE id = 'roof'",
		"DELETE FROM memories WHERE id = 'roof'",
		"DELETE FROM vectors WHERE rowid IN (SELECT rowid FROM memories WHERE id = 'roof')",
		"UPDATE vectors SET scale = 0 WHERE rowid IN (SELECT rowid FROM memories WHERE id = 'roof')",
	} {
		res, err := sqlBob.ExecContext(ctx, stmt)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		if n, _ := res.RowsAffected(); n != 0 {
			t.Errorf("%s: changed %d rows of alice's", stmt, n)
		}
	}
	for _, stmt := range []string{
		"INSERT INTO memories(id, version, current, hash, stored_at, record, member) VALUES('fake', 1, 1, 'h', 0, '{}', 'alice')",
		"UPDATE memories SET member = 'alice' WHERE id = 'van'",
		"INSERT INTO vectors(rowid, model, dim, scale, q, code) SELECT rowid, 'other', 1, 1, '\\x01', B'1' FROM memories WHERE id = 'roof'",
		"ALTER TABLE memories DISABLE ROW LEVEL SECURITY",
		"DROP POLICY members_forget_their_own ON memories",
		"TRUNCATE memories",
		"UPDATE shelf_meta SET value = '9'",
	} {
		if _, err := sqlBob.ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s: allowed", stmt)
		}
	}
	var body, member string
	var n int
	if err := sqlBob.QueryRowContext(ctx, "SELECT body, member, (SELECT count(*) FROM vectors v WHERE v.rowid = m.rowid) FROM memories m WHERE id = 'roof' AND current = 1").Scan(&body, &member, &n); err != nil {
		t.Fatal(err)
	}
	if body != "the roof quote from Jansen is 4200" || member != "alice" || n != 1 {
		t.Fatalf("alice's memory after bob's attempts: %q by %s, %d vectors", body, member, n)
	}
	// Alice may.
	if _, err := alice.Forget(ctx, []string{"roof"}); err != nil {
		t.Fatalf("alice forgets her own: %v", err)
	}
}

// TestSharedForgetScrubs: after forget, the text is in neither the table
// nor its indexes: the bytes of their files (pg_relation_filepath) no
// longer hold it, once the server has written its pages out.
func TestSharedForgetScrubs(t *testing.T) {
	c := pgtest.Need(t, cluster, noCluster)
	ctx := context.Background()
	db := collective(t)
	alice := openSharedAs(t, db, "alice")
	const secret = "zanzibarquokka"
	var items []Item
	for i := range 200 {
		items = append(items, item(t, fmt.Sprintf(`{"id":"n%d","title":"note %d","text":"an ordinary note number %d"}`, i, i, i)))
	}
	items = append(items, item(t, `{"id":"secret","title":"`+secret+` title","text":"the safe code is `+secret+`","tags":["`+secret+`"]}`))
	if _, err := alice.Put(ctx, items); err != nil {
		t.Fatal(err)
	}
	// A second version: the first lingers as a dead row otherwise.
	if _, err := alice.Put(ctx, []Item{item(t, `{"id":"secret","text":"the safe code is `+secret+`, changed"}`)}); err != nil {
		t.Fatal(err)
	}
	holding := func() []string {
		t.Helper()
		if err := c.Exec(ctx, db, "CHECKPOINT"); err != nil {
			t.Fatal(err)
		}
		conn := asRole(t, db, pgtest.Super)
		rows, err := conn.QueryContext(ctx, `SELECT c.relname, pg_relation_filepath(c.oid) FROM pg_class c
			WHERE c.relname IN ('memories', 'vectors') OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN ('memories'::regclass, 'vectors'::regclass))
			OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relname = 'memories')`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		files := 0
		for rows.Next() {
			var name, path string
			if err := rows.Scan(&name, &path); err != nil {
				t.Fatal(err)
			}
			matches, _ := filepath.Glob(filepath.Join(c.Dir, "data", path) + "*")
			for _, f := range matches {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				files++
				if bytes.Contains(b, []byte(secret)) {
					out = append(out, name)
				}
			}
		}
		if files < 5 {
			t.Fatalf("read %d files", files)
		}
		return out
	}
	if got := holding(); !slices.Contains(got, "memories") || !slices.Contains(got, "memories_words") {
		t.Fatalf("before forgetting, the secret is in %v (the test reads the wrong files?)", got)
	}
	if _, err := alice.Forget(ctx, []string{"secret"}); err != nil {
		t.Fatal(err)
	}
	if got := holding(); len(got) > 0 {
		t.Fatalf("after forgetting, the secret is still in %v", got)
	}
	if hits, _ := alice.Search(ctx, Query{Text: secret, Mode: "keyword"}); len(hits) != 0 {
		t.Fatalf("recalled: %+v", hits)
	}
}

// TestSharedPasswordHidden: the URL's password is in neither the store's
// name, its stats, nor the error of a failed connection.
func TestSharedPasswordHidden(t *testing.T) {
	c := pgtest.Need(t, cluster, noCluster)
	ctx := context.Background()
	db := collective(t)
	if err := c.Role(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	url := c.URL("alice", db)
	s, err := OpenFor(ctx, url, ReadWrite, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "%+v", st)
	if strings.Contains(out.String(), c.Password) || !strings.Contains(st.Path, "alice:[redacted]@127.0.0.1") || st.Member != "alice" {
		t.Fatalf("stats: %s", out.String())
	}
	wrong := strings.Replace(url, c.Password, "wrong-"+c.Password, 1)
	for _, u := range []string{wrong, strings.Replace(wrong, "sslmode=disable", "sslmode=disable&password=wrong-"+c.Password, 1)} {
		_, err := OpenFor(ctx, u, ReadOnly, nil, "")
		if err == nil || strings.Contains(err.Error(), c.Password) {
			t.Fatalf("a wrong password: %v", err)
		}
	}
}

// TestMoveBetweenStores: export from either store, import into the other,
// export again: the same lines.
func TestMoveBetweenStores(t *testing.T) {
	ctx := context.Background()
	fill := func(s Backend) {
		t.Helper()
		setNow(s, fixedClock)
		for _, batch := range [][]Item{
			{item(t, `{"id":"a","text":"x <y> & ünïcode","created":"2026-11-20"}`), item(t, `{"id":"b","title":"T","text":"z","tags":["work"]}`)},
			{item(t, `{"id":"a","text":"x2"}`), func() Item { it, _ := ItemOf([]byte(`{"id":"c","text":"no vector"}`)); return it }()},
		} {
			if _, err := s.Put(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
	}
	export := func(s Backend) string {
		t.Helper()
		var b bytes.Buffer
		if _, err := s.Export(ctx, &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	move := func(from, to Backend) {
		t.Helper()
		one := export(from)
		if _, err := to.Import(ctx, strings.NewReader(one)); err != nil {
			t.Fatal(err)
		}
		if two := export(to); one != two || strings.Count(one, "\n") != 4 {
			t.Fatalf("export, import, export:\n%s\n%s", one, two)
		}
	}
	pg := openShared(t, "alice")
	lite := openSQLite(t)
	fill(lite)
	move(lite, pg)
	pg2, lite2 := openShared(t, "alice"), openSQLite(t)
	fill(pg2)
	move(pg2, lite2)
	if export(lite) != export(pg2) {
		t.Fatalf("the two stores keep the same records differently:\n%s\n%s", export(lite), export(pg2))
	}
}

// TestSharedWritersAtOnce: members writing at once, and recalling
// meanwhile: nothing lost, no version twice, no error.
func TestSharedWritersAtOnce(t *testing.T) {
	ctx := context.Background()
	db := collective(t)
	const writers, each, batch = 4, 150, 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for w := range writers {
		member := fmt.Sprintf("member%d", w)
		s := openSharedAs(t, db, member)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i += batch {
				// Every writer also stores the same record first: one of
				// them stores it, the others find it unchanged.
				items := []Item{item(t, fmt.Sprintf(`{"id":"common-%d","text":"the common note %d"}`, i, i))}
				for j := i; j < i+batch; j++ {
					items = append(items, item(t, fmt.Sprintf(`{"id":"%s-%d","text":"note %d of %s about the harbour"}`, member, j, j, member)))
				}
				if _, err := s.Put(ctx, items); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := s.Search(ctx, Query{Text: "harbour note", Mode: "hybrid", Vector: item(t, `{"text":"harbour note"}`).Vector, Model: "bow", K: 5}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	conn := asRole(t, db, "keeper")
	var memories, versions, distinct, vectors, commons int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE current = 1), count(*), count(DISTINCT (id, version)),
		(SELECT count(*) FROM vectors), count(*) FILTER (WHERE id LIKE '%common%') FROM memories`).Scan(&memories, &versions, &distinct, &vectors, &commons); err != nil {
		t.Fatal(err)
	}
	if want := writers*each + each/batch; memories != want || versions != want || distinct != want || vectors != want || commons != each/batch {
		t.Fatalf("%d memories, %d versions (%d distinct), %d vectors, %d common; want %d, and %d common", memories, versions, distinct, vectors, commons, want, each/batch)
	}
}

// fixedClock dates what a test stores.
func fixedClock() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }

// TestSharedReadOnly: a store opened to read makes no tables in an empty
// database (it reads as empty), and refuses to write, as does the server
// (but for a pooler's, which takes no such setting: then the store alone).
func TestSharedReadOnly(t *testing.T) {
	c := pgtest.Need(t, cluster, noCluster)
	ctx := context.Background()
	db := sharedDB(t, "alice")
	r, err := OpenShared(ctx, c.URL("alice", db), ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if hits, err := r.Search(ctx, Query{Text: "anything"}); err != nil || len(hits) != 0 {
		t.Fatalf("an empty database: %v %v", hits, err)
	}
	if st, err := r.Stats(ctx); err != nil || st.Memories != 0 || st.Schema != 0 {
		t.Fatalf("stats of an empty database: %+v %v", st, err)
	}
	if v, err := schemaOf(ctx, r.db); err != nil || v != 0 {
		t.Fatalf("reading made the store: schema %d, %v", v, err)
	}
	w := openSharedAs(t, db, "alice")
	if _, err := w.Put(ctx, []Item{item(t, `{"id":"a","text":"one"}`)}); err != nil {
		t.Fatal(err)
	}
	r2, err := OpenShared(ctx, c.URL("alice", db), ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if _, err := r2.Put(ctx, []Item{item(t, `{"id":"b","text":"two"}`)}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("a write through a store opened to read: %v", err)
	}
	if _, err := r2.db.ExecContext(ctx, "INSERT INTO memories(id, version, current, hash, stored_at, record) VALUES('c', 1, 1, '', 0, '{}')"); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("the server took a write of a store opened to read: %v", err)
	}
	r3, err := OpenShared(ctx, pooler(t).URL("alice", db), ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer r3.Close()
	if hits, err := r3.Search(ctx, Query{Text: "one", Mode: "keyword"}); err != nil || len(hits) != 1 {
		t.Fatalf("recall through a pooler: %v %v", hits, err)
	}
	if _, err := r3.Put(ctx, []Item{item(t, `{"id":"b","text":"two"}`)}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("a write through a store opened to read, through a pooler: %v", err)
	}
}

// TestSharedStatsReadsIndexes: stats counts from the indexes, not the
// tables (whose scan took 100 ms at 100,000 memories): with sequential
// scans priced out (a test's tables are too small for the planner to
// prefer an index on its own), none of its queries reads a table.
func TestSharedStatsReadsIndexes(t *testing.T) {
	ctx := context.Background()
	db := collective(t)
	alice := openSharedAs(t, db, "alice")
	if _, err := alice.Put(ctx, []Item{item(t, `{"id":"a","text":"one","created":"2026-01-02"}`), item(t, `{"id":"b","text":"two"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := pgtest.Need(t, cluster, noCluster).Exec(ctx, db, "VACUUM ANALYZE memories", "VACUUM ANALYZE vectors"); err != nil {
		t.Fatal(err)
	}
	conn, err := asRole(t, db, "alice").Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{sharedStatsSQL, vectorStatsSQL} {
		rows, err := conn.QueryContext(ctx, "EXPLAIN "+q)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := scanColumn[string](rows)
		if err != nil {
			t.Fatal(err)
		}
		// A scan that is not index-only reads a row at the most.
		for i, line := range lines {
			reads := strings.Contains(line, "Seq Scan") || strings.Contains(line, "Heap Scan") || strings.Contains(line, "Index Scan")
			if reads && (i == 0 || !strings.Contains(lines[i-1], "Limit")) {
				t.Errorf("%s\nreads a table:\n%s", q, strings.Join(lines, "\n"))
				break
			}
		}
	}
}

// TestSharedLaterIndexes: a store made before an index that stats reads
// (memories_created) is read and written as it is by a member, who may
// not change its tables; the next run of their owner that writes makes
// the index.
func TestSharedLaterIndexes(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Need(t, cluster, noCluster)
	db := collective(t)
	if err := c.Exec(ctx, db, "DROP INDEX memories_created"); err != nil {
		t.Fatal(err)
	}
	indexed := func() bool {
		t.Helper()
		var ok bool
		if err := asRole(t, db, "alice").QueryRowContext(ctx, "SELECT to_regclass('memories_created') IS NOT NULL").Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	alice := openSharedAs(t, db, "alice")
	if _, err := alice.Put(ctx, []Item{item(t, `{"id":"a","text":"one","created":"2026-01-02"}`)}); err != nil {
		t.Fatal(err)
	}
	if st, err := alice.Stats(ctx); err != nil || st.Memories != 1 || st.Oldest != "2026-01-02" || indexed() {
		t.Fatalf("stats without the index: %+v %v", st, err)
	}
	openSharedAs(t, db, "keeper")
	if !indexed() {
		t.Fatal("the owner's run made no index")
	}
	if st, err := alice.Stats(ctx); err != nil || st.Memories != 1 || st.Oldest != "2026-01-02" {
		t.Fatalf("stats with the index: %+v %v", st, err)
	}
}

// harbourNotes makes a collective's store with n notes of alice's, each
// about the harbour and one of 37 boats, and returns its database.
func harbourNotes(t *testing.T, n int) string {
	t.Helper()
	db := collective(t)
	var items []Item
	for i := range n {
		items = append(items, item(t, fmt.Sprintf(`{"id":"n%d","text":"note %d about the harbour and boat %d"}`, i, i, i%37)))
	}
	if _, err := openSharedAs(t, db, "alice").Put(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	return db
}

// recallAs runs q as a recall does: a store of db opened to read as
// member, with the codes cached in cacheDir ("": none).
func recallAs(t *testing.T, db, member, cacheDir string, q Query) []Hit {
	t.Helper()
	c := pgtest.Need(t, cluster, noCluster)
	s, err := OpenShared(context.Background(), c.URL(member, db), ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.CacheDir = cacheDir
	hits, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// TestSharedRecallRoundTrips: a recall is a short process whose time,
// while others write, goes largely to waiting its turn for each round
// trip to the server: opening the store, the models of its vectors (which
// remember recall asks first) and a hybrid recall with the codes in the
// cache take 7 (the connection's own 3 among them: startup, and the
// password's 2; the vector search's listing and the keyword search are
// one, and so are the memories found and their snippets). The models asked again are read again.
func TestSharedRecallRoundTrips(t *testing.T) {
	db := harbourNotes(t, sharedExactLimit+100)
	cache := t.TempDir()
	q := Query{Text: "harbour note", Vector: item(t, `{"text":"harbour note"}`).Vector, Model: "bow", K: 5}
	recallAs(t, db, "alice", cache, q) // the codes into the cache
	bob := openSharedAs(t, db, "bob")  // connected before the count
	var writes atomic.Int64
	counting(t, &writes, nil)
	c := pgtest.Need(t, cluster, noCluster)
	ctx := context.Background()
	s, err := OpenShared(ctx, c.URL("alice", db), ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.CacheDir = cache
	if models, err := s.Models(ctx); err != nil || !slices.Equal(models, []string{"bow"}) {
		t.Fatalf("models %q, %v", models, err)
	}
	if hits, err := s.Search(ctx, q); err != nil || len(hits) != 5 {
		t.Fatalf("%+v, %v", hits, err)
	}
	if n := writes.Load(); n != 7 {
		t.Errorf("opening the store, its models and a recall: %d round trips, want 7", n)
	}
	// Another member stores with another model meanwhile: asked again,
	// the models are the store's as it is now.
	it := item(t, `{"id":"b1","text":"a note of bob's"}`)
	it.Model = "zz"
	if _, err := bob.Put(ctx, []Item{it}); err != nil {
		t.Fatal(err)
	}
	if models, err := s.Models(ctx); err != nil || !slices.Equal(models, []string{"bow", "zz"}) {
		t.Errorf("models again %q, %v, want bow and zz", models, err)
	}
	// Read again: the first and last model, then, as they differ, the
	// count of each.
	if n := writes.Load(); n != 9 {
		t.Errorf("the models again: %d round trips in all, want 9", n)
	}
}

// countedConn counts what a connection writes but its goodbye
// (Terminate, X), a round trip each, and the bytes it reads.
type countedConn struct {
	net.Conn
	writes *atomic.Int64
	read   *atomic.Int64
}

func (c countedConn) Write(b []byte) (int, error) {
	if len(b) > 0 && b[0] != 'X' {
		c.writes.Add(1)
	}
	return c.Conn.Write(b)
}

func (c countedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if c.read != nil {
		c.read.Add(int64(n))
	}
	return n, err
}

// counting makes OpenShared's connections count into writes and read.
func counting(t *testing.T, writes, read *atomic.Int64) {
	sharedDial = func(dial pgconn.DialFunc) pgconn.DialFunc {
		return func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dial(ctx, network, addr)
			return countedConn{conn, writes, read}, err
		}
	}
	t.Cleanup(func() { sharedDial = nil })
}

// TestSharedCodesCacheGrows: a recall reads from the server only the
// codes added to a chunk since the cache's file of it, and the whole
// chunk when a slot of it was emptied since (a memory forgotten or
// superseded); either way it finds what a recall without a cache finds.
func TestSharedCodesCacheGrows(t *testing.T) {
	ctx := context.Background()
	db := harbourNotes(t, sharedExactLimit+1000)
	alice := openSharedAs(t, db, "alice")
	cache := t.TempDir()
	q := Query{Text: "harbour boat 7", Vector: item(t, `{"text":"harbour boat 7"}`).Vector, Model: "bow", K: 10, Mode: "vector"}
	var writes, read atomic.Int64
	counting(t, &writes, &read)
	recall := func(cacheDir string) ([]Hit, int64) {
		t.Helper()
		read.Store(0)
		hits := recallAs(t, db, "alice", cacheDir, q)
		return hits, read.Load()
	}
	same := func(what string) {
		t.Helper()
		cached, _ := recall(cache)
		if fresh, _ := recall(""); fmt.Sprint(cached) != fmt.Sprint(fresh) {
			t.Fatalf("%s: with the cache\n%v\nwithout\n%v", what, cached, fresh)
		}
	}
	_, whole := recall(cache)
	_, none := recall(cache)
	if _, err := alice.Put(ctx, []Item{item(t, `{"id":"late","text":"a late note about the harbour and boat 7"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, grown := recall(cache); grown-none > (whole-none)/10 {
		t.Errorf("a chunk that grew by one code: %d bytes read, %d with nothing new, %d for all the codes", grown, none, whole)
	}
	same("grown")
	if _, err := alice.Forget(ctx, []string{"n7"}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Put(ctx, []Item{item(t, `{"id":"n44","text":"changed"}`)}); err != nil {
		t.Fatal(err)
	}
	same("slots emptied")
}

// TestSharedPutAppendsCodes: a batch adds its codes to the member's last
// chunk on the server, without reading the chunk back first (at 4,000
// codes, 128 kB as text at every batch).
func TestSharedPutAppendsCodes(t *testing.T) {
	c := pgtest.Need(t, cluster, noCluster)
	db := harbourNotes(t, 4000)
	var writes, read atomic.Int64
	counting(t, &writes, &read)
	s, err := OpenShared(context.Background(), c.URL("alice", db), ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	opened := read.Load()
	if _, err := s.Put(context.Background(), []Item{item(t, `{"id":"late","text":"a late note about the harbour"}`)}); err != nil {
		t.Fatal(err)
	}
	if n := read.Load() - opened; n > 8<<10 {
		t.Errorf("storing one memory read %d bytes", n)
	}
	hits := recallAs(t, db, "alice", t.TempDir(), Query{Vector: item(t, `{"text":"a late note about the harbour"}`).Vector, Model: "bow", K: 1, Mode: "vector"})
	if len(hits) != 1 || hits[0].ID != "late" {
		t.Fatalf("the memory stored last, by its vector: %+v", hits)
	}
}

// TestSharedMalformedCodes: a member can write a row of codes by hand
// that is not what the store writes (more slots than codes, codes shorter
// than their rowids); every other member's recall still works, reading
// the codes from the server and from the cache alike, and passes it over.
func TestSharedMalformedCodes(t *testing.T) {
	db := harbourNotes(t, 40)
	bob := asRole(t, db, "bob")
	for _, stmt := range []string{
		// 6,000 slots, no codes: past the size where recall ranks codes.
		`INSERT INTO codes(model, words, n, rowids, bits) VALUES ('bow', 1, 6000, decode(repeat('0100000000000000', 6000), 'hex'), ''::bytea)`,
		// rowids for 3 codes, bits for 1.
		`INSERT INTO codes(model, words, n, rowids, bits) VALUES ('bow', 1, 3, decode(repeat('0200000000000000', 3), 'hex'), decode('ffffffffffffffff', 'hex'))`,
		// n below zero.
		`INSERT INTO codes(model, words, n, rowids, bits) VALUES ('bow', 1, -5, ''::bytea, ''::bytea)`,
	} {
		if _, err := bob.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	q := Query{Text: "harbour note boat 7", Vector: item(t, `{"text":"harbour note boat 7"}`).Vector, Model: "bow", K: 3}
	for _, cache := range []string{"", t.TempDir()} {
		for range 2 { // with a cache: filled, then read
			if hits := recallAs(t, db, "alice", cache, q); len(hits) != 3 {
				t.Errorf("cache %q: %d hits, want 3", cache, len(hits))
			}
		}
	}
}

// TestSharedOpenRefusedParts: opening reads the models of the store's
// vectors with who this is, and must not depend on it: a role that may
// not read vectors still opens the store and recalls by keywords; a
// database of a newer schema, whose vectors are laid out otherwise, is
// named as such; and the models a store's own write changed are read
// afresh.
func TestSharedOpenRefusedParts(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Need(t, cluster, noCluster)

	db := harbourNotes(t, 20)
	keeper := asRole(t, db, "keeper")
	if _, err := keeper.Exec("REVOKE ALL ON vectors FROM PUBLIC"); err != nil {
		t.Fatal(err)
	}
	if err := c.Role(ctx, "reader"); err != nil {
		t.Fatal(err)
	}
	s, err := OpenShared(ctx, c.URL("reader", db), ReadOnly)
	if err != nil {
		t.Fatalf("a role that may not read vectors: %v", err)
	}
	hits, err := s.Search(ctx, Query{Text: "harbour boat 7", Mode: "keyword", K: 2})
	s.Close()
	if err != nil || len(hits) != 2 {
		t.Errorf("keyword recall without vectors: %d hits, %v", len(hits), err)
	}

	newer := sharedDB(t, "keeper")
	if err := c.Exec(ctx, newer, "CREATE TABLE shelf_meta(key text PRIMARY KEY, value text)", "INSERT INTO shelf_meta VALUES ('schema', '2')",
		"CREATE TABLE vectors(rowid bigint, embedding jsonb)", "GRANT SELECT ON shelf_meta, vectors TO PUBLIC"); err != nil {
		t.Fatal(err)
	}
	_, err = OpenShared(ctx, c.URL("alice", newer), ReadOnly)
	var se *SchemaError
	if !errors.As(err, &se) || !se.Newer() || !strings.HasSuffix(err.Error(), "was written by a newer remember (schema 2, this one knows 1)") {
		t.Errorf("a newer schema: %v", err)
	}

	w := openSharedAs(t, collective(t), "alice")
	it := item(t, `{"id":"a1","text":"the first note"}`)
	if _, err := w.Put(ctx, []Item{it}); err != nil {
		t.Fatal(err)
	}
	if models, err := w.Models(ctx); err != nil || !slices.Equal(models, []string{"bow"}) {
		t.Errorf("models after the store's own write: %q, %v", models, err)
	}
}

// TestSharedBestOrder: the server picks the first memories of a ranking
// as ranking.order does (scores weighed by age, ties by id bytewise),
// also in a database whose collation orders words otherwise, and with
// memories many half-lives old.
func TestSharedBestOrder(t *testing.T) {
	c := pgtest.Need(t, cluster, noCluster)
	ctx := context.Background()
	if err := c.Role(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	dbs := []string{sharedDB(t, "alice")}
	icu := fmt.Sprintf("icu%d", time.Now().UnixNano())
	if err := c.Exec(ctx, "postgres", "CREATE DATABASE "+icu+" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C' OWNER alice"); err != nil {
		t.Logf("no database of ICU's collation: %v", err)
	} else {
		dbs = append(dbs, icu)
	}
	ids := []string{"a", "B", "b", "_x", "Z", "z1", "Äpfel", "apfel", "10", "9", "a-b", "ab"}
	for _, db := range dbs {
		s := openSharedAs(t, db, "alice")
		var items []Item
		for i, id := range ids {
			it := item(t, fmt.Sprintf(`{"id":%q,"text":"the harbour wall %d","created":"2026-0%d-01"}`, id, i, 1+i%9))
			items = append(items, it)
		}
		if _, err := s.Put(ctx, items); err != nil {
			t.Fatal(err)
		}
		rows, err := s.db.QueryContext(ctx, "SELECT "+hitColumns(sharedMember)+" FROM memories m")
		if err != nil {
			t.Fatal(err)
		}
		all, err := scanHits(rows)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC).Unix()
		// A second's half-life: the weighed scores of memories months
		// old are 0 as floats (and would underflow in the server).
		for _, halfLife := range []time.Duration{0, 30 * 24 * time.Hour, time.Second} {
			for k := 1; k <= len(ids); k += 3 {
				// Three scores among twelve memories: ties aplenty.
				r := ranking{scores: map[int64]float64{}, k: k, halfLife: halfLife, now: now, terms: []string{"harbour"}}
				for i, h := range all {
					r.scores[h.rowid] = []float64{1.0 / 61, 1.0 / 62, 1.0/61 + 1.0/70}[i%3]
				}
				want := r.order(slices.Clone(all))
				got, err := sharedSearch{Shared: s}.best(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				if want := min(len(all), k+bestMargin); len(got) != want {
					t.Errorf("best read %d memories, want %d (k and the margin)", len(got), want)
				}
				got = r.order(got)
				var gotIDs, wantIDs []string
				for i := range got {
					gotIDs = append(gotIDs, got[i].ID)
				}
				for i := range want {
					wantIDs = append(wantIDs, want[i].ID)
				}
				if !slices.Equal(gotIDs, wantIDs) {
					t.Errorf("%s, half-life %v, k %d: %q, want %q", db, halfLife, k, gotIDs, wantIDs)
				}
				for _, h := range got {
					if !strings.Contains(h.Snippet, "harbour") {
						t.Errorf("snippet %q", h.Snippet)
					}
				}
			}
		}
	}
	if len(dbs) < 2 {
		t.Skip("tested in the database of the C collation only")
	}
}

// TestSharedSearchRefused: the keyword search, sent with the vector
// search's first query, fails or is not run when the server refuses
// either; the search says which, and the store goes on serving.
func TestSharedSearchRefused(t *testing.T) {
	c := pgtest.Need(t, cluster, noCluster)
	ctx := context.Background()
	q := Query{Text: "harbour note", Vector: item(t, `{"text":"harbour note"}`).Vector, Model: "bow", K: 5}
	for _, tc := range []struct{ table, side string }{{"memories", "keyword search"}, {"codes", "vector search"}} {
		db := harbourNotes(t, sharedExactLimit+100)
		for _, filtered := range []bool{false, true} {
			if err := c.Exec(ctx, db, "REVOKE SELECT ON "+tc.table+" FROM PUBLIC"); err != nil {
				t.Fatal(err)
			}
			s, err := OpenShared(ctx, c.URL("alice", db), ReadOnly)
			if err != nil {
				t.Fatal(err)
			}
			q := q
			if filtered {
				q.Member = "alice" // the vectors that pass, not the codes
			}
			_, err = s.Search(ctx, q)
			want := tc.side + ": "
			if filtered && tc.table == "codes" {
				want = "" // read no codes: no error
			}
			if want == "" && err != nil || want != "" && (err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), tc.table)) {
				t.Errorf("%s refused, filtered %v: %v, want %q", tc.table, filtered, err, want)
			}
			if err := c.Exec(ctx, db, "GRANT SELECT ON "+tc.table+" TO PUBLIC"); err != nil {
				t.Fatal(err)
			}
			if hits, err := s.Search(ctx, q); err != nil || len(hits) != 5 {
				t.Errorf("%s granted again, filtered %v: %v %v", tc.table, filtered, hits, err)
			}
			s.Close()
		}
	}
}

// TestSharedHostileDates: a member's hand-made rows dated at the ends of
// int64 fail no one's recall weighed by age.
func TestSharedHostileDates(t *testing.T) {
	ctx := context.Background()
	db := collective(t)
	alice := openSharedAs(t, db, "alice")
	if _, err := alice.Put(ctx, []Item{item(t, `{"id":"a1","text":"the harbour wall"}`)}); err != nil {
		t.Fatal(err)
	}
	mallory := asRole(t, db, "mallory")
	for i, at := range []int64{math.MinInt64, math.MaxInt64} {
		if _, err := mallory.Exec(`INSERT INTO memories(id, version, current, hash, stored_at, body, created_unix, record)
			VALUES ($1, 1, 1, 'x', 0, 'harbour', $2, '{}')`, fmt.Sprint("m", i), at); err != nil {
			t.Fatal(err)
		}
	}
	for _, halfLife := range []time.Duration{time.Second, 100 * 365 * 24 * time.Hour} {
		hits, err := alice.Search(ctx, Query{Text: "harbour", Mode: "keyword", K: 5, HalfLife: halfLife, Now: fixedClock()})
		if err != nil || len(hits) != 3 {
			t.Errorf("half-life %v: %v, %v", halfLife, hits, err)
		}
	}
}

// TestSharedPooledOpens: opening to read through a pooler, which refuses
// the read-only setting, costs a refused connection once; the cache keeps
// that, and later runs open in as many round trips as straight to the
// server, and still refuse to write.
func TestSharedPooledOpens(t *testing.T) {
	db := harbourNotes(t, 10)
	p := pooler(t)
	cache := t.TempDir()
	ctx := context.Background()
	var opens []int64
	for _, url := range []string{cluster.URL("alice", db), p.URL("alice", db), p.URL("alice", db)} {
		var writes atomic.Int64
		counting(t, &writes, nil)
		b, err := OpenFor(ctx, url, ReadOnly, nil, cache)
		if err != nil {
			t.Fatal(err)
		}
		opens = append(opens, writes.Load())
		if _, err := b.Put(ctx, []Item{item(t, `{"id":"w","text":"a write"}`)}); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: a write through a store opened to read: %v", redactURL(url), err)
		}
		b.Close()
	}
	if opens[1] <= opens[0] || opens[2] != opens[0] {
		t.Errorf("round trips to open: %d straight to the server, %d through the pooler first, %d then; want more, then the same", opens[0], opens[1], opens[2])
	}
}
