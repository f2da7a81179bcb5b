package testserver

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptedMatchesTheText: a rule of the answers file is matched
// against the text a request asks about (its <text> block), so the words
// of an instruction after the text (an example in it, say) do not pick
// the answer; a request without a text block is matched by all the user
// said (a repair round, say).
func TestScriptedMatchesTheText(t *testing.T) {
	answers := filepath.Join(t.TempDir(), "answers.jsonl")
	os.WriteFile(answers, []byte(`{"match":"dentist","answer":{"n":"dentist"}}
{"match":"nothing","answer":{"n":"nothing"}}
{"match":"notes taken","answer":{"n":"notes"}}
`), 0o644)
	s, err := New(Options{AnswersFile: answers})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	instr := "\n\nFind the action items in the text above, such as \"Call the dentist about the crown\"."
	for _, tt := range []struct{ user, want string }{
		{"<text>\nnothing to do\n</text>" + instr, "nothing"},
		{"<text>\nCall the dentist, nothing else.\n</text>" + instr, "dentist"},
		// The old layout: the instruction first.
		{"List the action items in this text.\n\n<text>\nnothing to do\n</text>", "nothing"},
		{"<text>\nroof, garden\n</text>\n\nThese are notes taken, in order, from the 2 parts.", ""},
		{"No text block: nothing, then the dentist.", "dentist"},
		{"No text block: these are notes taken.", "notes"},
	} {
		body, _ := json.Marshal(map[string]any{"model": "tiny", "messages": []map[string]string{{"role": "system", "content": "sys"}, {"role": "user", "content": tt.user}},
			"response_format": map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "x", "schema": map[string]any{"type": "object"}}}})
		resp, err := http.Post(s.BaseURL()+"/chat/completions", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := strings.Contains(string(b), `{\"n\":\"`); tt.want == "" && got {
			t.Errorf("%q: %s, want no scripted answer", tt.user, b)
		} else if tt.want != "" && !strings.Contains(string(b), `{\"n\":\"`+tt.want+`\"}`) {
			t.Errorf("%q: %s, want the answer of %q", tt.user, b, tt.want)
		}
	}
}
