// Package transcribe provides the transcribe tool's work: audio files to
// timestamped text records, with an OpenAI-compatible speech-to-text
// endpoint (the api engine) or with whisper.cpp in the process (the whisper
// engine, compiled in with the build tag "whisper"), and the subtitle and
// text formats.
package transcribe

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/shelfai/shelf/lib/audio"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/sysexits"
)

// Options tune an engine.
type Options struct {
	Model          string  // api: the model name; whisper: the model file
	Language       string  // "auto" or a language code
	Translate      bool    // into English
	Prompt         string  // initial prompt: names, spellings
	Threads        int     // whisper: threads (0: all cores)
	Temperature    float32 // sampling temperature
	TemperatureInc float32 // whisper: fallback increment when decoding fails (0: none)
	VADModel       string  // whisper: a Silero VAD model file turns voice detection on
	Verbose        bool    // whisper: let whisper.cpp log to stderr
}

// Input is one audio file.
type Input struct {
	Source string // as the person named it ("-" for stdin)
	Data   []byte
}

// Name is the file name to give a server.
func (in Input) Name() string {
	if in.Source == "-" || in.Source == "" {
		return "audio"
	}
	return filepath.Base(in.Source)
}

// Engine turns audio into a transcript.
type Engine interface {
	Name() string  // "api" or "whisper"
	Model() string // for provenance
	Transcribe(ctx context.Context, in Input) (llm.Transcript, error)
	Close() error
}

// API is the engine that posts files to an OpenAI-compatible endpoint.
type API struct {
	C   *llm.Client
	Opt Options
}

// Name is "api".
func (a *API) Name() string { return "api" }

// Model is the requested model name.
func (a *API) Model() string { return a.Opt.Model }

// Close does nothing.
func (a *API) Close() error { return nil }

// Transcribe uploads the file as it is (servers take mp3, m4a, flac, ...),
// once a WAV's header has been found to hold. When the server gives no
// duration or segments, they are worked out here: the duration from the
// audio (a WAV's header, or ffmpeg when it is there), and the whole text
// as one segment.
func (a *API) Transcribe(ctx context.Context, in Input) (llm.Transcript, error) {
	if len(in.Data) == 0 {
		return llm.Transcript{}, fmt.Errorf("no audio: %s is empty", in.Name())
	}
	// A WAV header that lies would cost the server what it cost us.
	if err := audio.Check(in.Data); err != nil {
		return llm.Transcript{}, audioError(fmt.Errorf("%s: %w", in.Name(), err))
	}
	t, err := a.C.Transcribe(ctx, in.Name(), in.Data, llm.TranscribeOptions{
		Model: a.Opt.Model, Language: a.Opt.Language, Prompt: a.Opt.Prompt, Temperature: a.Opt.Temperature, Translate: a.Opt.Translate,
	})
	if err != nil {
		return t, err
	}
	if t.Duration == 0 {
		if secs, err := audio.Length(ctx, in.Name(), in.Data); err == nil {
			t.Duration = round2(secs)
		}
	}
	if len(t.Segments) == 0 && t.Text != "" {
		t.Segments = []llm.Segment{{Start: 0, End: t.Duration, Text: t.Text}}
	}
	t.Language = languageCode(t.Language)
	return t, nil
}

// audioError gives audio the audio package refused, a WAV header that does
// not hold or more than it decodes, exit status 65 (data error) and a hint.
func audioError(err error) error {
	var he *audio.HeaderError
	switch {
	case errors.As(err, &he):
		return sysexits.New(sysexits.DataErr, "the file is damaged, or not the audio its header describes; if you know how it was recorded, read it as raw samples: ffmpeg -f s16le -ar 16000 -ac 1 -i FILE fixed.wav", err)
	case errors.Is(err, audio.ErrTooLong):
		return sysexits.New(sysexits.DataErr, "split it first: ffmpeg -i FILE -f segment -segment_time 3600 part%03d.wav", err)
	}
	return err
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// languageCode turns the names some servers give ("english") into codes.
func languageCode(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if code, ok := languageNames[l]; ok {
		return code
	}
	return l
}

var languageNames = map[string]string{
	"english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it", "portuguese": "pt",
	"dutch": "nl", "polish": "pl", "russian": "ru", "ukrainian": "uk", "swedish": "sv", "danish": "da",
	"norwegian": "no", "finnish": "fi", "czech": "cs", "turkish": "tr", "greek": "el", "japanese": "ja",
	"chinese": "zh", "korean": "ko", "arabic": "ar", "hebrew": "he", "hindi": "hi",
}

// Languages are the codes of the languages whisper knows, as --language
// takes them.
var Languages = []string{
	"af", "am", "ar", "as", "az", "ba", "be", "bg", "bn", "bo", "br", "bs", "ca", "cs", "cy", "da", "de",
	"el", "en", "es", "et", "eu", "fa", "fi", "fo", "fr", "gl", "gu", "ha", "haw", "he", "hi", "hr", "ht",
	"hu", "hy", "id", "is", "it", "ja", "jw", "ka", "kk", "km", "kn", "ko", "la", "lb", "ln", "lo", "lt",
	"lv", "mg", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "ne", "nl", "nn", "no", "oc", "pa", "pl",
	"ps", "pt", "ro", "ru", "sa", "sd", "si", "sk", "sl", "sn", "so", "sq", "sr", "su", "sv", "sw", "ta",
	"te", "tg", "th", "tk", "tl", "tr", "tt", "uk", "ur", "uz", "vi", "yi", "yo", "yue", "zh",
}
