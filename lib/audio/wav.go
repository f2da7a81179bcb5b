// Package audio provides what speech recognition needs of audio files:
// decoding to mono float32 samples at 16 kHz. WAV (PCM 8, 16, 24 and 32-bit
// integer, 32 and 64-bit float, any channel count) is read here;
// everything else (mp3, m4a/aac, ogg/opus, flac, webm, video) is decoded by
// ffmpeg when it is on PATH. Resampling is band-limited (a Kaiser-windowed
// sinc), so nothing above the new Nyquist frequency folds back as noise.
//
// What a file costs is bounded by what it is, not by what it claims. A WAV
// header is checked before anything is decoded: every field within its
// range (MinRate to MaxRate, 1 to MaxChannels channels, 8, 16, 24 or 32
// bits, or 32 or 64 for float), block align and byte rate agreeing with the
// others, and no chunk larger than the file; a header that fails is a
// *HeaderError naming the field, and is never handed on to ffmpeg. Decoding
// a WAV then allocates at most 20 times the file's size, plus the
// resampler's tables (at most 8 MiB). Decoding stops at MaxDuration of
// audio, however small the file that holds it (ffmpeg can make hours of
// silence out of a few kilobytes).
package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// What a WAV header may claim. Below 4 kHz a recording holds nothing above
// 2 kHz, too little to make out speech (the telephone, the narrowest
// speech channel in use, samples at 8 kHz), so a lower rate is a broken
// header, not a recording; the floor also bounds what resampling to 16 kHz
// makes of a small file (at most 4 samples from each one read). 768 kHz is
// the highest rate converters offer. Multitrack recorders write up to 128
// channels.
const (
	MinRate     = 4000
	MaxRate     = 768000
	MaxChannels = 1024
)

// MaxDuration is the most audio decoded from one file: 12 hours, 2.8 GB of
// samples at 16 kHz.
const MaxDuration = 12 * time.Hour

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

// ErrUnsupported means a WAV file in an encoding this package does not read
// (ADPCM, mu-law, MP3 in WAV); ffmpeg may.
var ErrUnsupported = errors.New("WAV: unsupported encoding")

// ErrTooLong means audio longer than the most decoded (MaxDuration).
var ErrTooLong = errors.New("audio too long")

// HeaderError is a WAV header field the file cannot be: out of range, at
// odds with the other fields, or claiming more bytes than the file has.
type HeaderError struct {
	Field  string // as the format names it: "sample rate", "block align", "data chunk size", ...
	Reason string // what is wrong, starting with the value given
}

func (e *HeaderError) Error() string { return "WAV header: " + e.Field + " " + e.Reason }

func headerErr(field, format string, args ...any) error {
	return &HeaderError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

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

// wavFile is a WAV file's format and the bytes of its data chunk that the
// file holds.
type wavFile struct {
	format
	data []byte
}

// frames is the number of whole frames in the data.
func (w wavFile) frames() int { return len(w.data) / w.align }

// unknownSize reports whether a data chunk size larger than the file is
// what a writer puts in a header it cannot go back to (writing to a pipe,
// or stopped before it could): 0xFFFFFFFF from ffmpeg, 0x7FFFF000 from sox,
// 0x7FFFFFFF less a frame from arecord. The data then runs to the end.
func unknownSize(size uint64) bool { return size >= 0x7FFFF000 }

// Check reads a WAV file's header and returns a *HeaderError when the file
// cannot be what the header claims. Other data, and WAV files in encodings
// left to ffmpeg, pass: nothing here reads them.
func Check(data []byte) error {
	if !IsWAV(data) {
		return nil
	}
	if _, err := parseWAV(data); err != nil && !errors.Is(err, ErrUnsupported) {
		return err
	}
	return nil
}

// parseWAV finds and checks the format and data chunks. For an encoding
// this package does not read it returns the file and an ErrUnsupported
// error, once the rest of the header has been checked.
func parseWAV(data []byte) (wavFile, error) {
	if !IsWAV(data) {
		return wavFile{}, ErrNotWAV
	}
	var f *format
	var unsupported error
	r := data[12:]
	for len(r) >= 8 {
		id := string(r[:4])
		size := uint64(binary.LittleEndian.Uint32(r[4:8]))
		body := r[8:]
		switch id {
		case "fmt ":
			if size > uint64(len(body)) {
				return wavFile{}, headerErr("fmt chunk size", "%d bytes is more than the file holds (%d bytes after the chunk header)", size, len(body))
			}
			ff, err := parseFormat(body[:size])
			if err != nil && !errors.Is(err, ErrUnsupported) {
				return wavFile{}, err
			}
			f, unsupported = &ff, err
		case "data":
			if f == nil {
				return wavFile{}, headerErr("fmt chunk", "is missing before the data chunk")
			}
			if size > uint64(len(body)) && !unknownSize(size) {
				return wavFile{}, headerErr("data chunk size", "%d bytes is more than the file holds (%d bytes after the chunk header): the file is cut short, or its header is wrong", size, len(body))
			}
			if size == 0 || size > uint64(len(body)) {
				size = uint64(len(body)) // the size was never filled in: to the end
			}
			return wavFile{format: *f, data: body[:size]}, unsupported
		}
		if size > uint64(len(body)) {
			break
		}
		next := 8 + int(size)
		// Chunks are padded to even sizes; some writers forget the pad.
		if size%2 == 1 && (next+1 <= len(r) && chunkID(r[next+1:]) || !chunkID(r[next:])) {
			next++
		}
		if next > len(r) {
			break
		}
		r = r[next:]
	}
	return wavFile{}, headerErr("data chunk", "is missing")
}

// chunkID reports whether b starts with four printable ASCII characters.
func chunkID(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	for _, c := range b[:4] {
		if c < 0x20 || c > 0x7E {
			return false
		}
	}
	return true
}

func parseFormat(b []byte) (format, error) {
	if len(b) < 16 {
		return format{}, headerErr("fmt chunk size", "%d is less than 16", len(b))
	}
	f := format{
		tag:      binary.LittleEndian.Uint16(b[0:2]),
		channels: int(binary.LittleEndian.Uint16(b[2:4])),
		rate:     int(binary.LittleEndian.Uint32(b[4:8])),
		align:    int(binary.LittleEndian.Uint16(b[12:14])),
		bits:     int(binary.LittleEndian.Uint16(b[14:16])),
	}
	byteRate := int(binary.LittleEndian.Uint32(b[8:12]))
	if f.tag == 0xFFFE { // WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID
		if len(b) < 26 {
			return format{}, headerErr("fmt chunk size", "%d is too short for WAVE_FORMAT_EXTENSIBLE (at least 26)", len(b))
		}
		f.tag = binary.LittleEndian.Uint16(b[24:26])
	}
	switch {
	case f.rate < MinRate || f.rate > MaxRate:
		return format{}, headerErr("sample rate", "%d Hz is outside %d-%d Hz", f.rate, MinRate, MaxRate)
	case f.channels < 1 || f.channels > MaxChannels:
		return format{}, headerErr("channels", "%d is outside 1-%d", f.channels, MaxChannels)
	}
	switch f.tag {
	case 1:
		if f.bits != 8 && f.bits != 16 && f.bits != 24 && f.bits != 32 {
			return format{}, headerErr("bits per sample", "%d is not 8, 16, 24 or 32 (integer PCM)", f.bits)
		}
	case 3:
		if f.bits != 32 && f.bits != 64 {
			return format{}, headerErr("bits per sample", "%d is not 32 or 64 (float)", f.bits)
		}
	default:
		return f, fmt.Errorf("%w (format %d, %d bits); ffmpeg can convert it", ErrUnsupported, f.tag, f.bits)
	}
	if want := f.channels * f.bits / 8; f.align != want {
		return format{}, headerErr("block align", "%d is not channels × bits per sample / 8 (%d × %d / 8 = %d)", f.align, f.channels, f.bits, want)
	}
	if want := f.rate * f.align; byteRate != want {
		return format{}, headerErr("byte rate", "%d is not sample rate × block align (%d × %d = %d)", byteRate, f.rate, f.align, want)
	}
	return f, nil
}

// DecodeWAV reads a WAV file and mixes it down to mono, after checking its
// header (a *HeaderError names the field that is wrong). A data chunk whose
// size was never filled in gives the whole frames that are there; at most
// MaxDuration is decoded.
func DecodeWAV(data []byte) (Audio, error) { return decodeWAV(data, MaxDuration) }

func decodeWAV(data []byte, limit time.Duration) (Audio, error) {
	w, err := parseWAV(data)
	if err != nil {
		return Audio{}, err
	}
	frames := w.frames()
	if frames == 0 {
		return Audio{}, errors.New("no audio: the WAV file has no samples")
	}
	if d := seconds(frames, w.rate); d > limit {
		return Audio{}, fmt.Errorf("%w: %v, the most decoded is %v", ErrTooLong, d, limit)
	}
	return decodePCM(w.data[:frames*w.align], w.format), nil
}

// seconds is how long n samples at rate last.
func seconds(n, rate int) time.Duration {
	return time.Duration(float64(n) / float64(rate) * float64(time.Second)).Round(time.Millisecond)
}

func decodePCM(b []byte, f format) Audio {
	frames := len(b) / f.align
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
	return Audio{Samples: out, Rate: f.rate}
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
