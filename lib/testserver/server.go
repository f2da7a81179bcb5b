// Package testserver provides an OpenAI-compatible server for tests: chat
// completions (plain and streaming, json_schema and json_object), model
// listing, embeddings and audio transcriptions, with faults injected on
// request. Answers are deterministic functions of the request, so tests
// can state what they expect.
//
// Faults are chosen through the model name: "tiny+429+fence" is the model
// "tiny" with the faults "429" and "fence". The faults are:
//
//	429          the first attempt of each distinct request gets 429 with Retry-After: 1
//	500          the first attempt of each distinct request gets 500
//	down         every request gets 503
//	slow         every answer waits Options.Delay (default 50ms)
//	cut          streams break off half way; other answers break off on the first attempt
//	fence        JSON answers come in a ```json fence with chatter around it
//	noformat     response_format is ignored: the answer is prose unless the prompt holds a schema
//	rejectschema a json_schema response_format is refused with 400
//	rejectformat any response_format is refused with 400
//	badjson      the first structured answer misses a required field; a repair request is answered right
//	alwaysbad    structured answers never match the schema
//	ctxN         prompts over N tokens (bytes/4) are refused with 400, as a context overflow
//	think        answers start with a <think> block
//	long         plain answers run past max_tokens and finish with "length"
//	jsononly     transcriptions asked for verbose_json come as json (no segments)
//	noverbose    transcriptions asked for verbose_json are refused with 400
//	toolarge     transcription uploads are refused with 413
//	huge         chat answers are HugeSize bytes of text (plain and streamed)
//	endless      chat answers never end: the body (or stream) goes on until the client hangs up
//	keepalive    streams send only SSE comments (": keepalive"), every 10ms, until the client hangs up
//	echokey      answers carry the request's Authorization header: after a plain answer or a transcript; before
//	             each title and summary of a structured one (the first time \u-escaped); a stream comes
//	             in pieces of 5 bytes, so the header is cut apart
//	echoerror    chat requests are refused with 400, the message quoting the Authorization header
//	escapes      chat requests are refused with 400, the message holding terminal escapes (a
//	             window title, clear screen), a C1 CSI, a bidi override and a line break
//	addsfacts    summaries (plain, and the "summary" of a structured answer) end in AddedFact, a
//	             name and a sum of money, and titles in AddedTitle, a name; a repair prompt
//	             ("These are not in the text: ...", the summary in <summary>) is answered
//	             with that summary without them
//	badrepair    a repair prompt of summarize ("These are not in the text: ...") is answered with
//	             prose and no JSON, and so is the repair round asked after it
//	emptyvec     every embedding is an empty vector
//	ragged       in an embeddings request of several inputs, the last one's vector is one dimension short
//	truth, bad   answers from the fitness fixtures' truth, or as a bad model; transcribes an
//	             upload named after a fixture memo ("m01.wav") as its text, or mishearing two
//	             of its words (see fitness.go)
//
// A request for tasks with quotes is answered with the clauses of the
// text that ask for something (askedTasks), when it has any. Models that
// answer tasks wrongly on purpose (invent, paraphrase, baddates) are
// described with taskFaults.
//
// URL prefixes choose the served models: /v1 serves "tiny"; /multi/v1
// serves "tiny" and "big"; /empty/v1 serves none; /auth/v1 serves "tiny"
// and wants the key "test-key".
//
// The prefix /KIND/N/v1 plays a server of that kind whose model ("tiny")
// has a window of N tokens. Like Ollama, it cuts a longer prompt without a
// word, keeping its first 4 tokens and its end, answers from what is left,
// and reports the tokens it took as usage.prompt_tokens. It tells its
// window where that kind of server does:
//
//	/ollama/N    POST /ollama/N/api/show: "num_ctx N" in "parameters" (N 0:
//	             no num_ctx, so Ollama's default of 4096 applies), and the
//	             trained length in model_info; GET /ollama/N/api/version
//	/llamacpp/N  GET /llamacpp/N/props: default_generation_settings.n_ctx
//	/vllm/N      GET /vllm/N/v1/models: max_model_len of each model
//	/lmstudio/N  GET /lmstudio/N/api/v0/models: loaded_context_length
//	/quiet/N     nowhere
//
// Every chat request to such a server adds a line to the log:
// {"path":"/window","model":M,"body":{"limit":N,"prompt":T,"cut":BOOL}}.
// Tokens are counted by Tokens.
//
// Every server counts what a prompt cache could reuse of the prompts it
// answers, as Ollama's and llama.cpp's do (see PromptCache).
package testserver

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	// Delay is how long the "slow" fault waits (default 50ms).
	Delay time.Duration
	// LogFile, if set, gets one JSON line per request: {"path","model","body"}.
	LogFile string
	// Dims is the embedding size (default 64).
	Dims int
	// AnswersFile, if it exists when a chat request comes, scripts the
	// answers: one JSON object a line, {"match": "words", "answer": {...}}
	// for structured requests and {"match": "words", "text": "..."} for
	// plain ones. The first rule whose match the text asked about
	// contains wins (the last <text> block of the user's messages; all
	// they said when they have none); faults such as fence still apply
	// to its answer.
	AnswersFile string
	// Fixtures is the folder of the fitness check's fixtures, for the
	// fitness modes (see fitness.go).
	Fixtures string
}

// Server is a running test server.
type Server struct {
	*httptest.Server
	opt  Options
	mu   sync.Mutex
	seen map[string]int // attempts per fault-and-body
	log  *os.File
	n    int
	oracleState
	cache promptCache
}

// New starts a server on 127.0.0.1.
func New(opt Options) (*Server, error) {
	if opt.Delay == 0 {
		opt.Delay = 50 * time.Millisecond
	}
	if opt.Dims == 0 {
		opt.Dims = 64
	}
	s := &Server{opt: opt, seen: map[string]int{}}
	if opt.LogFile != "" {
		f, err := os.OpenFile(opt.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		s.log = f
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s, nil
}

// BaseURL returns the base URL of the default endpoint (ending in /v1).
func (s *Server) BaseURL() string { return s.Server.URL + "/v1" }

// Requests returns how many requests the server has had.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Close stops the server.
func (s *Server) Close() {
	s.Server.Close()
	if s.log != nil {
		s.log.Close()
	}
}

type endpoint struct {
	models []string
	key    string
	kind   string // a server kind (see the package comment), or ""
	window int    // its model's window in tokens
	stated int    // the window in the URL (0: none stated)
}

var endpoints = map[string]endpoint{
	"/v1":       {models: []string{"tiny"}},
	"/multi/v1": {models: []string{"tiny", "big"}},
	"/empty/v1": {models: nil},
	"/auth/v1":  {models: []string{"tiny"}, key: "test-key"},
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var ep endpoint
	var rest string
	for prefix, e := range endpoints {
		if strings.HasPrefix(r.URL.Path, prefix+"/") {
			ep, rest = e, strings.TrimPrefix(r.URL.Path, prefix)
			break
		}
	}
	native := ""
	if m := kindPath.FindStringSubmatch(r.URL.Path); m != nil {
		n, _ := strconv.Atoi(m[2])
		ep = endpoint{models: []string{"tiny"}, kind: m[1], window: n, stated: n}
		if m[1] == "ollama" && n == 0 {
			ep.window = OllamaDefaultWindow
		}
		if after, ok := strings.CutPrefix(m[3], "/v1/"); ok {
			rest = "/" + after
		} else {
			native = m[3]
		}
	}
	if ep.models == nil && rest == "" && !strings.HasPrefix(r.URL.Path, "/files/") {
		http.NotFound(w, r)
		return
	}
	if ep.key != "" && r.Header.Get("Authorization") != "Bearer "+ep.key {
		// As OpenAI does, the error shows the key it was given.
		apiError(w, 401, "Incorrect API key provided: "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+". You can find your API key in your account settings.", "invalid_request_error")
		return
	}
	var body []byte
	if r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		body, _ = io.ReadAll(r.Body)
	}
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/files/"):
		s.file(w, r)
		return
	case native != "":
		s.native(w, r, ep, native, body)
	case r.Method == http.MethodGet && rest == "/models":
		s.record(rest, "", nil)
		data := []map[string]any{}
		for _, m := range ep.models {
			entry := map[string]any{"id": m, "object": "model", "created": 1700000000, "owned_by": "shelf-test"}
			if ep.kind == "vllm" {
				entry["max_model_len"] = ep.window
			}
			data = append(data, entry)
		}
		writeJSON(w, 200, map[string]any{"object": "list", "data": data})
	case r.Method == http.MethodGet && strings.HasPrefix(rest, "/models/"):
		id := strings.TrimPrefix(rest, "/models/")
		for _, m := range ep.models {
			if m == id {
				writeJSON(w, 200, map[string]any{"id": m, "object": "model", "created": 1700000000, "owned_by": "shelf-test"})
				return
			}
		}
		apiError(w, 404, fmt.Sprintf("model '%s' not found", id), "api_error")
	case r.Method == http.MethodPost && rest == "/chat/completions":
		s.chat(w, r, ep, body)
	case r.Method == http.MethodPost && rest == "/embeddings":
		s.embeddings(w, r, ep, body)
	case r.Method == http.MethodPost && rest == "/audio/transcriptions":
		s.transcribe(w, r, ep)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) record(path, model string, body []byte) {
	if s.log == nil {
		return
	}
	line, _ := json.Marshal(map[string]any{"path": path, "model": model, "body": json.RawMessage(orNull(body))})
	s.mu.Lock()
	s.log.Write(append(line, '\n'))
	s.mu.Unlock()
}

func orNull(b []byte) []byte {
	if len(b) == 0 || !json.Valid(b) {
		return []byte("null")
	}
	return b
}

// faults parses "tiny+429+fence" and checks the model is served.
func faults(ep endpoint, model string) (map[string]string, bool) {
	parts := strings.Split(model, "+")
	ok := false
	for _, m := range ep.models {
		if m == parts[0] {
			ok = true
		}
	}
	f := map[string]string{}
	for _, p := range parts[1:] {
		if strings.HasPrefix(p, "ctx") {
			f["ctx"] = strings.TrimPrefix(p, "ctx")
			continue
		}
		f[p] = "1"
	}
	return f, ok
}

// attempt counts the tries of one request under one fault.
func (s *Server) attempt(fault string, body []byte) int {
	sum := sha256.Sum256(body)
	key := fault + hex.EncodeToString(sum[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[key]++
	return s.seen[key]
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens      int `json:"max_tokens"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request, ep endpoint, body []byte) {
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		apiError(w, 400, err.Error(), "invalid_request_error")
		return
	}
	s.record("/chat/completions", req.Model, body)
	f, ok := faults(ep, req.Model)
	if !ok {
		apiError(w, 404, fmt.Sprintf("model %q not found, try pulling it first", req.Model), "api_error")
		return
	}
	if len(req.Messages) == 0 {
		apiError(w, 400, "[] is too short - 'messages'", "invalid_request_error")
		return
	}
	if !s.preflight(w, r, f, body) {
		return
	}
	if f["echoerror"] != "" {
		apiError(w, 400, "this server does not take the credentials sent: "+r.Header.Get("Authorization"), "invalid_request_error")
		return
	}
	if f["escapes"] != "" {
		apiError(w, 400, EscapesMessage, "invalid_request_error")
		return
	}
	if n, err := strconv.Atoi(f["ctx"]); err == nil {
		total := 0
		for _, m := range req.Messages {
			total += len(m.Content) / 4
		}
		if total > n {
			apiError(w, 400, fmt.Sprintf("the request exceeds the available context size (%d tokens > %d)", total, n), "invalid_request_error")
			return
		}
	}
	took := promptTokens(req.Messages)
	if ep.window > 0 {
		took = s.fit(ep, &req)
	}
	rf := ""
	var schema json.RawMessage
	if req.ResponseFormat != nil {
		rf = req.ResponseFormat.Type
		if req.ResponseFormat.JSONSchema != nil {
			schema = req.ResponseFormat.JSONSchema.Schema
		}
	}
	if f["noformat"] != "" {
		rf, schema = "", nil
	}
	if rf != "" && f["rejectformat"] != "" {
		apiError(w, 400, "unsupported response_format type: "+rf, "invalid_request_error")
		return
	}
	if rf == "json_schema" && f["rejectschema"] != "" {
		apiError(w, 400, "response_format json_schema is not supported by this server", "invalid_request_error")
		return
	}
	s.cache.see(req.Messages)
	last, users, all := "", "", ""
	for _, m := range req.Messages {
		all += m.Content + "\n"
		if m.Role == "user" {
			last = m.Content
			users += m.Content + "\n"
		}
	}
	if schema == nil {
		schema = schemaInPrompt(all)
	}
	text := subject(users)
	finish := "stop"
	var content string
	scripted, plain := s.scripted(text)
	wrongTasks := badTasks(f, schema, text, all)
	if a, p := s.fitnessAnswer(f, schema, users, text); a != "" || p != "" {
		scripted, plain = a, p
	}
	switch {
	case schema != nil && scripted != "":
		content = scripted
		repair := strings.Contains(last, "That answer is not valid")
		if f["alwaysbad"] != "" || (f["badjson"] != "" && !repair) {
			content = "{}"
		}
		if f["fence"] != "" {
			content = "Sure! Here is the JSON you asked for:\n\n```json\n" + content + "\n```\n\nLet me know if you need anything else."
		}
	case schema == nil && rf != "json_object" && plain != "":
		content = plain
	case wrongTasks != "":
		content = wrongTasks
	case schema != nil:
		repair := strings.Contains(last, "That answer is not valid")
		valid := !(f["alwaysbad"] != "" || (f["badjson"] != "" && !repair))
		content = string(fill(schema, text, valid))
		if a := askedTasks(schema, text); valid && a != "" {
			content = a
		}
		if f["fence"] != "" {
			content = "Sure! Here is the JSON you asked for:\n\n```json\n" + content + "\n```\n\nLet me know if you need anything else."
		} else if f["noformat"] != "" {
			content = "Here it is: " + content
		}
	case rf == "json_object":
		content = "{}"
	default:
		content = "Summary: " + firstWords(text, 12)
		if f["long"] != "" {
			finish = "length"
		}
	}
	if f["addsfacts"] != "" {
		content = addFacts(content, schema, last)
	}
	if f["badrepair"] != "" && strings.Contains(users, repairMarker) {
		content = BadRepair
	}
	if f["echokey"] != "" {
		content = echo(content, schema != nil || rf == "json_object", r.Header.Get("Authorization"))
	}
	if f["think"] != "" {
		content = "<think>\nLet me think about {this}.\n</think>\n" + content
	}
	usage := map[string]any{"prompt_tokens": took, "completion_tokens": Tokens(content), "total_tokens": took + Tokens(content)}
	if f["huge"] != "" {
		content = strings.Repeat("word ", HugeSize/5)
	}
	if f["endless"] != "" {
		endless(w, r, req.Stream)
		return
	}
	if f["keepalive"] != "" && req.Stream {
		keepalive(w, r)
		return
	}
	if req.Stream {
		if req.StreamOptions == nil || !req.StreamOptions.IncludeUsage {
			usage = nil
		}
		piece := 0 // words
		if f["echokey"] != "" {
			piece = 5
		}
		s.stream(w, req.Model, content, finish, f["cut"] != "", usage, piece)
		return
	}
	if f["cut"] != "" && s.attempt("cutbody", body) == 1 {
		cutConnection(w, `{"id":"chatcmpl-test","object":"chat.completion","choices":[{"index":0,"message":{"role":"assi`)
		return
	}
	writeJSON(w, 200, map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000, "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": content}, "finish_reason": finish}},
		"usage":   usage,
	})
}

// FileSize is the size of the files the server serves under /files/.
const FileSize = 3 << 20

// file serves /files/NAME: FileSize bytes of "shelf\n" over and over (what
// "yes shelf | head -c 3145728" writes). A NAME with "cut" in it breaks off
// after a third; one with "missing" is 404; one with "endless" has no
// length and goes on until the client hangs up; one with "stall" sends its
// first 64 KiB, then nothing until the client hangs up.
func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/files/")
	if strings.Contains(name, "missing") {
		http.NotFound(w, r)
		return
	}
	if strings.Contains(name, "stall") {
		w.Header().Set("Content-Length", strconv.Itoa(FileSize))
		w.Write([]byte(strings.Repeat("shelf\n", 64<<10/6+1)[:64<<10]))
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		<-r.Context().Done()
		return
	}
	if strings.Contains(name, "endless") {
		chunk := []byte(strings.Repeat("shelf\n", 10000))
		for sent := 0; sent < endlessLimit && r.Context().Err() == nil; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		return
	}
	data := []byte(strings.Repeat("shelf\n", FileSize/6+1)[:FileSize])
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(200)
	if strings.Contains(name, "cut") {
		w.Write(data[:len(data)/3])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	w.Write(data)
}

// scripted returns the answers of the first rule of the answers file that
// matches the text asked about (subject: the last <text> block of the
// user's messages, or all they said when they have none), not the words
// of an instruction around it (an example in it).
func (s *Server) scripted(subject string) (answer, text string) {
	if s.opt.AnswersFile == "" {
		return "", ""
	}
	data, err := os.ReadFile(s.opt.AnswersFile)
	if err != nil {
		return "", ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		var rule struct {
			Match  string          `json:"match"`
			Answer json.RawMessage `json:"answer"`
			Text   string          `json:"text"`
		}
		if json.Unmarshal([]byte(line), &rule) != nil || !strings.Contains(subject, rule.Match) {
			continue
		}
		return string(rule.Answer), rule.Text
	}
	return "", ""
}

// preflight applies the faults that come before any answer; false means the
// answer was a fault.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request, f map[string]string, body []byte) bool {
	if f["slow"] != "" {
		select {
		case <-time.After(s.opt.Delay):
		case <-r.Context().Done():
			return false // the client gave up
		}
	}
	if f["down"] != "" {
		apiError(w, 503, "server is shutting down", "api_error")
		return false
	}
	if f["429"] != "" && s.attempt("429", body) == 1 {
		w.Header().Set("Retry-After", "1")
		apiError(w, 429, "too many requests", "rate_limit_error")
		return false
	}
	if f["500"] != "" && s.attempt("500", body) == 1 {
		apiError(w, 500, "internal error", "api_error")
		return false
	}
	return true
}

// stream sends content as an SSE stream, a word a chunk, or piece bytes a
// chunk if piece > 0.
func (s *Server) stream(w http.ResponseWriter, model, content, finish string, cut bool, usage map[string]any, piece int) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
	fl, _ := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if fl != nil {
			fl.Flush()
		}
	}
	words := strings.SplitAfter(content, " ")
	if piece > 0 {
		words = nil
		for len(content) > piece {
			words = append(words, content[:piece])
			content = content[piece:]
		}
		words = append(words, content)
	}
	for i, word := range words {
		if cut && i == len(words)/2 {
			panic(http.ErrAbortHandler) // drop the connection mid-stream
		}
		send(map[string]any{"id": "chatcmpl-test", "object": "chat.completion.chunk", "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": word}, "finish_reason": nil}}})
	}
	send(map[string]any{"id": "chatcmpl-test", "object": "chat.completion.chunk", "model": model,
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": finish}}})
	if usage != nil {
		send(map[string]any{"id": "chatcmpl-test", "object": "chat.completion.chunk", "model": model, "choices": []any{}, "usage": usage})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// EscapesMessage is the error message of the "escapes" fault.
const EscapesMessage = "bad request\x1b]0;owned\x07\x1b[2J\u009b31m \u202eevil\nsecond line"

// echo puts the Authorization header into an answer: after plain text;
// before each "title" and "summary" string of a JSON answer, written with
// \u escapes the first time, as a server can write any character of a JSON
// string.
func echo(content string, structured bool, auth string) string {
	var v any
	if !structured || json.Unmarshal([]byte(content), &v) != nil {
		return content + " (" + auth + ")"
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && (k == "title" || k == "summary") {
					x[k] = auth + " " + s
				} else {
					walk(e)
				}
			}
		}
	}
	walk(v)
	b, _ := json.Marshal(v)
	var esc strings.Builder
	for _, r := range auth {
		fmt.Fprintf(&esc, `\u%04x`, r)
	}
	return strings.Replace(string(b), auth, esc.String(), 1)
}

// HugeSize is the size of the "huge" fault's answers.
const HugeSize = 2 << 20

// endlessLimit stops an endless answer if the client never hangs up.
const endlessLimit = 4 << 30

// endless writes an answer that does not end: a JSON body or an SSE
// stream of content, until the client goes away.
func endless(w http.ResponseWriter, r *http.Request, stream bool) {
	fl, _ := w.(http.Flusher)
	if stream {
		w.Header().Set("Content-Type", "text/event-stream")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(200)
	if !stream {
		io.WriteString(w, `{"id":"chatcmpl-test","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"`)
	}
	chunk := []byte(strings.Repeat("word ", 64<<10/5))
	if stream {
		b, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": string(chunk)}}}})
		chunk = []byte("data: " + string(b) + "\n\n")
	}
	for sent := 0; sent < endlessLimit && r.Context().Err() == nil; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
	}
}

// keepalive sends SSE comments and nothing else until the client goes away.
func keepalive(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
	fl, _ := w.(http.Flusher)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for range 100000 {
		if _, err := io.WriteString(w, ": keepalive\n\n"); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		select {
		case <-tick.C:
		case <-r.Context().Done():
			return
		}
	}
}

func cutConnection(w http.ResponseWriter, partial string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "4096")
	w.WriteHeader(200)
	io.WriteString(w, partial)
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}

var textTag = regexp.MustCompile(`(?s)<text>(.*?)</text>`)

// subject is what an answer is about: the last <text> block of the
// user's messages, or all they said.
func subject(msg string) string {
	if m := textTag.FindAllStringSubmatch(msg, -1); len(m) > 0 {
		return m[len(m)-1][1]
	}
	return msg
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}'’-]*`)

func firstWords(text string, n int) string {
	w := wordRE.FindAllString(text, n)
	if len(w) == 0 {
		return "nothing"
	}
	return strings.Join(w, " ")
}

// schemaInPrompt finds a JSON schema given in the prompt after the words
// "JSON Schema".
func schemaInPrompt(all string) json.RawMessage {
	i := strings.LastIndex(all, "JSON Schema")
	if i < 0 {
		return nil
	}
	j := strings.Index(all[i:], "{")
	if j < 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(all[i+j:]))
	var raw json.RawMessage
	if dec.Decode(&raw) != nil {
		return nil
	}
	return raw
}

type schemaNode struct {
	Type       any                    `json:"type"`
	Properties map[string]*schemaNode `json:"properties"`
	Required   []string               `json:"required"`
	Items      *schemaNode            `json:"items"`
	Enum       []string               `json:"enum"`
	MaxLength  *int                   `json:"maxLength"`
	MaxItems   *int                   `json:"maxItems"`
	Minimum    *float64               `json:"minimum"`
}

// fill makes an answer that matches (or, if !valid, breaks) the schema,
// with strings taken from the text.
func fill(raw json.RawMessage, text string, valid bool) []byte {
	var n schemaNode
	if json.Unmarshal(raw, &n) != nil {
		return []byte("{}")
	}
	v := n.value("", text)
	if m, ok := v.(map[string]any); ok && !valid && len(n.Required) > 0 {
		delete(m, n.Required[0])
	}
	b, _ := json.Marshal(v)
	return b
}

func (n *schemaNode) typ() string {
	switch t := n.Type.(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s != "null" {
				return s
			}
		}
	}
	return "string"
}

func (n *schemaNode) value(name, text string) any {
	switch n.typ() {
	case "object":
		m := map[string]any{}
		for k, p := range n.Properties {
			m[k] = p.value(k, text)
		}
		return m
	case "array":
		count := 3
		if n.MaxItems != nil && *n.MaxItems < count {
			count = *n.MaxItems
		}
		out := []any{}
		words := wordRE.FindAllString(strings.ToLower(text), -1)
		for i := 0; i < count; i++ {
			if n.Items != nil && n.Items.typ() == "string" && len(n.Items.Enum) == 0 {
				if i < len(words) {
					out = append(out, words[i])
				}
				continue
			}
			if n.Items != nil {
				out = append(out, n.Items.value(name, text))
			}
		}
		return out
	case "integer", "number":
		if n.Minimum != nil {
			return *n.Minimum
		}
		return 1
	case "boolean":
		return false
	}
	if len(n.Enum) > 0 {
		return n.Enum[0]
	}
	words := 3
	switch name {
	case "title":
		words = 5
	case "summary":
		words = 12
	}
	s := firstWords(text, words)
	if n.MaxLength != nil && len([]rune(s)) > *n.MaxLength {
		s = string([]rune(s)[:*n.MaxLength])
	}
	return s
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request, ep endpoint, body []byte) {
	var req struct {
		Model string `json:"model"`
		Input any    `json:"input"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		apiError(w, 400, err.Error(), "invalid_request_error")
		return
	}
	s.record("/embeddings", req.Model, body)
	f, ok := faults(ep, req.Model)
	if !ok {
		apiError(w, 404, fmt.Sprintf("model %q not found, try pulling it first", req.Model), "api_error")
		return
	}
	if !s.preflight(w, r, f, body) {
		return
	}
	var inputs []string
	switch in := req.Input.(type) {
	case string:
		inputs = []string{in}
	case []any:
		for _, x := range in {
			str, _ := x.(string)
			inputs = append(inputs, str)
		}
	}
	data := []any{}
	for i, in := range inputs {
		v := Embed(in, s.opt.Dims)
		switch {
		case f["emptyvec"] != "":
			v = []float32{}
		case f["ragged"] != "" && i > 0 && i == len(inputs)-1:
			v = v[:len(v)-1]
		}
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": v})
	}
	writeJSON(w, 200, map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]any{"prompt_tokens": len(inputs), "total_tokens": len(inputs)}})
}

// Embed is the server's embedding: a normalized bag of hashed features,
// the words and their character trigrams, so that texts sharing words, or
// only their stems ("roofer", "roofing"), are near each other.
func Embed(text string, dims int) []float32 {
	v := make([]float64, dims)
	add := func(feature string, weight float64) {
		h := sha256.Sum256([]byte(feature))
		i := binary.LittleEndian.Uint32(h[:4]) % uint32(dims)
		if h[4]&1 == 1 {
			weight = -weight
		}
		v[i] += weight
	}
	for _, w := range wordRE.FindAllString(strings.ToLower(text), -1) {
		add("w:"+w, 1)
		r := []rune("^" + w + "$")
		for i := 0; i+3 <= len(r); i++ {
			add("t:"+string(r[i:i+3]), 0.4)
		}
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, dims)
	if norm == 0 {
		out[0] = 1
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

func (s *Server) transcribe(w http.ResponseWriter, r *http.Request, ep endpoint) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		apiError(w, 400, err.Error(), "invalid_request_error")
		return
	}
	model := r.FormValue("model")
	format := r.FormValue("response_format")
	fname := ""
	if _, hdr, err := r.FormFile("file"); err == nil {
		fname = hdr.Filename
	}
	logged, _ := json.Marshal(map[string]string{"file": fname, "response_format": format, "language": r.FormValue("language"), "prompt": r.FormValue("prompt")})
	s.record("/audio/transcriptions", model, logged)
	f, ok := faults(ep, model)
	if !ok {
		apiError(w, 404, fmt.Sprintf("model %q not found", model), "api_error")
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		apiError(w, 400, "no file", "invalid_request_error")
		return
	}
	data, _ := io.ReadAll(file)
	if !s.preflight(w, r, f, data) {
		return
	}
	sum := sha256.Sum256(data)
	text := fmt.Sprintf("Transcript of %s, %s.", hdr.Filename, hex.EncodeToString(sum[:4]))
	segments := []string{" Transcript of " + hdr.Filename + ",", " " + hex.EncodeToString(sum[:4]) + "."}
	if t, ok := s.fitnessTranscript(f, hdr.Filename); ok {
		text, segments = t, []string{" " + t}
	}
	if f["echokey"] != "" {
		text += " (" + r.Header.Get("Authorization") + ")"
	}
	dur := wavDuration(data)
	if f["toolarge"] != "" {
		apiError(w, 413, "request entity too large: the limit is 1 MB", "invalid_request_error")
		return
	}
	if f["noverbose"] != "" && format == "verbose_json" {
		apiError(w, 400, "response_format verbose_json is not supported", "invalid_request_error")
		return
	}
	if f["jsononly"] != "" && format == "verbose_json" {
		format = "json"
	}
	switch format {
	case "text":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, text+"\n")
	case "verbose_json":
		// The segments share the audio's length equally.
		segs := []any{}
		for i, t := range segments {
			start := math.Round(dur*float64(i)/float64(len(segments))*100) / 100
			end := math.Round(dur*float64(i+1)/float64(len(segments))*100) / 100
			segs = append(segs, map[string]any{"id": i, "start": start, "end": end, "text": t})
		}
		writeJSON(w, 200, map[string]any{"task": "transcribe", "language": "english", "duration": dur, "text": text, "segments": segs})
	default:
		writeJSON(w, 200, map[string]any{"text": text})
	}
}

// wavDuration reads a PCM WAV header; other data counts as 16 kHz 16-bit mono.
func wavDuration(b []byte) float64 {
	if len(b) >= 44 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WAVE" {
		byteRate := binary.LittleEndian.Uint32(b[28:32])
		if byteRate > 0 {
			return math.Round(float64(len(b)-44)/float64(byteRate)*100) / 100
		}
	}
	return math.Round(float64(len(b))/32000*100) / 100
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, code int, msg, typ string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
}
