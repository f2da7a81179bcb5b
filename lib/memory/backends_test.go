package memory

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/memory/pgtest"
)

// The store tests run against both stores: a SQLite file, and a shared
// store on a throwaway PostgreSQL server (skipped when PostgreSQL is not
// installed).

var (
	cluster   *pgtest.Cluster
	noCluster error
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster, &noCluster)) }

// opener opens a new, empty store of one kind.
type opener func(t testing.TB) Backend

// each runs a store test against each store.
func each(t *testing.T, test func(t *testing.T, open opener)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func(t testing.TB) Backend { return openSQLite(t) })
	})
	t.Run("postgres", func(t *testing.T) {
		pgtest.Need(t, cluster, noCluster)
		test(t, func(t testing.TB) Backend {
			s := openShared(t, "alice")
			s.CacheDir = t.TempDir() // as remember runs it
			return s
		})
	})
	// Through a pooler in transaction mode, as a collective with more
	// members than its server has cores runs it (examples/collective):
	// no statement may count on the server connection of the one before.
	t.Run("pgbouncer", func(t *testing.T) {
		p := pooler(t)
		test(t, func(t testing.TB) Backend {
			s, err := OpenShared(context.Background(), p.URL("alice", sharedDB(t, "alice")), ReadWrite)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			s.CacheDir = t.TempDir()
			return s
		})
	})
}

var (
	poolerOnce sync.Once
	thePooler  *pgtest.Pooler
	noPooler   error
)

// pooler is the tests' PgBouncer in front of the cluster (2 server
// connections a role), started by the first test that needs it; it
// skips t without one (fails under SHELF_NEED_POSTGRES).
func pooler(t testing.TB) *pgtest.Pooler {
	t.Helper()
	c := pgtest.Need(t, cluster, noCluster)
	poolerOnce.Do(func() { thePooler, noPooler = c.Pooler(2, 0) })
	if noPooler != nil {
		if errors.Is(noPooler, pgtest.ErrNoPooler) && os.Getenv("SHELF_NEED_POSTGRES") == "" {
			t.Skip("skipped: ", noPooler)
		}
		t.Fatalf("no pooler: %v", noPooler)
	}
	return thePooler
}

func openSQLite(t testing.TB) *Store { return open(t) }

// sharedDB makes an empty database that owner owns (and so, as the
// first to open it to write, the store's tables), and returns its name.
func sharedDB(t testing.TB, owner string) string {
	t.Helper()
	c := pgtest.Need(t, cluster, noCluster)
	ctx := context.Background()
	if err := c.Role(ctx, owner); err != nil {
		t.Fatal(err)
	}
	name, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "postgres", "ALTER DATABASE "+name+" OWNER TO "+owner); err != nil {
		t.Fatal(err)
	}
	return name
}

// openShared makes a database of member's and opens a store in it.
func openShared(t testing.TB, member string) *Shared {
	t.Helper()
	return openSharedAs(t, sharedDB(t, member), member)
}

// openSharedAs opens the store of database db as member.
func openSharedAs(t testing.TB, db, member string) *Shared {
	t.Helper()
	c := pgtest.Need(t, cluster, noCluster)
	if err := c.Role(context.Background(), member); err != nil {
		t.Fatal(err)
	}
	s, err := OpenShared(context.Background(), c.URL(member, db), ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// setNow sets the clock that dates what s stores.
func setNow(s Backend, now func() time.Time) {
	switch s := s.(type) {
	case *Store:
		s.Now = now
	case *Shared:
		s.Now = now
	}
}
