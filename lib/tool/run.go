package tool

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shelfai/shelf/lib/ask"
	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/logging"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/urfave/cli/v2"
)

// Client makes the model client from the model flags.
func (e *Env) Client() (*llm.Client, error) {
	c := e.CLI
	if n := c.Int("context-length"); n != 0 && n < 256 {
		err := e.BadSetting("context-length", "%d is too small to hold a prompt", n)
		err.(*sysexits.Error).Hint = "most models hold 2048 tokens or more; Ollama's default is 4096"
		return nil, err
	}
	if n := c.Int("retries"); n < 0 {
		return nil, e.BadSetting("retries", "must be 0 or more, not %d", n)
	}
	if d := c.Duration("timeout"); d <= 0 {
		return nil, e.BadSetting("timeout", "must be positive, not %s", d)
	}
	maxAnswer, err := ParseSize(c.String("max-answer"))
	if err != nil {
		return nil, e.BadSetting("max-answer", "%v", err)
	}
	if err := CheckBaseURL(c.String("base-url")); err != nil {
		return nil, e.BadSetting("base-url", "%v", err)
	}
	cfg := llm.Config{
		MaxAnswer:     maxAnswer,
		BaseURL:       c.String("base-url"),
		Model:         c.String("model"),
		APIKey:        c.String("api-key"),
		Timeout:       c.Duration("timeout"),
		Retries:       c.Int("retries"),
		Temperature:   c.Float64("temperature"),
		ContextLength: givenContextLength(c),
		OnRetry: func(attempt int, wait time.Duration, why string) {
			e.Log.Warn("retrying", "attempt", attempt, "in", wait.Round(time.Millisecond), "after", e.Safe(why))
		},
		OnFallback: func(from, to, why string) {
			e.Log.Info("structured output: the server needs a simpler method", "from", from, "to", to, "because", e.Safe(why))
		},
		OnWindow: e.logWindow,
	}
	if !c.Bool("no-cache") {
		cfg.CacheDir = filepath.Join(config.CacheDir(), "llm")
		if err := (&llm.Cache{Dir: cfg.CacheDir}).Check(); err != nil {
			e.Log.Warn("the response cache cannot be written; answers are not kept for the next run", "dir", cfg.CacheDir, "err", err)
		}
	}
	return llm.New(cfg), nil
}

// Run reads the records of the command's file operands (or stdin), works on
// each with fn, and writes them with sink (JSON Lines on stdout when nil).
// It returns an error carrying the exit status that the run calls for.
func (e *Env) Run(fn pipeline.Func, sink pipeline.Sink) error {
	return e.RunFrom(e.Inputs(), fn, sink)
}

// Inputs returns the reader of the command's file operands (or stdin),
// warning when stdin is a terminal, and logging the reader's warnings (the
// first five; the rest at debug level).
func (e *Env) Inputs() *jsonl.Inputs {
	names := e.CLI.Args().Slice()
	readsStdin := len(names) == 0
	for _, n := range names {
		if n == "-" {
			readsStdin = true
		}
	}
	if readsStdin && logging.IsTerminal(e.Stdin) {
		e.Log.Warn("reading records from the terminal; end with Ctrl-D, or pipe or redirect input")
	}
	in := jsonl.NewInputs(names, e.Stdin, e.Name)
	warned := 0
	in.Warn = func(msg string) {
		warned++
		switch {
		case warned <= 5:
			e.Log.Warn(msg, "input", in.Name())
		case warned == 6:
			e.Log.Warn("more input lines had warnings; each record carries its own in its errors field")
		default:
			e.Log.Debug(msg, "input", in.Name())
		}
	}
	return in
}

// RunFrom is Run with the records from src.
func (e *Env) RunFrom(src pipeline.Source, fn pipeline.Func, sink pipeline.Sink) error {
	c := e.CLI
	e.WatchSignals()
	if sink == nil {
		sink = jsonl.NewWriter(e.Stdout)
	}
	progress := logging.NewProgress(e.Stderr, e.display, c.Bool("quiet"))
	logged := 0
	var firstErr error
	opt := pipeline.Options{
		Tool:   e.Name,
		Redact: e.Redact,
		Jobs:   c.Int("jobs"),
		Strict: c.Bool("strict"),
		Failed: func(rec *record.Record, err error) {
			logged++
			if firstErr == nil {
				firstErr = err
			}
			where := fmt.Sprintf("record %d", rec.Line)
			switch {
			case logged <= 5:
				e.Log.Warn(e.Safe(err.Error()), "input", where)
			case logged == 6:
				e.Log.Warn("more records failed; each carries its error in its errors field")
			default:
				e.Log.Debug(e.Safe(err.Error()), "input", where)
			}
		},
	}
	var mu sync.Mutex
	var last pipeline.Stats
	show := func() {
		mu.Lock()
		s := last
		mu.Unlock()
		fraction := -1.0
		if in, ok := src.(interface{ Progress() (int64, int64) }); ok {
			if done, total := in.Progress(); total > 0 {
				fraction = float64(done) / float64(total)
			}
		}
		progress.Count(s.Written, e.Total, s.Failed, fraction)
	}
	opt.Progress = func(s pipeline.Stats) {
		mu.Lock()
		last = s
		mu.Unlock()
		show()
	}
	if opt.Jobs < 1 {
		return e.BadSetting("jobs", "must be 1 or more, not %d", opt.Jobs)
	}
	if opt.Jobs > maxJobs {
		return e.BadSetting("jobs", "must be at most %d, not %d", maxJobs, opt.Jobs)
	}
	stopTicks := func() {}
	if progress != nil {
		// A long record (an hour of audio, a model that thinks) still
		// shows that the run is alive: the line is redrawn every second.
		tick := time.NewTicker(time.Second)
		stop, stopped := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(stopped)
			for {
				select {
				case <-tick.C:
					show()
				case <-stop:
					return
				}
			}
		}()
		stopTicks = func() { tick.Stop(); close(stop); <-stopped }
	}
	stats, err := pipeline.Run(c.Context, src, sink, opt, fn)
	stopTicks()
	progress.Done()
	if err != nil {
		return err
	}
	e.Log.Debug("done", "records", stats.Written, "failed", stats.Failed, "invalid", stats.Invalid)
	code := stats.ExitCode()
	if code == 0 {
		return nil
	}
	if stats.Failed > 0 {
		hint := hintFor(firstErr, e.urlEnv)
		if hint == "" {
			hint = "each failed record carries the reason in its errors field"
		}
		msg := fmt.Sprintf("%d of %d records failed (the first: %v)", stats.Failed, stats.Read, firstErr)
		if stats.Invalid > 0 {
			msg += fmt.Sprintf("; %d input lines were not JSON objects", stats.Invalid)
		}
		return &sysexits.Error{Code: code, Err: errors.New(msg), Hint: hint}
	}
	return sysexits.Errorf(code, "they were passed on as {\"raw\": ..., \"errors\": [...]} records", "%d input lines were not JSON objects", stats.Invalid)
}

// CheckBaseURL says what is wrong with an endpoint's URL, before any
// request: it must be http or https with a host.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q is not an http:// or https:// URL (for Ollama: http://localhost:11434/v1)", raw)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q has no host (for Ollama: http://localhost:11434/v1)", raw)
	}
	return nil
}

// AskOptions are the options of a tool that asks a model about a record's
// text, from its flags: --field, --jobs, and --context-length as the person
// gave it, which fails as a bad setting when it leaves no room for text. A
// request the server cut is logged as the text worked on again; doing says
// how ("summarizing it").
func (e *Env) AskOptions(doing string) ask.Options {
	c := e.CLI
	return ask.Options{
		Field:         c.String("field"),
		Jobs:          c.Int("jobs"),
		Now:           Now,
		ContextLength: givenContextLength(c),
		BadSetting:    e.BadSetting,
		OnCut: func(line, window int) {
			e.Log.Info("the server cut a request of this text; "+doing+" again in smaller parts", "record", line, "window", window)
		},
	}
}

// givenContextLength is --context-length when the person gave it (flag,
// environment or configuration file), else 0: the server's window then.
func givenContextLength(c *cli.Context) int {
	if !c.IsSet("context-length") {
		return 0
	}
	return c.Int("context-length")
}

// logWindow says which context window text is split for, and warns when a
// request the server cut lowered it.
func (e *Env) logWindow(w llm.WindowInfo) {
	given := "not given"
	if w.Given > 0 {
		given = strconv.Itoa(w.Given)
	}
	if w.Was > 0 {
		e.Log.Warn("the server cut a request short: its window is smaller than assumed; splitting text for the smaller window from now on",
			"window", w.Tokens, "was", w.Was)
		return
	}
	e.Log.Debug("context window", "tokens", w.Tokens, "from", w.Source, "context-length", given)
}

// maxJobs bounds --jobs: far more requests at once than any local server
// serves, and few enough goroutines that a typo cannot exhaust memory.
const maxJobs = 1024
