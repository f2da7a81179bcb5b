package audio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Offsets of the fields in a file made by wav(): "RIFF" size "WAVE",
// "fmt " size, the 16-byte format, a 12-byte LIST chunk, "data" size.
const (
	offFmtSize   = 16
	offTag       = 20
	offChannels  = 22
	offRate      = 24
	offByteRate  = 28
	offAlign     = 32
	offBits      = 34
	offDataID    = 48
	offDataSize  = 52
	offDataStart = 56
)

func put16(b []byte, off, v int) { binary.LittleEndian.PutUint16(b[off:], uint16(v)) }
func put32(b []byte, off, v int) { binary.LittleEndian.PutUint32(b[off:], uint32(v)) }

// silence is a valid mono 16-bit WAV of n frames at rate.
func silence(t testing.TB, rate, n int) []byte {
	var data bytes.Buffer
	data.Write(make([]byte, 2*n))
	le := binary.LittleEndian
	b := []byte("RIFF")
	b = le.AppendUint32(b, uint32(48+data.Len()))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(2*rate))
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 16)
	b = append(b, "LIST"...)
	b = le.AppendUint32(b, 3)
	b = append(b, 'a', 'b', 'c', 0)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(data.Len()))
	return append(b, data.Bytes()...)
}

// allocated is how many bytes f allocates on the heap.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// fakeFFmpeg puts an "ffmpeg" on PATH that runs script (sh) and returns
// the file it touches when it runs.
func fakeFFmpeg(t *testing.T, script string) (ran string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a POSIX shell")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	var tools []string
	for _, name := range []string{"cat", "head", "touch", "yes"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Skipf("no %s", name)
		}
		tools = append(tools, fmt.Sprintf("%s=%q", name, p))
	}
	dir := t.TempDir()
	ran = filepath.Join(dir, "ffmpeg-ran")
	body := fmt.Sprintf("#!%s\n%s\n$touch %q\n%s\n", sh, strings.Join(tools, "\n"), ran, script)
	if err := os.WriteFile(filepath.Join(dir, "ffmpeg"), []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return ran
}

// TestHeaderLies: a WAV header that claims what the file cannot be is an
// error that names the field, found before anything is decoded (so the
// cost is the header's, not what it claims), and never handed on to
// ffmpeg.
func TestHeaderLies(t *testing.T) {
	ran := fakeFFmpeg(t, "$head -c 64000000 /dev/zero")
	const frames = 20000 // 40 KB of samples
	for _, c := range []struct {
		name  string
		lie   func(b []byte) []byte
		field string
	}{
		{"1 Hz", func(b []byte) []byte { put32(b, offRate, 1); put32(b, offByteRate, 2); return b }, "sample rate"},
		{"0 Hz", func(b []byte) []byte { put32(b, offRate, 0); put32(b, offByteRate, 0); return b }, "sample rate"},
		{"3999 Hz", func(b []byte) []byte { put32(b, offRate, 3999); put32(b, offByteRate, 7998); return b }, "sample rate"},
		{"4 GHz", func(b []byte) []byte { put32(b, offRate, 4e9); put32(b, offByteRate, 0); return b }, "sample rate"},
		{"0 channels", func(b []byte) []byte { put16(b, offChannels, 0); return b }, "channels"},
		{"65535 channels", func(b []byte) []byte { put16(b, offChannels, 65535); put16(b, offAlign, 65535); return b }, "channels"},
		{"2000 channels", func(b []byte) []byte {
			put16(b, offChannels, 2000)
			put16(b, offAlign, 4000)
			put32(b, offByteRate, 4000*16000)
			return b
		}, "channels"},
		{"0 bits", func(b []byte) []byte { put16(b, offBits, 0); return b }, "bits per sample"},
		{"7 bits", func(b []byte) []byte {
			put16(b, offBits, 7)
			put16(b, offAlign, 1)
			put32(b, offByteRate, 16000)
			return b
		}, "bits per sample"},
		{"128 bits", func(b []byte) []byte {
			put16(b, offBits, 128)
			put16(b, offAlign, 16)
			put32(b, offByteRate, 256000)
			return b
		}, "bits per sample"},
		{"float 16 bits", func(b []byte) []byte { put16(b, offTag, 3); return b }, "bits per sample"},
		{"block align 3", func(b []byte) []byte { put16(b, offAlign, 3); return b }, "block align"},
		{"block align 0", func(b []byte) []byte { put16(b, offAlign, 0); return b }, "block align"},
		{"block align 1", func(b []byte) []byte { put16(b, offAlign, 1); put32(b, offByteRate, 16000); return b }, "block align"},
		{"byte rate", func(b []byte) []byte { put32(b, offByteRate, 12345); return b }, "byte rate"},
		{"data 1 GB", func(b []byte) []byte { put32(b, offDataSize, 1<<30); return b }, "data chunk size"},
		{"data cut short", func(b []byte) []byte { return b[:len(b)-2] }, "data chunk size"},
		{"fmt 256 MB", func(b []byte) []byte { put32(b, offFmtSize, 1<<28); return b }, "fmt chunk size"},
		{"fmt 8 bytes", func(b []byte) []byte { put32(b, offFmtSize, 8); return b }, "fmt chunk size"},
		{"no fmt", func(b []byte) []byte { copy(b[12:], "junk"); return b }, "fmt chunk"},
		{"no data", func(b []byte) []byte { copy(b[offDataID:], "dat_"); return b }, "data chunk"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := c.lie(silence(t, 16000, frames))
			var err error
			n := allocated(func() { _, err = Decode(context.Background(), "liar.wav", b) })
			var he *HeaderError
			if !errors.As(err, &he) || he.Field != c.field {
				t.Fatalf("Decode: %v; want a WAV header error naming %q", err, c.field)
			}
			if want := "liar.wav: WAV header: " + c.field + " "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("message %q does not start %q", err, want)
			}
			// Nothing the size of the audio: the header is all that is read.
			if n > 16<<10 {
				t.Errorf("Decode allocated %d bytes for a %d-byte file", n, len(b))
			}
			if _, err := os.Stat(ran); err == nil {
				t.Fatal("the file went to ffmpeg")
			}
			if _, err := DecodeWAV(b); !errors.As(err, &he) || he.Field != c.field || !strings.HasPrefix(err.Error(), "WAV header: "+c.field+" ") {
				t.Errorf("DecodeWAV: %v", err)
			}
			if err := Check(b); !errors.As(err, &he) || he.Field != c.field {
				t.Errorf("Check: %v", err)
			}
			if _, err := Length(context.Background(), "liar.wav", b); !errors.As(err, &he) || he.Field != c.field {
				t.Errorf("Length: %v", err)
			}
		})
	}
	if msg := func() string {
		_, err := DecodeWAV(func() []byte { b := silence(t, 1, 10); put32(b, offByteRate, 2); return b }())
		return fmt.Sprint(err)
	}(); msg != "WAV header: sample rate 1 Hz is outside 4000-768000 Hz" {
		t.Errorf("1 Hz: %q", msg)
	}
}

// TestHeaderTruths: headers at the edges of what is taken, and the sizes
// streaming writers leave in a header they could not go back to.
func TestHeaderTruths(t *testing.T) {
	for _, c := range []struct {
		name    string
		b       func() []byte
		rate    int
		samples int
	}{
		{"4000 Hz", func() []byte { return silence(t, 4000, 100) }, 4000, 100},
		{"768000 Hz", func() []byte { return silence(t, 768000, 100) }, 768000, 100},
		// ffmpeg writing to a pipe
		{"data size 0xFFFFFFFF", func() []byte { b := silence(t, 16000, 100); put32(b, offDataSize, 0xFFFFFFFF); return b }, 16000, 100},
		// sox writing to a pipe
		{"data size 0x7FFFF000", func() []byte { b := silence(t, 16000, 100); put32(b, offDataSize, 0x7FFFF000); return b }, 16000, 100},
		// arecord to standard output, and a recording stopped mid-frame
		{"data size 0x7FFFFFFE cut", func() []byte {
			b := silence(t, 16000, 100)
			put32(b, offDataSize, 0x7FFFFFFE)
			return b[:len(b)-1]
		}, 16000, 99},
		// a writer that never came back to fill the size in
		{"data size 0", func() []byte { b := silence(t, 16000, 100); put32(b, offDataSize, 0); return b }, 16000, 100},
		// a size that ends mid-frame, inside the file
		{"data size odd", func() []byte {
			b := silence(t, 16000, 100)
			put32(b, offDataSize, 199)
			return append(b, 0) // the pad byte
		}, 16000, 99},
		// an odd-sized chunk its writer did not pad
		{"unpadded odd chunk", func() []byte {
			b := silence(t, 16000, 100)
			return append(b[:offDataID-1:offDataID-1], b[offDataID:]...)
		}, 16000, 100},
		{"24-bit extensible", func() []byte { return extensible(t, 1, 2, 48000, 24, 100) }, 48000, 100},
		{"float extensible", func() []byte { return extensible(t, 3, 1, 44100, 32, 100) }, 44100, 100},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := c.b()
			if err := Check(b); err != nil {
				t.Fatalf("Check: %v", err)
			}
			a, err := DecodeWAV(b)
			if err != nil {
				t.Fatal(err)
			}
			if a.Rate != c.rate || len(a.Samples) != c.samples {
				t.Errorf("rate %d, %d samples; want %d, %d", a.Rate, len(a.Samples), c.rate, c.samples)
			}
			secs, err := Length(context.Background(), "ok.wav", b)
			if want := float64(c.samples) / float64(c.rate); err != nil || secs != want {
				t.Errorf("Length: %v, %v; want %v", secs, err, want)
			}
		})
	}
}

// extensible is a WAVE_FORMAT_EXTENSIBLE file of n silent frames.
func extensible(t testing.TB, tag uint16, channels, rate, bits, n int) []byte {
	le := binary.LittleEndian
	align := channels * bits / 8
	b := []byte("RIFF")
	b = le.AppendUint32(b, uint32(4+8+40+8+n*align))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 40)
	b = le.AppendUint16(b, 0xFFFE)
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*align))
	b = le.AppendUint16(b, uint16(align))
	b = le.AppendUint16(b, uint16(bits))
	b = le.AppendUint16(b, 22)           // cbSize
	b = le.AppendUint16(b, uint16(bits)) // valid bits
	b = le.AppendUint32(b, 0)            // channel mask
	b = le.AppendUint16(b, tag)          // the sub-format GUID opens with the tag
	b = append(b, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(n*align))
	return append(b, make([]byte, n*align)...)
}

// TestDecodeMemoryBound: decoding a WAV to 16 kHz allocates at most
// 20 times the file's size plus 8 MiB (the resampler's tables), whatever
// rate the header gives: 4 bytes of float per frame read, up to 16 more
// for the 4x upsampling from the lowest rate taken, and a filter table of
// bounded size even for a rate with an awkward ratio to 16 kHz.
func TestDecodeMemoryBound(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"4 kHz 8-bit, 1 MB", func() []byte {
			b := wav(t, 1, 1, 4000, 8, nil)
			b = append(b, bytes.Repeat([]byte{128}, 1<<20)...)
			binary.LittleEndian.PutUint32(b[offDataSize:], 1<<20)
			return b
		}()},
		{"767995 Hz, 0.2 s", silence(t, 767995, 153599)},
		{"44101 Hz, 0.1 s", silence(t, 44101, 4410)},
		{"16 kHz, 1 s", silence(t, 16000, 16000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var a Audio
			var err error
			n := allocated(func() { a, err = Decode(context.Background(), "ok.wav", c.b) })
			if err != nil {
				t.Fatal(err)
			}
			if limit := uint64(20*len(c.b) + 8<<20); n > limit {
				t.Errorf("Decode allocated %d bytes for a %d-byte file; the bound is %d", n, len(c.b), limit)
			}
			if a.Rate != Rate || len(a.Samples) == 0 {
				t.Errorf("rate %d, %d samples", a.Rate, len(a.Samples))
			}
		})
	}
}

// TestLengthReadsOnlyTheHeader: the duration of a WAV comes from its
// header and size, without decoding a sample.
func TestLengthReadsOnlyTheHeader(t *testing.T) {
	b := silence(t, 44100, 44100*10)
	var secs float64
	var err error
	n := allocated(func() { secs, err = Length(context.Background(), "ten.wav", b) })
	if err != nil || secs != 10 {
		t.Fatalf("%v, %v", secs, err)
	}
	if n > 16<<10 {
		t.Errorf("Length allocated %d bytes", n)
	}
}

// TestTooLong: a WAV longer than the limit (MaxDuration; here 1 s, as a
// 12-hour file is at least 173 MB) is refused before it is decoded.
func TestTooLong(t *testing.T) {
	b := silence(t, 16000, 16000*3/2)
	var err error
	n := allocated(func() { _, err = decode(context.Background(), "long.wav", b, time.Second) })
	if !errors.Is(err, ErrTooLong) || err.Error() != "long.wav: audio too long: 1.5s, the most decoded is 1s" {
		t.Fatalf("%v", err)
	}
	if n > 16<<10 {
		t.Errorf("refusing allocated %d bytes", n)
	}
	if _, err := decode(context.Background(), "short.wav", b, 2*time.Second); err != nil {
		t.Error(err)
	}
	if MaxDuration != 12*time.Hour {
		t.Errorf("MaxDuration is %v; the manuals say 12 hours", MaxDuration)
	}
}

// TestFFmpegBounded: what ffmpeg writes is read up to the limit and no
// further; what it says on stderr is kept to its last lines.
func TestFFmpegBounded(t *testing.T) {
	t.Run("endless output", func(t *testing.T) {
		ran := fakeFFmpeg(t, "exec $cat /dev/zero")
		var err error
		n := allocated(func() {
			_, _, err = ffmpeg(context.Background(), "endless.ogg", strings.NewReader("x"), time.Second, true)
		})
		if !errors.Is(err, ErrTooLong) || err.Error() != "endless.ogg: audio too long: over 1s, the most decoded" {
			t.Fatalf("%v", err)
		}
		if _, err := os.Stat(ran); err != nil {
			t.Fatal("ffmpeg did not run")
		}
		if n > 1<<20 {
			t.Errorf("allocated %d bytes for at most 1 s of samples (64 KB)", n)
		}
	})
	t.Run("counting keeps nothing", func(t *testing.T) {
		fakeFFmpeg(t, "$head -c 6400000 /dev/zero") // 100 s
		var got int
		var err error
		n := allocated(func() {
			_, got, err = ffmpeg(context.Background(), "long.ogg", strings.NewReader("x"), 200*time.Second, false)
		})
		if err != nil || got != 1600000 {
			t.Fatalf("%d samples, %v", got, err)
		}
		if n > 1<<20 {
			t.Errorf("counting allocated %d bytes", n)
		}
	})
	t.Run("within the limit", func(t *testing.T) {
		fakeFFmpeg(t, "$head -c 64000 /dev/zero")
		s, n, err := ffmpeg(context.Background(), "short.ogg", strings.NewReader("x"), time.Second, true)
		if err != nil || len(s) != 16000 || n != 16000 {
			t.Fatalf("%d samples, %v", len(s), err)
		}
	})
	t.Run("endless complaints", func(t *testing.T) {
		fakeFFmpeg(t, "$yes '[mp3float @ 0x5581] Header missing' | $head -n 600000 >&2\necho 'Invalid data found when processing input' >&2\nexit 1")
		var err error
		n := allocated(func() {
			_, _, err = ffmpeg(context.Background(), "junk.ogg", strings.NewReader("x"), time.Second, true)
		})
		if err == nil || !strings.HasSuffix(err.Error(), "ffmpeg cannot decode it: Invalid data found when processing input") {
			t.Fatalf("%.200v", err)
		}
		if n > 1<<20 {
			t.Errorf("kept %d bytes of ffmpeg's complaints", n)
		}
	})
	t.Run("unsupported WAV encodings still go to ffmpeg", func(t *testing.T) {
		ran := fakeFFmpeg(t, "$head -c 64000 /dev/zero")
		b := wav(t, 2, 1, 8000, 4, [][]float64{{0}, {0}}) // ADPCM
		a, err := Decode(context.Background(), "adpcm.wav", b)
		if err != nil || len(a.Samples) != 16000 {
			t.Fatalf("%d samples, %v", len(a.Samples), err)
		}
		if _, err := os.Stat(ran); err != nil {
			t.Fatal("ffmpeg did not run")
		}
		if err := Check(b); err != nil {
			t.Errorf("Check: %v (a server may take it)", err)
		}
	})
	t.Run("unsupported WAV encodings with a lying rate do not", func(t *testing.T) {
		ran := fakeFFmpeg(t, "$head -c 64000 /dev/zero")
		b := wav(t, 2, 1, 1, 4, [][]float64{{0}, {0}})
		var he *HeaderError
		if _, err := Decode(context.Background(), "adpcm.wav", b); !errors.As(err, &he) || he.Field != "sample rate" {
			t.Fatalf("%v", err)
		}
		if _, err := os.Stat(ran); err == nil {
			t.Fatal("the file went to ffmpeg")
		}
	})
}

// BenchmarkHostileWAV (make bench) decodes the 40 KB WAV that claims
// 1 Hz (which once took 2.4 GB), and reports the bytes allocated per byte
// of file; and a true 4 kHz 8-bit file of the same size (the most samples
// a byte can make), against the bound on what decoding may allocate.
func BenchmarkHostileWAV(b *testing.B) {
	liar := silence(b, 16000, 20000)
	put32(liar, offRate, 1)
	put32(liar, offByteRate, 2)
	low := wav(b, 1, 1, 4000, 8, nil)
	low = append(low, bytes.Repeat([]byte{128}, 40000)...)
	binary.LittleEndian.PutUint32(low[offDataSize:], 40000)
	b.Run("1Hz-40KB", func(b *testing.B) {
		var n uint64
		for b.Loop() {
			n = allocated(func() { Decode(context.Background(), "liar.wav", liar) })
		}
		b.ReportMetric(float64(n)/float64(len(liar)), "B-alloc/B(goal<0.5)")
	})
	// The bound: 20 bytes for each byte of the file, and 8 MiB of tables.
	b.Run("4kHz-8bit-40KB", func(b *testing.B) {
		var n uint64
		for b.Loop() {
			n = allocated(func() { Decode(context.Background(), "low.wav", low) })
		}
		b.ReportMetric(float64(n)/float64(20*len(low)+8<<20), "of-bound(goal<=1)")
	})
}
