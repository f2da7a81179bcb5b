package main

import (
	"errors"

	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/transcribe"
)

// explain gives the errors of the transcribe package their hints, in the
// words of this command line (the package speaks in types, not flags).
// Other errors pass as they are.
func explain(err error) error {
	var notFile *transcribe.NotFileError
	var tooLarge *transcribe.TooLargeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notFile):
		return withHint(err, "give audio files or named pipes; audio a program writes goes in through a pipe: PROGRAM | transcribe -")
	case errors.As(err, &tooLarge):
		return withHint(err, "raise --max-audio for audio that large, or split it first: ffmpeg -i FILE -f segment -segment_time 3600 part%03d.wav")
	case errors.Is(err, transcribe.ErrStdinTaken):
		return withHint(err, `records name their audio files in "source"; audio on standard input goes with the operand -: transcribe - < memo.m4a`)
	}
	return err
}

// withHint is err, with its exit status, and hint.
func withHint(err error, hint string) error {
	return &sysexits.Error{Code: sysexits.Code(err), Err: err, Hint: hint}
}
