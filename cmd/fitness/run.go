package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/fitness"
	"github.com/shelfai/shelf/lib/logging"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
)

func run(env *tool.Env) error {
	c := env.CLI
	env.WatchSignals()
	var models []string
	for _, m := range append(strings.Split(c.String("models"), ","), c.Args().Slice()...) {
		if m = strings.TrimSpace(m); m != "" {
			models = append(models, m)
		}
	}
	if len(models) == 0 && c.String("model") != "" {
		models = []string{c.String("model")}
	}
	if len(models) == 0 {
		return sysexits.New(sysexits.Usage, "for example: shelf-fitness --models llama3.2,qwen2.5:3b", errors.New("no model to check: name them with --models or as arguments"))
	}
	if err := tool.CheckBaseURL(c.String("base-url")); err != nil {
		return env.BadSetting("base-url", "%v", err)
	}
	self, _ := os.Executable()
	wd, _ := os.Getwd()
	dir, err := fitness.FindDir(c.String("fixtures"), self, wd, dataDirs())
	if err != nil {
		return sysexits.New(sysexits.NoInput, "give the folder with --fixtures DIR, or run make install", err)
	}
	fx, err := fitness.Load(dir)
	if err != nil {
		return sysexits.New(sysexits.DataErr, "", err)
	}
	progs, err := fitness.FindPrograms(self, exec.LookPath)
	if err != nil {
		return err
	}
	if d := c.String("report"); d != "" {
		if err := fitness.PrepareReport(d); err != nil {
			return sysexits.New(sysexits.CantCreate, "give --report a folder that can be made and written", fmt.Errorf("report: %w", err))
		}
	}
	work, err := os.MkdirTemp("", "shelf-fitness-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	progress := logging.NewProgress(env.Stderr, env.Name, c.Bool("quiet"))
	r := &fitness.Runner{
		Fixtures: fx, Programs: progs, BaseURL: c.String("base-url"), Env: childEnv(env), Work: work, Jobs: c.Int("jobs"),
	}
	if c.Bool("verbose") {
		r.Log = env.Stderr
	}
	var results []*fitness.Result
	var failed error
	worst := 0
	for i, model := range models {
		r.Progress = func(model, step string, done, total int) {
			progress.Update("model %d of %d (%s): %s, %d of %d", i+1, len(models), model, step, done, total)
		}
		env.Log.Info("checking", "model", model, "memos", len(fx.Memos))
		res, err := r.Run(c.Context, model)
		if err != nil {
			if c.Context.Err() != nil {
				progress.Done()
				return context.Cause(c.Context)
			}
			if sysexits.Code(err) == sysexits.Unavailable {
				progress.Done()
				return err
			}
			env.Log.Error(env.Safe(err.Error()), "model", model)
			res = &fitness.Result{Model: model, Error: env.Safe(err.Error())}
			failed = errors.Join(failed, err)
			worst = sysexits.Worst(worst, sysexits.Code(err))
		}
		if n := res.Speed.UsageIgnored; n > 0 {
			env.Log.Warn(fmt.Sprintf("%d answers gave usage out of bounds (negative, fractional or over %.0f tokens), left out of the token figures", n, fitness.MaxUsageTokens), "model", model)
		}
		results = append(results, res)
	}
	var speech error
	if c.Bool("transcribe") {
		// The speech model is not the chat model: one check for all.
		r.Progress = func(_, step string, done, total int) {
			progress.Update("transcribe: %s, %d of %d", step, done, total)
		}
		t, err := r.Transcribe(c.Context)
		if c.Context.Err() != nil {
			progress.Done()
			return context.Cause(c.Context)
		}
		if t == nil {
			progress.Done()
			return err
		}
		switch {
		case t.Skipped != "":
			env.Log.Warn("transcribe not checked: " + t.Skipped)
		case err != nil:
			t.Error = env.Safe(t.Error)
			speech = err
		}
		for _, res := range results {
			res.Transcribe = t
		}
	}
	progress.Done()
	if err := fitness.Table(env.Stdout, results); err != nil {
		return &pipeline.WriteError{Err: err}
	}
	fmt.Fprintln(env.Stdout)
	for _, res := range results {
		if _, err := fmt.Fprintln(env.Stdout, fitness.Recommend(res)); err != nil {
			return &pipeline.WriteError{Err: err}
		}
	}
	if d := c.String("report"); d != "" {
		rep := fitness.Report{At: tool.Now().UTC(), Version: tool.Version(), Endpoint: env.Redact(c.String("base-url")),
			Memos: len(fx.Memos), Questions: len(fx.Questions), Thresholds: fitness.Thresholds, Models: results}
		if err := fitness.WriteReport(d, rep); err != nil {
			return sysexits.New(sysexits.CantCreate, "", fmt.Errorf("report: %w", err))
		}
		env.Log.Info("report written", "dir", d)
	}
	if failed != nil {
		if speech != nil {
			env.Log.Error(env.Safe(speech.Error()))
			worst = sysexits.Worst(worst, sysexits.Code(speech))
		}
		return sysexits.New(worst, "each model's error is in the table's place and in the report", fmt.Errorf("not every model could be checked: %v", failed))
	}
	return speech
}

// dataDirs are the folders shelf's data may be installed in:
// $XDG_DATA_HOME/shelf, then shelf in each of $XDG_DATA_DIRS (by default
// /usr/local/share and /usr/share).
func dataDirs() []string {
	out := []string{config.DataDir()}
	dirs := os.Getenv("XDG_DATA_DIRS")
	if dirs == "" {
		dirs = "/usr/local/share:/usr/share"
	}
	for _, d := range filepath.SplitList(dirs) {
		if filepath.IsAbs(d) {
			out = append(out, filepath.Join(d, "shelf"))
		}
	}
	return out
}

// childEnv is the environment of the tools: the check's own, with the
// settings given to the check as flags put in as variables.
func childEnv(env *tool.Env) []string {
	c := env.CLI
	out := os.Environ()
	set := func(name, v string) { out = append(out, name+"="+v) }
	// The chat tools go through the meter; transcribe comes here, unless
	// SHELF_TRANSCRIBE_BASE_URL names its own server.
	if c.IsSet("base-url") {
		set("SHELF_BASE_URL", c.String("base-url"))
	}
	if c.IsSet("timeout") {
		set("SHELF_TIMEOUT", c.Duration("timeout").String())
	}
	if c.IsSet("retries") {
		set("SHELF_RETRIES", strconv.Itoa(c.Int("retries")))
	}
	if c.IsSet("temperature") {
		set("SHELF_TEMPERATURE", strconv.FormatFloat(c.Float64("temperature"), 'g', -1, 64))
	}
	if c.IsSet("context-length") {
		set("SHELF_CONTEXT_LENGTH", strconv.Itoa(c.Int("context-length")))
	}
	if c.IsSet("max-answer") {
		set("SHELF_MAX_ANSWER", c.String("max-answer"))
	}
	if k := c.String("api-key"); k != "" {
		set("SHELF_API_KEY", k)
	}
	return out
}
