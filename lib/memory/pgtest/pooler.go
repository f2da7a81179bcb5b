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
	"strings"
	"syscall"
	"time"
)

// ErrNoPooler is the error of a machine without PgBouncer.
var ErrNoPooler = errors.New("PgBouncer is not installed (Debian: apt-get install pgbouncer)")

// Pooler is a PgBouncer in front of a cluster, in transaction mode: a
// client holds a server connection only for a transaction (a statement,
// outside one), and waits for one when all its pool's are busy.
type Pooler struct {
	Port     int
	password string
	cmd      *exec.Cmd
	done     chan error
	dir      string
}

// Pooler starts a PgBouncer in front of the cluster, listening on a free
// port of 127.0.0.1, with at most poolSize server connections for each
// role and database, and maxDB for each database (0: no such limit). It
// logs every role in with the cluster's password (SCRAM, the secrets
// looked up in the cluster as its superuser). The cluster stops it when
// it stops.
func (c *Cluster) Pooler(poolSize, maxDB int) (*Pooler, error) {
	return c.PoolerFrom(fmt.Sprintf(`[databases]
* = host=127.0.0.1
[pgbouncer]
auth_type = scram-sha-256
auth_user = %s
auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename = $1
pool_mode = transaction
default_pool_size = %d
max_db_connections = %d
max_client_conn = 500
`, Super, poolSize, maxDB), fmt.Sprintf("%q %q\n", Super, c.Password))
}

// PoolerFrom starts a PgBouncer configured by ini (pgbouncer.ini's
// text), in front of the cluster: every database of its [databases] on
// the cluster's port of 127.0.0.1, listening on a free port of 127.0.0.1
// (no socket), its files (auth_file, logfile, pidfile) in a folder of its
// own, the auth_file with the text users, without TLS to the clients.
func (c *Cluster) PoolerFrom(ini, users string) (*Pooler, error) {
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
	p := &Pooler{Port: port, password: c.Password, dir: dir, done: make(chan error, 1)}
	ini = c.adapt(ini, port, dir)
	for name, text := range map[string]string{"ini": ini, "users": users} {
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

// adapt rewrites a pgbouncer.ini for a pooler of the cluster listening on
// port, its files in dir.
func (c *Cluster) adapt(ini string, port int, dir string) string {
	var out []string
	var section string
	own := map[string]string{
		"listen_addr": "127.0.0.1", "listen_port": strconv.Itoa(port), "unix_socket_dir": "",
		"auth_file": filepath.Join(dir, "users"), "logfile": filepath.Join(dir, "log"), "pidfile": "",
	}
	for _, line := range strings.Split(ini, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			section = t
			out = append(out, t)
			if t == "[pgbouncer]" {
				for k, v := range own {
					out = append(out, k+" = "+v)
				}
			}
			continue
		}
		key, value, ok := strings.Cut(t, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case !ok || strings.HasPrefix(t, ";") || strings.HasPrefix(t, "#"):
			continue
		case section == "[databases]":
			var kept []string
			for _, f := range strings.Fields(value) {
				if !strings.HasPrefix(f, "host=") && !strings.HasPrefix(f, "port=") {
					kept = append(kept, f)
				}
			}
			line = fmt.Sprintf("%s = host=127.0.0.1 port=%d %s", key, c.Port, strings.Join(kept, " "))
		case section == "[pgbouncer]" && (own[key] != "" || key == "unix_socket_dir" || key == "pidfile" || strings.HasPrefix(key, "client_tls_")):
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n") + "\n"
}

// ready waits until the pooler listens.
func (p *Pooler) ready() error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Port)))
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case werr := <-p.done:
			p.done <- werr
			return fmt.Errorf("stopped: %v", werr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("did not listen: %v", err)
		}
	}
}

// stop stops the pooler (at once: clients are cut off).
func (p *Pooler) stop() { stop(p.cmd, p.done, syscall.SIGTERM) }

// URL is the URL of database db as user through the pooler.
func (p *Pooler) URL(user, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, p.password), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}
