//go:build integration

package integration

// TestPromptCache measures how much of a memo the real Ollama evaluates
// when summarize | tasks | shelf-file read it: Ollama keeps the prompts it
// evaluated in its slots and evaluates only what follows the longest
// prefix a slot already holds, so prompts that share their start with the
// text in it cost the text once. The figure is the prompt tokens Ollama
// evaluated per memo, divided by the memo's own tokens: before (the prompts
// as they were, testdata/cache/old, passed with --prompt) and after (the
// built-in prompts), side by side, with one memo and with a stream of
// memos, -j 1 and the default -j, one slot and four (OLLAMA_NUM_PARALLEL),
// and four with OLLAMA_MULTIUSER_CACHE. make test-integration prints the
// table.
//
// What Ollama evaluated is read from its debug log (OLLAMA_DEBUG=1): the
// generated model is of the llama architecture, which Ollama 0.6.8 runs on
// its llama.cpp runner (runner/llamarunner; the new engine only for the
// architectures that need it, or with OLLAMA_NEW_ENGINE), whose
// LoadCacheSlot logs "loading cache slot" for each request with prompt (its
// tokens), used (those the slot held) and remaining (those evaluated). The
// answers' prompt_eval_count does not tell: that runner reports every
// prompt token there, reused or not.
//
// The generated model spells digits and punctuation one character a token
// (Llama 2's, Mistral's and Qwen's tokenizers, too, take each digit
// alone); a tokenizer like OpenAI's cl100k_base merges more of them, so
// that instructions full of dates and punctuation weigh less there against
// the text than here.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

const (
	// cacheWindow is the model's num_ctx in this test: room for the memo
	// in one request, as a real model's window has for a memo.
	cacheWindow = 8192
	// cacheGoal is what the built-in prompts may cost: the text evaluated
	// once, and a fifth of it for everything else (the system message,
	// each tool's instruction, the chat template's tokens). The old
	// layout cost 2.29.
	cacheGoal = 1.2
	cacheDir  = "../../testdata/cache"
	// cacheAnswer is the most tokens an answer may take: the random
	// model's lists of tasks run on to any limit, and what is measured is
	// the prompts (an answer cut short fails its record, which is written
	// with the error all the same).
	cacheAnswer = 128
)

// cacheToday is the tools' clock in the test.
var cacheToday = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)

// cacheMemo is the memo the test reads: one record.
var cacheMemo = filepath.Join(cacheDir, "memo.jsonl")

// cacheStream is how many memos the stream has: enough that the tools
// have more than one request under way at the default -j, few enough that
// the runner's attention over every slot's tokens stays quick.
const cacheStream = 2

// cacheCell is one run of the pipeline and what Ollama evaluated for it.
type cacheCell struct {
	memos, slots int
	multiuser    bool   // OLLAMA_MULTIUSER_CACHE
	jobs         string // "1", or "" for the default
	layout       string // "before" or "after"
	text         int    // the memos' own tokens
	requests     int
	prompt       int // prompt tokens sent
	evaluated    int // prompt tokens Ollama evaluated
	seq          []string
}

func (c cacheCell) ratio() float64 { return float64(c.evaluated) / float64(c.text) }

func (c cacheCell) slotsName() string {
	if c.multiuser {
		return strconv.Itoa(c.slots) + " multiuser"
	}
	return strconv.Itoa(c.slots)
}

func (c cacheCell) name() string {
	return fmt.Sprintf("%d memo(s), %s slot(s), -j %s", c.memos, c.slotsName(), orDefault(c.jobs))
}

// reusable reports whether the server keeps a memo's prompt for the next
// tool whatever the timing, so the goal holds. One memo: the tools' requests
// come one after the other, and the slot the first one used is the one the
// next shares the most with. A stream, with the multiuser cache: a slot
// whose prompt only starts the new one is copied, not taken over. A
// stream, default slot choice, a slot for each memo under way at the
// default -j: the memos' prompts are evaluated at once, each in a slot of
// its own, and the next tool finds each in its slot. Not so with one slot,
// where the next memo's summary request takes the slot before tasks comes
// for the previous memo, nor with -j 1 (one summary request at a time): the
// next memo's summary request takes the slot of the previous one, as it
// shares the system message with it and the free slots nothing.
func (c cacheCell) reusable() bool {
	return c.memos == 1 || c.multiuser || c.slots >= c.memos && c.jobs == ""
}

func TestPromptCache(t *testing.T) {
	line, err := os.ReadFile(cacheMemo)
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(line, &rec); err != nil {
		t.Fatalf("%s: %v", cacheMemo, err)
	}
	memo, ok := rec["text"].(string)
	if !ok {
		t.Fatalf("%s: no text", cacheMemo)
	}
	old := map[string]string{}
	for _, tool := range []string{"summarize", "tasks"} {
		old[tool], err = filepath.Abs(filepath.Join(cacheDir, "old", tool+".tmpl"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(old[tool]); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	builtIn := map[string][]byte{}
	for tool := range old {
		if builtIn[tool], err = printPrompt(dir, tool); err != nil {
			t.Fatal(err)
		}
	}

	// The model: the generated one, its window cacheWindow, and every word
	// of the memo and of the prompts a token of its own, so that they take
	// about the tokens they would with a real model (with the generated
	// vocabulary alone, most English words take three or four), and the
	// text and the rest of the prompts weigh what they would.
	modelDir, models := filepath.Join(dir, "model"), filepath.Join(dir, "models")
	for _, d := range []string{modelDir, models} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mo := DefaultModel
	mo.Context = cacheWindow
	// The prompts' words, and the day's name, which tasks puts in them.
	texts := [][]byte{[]byte(memo), builtIn["summarize"], builtIn["tasks"], []byte(cacheToday.Weekday().String())}
	for _, p := range old {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, b)
	}
	mo.Words = wordsOf(texts...)
	if err := WriteModelDir(modelDir, mo); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(modelDir, "Modelfile"), []byte(ModelfileWith(cacheWindow)), 0o644); err != nil {
		t.Fatal(err)
	}

	// The inputs: the memo, and a stream of cacheStream memos, the
	// memo's paragraphs rotated so that each starts differently and no
	// memo shares a prefix with another.
	counts := []int{1, cacheStream}
	streams := map[int][]string{1: {memo}, cacheStream: rotations(memo, cacheStream)}
	for n, texts := range streams {
		var b bytes.Buffer
		for i, text := range texts {
			r := maps.Clone(rec)
			r["text"] = text
			if n > 1 {
				r["id"] = fmt.Sprintf("%v-%d", rec["id"], i+1)
			}
			line, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(append(line, '\n'))
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("memos-%d.jsonl", n)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The servers: one slot; four (Ollama's default slot choice: the free
	// slot that shares the longest prefix with the prompt, cut back to
	// it); four with OLLAMA_MULTIUSER_CACHE (a slot is taken over only
	// when all it holds starts the prompt, else the shared prefix is
	// copied into the slot used longest ago).
	servers := []struct {
		slots     int
		multiuser bool
	}{{1, false}, {4, false}, {4, true}}
	var cells []cacheCell
	textTokens := map[int]int{}
	for i, srv := range servers {
		env := []string{"OLLAMA_DEBUG=1", "OLLAMA_NUM_PARALLEL=" + strconv.Itoa(srv.slots), "OLLAMA_KEEP_ALIVE=10m"}
		if srv.multiuser {
			env = append(env, "OLLAMA_MULTIUSER_CACHE=1")
		}
		s, err := StartServer(ollama, models, filepath.Join(dir, fmt.Sprintf("serve-%d", i)), env...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Stop)
		base := answerCap(t, s, cacheAnswer)
		if i == 0 {
			if err := s.Create("tiny", modelDir); err != nil {
				t.Fatal(err)
			}
			// The memos' own tokens: what the runner makes of each text
			// alone (a raw prompt, no template), less the BOS token it
			// puts first (what it makes of "a", a single token, less 1).
			a, err := promptTokens(s, "a")
			if err != nil {
				t.Fatal(err)
			}
			bos := a - 1
			for n, texts := range streams {
				for _, text := range texts {
					k, err := promptTokens(s, text)
					if err != nil {
						t.Fatal(err)
					}
					textTokens[n] += k - bos
				}
			}
		}
		for _, n := range counts {
			if srv.multiuser && n == 1 {
				continue // one memo: as without it (reusable)
			}
			for _, jobs := range []string{"1", ""} {
				for _, layout := range []string{"before", "after"} {
					c := cacheCell{memos: n, slots: srv.slots, multiuser: srv.multiuser, jobs: jobs, layout: layout, text: textTokens[n]}
					var prompts map[string]string
					if layout == "before" {
						prompts = old
					}
					began := time.Now()
					c.requests, c.prompt, c.evaluated, c.seq = cachePipeline(t, s, base, filepath.Join(dir, fmt.Sprintf("%d-%d-%d-%s-%s", i, n, srv.slots, jobs, layout)),
						filepath.Join(dir, fmt.Sprintf("memos-%d.jsonl", n)), n, jobs, prompts)
					t.Logf("%s, %s, %.1fs: %d requests (prompt tokens/reused): %s", c.name(), layout, time.Since(began).Seconds(), c.requests, strings.Join(c.seq, " "))
					cells = append(cells, c)
				}
			}
		}
		s.Stop()
	}

	// The goal, for the built-in prompts, wherever the server keeps what
	// the next tool can reuse (cacheCell.reusable); not while they are the
	// old ones.
	same := true
	for tool, p := range old {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		same = same && bytes.Equal(bytes.TrimSpace(b), bytes.TrimSpace(builtIn[tool]))
	}
	report := cacheReport(cells, textTokens[1], textTokens[cacheStream], same)
	t.Log("\n" + report)
	if p := os.Getenv("SHELF_CACHE_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(report), 0o644); err != nil {
			t.Error(err)
		}
	}
	if same {
		return
	}
	for _, c := range cells {
		if c.layout == "after" && c.reusable() && c.ratio() > cacheGoal {
			t.Errorf("%s: the built-in prompts made Ollama evaluate %.3f times the memos' tokens (%d of %d), more than %.2f",
				c.name(), c.ratio(), c.evaluated, c.text, cacheGoal)
		}
	}
}

func orDefault(jobs string) string {
	if jobs == "" {
		return "default"
	}
	return jobs
}

// rotations returns n texts made of text's paragraphs, the k-th starting
// at paragraph k*len/n and wrapping around.
func rotations(text string, n int) []string {
	paras := strings.Split(strings.TrimSpace(text), "\n\n")
	var out []string
	for k := 0; k < n; k++ {
		i := k * len(paras) / n
		out = append(out, strings.Join(append(append([]string{}, paras[i:]...), paras[:i]...), "\n\n"))
	}
	return out
}

// promptTokens is how many tokens Ollama's runner makes of prompt, sent
// raw (no template): the prompt_eval_count of a request for one token,
// which the runner that serves this model reports whether or not it
// reused a cached prefix.
func promptTokens(s *Server, prompt string) (int, error) {
	var out struct {
		PromptEvalCount int `json:"prompt_eval_count"`
	}
	err := ollamaPost(s, "/api/generate", map[string]any{
		"model": "tiny", "prompt": prompt, "raw": true, "stream": false,
		"options": map[string]any{"num_predict": 1, "temperature": 0},
	}, &out)
	if err == nil && out.PromptEvalCount < 1 {
		err = fmt.Errorf("no prompt_eval_count in Ollama's answer")
	}
	return out.PromptEvalCount, err
}

func ollamaPost(s *Server, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := http.Post("http://"+s.Addr+path, "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// unload makes Ollama stop the model's runner and waits until it is gone:
// its slots are empty for the next run, and every line it logged is in
// the server's log.
func unload(s *Server) error {
	if err := ollamaPost(s, "/api/generate", map[string]any{"model": "tiny", "keep_alive": 0}, nil); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ps struct {
			Models []json.RawMessage `json:"models"`
		}
		resp, err := http.Get("http://" + s.Addr + "/api/ps")
		if err != nil {
			return err
		}
		err = json.NewDecoder(resp.Body).Decode(&ps)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if len(ps.Models) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ollama still has the model loaded 30s after it was told to unload it")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// slotLine is the llama runner's debug line for each request it takes
// (runner/llamarunner/cache.go, LoadCacheSlot): prompt is the request's
// tokens, used those a slot held already, remaining those it evaluates.
var slotLine = regexp.MustCompile(`msg="loading cache slot" id=\d+ cache=\d+ prompt=(\d+) used=(\d+) remaining=(\d+)`)

// cachePipeline runs summarize | tasks | shelf-file over the n records in
// input on the server, with its runner started afresh, and returns what
// the runner logged for it: the requests, the prompt tokens sent and those
// evaluated, and each request as PROMPT/USED. prompts are the templates
// to pass with --prompt, by tool (none: the built-in ones).
func cachePipeline(t *testing.T, s *Server, baseURL, dir, input string, n int, jobs string, prompts map[string]string) (requests, prompt, evaluated int, seq []string) {
	t.Helper()
	if err := unload(s); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	start, err := os.Stat(s.Log)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(dir, ".local", "share"),
		"NO_COLOR=1",
		"SHELF_BASE_URL=" + baseURL,
		"SHELF_NO_CACHE=1", // every request goes to the server
		// The tools' clock: the day tasks names ("Today is Thursday,
		// 2026-11-26") is the same whenever the test runs.
		"SOURCE_DATE_EPOCH=" + strconv.FormatInt(cacheToday.Unix(), 10),
	}
	common := func(tool string) []string {
		var args []string
		if jobs != "" {
			args = append(args, "-j", jobs)
		}
		if p, ok := prompts[tool]; ok {
			args = append(args, "--prompt", p)
		}
		return args
	}
	cmds := []*exec.Cmd{
		exec.Command(filepath.Join(binDir, "summarize"), common("summarize")...),
		exec.Command(filepath.Join(binDir, "tasks"), append(common("tasks"), "--tz", "Europe/Berlin")...),
		exec.Command(filepath.Join(binDir, "file"), append(common("file"), "--vault", filepath.Join(dir, "vault"), "--init")...),
	}
	in, err := os.Open(input)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	stderr := make([]bytes.Buffer, len(cmds))
	cmds[0].Stdin = in
	cmds[len(cmds)-1].Stdout = &out
	var ends []*os.File
	for i, c := range cmds {
		c.Env, c.Dir, c.Stderr = env, dir, &stderr[i]
		if i > 0 {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmds[i-1].Stdout, c.Stdin = w, r
			ends = append(ends, r, w)
		}
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range ends {
		f.Close()
	}
	for i, c := range cmds {
		// A junk answer may fail its record (it is written with the
		// error all the same); what is measured is the prompts.
		if err := c.Wait(); err != nil {
			t.Logf("%s: %v: %s", filepath.Base(c.Path), err, lastLines(stderr[i].String(), 1))
		}
	}
	if got := strings.Count(out.String(), "\n"); got != n {
		t.Fatalf("the pipeline wrote %d records of %d:\n%s\nsummarize: %s\ntasks: %s\nfile: %s", got, n, out.String(), stderr[0].String(), stderr[1].String(), stderr[2].String())
	}
	if err := unload(s); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(s.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(start.Size(), io.SeekStart); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		m := slotLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		p, _ := strconv.Atoi(m[1])
		u, _ := strconv.Atoi(m[2])
		r, _ := strconv.Atoi(m[3])
		requests++
		prompt += p
		evaluated += r
		seq = append(seq, fmt.Sprintf("%d/%d", p, u))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if requests == 0 {
		t.Fatalf("no %q line in the server's log %s: is OLLAMA_DEBUG on, and does the model run on the llama runner?", "loading cache slot", s.Log)
	}
	return requests, prompt, evaluated, seq
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// answerCap puts a proxy in front of the server that lowers every chat
// request's max_tokens to at most limit, and returns its base URL.
func answerCap(t *testing.T, s *Server, limit int) string {
	target := &url.URL{Scheme: "http", Host: s.Addr}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.FlushInterval = -1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions" {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			var req map[string]any
			if err := json.Unmarshal(body, &req); err == nil {
				if n, ok := req["max_tokens"].(float64); !ok || n > float64(limit) {
					req["max_tokens"] = limit
				}
				body, _ = json.Marshal(req)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// printPrompt is the tool's built-in prompt template (--print-prompt).
func printPrompt(dir, tool string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(binDir, tool), "--print-prompt")
	cmd.Env = []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"), "NO_COLOR=1"}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s --print-prompt: %v", tool, err)
	}
	return out, nil
}

var wordRE = regexp.MustCompile(`[A-Za-z]+`)

// wordsOf returns the words (runs of ASCII letters) of the texts, each
// once, sorted.
func wordsOf(texts ...[]byte) []string {
	seen := map[string]bool{}
	var words []string
	for _, t := range texts {
		for _, w := range wordRE.FindAll(t, -1) {
			if !seen[string(w)] {
				seen[string(w)] = true
				words = append(words, string(w))
			}
		}
	}
	slices.Sort(words)
	return words
}

// cacheReport is the table of the figures.
func cacheReport(cells []cacheCell, memo, stream int, old bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Prompt tokens Ollama %s evaluated per memo, divided by the memo's tokens (summarize | tasks | shelf-file;\n", OllamaVersion)
	fmt.Fprintf(&b, "the memo: %d tokens; the stream of %d: %d). before: the old prompts (--prompt testdata/cache/old/*.tmpl); after: the built-in ones.\n", memo, cacheStream, stream)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "memos\tslots\t-j\tbefore\tafter\tgoal\t\trequests before/after\tevaluated before/after\t")
	byKey := map[string]cacheCell{}
	for _, c := range cells {
		byKey[c.name()+c.layout] = c
	}
	for _, c := range cells {
		if c.layout != "before" {
			continue
		}
		a := byKey[c.name()+"after"]
		goal := "-"
		if a.reusable() {
			goal = fmt.Sprintf("<= %.2f", cacheGoal)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.3f\t%.3f\t%s\t\t%d/%d\t%d/%d\t\n", c.memos, c.slotsName(), orDefault(c.jobs), c.ratio(), a.ratio(), goal, c.requests, a.requests, c.evaluated, a.evaluated)
	}
	tw.Flush()
	fmt.Fprintf(&b, "goal: checked where the server keeps each memo's prompt for the next tool whatever the timing; -: where it does not\n")
	if old {
		fmt.Fprintf(&b, "not checked: the built-in prompts are the ones in testdata/cache/old\n")
	}
	return b.String()
}
