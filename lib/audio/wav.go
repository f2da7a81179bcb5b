// Package audio provides what speech recognition needs of audio files:
// decoding to mono float32 samples at 16 kHz. WAV (PCM 8, 16, 24 and 32-bit
// integer, 32 and 64-bit float, any rate and channel count) is read here;
// everything else (mp3, m4a/aac, ogg/opus, flac, webm, video) is decoded by
// ffmpeg when it is on PATH. Resampling is band-limited (a Kaiser-windowed
// sinc), so nothing above the new Nyquist frequency folds back as noise.
package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Audio is decoded audio: mono samples in [-1, 1] and their rate.
type Audio struct {
	Samples []float32
	Rate    int
}

// Duration is the length in seconds.
func (a Audio) Duration() float64 {
	if a.Rate == 0 {
		return 0
	}
	return float64(len(a.Samples)) / float64(a.Rate)
}

// ErrNotWAV means the data does not start like a WAV file.
var ErrNotWAV = errors.New("not a WAV file")

// IsWAV reports whether data starts like a RIFF WAVE file.
func IsWAV(head []byte) bool {
	return len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WAVE"
}

type format struct {
	tag      uint16 // 1 PCM, 3 IEEE float
	channels int
	rate     int
	bits     int
	align    int
}

// DecodeWAV reads a WAV file and mixes it down to mono. A data chunk cut
// short (an interrupted recording) gives the whole frames that are there.
func DecodeWAV(data []byte) (Audio, error) {
	if !IsWAV(data) {
		return Audio{}, ErrNotWAV
	}
	var f *format
	r := data[12:]
	for len(r) >= 8 {
		id := string(r[:4])
		size := int(binary.LittleEndian.Uint32(r[4:8]))
		body := r[8:]
		if size < 0 || size > len(body) {
			size = len(body) // truncated, or a streaming header (size unknown)
		}
		switch id {
		case "fmt ":
			ff, err := parseFormat(body[:size])
			if err != nil {
				return Audio{}, err
			}
			f = &ff
		case "data":
			if f == nil {
				return Audio{}, errors.New("WAV: data before its format (no fmt chunk)")
			}
			return decodePCM(body[:size], *f)
		}
		next := 8 + size + size%2 // chunks are padded to even sizes
		if next > len(r) {
			break
		}
		r = r[next:]
	}
	return Audio{}, errors.New("WAV: no data chunk")
}

func parseFormat(b []byte) (format, error) {
	if len(b) < 16 {
		return format{}, errors.New("WAV: fmt chunk too short")
	}
	f := format{
		tag:      binary.LittleEndian.Uint16(b[0:2]),
		channels: int(binary.LittleEndian.Uint16(b[2:4])),
		rate:     int(binary.LittleEndian.Uint32(b[4:8])),
		align:    int(binary.LittleEndian.Uint16(b[12:14])),
		bits:     int(binary.LittleEndian.Uint16(b[14:16])),
	}
	if f.tag == 0xFFFE { // WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID
		if len(b) < 26 {
			return format{}, errors.New("WAV: extensible fmt chunk too short")
		}
		f.tag = binary.LittleEndian.Uint16(b[24:26])
	}
	switch {
	case f.channels < 1:
		return format{}, fmt.Errorf("WAV: %d channels", f.channels)
	case f.rate < 1000 || f.rate > 768000:
		return format{}, fmt.Errorf("WAV: sample rate %d Hz", f.rate)
	case f.tag == 1 && (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32):
	case f.tag == 3 && (f.bits == 32 || f.bits == 64):
	default:
		return format{}, fmt.Errorf("WAV: unsupported encoding (format %d, %d bits); ffmpeg can convert it", f.tag, f.bits)
	}
	if want := f.channels * f.bits / 8; f.align < want {
		f.align = want
	}
	return f, nil
}

func decodePCM(b []byte, f format) (Audio, error) {
	frames := len(b) / f.align
	if frames == 0 {
		return Audio{}, errors.New("no audio: the WAV file has no samples")
	}
	width := f.bits / 8
	out := make([]float32, frames)
	scale := 1 / float64(f.channels)
	for i := range frames {
		frame := b[i*f.align:]
		var sum float64
		for c := range f.channels {
			s := frame[c*width:]
			var v float64
			switch {
			case f.tag == 3 && width == 4:
				v = float64(math.Float32frombits(binary.LittleEndian.Uint32(s)))
			case f.tag == 3:
				v = math.Float64frombits(binary.LittleEndian.Uint64(s))
			case width == 1:
				v = (float64(s[0]) - 128) / 128
			case width == 2:
				v = float64(int16(binary.LittleEndian.Uint16(s))) / 32768
			case width == 3:
				x := int32(uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24) >> 8
				v = float64(x) / 8388608
			default:
				v = float64(int32(binary.LittleEndian.Uint32(s))) / 2147483648
			}
			sum += v
		}
		out[i] = float32(sum * scale)
	}
	return Audio{Samples: out, Rate: f.rate}, nil
}

// EncodeWAV writes mono 16-bit PCM, for tests and tools that want a file.
func EncodeWAV(w io.Writer, a Audio) error {
	data := 2 * len(a.Samples)
	b := make([]byte, 0, 44+data)
	le := binary.LittleEndian
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, uint32(36+data))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, 1) // PCM
	b = le.AppendUint16(b, 1) // mono
	b = le.AppendUint32(b, uint32(a.Rate))
	b = le.AppendUint32(b, uint32(2*a.Rate))
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(data))
	for _, s := range a.Samples {
		v := math.Round(float64(s) * 32767)
		v = math.Max(-32768, math.Min(32767, v))
		b = le.AppendUint16(b, uint16(int16(v)))
	}
	_, err := w.Write(b)
	return err
}
