package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
)

// TestStoreSinkPutFails: a store that opened but refuses the batch (here a
// read-only connection, which holds for root too) loses no record: each is
// written with the reason, and the run's error carries 73.
func TestStoreSinkPutFails(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	w, err := memory.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	s, err := memory.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	sink := &storeSink{s: s, w: jsonl.NewWriter(&out)}
	for _, line := range []string{`{"id":"a","text":"one"}`, `{"id":"x"}`, `{"id":"b","text":"two"}`} {
		rec := record.New([]byte(line))
		if it, ok := memory.ItemOf(rec.JSON); ok {
			rec.Meta = it
		}
		if err := sink.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[1] != `{"id":"x"}` {
		t.Fatalf("written:\n%s", out.String())
	}
	for _, l := range []string{lines[0], lines[2]} {
		if !strings.Contains(l, `"errors":[{"tool":"remember","message":"not stored: store: attempt to write a readonly database`) {
			t.Errorf("no reason in %s", l)
		}
	}
	err = sink.Err()
	if sysexits.Code(err) != sysexits.CantCreate || !strings.Contains(err.Error(), "2 records not stored: store: attempt to write a readonly database") {
		t.Fatalf("run error %v (exit %d)", err, sysexits.Code(err))
	}
}
