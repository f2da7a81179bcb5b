package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"
)

var (
	cluster *Cluster
	why     error
)

func TestMain(m *testing.M) { os.Exit(Main(m, &cluster, &why)) }

func TestStart(t *testing.T) {
	c := Need(t, cluster, why)
	ctx := context.Background()
	name, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Role(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", c.URL("alice", name))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var who string
	if err := db.QueryRowContext(ctx, "SELECT current_user").Scan(&who); err != nil || who != "alice" {
		t.Fatalf("current_user %q, %v", who, err)
	}
}

// TestPooler: a role made after the pooler started logs in through it
// (its secret is looked up then), and each statement is its own
// transaction on one of the pool's server connections.
func TestPooler(t *testing.T) {
	c := Need(t, cluster, why)
	p, err := c.Pooler(1, 0)
	if errors.Is(err, ErrNoPooler) && os.Getenv("SHELF_NEED_POSTGRES") == "" {
		t.Skip("skipped: ", err)
	} else if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	name, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Role(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	var pids []int
	for range 2 {
		// Without pgx's cache of prepared statements, which a pooler
		// in transaction mode would give to another client.
		db, err := sql.Open("pgx", p.URL("bob", name)+"&default_query_exec_mode=exec")
		if err != nil {
			t.Fatal(err)
		}
		var who string
		var pid int
		if err := db.QueryRowContext(ctx, "SELECT current_user, pg_backend_pid()").Scan(&who, &pid); err != nil || who != "bob" {
			t.Fatalf("current_user %q, %v", who, err)
		}
		db.Close()
		pids = append(pids, pid)
	}
	if pids[0] != pids[1] {
		t.Errorf("two clients one after the other had server processes %v, want the pool's one", pids)
	}
}
