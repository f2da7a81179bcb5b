package llm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	openai "github.com/sashabaranov/go-openai"
	"github.com/shelfai/shelf/lib/redact"
)

// TranscribeOptions tune a transcription request.
type TranscribeOptions struct {
	Model       string
	Language    string // "" or "auto": the server detects it
	Prompt      string // initial prompt: names, spellings
	Temperature float32
	Translate   bool // into English (the translations endpoint)
}

// Segment is a timed piece of a transcript, in seconds.
type Segment struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Text  string  `json:"text"`
}

// Transcript is what a speech-to-text endpoint made of one file.
type Transcript struct {
	Text     string    `json:"text"`
	Language string    `json:"language,omitempty"`
	Duration float64   `json:"duration,omitempty"`
	Segments []Segment `json:"segments,omitempty"`
	// Format is the response format the server answered in.
	Format string `json:"format"`
}

var audioFormats = []openai.AudioResponseFormat{
	openai.AudioResponseFormatVerboseJSON, openai.AudioResponseFormatJSON, openai.AudioResponseFormatText,
}

// Transcribe sends one audio file (its bytes, named name) to the
// endpoint's /audio/transcriptions (or /audio/translations), asking for
// verbose_json with segments and stepping down to json and text for servers
// that give no more. Answers are cached by the audio's hash and the options.
func (c *Client) Transcribe(ctx context.Context, name string, data []byte, opt TranscribeOptions) (Transcript, error) {
	if opt.Language == "auto" {
		opt.Language = ""
	}
	sum := sha256.Sum256(data)
	key := ""
	if c.cache != nil {
		k, _ := json.Marshal(struct {
			V       int               `json:"v"`
			BaseURL string            `json:"base_url"`
			Creds   string            `json:"credentials,omitempty"`
			Audio   string            `json:"audio"`
			Opt     TranscribeOptions `json:"opt"`
		}{1, redact.URLOnly(c.cfg.BaseURL), c.creds, hex.EncodeToString(sum[:]), opt})
		ks := sha256.Sum256(k)
		key = hex.EncodeToString(ks[:])
		if s, ok := c.cache.get(key); ok {
			var t Transcript
			if json.Unmarshal([]byte(s), &t) == nil {
				return t, nil
			}
		}
	}
	var lastErr error
	for _, format := range audioFormats {
		req := openai.AudioRequest{Model: opt.Model, FilePath: name, Reader: bytes.NewReader(data),
			Prompt: opt.Prompt, Temperature: opt.Temperature, Language: opt.Language, Format: format}
		var resp openai.AudioResponse
		var err error
		if opt.Translate {
			req.Language = ""
			resp, err = c.oa.CreateTranslation(ctx, req)
		} else {
			resp, err = c.oa.CreateTranscription(ctx, req)
		}
		if err != nil {
			if refusedFormat(err) {
				lastErr = err
				continue
			}
			return Transcript{}, c.explainAudio(ctx, err, name, len(data))
		}
		if format == openai.AudioResponseFormatVerboseJSON && resp.Text == "" && len(resp.Segments) == 0 && resp.Language == "" && resp.Duration == 0 {
			// Not even silence: a verbose answer names its language and
			// length. This is no transcript, and must not pass for an empty one.
			return Transcript{}, failKind(codeFail, BadAnswer, "transcription", c.cfg.BaseURL,
				"the answer holds no transcript (no text, segments, language or duration)")
		}
		t := Transcript{Text: c.clean(strings.TrimSpace(resp.Text)), Language: c.clean(resp.Language), Duration: resp.Duration, Format: string(format)}
		for i, s := range resp.Segments {
			if !validSpan(s.Start, s.End, resp.Duration) {
				return Transcript{}, failKind(codeFail, BadAnswer, "transcription", c.cfg.BaseURL,
					fmt.Sprintf("segment %d of the answer has impossible times (start %v, end %v)", i+1, s.Start, s.End))
			}
			t.Segments = append(t.Segments, Segment{Start: s.Start, End: s.End, Text: c.clean(s.Text)})
		}
		if t.Text == "" && len(t.Segments) > 0 {
			var parts []string
			for _, s := range t.Segments {
				parts = append(parts, strings.TrimSpace(s.Text))
			}
			t.Text = strings.Join(parts, " ")
		}
		if b, err := json.Marshal(t); err == nil {
			c.cache.put(key, string(b))
		}
		return t, nil
	}
	return Transcript{}, c.explainAudio(ctx, lastErr, name, len(data))
}

func (c *Client) explainAudio(ctx context.Context, err error, name string, size int) error {
	switch StatusCode(err) {
	case 413:
		return failKind(codeFail, UploadTooLarge, "transcription", c.cfg.BaseURL,
			fmt.Sprintf("%s refused %s (%.1f MB) as too large: %s", c.cfg.BaseURL, name, float64(size)/(1<<20), message(err)))
	case 404:
		if !strings.Contains(strings.ToLower(message(err)), "model") {
			return failKind(codeConfig, NoSpeech, "transcription", c.cfg.BaseURL,
				fmt.Sprintf("%s has no /audio/transcriptions endpoint (404)", c.cfg.BaseURL))
		}
	}
	return c.explain(ctx, err, "transcription")
}
