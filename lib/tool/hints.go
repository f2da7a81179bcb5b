package tool

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shelfai/shelf/lib/ask"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/sysexits"
)

// hintFor is what to do about err, in the words of the command line: for
// a context window with no room for text, the one for whose window it is;
// else the hint err carries; else the one for the kind of failure talking
// to the server. urlEnv is the variable that names this tool's endpoint.
func hintFor(err error, urlEnv string) string {
	var room *ask.NoRoomError
	if errors.As(err, &room) {
		if room.Setting {
			return "raise --context-length to the model's real window (most hold 4096 tokens or more), or serve the model with a larger one"
		}
		return "serve the model with a larger window (Ollama: PARAMETER num_ctx in its Modelfile), or use a shorter prompt"
	}
	if h := sysexits.Hint(err); h != "" {
		return h
	}
	var cut *llm.TruncatedError
	if errors.As(err, &cut) {
		if cut.Took >= cut.Window {
			return "the text takes more tokens than estimated: serve the model with a larger window (Ollama: PARAMETER num_ctx in its Modelfile)"
		}
		return fmt.Sprintf("the model's window seems to hold %d tokens: give --context-length %d, or serve the model with a larger window (Ollama: PARAMETER num_ctx in its Modelfile)", cut.Took, cut.Took)
	}
	kind, e := llm.KindOf(err)
	if e == nil {
		return ""
	}
	modelFlag := "--model or SHELF_MODEL"
	switch e.Request {
	case "transcription":
		modelFlag = "--model or SHELF_TRANSCRIBE_MODEL"
	case "embeddings":
		modelFlag = "--embed-model or SHELF_EMBED_MODEL"
	}
	switch kind {
	case llm.Unreachable:
		return fmt.Sprintf("is the server running? Start Ollama with 'ollama serve', or point --base-url (%s) at your server (now %s)", urlEnv, e.URL)
	case llm.NoSuchHost:
		return fmt.Sprintf("check the host name in --base-url (%s) for a typo", urlEnv)
	case llm.WentAway:
		return "the server stopped answering during the run; run the records that carry this error again once it is back"
	case llm.Timeout:
		return "a slow model may need a longer --timeout; a busy server, fewer --jobs"
	case llm.Unauthorized:
		return "set --api-key (or SHELF_API_KEY, OPENAI_API_KEY) to a key this server accepts"
	case llm.NoEndpoint:
		return "check --base-url: OpenAI-compatible servers usually end in /v1 (Ollama: http://localhost:11434/v1)"
	case llm.NoSpeech:
		return "this server has no speech-to-text (Ollama has none): point --base-url (or SHELF_TRANSCRIBE_BASE_URL) at a whisper.cpp server (run with --inference-path /v1/audio/transcriptions), speaches, LocalAI or vLLM, or use --engine whisper"
	case llm.ModelNotFound:
		h := "choose a model the server serves with " + modelFlag
		if len(e.Models) > 0 {
			h += ": " + strings.Join(e.Models, ", ")
		}
		return h
	case llm.NoModel:
		return "load or pull a model on the server (Ollama: ollama pull llama3.2), then retry"
	case llm.ModelAmbiguous:
		return "choose one with " + modelFlag + ": " + strings.Join(e.Models, ", ")
	case llm.Busy:
		return "the server is busy or failing; retry later, or with fewer --jobs"
	case llm.TooLarge:
		return "raise --max-answer if this server's answers are that large on purpose"
	case llm.UploadTooLarge:
		return "send a smaller file: compress it (ffmpeg -i in.wav -ac 1 -ar 16000 -b:a 32k out.mp3), split it, or use the whisper engine"
	case llm.AnswerCut:
		return "raise --context-length if the model's window allows, or ask for a shorter answer"
	case llm.BadVectors:
		return "the embedding model gives vectors that cannot be used: choose another with " + modelFlag
	case llm.OverTokens:
		return "the server ignored the answer's token limit (max_tokens): check its settings, or choose another server or model"
	case llm.BadAnswer:
		return "a larger or instruction-tuned model answers structured requests more reliably"
	}
	return ""
}

// Hint is what to do about err, in the words of this tool's command line.
func (e *Env) Hint(err error) string { return e.Safe(hintFor(err, e.urlEnv)) }
