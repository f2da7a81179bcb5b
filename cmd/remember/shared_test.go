package main

import (
	"context"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/memory/pgtest"
	"github.com/shelfai/shelf/lib/scripttest"
)

// The scripts of testdata/shared run against a throwaway PostgreSQL
// server, started once for the package (skipped without PostgreSQL).
var (
	cluster   *pgtest.Cluster
	noCluster error
)

// withCluster runs the tests with the server up (only in the test
// process: not when the binary runs as remember for a script).
type withCluster struct{ m *testing.M }

func (w withCluster) Run() int { return pgtest.Main(w.m, &cluster, &noCluster) }

// collectiveEnv makes a database for a script, owned by the role keeper,
// with the members alice and bob, and sets KEEPER_DB, ALICE_DB, BOB_DB
// (URLs with the password), WRONG_DB (alice with a wrong one) and
// PGSECRET (the password, which no output may show).
func collectiveEnv(env *testscript.Env) error {
	ctx := context.Background()
	for _, r := range []string{"keeper", "alice", "bob"} {
		if err := cluster.Role(ctx, r); err != nil {
			return err
		}
	}
	db, err := cluster.NewDatabase(ctx)
	if err != nil {
		return err
	}
	if err := cluster.Exec(ctx, "postgres", "ALTER DATABASE "+db+" OWNER TO keeper"); err != nil {
		return err
	}
	for _, r := range []string{"keeper", "alice", "bob"} {
		env.Setenv(strings.ToUpper(r)+"_DB", cluster.URL(r, db))
	}
	env.Setenv("WRONG_DB", strings.Replace(cluster.URL("alice", db), cluster.Password, "x"+cluster.Password, 1))
	env.Setenv("PGSECRET", cluster.Password)
	env.Setenv("PGDATABASE", db)
	return nil
}

func TestSharedScript(t *testing.T) {
	pgtest.Need(t, cluster, noCluster)
	testscript.Run(t, scripttest.ToolParams("testdata/shared", *update, "remember", "", collectiveEnv))
}
