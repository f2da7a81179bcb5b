package memory

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
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
	b, err := os.ReadFile(filepath.Join(example, "setup.sql"))
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
			if err := c.Exec(ctx, "postgres", stmt.String()); err != nil {
				t.Fatal(err)
			}
			stmt.Reset()
		}
	}
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
}
