package examples

// The examples run as a user runs them: TestMain builds the five tools,
// and each script in testdata/ runs an example against the project's test
// server, with the tools on PATH and in $BIN, and the examples' folder in
// $EXAMPLES.

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
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
	testscript.Run(t, p)
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
