package main

// What the benchmarks build: the remember binary, made-up texts, and a
// store of n memories written straight through lib/memory.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/testserver"
)

func buildRemember(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "remember")
	cmd := exec.Command("go", "build", "-trimpath", "-tags=urfave_cli_no_docs", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// words is a vocabulary of made-up words, so texts are varied.
func words(rng *rand.Rand, n int) []string {
	syl := strings.Fields("ba ke ri to lu ma ne so pi da go ve ru li mo ta sa fe ni ko")
	var out []string
	for range n {
		var w strings.Builder
		for range 2 + rng.IntN(2) {
			w.WriteString(syl[rng.IntN(len(syl))])
		}
		out = append(out, w.String())
	}
	return out
}

func text(rng *rand.Rand, vocab []string, n int) string {
	var parts []string
	for range n {
		parts = append(parts, vocab[rng.IntN(len(vocab))])
	}
	return strings.Join(parts, " ")
}

func buildStore(b testing.TB, path string, n int, rng *rand.Rand, vocab []string) time.Duration {
	ctx := context.Background()
	s, err := memory.OpenFor(ctx, path, memory.ReadWrite, nil, "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	var batch []memory.Item
	for i := range n {
		title, body := text(rng, vocab, 3), text(rng, vocab, 12)
		it := memory.Item{ID: fmt.Sprintf("m%d", i), Title: title, Body: body, Model: "tiny",
			Created: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
			Record:  []byte(fmt.Sprintf(`{"id":"m%d","title":%q,"text":%q}`, i, title, body))}
		it.Vector = testserver.Embed(it.EmbedText(), 384)
		batch = append(batch, it)
		if len(batch) == 10000 {
			if _, err := s.Put(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if _, err := s.Put(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}
