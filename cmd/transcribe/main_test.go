package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/audio"
	"github.com/shelfai/shelf/lib/scripttest"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/shelfai/shelf/lib/transcribe"
)

var update = flag.Bool("update", false, "rewrite the golden parts of scripts and the man page")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"transcribe": func() { os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
		"mkwav":      mkwav,
	})
}

// mkwav FILE SECONDS [RATE]: a mono 16-bit WAV with a 440 Hz tone.
func mkwav() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: mkwav FILE SECONDS [RATE]")
		os.Exit(2)
	}
	secs, _ := strconv.ParseFloat(os.Args[2], 64)
	rate := 16000
	if len(os.Args) > 3 {
		rate, _ = strconv.Atoi(os.Args[3])
	}
	a := audio.Audio{Rate: rate, Samples: make([]float32, int(secs*float64(rate)))}
	for i := range a.Samples {
		a.Samples[i] = float32(0.3 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	f, err := os.Create(os.Args[1])
	if err == nil {
		err = audio.EncodeWAV(f, a)
		f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func TestScript(t *testing.T) {
	p := scripttest.ToolParams("testdata/script", *update, "transcribe", "", func(env *testscript.Env) error {
		// The command's own path, for scripts that empty PATH.
		bin, err := exec.LookPath("transcribe")
		env.Setenv("TRANSCRIBE", bin)
		// The same engine in builds with and without whisper.
		env.Setenv("SHELF_TRANSCRIBE_ENGINE", "api")
		return err
	})
	// [whisper]: this build has the whisper engine.
	p.Condition = func(cond string) (bool, error) {
		if cond == "whisper" {
			return transcribe.WhisperBuilt, nil
		}
		return scripttest.Condition(cond)
	}
	testscript.Run(t, p)
}

func TestManPage(t *testing.T) {
	if err := tool.CheckKeys(spec()); err != nil {
		t.Error(err)
	}
	page, err := tool.ManPage(spec())
	if err != nil {
		t.Fatal(err)
	}
	scripttest.Golden(t, page, filepath.Join("..", "..", "man", "man1", "transcribe.1"), *update)
}
