package fitness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shelfai/shelf/lib/sysexits"
)

// Programs are the paths of the tools the check runs.
type Programs struct {
	Summarize, Tasks, File, Remember, Transcribe string
}

// FindPrograms finds the tools: next to the check itself first (its
// folder, with the prefix it was installed with), then on PATH. The
// check named shelf-fitness was installed without a prefix or with
// PROGRAM_PREFIX=shelf-: its tools are looked for under both names,
// prefixed first. The note filer is looked for as shelf-file
// (PREFIXfile with a prefix), and as plain "file" only next to the check
// (make build's bin/), never on PATH, where file(1) is.
func FindPrograms(self string, lookPath func(string) (string, error)) (Programs, error) {
	dir := ""
	prefix := ""
	if self != "" {
		dir = filepath.Dir(self)
		if p, ok := strings.CutSuffix(filepath.Base(self), "fitness"); ok {
			prefix = p
		}
	}
	find := func(names []string, local []string) string {
		for _, n := range append(append([]string{}, names...), local...) {
			if dir == "" {
				break
			}
			p := filepath.Join(dir, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				return p
			}
		}
		for _, n := range names {
			if p, err := lookPath(n); err == nil {
				return p
			}
		}
		return ""
	}
	names := func(tool string) []string {
		if prefix == "" {
			return []string{tool}
		}
		return []string{prefix + tool, tool}
	}
	filer := []string{"shelf-file"}
	if prefix != "" && prefix != "shelf-" {
		filer = []string{prefix + "file", "shelf-file"}
	}
	var p Programs
	var missing []string
	for _, t := range []struct {
		dst   *string
		names []string
		local []string
	}{
		{&p.Summarize, names("summarize"), nil},
		{&p.Tasks, names("tasks"), nil},
		{&p.File, filer, []string{"file"}},
		{&p.Remember, names("remember"), nil},
	} {
		if *t.dst = find(t.names, t.local); *t.dst == "" {
			missing = append(missing, t.names[len(t.names)-1])
		}
	}
	p.Transcribe = find(names("transcribe"), nil)
	if len(missing) > 0 {
		return p, sysexits.New(sysexits.Unavailable, "run make install (or make build, and run bin/fitness)",
			fmt.Errorf("%s not found next to this program or on PATH", list(missing)))
	}
	return p, nil
}

// Runner runs the tools over the fixtures with one model at a time.
type Runner struct {
	Fixtures *Fixtures
	Programs Programs
	// BaseURL is the endpoint (the tools are pointed at a meter in
	// front of it).
	BaseURL string
	// Env is the environment the tools get (the check's own), with the
	// endpoint, model and cache settings put in.
	Env []string
	// Work is a folder for the run's files.
	Work string
	Jobs int
	// Progress hears what is being done: the model, the step, and how
	// many of total records are through it.
	Progress func(model, step string, done, total int)
	// Log gets the tools' standard error.
	Log io.Writer
}

// Steps are the tools in the order they run, for progress.
var Steps = []string{"summarize", "tasks", "file", "remember", "recall"}

// Run runs the pipeline with model and scores it. A tool that fails as
// a whole (the endpoint unreachable, the model unknown, bad settings)
// ends the model's run with an error carrying its exit status; records
// that failed are scored as wrong.
func (r *Runner) Run(ctx context.Context, model string) (*Result, error) {
	res := &Result{Model: model}
	dir, err := os.MkdirTemp(r.Work, safeName(model)+"-")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "vault"), 0o755); err != nil {
		return nil, err
	}
	for _, f := range r.Fixtures.Folders {
		if err := os.MkdirAll(filepath.Join(dir, "vault", f), 0o755); err != nil {
			return nil, err
		}
	}
	in := filepath.Join(dir, "memos.jsonl")
	if err := r.writeMemos(in); err != nil {
		return nil, err
	}
	if err := Reachable(ctx, r.BaseURL); err != nil {
		return nil, err
	}
	proxy, err := StartProxy(r.BaseURL)
	if err != nil {
		return nil, err
	}
	defer proxy.Close()
	env := append(append([]string{}, r.Env...),
		"SHELF_BASE_URL="+proxy.BaseURL, "SHELF_MODEL="+model, "SHELF_NO_CACHE=1",
		"SHELF_DB="+filepath.Join(dir, "memory.db"),
		// The filer's index of the throwaway vault stays with it.
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
	jobs := strconv.Itoa(max(r.Jobs, 1))
	n := len(r.Fixtures.Memos)
	start := time.Now()
	steps := []struct {
		name, prog string
		args       []string
		in, out    string
	}{
		{"summarize", r.Programs.Summarize, []string{"--no-cache", "-m", model, "-j", jobs, "--style", "brief"}, in, "summarized.jsonl"},
		{"tasks", r.Programs.Tasks, []string{"--no-cache", "-m", model, "-j", jobs, "--tz", "UTC"}, "summarized.jsonl", "tasks.jsonl"},
		{"file", r.Programs.File, []string{"--no-cache", "-m", model, "-j", jobs, "--vault", filepath.Join(dir, "vault"), "--dry-run"}, "tasks.jsonl", "filed.jsonl"},
	}
	for _, s := range steps {
		if err := r.tool(ctx, model, s.name, s.prog, s.args, env, filepath.Join(dir, filepath.Base(s.in)), filepath.Join(dir, s.out), n); err != nil {
			return nil, err
		}
	}
	found, taskMemo, err := readFound(filepath.Join(dir, "filed.jsonl"))
	if err != nil {
		return nil, err
	}
	// remember keeps the short memos (the long ones repeat them).
	stored := filepath.Join(dir, "stored.jsonl")
	if err := keepStored(filepath.Join(dir, "filed.jsonl"), stored, r.Fixtures); err != nil {
		return nil, err
	}
	if err := r.tool(ctx, model, "remember", r.Programs.Remember, []string{"-j", jobs}, env, stored, filepath.Join(dir, "remembered.jsonl"), len(r.Fixtures.Stored())); err != nil {
		return nil, err
	}
	res.Speed.Seconds = time.Since(start).Seconds()
	var recalled [][]string
	for i, q := range r.Fixtures.Questions {
		r.progress(model, "recall", i, len(r.Fixtures.Questions))
		ids, err := r.recall(ctx, env, q.Q, taskMemo)
		if err != nil {
			return nil, err
		}
		recalled = append(recalled, ids)
	}
	for _, f := range found {
		for _, e := range f.Errors {
			if !isWarning(e.Message) {
				res.Failed++
				break
			}
		}
	}
	if res.Failed > 0 && res.Failed == len(found) {
		return nil, sysexits.New(sysexits.Failure, "run one tool by hand to see why, e.g. summarize -m "+model+" < a-memo.txt",
			fmt.Errorf("every record failed with %s; the first: %s", model, firstError(found)))
	}
	ScoreRecords(r.Fixtures, found, res)
	ScoreRecall(r.Fixtures.Questions, recalled, res)
	m := proxy.Snapshot()
	res.Tasks.Repairs = m.Repairs
	res.Speed.Requests = m.Requests
	res.Speed.SecondsPerMemo = res.Speed.Seconds / float64(n)
	res.Speed.UsageReported = m.WithUsage > 0
	res.Speed.UsageIgnored = m.UsageIgnored
	res.Speed.PromptTokens, res.Speed.CompletionTokens = m.PromptTokens, m.CompletionTokens
	res.Speed.PromptPerMemo = float64(m.PromptTokens) / float64(n)
	res.Speed.CompletionPerMemo = float64(m.CompletionTokens) / float64(n)
	if secs := m.Busy.Seconds(); secs > 0 && m.WithUsage > 0 {
		res.Speed.TokensPerSecond = float64(m.CompletionTokens) / secs
	}
	return res, nil
}

func (r *Runner) progress(model, step string, done, total int) {
	if r.Progress != nil {
		r.Progress(model, step, done, total)
	}
}

// isWarning tells a record's warning (the record is done) from a
// failure, by the messages the tools write for what they dropped.
func isWarning(msg string) bool {
	for _, w := range []string{"dropped", "invalid UTF-8", "not grounded", "unsupported", "not in the text", "relative dates were resolved"} {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

// tool runs one tool over the records in in, into out, counting records
// as they come out. Exit statuses that still wrote every record (some
// records failed: 1, 65, 75) go on; others end the run.
func (r *Runner) tool(ctx context.Context, model, step, prog string, args, env []string, in, out string, total int) error {
	r.progress(model, step, 0, total)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, prog, append(args, in)...)
	cmd.Env = env
	var stderr bytes.Buffer
	logw := io.Writer(&stderr)
	if r.Log != nil {
		logw = io.MultiWriter(&stderr, r.Log)
	}
	cmd.Stderr = logw
	cmd.Stdout = &countingWriter{w: f, each: func(n int) { r.progress(model, step, n, total) }}
	err = cmd.Run()
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return fmt.Errorf("%s: %w", step, err)
	}
	switch code := ee.ExitCode(); code {
	case 1, sysexits.DataErr, sysexits.TempFail:
		return nil
	default:
		if code < 0 {
			return ctx.Err()
		}
		return sysexits.New(code, "", fmt.Errorf("%s with %s: %s", step, model, lastLine(stderr.String())))
	}
}

// recall asks remember for the memories of a question, as memo ids: a
// task's memory counts as its memo.
func (r *Runner) recall(ctx context.Context, env []string, q string, taskMemo map[string]string) ([]string, error) {
	cmd := exec.CommandContext(ctx, r.Programs.Remember, "recall", "-k", "5", "--", q)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if r.Log != nil {
		cmd.Stderr = io.MultiWriter(&stderr, r.Log)
	}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("remember recall: %v: %s", err, lastLine(stderr.String()))
	}
	var ids []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		var hit struct {
			ID string `json:"id"`
		}
		if json.Unmarshal([]byte(line), &hit) != nil || hit.ID == "" {
			continue
		}
		id := hit.ID
		if m, ok := taskMemo[id]; ok {
			id = m
		}
		if !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func (r *Runner) writeMemos(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for _, m := range r.Fixtures.Memos {
		if err := enc.Encode(map[string]string{"id": m.ID, "source": "fitness/" + m.ID, "created": m.Created.Format(time.RFC3339), "text": m.Text}); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// readFound reads the records the tools wrote, by id, and which memo each
// task came from.
func readFound(path string) (map[string]Found, map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	found := map[string]Found{}
	taskMemo := map[string]string{}
	for _, line := range bytes.Split(data, []byte("\n")) {
		var f Found
		if len(bytes.TrimSpace(line)) == 0 || json.Unmarshal(line, &f) != nil || f.ID == "" {
			continue
		}
		found[f.ID] = f
		for _, t := range f.Tasks {
			taskMemo[t.ID] = f.ID
		}
	}
	return found, taskMemo, nil
}

// keepStored copies the records of the stored memos.
func keepStored(in, out string, fx *Fixtures) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, m := range fx.Stored() {
		keep[m.ID] = true
	}
	var b bytes.Buffer
	for _, line := range bytes.Split(data, []byte("\n")) {
		var v struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(line, &v) == nil && keep[v.ID] {
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}

// countingWriter counts the lines written through it.
type countingWriter struct {
	w    io.Writer
	n    int
	each func(int)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if k := bytes.Count(p[:n], []byte("\n")); k > 0 {
		c.n += k
		c.each(c.n)
	}
	return n, err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "error:") {
			return strings.TrimSpace(lines[i])
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

// safeName is a model's name as a folder's.
func safeName(model string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ':' || r == '\\' || r == ' ' || r == '+' {
			return '_'
		}
		return r
	}, model)
}

// firstError is the first failure of the records, in memo order.
func firstError(found map[string]Found) string {
	var ids []string
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, e := range found[id].Errors {
			if !isWarning(e.Message) {
				return e.Tool + ": " + e.Message
			}
		}
	}
	return "none"
}

// Reachable checks that the endpoint answers at all (any HTTP answer
// will do), so that a server that is not running is said once, not as 40
// failed records.
func Reachable(ctx context.Context, base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	host := u.Host
	if u.Port() == "" {
		if u.Scheme == "https" {
			host += ":443"
		} else {
			host += ":80"
		}
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		u.User = nil
		return sysexits.New(sysexits.Unavailable, "start the server (for Ollama: ollama serve), or point --base-url or SHELF_BASE_URL at it",
			fmt.Errorf("cannot reach %s: %v", u.String(), err))
	}
	return c.Close()
}
