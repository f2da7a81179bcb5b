package main

import (
	"errors"
	"fmt"

	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/transcribe"
)

// explain puts the errors of the transcribe package in the words of this
// command line: the package speaks in types, the command names the flags
// and subcommands that help. The exit status stays; other errors pass as
// they are.
func explain(err error) error {
	var (
		notFile  *transcribe.NotFileError
		tooLarge *transcribe.TooLargeError
		pull     *transcribe.PullError
		model    *transcribe.ModelError
		english  *transcribe.EnglishOnlyError
		language *transcribe.LanguageError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notFile):
		return withHint(err, "give audio files or named pipes; audio a program writes goes in through a pipe: PROGRAM | transcribe -")
	case errors.As(err, &tooLarge):
		return withHint(err, "raise --max-audio for audio that large, or split it first: ffmpeg -i FILE -f segment -segment_time 3600 part%03d.wav")
	case errors.Is(err, transcribe.ErrStdinTaken):
		return withHint(err, `records name their audio files in "source"; audio on standard input goes with the operand -: transcribe - < memo.m4a`)
	case errors.As(err, &pull):
		switch pull.Reason {
		case transcribe.UnknownModel:
			return withHint(err, "'transcribe models list' shows the known names; for another model give its SHA-1 with --sha1")
		case transcribe.Unreachable:
			return withHint(err, "check --models-url, or download the file yourself into "+pull.Dir)
		case transcribe.NotServed:
			return withHint(err, "check --models-url and the model name")
		case transcribe.TooLarge:
			return withHint(err, "whisper models are at most 3.1 GB; raise --max-size only for a model you know to be larger")
		}
	case errors.As(err, &model):
		return withHint(err, "'transcribe models pull NAME' downloads a model; 'transcribe models list' shows them")
	case errors.As(err, &english) && english.Translate:
		return reword(err, fmt.Sprintf("%s is an English-only model; it cannot --translate", english.Model))
	case errors.As(err, &english):
		return reword(err, fmt.Sprintf("%s is an English-only model; it cannot transcribe --language %s", english.Model, english.Language))
	case errors.As(err, &language):
		return reword(err, fmt.Sprintf("--language %s: %v", language.Language, language.Err))
	case errors.Is(err, transcribe.ErrNoWhisper):
		return withHint(err, "build one with 'make build-whisper' (it needs libwhisper, built per whisper.cpp's own instructions; see the README), or use --engine api with a speech-to-text server")
	}
	return err
}

// withHint is err, with its exit status, and hint.
func withHint(err error, hint string) error {
	return &sysexits.Error{Code: sysexits.Code(err), Err: err, Hint: hint}
}

// reword is err, with its exit status and hint, said as msg.
func reword(err error, msg string) error {
	return &sysexits.Error{Code: sysexits.Code(err), Err: &worded{msg: msg, err: err}, Hint: sysexits.Hint(err)}
}

// worded is an error said in the command's words.
type worded struct {
	msg string
	err error
}

func (w *worded) Error() string { return w.msg }
func (w *worded) Unwrap() error { return w.err }
