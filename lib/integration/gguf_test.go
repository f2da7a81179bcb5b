package integration

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

func TestModelFile(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteModel(&a, DefaultModel); err != nil {
		t.Fatal(err)
	}
	WriteModel(&b, DefaultModel)
	if sha256.Sum256(a.Bytes()) != sha256.Sum256(b.Bytes()) {
		t.Fatal("same options, different files")
	}
	data := a.Bytes()
	if string(data[:4]) != "GGUF" || binary.LittleEndian.Uint32(data[4:]) != 3 {
		t.Fatalf("header %q", data[:8])
	}
	tensors := binary.LittleEndian.Uint64(data[8:])
	if want := uint64(3 + 9*DefaultModel.Layers); tensors != want {
		t.Errorf("%d tensors, want %d", tensors, want)
	}
	if len(data)%alignment != 0 || len(data) < 500<<10 || len(data) > 2<<20 {
		t.Errorf("size %d", len(data))
	}
	other := DefaultModel
	other.Seed++
	var c bytes.Buffer
	WriteModel(&c, other)
	if bytes.Equal(a.Bytes(), c.Bytes()) || c.Len() != a.Len() {
		t.Error("the seed does not change the weights, or changes the shape")
	}
	bad := DefaultModel
	bad.Heads = 5
	if WriteModel(&bytes.Buffer{}, bad) == nil {
		t.Error("embd not a multiple of heads accepted")
	}
}

func TestModelfileWith(t *testing.T) {
	if ModelfileWith(512) != Modelfile {
		t.Error("num_ctx 512 is not the default Modelfile")
	}
	if m := ModelfileWith(1024); !strings.Contains(m, "\nPARAMETER num_ctx 1024\n") || strings.Contains(m, "num_ctx 512") {
		t.Errorf("num_ctx 1024:\n%s", m)
	}
	if m := ModelfileWith(0); strings.Contains(m, "num_ctx") || !strings.Contains(m, "PARAMETER num_thread 1") {
		t.Errorf("no num_ctx:\n%s", m)
	}
}

const defaultModelSHA256 = "6d55f8d9bbc28fe921d380687b3906ec08e52f5e62ac2a0b4230e4cec766b232"

func TestModelWords(t *testing.T) {
	var plain, more bytes.Buffer
	if err := WriteModel(&plain, DefaultModel); err != nil {
		t.Fatal(err)
	}
	o := DefaultModel
	o.Words = []string{"roofer", "scaffolding"}
	if err := WriteModel(&more, o); err != nil {
		t.Fatal(err)
	}
	for _, w := range o.Words {
		if bytes.Contains(plain.Bytes(), []byte("▁"+w)) {
			t.Errorf("the default vocabulary has %q already", w)
		}
		if !bytes.Contains(more.Bytes(), []byte("▁"+w)) {
			t.Errorf("%q is not in the vocabulary", w)
		}
		// GGUF strings are a length, then the bytes: the word without the
		// mark, a token of its own.
		bare := binary.LittleEndian.AppendUint64(nil, uint64(len(w)))
		if !bytes.Contains(more.Bytes(), append(bare, w...)) {
			t.Errorf("%q without the word-start mark is not in the vocabulary", w)
		}
	}
	if DefaultModel.Words != nil {
		t.Error("Words changed the default model's options")
	}
	// The default model is the one whose seed and biases were chosen by
	// trying: Words leave it as it was.
	if got := fmt.Sprintf("%x", sha256.Sum256(plain.Bytes())); got != defaultModelSHA256 {
		t.Errorf("the default model's file changed: sha256 %s, was %s", got, defaultModelSHA256)
	}
}
