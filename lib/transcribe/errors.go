package transcribe

import (
	"errors"
	"fmt"

	"github.com/shelfai/shelf/lib/llm"
)

// The errors below carry what went wrong in this package's terms; the
// command tells the person what to type about them.

// PullReason says why a model download failed.
type PullReason int

// The reasons of a PullError.
const (
	UnknownModel PullReason = iota + 1 // no checksum given, and the name is not a known model
	Unreachable                        // no answer from the models URL
	NotServed                          // the models URL answered, but not with the file (Status)
	TooLarge                           // the file is larger than the limit (Limit)
)

// PullError is a model download that failed before anything was kept.
type PullError struct {
	Reason PullReason
	Name   string // the model
	URL    string // the file's
	Dir    string // the models folder
	Status string // NotServed: the HTTP status
	Limit  int64  // TooLarge: the most taken
	Err    error  // Unreachable: what the client said
}

func (e *PullError) Error() string {
	switch e.Reason {
	case UnknownModel:
		return fmt.Sprintf("unknown model %q", e.Name)
	case Unreachable:
		return fmt.Sprintf("download %s: %v", e.URL, e.Err)
	case NotServed:
		return fmt.Sprintf("download %s: %s", e.URL, e.Status)
	case TooLarge:
		return fmt.Sprintf("download %s: larger than %s; nothing was kept", e.URL, llm.FormatSize(e.Limit))
	}
	return fmt.Sprintf("download %s failed", e.URL)
}

func (e *PullError) Unwrap() error { return e.Err }

// ModelError is a whisper model file that is missing or not a whole
// model.
type ModelError struct{ Err error }

func (e *ModelError) Error() string { return e.Err.Error() }
func (e *ModelError) Unwrap() error { return e.Err }

// EnglishOnlyError is what an English-only model cannot do: transcribe
// another language, or translate.
type EnglishOnlyError struct {
	Model     string
	Language  string // the language asked for, when that is the trouble
	Translate bool   // translation was asked for
}

func (e *EnglishOnlyError) Error() string {
	if e.Translate {
		return fmt.Sprintf("%s is an English-only model; it cannot translate", e.Model)
	}
	return fmt.Sprintf("%s is an English-only model; it cannot transcribe language %s", e.Model, e.Language)
}

// LanguageError is a language whisper does not know.
type LanguageError struct {
	Language string
	Err      error
}

func (e *LanguageError) Error() string { return fmt.Sprintf("language %s: %v", e.Language, e.Err) }
func (e *LanguageError) Unwrap() error { return e.Err }

// ErrNoWhisper is the error of NewWhisper in a build without the whisper
// engine.
var ErrNoWhisper = errors.New("this build of transcribe has no whisper engine")
