package llm

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/sysexits"
)

// endlessServer answers every request with 200 and a body that never ends
// (until the client hangs up), and counts the requests.
func endlessServer(t *testing.T) *httptest.Server {
	t.Helper()
	chunk := []byte(strings.Repeat("x", 64<<10))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat/completions") && strings.Contains(r.Header.Get("Accept"), "event-stream") {
			w.Header().Set("Content-Type", "text/event-stream")
			chunk = []byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + strings.Repeat("y", 60<<10) + "\"}}]}\n\n")
		} else {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"data":"`))
		}
		for sent := 0; sent < 1<<30 && r.Context().Err() == nil; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestAnswerSizeCapped: no endpoint's answer is read past MaxAnswer, and
// memory stays bounded while a server sends without end.
func TestAnswerSizeCapped(t *testing.T) {
	s := endlessServer(t)
	const limit = 1 << 20
	c := client(s.URL+"/v1", "tiny", func(c *Config) { c.MaxAnswer = limit })
	ctx := context.Background()
	calls := map[string]func() error{
		"models": func() error { _, err := c.Models(ctx); return err },
		"chat":   func() error { _, err := c.Complete(ctx, hello); return err },
		"stream": func() error {
			_, err := c.Stream(ctx, hello, func(string) error { return nil })
			return err
		},
		"embeddings": func() error { _, err := c.Embed(ctx, "e", []string{"a"}); return err },
		"transcription": func() error {
			_, err := c.Transcribe(ctx, "a.wav", []byte("RIFF"), TranscribeOptions{Model: "w"})
			return err
		},
	}
	for name, call := range calls {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err := call()
		runtime.ReadMemStats(&after)
		if !errors.As(err, new(*TooLargeError)) && !strings.Contains(err.Error(), "larger than 1 MiB") {
			t.Errorf("%s: err %v, want the answer too large", name, err)
			continue
		}
		if name != "stream" && sysexits.Code(err) != sysexits.Failure {
			t.Errorf("%s: exit status %d, want 1 (retrying brings the same answer)", name, sysexits.Code(err))
		}
		if kind, _ := KindOf(err); kind != TooLarge && name != "stream" {
			t.Errorf("%s: kind %d, want TooLarge", name, kind)
		}
		// Bytes allocated while reading: a few times the limit at most,
		// never the gigabyte the server would send.
		if got := after.TotalAlloc - before.TotalAlloc; got > 32*limit {
			t.Errorf("%s: allocated %d MiB reading an answer capped at 1 MiB", name, got>>20)
		}
	}
}

// TestKeepaliveIsSilence: a stream of SSE comments carries no content, so
// the timeout counts it as silence.
func TestKeepaliveIsSilence(t *testing.T) {
	s, _ := server(t)
	c := client(s.BaseURL(), "tiny+keepalive", func(c *Config) { c.Timeout = 200 * time.Millisecond; c.Retries = 0 })
	_, err := c.Stream(context.Background(), hello, func(string) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no answer within 200ms") {
		t.Fatalf("err %v, want a timeout", err)
	}
}

// TestOnlyValidAnswersCached: an answer that fails validation is not
// replayed from the cache once the server answers well.
func TestOnlyValidAnswersCached(t *testing.T) {
	s, _ := server(t)
	dir := t.TempDir()
	schema := &Schema{Type: "object", Properties: map[string]*Schema{"name": {Type: "string"}}, Order: []string{"name"}}
	var out struct{ Name string }
	bad := client(s.BaseURL(), "tiny+alwaysbad", func(c *Config) { c.CacheDir = dir })
	if err := bad.Structured(context.Background(), hello, "thing", schema, &out); err == nil {
		t.Fatal("an invalid answer passed")
	}
	// The same requests answered well now: nothing bad may come from the
	// cache. (The model name is part of the key, so the cache is shared
	// through a client that asks for the same model of a fixed server.)
	entries := 0
	filepathWalk(t, dir, func() { entries++ })
	if entries != 0 {
		t.Errorf("%d answers cached after only invalid ones", entries)
	}
	good := client(s.BaseURL(), "tiny", func(c *Config) { c.CacheDir = dir })
	if err := good.Structured(context.Background(), hello, "thing", schema, &out); err != nil {
		t.Fatal(err)
	}
	entries = 0
	filepathWalk(t, dir, func() { entries++ })
	if entries != 1 {
		t.Errorf("%d answers cached after one valid one", entries)
	}
}

func filepathWalk(t *testing.T, dir string, file func()) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			file()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnswerOverMaxTokens: an answer far longer than the tokens asked for
// (a server that ignores max_tokens, or lies) is a bad answer, plain and
// streamed, and never reaches a record.
func TestAnswerOverMaxTokens(t *testing.T) {
	long := strings.Repeat("word ", 40000) // 200,000 bytes
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept"), "event-stream") {
			w.Header().Set("Content-Type", "text/event-stream")
			for i := 0; i < 40; i++ {
				w.Write([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + long[:5000] + "\"}}]}\n\n"))
			}
			w.Write([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"choices":[{"index":0,"message":{"role":"assistant","content":"` + long + `"},"finish_reason":"stop"}]}`))
	}))
	t.Cleanup(s.Close)
	c := client(s.URL+"/v1", "tiny") // no CacheDir: no cache
	req := hello
	req.MaxTokens = 100
	_, err := c.Complete(context.Background(), req)
	var e *Error
	if !errors.As(err, &e) || e.Kind != OverTokens || !strings.Contains(err.Error(), "200000 bytes, more than 100 tokens") {
		t.Errorf("plain: err %v, want OverTokens naming its size", err)
	}
	got, err := c.Stream(context.Background(), req, func(string) error { return nil })
	if !errors.As(err, &e) || e.Kind != OverTokens || len(got) > 100*bytesPerToken+4096 {
		t.Errorf("stream: err %v with %d bytes, want OverTokens, stopped at the limit", err, len(got))
	}
	// Within the limit, an answer is an answer.
	req.MaxTokens = 10000
	if _, err := c.Complete(context.Background(), req); err != nil {
		t.Errorf("an answer within the limit: %v", err)
	}
}
