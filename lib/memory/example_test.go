package memory

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/memory/pgtest"
)

var update = flag.Bool("update", false, "rewrite examples/collective/store.sql")

// example is the folder of the collective's example.
var example = filepath.Join("..", "..", "examples", "collective")

// TestCollectiveStoreSQL: examples/collective/store.sql is what remember
// makes on the keeper's first run.
func TestCollectiveStoreSQL(t *testing.T) {
	want := "-- store.sql: what remember makes in a collective's database on the first\n" +
		"-- run that writes (the keeper's), for reading: remember runs it itself.\n" +
		"-- Generated from lib/memory/shared.go; do not edit.\n" + sharedDDL
	path := filepath.Join(example, "store.sql")
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("%s is not the store's SQL (go test ./lib/memory -run TestCollectiveStoreSQL -update): %v", path, err)
	}
}

// TestCollectiveExample: setup.sql as a superuser runs it, then the keeper
// makes the store and the members use it as the README says.
func TestCollectiveExample(t *testing.T) {
	c := pgtest.Need(t, cluster, noCluster)
	ctx := context.Background()
	runSQL(t, c, "postgres", "setup.sql")
	for _, r := range []string{"keeper", "ana", "ben"} {
		if err := c.Exec(ctx, "postgres", "ALTER ROLE "+r+" PASSWORD '"+c.Password+"'"); err != nil {
			t.Fatal(err)
		}
	}
	keeper, err := OpenShared(ctx, c.URL("keeper", "collective"), ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	keeper.Close()
	ana := openSharedAs(t, "collective", "ana")
	ben := openSharedAs(t, "collective", "ben")
	if _, err := ana.Put(ctx, []Item{item(t, `{"id":"a1","text":"the scaffolding is booked for March"}`)}); err != nil {
		t.Fatal(err)
	}
	if hits, err := ben.Search(ctx, Query{Text: "scaffolding", Mode: "keyword"}); err != nil || len(hits) != 1 || hits[0].Member != "ana" {
		t.Fatalf("ben recalls: %+v %v", hits, err)
	}
	var fe *ForeignError
	if _, err := ben.Forget(ctx, []string{"a1"}); !errors.As(err, &fe) {
		t.Fatalf("ben forgets ana's memory: %v", err)
	}
	// A role that is not a member cannot connect.
	if err := c.Role(ctx, "stranger"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenShared(ctx, c.URL("stranger", "collective"), ReadOnly); err == nil {
		t.Fatal("a stranger connected")
	}

	// Through PgBouncer as pgbouncer.ini sets it up (its addresses and
	// files the test's, no TLS), its auth_file made by userlist.sql (of the
	// members with a password: cleo has none yet): the
	// members log in as themselves, with their own passwords.
	ini, err := os.ReadFile(filepath.Join(example, "pgbouncer.ini"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.PoolerFrom(string(ini), userlist(t, c))
	if errors.Is(err, pgtest.ErrNoPooler) && os.Getenv("SHELF_NEED_POSTGRES") == "" {
		t.Skip("skipped: ", err)
	} else if err != nil {
		t.Fatal(err)
	}
	ben2, err := OpenShared(ctx, p.URL("ben", "collective"), ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	defer ben2.Close()
	if ben2.Member != "ben" {
		t.Fatalf("through the pooler as %q, want ben", ben2.Member)
	}
	if _, err := ben2.Put(ctx, []Item{item(t, `{"id":"b1","text":"the scaffolding is late"}`)}); err != nil {
		t.Fatal(err)
	}
	ana2, err := OpenShared(ctx, p.URL("ana", "collective"), ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer ana2.Close()
	if hits, err := ana2.Search(ctx, Query{Text: "scaffolding", Mode: "keyword"}); err != nil || len(hits) != 2 {
		t.Fatalf("ana recalls through the pooler: %+v %v", hits, err)
	}
	if _, err := ben2.Forget(ctx, []string{"a1"}); !errors.As(err, &fe) {
		t.Fatalf("ben forgets ana's memory through the pooler: %v", err)
	}
	// The pooler gives no one but the members in: not the keeper, nor a
	// stranger, nor the superuser; and a wrong password is refused.
	for _, u := range []string{p.URL("keeper", "collective"), p.URL("stranger", "collective"), p.URL(pgtest.Super, "collective"),
		strings.Replace(p.URL("ana", "collective"), c.Password, "wrong", 1)} {
		if s, err := OpenShared(ctx, u, ReadOnly); err == nil {
			s.Close()
			t.Errorf("%s logged in through the pooler", strings.Replace(u, c.Password, "…", 1))
		}
	}
}

// userlist is what userlist.sql makes, as a superuser.
func userlist(t *testing.T, c *pgtest.Cluster) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(example, "userlist.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", c.URL(pgtest.Super, "collective"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(string(b))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := scanColumn[string](rows)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range lines {
		names = append(names, strings.Fields(l)[0])
	}
	if want := []string{`"ana"`, `"ben"`}; !slices.Equal(names, want) {
		t.Fatalf("userlist.sql lists %q, want %q", names, want)
	}
	return strings.Join(lines, "\n") + "\n"
}

// runSQL runs the statements of the example's file name (each ending a
// line with ;) in database db as the superuser.
func runSQL(t *testing.T, c *pgtest.Cluster, db, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(example, name))
	if err != nil {
		t.Fatal(err)
	}
	var stmt strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "--") || strings.TrimSpace(line) == "" {
			continue
		}
		stmt.WriteString(line + "\n")
		if strings.HasSuffix(line, ";") {
			if err := c.Exec(context.Background(), db, stmt.String()); err != nil {
				t.Fatal(err)
			}
			stmt.Reset()
		}
	}
}
