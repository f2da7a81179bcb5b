//go:build !whisper

package transcribe

import (
	"errors"

	"github.com/shelfai/shelf/lib/sysexits"
)

// WhisperBuilt reports whether this build has the whisper engine.
const WhisperBuilt = false

// NewWhisper would load a whisper.cpp model; this build has no whisper
// engine.
func NewWhisper(opt Options) (Engine, error) {
	return nil, sysexits.New(sysexits.Usage, "build one with 'make build-whisper' (it needs libwhisper, built per whisper.cpp's own instructions; see the README), or use --engine api with a speech-to-text server", errors.New("this build of transcribe has no whisper engine"))

}
