package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	openai "github.com/sashabaranov/go-openai"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/tidwall/gjson"
)

// DefaultContextLength is the window assumed when neither --context-length
// nor the server says one.
const DefaultContextLength = 4096

// probeTimeout bounds the questions about the window, all of them.
const probeTimeout = 3 * time.Second

// WindowInfo says which context window the client splits text for, and
// why.
type WindowInfo struct {
	Tokens int    // the window
	Source string // where the number comes from
	Given  int    // --context-length (0: not given)
	Server int    // what the server said (0: nothing)
	// Was, when the window was lowered because the server cut a request,
	// is the window before.
	Was int
}

// windowState is what the client knows of the model's window.
type windowState struct {
	once   sync.Once
	tokens atomic.Int64 // the window text is split for (0: not learned yet)
	server atomic.Int64 // the window the server said it serves (0: none)
	mu     sync.Mutex   // serializes lowering
}

// serverWindow is what a server says of a model's window: the window it
// serves, or only a bound the window cannot exceed.
type serverWindow struct {
	tokens int
	limit  int
	source string
}

// Window returns the context window to split text for, in tokens. The
// first call asks the server (Ollama, llama.cpp's server, vLLM, LM Studio:
// each where it says it) and takes the smaller of what it says and
// --context-length; the server's number when no --context-length was
// given. A server that says nothing leaves --context-length as it is.
func (c *Client) Window(ctx context.Context) int {
	c.win.once.Do(func() {
		sw := serverWindow{}
		if model, err := c.Model(ctx); err == nil {
			sw = c.probe(ctx, model)
		}
		info := decide(c.cfg.ContextLength, sw)
		c.win.server.Store(int64(sw.tokens))
		c.win.mu.Lock()
		if cut := c.win.tokens.Load(); cut > 0 && cut < int64(info.Tokens) {
			// A request cut while the server was being asked showed less.
			info.Tokens, info.Source = int(cut), "the prompt tokens of a request the server cut"
		}
		c.win.tokens.Store(int64(info.Tokens))
		c.win.mu.Unlock()
		if c.cfg.OnWindow != nil {
			c.cfg.OnWindow(info)
		}
	})
	return int(c.win.tokens.Load())
}

// ContextLength returns the context window as far as it is known now,
// without asking the server: what Window found, or --context-length, or
// the default.
func (c *Client) ContextLength() int {
	if n := c.win.tokens.Load(); n > 0 {
		return int(n)
	}
	if c.cfg.ContextLength > 0 {
		return c.cfg.ContextLength
	}
	return DefaultContextLength
}

// decide picks the window from --context-length (given, 0 if not) and what
// the server said.
func decide(given int, sw serverWindow) WindowInfo {
	info := WindowInfo{Given: given, Server: sw.tokens}
	base, from := given, "--context-length"
	if given <= 0 {
		base, from = DefaultContextLength, "the default"
	}
	switch {
	case sw.tokens > 0 && (given <= 0 || sw.tokens < given):
		info.Tokens, info.Source = sw.tokens, sw.source
	case sw.tokens > 0:
		info.Tokens, info.Source = given, fmt.Sprintf("--context-length (smaller than the %d of %s)", sw.tokens, sw.source)
	case sw.limit > 0 && sw.limit < base:
		info.Tokens, info.Source, info.Server = sw.limit, sw.source, sw.limit
	default:
		info.Tokens, info.Source = base, from+" (the server does not say its window)"
	}
	return info
}

// probe asks the server about the model's window, at each kind of server's
// own endpoint at once, and returns the first answer in the order Ollama,
// llama.cpp, LM Studio, vLLM. Failures and silence are ignored.
func (c *Client) probe(ctx context.Context, model string) serverWindow {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	base := c.cfg.BaseURL
	root := strings.TrimSuffix(base, "/v1")
	asks := []func() serverWindow{
		func() serverWindow {
			body, _ := json.Marshal(map[string]string{"model": model})
			b := c.ask(ctx, http.MethodPost, root+"/api/show", body)
			n, ok := parseOllamaShow(b)
			switch {
			case !ok:
				return serverWindow{}
			case n > 0:
				return serverWindow{tokens: n, source: fmt.Sprintf("Ollama's /api/show (the model's num_ctx %d)", n)}
			}
			v := gjson.GetBytes(c.ask(ctx, http.MethodGet, root+"/api/version", nil), "version").String()
			d := ollamaDefault(v)
			return serverWindow{tokens: d, source: fmt.Sprintf("Ollama's default window for a model without num_ctx (version %q: %d)", v, d)}
		},
		func() serverWindow {
			if n := parseLlamaProps(c.ask(ctx, http.MethodGet, root+"/props", nil)); n > 0 {
				return serverWindow{tokens: n, source: fmt.Sprintf("llama.cpp's /props (n_ctx %d)", n)}
			}
			return serverWindow{}
		},
		func() serverWindow {
			loaded, most := parseLMStudioModels(c.ask(ctx, http.MethodGet, root+"/api/v0/models", nil), model)
			switch {
			case loaded > 0:
				return serverWindow{tokens: loaded, source: fmt.Sprintf("LM Studio's /api/v0/models (loaded_context_length %d)", loaded)}
			case most > 0:
				return serverWindow{limit: most, source: fmt.Sprintf("LM Studio's /api/v0/models (max_context_length %d; the model is not loaded)", most)}
			}
			return serverWindow{}
		},
		func() serverWindow {
			if n := parseVLLMModels(c.ask(ctx, http.MethodGet, base+"/models", nil), model); n > 0 {
				return serverWindow{tokens: n, source: fmt.Sprintf("vLLM's /v1/models (max_model_len %d)", n)}
			}
			return serverWindow{}
		},
	}
	got := make([]serverWindow, len(asks))
	var wg sync.WaitGroup
	for i, ask := range asks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = ask()
		}()
	}
	wg.Wait()
	for _, sw := range got {
		if sw.tokens > 0 || sw.limit > 0 {
			return sw
		}
	}
	return serverWindow{}
}

// ask sends one request of the probe, once, and returns the answer's body
// if it is a 200, else nil.
func (c *Client) ask(ctx context.Context, method, url string, body []byte) []byte {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.tr.client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	return b
}

// parseOllamaShow reads Ollama's answer to /api/show: ok says it is one,
// and n is the num_ctx among the model's parameters (0 if it sets none).
// model_info's "<arch>.context_length" is the length the model was
// trained for, not the window Ollama serves it with, so it is not used.
func parseOllamaShow(b []byte) (n int, ok bool) {
	if !gjson.ValidBytes(b) {
		return 0, false
	}
	r := gjson.ParseBytes(b)
	if !r.IsObject() || !(r.Get("modelfile").Exists() || r.Get("model_info").Exists() || r.Get("parameters").Exists()) {
		return 0, false
	}
	for _, line := range strings.Split(r.Get("parameters").String(), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "num_ctx" {
			if v, err := strconv.Atoi(f[1]); err == nil && v > 0 {
				n = v
			}
		}
	}
	return n, true
}

// ollamaDefault is the window Ollama of a version gives a model without
// num_ctx: 4096 from 0.6.7 on, 2048 before (and for a version it cannot
// read). OLLAMA_CONTEXT_LENGTH on the server changes it, and no endpoint
// says so; a model's num_ctx is what a server reports.
func ollamaDefault(version string) int {
	f := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(f) < 3 {
		return 2048
	}
	var v [3]int
	for i, s := range f {
		s, _, _ = strings.Cut(s, "-")
		n, err := strconv.Atoi(s)
		if err != nil {
			return 2048
		}
		v[i] = n
	}
	if v == [3]int{} || v[0] == 0 && (v[1] < 6 || v[1] == 6 && v[2] < 7) {
		return 2048
	}
	return 4096
}

// parseLlamaProps reads llama.cpp's /props: the window of each slot.
func parseLlamaProps(b []byte) int {
	if !gjson.ValidBytes(b) {
		return 0
	}
	return int(gjson.GetBytes(b, "default_generation_settings.n_ctx").Int())
}

// parseVLLMModels reads vLLM's /v1/models: max_model_len of the model (or
// of the only model listed).
func parseVLLMModels(b []byte, model string) int {
	e := entry(b, model)
	return int(e.Get("max_model_len").Int())
}

// parseLMStudioModels reads LM Studio's /api/v0/models: the window the
// model is loaded with, and the most it can be loaded with.
func parseLMStudioModels(b []byte, model string) (loaded, most int) {
	e := entry(b, model)
	return int(e.Get("loaded_context_length").Int()), int(e.Get("max_context_length").Int())
}

// entry finds a model's entry in a models listing ({"data":[{"id":...}]}):
// by id, else the only entry.
func entry(b []byte, model string) gjson.Result {
	if !gjson.ValidBytes(b) {
		return gjson.Result{}
	}
	data := gjson.GetBytes(b, "data").Array()
	for _, e := range data {
		if e.Get("id").String() == model {
			return e
		}
	}
	if len(data) == 1 {
		return data[0]
	}
	return gjson.Result{}
}

// TruncatedError is an answer whose usage shows that the server took in
// less of the request than was sent: it cut the input, and the model
// answered part of it.
type TruncatedError struct {
	Sent   int // the request's tokens, by EstimateTokens
	Took   int // the prompt tokens the server reports
	Window int // the window the request was made for
}

func (e *TruncatedError) Error() string {
	if e.Took < e.Sent {
		return fmt.Sprintf("the server cut the input: it took %d tokens of a request of about %d, made for a window of %d", e.Took, e.Sent, e.Window)
	}
	return fmt.Sprintf("the server cut the input: it took %d tokens, all its window holds, of a request estimated at %d", e.Took, e.Sent)
}

// Retry returns the window to split a text for again after a request of
// it was cut: used is the window it was split for, now the client's window
// (Window) since. That is the server's window if the cut showed a smaller
// one, else half of used: the text takes more tokens than the estimate
// says.
func (e *TruncatedError) Retry(used, now int) int {
	if now < used {
		return now
	}
	return used / 2
}

// checkUsage checks an answer's usage against what was sent: a server
// that took fewer prompt tokens than the request has words, or as many as
// the window it says it serves, cut the input. A cut lowers the client's
// window to what the server took.
func (c *Client) checkUsage(msgs []openai.ChatCompletionMessage, window int, usage *openai.Usage) error {
	if usage == nil || usage.PromptTokens <= 0 {
		return nil // the server gives no usage: nothing to check
	}
	took := usage.PromptTokens
	sent, least := 0, 0
	for _, m := range msgs {
		sent += EstimateTokens(m.Content) + 4
		least += LeastTokens(m.Content)
	}
	server := int(c.win.server.Load())
	if took >= least && (server == 0 || took < server) {
		return nil
	}
	c.lower(took)
	return &sysexits.Error{Code: codeFail, Err: &TruncatedError{Sent: sent, Took: took, Window: window}}
}

// lower makes the window what a server that cut a request took, if that
// is smaller.
func (c *Client) lower(took int) {
	c.win.mu.Lock()
	was := c.ContextLength()
	if took >= was {
		c.win.mu.Unlock()
		return
	}
	c.win.tokens.Store(int64(took))
	c.win.mu.Unlock()
	if c.cfg.OnWindow != nil {
		c.cfg.OnWindow(WindowInfo{Tokens: took, Source: fmt.Sprintf("the prompt tokens of a request the server cut (%d)", took),
			Given: c.cfg.ContextLength, Server: int(c.win.server.Load()), Was: was})
	}
}

// LeastTokens is the fewest tokens a text can take: one per word (a
// tokenizer never joins words across white space) and one per 32
// characters of a longer run. Unlike EstimateTokens, which errs high so
// that requests fit, it errs low, so that an answer that took fewer tokens
// than this certainly lost some of its input.
func LeastTokens(s string) int {
	n, run := 0, 0
	end := func() {
		if run > 0 {
			n += max(1, run/32)
			run = 0
		}
	}
	for _, r := range s {
		if unicode.IsSpace(r) {
			end()
			continue
		}
		run++
	}
	end()
	return n
}
