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
	"time"
)

// ErrNoFFmpeg is returned for a format only ffmpeg can decode when ffmpeg
// is not on PATH.
var ErrNoFFmpeg = errors.New("ffmpeg is not on PATH")

// Decode reads audio from data (the file's bytes) and returns it as mono
// at 16 kHz: WAV here, anything else through ffmpeg, streamed as float32
// samples from its output (no temporary files), at most MaxDuration of it.
// A WAV whose header does not hold is an error (a *HeaderError), not a
// file for ffmpeg to try. name is used in messages.
func Decode(ctx context.Context, name string, data []byte) (Audio, error) {
	return decode(ctx, name, data, MaxDuration)
}

func decode(ctx context.Context, name string, data []byte, limit time.Duration) (Audio, error) {
	if len(data) == 0 {
		return Audio{}, errors.New("no audio: the file is empty")
	}
	if IsWAV(data) {
		a, err := decodeWAV(data, limit)
		if err == nil {
			return a.To16k(), nil
		}
		// Encodings this reader does not take (ADPCM, mu-law): ffmpeg may.
		if !errors.Is(err, ErrUnsupported) || !haveFFmpeg() {
			return Audio{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	s, _, err := ffmpeg(ctx, name, bytes.NewReader(data), limit, true)
	if err != nil {
		return Audio{}, err
	}
	return Audio{Samples: s, Rate: Rate}, nil
}

// Length is how long the audio in data is, in seconds. A WAV's length
// comes from its header and size, without decoding; other formats go
// through ffmpeg, their samples counted and not kept, up to MaxDuration.
func Length(ctx context.Context, name string, data []byte) (float64, error) {
	if len(data) == 0 {
		return 0, errors.New("no audio: the file is empty")
	}
	if IsWAV(data) {
		w, err := parseWAV(data)
		switch {
		case err == nil && w.frames() == 0:
			return 0, fmt.Errorf("%s: no audio: the WAV file has no samples", name)
		case err == nil:
			return float64(w.frames()) / float64(w.rate), nil
		case !errors.Is(err, ErrUnsupported) || !haveFFmpeg():
			return 0, fmt.Errorf("%s: %w", name, err)
		}
	}
	_, n, err := ffmpeg(ctx, name, bytes.NewReader(data), MaxDuration, false)
	if err != nil {
		return 0, err
	}
	return float64(n) / Rate, nil
}

func haveFFmpeg() bool {
	_, err := exec.LookPath("ffmpeg")
	return err == nil
}

// FFmpeg decodes any format ffmpeg knows from r to mono 16 kHz, at most
// MaxDuration of it.
func FFmpeg(ctx context.Context, name string, r io.Reader) (Audio, error) {
	s, _, err := ffmpeg(ctx, name, r, MaxDuration, true)
	if err != nil {
		return Audio{}, err
	}
	return Audio{Samples: s, Rate: Rate}, nil
}

// ffmpeg runs ffmpeg on r and reads its output, 16 kHz mono float32, as it
// comes: n samples, kept in s when keep is set. Past limit it stops ffmpeg
// and returns ErrTooLong, so what a file costs is bounded whatever it
// decodes to; of what ffmpeg says on stderr only the end is kept.
func ffmpeg(ctx context.Context, name string, r io.Reader, limit time.Duration, keep bool) (s []float32, n int, err error) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, 0, fmt.Errorf("%s: decoding this format needs ffmpeg: %w", name, ErrNoFFmpeg)
	}
	run, stop := context.WithCancel(ctx)
	defer stop()
	cmd := exec.CommandContext(run, bin, "-nostdin", "-hide_banner", "-loglevel", "error",
		"-i", "pipe:0", "-vn", "-ac", "1", "-ar", fmt.Sprint(Rate), "-f", "f32le", "pipe:1")
	cmd.Stdin = r
	stderr := &tail{max: 4 << 10}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("%s: start ffmpeg: %w", name, err)
	}
	most := int(limit.Seconds() * Rate)
	buf := make([]byte, 32<<10)
	have, tooLong := 0, false
	var rerr error
	for rerr == nil {
		var k int
		k, rerr = out.Read(buf[have:])
		have += k
		whole := have / 4
		if n+whole > most {
			tooLong = true
			break
		}
		if keep {
			for i := range whole {
				s = append(s, math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
			}
		}
		n += whole
		have = copy(buf, buf[4*whole:have])
	}
	if rerr != io.EOF {
		stop() // stopped reading early: ffmpeg must not wait on a full pipe
	}
	werr := cmd.Wait()
	switch {
	case tooLong:
		return nil, n, fmt.Errorf("%s: %w: over %v, the most decoded", name, ErrTooLong, limit)
	case ctx.Err() != nil:
		return nil, n, ctx.Err()
	case rerr != io.EOF:
		return nil, n, fmt.Errorf("%s: reading ffmpeg's output: %w", name, rerr)
	case werr != nil:
		msg := strings.TrimSpace(string(stderr.b))
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" {
			msg = werr.Error()
		}
		return nil, n, fmt.Errorf("%s: ffmpeg cannot decode it: %s", name, msg)
	case n == 0:
		return nil, 0, fmt.Errorf("no audio: %s has no sound in it", name)
	}
	return s, n, nil
}

// tail keeps the last max bytes written to it, however many are written.
type tail struct {
	b   []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	if len(p) >= t.max {
		t.b = append(t.b[:0], p[len(p)-t.max:]...)
		return len(p), nil
	}
	if over := len(t.b) + len(p) - t.max; over > 0 {
		t.b = t.b[:copy(t.b, t.b[over:])]
	}
	t.b = append(t.b, p...)
	return len(p), nil
}
