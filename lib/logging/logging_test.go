package logging

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	var b bytes.Buffer
	l, err := New(&b, Options{Tool: "summarize", Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	l.Warn("retrying", "attempt", 2)
	l.Debug("hidden")
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatalf("not one JSON object: %q", b.String())
	}
	if m["prefix"] != "summarize" || m["msg"] != "retrying" || m["level"] != "warn" || m["attempt"] != 2.0 || !strings.HasSuffix(m["time"].(string), "Z") {
		t.Errorf("%v", m)
	}

	b.Reset()
	l, _ = New(&b, Options{Tool: "t", Verbose: true})
	l.Debug("seen", "k", "v")
	if got := b.String(); got != "DEBU t: seen k=v\n" {
		t.Errorf("text: %q", got)
	}
	b.Reset()
	l, _ = New(&b, Options{Tool: "t", Quiet: true})
	l.Warn("no")
	if b.Len() != 0 {
		t.Errorf("quiet logged %q", b.String())
	}
	if _, err := New(&b, Options{Format: "xml"}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestProgressOnlyOnTerminal(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, "t", false)
	if p != nil {
		t.Fatal("progress on a buffer")
	}
	p.Update("%d records", 3) // a nil progress does nothing
	p.Done()
	if b.Len() != 0 {
		t.Fatal("wrote")
	}
}

func TestProgressCount(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var b bytes.Buffer
	p := newProgress(&b, "summarize", clock)
	p.Count(1, 100, 0, -1)
	if b.Len() != 0 {
		t.Errorf("shown in the first second: %q", b.String())
	}
	tests := []struct {
		after               time.Duration
		done, total, failed int
		fraction            float64
		want                string
	}{
		{10 * time.Second, 20, 100, 1, -1, "summarize: 20 of 100 (20%), 2.0/s, about 40s left, 1 failed (10s)"},
		{20 * time.Second, 30, 0, 0, 0.25, "summarize: 30 records (25% of the input), 1.5/s, about 1m0s left (20s)"},
		{30 * time.Second, 45, 0, 0, -1, "summarize: 45 records, 1.5/s (30s)"},
	}
	for _, tt := range tests {
		b.Reset()
		now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC).Add(tt.after)
		p.Count(tt.done, tt.total, tt.failed, tt.fraction)
		if got := strings.TrimPrefix(b.String(), "\r\x1b[K"); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	var nilp *Progress
	nilp.Count(1, 2, 0, -1) // a nil Progress does nothing
	if NewProgress(&b, "t", false) != nil || NewProgress(os.Stderr, "t", true) != nil {
		t.Error("a progress line on a non-terminal or with -q")
	}
}
