package transcribe

import (
	"context"
	"encoding/binary"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/testserver"
)

// fakeModel writes the structure of a whisper.cpp ggml model: magic,
// hyperparameters, mel filters, vocabulary, and two f32/f16 tensors.
func fakeModel() []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, ggmlMagic)
	for _, v := range []int32{51864, 1500, 8, 1, 1, 448, 8, 1, 1, 80, 1} {
		b = le.AppendUint32(b, uint32(v))
	}
	b = le.AppendUint32(b, 2) // n_mel
	b = le.AppendUint32(b, 3) // n_fft
	b = append(b, make([]byte, 2*3*4)...)
	b = le.AppendUint32(b, 2) // vocabulary
	for _, w := range []string{"a", "bc"} {
		b = le.AppendUint32(b, uint32(len(w)))
		b = append(b, w...)
	}
	tensor := func(name string, ttype int32, dims ...int32) {
		b = le.AppendUint32(b, uint32(len(dims)))
		b = le.AppendUint32(b, uint32(len(name)))
		b = le.AppendUint32(b, uint32(ttype))
		n := int32(1)
		for _, d := range dims {
			b = le.AppendUint32(b, uint32(d))
			n *= d
		}
		b = append(b, name...)
		size := map[int32]int32{0: 4, 1: 2}[ttype]
		b = append(b, make([]byte, n*size)...)
	}
	tensor("encoder.conv1.weight", 1, 3, 80, 8)
	tensor("encoder.conv1.bias", 0, 8)
	return b
}

func TestCheckModel(t *testing.T) {
	dir := t.TempDir()
	good := fakeModel()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	if err := CheckModel(write("good.bin", good)); err != nil {
		t.Fatalf("a whole model: %v", err)
	}
	cases := map[string][]byte{
		"empty":                  {},
		"wrong magic":            append([]byte("GGUF"), good[4:]...),
		"cut in header":          good[:20],
		"cut in filters":         good[:4+44+8+10],
		"cut in data":            good[:len(good)-5],
		"cut in a tensor header": good[:len(good)-32-8-3],
	}
	for name, data := range cases {
		err := CheckModel(write(strings.ReplaceAll(name, " ", "-")+".bin", data))
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "is not a whole whisper.cpp model") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := CheckModel(filepath.Join(dir, "missing.bin")); err == nil {
		t.Error("missing file accepted")
	}
	if err := CheckModel(dir); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("a folder: %v", err)
	}
}

func TestModelPath(t *testing.T) {
	for in, want := range map[string]string{
		"base.en":        "/m/ggml-base.en.bin",
		"large-v3-turbo": "/m/ggml-large-v3-turbo.bin",
		"./mine.bin":     "./mine.bin",
		"/abs/model.bin": "/abs/model.bin",
		"custom.bin":     "custom.bin",
	} {
		if got := ModelPath("/m", in); got != want {
			t.Errorf("ModelPath(%q) = %q, want %q", in, got, want)
		}
	}
	if !EnglishOnly("base.en") || !EnglishOnly("/x/ggml-small.en.bin") || EnglishOnly("large-v3") {
		t.Error("EnglishOnly")
	}
}

func TestCheckVADModel(t *testing.T) {
	dir := t.TempDir()
	le := binary.LittleEndian
	good := append(le.AppendUint32(nil, ggmlMagic), []byte("\x0a\x00\x00\x00silero-16k and the rest")...)
	os.WriteFile(filepath.Join(dir, "vad.bin"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "whisper.bin"), fakeModel(), 0o644)
	if err := CheckVADModel(filepath.Join(dir, "vad.bin")); err != nil {
		t.Errorf("a VAD model: %v", err)
	}
	if err := CheckVADModel(filepath.Join(dir, "whisper.bin")); err == nil {
		t.Error("a whisper model passed as a VAD model")
	}
}

// A download stopped by its context ends with the context's cause and
// leaves nothing in the folder.
func TestPullStopped(t *testing.T) {
	srv, err := testserver.New(testserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	stop := errors.New("interrupted by SIGINT")
	ctx, cancel := context.WithCancelCause(context.Background())
	_, err = Pull(ctx, &http.Client{}, srv.URL+"/files", dir, "stall", strings.Repeat("0", 40), 1<<30,
		func(done, total int64) { cancel(stop) }) // once the first bytes are in
	if err != stop {
		t.Errorf("Pull: %v, want the cause of the stop", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}
