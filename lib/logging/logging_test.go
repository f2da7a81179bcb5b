package logging

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
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
	p := NewProgress(&b, "t")
	if p != nil {
		t.Fatal("progress on a buffer")
	}
	p.Update("%d records", 3) // a nil progress does nothing
	p.Done()
	if b.Len() != 0 {
		t.Fatal("wrote")
	}
}
