//go:build whisper

package transcribe

/*
#include <whisper.h>

static void shelf_quiet(enum ggml_log_level level, const char * text, void * data) {
	(void)level; (void)text; (void)data;
}

static void shelf_silence(void) { whisper_log_set(shelf_quiet, NULL); }
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/ggerganov/whisper.cpp/bindings/go/pkg/whisper"
	"github.com/shelfai/shelf/lib/audio"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/sysexits"
)

// WhisperBuilt reports whether this build has the whisper engine.
const WhisperBuilt = true

// Whisper runs whisper.cpp in the process. The model is loaded once; the
// bindings are not safe for concurrent use, so files go through one at a
// time.
type Whisper struct {
	model whisper.Model
	opt   Options
	mu    sync.Mutex
}

// NewWhisper checks and loads the model file opt.Model.
func NewWhisper(opt Options) (Engine, error) {
	if !opt.Verbose {
		C.shelf_silence() // whisper.cpp's own log lines are noise on stderr
	}
	if err := CheckModel(opt.Model); err != nil {
		return nil, sysexits.New(sysexits.Config, "", &ModelError{Err: err})
	}
	if opt.VADModel != "" {
		if err := CheckVADModel(opt.VADModel); err != nil {
			return nil, sysexits.New(sysexits.Config, "", fmt.Errorf("VAD model: %w", err))
		}
	}
	m, err := whisper.New(opt.Model)
	if err != nil {
		return nil, sysexits.New(sysexits.Config, "", fmt.Errorf("load %s: %w", opt.Model, err))
	}
	lang := strings.ToLower(opt.Language)
	if !m.IsMultilingual() && lang != "" && lang != "auto" && lang != "en" {
		m.Close()
		return nil, sysexits.New(sysexits.Usage, "use a multilingual model (without .en in its name) for other languages", &EnglishOnlyError{Model: opt.Model, Language: opt.Language})
	}
	if !m.IsMultilingual() && opt.Translate {
		m.Close()
		return nil, sysexits.New(sysexits.Usage, "use a multilingual model to translate", &EnglishOnlyError{Model: opt.Model, Translate: true})
	}
	if m.IsMultilingual() && lang != "" && lang != "auto" {
		c, err := m.NewContext()
		if err == nil {
			err = c.SetLanguage(lang)
		}
		if err != nil {
			m.Close()
			return nil, sysexits.New(sysexits.Usage, "give a language code such as en, de, fr, or auto", &LanguageError{Language: opt.Language, Err: err})
		}
	}
	return &Whisper{model: m, opt: opt}, nil
}

// Name is "whisper".
func (w *Whisper) Name() string { return "whisper" }

// Model is the model file.
func (w *Whisper) Model() string { return w.opt.Model }

// Close frees the model.
func (w *Whisper) Close() error { return w.model.Close() }

// Transcribe decodes the audio to 16 kHz mono and runs whisper on it.
func (w *Whisper) Transcribe(ctx context.Context, in Input) (llm.Transcript, error) {
	a, err := audio.Decode(ctx, in.Name(), in.Data)
	if err != nil {
		return llm.Transcript{}, audioError(err)
	}
	if len(a.Samples) == 0 {
		return llm.Transcript{}, errors.New("no audio")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c, err := w.model.NewContext()
	if err != nil {
		return llm.Transcript{}, err
	}
	threads := w.opt.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	c.SetThreads(uint(threads))
	if w.model.IsMultilingual() {
		lang := w.opt.Language
		if lang == "" {
			lang = "auto"
		}
		if err := c.SetLanguage(lang); err != nil {
			return llm.Transcript{}, sysexits.New(sysexits.Usage, "give a language code such as en, de, fr, or auto", &LanguageError{Language: lang, Err: err})
		}
		c.SetTranslate(w.opt.Translate)
	}
	if w.opt.Prompt != "" {
		c.SetInitialPrompt(w.opt.Prompt)
	}
	c.SetTemperature(w.opt.Temperature)
	c.SetTemperatureFallback(w.opt.TemperatureInc)
	if w.opt.VADModel != "" {
		c.SetVAD(true)
		c.SetVADModelPath(w.opt.VADModel)
	}
	// The encoder-begin callback is where a cancelled run stops.
	keepGoing := func() bool { return ctx.Err() == nil }
	err = c.Process(a.Samples, keepGoing, nil, nil)
	if ctx.Err() != nil {
		return llm.Transcript{}, ctx.Err() // stopped: not a transcript
	}
	if err != nil {
		return llm.Transcript{}, fmt.Errorf("whisper: %w", err)
	}
	t := llm.Transcript{Duration: round2(a.Duration()), Format: "whisper"}
	var parts []string
	for {
		s, err := c.NextSegment()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return llm.Transcript{}, fmt.Errorf("whisper: %w", err)
		}
		t.Segments = append(t.Segments, llm.Segment{Start: s.Start.Seconds(), End: s.End.Seconds(), Text: s.Text})
		parts = append(parts, strings.TrimSpace(s.Text))
	}
	t.Text = strings.TrimSpace(strings.Join(parts, " "))
	t.Language = c.Language()
	if d := c.DetectedLanguage(); d != "" {
		t.Language = d
	}
	if !w.model.IsMultilingual() {
		t.Language = "en"
	}
	return t, nil
}
