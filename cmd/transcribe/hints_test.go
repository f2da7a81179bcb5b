package main

import (
	"errors"
	"testing"

	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/transcribe"
)

// The transcribe package's errors, said in this command's words: the
// messages and hints people saw when the package named the flags itself.
func TestExplain(t *testing.T) {
	lang := errors.New("unsupported language")
	for _, tt := range []struct {
		err       error
		code      int
		msg, hint string
	}{
		{sysexits.New(sysexits.Usage, "use a multilingual model (without .en in its name) for other languages", &transcribe.EnglishOnlyError{Model: "base.en.bin", Language: "de"}),
			sysexits.Usage, "base.en.bin is an English-only model; it cannot transcribe --language de", "use a multilingual model (without .en in its name) for other languages"},
		{sysexits.New(sysexits.Usage, "use a multilingual model to translate", &transcribe.EnglishOnlyError{Model: "base.en.bin", Translate: true}),
			sysexits.Usage, "base.en.bin is an English-only model; it cannot --translate", "use a multilingual model to translate"},
		{sysexits.New(sysexits.Usage, "give a language code such as en, de, fr, or auto", &transcribe.LanguageError{Language: "xx", Err: lang}),
			sysexits.Usage, "--language xx: unsupported language", "give a language code such as en, de, fr, or auto"},
		{sysexits.New(sysexits.Config, "", &transcribe.ModelError{Err: errors.New("open m.bin: no such file or directory")}),
			sysexits.Config, "open m.bin: no such file or directory", "'transcribe models pull NAME' downloads a model; 'transcribe models list' shows them"},
		{sysexits.New(sysexits.Usage, "", transcribe.ErrNoWhisper),
			sysexits.Usage, "this build of transcribe has no whisper engine", "build one with 'make build-whisper' (it needs libwhisper, built per whisper.cpp's own instructions; see the README), or use --engine api with a speech-to-text server"},
		{sysexits.New(sysexits.Unavailable, "", &transcribe.PullError{Reason: transcribe.Unreachable, URL: "http://h/ggml-x.bin", Dir: "/m", Err: errors.New("refused")}),
			sysexits.Unavailable, "download http://h/ggml-x.bin: refused", "check --models-url, or download the file yourself into /m"},
		{sysexits.New(sysexits.TempFail, "its own", errors.New("other")), sysexits.TempFail, "other", "its own"},
	} {
		err := explain(tt.err)
		if err.Error() != tt.msg || sysexits.Code(err) != tt.code || sysexits.Hint(err) != tt.hint {
			t.Errorf("explain(%v) = %q (exit %d, hint %q), want %q (exit %d, hint %q)", tt.err, err, sysexits.Code(err), sysexits.Hint(err), tt.msg, tt.code, tt.hint)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("explain(%v) lost the error it explains", tt.err)
		}
	}
	if explain(nil) != nil {
		t.Error("explain(nil) is not nil")
	}
}
