package jsonl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/shelfai/shelf/lib/record"
)

func readAll(t *testing.T, in string) []*record.Record {
	t.Helper()
	r := NewReader(strings.NewReader(in), "<stdin>", "test")
	var out []*record.Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // record JSON, in order
		line []int
	}{
		{"empty", "", nil, nil},
		{"only blank", "\n\n  \n", nil, nil},
		{"one", `{"a":1}` + "\n", []string{`{"a":1}`}, []int{1}},
		{"no final newline", `{"a":1}` + "\n" + `{"b":2}`, []string{`{"a":1}`, `{"b":2}`}, []int{1, 2}},
		{"crlf", "{\"a\":1}\r\n{\"b\":2}\r\n", []string{`{"a":1}`, `{"b":2}`}, []int{1, 2}},
		{"blank lines keep numbering", "\n{\"a\":1}\n\n\n{\"b\":2}\n", []string{`{"a":1}`, `{"b":2}`}, []int{2, 5}},
		{"bom", "\xef\xbb\xbf{\"a\":1}\n", []string{`{"a":1}`}, []int{1}},
		{"bytes kept", `{"z":"<&>","a":"\u00e9","n":1.50}` + "\n", []string{`{"z":"<&>","a":"\u00e9","n":1.50}`}, []int{1}},
		{"invalid", "{\"a\":1}\n{bad}\n{\"b\":2}\n", []string{`{"a":1}`, `{"raw":"{bad}","errors":[{"tool":"test","message":"line 2: invalid JSON: invalid character 'b' looking for beginning of object key string"}]}`, `{"b":2}`}, []int{1, 2, 3}},
		{"array", "{\"a\":1}\n[1,2]\n", []string{`{"a":1}`, `{"raw":"[1,2]","errors":[{"tool":"test","message":"line 2: not a JSON object but an array"}]}`}, []int{1, 2}},
		{"truncated", "{\"a\":1}\n{\"a\":", []string{`{"a":1}`, `{"raw":"{\"a\":","errors":[{"tool":"test","message":"line 2: invalid JSON: unexpected end of JSON input"}]}`}, []int{1, 2}},
		{"two values", "{\"a\":1} {\"b\":2}\n", []string{`{"raw":"{\"a\":1} {\"b\":2}","errors":[{"tool":"test","message":"line 1: invalid JSON: invalid character '{' after top-level value"}]}`}, []int{1}},
		{"plain text", "Buy milk.\nCall Bob.\n", []string{`{"text":"Buy milk.\nCall Bob.\n"}`}, []int{1}},
		{"plain text with bom", "\xef\xbb\xbfhello", []string{`{"text":"hello"}`}, []int{1}},
		{"plain text after blank lines", "\n\n  hi <b>", []string{`{"text":"\n\n  hi <b>"}`}, []int{1}},
		{"plain text starting like an array", "[1] is a note", []string{`{"text":"[1] is a note"}`}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d records, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if string(got[i].JSON) != tt.want[i] {
					t.Errorf("record %d:\n got %s\nwant %s", i, got[i].JSON, tt.want[i])
				}
				if got[i].Line != tt.line[i] {
					t.Errorf("record %d: line %d, want %d", i, got[i].Line, tt.line[i])
				}
			}
		})
	}
}

func TestReaderLongLine(t *testing.T) {
	text := strings.Repeat("word ", 2<<20) // 10 MB
	in := `{"id":"x","text":"` + text + `"}` + "\n" + `{"id":"y"}` + "\n"
	got := readAll(t, in)
	if len(got) != 2 {
		t.Fatalf("got %d records", len(got))
	}
	if len(got[0].JSON) != len(in)-len(`{"id":"y"}`)-2 {
		t.Errorf("long record has %d bytes", len(got[0].JSON))
	}
	if got[0].Get("text").String() != text {
		t.Error("long text changed")
	}
}

func TestReaderOneByteReads(t *testing.T) {
	in := "\xef\xbb\xbf\n{\"a\":1}\r\n{bad\n{\"b\":2}"
	r := NewReader(iotest.OneByteReader(strings.NewReader(in)), "<stdin>", "t")
	var n int
	for {
		_, err := r.Next()
		if err != nil {
			break
		}
		n++
	}
	if n != 3 || r.Invalid != 1 {
		t.Fatalf("records %d invalid %d", n, r.Invalid)
	}
}

func TestReaderError(t *testing.T) {
	r := NewReader(iotest.TimeoutReader(strings.NewReader("{\"a\":1}\n{\"b\":2}\n")), "in", "t")
	_, err := r.Next()
	for err == nil {
		_, err = r.Next()
	}
	if errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "in: read") {
		t.Fatalf("want a read error naming the input, got %v", err)
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	for _, rec := range readAll(t, "{\"a\":\"<&>\"}\r\n\n{\"b\":2}") {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if b.String() != "{\"a\":\"<&>\"}\n{\"b\":2}\n" {
		t.Fatalf("got %q", b.String())
	}
}

func TestInputs(t *testing.T) {
	dir := t.TempDir()
	a := dir + "/a.jsonl"
	writeFile(t, a, "{\"n\":1}\n{\"n\":2}\n")
	in := NewInputs([]string{a, "-", dir + "/missing", a}, strings.NewReader("{\"n\":3}\n"), "t")
	var ns []int64
	var errs int
	for {
		rec, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs++
			continue
		}
		ns = append(ns, rec.Get("n").Int())
	}
	if errs != 1 || len(ns) != 5 || ns[2] != 3 {
		t.Fatalf("errs %d ns %v", errs, ns)
	}
}

func TestInputsProgress(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	b := filepath.Join(dir, "b.jsonl")
	os.WriteFile(a, []byte("{\"n\":1}\n{\"n\":2}\n"), 0o644)
	os.WriteFile(b, []byte("{\"n\":3}\n{\"n\":4}\n"), 0o644)
	in := NewInputs([]string{a, b}, strings.NewReader(""), "t")
	if done, total := in.Progress(); done != 0 || total != 32 {
		t.Fatalf("before: %d of %d", done, total)
	}
	for i, want := range []int64{8, 16, 24, 32} {
		if _, err := in.Next(); err != nil {
			t.Fatal(err)
		}
		if done, _ := in.Progress(); done != want {
			t.Errorf("after record %d: %d bytes done, want %d", i+1, done, want)
		}
	}
	// A pipe has no size: no fraction to show.
	if _, total := NewInputs(nil, strings.NewReader("{}\n"), "t").Progress(); total != 0 {
		t.Errorf("stdin that is no file: total %d", total)
	}
}
