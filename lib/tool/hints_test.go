package tool

import (
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/ask"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/sysexits"
)

// TestHints: each kind of failure talking to a server gets the words of
// the command line; a hint an error carries wins.
func TestHints(t *testing.T) {
	wrap := func(e *llm.Error) error { return &sysexits.Error{Code: 1, Err: e} }
	tests := []struct {
		err    error
		urlEnv string
		want   string
	}{
		{wrap(&llm.Error{Kind: llm.Unreachable, URL: "http://127.0.0.1:11434/v1"}), "SHELF_BASE_URL", "point --base-url (SHELF_BASE_URL) at your server (now http://127.0.0.1:11434/v1)"},
		{wrap(&llm.Error{Kind: llm.Unreachable}), "SHELF_TRANSCRIBE_BASE_URL", "--base-url (SHELF_TRANSCRIBE_BASE_URL)"},
		{wrap(&llm.Error{Kind: llm.NoSuchHost}), "SHELF_BASE_URL", "check the host name in --base-url (SHELF_BASE_URL) for a typo"},
		{wrap(&llm.Error{Kind: llm.ModelNotFound, Request: "chat", Models: []string{"tiny", "big"}}), "SHELF_BASE_URL", "with --model or SHELF_MODEL: tiny, big"},
		{wrap(&llm.Error{Kind: llm.ModelNotFound, Request: "embeddings"}), "SHELF_BASE_URL", "--embed-model or SHELF_EMBED_MODEL"},
		{wrap(&llm.Error{Kind: llm.ModelNotFound, Request: "transcription"}), "SHELF_BASE_URL", "SHELF_TRANSCRIBE_MODEL"},
		{wrap(&llm.Error{Kind: llm.ModelAmbiguous, Models: []string{"a", "b"}}), "SHELF_BASE_URL", "choose one with --model or SHELF_MODEL: a, b"},
		{wrap(&llm.Error{Kind: llm.Unauthorized}), "SHELF_BASE_URL", "--api-key"},
		{wrap(&llm.Error{Kind: llm.NoEndpoint}), "SHELF_BASE_URL", "usually end in /v1"},
		{wrap(&llm.Error{Kind: llm.TooLarge}), "SHELF_BASE_URL", "raise --max-answer"},
		{wrap(&llm.Error{Kind: llm.BadVectors, Request: "embeddings"}), "SHELF_BASE_URL", "vectors that cannot be used: choose another with --embed-model or SHELF_EMBED_MODEL"},
		{wrap(&llm.Error{Kind: llm.AnswerCut}), "SHELF_BASE_URL", "--context-length"},
		{wrap(&llm.Error{Kind: llm.Timeout}), "SHELF_BASE_URL", "--timeout"},
		{&sysexits.Error{Code: 1, Err: &llm.TruncatedError{Took: 512, Window: 4096}}, "SHELF_BASE_URL", "give --context-length 512"},
		{sysexits.Errorf(1, "the error's own hint", "x"), "SHELF_BASE_URL", "the error's own hint"},
		// A window with no room for text: whose window it is decides.
		{&ask.NoRoomError{Window: 300, Setting: true, Err: sysexits.Errorf(sysexits.Usage, "", "--context-length 300 ...")}, "SHELF_BASE_URL",
			"raise --context-length to the model's real window (most hold 4096 tokens or more), or serve the model with a larger one"},
		{&ask.NoRoomError{Window: 300, Setting: true, Err: sysexits.Errorf(sysexits.Config, "fix it in that file", "shelf.toml:1: ...")}, "SHELF_BASE_URL",
			"raise --context-length to the model's real window"},
		{&ask.NoRoomError{Window: 300, Err: sysexits.Errorf(sysexits.Failure, "", "a context window of 300 tokens ...")}, "SHELF_BASE_URL",
			"serve the model with a larger window (Ollama: PARAMETER num_ctx in its Modelfile), or use a shorter prompt"},
	}
	for _, tt := range tests {
		if got := hintFor(tt.err, tt.urlEnv); !strings.Contains(got, tt.want) {
			t.Errorf("%+v: hint %q, want it to hold %q", tt.err, got, tt.want)
		}
	}
	if got := hintFor(sysexits.Errorf(1, "", "plain"), "SHELF_BASE_URL"); got != "" {
		t.Errorf("a plain error got hint %q", got)
	}
}
