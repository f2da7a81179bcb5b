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
		{"invalid UTF-8 in a string", "{\"a\":\"x\xffy\"}\n{\"b\":2}\n",
			[]string{"{\"a\":\"x\uFFFDy\",\"raw_base64\":\"eyJhIjoieP95In0=\",\"errors\":[{\"tool\":\"test\",\"message\":\"line 1: invalid UTF-8 at byte 8 replaced by U+FFFD; the original line is in raw_base64\"}]}", `{"b":2}`}, []int{1, 2}},
		{"invalid UTF-8, spaces and CRLF", "{\"a\":1}\n  {\"t\":\"caf\xe9 \xe2\x82\"}\t\r\n",
			[]string{`{"a":1}`, "{\"t\":\"caf\uFFFD \uFFFD\uFFFD\",\"raw_base64\":\"ICB7InQiOiJjYWbpIOKCIn0J\",\"errors\":[{\"tool\":\"test\",\"message\":\"line 2: invalid UTF-8 at byte 12 replaced by U+FFFD; the original line is in raw_base64\"}]}"}, []int{1, 2}},
		{"invalid UTF-8 with errors already", "{\"a\":\"\xff\",\"errors\":[{\"tool\":\"x\",\"message\":\"old\"}]}\n",
			[]string{"{\"a\":\"\uFFFD\",\"errors\":[{\"tool\":\"x\",\"message\":\"old\"},{\"tool\":\"test\",\"message\":\"line 1: invalid UTF-8 at byte 7 replaced by U+FFFD; the original line is in raw_base64\"}],\"raw_base64\":\"eyJhIjoi/yIsImVycm9ycyI6W3sidG9vbCI6IngiLCJtZXNzYWdlIjoib2xkIn1dfQ==\"}"}, []int{1}},
		{"invalid UTF-8 in an invalid line", "{\"a\":1}\n{bad\xff}\n",
			[]string{`{"a":1}`, "{\"raw\":\"{bad\uFFFD}\",\"raw_base64\":\"e2JhZP99\",\"errors\":[{\"tool\":\"test\",\"message\":\"line 2: invalid JSON: invalid character 'b' looking for beginning of object key string\"},{\"tool\":\"test\",\"message\":\"line 2: invalid UTF-8 at byte 5 replaced by U+FFFD; the original line is in raw_base64\"}]}"}, []int{1, 2}},
		{"invalid UTF-8 outside strings", "\xff{\"a\":1}\n",
			[]string{"{\"text\":\"\uFFFD{\\\"a\\\":1}\\n\",\"raw_base64\":\"/3siYSI6MX0K\",\"errors\":[{\"tool\":\"test\",\"message\":\"line 1: invalid UTF-8 at byte 1 replaced by U+FFFD; the original text is in raw_base64\"}]}"}, []int{1}},
		{"invalid UTF-8 after the start of an object", "{\"a\":1}\xff\n",
			[]string{"{\"raw\":\"{\\\"a\\\":1}\uFFFD\",\"raw_base64\":\"eyJhIjoxff8=\",\"errors\":[{\"tool\":\"test\",\"message\":\"line 1: invalid JSON: invalid character 'ï' after top-level value\"},{\"tool\":\"test\",\"message\":\"line 1: invalid UTF-8 at byte 8 replaced by U+FFFD; the original line is in raw_base64\"}]}"}, []int{1}},
		{"plain text with invalid UTF-8", "Caf\xe9.\nNa\xefve\n",
			[]string{"{\"text\":\"Caf\uFFFD.\\nNa\uFFFDve\\n\",\"raw_base64\":\"Q2Fm6S4KTmHvdmUK\",\"errors\":[{\"tool\":\"test\",\"message\":\"line 1: invalid UTF-8 at byte 4 replaced by U+FFFD; the original text is in raw_base64\"}]}"}, []int{1}},
		{"plain text with invalid UTF-8 on a later line", "\xef\xbb\xbfok\n\n  no\xff\n",
			[]string{"{\"text\":\"ok\\n\\n  no\uFFFD\\n\",\"raw_base64\":\"b2sKCiAgbm//Cg==\",\"errors\":[{\"tool\":\"test\",\"message\":\"line 3: invalid UTF-8 at byte 5 replaced by U+FFFD; the original text is in raw_base64\"}]}"}, []int{1}},
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

// TestWriterUTF8: whatever bytes a tool put into a record, the line
// written is valid UTF-8, each invalid byte replaced by U+FFFD.
func TestWriterUTF8(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	for _, in := range []string{"{\"a\":\"\xff\"}", "{\"a\":\"caf\xe9\",\"b\":\"\xed\xa0\x80\"}", `{"a":"é"}`} {
		if err := w.Write(record.New([]byte(in))); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	want := "{\"a\":\"\uFFFD\"}\n{\"a\":\"caf\uFFFD\",\"b\":\"\uFFFD\uFFFD\uFFFD\"}\n{\"a\":\"é\"}\n"
	if b.String() != want {
		t.Fatalf("got %q\nwant %q", b.String(), want)
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

// TestReaderDeep: a line nested deeper than MaxDepth becomes an error record
// instead of overflowing the stack of a recursive validator, and the record
// after it is still read; nesting up to MaxDepth goes through.
func TestReaderDeep(t *testing.T) {
	const huge = 12_000_000
	deepMsg := "line 2: nesting deeper than 10000"
	tests := []struct {
		name   string
		line   string
		errMsg string // "" for a valid record
	}{
		{"arrays", strings.Repeat("[", huge), deepMsg},
		{"objects", strings.Repeat(`{"a":`, huge), deepMsg},
		{"arrays in an object", `{"a":` + strings.Repeat("[", huge), deepMsg},
		{"closed", strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001), deepMsg},
		{"just deep enough", strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000), ""},
		{"mixed, just deep enough", `{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + "}", ""},
		{"mixed, one too deep", `{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "}", deepMsg},
		{"brackets in a string", `{"a":"` + strings.Repeat("[{", 20000) + `"}`, ""},
		{"escaped quotes in a string", `{"a":"\"` + strings.Repeat("[", 20000) + `\\\""}`, ""},
		{"escaped backslash ends the string", `{"a":"\\",` + strings.Repeat(`"b":{`, 10000) + strings.Repeat("}", 10000) + "}", deepMsg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, "{\"a\":1}\n"+tt.line+"\n{\"b\":2}\n")
			if len(got) != 3 {
				t.Fatalf("got %d records, want 3", len(got))
			}
			if string(got[0].JSON) != `{"a":1}` || string(got[2].JSON) != `{"b":2}` || got[2].Line != 3 {
				t.Fatalf("records around the line: %.40s, %.40s (line %d)", got[0].JSON, got[2].JSON, got[2].Line)
			}
			rec := got[1]
			if tt.errMsg == "" {
				if rec.Invalid || string(rec.JSON) != tt.line {
					t.Fatalf("want the line as a valid record, got invalid=%v %.80s", rec.Invalid, rec.JSON)
				}
				return
			}
			if !rec.Invalid || rec.Line != 2 {
				t.Fatalf("want an invalid record for line 2, got invalid=%v line %d", rec.Invalid, rec.Line)
			}
			if e := rec.Errors(); len(e) != 1 || e[0].Message != tt.errMsg || e[0].Tool != "test" {
				t.Errorf("errors %v", e)
			}
			if rec.Get("raw").String() != tt.line {
				t.Error("raw does not hold the line")
			}
		})
	}
}

func TestTooDeep(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  bool
	}{
		{``, 1, false},
		{`{}`, 1, false},
		{`{"a":{}}`, 1, true},
		{`{"a":[]}`, 2, false},
		{`[[[`, 2, true},
		{`[[]]`, 2, false},
		{`[][][][]`, 1, false},
		{`{"[[[":1}`, 1, false},
		{`{"\"[[[":1}`, 1, false},
		{`{"\\":[[]]}`, 2, true},
		{`{"\\\"[[":1}`, 1, false},
		{`{"a":"\u005b[["}`, 1, false},
		{`]]]][[[`, 2, true}, // stray closers do not pay for openers
		{`"[[[`, 1, false},   // an unterminated string
	}
	for _, tt := range tests {
		if got := tooDeep([]byte(tt.in), tt.limit); got != tt.want {
			t.Errorf("tooDeep(%s, %d) = %v, want %v", tt.in, tt.limit, got, tt.want)
		}
	}
}
