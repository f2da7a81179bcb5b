package jsonl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzReader holds the reader to the contract whatever the bytes: nothing
// panics, every record is a valid JSON object in valid UTF-8, and every
// non-blank input line is accounted for by exactly one record (or, for
// plain text, the whole input is the one record's text).
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"", "{}", "{\"a\":1}\n{bad}\n", "\xef\xbb\xbf{\"a\":1}\r\n", "plain text", "\n\n[1]\n", "{\"a\":\"\xff\"}\n",
		"{\"a\":1}\n\r\n{\"b\":\n", "\xef\xbb\xbf", " \t\r\n{", "{\"a\":1}{\"b\":2}\n",
		"{\"a\":\"\\\"\xe9\"}\n{\xff\n", "\xfe plain",
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
			if !utf8.Valid(rec.JSON) {
				t.Fatalf("record is not valid UTF-8: %q", rec.JSON)
			}
			if b64 := rec.Get("raw_base64"); b64.Exists() {
				orig, err := base64.StdEncoding.DecodeString(b64.String())
				if err != nil || utf8.Valid(orig) || !bytes.Contains(in, orig) {
					t.Fatalf("raw_base64 %s is not an invalid UTF-8 part of the input (%v)", b64.Raw, err)
				}
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
