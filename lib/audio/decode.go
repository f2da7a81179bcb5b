package audio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strings"
)

// ErrNoFFmpeg is returned for a format only ffmpeg can decode when ffmpeg
// is not on PATH.
var ErrNoFFmpeg = errors.New("ffmpeg is not on PATH")

// Decode reads audio from data (the file's bytes) and returns it as mono
// at 16 kHz: WAV here, anything else through ffmpeg, streamed as float32
// samples from its output (no temporary files). name is used in messages.
func Decode(ctx context.Context, name string, data []byte) (Audio, error) {
	if len(data) == 0 {
		return Audio{}, errors.New("no audio: the file is empty")
	}
	if IsWAV(data) {
		a, err := DecodeWAV(data)
		if err == nil {
			return a.To16k(), nil
		}
		// Encodings this reader does not take (ADPCM, mu-law): ffmpeg may.
		if _, lerr := exec.LookPath("ffmpeg"); lerr != nil {
			return Audio{}, err
		}
	}
	return FFmpeg(ctx, name, bytes.NewReader(data))
}

// FFmpeg decodes any format ffmpeg knows from r to mono 16 kHz.
func FFmpeg(ctx context.Context, name string, r io.Reader) (Audio, error) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return Audio{}, fmt.Errorf("%s: decoding this format needs ffmpeg: %w", name, ErrNoFFmpeg)
	}
	cmd := exec.CommandContext(ctx, bin, "-nostdin", "-hide_banner", "-loglevel", "error",
		"-i", "pipe:0", "-vn", "-ac", "1", "-ar", fmt.Sprint(Rate), "-f", "f32le", "pipe:1")
	cmd.Stdin = r
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return Audio{}, err
	}
	if err := cmd.Start(); err != nil {
		return Audio{}, fmt.Errorf("%s: start ffmpeg: %w", name, err)
	}
	raw, rerr := io.ReadAll(out)
	werr := cmd.Wait()
	if werr != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" {
			msg = werr.Error()
		}
		return Audio{}, fmt.Errorf("%s: ffmpeg cannot decode it: %s", name, msg)
	}
	if rerr != nil {
		return Audio{}, rerr
	}
	n := len(raw) / 4
	if n == 0 {
		return Audio{}, fmt.Errorf("no audio: %s has no sound in it", name)
	}
	s := make([]float32, n)
	for i := range s {
		s[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return Audio{Samples: s, Rate: Rate}, nil
}
