//go:build whisper

package transcribe

// Tests of the whisper engine, for builds with libwhisper (make
// test-whisper). They need a model file in SHELF_WHISPER_MODEL (a tiny
// random-weight model does: the text is gibberish, so they check structure,
// timings and that nothing crashes).

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/audio"
)

func model(t *testing.T) string {
	m := os.Getenv("SHELF_WHISPER_MODEL")
	if m == "" {
		t.Skip("set SHELF_WHISPER_MODEL to a whisper.cpp model file")
	}
	return m
}

func wavOf(seconds float64, rate int) []byte {
	a := audio.Audio{Rate: rate, Samples: make([]float32, int(seconds*float64(rate)))}
	for i := range a.Samples {
		a.Samples[i] = float32(0.3 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	var b bytes.Buffer
	audio.EncodeWAV(&b, a)
	return b.Bytes()
}

func TestWhisperEngine(t *testing.T) {
	e, err := NewWhisper(Options{Model: model(t), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, rate := range []int{16000, 44100} {
		tr, err := e.Transcribe(context.Background(), Input{Source: "tone.wav", Data: wavOf(3, rate)})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(tr.Duration-3) > 0.01 {
			t.Errorf("duration %v", tr.Duration)
		}
		for _, s := range Segments(tr) {
			if s.Start < 0 || s.End < s.Start || s.End > tr.Duration {
				t.Errorf("segment %+v outside the audio", s)
			}
		}
	}
	if _, err := e.Transcribe(context.Background(), Input{Source: "empty.wav", Data: wavOf(0, 16000)}); err == nil {
		t.Error("empty audio: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Transcribe(ctx, Input{Source: "tone.wav", Data: wavOf(3, 16000)}); err == nil {
		t.Error("a cancelled run finished")
	}
}

func TestWhisperRefusesBadModels(t *testing.T) {
	m := model(t)
	data, err := os.ReadFile(m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cut := filepath.Join(dir, "cut.bin")
	os.WriteFile(cut, data[:len(data)/2], 0o644)
	if _, err := NewWhisper(Options{Model: cut}); err == nil || !strings.Contains(err.Error(), "not a whole whisper.cpp model") {
		t.Errorf("a truncated model: %v", err)
	}
	wav := filepath.Join(dir, "audio.bin")
	os.WriteFile(wav, wavOf(1, 16000), 0o644)
	if _, err := NewWhisper(Options{Model: wav}); err == nil {
		t.Error("a WAV file as a model: no error")
	}
	e, err := NewWhisper(Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	multi := e.(*Whisper).model.IsMultilingual()
	e.Close()
	_, err = NewWhisper(Options{Model: m, Language: "de"})
	if !multi && (err == nil || !strings.Contains(err.Error(), "English-only")) {
		t.Errorf("an English-only model with --language de: %v", err)
	}
	if multi && err != nil {
		t.Errorf("a multilingual model with --language de: %v", err)
	}
	if _, err := NewWhisper(Options{Model: m, Language: "xx"}); err == nil {
		t.Error("--language xx: no error")
	}
}
