//go:build integration

package integration

// The integration tests: every tool against a real Ollama, as a user runs
// it. TestMain builds the tools, writes the model, starts ollama serve on
// 127.0.0.1 with a temporary models directory, creates the model "tiny"
// (no num_ctx: Ollama's default window) and
// stops the server when the tests end, however they end. Each tool has one
// script in testdata/.
//
//	make test-integration      (builds Ollama once, then runs these)

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
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
	// No num_ctx: Ollama's default window applies, as for most models,
	// and the tools learn it from the server. (tasks' prompt, with the
	// schema it may have to carry, leaves no room for text in 512 tokens,
	// and in 1024 leaves the random model too few for its answer.) Scripts
	// that need a small window start servers of their own.
	if err := os.WriteFile(filepath.Join(modelDir, "Modelfile"), []byte(ModelfileWith(0)), 0o644); err != nil {
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
		// ollama start NAME [NUM_CTX|none]: a server of the script's own,
		// its base URL in $NAME and its log in $NAME_LOG. It serves the
		// same models, or, with NUM_CTX, a model "tiny" of its own whose
		// Modelfile sets that num_ctx ("none": no num_ctx).
		// ollama stop NAME: stop it.
		"ollama": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) < 2 || len(args) > 3 || len(args) == 3 && args[0] != "start" {
				ts.Fatalf("usage: ollama start NAME [NUM_CTX|none] | ollama stop NAME")
			}
			key := serverKey{ts, args[1]}
			switch args[0] {
			case "start":
				dir, models := "", models
				if len(args) == 3 {
					numCtx := 0
					if args[2] != "none" {
						n, err := strconv.Atoi(args[2])
						if err != nil || n < 1 {
							ts.Fatalf("ollama start: NUM_CTX %q is not a number of tokens", args[2])
						}
						numCtx = n
					}
					dir, models = ts.MkAbs(args[1]+".model"), ts.MkAbs(args[1]+".models")
					ts.Check(os.MkdirAll(dir, 0o755))
					ts.Check(os.MkdirAll(models, 0o755))
					ts.Check(WriteModelDir(dir, DefaultModel))
					ts.Check(os.WriteFile(filepath.Join(dir, "Modelfile"), []byte(ModelfileWith(numCtx)), 0o644))
				}
				s, err := StartServer(ollama, models, ts.MkAbs(args[1]+".serve"))
				ts.Check(err)
				ts.Defer(func() { s.Stop() })
				if dir != "" {
					ts.Check(s.Create("tiny", dir))
				}
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
				ts.Fatalf("usage: ollama start NAME [NUM_CTX|none] | ollama stop NAME")
			}
		},
		// gateway NAME URL: a proxy in front of the server whose base URL
		// is URL that passes on only the OpenAI-compatible API (/v1/...),
		// as some gateways do; the server's own endpoints, where it says
		// its window, are not found. Its base URL in $NAME.
		"gateway": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: gateway NAME URL")
			}
			target, err := url.Parse(args[1])
			ts.Check(err)
			rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
			rp.FlushInterval = -1 // streams pass at once
			gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.URL.Path, "/v1/") {
					http.NotFound(w, r)
					return
				}
				rp.ServeHTTP(w, r)
			}))
			ts.Defer(gw.Close)
			ts.Setenv(args[0], gw.URL+"/v1")
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
