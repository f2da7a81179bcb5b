package main

// The benchmarks of make bench. Each builds the real binary and measures it
// as users run it, and reports its figure as a ratio against its goal:
//
//	startup     summarize --version against a trivial Go binary (goal: under 2x)
//	throughput  1,000 records at -j 8 against a server taking 50 ms a request,
//	            as a fraction of the ideal 6.25 s (goal: at least 0.9)
//	warm cache  the same 1,000 records again, all answers cached (goal: under 0.5 s)
//	memory      peak RSS passing 1 GB of JSON Lines through (goal: under 64 MB)
//	answer      peak RSS while a server sends a 1 GB answer, plain and
//	            streamed (bounded by --max-answer, 32 MiB: goal under 200 MB, about 6x it)

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/testserver"
)

// buildBinaries builds summarize and a trivial program once per run.
func buildBinaries(b *testing.B) (summarize, trivial string) {
	b.Helper()
	dir := b.TempDir()
	summarize = filepath.Join(dir, "summarize")
	trivial = filepath.Join(dir, "trivial")
	build := func(out string, args ...string) {
		// as make build builds them
		cmd := exec.Command("go", append([]string{"build", "-trimpath", "-tags=urfave_cli_no_docs", "-ldflags=-s -w", "-o", out}, args...)...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("build: %v\n%s", err, msg)
		}
	}
	build(summarize, ".")
	src := filepath.Join(dir, "trivial.go")
	os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644)
	build(trivial, src)
	return summarize, trivial
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

func BenchmarkStartup(b *testing.B) {
	sum, triv := buildBinaries(b)
	var ts, tt []time.Duration
	run := func(bin string, args ...string) time.Duration {
		start := time.Now()
		if err := exec.Command(bin, args...).Run(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for range 5 { // warm the page cache
		run(sum, "--version")
		run(triv)
	}
	for range 100 {
		ts = append(ts, run(sum, "--version"))
		tt = append(tt, run(triv))
	}
	ms, mt := median(ts), median(tt)
	b.ReportMetric(float64(ms)/float64(mt), "x-trivial(goal<2)")
	b.ReportMetric(float64(ms)/1e6, "ms-summarize")
	b.ReportMetric(float64(mt)/1e6, "ms-trivial")
}

func records(n int) string {
	var s strings.Builder
	for i := range n {
		fmt.Fprintf(&s, "{\"id\":\"r%d\",\"text\":\"Memo number %d about the garden and the roof.\"}\n", i, i)
	}
	return s.String()
}

func runSummarize(b *testing.B, bin, stdin string, env []string, args ...string) time.Duration {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	d := time.Since(start)
	if err != nil {
		b.Fatalf("summarize: %v\n%s", err, stderr.String())
	}
	if n := strings.Count(string(out), `"summary":"`); n != strings.Count(stdin, "\n") {
		b.Fatalf("%d summaries for %d records", n, strings.Count(stdin, "\n"))
	}
	return d
}

func BenchmarkThroughput(b *testing.B) {
	sum, _ := buildBinaries(b)
	srv, err := testserver.New(testserver.Options{Delay: 50 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	in := records(1000)
	d := runSummarize(b, sum, in, []string{"SHELF_BASE_URL=" + srv.BaseURL()}, "-j", "8", "-m", "tiny+slow", "--no-cache")
	ideal := 1000 * 50 * time.Millisecond / 8
	b.ReportMetric(float64(ideal)/float64(d), "of-ideal(goal>=0.9)")
	b.ReportMetric(d.Seconds(), "s-1000-records")
}

func BenchmarkWarmCache(b *testing.B) {
	sum, _ := buildBinaries(b)
	log := filepath.Join(b.TempDir(), "requests.jsonl")
	srv, err := testserver.New(testserver.Options{LogFile: log})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	// The chat requests: each run also asks the server for its window.
	chats := func() int {
		data, _ := os.ReadFile(log)
		return strings.Count(string(data), `"path":"/chat/completions"`)
	}
	in := records(1000)
	env := []string{"SHELF_BASE_URL=" + srv.BaseURL(), "XDG_CACHE_HOME=" + b.TempDir()}
	runSummarize(b, sum, in, env, "-j", "8", "-m", "tiny")
	before := chats()
	d := runSummarize(b, sum, in, env, "-j", "8", "-m", "tiny")
	if chats() != before {
		b.Fatalf("the warm run sent %d chat requests", chats()-before)
	}
	b.ReportMetric(d.Seconds(), "s(goal<0.5)")
}

func BenchmarkPeakMemory(b *testing.B) {
	sum, _ := buildBinaries(b)
	cmd := exec.Command(sum, "--base-url", "http://127.0.0.1:9/v1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	const total = 1 << 30
	var counted int64
	done := make(chan error, 1)
	go func() {
		n, err := io.Copy(io.Discard, stdout)
		counted = n
		done <- err
	}()
	w := bufio.NewWriterSize(stdin, 1<<20)
	line := []byte(`{"id":"x","note":"` + strings.Repeat("records without text pass through untouched ", 20) + `","n":[1,2,3]}` + "\n")
	big := []byte(`{"id":"big","body":"` + strings.Repeat("y", 10<<20) + `"}` + "\n")
	written := 0
	w.Write(big)
	written += len(big)
	for written < total {
		w.Write(line)
		written += len(line)
	}
	w.Flush()
	stdin.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	if counted != int64(written) {
		b.Fatalf("wrote %d bytes, got %d back", written, counted)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	mb := float64(ru.Maxrss) / 1024 // kilobytes on Linux
	b.ReportMetric(mb, "MB-peak-RSS(goal<64)")
	b.ReportMetric(float64(written)/(1<<20)/cmd.ProcessState.UserTime().Seconds(), "MB/s-user")
}

// BenchmarkHugeAnswer: a server that sends answers of up to 4 GB (the test
// server's "endless" fault); summarize reads 32 MiB of each (the default
// --max-answer) and fails the record. Peak RSS of the whole process.
func BenchmarkHugeAnswer(b *testing.B) {
	sum, _ := buildBinaries(b)
	srv, err := testserver.New(testserver.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for _, mode := range []struct{ name, input string }{
		{"plain", `{"text":"a memo"}` + "\n"},
		{"stream", "a memo\n"}, // plain text with --raw streams
	} {
		cmd := exec.Command(sum, "--base-url", srv.BaseURL(), "-m", "tiny+endless", "--no-cache", "--raw")
		cmd.Stdin = strings.NewReader(mode.input)
		cmd.Env = []string{"HOME=" + b.TempDir(), "NO_COLOR=1"}
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "larger than 32 MiB") && !strings.Contains(string(out), "tokens, the most asked for, can hold") {
			b.Fatalf("%s: %v\n%.2000s", mode.name, err, out)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		b.ReportMetric(float64(ru.Maxrss)/1024, "MB-peak-RSS-"+mode.name+"(goal<200)")
	}
}
