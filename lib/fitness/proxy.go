package fitness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The tools do not report what their requests cost, so the check puts a
// meter between them and the endpoint: a reverse proxy on 127.0.0.1 that
// passes every request and answer through unchanged and reads, on the way,
// the usage the server gives with each chat answer (streamed or not), the
// time each took, and the requests that ask a model to mend its answer.

// Meter counts what went through the proxy.
type Meter struct {
	mu               sync.Mutex
	Requests         int           // chat requests
	Repairs          int           // of them, repair rounds
	WithUsage        int           // answers that gave usage
	UsageIgnored     int           // answers whose usage was out of bounds (see MaxUsageTokens)
	PromptTokens     int           // from the answers' usage
	CompletionTokens int           //
	Busy             time.Duration // time the chat requests took, summed
}

// Snapshot returns a copy of the counts.
func (m *Meter) Snapshot() Meter {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Meter{Requests: m.Requests, Repairs: m.Repairs, WithUsage: m.WithUsage, UsageIgnored: m.UsageIgnored, PromptTokens: m.PromptTokens, CompletionTokens: m.CompletionTokens, Busy: m.Busy}
}

// repairMark is how lib/llm starts a repair round's last message.
const repairMark = "That answer is not valid"

// Proxy is a running meter in front of an endpoint.
type Proxy struct {
	Meter
	srv *http.Server
	ln  net.Listener
	// BaseURL is the endpoint's base URL with the proxy's host in place
	// of the endpoint's.
	BaseURL string
}

// StartProxy starts a proxy in front of base (an OpenAI-compatible base
// URL such as http://localhost:11434/v1). Every path is passed on, so a
// tool that asks the server's own API (Ollama's /api/show) is answered
// as before.
func StartProxy(base string) (*Proxy, error) {
	target, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln}
	front := *target
	front.Scheme, front.Host, front.User = "http", ln.Addr().String(), nil
	p.BaseURL = front.String()
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host = target.Scheme, target.Host
			r.Out.Host = target.Host
			if target.User != nil && r.Out.Header.Get("Authorization") == "" {
				pw, _ := target.User.Password()
				r.Out.SetBasicAuth(target.User.Username(), pw)
			}
		},
		FlushInterval: -1, // streams pass as they come
		// A request its tool gave up on (a run cut short) is no news:
		// the tool says what happened.
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway)
		},
		ModifyResponse: func(resp *http.Response) error {
			if strings.HasSuffix(resp.Request.URL.Path, "/chat/completions") {
				start, _ := resp.Request.Context().Value(startKey{}).(time.Time)
				resp.Body = &usageReader{r: resp.Body, m: &p.Meter, start: start}
			}
			return nil
		},
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat/completions") && r.Body != nil {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			p.count(body)
			r = r.WithContext(withStart(r.Context(), time.Now()))
		}
		rp.ServeHTTP(w, r)
	})}
	go p.srv.Serve(ln)
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() error { return p.srv.Close() }

// count counts a chat request, and whether it is a repair round.
func (p *Proxy) count(body []byte) {
	var req struct {
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	json.Unmarshal(body, &req)
	repair := false
	if n := len(req.Messages); n > 0 && strings.HasPrefix(req.Messages[n-1].Content, repairMark) {
		repair = true
	}
	p.mu.Lock()
	p.Requests++
	if repair {
		p.Repairs++
	}
	p.mu.Unlock()
}

// usageReader passes an answer through and reads its usage: the "usage"
// of a JSON answer, or of the stream's last event that has one. It keeps
// at most the last usageWindow bytes of a line.
type usageReader struct {
	r     io.ReadCloser
	m     *Meter
	start time.Time
	buf   bytes.Buffer
	done  bool
}

const usageWindow = 1 << 20

func (u *usageReader) Read(b []byte) (int, error) {
	n, err := u.r.Read(b)
	u.buf.Write(b[:n])
	if u.buf.Len() > 2*usageWindow {
		rest := u.buf.Bytes()[u.buf.Len()-usageWindow:]
		u.buf = *bytes.NewBuffer(append([]byte(nil), rest...))
	}
	if err == io.EOF {
		u.finish()
	}
	return n, err
}

func (u *usageReader) Close() error {
	u.finish()
	return u.r.Close()
}

// MaxUsageTokens is the most tokens one answer's usage may say its prompt
// or its completion took to be believed: more, or fewer than none, is a
// server's mistake, and would make nonsense of the figures per memo.
const MaxUsageTokens = 1e9

// usageStatus is what an answer said of its usage.
type usageStatus int

const (
	usageNone    usageStatus = iota // no usage, or none but zeros
	usageGiven                      // usage that is believed
	usageIgnored                    // usage out of bounds, not counted
)

func (s usageStatus) String() string {
	return [...]string{"none", "given", "ignored"}[s]
}

type usage struct {
	PromptTokens     float64 `json:"prompt_tokens"`
	CompletionTokens float64 `json:"completion_tokens"`
}

// answerUsage reads the usage of an answer: that of a JSON answer, or of
// the stream's first event that has one. Figures that are not whole
// numbers from 0 to MaxUsageTokens are not believed (usageIgnored).
func answerUsage(body []byte) (prompt, completion int, status usageStatus) {
	given := func(u *usage) bool { return u != nil && (u.PromptTokens != 0 || u.CompletionTokens != 0) }
	var got *usage
	var whole struct {
		Usage *usage `json:"usage"`
	}
	if json.Unmarshal(body, &whole) == nil && given(whole.Usage) {
		got = whole.Usage
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 4*usageWindow)
	for got == nil && sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		line = bytes.TrimPrefix(line, []byte("data:"))
		var v struct {
			Usage *usage `json:"usage"`
		}
		if json.Unmarshal(bytes.TrimSpace(line), &v) == nil && given(v.Usage) {
			got = v.Usage
		}
	}
	if got == nil {
		return 0, 0, usageNone
	}
	sane := func(n float64) bool { return n >= 0 && n <= MaxUsageTokens && n == math.Trunc(n) }
	if !sane(got.PromptTokens) || !sane(got.CompletionTokens) {
		return 0, 0, usageIgnored
	}
	return int(got.PromptTokens), int(got.CompletionTokens), usageGiven
}

func (u *usageReader) finish() {
	if u.done {
		return
	}
	u.done = true
	prompt, completion, status := answerUsage(u.buf.Bytes())
	u.m.mu.Lock()
	defer u.m.mu.Unlock()
	if !u.start.IsZero() {
		u.m.Busy += time.Since(u.start)
	}
	switch status {
	case usageGiven:
		u.m.WithUsage++
		u.m.PromptTokens += prompt
		u.m.CompletionTokens += completion
	case usageIgnored:
		u.m.UsageIgnored++
	}
}

type startKey struct{}

func withStart(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, startKey{}, t)
}
