package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"github.com/shelfai/shelf/lib/redact"
	"github.com/shelfai/shelf/lib/safetext"
)

// DefaultBaseURL is Ollama's OpenAI-compatible endpoint.
const DefaultBaseURL = "http://localhost:11434/v1"

// DefaultMaxAnswer bounds what is read of one answer: far more than any
// chat answer, model list or transcript of hours of speech, and little
// enough that a runaway server cannot exhaust memory.
const DefaultMaxAnswer = 32 << 20

// Config says which endpoint and model to talk to, and how patiently.
type Config struct {
	BaseURL        string
	Model          string // "" means: the one model the server lists
	APIKey         string
	Timeout        time.Duration // per attempt; for a stream, the longest silence
	ConnectTimeout time.Duration
	Retries        int           // further attempts after the first
	Backoff        time.Duration // first backoff step (default 500ms)
	Temperature    float64       // sent even when 0
	ContextLength  int           // tokens the model's window holds (0: what the server says, else 4096)
	MaxAnswer      int64         // the most bytes read of one answer (default DefaultMaxAnswer)
	CacheDir       string        // "" disables the cache
	// Dial, if set, makes the connections (tests stand in for the network).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// OnRetry, if set, hears about every retry (for logging).
	OnRetry func(attempt int, wait time.Duration, why string)
	// OnFallback, if set, hears when the structured-output ladder steps down.
	OnFallback func(from, to string, why string)
	// OnWindow, if set, hears which context window the client uses, and
	// when a cut request lowers it.
	OnWindow func(WindowInfo)
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// System, User and Assistant make messages.
func System(s string) Message    { return Message{Role: "system", Content: s} }
func User(s string) Message      { return Message{Role: "user", Content: s} }
func Assistant(s string) Message { return Message{Role: "assistant", Content: s} }

// Request is one chat completion.
type Request struct {
	Messages  []Message
	MaxTokens int // 0: the server's default
	// KeepMethod marks a request whose answer says nothing of the server,
	// such as a round that asks a model to write an answer again: in
	// Structured, an answer to it that is not JSON, or has keys the schema
	// does not, is only a bad answer, and the structured-output method
	// stays as it is for the requests after it (a server that refuses the
	// method still moves it).
	KeepMethod bool
}

// Client talks to one endpoint. It is safe for concurrent use.
type Client struct {
	cfg   Config
	oa    *openai.Client
	tr    *transport
	cache *Cache

	secrets *redact.Redactor // masked in every answer (secrets.go)
	creds   string           // the credentials' hash, in cache keys

	modelOnce sync.Once
	model     string
	modelErr  error

	rung atomic.Int32 // structured-output ladder: the lowest rung the server needs

	win windowState // the context window (window.go)
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Minute
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.MaxAnswer <= 0 {
		cfg.MaxAnswer = DefaultMaxAnswer
	}
	tr := newTransport(cfg)
	tr.onRetry = cfg.OnRetry
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = cfg.BaseURL
	oc.HTTPClient = tr
	c := &Client{cfg: cfg, oa: openai.NewClientWithConfig(oc), tr: tr, secrets: newSecrets(cfg), creds: credentialsHash(cfg)}
	if cfg.CacheDir != "" {
		c.cache = &Cache{Dir: cfg.CacheDir}
	}
	return c
}

// Quiet returns a client like c that makes one attempt at a request and
// says nothing of it (no retries, no notices): for a request made ahead of
// need, which the caller makes again with c if it fails and is needed.
func (c *Client) Quiet() *Client {
	cfg := c.cfg
	cfg.Retries = 0
	cfg.OnRetry, cfg.OnFallback, cfg.OnWindow = nil, nil, nil
	return New(cfg)
}

// Model returns the model to use: the configured one, or the only model the
// server lists.
func (c *Client) Model(ctx context.Context) (string, error) {
	if c.cfg.Model != "" {
		return c.cfg.Model, nil
	}
	c.modelOnce.Do(func() {
		ids, err := c.Models(ctx)
		switch {
		case err != nil:
			c.modelErr = err
		case len(ids) == 1:
			c.model = ids[0]
		case len(ids) == 0:
			c.modelErr = failKind(codeConfig, NoModel, "models", c.cfg.BaseURL, fmt.Sprintf("no model given and %s serves none", c.cfg.BaseURL))
		default:
			c.modelErr = failKind(codeConfig, ModelAmbiguous, "models", c.cfg.BaseURL, fmt.Sprintf("no model given and %s serves %d", c.cfg.BaseURL, len(ids)), ids...)
		}
	})
	return c.model, c.modelErr
}

// Models lists the models the server serves.
func (c *Client) Models(ctx context.Context) ([]string, error) {
	list, err := c.oa.ListModels(ctx)
	if err != nil {
		return nil, c.explain(ctx, err, "list models")
	}
	ids := make([]string, 0, len(list.Models))
	for _, m := range list.Models {
		ids = append(ids, m.ID)
	}
	return ids, nil
}

func (c *Client) chatRequest(ctx context.Context, req Request) (openai.ChatCompletionRequest, error) {
	model, err := c.Model(ctx)
	if err != nil {
		return openai.ChatCompletionRequest{}, err
	}
	msgs := make([]openai.ChatCompletionMessage, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	return openai.ChatCompletionRequest{Model: model, Messages: msgs, MaxTokens: req.MaxTokens}, nil
}

// Complete returns the model's answer to a chat.
func (c *Client) Complete(ctx context.Context, req Request) (string, error) {
	oreq, err := c.chatRequest(ctx, req)
	if err != nil {
		return "", err
	}
	key := c.cacheKey(oreq)
	if s, ok := c.cache.get(key); ok {
		return c.clean(s), nil
	}
	out, err := c.complete(ctx, oreq)
	if err == nil && strings.TrimSpace(out) != "" {
		// An empty answer is never cached: the next run asks again.
		c.cache.put(key, out)
	}
	return out, err
}

// complete sends one chat request and returns the answer's text, its
// secrets masked. It does not cache: an answer is cached by its caller once it has passed the
// caller's checks, so a bad answer (or one of a cut input) is never
// replayed.
func (c *Client) complete(ctx context.Context, oreq openai.ChatCompletionRequest) (string, error) {
	window := c.ContextLength()
	resp, err := c.oa.CreateChatCompletion(ctx, oreq)
	if err != nil {
		return "", c.explain(ctx, err, "chat")
	}
	if len(resp.Choices) == 0 {
		return "", fail(codeTemp, "", c.cfg.BaseURL+" answered with no choices")
	}
	if err := c.checkUsage(oreq.Messages, window, &resp.Usage); err != nil {
		return "", err
	}
	content := c.clean(stripThink(resp.Choices[0].Message.Content))
	if resp.Choices[0].FinishReason == openai.FinishReasonLength {
		return "", failKind(codeFail, AnswerCut, "chat", c.cfg.BaseURL,
			fmt.Sprintf("the answer was cut off at the token limit (%d tokens)", oreq.MaxTokens))
	}
	if err := c.overLimit(len(content), oreq.MaxTokens); err != nil {
		return "", err
	}
	return content, nil
}

// bytesPerToken is more than any tokenizer's longest token holds.
const bytesPerToken = 32

// overLimit is the error of an answer of n bytes to a request for at most
// maxTokens tokens that no answer of that many tokens can be: a server
// that ignores the limit (or lies) must not get megabytes into a record.
func (c *Client) overLimit(n, maxTokens int) error {
	if maxTokens <= 0 || n <= maxTokens*bytesPerToken+4096 {
		return nil
	}
	return failKind(codeFail, OverTokens, "chat", c.cfg.BaseURL,
		fmt.Sprintf("the answer has %d bytes, more than %d tokens, the most asked for, can hold", n, maxTokens))
}

// Stream sends the chat and calls onText with each piece of the answer as
// it arrives. It returns the whole answer. An answer from the cache arrives
// as one piece. Secrets are masked in the pieces as in the whole.
func (c *Client) Stream(ctx context.Context, req Request, onText func(string) error) (string, error) {
	oreq, err := c.chatRequest(ctx, req)
	if err != nil {
		return "", err
	}
	key := c.cacheKey(oreq)
	if s, ok := c.cache.get(key); ok {
		s = c.clean(s)
		return s, onText(s)
	}
	oreq.Stream = true
	oreq.StreamOptions = &openai.StreamOptions{IncludeUsage: true} // for checkUsage
	window := c.ContextLength()
	ctx, activity := withActivity(ctx)
	st, err := c.oa.CreateChatCompletionStream(ctx, oreq)
	if err != nil {
		return "", c.explain(ctx, err, "chat")
	}
	defer st.Close()
	var all strings.Builder
	think := &thinkFilter{}
	mask := &streamMask{r: c.secrets}
	finished, cutAtLimit := false, false
	var usage *openai.Usage
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() == nil && StatusCode(err) == 0 && !errors.As(err, new(*TooLargeError)) && !errors.As(err, new(*timeoutError)) {
				return all.String(), fail(codeTemp, "", fmt.Sprintf("%s: the answer stream broke off before its end: %s", c.cfg.BaseURL, safetext.Visible(err.Error())))
			}
			return all.String(), c.explain(ctx, err, "chat stream")
		}
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
		for _, ch := range chunk.Choices {
			if ch.FinishReason != "" {
				finished = true
			}
			if ch.FinishReason == openai.FinishReasonLength {
				cutAtLimit = true
			}
			if ch.Delta.Content != "" || ch.Delta.ReasoningContent != "" {
				activity.touch() // the answer grew: the silence timer starts again
			}
			text := safetext.Text(mask.feed(think.feed(ch.Delta.Content)))
			if text == "" {
				continue
			}
			if err := c.overLimit(all.Len()+len(text), oreq.MaxTokens); err != nil {
				return all.String(), err
			}
			all.WriteString(text)
			if err := onText(text); err != nil {
				return all.String(), err
			}
		}
	}
	if rest := safetext.Text(mask.flush()); rest != "" {
		all.WriteString(rest)
		if err := onText(rest); err != nil {
			return all.String(), err
		}
	}
	if !finished {
		return all.String(), fail(codeTemp, "", c.cfg.BaseURL+": the answer stream broke off before its end")
	}
	if cutAtLimit {
		return all.String(), failKind(codeFail, AnswerCut, "chat", c.cfg.BaseURL,
			fmt.Sprintf("the answer was cut off at the token limit (%d tokens)", oreq.MaxTokens))
	}
	if err := c.checkUsage(oreq.Messages, window, usage); err != nil {
		return all.String(), err
	}
	if strings.TrimSpace(all.String()) != "" {
		c.cache.put(key, all.String())
	}
	return all.String(), nil
}

// Embed returns one vector per input text. An answer whose vectors cannot
// be used (one missing, empty, of another length than the others, or with
// a value that is not a finite number) is an Error of kind BadVectors.
func (c *Client) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	resp, err := c.oa.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: texts, Model: openai.EmbeddingModel(model)})
	if err != nil {
		return nil, c.explain(ctx, err, "embeddings")
	}
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(out) {
			return nil, c.badVectors(fmt.Sprintf("an embedding for input %d, of %d", d.Index+1, len(out)))
		}
		out[d.Index] = d.Embedding
	}
	if msg := checkVectors(out); msg != "" {
		return nil, c.badVectors(msg)
	}
	return out, nil
}

func (c *Client) badVectors(msg string) error {
	return failKind(codeFail, BadVectors, "embeddings", c.cfg.BaseURL, fmt.Sprintf("embeddings from %s: %s", c.cfg.BaseURL, msg))
}

// checkVectors says what makes the vectors of one answer unusable, or "":
// each input has one, none is empty, all have the same length, and every
// value is a finite number. (Inputs are counted from 1.)
func checkVectors(vecs [][]float32) string {
	for i, v := range vecs {
		switch {
		case v == nil:
			return fmt.Sprintf("no vector for input %d", i+1)
		case len(v) == 0:
			return fmt.Sprintf("the vector of input %d is empty", i+1)
		case len(v) != len(vecs[0]):
			return fmt.Sprintf("the vectors differ in length: %d for input 1, %d for input %d", len(vecs[0]), len(v), i+1)
		}
		for j, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Sprintf("the vector of input %d has %v at %d", i+1, x, j+1)
			}
		}
	}
	return ""
}

// cacheKey addresses an answer by everything that determines it, the
// credentials too (a server may answer each key differently).
func (c *Client) cacheKey(oreq openai.ChatCompletionRequest) string {
	if c.cache == nil {
		return ""
	}
	oreq.Stream = false
	b, _ := json.Marshal(struct {
		V       int                          `json:"v"`
		BaseURL string                       `json:"base_url"`
		Creds   string                       `json:"credentials,omitempty"`
		Temp    float64                      `json:"temperature"`
		Req     openai.ChatCompletionRequest `json:"request"`
	}{1, redact.URLOnly(c.cfg.BaseURL), c.creds, c.cfg.Temperature, oreq})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
