package testserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestPromptCache(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	chat := func(model, format string, msgs ...string) int {
		t.Helper()
		var m []chatMessage
		for i, c := range msgs {
			role := "user"
			if i == 0 {
				role = "system"
			}
			m = append(m, chatMessage{Role: role, Content: c})
		}
		req := map[string]any{"model": model, "messages": m}
		if format != "" {
			req["response_format"] = map[string]any{"type": format}
		}
		body, _ := json.Marshal(req)
		resp, err := http.Post(s.BaseURL()+"/chat/completions", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Tokens: "You read texts." 4; the text 14 (<text> and </text> 3 and
	// 4); "Sum it up." 4; "List its tasks." 4; each message 4 more.
	const sys = "You read texts."
	text := "<text>\nThe roof leaks, call Bob.\n</text>"
	steps := []struct {
		name          string
		model, format string
		msgs          []string
		prompt, reuse int // this request's tokens, and what the cache reuses of them
	}{
		{"nothing cached yet", "tiny", "", []string{sys, text + "\n\nSum it up."}, 8 + 22, 0},
		// The system message, the user's start and the text are shared.
		{"the same text, another instruction", "tiny", "", []string{sys, text + "\n\nList its tasks."}, 8 + 22, 8 + 3 + 14},
		// Another system message: its start, role, separator and first word.
		{"another system message", "tiny", "", []string{"You write texts.", text}, 8 + 18, 4},
		// A prompt seen whole: all but its last token.
		{"the same prompt again", "tiny", "", []string{sys, text + "\n\nSum it up."}, 30, 29},
		// The longest match wins, whichever request it was.
		{"a prompt that extends the first", "tiny", "", []string{sys, text + "\n\nSum it up.", "Shorter."}, 30 + 6, 30},
		// A refused request is not evaluated.
		{"refused", "tiny+rejectformat", "json_object", []string{"Something new entirely."}, 0, 0},
	}
	var want CacheStats
	for _, st := range steps {
		code := chat(st.model, st.format, st.msgs...)
		if st.prompt > 0 {
			want.Requests++
		}
		want.Prompt += st.prompt
		want.Reused += st.reuse
		if got := s.PromptCache(); got != want || (code == 200) != (st.prompt > 0) {
			t.Fatalf("%s: status %d, counts %+v, want %+v", st.name, code, got, want)
		}
	}
	if got := s.PromptCache().Evaluated(); got != want.Prompt-want.Reused {
		t.Errorf("evaluated %d", got)
	}
}
