package jsonl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/tidwall/gjson"
)

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzReader holds the reader to the contract whatever the bytes: nothing
// panics, every record is a valid JSON object, and every non-blank input
// line is accounted for by exactly one record (or, for plain text, the
// whole input is the one record's text).
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"", "{}", "{\"a\":1}\n{bad}\n", "\xef\xbb\xbf{\"a\":1}\r\n", "plain text", "\n\n[1]\n", "{\"a\":\"\xff\"}\n",
		"{\"a\":1}\n\r\n{\"b\":\n", "\xef\xbb\xbf", " \t\r\n{", "{\"a\":1}{\"b\":2}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in), "<stdin>", "fuzz")
		var recs int
		lastLine := 0
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("read error on in-memory input: %v", err)
			}
			recs++
			if !gjson.ValidBytes(rec.JSON) || !gjson.ParseBytes(rec.JSON).IsObject() {
				t.Fatalf("record is not a JSON object: %q", rec.JSON)
			}
			if r.Plain() {
				continue
			}
			if rec.Line <= lastLine {
				t.Fatalf("line numbers not increasing: %d after %d", rec.Line, lastLine)
			}
			lastLine = rec.Line
			if rec.Invalid && !gjson.GetBytes(rec.JSON, "raw").Exists() {
				t.Fatalf("invalid record without raw: %s", rec.JSON)
			}
		}
		body := bytes.TrimPrefix(in, []byte(bom))
		if r.Plain() {
			if recs != 1 {
				t.Fatalf("plain text gave %d records", recs)
			}
			return
		}
		want := 0
		for _, l := range bytes.Split(body, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				want++
			}
		}
		if recs != want {
			t.Fatalf("%d non-blank lines but %d records", want, recs)
		}
	})
}
