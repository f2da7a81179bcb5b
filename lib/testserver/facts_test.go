package testserver

import (
	"encoding/json"
	"testing"
)

func TestAddFacts(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"title":{"type":"string"},"summary":{"type":"string"},"tags":{"type":"array","maxItems":2,"items":{"type":"string"}}}}`)
	tests := []struct {
		name, content string
		schema        json.RawMessage
		last, want    string
	}{
		{"plain", "Summary: Call Bob", nil, "Summarize this text.", "Summary: Call Bob with Priya, who paid $9,500."},
		{"structured", `{"summary":"Call Bob","tags":["call"],"title":"Call"}`, schema, "Summarize this text.",
			`{"summary":"Call Bob with Priya, who paid $9,500.","tags":["call"],"title":"Call for Priya"}`},
		{"not JSON though asked", "Sure! ```json\n{}\n```", schema, "Summarize.", "Sure! ```json\n{}\n```"},
		{"repair, plain", "whatever", nil, "These are not in the text: \"Priya\". Write it again.\n\n<summary>\nSummary: Call Bob with Priya, who paid $9,500.\n</summary>",
			"Summary: Call Bob"},
		{"repair, structured", "{}", schema, "These are not in the text: \"Priya\". Write it again.\n\n<summary>\nCall Bob about it with Priya, who paid $9,500.\n</summary>",
			`{"summary":"Call Bob about it","tags":["call","bob"],"title":"Call Bob about it"}`},
	}
	for _, tt := range tests {
		if got := addFacts(tt.content, tt.schema, tt.last); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}
