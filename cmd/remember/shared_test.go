package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
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
// PGSECRET (the password, which no output may show); with PgBouncer,
// ALICE_POOLED_DB and BOB_POOLED_DB, through it.
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
	if p, err := pooler(); err == nil {
		for _, r := range []string{"alice", "bob"} {
			env.Setenv(strings.ToUpper(r)+"_POOLED_DB", p.URL(r, db))
		}
	}
	return nil
}

var (
	poolerOnce sync.Once
	thePooler  *pgtest.Pooler
	noPooler   error
)

// pooler is the scripts' PgBouncer in front of the cluster (2 server
// connections a role), started by the first script.
func pooler() (*pgtest.Pooler, error) {
	poolerOnce.Do(func() { thePooler, noPooler = cluster.Pooler(2, 0) })
	return thePooler, noPooler
}

// TestSharedScript runs the scripts; [pooler] is the condition of a
// PgBouncer in front of the server (the scripts through it fail without
// one under SHELF_NEED_POSTGRES, as make test-postgres runs them).
func TestSharedScript(t *testing.T) {
	pgtest.Need(t, cluster, noCluster)
	p := scripttest.ToolParams("testdata/shared", *update, "remember", "", collectiveEnv)
	cond := p.Condition
	p.Condition = func(c string) (bool, error) {
		if c != "pooler" {
			return cond(c)
		}
		_, err := pooler()
		if err != nil && (!errors.Is(err, pgtest.ErrNoPooler) || os.Getenv("SHELF_NEED_POSTGRES") != "") {
			return false, err
		}
		return err == nil, nil
	}
	testscript.Run(t, p)
}
