package main

// The benchmark of make bench for the prompts of the pipeline:
//
//	prompt cache  "summarize | tasks" over a memo of about 1,500 words
//	              (testdata/cache/memo.jsonl) against the test server,
//	              which counts what a server's prompt cache could reuse of
//	              each prompt: the tokens it would still have to evaluate,
//	              over all requests, per token of the text. With the
//	              built-in prompts, and, for comparison, with the templates
//	              of the old layout (testdata/cache/old: each tool's system
//	              message first, the text last). Two windows: 8192, where
//	              the memo goes whole (goal: at most 1.2, the text
//	              evaluated once and the prompts' instructions besides),
//	              and Ollama's default of 4096, where it goes in two parts
//	              (each part costs each tool's instructions again, and
//	              summarize's final request its notes).

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/testserver"
)

// build builds the named commands (directories of cmd) as make build
// does, once per benchmark.
func build(b *testing.B, names ...string) map[string]string {
	b.Helper()
	dir := b.TempDir()
	bins := map[string]string{}
	for _, name := range names {
		out := filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-trimpath", "-tags=urfave_cli_no_docs", "-ldflags=-s -w", "-o", out, "../"+name)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", name, err, msg)
		}
		bins[name] = out
	}
	return bins
}

func BenchmarkPromptCache(b *testing.B) {
	bins := build(b, "summarize", "tasks")
	top := filepath.Join("..", "..", "testdata", "cache")
	memo, err := os.ReadFile(filepath.Join(top, "memo.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	text := testserver.Tokens(record.New(memo).Get("text").String())
	old, err := filepath.Abs(filepath.Join(top, "old"))
	if err != nil {
		b.Fatal(err)
	}
	// ratio runs the pipeline against a fresh server with the templates
	// of dir ("" for the built-in ones), and returns the tokens the server
	// would have evaluated per token of the text.
	ratio := func(b *testing.B, window, dir string) float64 {
		log := filepath.Join(b.TempDir(), "requests.jsonl")
		srv, err := testserver.New(testserver.Options{LogFile: log})
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		home := b.TempDir()
		env := []string{"SHELF_BASE_URL=" + srv.URL + "/ollama/" + window + "/v1", "HOME=" + home,
			"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
			"TZ=Europe/Berlin", "SOURCE_DATE_EPOCH=1772812800", "NO_COLOR=1"}
		args := func(tool string) []string {
			a := []string{"-m", "tiny", "--no-cache"}
			if dir != "" {
				a = append(a, "--prompt", filepath.Join(dir, tool+".tmpl"))
			}
			return a
		}
		sum := exec.Command(bins["summarize"], args("summarize")...)
		tasks := exec.Command(bins["tasks"], args("tasks")...)
		sum.Env, tasks.Env = env, env
		sum.Stdin = strings.NewReader(string(memo))
		var sumErr, tasksErr, out strings.Builder
		sum.Stderr, tasks.Stderr, tasks.Stdout = &sumErr, &tasksErr, &out
		pipe, err := sum.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		tasks.Stdin = pipe
		if err := sum.Start(); err != nil {
			b.Fatal(err)
		}
		if err := tasks.Run(); err != nil {
			b.Fatalf("tasks: %v\n%s", err, tasksErr.String())
		}
		io.Copy(io.Discard, pipe)
		if err := sum.Wait(); err != nil {
			b.Fatalf("summarize: %v\n%s", err, sumErr.String())
		}
		rec := record.New([]byte(out.String()))
		// The test server's tasks make warnings (their due dates are
		// not dates), which are no failure.
		if !rec.Get("summary").Exists() || !rec.Get("tasks").IsArray() {
			b.Fatalf("the pipeline did not summarize and find tasks: %.2000s", out.String())
		}
		if data, _ := os.ReadFile(log); strings.Contains(string(data), `"cut":true`) {
			b.Fatalf("the server cut a prompt: it did not fit the window")
		}
		return float64(srv.PromptCache().Evaluated()) / float64(text)
	}
	for _, w := range []struct{ window, unit string }{
		{"8192", "evaluated/text(goal<=1.2)"},
		{"4096", "evaluated/text"},
	} {
		b.Run("window="+w.window, func(b *testing.B) {
			b.ReportMetric(ratio(b, w.window, ""), w.unit)
			b.ReportMetric(ratio(b, w.window, old), "evaluated/text-old-layout")
		})
	}
}
