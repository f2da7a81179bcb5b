package llm

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cacheHolds reports whether any file of the cache in dir holds s.
func cacheHolds(t *testing.T, dir, s string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if strings.Contains(string(b), s) {
			found = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// A server that echoes the credentials it was sent in its answers gets
// them into no answer and no cached file: plain, streamed (in pieces that
// cut the key apart) and structured (\u-escaped in the JSON too).
func TestEchoedSecretsMasked(t *testing.T) {
	s, _ := server(t)
	withPassword := strings.Replace(s.BaseURL(), "http://", "http://u:secret-pw@", 1)
	tests := []struct {
		name, url, key string
		leaks          []string // what must not come out
	}{
		{"key", s.BaseURL(), "not-a-real-key-7f3a9c", []string{"not-a-real-key-7f3a9c"}},
		// No key: the URL's credentials go as Basic base64("u:secret-pw").
		{"password", withPassword, "", []string{"secret-pw", "dTpzZWNyZXQtcHc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := client(tt.url, "tiny+echokey", func(c *Config) { c.CacheDir = dir; c.APIKey = tt.key })
			ctx := context.Background()
			check := func(what, got string) {
				t.Helper()
				for _, leak := range tt.leaks {
					if strings.Contains(got, leak) {
						t.Errorf("%s: %q holds %q", what, got, leak)
					}
				}
				if !strings.Contains(got, "[redacted]") {
					t.Errorf("%s: %q is not the echoing answer", what, got)
				}
			}
			plain, err := c.Complete(ctx, hello)
			if err != nil {
				t.Fatal(err)
			}
			check("Complete", plain)
			var pieces []string
			streamed, err := c.Stream(ctx, Request{Messages: []Message{User("<text>Streamed words</text>")}}, func(p string) error {
				pieces = append(pieces, p)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			check("Stream", streamed)
			check("Stream pieces", strings.Join(pieces, ""))
			if strings.Join(pieces, "") != streamed {
				t.Errorf("pieces %q do not make the answer %q", pieces, streamed)
			}
			var o out
			if err := c.Structured(ctx, hello, "out", outSchema, &o); err != nil {
				t.Fatal(err)
			}
			check("Structured summary", o.Summary)
			check("Structured title", o.Title)
			for _, leak := range tt.leaks {
				if cacheHolds(t, dir, leak) {
					t.Errorf("the cache holds %q", leak)
				}
			}
			// What the cache gives back is masked too.
			again, err := c.Complete(ctx, hello)
			if err != nil || again != plain {
				t.Errorf("from the cache: %q %v, want %q", again, err, plain)
			}
		})
	}
}

// An answer cached under one key is not given to a run with another: the
// key is part of the cache key (as a hash; no file holds the key).
func TestCacheKeyHasAPIKey(t *testing.T) {
	s, _ := server(t)
	dir := t.TempDir()
	ctx := context.Background()
	withKey := func(key string) func(*Config) {
		return func(c *Config) { c.CacheDir = dir; c.APIKey = key }
	}
	if _, err := client(s.BaseURL(), "tiny", withKey("first-key-0123")).Complete(ctx, hello); err != nil {
		t.Fatal(err)
	}
	n := s.Requests()
	if _, err := client(s.BaseURL(), "tiny", withKey("first-key-0123")).Complete(ctx, hello); err != nil || s.Requests() != n {
		t.Fatalf("the same key asked again (%v)", err)
	}
	if _, err := client(s.BaseURL(), "tiny", withKey("second-key-4567")).Complete(ctx, hello); err != nil || s.Requests() != n+1 {
		t.Fatalf("another key got the first key's answer (%v)", err)
	}
	for _, k := range []string{"first-key-0123", "second-key-4567"} {
		if cacheHolds(t, dir, k) {
			t.Errorf("the cache holds the key %q", k)
		}
	}
}

// A transcript that echoes the key is masked too, and cached per key.
func TestEchoedKeyInTranscript(t *testing.T) {
	s, _ := server(t)
	dir := t.TempDir()
	ctx := context.Background()
	audio := []byte("RIFF fake audio")
	withKey := func(key string) func(*Config) {
		return func(c *Config) { c.CacheDir = dir; c.APIKey = key }
	}
	tr, err := client(s.BaseURL(), "", withKey("not-a-real-key-7f3a9c")).Transcribe(ctx, "memo.wav", audio, TranscribeOptions{Model: "tiny+echokey"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tr.Text, "not-a-real-key-7f3a9c") || !strings.Contains(tr.Text, "[redacted]") {
		t.Errorf("transcript %q", tr.Text)
	}
	if cacheHolds(t, dir, "not-a-real-key-7f3a9c") {
		t.Error("the cache holds the key")
	}
	n := s.Requests()
	if _, err := client(s.BaseURL(), "", withKey("second-key-4567")).Transcribe(ctx, "memo.wav", audio, TranscribeOptions{Model: "tiny+echokey"}); err != nil || s.Requests() != n+1 {
		t.Errorf("another key got the first key's transcript (%v)", err)
	}
}

// unsafe reports the first character of s that would act on a terminal
// or reorder a line: a control character or a bidi formatting character.
func unsafe(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return r, true
		}
	}
	return 0, false
}

// What a server says in an error (a JSON error's message, a plain body, a
// broken stream) comes out as one line whose control characters show as
// escapes.
func TestServerTextVisible(t *testing.T) {
	s, _ := server(t)
	hostile := "no\x1b]0;owned\x07\x1b[2J\u009b31m \u202eevil\nsecond line"
	quoted, _ := json.Marshal(hostile)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/chat/completions") && strings.Contains(r.URL.Path, "stream"):
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: {\"error\":{\"message\":"+string(quoted)+"}}\n\n")
		default:
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(400)
			io.WriteString(w, hostile)
		}
	}))
	defer plain.Close()
	ctx := context.Background()
	_, jsonErr := client(s.BaseURL(), "tiny+escapes").Complete(ctx, hello)
	_, plainErr := client(plain.URL+"/v1", "tiny").Complete(ctx, hello)
	_, streamErr := client(plain.URL+"/stream/v1", "tiny").Stream(ctx, hello, func(string) error { return nil })
	for name, err := range map[string]error{"JSON error": jsonErr, "plain body": plainErr, "stream": streamErr} {
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := err.Error()
		if r, bad := unsafe(msg); bad {
			t.Errorf("%s: %q holds %U", name, msg, r)
		}
		if !strings.Contains(msg, `\x1b]0;owned\x07\x1b[2J\u009b31m \u202eevil second line`) {
			t.Errorf("%s: %q does not show what the server said", name, msg)
		}
	}
}

// What a model answers is text: its terminal escapes, C1 controls and
// bidirectional overrides are gone from plain, streamed and transcribed
// answers alike (shelf(7), TEXT FROM A MODEL); and a transcript whose
// segment times are impossible is an error, not a record with them.
func TestAnswersAreText(t *testing.T) {
	hostile := "Hello \x1b]0;pwned\x07 call \x1b[2J mom\u009b31m \u202enow"
	quoted, _ := json.Marshal(hostile)
	times := `{"start":0,"end":1}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/audio/transcriptions"):
			io.WriteString(w, `{"text":`+string(quoted)+`,"language":"en","duration":2,"segments":[{"id":0,`+strings.Trim(times, "{}")+`,"text":`+string(quoted)+`}]}`)
		case strings.Contains(r.URL.Path, "stream"):
			w.Header().Set("Content-Type", "text/event-stream")
			for _, piece := range []string{hostile[:9], hostile[9:20], hostile[20:]} {
				q, _ := json.Marshal(piece)
				io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":"+string(q)+"}}]}\n\n")
			}
			io.WriteString(w, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
		default:
			io.WriteString(w, `{"choices":[{"index":0,"message":{"role":"assistant","content":`+string(quoted)+`},"finish_reason":"stop"}]}`)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	want := "Hello  ]0;pwned  call  [2J mom 31m now"
	plain, err := client(srv.URL+"/v1", "tiny").Complete(ctx, hello)
	if err != nil || plain != want {
		t.Errorf("Complete = %q, %v; want %q", plain, err, want)
	}
	var pieces strings.Builder
	streamed, err := client(srv.URL+"/stream/v1", "tiny").Stream(ctx, hello, func(s string) error { pieces.WriteString(s); return nil })
	if err != nil || streamed != want || pieces.String() != want {
		t.Errorf("Stream = %q (pieces %q), %v; want %q", streamed, pieces.String(), err, want)
	}
	tr, err := client(srv.URL+"/v1", "tiny").Transcribe(ctx, "a.wav", []byte("RIFF"), TranscribeOptions{Model: "tiny"})
	if err != nil || tr.Text != want || len(tr.Segments) != 1 || tr.Segments[0].Text != want {
		t.Errorf("Transcribe = %+v, %v; want the text %q", tr, err, want)
	}
	notTranscript := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"foo":1}`)
	}))
	defer notTranscript.Close()
	if _, err := client(notTranscript.URL+"/v1", "tiny").Transcribe(ctx, "a.wav", []byte("RIFF"), TranscribeOptions{Model: "tiny"}); func() Kind { k, _ := KindOf(err); return k }() != BadAnswer {
		t.Errorf("an answer that is no transcript: err = %v, want a BadAnswer", err)
	}
	for _, bad := range []string{`{"start":-1e300,"end":1e308}`, `{"start":5,"end":-3}`, `{"start":1.5,"end":1}`} {
		times = bad
		if _, err := client(srv.URL+"/v1", "tiny").Transcribe(ctx, "a.wav", []byte("RIFF"), TranscribeOptions{Model: "tiny"}); func() Kind { k, _ := KindOf(err); return k }() != BadAnswer {
			t.Errorf("segment times %s: err = %v, want a BadAnswer", bad, err)
		}
	}
}
