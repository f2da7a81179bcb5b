package audio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func sine(freq, amp float64, rate int, seconds float64) []float32 {
	n := int(float64(rate) * seconds)
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return x
}

// tone measures the amplitude of the component at freq (least squares on
// the middle of the signal, away from the edges).
func tone(x []float32, freq float64, rate int) float64 {
	lo, hi := len(x)/4, 3*len(x)/4
	var s, c float64
	for i := lo; i < hi; i++ {
		ph := 2 * math.Pi * freq * float64(i) / float64(rate)
		s += float64(x[i]) * math.Sin(ph)
		c += float64(x[i]) * math.Cos(ph)
	}
	n := float64(hi - lo)
	return 2 * math.Hypot(s, c) / n
}

func rms(x []float32) float64 {
	lo, hi := len(x)/4, 3*len(x)/4
	var e float64
	for _, v := range x[lo:hi] {
		e += float64(v) * float64(v)
	}
	return math.Sqrt(e / float64(hi-lo))
}

func db(r float64) float64 { return 20 * math.Log10(r) }

func TestResamplePreservesTones(t *testing.T) {
	for _, in := range []int{8000, 11025, 22050, 32000, 44100, 48000, 96000, 44101} {
		for _, f := range []float64{100, 440, 1000, 3000, 5000, 6000} {
			if f >= float64(in)/2*0.9 {
				continue
			}
			y := Resample(sine(f, 0.5, in, 1), in, Rate)
			if want := int(math.Ceil(float64(in) * 1 * Rate / float64(in))); len(y) < want-1 || len(y) > want+1 {
				t.Errorf("%d Hz: %d samples out", in, len(y))
			}
			got := tone(y, f, Rate)
			if d := db(got / 0.5); math.Abs(d) > 0.1 {
				t.Errorf("%d Hz -> 16 kHz: a %.0f Hz tone changed by %.2f dB", in, f, d)
			}
			// All the energy is at f: nothing moved elsewhere.
			if resid := math.Sqrt(math.Max(0, rms(y)*rms(y)-got*got/2)); db(resid/0.5) > -60 {
				t.Errorf("%d Hz -> 16 kHz, %.0f Hz: residue at %.1f dB", in, f, db(resid/0.5))
			}
		}
	}
}

func TestResampleNoAliasing(t *testing.T) {
	// Tones above the new Nyquist frequency (8 kHz) must be filtered out,
	// not folded back into the speech band.
	for _, in := range []int{22050, 44100, 48000} {
		for _, f := range []float64{9000, 10000, 12000, 15000} {
			if f >= float64(in)/2 {
				continue
			}
			y := Resample(sine(f, 0.5, in, 1), in, Rate)
			if level := db(rms(y) * math.Sqrt2 / 0.5); level > -60 {
				t.Errorf("%d Hz -> 16 kHz: a %.0f Hz tone comes through at %.1f dB", in, f, level)
			}
		}
	}
}

func TestResampleSweep(t *testing.T) {
	// A sweep from 50 Hz to 20 kHz at 48 kHz: what is left above 8 kHz is
	// gone, and below 7 kHz the level is kept.
	in := 48000
	n := in * 2
	x := make([]float32, n)
	f0, f1 := 50.0, 20000.0
	for i := range x {
		tt := float64(i) / float64(in)
		k := math.Log(f1/f0) / 2
		x[i] = float32(0.5 * math.Sin(2*math.Pi*f0*(math.Exp(k*tt)-1)/k))
	}
	y := Resample(x, in, Rate)
	// The instantaneous frequency passes 7 kHz at t7 and 8.8 kHz at t9.
	k := math.Log(f1/f0) / 2
	t7, t9 := math.Log(7000/f0)/k, math.Log(8800/f0)/k
	seg := func(a, b float64) []float32 { return y[int(a*Rate):int(b*Rate)] }
	peak := func(s []float32) float64 {
		var m float64
		for _, v := range s {
			m = math.Max(m, math.Abs(float64(v)))
		}
		return m
	}
	if p := peak(seg(0.5, t7-0.05)); math.Abs(db(p/0.5)) > 0.2 {
		t.Errorf("pass band peak %.2f dB", db(p/0.5))
	}
	if p := peak(seg(t9+0.02, 1.95)); db(p/0.5) > -55 {
		t.Errorf("above 8.8 kHz the sweep comes through at %.1f dB", db(p/0.5))
	}
}

func wav(t testing.TB, tag uint16, channels, rate, bits int, frames [][]float64) []byte {
	t.Helper()
	var data bytes.Buffer
	for _, fr := range frames {
		for _, v := range fr {
			switch {
			case tag == 3 && bits == 32:
				binary.Write(&data, binary.LittleEndian, float32(v))
			case tag == 3:
				binary.Write(&data, binary.LittleEndian, v)
			case bits == 8:
				data.WriteByte(byte(int(math.Round(v*127)) + 128))
			case bits == 16:
				binary.Write(&data, binary.LittleEndian, int16(math.Round(v*32767)))
			case bits == 24:
				x := int32(math.Round(v * 8388607))
				data.Write([]byte{byte(x), byte(x >> 8), byte(x >> 16)})
			default:
				binary.Write(&data, binary.LittleEndian, int32(math.Round(v*2147483647)))
			}
		}
	}
	le := binary.LittleEndian
	b := []byte("RIFF")
	b = le.AppendUint32(b, uint32(36+data.Len()))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, tag)
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*channels*bits/8))
	b = le.AppendUint16(b, uint16(channels*bits/8))
	b = le.AppendUint16(b, uint16(bits))
	b = append(b, "LIST"...) // an unknown chunk to skip
	b = le.AppendUint32(b, 3)
	b = append(b, 'a', 'b', 'c', 0)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(data.Len()))
	return append(b, data.Bytes()...)
}

func TestDecodeWAV(t *testing.T) {
	frames := [][]float64{{0.5, -0.5}, {0.25, 0.25}, {-1, -1}, {0.75, 0.25}}
	want := []float64{0, 0.25, -1, 0.5}
	for _, c := range []struct {
		tag  uint16
		bits int
		tol  float64
	}{{1, 8, 1.0 / 64}, {1, 16, 1e-4}, {1, 24, 1e-6}, {1, 32, 1e-8}, {3, 32, 1e-7}, {3, 64, 1e-12}} {
		a, err := DecodeWAV(wav(t, c.tag, 2, 44100, c.bits, frames))
		if err != nil {
			t.Fatalf("%d/%d: %v", c.tag, c.bits, err)
		}
		if a.Rate != 44100 || len(a.Samples) != 4 {
			t.Fatalf("%d/%d: rate %d, %d samples", c.tag, c.bits, a.Rate, len(a.Samples))
		}
		for i, w := range want {
			if math.Abs(float64(a.Samples[i])-w) > c.tol {
				t.Errorf("format %d, %d bits: sample %d = %v, want %v", c.tag, c.bits, i, a.Samples[i], w)
			}
		}
	}
	// Float WAV keeps its scale (go-audio/wav gets this wrong).
	a, _ := DecodeWAV(wav(t, 3, 1, 16000, 32, [][]float64{{0.9}, {-0.9}}))
	if math.Abs(float64(a.Samples[0])-0.9) > 1e-6 {
		t.Errorf("float sample %v", a.Samples[0])
	}
	// A recording cut off mid-frame, its header written before the size
	// was known (0xFFFFFFFF, as ffmpeg writes to a pipe), keeps its whole
	// frames.
	cut := wav(t, 1, 2, 8000, 16, frames)
	binary.LittleEndian.PutUint32(cut[offDataSize:], 0xFFFFFFFF)
	a, err := DecodeWAV(cut[:len(cut)-3])
	if err != nil || len(a.Samples) != 3 {
		t.Errorf("truncated: %d samples, %v", len(a.Samples), err)
	}
	// A file cut short under a header that gives its full size is not
	// taken for a shorter recording: the error says what is missing.
	cut = wav(t, 1, 2, 8000, 16, frames)
	if _, err := DecodeWAV(cut[:len(cut)-3]); err == nil || err.Error() != "WAV header: data chunk size 16 bytes is more than the file holds (13 bytes after the chunk header): the file is cut short, or its header is wrong" {
		t.Errorf("cut short: %v", err)
	}
	for name, bad := range map[string][]byte{
		"empty":     {},
		"not wav":   []byte("ID3\x03\x00 an mp3"),
		"no data":   wav(t, 1, 1, 8000, 16, nil),
		"header":    wav(t, 1, 1, 8000, 16, nil)[:20],
		"bad rate":  wav(t, 1, 1, 7, 16, [][]float64{{0}}),
		"adpcm":     wav(t, 2, 1, 8000, 4, [][]float64{{0}}),
		"0 channel": wav(t, 1, 0, 8000, 16, [][]float64{{0}}),
	} {
		if _, err := DecodeWAV(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	var buf bytes.Buffer
	EncodeWAV(&buf, Audio{Samples: []float32{0, 0.5, -0.5}, Rate: 16000})
	back, err := DecodeWAV(buf.Bytes())
	if err != nil || back.Rate != 16000 || len(back.Samples) != 3 || math.Abs(float64(back.Samples[1])-0.5) > 1e-4 {
		t.Errorf("round trip: %v %v", back, err)
	}
	if !strings.Contains(func() string { _, err := DecodeWAV(wav(t, 2, 1, 8000, 4, [][]float64{{0}})); return err.Error() }(), "ffmpeg") {
		t.Error("unsupported encodings should point at ffmpeg")
	}
}

func BenchmarkResample(b *testing.B) {
	for _, in := range []int{44100, 48000} {
		x := sine(440, 0.5, in, 10)
		b.Run(map[int]string{44100: "44.1k", 48000: "48k"}[in], func(b *testing.B) {
			for b.Loop() {
				Resample(x, in, Rate)
			}
			secs := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(10/secs, "x-realtime(goal>=500)")
		})
	}
}

func TestFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("no ffmpeg")
	}
	dir := t.TempDir()
	var w bytes.Buffer
	EncodeWAV(&w, Audio{Samples: sine(1000, 0.5, 44100, 1), Rate: 44100})
	os.WriteFile(filepath.Join(dir, "in.wav"), w.Bytes(), 0o644)
	flac := filepath.Join(dir, "in.flac")
	if out, err := exec.Command("ffmpeg", "-loglevel", "error", "-i", filepath.Join(dir, "in.wav"), flac).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	data, _ := os.ReadFile(flac)
	a, err := Decode(context.Background(), "in.flac", data)
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate != Rate || math.Abs(a.Duration()-1) > 0.01 || math.Abs(db(tone(a.Samples, 1000, Rate)/0.5)) > 0.2 {
		t.Errorf("flac: rate %d, %.3f s, tone %.2f dB", a.Rate, a.Duration(), db(tone(a.Samples, 1000, Rate)/0.5))
	}
	if _, err := Decode(context.Background(), "junk.mp3", []byte("this is not audio at all")); err == nil || !strings.Contains(err.Error(), "ffmpeg cannot decode it") {
		t.Errorf("junk: %v", err)
	}
	t.Setenv("PATH", dir) // no ffmpeg here
	if _, err := Decode(context.Background(), "in.flac", data); !errors.Is(err, ErrNoFFmpeg) || !strings.Contains(err.Error(), "in.flac") {
		t.Errorf("without ffmpeg: %v", err)
	}
}
