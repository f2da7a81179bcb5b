package pgtest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// ErrNoPooler is the error of a machine without PgBouncer.
var ErrNoPooler = errors.New("PgBouncer is not installed (Debian: apt-get install pgbouncer)")

// Pooler is a PgBouncer in front of a cluster, in transaction mode: a
// client holds a server connection only for a transaction (a statement,
// outside one), and waits for one when all its pool's are busy.
type Pooler struct {
	Port     int
	PoolSize int // server connections of each role and database
	password string
	cmd      *exec.Cmd
	done     chan error
	dir      string
}

// Pooler starts a PgBouncer in front of the cluster, listening on a free
// port of 127.0.0.1, with at most poolSize server connections for each
// role and database, and maxDB for each database (0: no such limit). It logs every role in with the cluster's password
// (SCRAM, the secrets looked up in the cluster as its superuser). The
// cluster stops it when it stops.
func (c *Cluster) Pooler(poolSize, maxDB int) (*Pooler, error) {
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if bin = "/usr/sbin/pgbouncer"; !fileExists(bin) {
			return nil, ErrNoPooler
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(c.Dir, "pooler")
	if err != nil {
		return nil, err
	}
	if c.cred != nil {
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return nil, err
		}
	}
	p := &Pooler{Port: port, PoolSize: poolSize, password: c.Password, dir: dir, done: make(chan error, 1)}
	ini := fmt.Sprintf(`[databases]
* = host=127.0.0.1 port=%d
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = scram-sha-256
auth_file = %s
auth_user = %s
auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename = $1
pool_mode = transaction
default_pool_size = %d
max_db_connections = %d
max_client_conn = 500
logfile = %s
`, c.Port, port, filepath.Join(dir, "users"), Super, poolSize, maxDB, filepath.Join(dir, "log"))
	for name, text := range map[string]string{"ini": ini, "users": fmt.Sprintf("%q %q\n", Super, c.Password)} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
			return nil, err
		}
		if c.cred != nil {
			if err := os.Chown(f, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
				return nil, err
			}
		}
	}
	p.cmd = exec.Command(bin, filepath.Join(dir, "ini"))
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGTERM}
	out, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		return nil, err
	}
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		out.Close()
		return nil, err
	}
	go func() { p.done <- p.cmd.Wait(); out.Close() }()
	if err := p.ready(); err != nil {
		p.stop()
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		b, _ := os.ReadFile(out.Name())
		return nil, fmt.Errorf("pgbouncer: %v\n%s%s", err, b, log)
	}
	c.mu.Lock()
	c.poolers = append(c.poolers, p)
	c.mu.Unlock()
	return p, nil
}

// ready waits until the pooler answers, and has logged in to the server.
func (p *Pooler) ready() error { return answers(p.URL(Super, "postgres"), p.done) }

// stop stops the pooler (at once: clients are cut off).
func (p *Pooler) stop() { stop(p.cmd, p.done, syscall.SIGTERM) }

// URL is the URL of database db as user through the pooler.
func (p *Pooler) URL(user, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, p.password), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}
