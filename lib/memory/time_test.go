package memory

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestTimeOf: a memory's time is its created (RFC 3339, or a date read as
// midnight where the store's clock is), else when it was stored.
func TestTimeOf(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	stored := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	paris := time.FixedZone("CET", 3600)
	for _, c := range []struct {
		created string
		loc     *time.Location
		want    time.Time
	}{
		{"2026-11-25T18:00:00Z", time.UTC, time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)},
		{"2026-11-25T18:00:00+01:00", time.UTC, time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)},
		{"2026-11-25T18:00:00.250Z", time.UTC, time.Date(2026, 11, 25, 18, 0, 0, 250e6, time.UTC)},
		{"2026-11-25", time.UTC, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		{"2026-11-25", paris, time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)},
		{" 2026-11-25 ", time.UTC, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		{"", time.UTC, stored},
		{"last tuesday", time.UTC, stored},
		{"2026-11-25T18:00:00", time.UTC, stored}, // no zone: not RFC 3339
		{"2026-13-01", time.UTC, stored},
	} {
		setNow(s, func() time.Time { return stored.In(c.loc) })
		rec, _ := json.Marshal(map[string]string{"text": "note " + c.created + " " + c.loc.String(), "created": c.created})
		it := item(t, string(rec))
		if _, err := s.Put(ctx, []Item{it}); err != nil {
			t.Fatal(err)
		}
		var unix int64
		if err := s.db.QueryRowContext(ctx, "SELECT "+timeExpr+" FROM memories m WHERE id = ?", it.ID).Scan(&unix); err != nil {
			t.Fatal(err)
		}
		if got := time.Unix(unix, 0); !got.Equal(c.want.Truncate(time.Second)) {
			t.Errorf("created %q in %v: %v, want %v", c.created, c.loc, got.UTC(), c.want)
		}
	}
}

// TestSinceStored: --since, --until, the newest listing and recency read
// a memory without created by when it was stored.
func TestSinceStored(t *testing.T) { each(t, testSinceStored) }

func testSinceStored(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	setNow(s, func() time.Time { return now.AddDate(0, 0, -60) })
	if _, err := s.Put(ctx, []Item{item(t, `{"id":"stale","text":"harbour regatta notes"}`)}); err != nil {
		t.Fatal(err)
	}
	setNow(s, func() time.Time { return now })
	if _, err := s.Put(ctx, []Item{
		item(t, `{"id":"plain","text":"buy stamps"}`),
		item(t, `{"id":"yesterday","text":"harbour regatta notes, again","created":"2026-11-25T12:00:00Z"}`),
		item(t, `{"id":"dated","text":"dentist","created":"2026-11-26"}`),
		item(t, `{"id":"early","text":"breakfast","created":"2026-11-26T08:00:00Z"}`),
	}); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	list := func(q Query) []string {
		t.Helper()
		q.K, q.Now = 10, now
		hits, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	if got := list(Query{Since: today}); !slices.Equal(got, []string{"plain", "early", "dated"}) {
		t.Errorf("since today, newest first: %v", got)
	}
	if got := list(Query{Since: today.AddDate(0, 0, -1), Until: today}); !slices.Equal(got, []string{"yesterday"}) {
		t.Errorf("yesterday: %v", got)
	}
	if got := list(Query{Until: today.AddDate(0, 0, -1)}); !slices.Equal(got, []string{"stale"}) {
		t.Errorf("until the day before yesterday: %v", got)
	}
	if got := list(Query{Text: "stamps", Mode: "keyword", Since: today}); !slices.Equal(got, []string{"plain"}) {
		t.Errorf("a query since today: %v", got)
	}
	// Recency: the memory stored 60 days ago weighs less than the one made
	// yesterday, though it has no created.
	if got := list(Query{Text: "harbour regatta notes", Mode: "keyword", HalfLife: 30 * 24 * time.Hour}); len(got) != 2 || got[0] != "yesterday" {
		t.Errorf("recency: %v", got)
	}
}

// oldStore makes a store of schema 1 as remember wrote it then: created
// parsed only when RFC 3339, so a date left created_unix empty.
func oldStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations[0](context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	stored := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC).Unix()
	for i, r := range []struct {
		id, created string
		unix        any
	}{
		{"rfc", "2026-11-25T12:00:00Z", time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC).Unix()},
		{"date", "2026-11-24", nil},
		{"plain", "", nil},
	} {
		if _, err := db.Exec(`INSERT INTO memories(id, version, current, hash, stored_at, body, created, created_unix, record)
			VALUES(?, 1, 1, ?, ?, ?, ?, ?, '{}')`, r.id, r.id, stored, "note "+r.id, r.created, r.unix); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO memories_fts(rowid, title, body, tags) VALUES(?, '', ?, '')", i+1, "note "+r.id); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestSchema1: a store of schema 1 is read as it is, and brought up to
// date by the first run that may write it (twice: the same).
func TestSchema1(t *testing.T) {
	ctx := context.Background()
	path := oldStore(t)
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	list := func(s *Store, q Query) []string {
		t.Helper()
		q.K = 10
		hits, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatalf("read-only, schema 1: %v", err)
	}
	if got := list(ro, Query{Since: today}); !slices.Equal(got, []string{"date", "plain"}) {
		t.Errorf("schema 1 since today (a date read by when it was stored): %v", got)
	}
	if st, err := ro.Stats(ctx); err != nil || st.Schema != 1 {
		t.Errorf("stats of a schema 1 store: %+v %v", st, err)
	}
	ro.Close()
	before := stateOf(t, path)
	if _, err := OpenReadOnly(ctx, path); err != nil {
		t.Fatal(err)
	}
	if after := stateOf(t, path); string(after.data) != string(before.data) {
		t.Fatal("reading a schema 1 store changed it")
	}
	for range 2 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		setNow(s, func() time.Time { return today.Add(9 * time.Hour) })
		var v int
		if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion {
			t.Fatalf("schema %d %v", v, err)
		}
		if got := list(s, Query{Since: today}); !slices.Equal(got, []string{"plain"}) {
			t.Errorf("since today: %v", got)
		}
		// The date is midnight where the machine is: within three days
		// of today in any time zone.
		if got := list(s, Query{Since: today.AddDate(0, 0, -3), Until: today}); !slices.Equal(got, []string{"rfc", "date"}) {
			t.Errorf("the three days before: %v", got)
		}
		var plan string
		rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT m.rowid FROM memories m WHERE m.current = 1 AND "+timeExpr+" >= 0 ORDER BY "+timeExpr+" DESC LIMIT 5")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c int
			var d string
			rows.Scan(&a, &b, &c, &d)
			plan += d + "\n"
		}
		rows.Close()
		if !strings.Contains(plan, "memories_at") {
			t.Errorf("the newest listing does not use the index of times:\n%s", plan)
		}
		s.Close()
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Put(ctx, []Item{item(t, `{"id":"new","text":"note new","created":"2026-11-26"}`)}); err != nil {
		t.Fatal(err)
	}
	if hits, err := s.Search(ctx, Query{Text: "new", Mode: "keyword"}); err != nil || len(hits) != 1 || hits[0].ID != "new" {
		t.Fatalf("after a store: %+v %v", hits, err)
	}
}

// TestRankingOrderAncient: memories so many half-lives old that their
// weighed scores are 0 as floats still rank by score and age, not by id.
func TestRankingOrderAncient(t *testing.T) {
	day := int64(24 * 3600)
	r := ranking{scores: map[int64]float64{1: 0.02, 2: 0.02, 3: 0.03, 4: 0.01}, k: 4, halfLife: time.Hour, now: 4000 * day}
	hits := []Hit{{rowid: 1, ID: "a", at: 0}, {rowid: 2, ID: "b", at: 1000 * day}, {rowid: 3, ID: "c", at: 0}, {rowid: 4, ID: "d", at: 3999 * day}}
	var got []string
	for _, h := range r.order(hits) {
		got = append(got, h.ID)
		if h.ID != "d" && h.Score != 0 {
			t.Errorf("%s: score %g, want 0 (too small for a float)", h.ID, h.Score)
		}
	}
	if want := []string{"d", "b", "c", "a"}; !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}
