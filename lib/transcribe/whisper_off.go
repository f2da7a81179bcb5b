//go:build !whisper

package transcribe

import "github.com/shelfai/shelf/lib/sysexits"

// WhisperBuilt reports whether this build has the whisper engine.
const WhisperBuilt = false

// NewWhisper would load a whisper.cpp model; this build has no whisper
// engine.
func NewWhisper(opt Options) (Engine, error) {
	return nil, sysexits.New(sysexits.Usage, "", ErrNoWhisper)
}
