package memory

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/record"
)

// sinkRecords writes three records through k (the middle one has nothing
// to remember) and returns the lines written.
func sinkRecords(t *testing.T, k *Sink, out *bytes.Buffer) []string {
	t.Helper()
	for _, line := range []string{`{"id":"a","text":"one"}`, `{"id":"x"}`, `{"id":"b","text":"two"}`} {
		rec := record.New([]byte(line))
		if it, ok := ItemOf(rec.JSON); ok {
			rec.Meta = it
		}
		if err := k.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[1] != `{"id":"x"}` {
		t.Fatalf("written:\n%s", out.String())
	}
	return lines
}

// TestSinkStores: the records go on as they came, their memories stored.
func TestSinkStores(t *testing.T) { each(t, testSinkStores) }

func testSinkStores(t *testing.T, open opener) {
	s := open(t)
	var out bytes.Buffer
	k := NewSink(&out, s, nil, "remember")
	var stored int
	k.OnStored = func(c map[Result]int) { stored += c[Stored] }
	lines := sinkRecords(t, k, &out)
	if lines[0] != `{"id":"a","text":"one"}` || lines[2] != `{"id":"b","text":"two"}` {
		t.Errorf("written:\n%s", out.String())
	}
	if err := k.Err(); err != nil || stored != 2 || k.Bare() != 2 {
		t.Errorf("err %v, stored %d, bare %d", err, stored, k.Bare())
	}
	if st, _ := s.Stats(context.Background()); st.Memories != 2 {
		t.Errorf("%d memories", st.Memories)
	}
}

// TestSinkPutFails: a store that opened but refuses the batch (here a
// read-only connection, which holds for root too) loses no record: each is
// written with the reason, and Err says how many were not stored.
func TestSinkPutFails(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	s, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	k := NewSink(&out, s, nil, "remember")
	lines := sinkRecords(t, k, &out)
	for _, l := range []string{lines[0], lines[2]} {
		if !strings.Contains(l, `"errors":[{"tool":"remember","message":"not stored: store: attempt to write a readonly database`) {
			t.Errorf("no reason in %s", l)
		}
	}
	var ns *NotStoredError
	err = k.Err()
	if !errors.As(err, &ns) || ns.Records != 2 || k.Failed() != 2 || !strings.HasPrefix(err.Error(), "2 records not stored: store: attempt to write a readonly database") {
		t.Fatalf("run error %v", err)
	}
}

// TestSinkNoStore: without a store, every record goes on with the reason
// it could not be opened.
func TestSinkNoStore(t *testing.T) {
	var out bytes.Buffer
	why := &OpenError{Path: "m.db", Err: errors.New("mkdir x: not a directory")}
	k := NewSink(&out, nil, why, "remember")
	lines := sinkRecords(t, k, &out)
	if lines[0] != `{"id":"a","text":"one","errors":[{"tool":"remember","message":"not stored: open the store m.db: mkdir x: not a directory"}]}` {
		t.Errorf("written %s", lines[0])
	}
	var oe *OpenError
	if err := k.Err(); !errors.As(err, &oe) || err.Error() != "2 records not stored: open the store m.db: mkdir x: not a directory" {
		t.Errorf("run error %v", err)
	}
}
