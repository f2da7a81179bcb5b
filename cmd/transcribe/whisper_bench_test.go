//go:build whisper

package main

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/audio"
)

// BenchmarkWhisperBatch (make bench-whisper) runs N files through one
// process against N processes of one file: the model is loaded once per
// process, so the batch should cost close to 1/N of the load time per file.
func BenchmarkWhisperBatch(b *testing.B) {
	model := os.Getenv("SHELF_WHISPER_MODEL")
	if model == "" {
		b.Skip("set SHELF_WHISPER_MODEL to a whisper.cpp model file")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "transcribe")
	build := exec.Command("go", "build", "-tags", "whisper urfave_cli_no_docs", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	const n = 8
	var files []string
	for i := range n {
		a := audio.Audio{Rate: 16000, Samples: make([]float32, 2*16000)}
		for j := range a.Samples {
			a.Samples[j] = float32(0.3 * math.Sin(2*math.Pi*float64(200+50*i)*float64(j)/16000))
		}
		var w bytes.Buffer
		audio.EncodeWAV(&w, a)
		f := filepath.Join(dir, "f"+string(rune('a'+i))+".wav")
		os.WriteFile(f, w.Bytes(), 0o644)
		files = append(files, f)
	}
	run := func(args ...string) time.Duration {
		cmd := exec.Command(bin, append([]string{"--engine", "whisper", "-m", model, "--temperature-inc", "0", "--no-cache"}, args...)...)
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+dir)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		return time.Since(start)
	}
	best := func(f func() time.Duration) time.Duration {
		m := f()
		for range 2 {
			m = min(m, f())
		}
		return m
	}
	batch := best(func() time.Duration { return run(files...) })
	separate := best(func() time.Duration {
		var t time.Duration
		for _, f := range files {
			t += run(f)
		}
		return t
	})
	b.ReportMetric(float64(batch)/float64(separate), "batch/separate")
	b.ReportMetric(batch.Seconds()/n*1000, "ms/file-batch")
	b.ReportMetric(separate.Seconds()/n*1000, "ms/file-separate")
}
