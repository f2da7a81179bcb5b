//go:build integration

package integration

// The integration tests: every tool against a real Ollama, as a user runs
// it. TestMain builds the tools, writes the model, starts ollama serve on
// 127.0.0.1 with a temporary models directory, creates the model "tiny" and
// stops the server when the tests end, however they end. Each tool has one
// script in testdata/.
//
//	make test-integration      (builds Ollama once, then runs these)

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/audio"
	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/scripttest"
	"github.com/shelfai/shelf/lib/testserver"
)

var (
	audioSrv *testserver.Server // the speech-to-text Ollama lacks
	shared   *Server
	binDir   string
	models   string
	ollama   string
	tmp      string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	var err error
	if ollama, err = FindOllama(config.CacheDir()); err != nil {
		return fail(err)
	}
	if tmp, err = os.MkdirTemp("", "shelf-integration-"); err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)

	binDir = filepath.Join(tmp, "bin")
	build := exec.Command("go", "build", "-tags", "urfave_cli_no_docs", "-o", binDir+string(filepath.Separator), "./cmd/...")
	build.Dir = filepath.Join("..", "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("build the tools: %v\n%s", err, out))
	}

	modelDir := filepath.Join(tmp, "model")
	models = filepath.Join(tmp, "models")
	for _, d := range []string{modelDir, models} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fail(err)
		}
	}
	if err := WriteModelDir(modelDir, DefaultModel); err != nil {
		return fail(err)
	}
	if shared, err = StartServer(ollama, models, filepath.Join(tmp, "serve")); err != nil {
		return fail(err)
	}
	defer shared.Stop()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		shared.Stop()
		os.RemoveAll(tmp)
		os.Exit(130)
	}()
	if err := shared.Create("tiny", modelDir); err != nil {
		return fail(err)
	}
	if audioSrv, err = testserver.New(testserver.Options{}); err != nil {
		return fail(err)
	}
	defer audioSrv.Close()
	code := m.Run()
	if code != 0 {
		if log, err := os.ReadFile(shared.Log); err == nil {
			lines := strings.Split(string(log), "\n")
			fmt.Fprintf(os.Stderr, "--- the last lines of the shared server's log:\n%s\n", strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	}
	return code
}

type serverKey struct {
	ts   *testscript.TestScript
	name string
}

// servers are the scripts' own servers.
var servers sync.Map

func TestTools(t *testing.T) {
	cmds := map[string]func(ts *testscript.TestScript, neg bool, args []string){
		// ollama start NAME: a server of the script's own (on the same
		// models), its base URL in $NAME and its log in $NAME_LOG.
		// ollama stop NAME: stop it.
		"ollama": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: ollama start|stop NAME")
			}
			key := serverKey{ts, args[1]}
			switch args[0] {
			case "start":
				s, err := StartServer(ollama, models, ts.MkAbs(args[1]+".serve"))
				ts.Check(err)
				ts.Defer(func() { s.Stop() })
				servers.Store(key, s)
				ts.Setenv(args[1], s.BaseURL())
				ts.Setenv(args[1]+"_LOG", s.Log)
			case "stop":
				s, ok := servers.Load(key)
				if !ok {
					ts.Fatalf("no server %s", args[1])
				}
				s.(*Server).Stop()
			default:
				ts.Fatalf("usage: ollama start|stop NAME")
			}
		},
	}
	for k, v := range scripttest.Cmds {
		cmds[k] = v
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		Cmds:                cmds,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("SHELF_BASE_URL", shared.BaseURL())
			env.Setenv("OLLAMA_URL", "http://"+shared.Addr)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".local", "share"))
			env.Setenv("NO_COLOR", "1")
			env.Setenv("TESTSERVER", audioSrv.URL)
			env.Setenv("BIN", binDir)
			examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
			if err != nil {
				return err
			}
			env.Setenv("EXAMPLES", examples)
			// A two-second memo for transcribe.
			a := audio.Audio{Rate: 16000, Samples: make([]float32, 32000)}
			for i := range a.Samples {
				a.Samples[i] = float32(0.3 * math.Sin(2*math.Pi*440*float64(i)/16000))
			}
			var w bytes.Buffer
			audio.EncodeWAV(&w, a)
			return os.WriteFile(filepath.Join(env.WorkDir, "memo.wav"), w.Bytes(), 0o644)
		},
	})
}
