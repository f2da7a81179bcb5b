package llm

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/testserver"
	"github.com/tidwall/gjson"
)

func server(t *testing.T) (*testserver.Server, string) {
	t.Helper()
	log := filepath.Join(t.TempDir(), "requests.jsonl")
	s, err := testserver.New(testserver.Options{LogFile: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, log
}

func client(url, model string, mod ...func(*Config)) *Client {
	cfg := Config{BaseURL: url, Model: model, Retries: 2, Backoff: time.Millisecond, Timeout: 5 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	return New(cfg)
}

func requests(t *testing.T, log string) []gjson.Result {
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var out []gjson.Result
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l != "" {
			out = append(out, gjson.Parse(l))
		}
	}
	return out
}

var hello = Request{Messages: []Message{System("be brief"), User("<text>Hello there world</text>")}}

func TestTemperatureZeroIsSent(t *testing.T) {
	s, log := server(t)
	for _, temp := range []float64{0, 0.7} {
		c := client(s.BaseURL(), "tiny", func(c *Config) { c.Temperature = temp })
		if _, err := c.Complete(context.Background(), hello); err != nil {
			t.Fatal(err)
		}
	}
	reqs := requests(t, log)
	for i, want := range []float64{0, 0.7} {
		got := reqs[i].Get("body.temperature")
		if !got.Exists() || got.Float() != want {
			t.Errorf("request %d: temperature %s, want %v", i, got.Raw, want)
		}
	}
}

func TestRetries(t *testing.T) {
	s, _ := server(t)
	ctx := context.Background()
	var retries atomic.Int32
	onRetry := func(c *Config) { c.OnRetry = func(int, time.Duration, string) { retries.Add(1) } }

	start := time.Now()
	out, err := client(s.BaseURL(), "tiny+429", onRetry).Complete(ctx, hello)
	if err != nil || out != "Summary: Hello there world" {
		t.Fatalf("429: %q %v", out, err)
	}
	if time.Since(start) < 900*time.Millisecond {
		t.Errorf("Retry-After: 1 was not honoured (%s)", time.Since(start))
	}
	if _, err := client(s.BaseURL(), "tiny+500", onRetry).Complete(ctx, hello); err != nil {
		t.Fatalf("500: %v", err)
	}
	if retries.Load() != 2 {
		t.Errorf("%d retries, want 2", retries.Load())
	}
	_, err = client(s.BaseURL(), "tiny+down").Complete(ctx, hello)
	if sysexits.Code(err) != sysexits.TempFail || !strings.Contains(err.Error(), "503 after 3 tries") {
		t.Fatalf("down: %v (code %d)", err, sysexits.Code(err))
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/v1"
	l.Close() // nothing listens there now
	var retries atomic.Int32
	c := client(url, "tiny", func(c *Config) { c.OnRetry = func(int, time.Duration, string) { retries.Add(1) } })
	_, err = c.Complete(context.Background(), hello)
	if sysexits.Code(err) != sysexits.Unavailable || !strings.Contains(err.Error(), "cannot reach "+url) {
		t.Fatalf("err %v", err)
	}
	if kind, _ := KindOf(err); kind != Unreachable {
		t.Errorf("kind %d, want Unreachable", kind)
	}
	if retries.Load() != 2 {
		t.Errorf("%d retries, want 2", retries.Load())
	}
	// Once unreachable, later requests fail at once, without retrying.
	_, err = c.Complete(context.Background(), hello)
	if sysexits.Code(err) != sysexits.Unavailable || retries.Load() != 2 {
		t.Fatalf("second: %v after %d retries in all", err, retries.Load())
	}
}

func TestServerGoesAway(t *testing.T) {
	s, _ := server(t)
	var retries atomic.Int32
	c := client(s.BaseURL(), "tiny", func(c *Config) { c.OnRetry = func(int, time.Duration, string) { retries.Add(1) } })
	if _, err := c.Complete(context.Background(), hello); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := c.Complete(context.Background(), Request{Messages: []Message{User("another")}})
	if sysexits.Code(err) != sysexits.TempFail || !strings.Contains(err.Error(), "stopped answering") {
		t.Fatalf("err %v (code %d)", err, sysexits.Code(err))
	}
	before := retries.Load()
	_, err = c.Complete(context.Background(), Request{Messages: []Message{User("a third")}})
	if sysexits.Code(err) != sysexits.TempFail || retries.Load() != before {
		t.Fatalf("third: %v after %d more retries", err, retries.Load()-before)
	}
}

func TestErrorsExplain(t *testing.T) {
	s, _ := server(t)
	ctx := context.Background()
	tests := []struct {
		url, model string
		code       int
		msg        string
		kind       Kind
	}{
		{s.BaseURL(), "nosuch", sysexits.Config, `model "nosuch" not found`, ModelNotFound},
		{s.URL + "/auth/v1", "tiny", sysexits.Config, "refused the request (401)", Unauthorized},
		{s.URL, "tiny", sysexits.Config, "has no chat endpoint (404)", NoEndpoint},
		{s.BaseURL(), "tiny+ctx5", sysexits.Failure, "exceeds the available context size", 0},
		{s.BaseURL(), "tiny+long", sysexits.Failure, "cut off at the token limit", AnswerCut},
	}
	for _, tt := range tests {
		_, err := client(tt.url, tt.model).Complete(ctx, hello)
		kind, _ := KindOf(err)
		if err == nil || sysexits.Code(err) != tt.code || !strings.Contains(err.Error(), tt.msg) || kind != tt.kind {
			t.Errorf("%s %s: got %v (code %d, kind %d)", tt.url, tt.model, err, sysexits.Code(err), kind)
		}
	}
	// A missing model's error lists what the server serves.
	_, err := client(s.BaseURL(), "nosuch").Complete(ctx, hello)
	if _, e := KindOf(err); e == nil || strings.Join(e.Models, ",") != "tiny" {
		t.Errorf("models served: %+v", e)
	}
	c := client(s.URL+"/auth/v1", "tiny", func(c *Config) { c.APIKey = "test-key" })
	if _, err := c.Complete(ctx, hello); err != nil {
		t.Errorf("with key: %v", err)
	}
}

func TestModelChoice(t *testing.T) {
	s, _ := server(t)
	ctx := context.Background()
	if m, err := client(s.BaseURL(), "").Model(ctx); err != nil || m != "tiny" {
		t.Errorf("one model: %q %v", m, err)
	}
	_, err := client(s.URL+"/multi/v1", "").Model(ctx)
	if kind, e := KindOf(err); sysexits.Code(err) != sysexits.Config || kind != ModelAmbiguous || strings.Join(e.Models, ", ") != "tiny, big" {
		t.Errorf("two models: %v / %+v", err, e)
	}
	_, err = client(s.URL+"/empty/v1", "").Model(ctx)
	if sysexits.Code(err) != sysexits.Config || !strings.Contains(err.Error(), "serves none") {
		t.Errorf("no models: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	s, _ := server(t)
	c := client(s.BaseURL(), "tiny+slow", func(c *Config) { c.Timeout = 10 * time.Millisecond; c.Retries = 1 })
	_, err := c.Complete(context.Background(), hello)
	if sysexits.Code(err) != sysexits.TempFail || !strings.Contains(err.Error(), "no answer within 10ms") {
		t.Fatalf("err %v", err)
	}
}

func TestCancel(t *testing.T) {
	// An answer that never comes in the test's time; the request is
	// cancelled once the server has it.
	s, err := testserver.New(testserver.Options{Delay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for s.Requests() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err = client(s.BaseURL(), "tiny+slow").Complete(ctx, hello)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

func TestStream(t *testing.T) {
	s, _ := server(t)
	var pieces []string
	out, err := client(s.BaseURL(), "tiny+think").Stream(context.Background(), hello, func(p string) error {
		pieces = append(pieces, p)
		return nil
	})
	if err != nil || out != "Summary: Hello there world" || len(pieces) < 3 {
		t.Fatalf("%q %v pieces %q", out, err, pieces)
	}
	_, err = client(s.BaseURL(), "tiny+cut").Stream(context.Background(), hello, func(string) error { return nil })
	if sysexits.Code(err) != sysexits.TempFail {
		t.Fatalf("cut stream: %v", err)
	}
	// A cut non-streaming answer is retried.
	if out, err := client(s.BaseURL(), "tiny+cut").Complete(context.Background(), hello); err != nil || out == "" {
		t.Fatalf("cut body: %q %v", out, err)
	}
}

func TestCache(t *testing.T) {
	s, _ := server(t)
	dir := t.TempDir()
	withCache := func(c *Config) { c.CacheDir = dir }
	ctx := context.Background()
	a, err := client(s.BaseURL(), "tiny", withCache).Complete(ctx, hello)
	if err != nil {
		t.Fatal(err)
	}
	n := s.Requests()
	b, err := client(s.BaseURL(), "tiny", withCache).Complete(ctx, hello)
	if err != nil || a != b || s.Requests() != n {
		t.Fatalf("second run asked the server (%d -> %d requests)", n, s.Requests())
	}
	// The stream of a cached answer comes from the cache too.
	got := ""
	client(s.BaseURL(), "tiny", withCache).Stream(ctx, hello, func(p string) error { got += p; return nil })
	if got != a || s.Requests() != n {
		t.Fatalf("stream from cache: %q", got)
	}
	// Anything that changes the answer changes the key.
	client(s.BaseURL(), "tiny", withCache, func(c *Config) { c.Temperature = 0.5 }).Complete(ctx, hello)
	if s.Requests() != n+1 {
		t.Fatal("temperature is not part of the key")
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(entries) != 2 {
		t.Fatalf("cache holds %d answers", len(entries))
	}
	tmp, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-*"))
	if len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}

type out struct {
	Title   string   `json:"title"`
	Summary string   `json:"summary"`
	Tags    []string `json:"tags"`
}

var outSchema = &Schema{Type: "object", Order: []string{"title", "summary", "tags"}, Properties: map[string]*Schema{
	"title": {Type: "string"}, "summary": {Type: "string"}, "tags": {Type: "array", Items: &Schema{Type: "string"}},
}}

func TestStructuredLadder(t *testing.T) {
	s, log := server(t)
	tests := []struct {
		model string
		rung  string
		calls int
		err   string
	}{
		{"tiny", "json_schema", 1, ""},
		{"tiny+fence", "json_schema", 1, ""},
		{"tiny+think", "json_schema", 1, ""},
		{"tiny+rejectschema", "json_object", 2, ""},
		{"tiny+noformat", "json_object", 2, ""},
		{"tiny+rejectformat+fence", "schema in the prompt", 3, ""},
		{"tiny+badjson", "json_schema", 2, ""},
		{"tiny+alwaysbad", "json_schema", 2, "does not match the summary schema, even after a repair round"},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			before := len(requests(t, log))
			c := client(s.BaseURL(), tt.model)
			var o out
			err := c.Structured(context.Background(), hello, "summary", outSchema, &o)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
			} else if err != nil || o.Title != "Hello there world" || len(o.Tags) == 0 {
				t.Fatalf("%+v %v", o, err)
			}
			if c.Rung() != tt.rung {
				t.Errorf("rung %q, want %q", c.Rung(), tt.rung)
			}
			if n := len(requests(t, log)) - before; n != tt.calls {
				t.Errorf("%d requests, want %d", n, tt.calls)
			}
			// The rung is remembered: the next record goes straight there.
			if tt.err == "" {
				before = len(requests(t, log))
				c.Structured(context.Background(), Request{Messages: []Message{User("<text>Other words</text>")}}, "summary", outSchema, &o)
				if n := len(requests(t, log)) - before; n != 1 && tt.model != "tiny+badjson" {
					t.Errorf("second record took %d requests", n)
				}
			}
		})
	}
}

// An answer to a request with KeepMethod (a round that asks the model to
// write its answer again) that is no JSON is a bad answer and nothing
// more: the method stays json_schema for the requests after it. A server
// that refuses the method still moves it. Without KeepMethod the same
// answer walks the ladder down, as a server that ignores response_format
// would.
func TestKeepMethod(t *testing.T) {
	s, log := server(t)
	again := Request{Messages: []Message{User("These are not in the text: \"Priya\". <summary>Hello there world</summary>")}}
	tests := []struct {
		model string
		req   Request
		keep  bool
		rung  string
		calls int
		err   string
	}{
		{"tiny+badrepair", again, true, "json_schema", 2, "does not match the summary schema, even after a repair round"},
		{"tiny+badrepair", again, false, "schema in the prompt", 4, "does not match the summary schema, even after a repair round"},
		{"tiny+rejectschema", hello, true, "json_object", 2, ""},
	}
	for _, tt := range tests {
		before := len(requests(t, log))
		c := client(s.BaseURL(), tt.model)
		req := tt.req
		req.KeepMethod = tt.keep
		var o out
		err := c.Structured(context.Background(), req, "summary", outSchema, &o)
		if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s, keep %v: err %v, want %q", tt.model, tt.keep, err, tt.err)
		}
		if c.Rung() != tt.rung {
			t.Errorf("%s, keep %v: rung %q, want %q", tt.model, tt.keep, c.Rung(), tt.rung)
		}
		if n := len(requests(t, log)) - before; n != tt.calls {
			t.Errorf("%s, keep %v: %d requests, want %d", tt.model, tt.keep, n, tt.calls)
		}
	}
}

// TestHostDoesNotResolve: a host name that does not resolve is said at
// once, not retried as a server that may be starting.
func TestHostDoesNotResolve(t *testing.T) {
	dials := 0
	var retries atomic.Int32
	c := client("http://olama.local:11434/v1", "tiny", func(c *Config) {
		c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials++
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "olama.local", IsNotFound: true}}
		}
		c.OnRetry = func(int, time.Duration, string) { retries.Add(1) }
	})
	_, err := c.Complete(context.Background(), hello)
	if sysexits.Code(err) != sysexits.Config || !strings.Contains(err.Error(), `the host name "olama.local" does not resolve`) {
		t.Fatalf("err %v (code %d)", err, sysexits.Code(err))
	}
	if kind, _ := KindOf(err); kind != NoSuchHost {
		t.Errorf("kind %d, want NoSuchHost", kind)
	}
	if dials != 1 || retries.Load() != 0 {
		t.Errorf("%d dials and %d retries, want 1 and 0", dials, retries.Load())
	}
	if _, err := c.Complete(context.Background(), hello); err == nil || dials != 1 {
		t.Errorf("second request: %v after %d dials", err, dials)
	}
}

// TestSchemaInPromptAfterText: on the rungs that put the schema in the
// prompt, it follows the last user message, after the text: the system
// message stays as the tool wrote it, so requests of different schemas
// (and plain ones) keep the prefix a server's prompt cache reuses.
func TestSchemaInPromptAfterText(t *testing.T) {
	s, log := server(t)
	for _, model := range []string{"tiny+rejectschema", "tiny+rejectformat"} {
		t.Run(model, func(t *testing.T) {
			c := client(s.BaseURL(), model)
			var o out
			if err := c.Structured(context.Background(), hello, "summary", outSchema, &o); err != nil {
				t.Fatal(err)
			}
			reqs := requests(t, log)
			msgs := reqs[len(reqs)-1].Get("body.messages").Array()
			if len(msgs) != 2 || msgs[0].Get("content").String() != "be brief" {
				t.Fatalf("the system message changed: %s", reqs[len(reqs)-1].Get("body.messages").Raw)
			}
			user := msgs[1].Get("content").String()
			text, instr, ok := strings.Cut(user, "\n\n")
			if !ok || text != "<text>Hello there world</text>" || !strings.HasPrefix(instr, "Answer with only a JSON object") || !strings.Contains(instr, `"summary"`) {
				t.Errorf("the user message is not the text, then the schema:\n%s", user)
			}
		})
	}
	// A request without a user message gets the schema as one.
	c := client(s.BaseURL(), "tiny+rejectformat")
	var o out
	c.Structured(context.Background(), Request{Messages: []Message{System("be brief")}}, "summary", outSchema, &o)
	reqs := requests(t, log)
	msgs := reqs[len(reqs)-1].Get("body.messages").Array()
	if len(msgs) != 2 || msgs[0].Get("content").String() != "be brief" || msgs[1].Get("role").String() != "user" || !strings.Contains(msgs[1].Get("content").String(), "JSON Schema") {
		t.Errorf("no user message: %s", reqs[len(reqs)-1].Get("body.messages").Raw)
	}
}
