package examples

// The examples run as a user runs them: TestMain builds the five tools,
// and each script in testdata/ runs an example against the project's test
// server, with the tools on PATH and in $BIN, and the examples' folder in
// $EXAMPLES.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/audio"
	"github.com/shelfai/shelf/lib/scripttest"
)

var binDir string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "shelf-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "examples:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	binDir = filepath.Join(tmp, "bin")
	args := []string{"build", "-tags", "urfave_cli_no_docs", "-o", binDir + string(filepath.Separator)}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/...")...)
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "examples: build the tools: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

func TestExamples(t *testing.T) {
	p := scripttest.Params("testdata", false)
	p.Setup = func(env *testscript.Env) error {
		if err := scripttest.Setup(env); err != nil {
			return err
		}
		here, err := filepath.Abs(".")
		if err != nil {
			return err
		}
		env.Setenv("EXAMPLES", here)
		env.Setenv("BIN", binDir)
		env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
		env.Setenv("SOURCE_DATE_EPOCH", "1795683600")
		env.Setenv("TZ", "UTC")
		// The memos are written just before the examples run.
		env.Setenv("SHELF_MEMO_SETTLE", "0")
		// Two voice memos (tones of two pitches, so their audio and
		// ids differ).
		memos := filepath.Join(env.WorkDir, "memos")
		if err := os.MkdirAll(memos, 0o755); err != nil {
			return err
		}
		for name, hz := range map[string]float64{"a.wav": 440, "b.wav": 660} {
			if err := os.WriteFile(filepath.Join(memos, name), tone(hz), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
	p.Cmds = maps.Clone(p.Cmds)
	p.Cmds["vscode-tasks"] = vscodeTasks
	testscript.Run(t, p)
}

// vscodeTasks runs every task of a VS Code tasks.json as VS Code would,
// with the selection and the current file both FILE:
//
//	vscode-tasks TASKS.JSON FILE
//
// Each task's output follows a line "== LABEL".
func vscodeTasks(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: vscode-tasks TASKS.JSON FILE")
	}
	var tasks struct {
		Tasks []struct {
			Label   string `json:"label"`
			Type    string `json:"type"`
			Command string `json:"command"`
			Options struct {
				Env map[string]string `json:"env"`
			} `json:"options"`
		} `json:"tasks"`
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Check(json.Unmarshal(data, &tasks))
	if len(tasks.Tasks) == 0 {
		ts.Fatalf("no tasks in %s", args[0])
	}
	file := ts.MkAbs(args[1])
	selected := ts.ReadFile(args[1])
	vars := strings.NewReplacer("${selectedText}", selected, "${file}", file)
	var out strings.Builder
	for _, task := range tasks.Tasks {
		if task.Type != "shell" {
			ts.Fatalf("task %q: type %q, want shell", task.Label, task.Type)
		}
		cmd := exec.Command("sh", "-c", vars.Replace(task.Command))
		cmd.Dir = ts.Getenv("WORK")
		cmd.Env = envOf(ts)
		for k, v := range task.Options.Env {
			cmd.Env = append(cmd.Env, k+"="+vars.Replace(v))
		}
		got, err := cmd.CombinedOutput()
		if err != nil {
			ts.Fatalf("task %q: %v\n%s", task.Label, err, got)
		}
		fmt.Fprintf(&out, "== %s\n%s", task.Label, got)
	}
	ts.Stdout().Write([]byte(out.String()))
}

// envOf is the script's environment.
func envOf(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "SHELF_BASE_URL", "SHELF_MODEL", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "NO_COLOR", "SOURCE_DATE_EPOCH", "TZ"} {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// tone is a second of a sine at hz, as a 16 kHz WAV file.
func tone(hz float64) []byte {
	a := audio.Audio{Rate: 16000, Samples: make([]float32, 16000)}
	for i := range a.Samples {
		a.Samples[i] = float32(0.3 * math.Sin(2*math.Pi*hz*float64(i)/16000))
	}
	var w bytes.Buffer
	audio.EncodeWAV(&w, a)
	return w.Bytes()
}

// TestReadmeCron keeps the README's first recipe the crontab entry the
// tests run.
func TestReadmeCron(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cron, err := os.ReadFile(filepath.Join("cron", "voice-memos.crontab"))
	if err != nil {
		t.Fatal(err)
	}
	var job string
	for _, l := range strings.Split(string(cron), "\n") {
		if l != "" && strings.ContainsAny(l[:1], "0123456789*") {
			job = l
		}
	}
	if job == "" {
		t.Fatal("no job in cron/voice-memos.crontab")
	}
	if !strings.Contains(string(readme), "\n"+job+"\n") {
		t.Errorf("README.md lacks the crontab entry of cron/voice-memos.crontab:\n%s", job)
	}
}
