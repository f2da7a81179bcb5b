// Package pgtest starts a throwaway PostgreSQL server for tests: a cluster
// made by initdb in a temporary folder, listening on a free port of
// 127.0.0.1 and a socket in that folder, removed when it stops. When the
// PostgreSQL programs are not installed, Start says so (ErrMissing) and
// the tests that need a server skip, unless SHELF_NEED_POSTGRES is set
// (make test-postgres), when they fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// ErrMissing is the error of a machine without the PostgreSQL programs.
var ErrMissing = errors.New("PostgreSQL's initdb and postgres are not installed (Debian: apt-get install postgresql)")

// Super is the name of the cluster's superuser.
const Super = "shelf"

// Cluster is a running throwaway server.
type Cluster struct {
	Dir      string // the cluster's folder (data and socket)
	Port     int
	Password string // of every role the tests make, and of Super
	cmd      *exec.Cmd
	done     chan error
	dbs      atomic.Int64
	roles    sync.Mutex // one role made at a time
	cred     *syscall.Credential
	poolers  []*Pooler // stopped with the cluster
	mu       sync.Mutex
}

// binDirs are where Debian keeps the programs, besides $PATH.
var binDirs = []string{"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"}

// program finds a PostgreSQL program.
func program(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range binDirs {
		if p := filepath.Join(d, name); fileExists(p) {
			return p, nil
		}
	}
	return "", ErrMissing
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Start makes and starts a cluster. As root (which initdb refuses), the
// programs run as the user postgres.
func Start() (*Cluster, error) {
	initdb, err := program("initdb")
	if err != nil {
		return nil, err
	}
	postgres, err := program("postgres")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, Password: randomHex(12), done: make(chan error, 1)}
	fail := func(err error) (*Cluster, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fail(fmt.Errorf("running as root, the server runs as the user postgres: %w", err))
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return fail(err)
		}
	}
	c.cred = cred
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(c.Password+"\n"), 0o644); err != nil {
		return fail(err)
	}
	data := filepath.Join(dir, "data")
	cmd := exec.Command(initdb, "-D", data, "-U", Super, "--pwfile", pwfile, "-E", "UTF8", "--locale", "C",
		"--auth-local", "trust", "--auth-host", "scram-sha-256", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	os.Remove(pwfile)
	c.Port, err = freePort()
	if err != nil {
		return fail(err)
	}
	c.cmd = exec.Command(postgres, "-D", data, "-k", dir, "-c", "listen_addresses=127.0.0.1", "-p", strconv.Itoa(c.Port),
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200")
	c.cmd.SysProcAttr = procAttr(cred)
	log, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		return fail(err)
	}
	if cred != nil {
		os.Chown(log.Name(), int(cred.Uid), int(cred.Gid))
	}
	c.cmd.Stdout, c.cmd.Stderr = log, log
	if err := c.cmd.Start(); err != nil {
		log.Close()
		return fail(err)
	}
	go func() { c.done <- c.cmd.Wait(); log.Close() }()
	if err := c.ready(); err != nil {
		c.Stop()
		b, _ := os.ReadFile(log.Name())
		return nil, fmt.Errorf("%v\n%s", err, b)
	}
	return c, nil
}

// ready waits until the server answers.
func (c *Cluster) ready() error {
	if err := answers(c.URL(Super, "postgres"), c.done); err != nil {
		return fmt.Errorf("postgres %v", err)
	}
	return nil
}

// answers waits until a server (or pooler) at url answers, or its
// process ends (done).
func answers(url string, done chan error) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		db, err := sql.Open("pgx", url)
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			return nil
		}
		select {
		case werr := <-done:
			done <- werr
			return fmt.Errorf("stopped: %v", werr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("did not answer: %v", err)
		}
	}
}

// stop signals a process to stop, and kills it if it has not in 30 s.
func stop(cmd *exec.Cmd, done chan error, sig os.Signal) {
	if cmd != nil && cmd.Process != nil {
		cmd.Process.Signal(sig)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
}

// Stop stops the server (fast: clients are cut off), and its poolers,
// and removes its folder.
func (c *Cluster) Stop() {
	c.mu.Lock()
	for _, p := range c.poolers {
		p.stop()
	}
	c.poolers = nil
	c.mu.Unlock()
	stop(c.cmd, c.done, syscall.SIGINT)
	os.RemoveAll(c.Dir)
}

// URL is the URL of database db as user, with the password.
func (c *Cluster) URL(user, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, c.Password), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// Exec runs statements in database db as the superuser.
func (c *Cluster) Exec(ctx context.Context, db string, stmts ...string) error {
	conn, err := sql.Open("pgx", c.URL(Super, db))
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// NewDatabase makes an empty database, owned by the superuser, and
// returns its name.
func (c *Cluster) NewDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d", c.dbs.Add(1))
	return name, c.Exec(ctx, "postgres", "CREATE DATABASE "+name)
}

// Role makes a role that can log in (with the cluster's password), if
// there is none of that name yet. Tests that run at once may ask for the
// same role: one at a time, the second finds it made (two at once would
// both find none, and one would fail to make it).
func (c *Cluster) Role(ctx context.Context, name string) error {
	c.roles.Lock()
	defer c.roles.Unlock()
	return c.Exec(ctx, "postgres", fmt.Sprintf(`DO $$BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%[1]s') THEN CREATE ROLE %[1]s LOGIN PASSWORD '%[2]s'; END IF;
	END$$`, name, c.Password))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Main wraps a test binary's run: it starts a cluster into *c (left nil,
// with the reason in *why, when none can start), runs the tests, and stops
// it. Pass it to testing.M's place: os.Exit(pgtest.Main(m, &c, &why)).
func Main(m interface{ Run() int }, c **Cluster, why *error) int {
	var err error
	*c, err = Start()
	if err != nil {
		*why = err
		return m.Run()
	}
	defer (*c).Stop()
	return m.Run()
}

// Need returns the cluster, or skips t saying why there is none.
func Need(t testing.TB, c *Cluster, why error) *Cluster {
	t.Helper()
	if c == nil {
		if errors.Is(why, ErrMissing) && os.Getenv("SHELF_NEED_POSTGRES") == "" {
			t.Skip("skipped: ", why)
		}
		t.Fatalf("no PostgreSQL server: %v", why)
	}
	return c
}
