package integration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// OllamaVersion is the Ollama the integration tests are held to: the newest
// that builds from the Go module proxy with plain go install.
const OllamaVersion = "0.6.8"

// Server is an ollama serve process on 127.0.0.1.
type Server struct {
	Bin    string
	Models string // OLLAMA_MODELS
	Home   string
	Addr   string   // host:port
	Log    string   // the server's output
	Env    []string // more of its environment, such as OLLAMA_DEBUG=1
	cmd    *exec.Cmd
	done   chan error
	stop   sync.Once
}

// BaseURL is the server's OpenAI-compatible endpoint.
func (s *Server) BaseURL() string { return "http://" + s.Addr + "/v1" }

// freeAddr finds a free port on the loopback interface.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func (s *Server) env() []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + s.Home, // ollama writes its key under ~/.ollama
		"OLLAMA_HOST=" + s.Addr,
		"OLLAMA_MODELS=" + s.Models,
		"OLLAMA_NOPRUNE=1",
	}, s.Env...)
}

// StartServer starts ollama serve with the given models directory, a home
// of its own under dir, and its log in dir, and waits until it answers.
// env is more of its environment (NAME=VALUE), such as OLLAMA_DEBUG=1.
func StartServer(bin, models, dir string, env ...string) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &Server{Bin: bin, Models: models, Home: filepath.Join(dir, "home"), Addr: addr, Log: filepath.Join(dir, "serve.log"), Env: env, done: make(chan error, 1)}
	if err := os.MkdirAll(s.Home, 0o755); err != nil {
		return nil, err
	}
	log, err := os.Create(s.Log)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = s.env()
	s.cmd.Stdout, s.cmd.Stderr = log, log
	// Its own process group, so Stop ends the model runners too; and it
	// dies with the test process however that ends.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.done <- s.cmd.Wait(); log.Close() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/version")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("ollama serve exited: %v (log: %s)", err, s.Log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("ollama serve did not answer within 30s (log: %s)", s.Log)
		}
	}
}

// Create runs ollama create NAME -f Modelfile in dir.
func (s *Server) Create(name, dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.Bin, "create", name, "-f", "Modelfile")
	cmd.Dir = dir
	cmd.Env = s.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ollama create %s: %v\n%s", name, err, out)
	}
	return nil
}

// Stop ends the server and its runners: SIGTERM, then SIGKILL after 10s.
// It may be called more than once.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.stop.Do(func() {
		pgid := s.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-s.done
		}
		// Runners that outlived the server go too.
		syscall.Kill(-pgid, syscall.SIGKILL)
	})
}

// WriteModelDir writes model.gguf and its Modelfile into dir.
func WriteModelDir(dir string, o ModelOptions) error {
	f, err := os.Create(filepath.Join(dir, "model.gguf"))
	if err != nil {
		return err
	}
	if err := WriteModel(f, o); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "Modelfile"), []byte(Modelfile), 0o644)
}

// FindOllama returns the ollama binary: $SHELF_OLLAMA, else the one make
// test-integration builds under the cache directory.
func FindOllama(cacheDir string) (string, error) {
	if b := os.Getenv("SHELF_OLLAMA"); b != "" {
		return b, nil
	}
	b := filepath.Join(cacheDir, "ollama-"+OllamaVersion, "bin", "ollama")
	if _, err := os.Stat(b); err != nil {
		return "", errors.New("no ollama binary: run 'make test-integration', which builds Ollama v" + OllamaVersion + " once, or set SHELF_OLLAMA")
	}
	return b, nil
}

// Port returns the port of an address.
func Port(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}
