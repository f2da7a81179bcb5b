package pgtest

import (
	"context"
	"database/sql"
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
