package record

import (
	"encoding/base64"
	"slices"
	"testing"
	"unicode/utf8"
)

func TestSetKeepsOtherBytes(t *testing.T) {
	tests := []struct {
		in, path string
		v        any
		want     string
	}{
		{`{"z":1,"text":"a < b & c","u":"\u00e9"}`, "summary", "x <y> & z", `{"z":1,"text":"a < b & c","u":"\u00e9","summary":"x <y> & z"}`},
		{`{"summary":"old","k":[1, 2]}`, "summary", "new", `{"summary":"new","k":[1, 2]}`},
		{`{"a":1}`, "provenance.summary", Provenance{Tool: "t", Model: "m", Prompt: "p", At: "now"}, `{"a":1,"provenance":{"summary":{"tool":"t","model":"m","prompt":"p","at":"now"}}}`},
		{`{"provenance":{"x":{"tool":"o"}}}`, "provenance.summary", map[string]int{"n": 1}, `{"provenance":{"x":{"tool":"o"},"summary":{"n":1}}}`},
		{`{"a":1}`, "tags", []string{"a", "b"}, `{"a":1,"tags":["a","b"]}`},
	}
	for _, tt := range tests {
		r := New([]byte(tt.in))
		if err := r.Set(tt.path, tt.v); err != nil {
			t.Fatal(err)
		}
		if string(r.JSON) != tt.want {
			t.Errorf("Set(%s):\n got %s\nwant %s", tt.path, r.JSON, tt.want)
		}
	}
}

func TestDeleteKeepsOtherBytes(t *testing.T) {
	tests := []struct{ in, path, want string }{
		{`{"z":1, "checks":{"summary":{"unsupported":[]},"title":{"unsupported":["X"]}},"u":"\u00e9"}`, "checks.summary",
			`{"z":1, "checks":{"title":{"unsupported":["X"]}},"u":"\u00e9"}`},
		{`{"a":"<b> & c","checks":{}}`, "checks", `{"a":"<b> & c"}`},
		{`{"a":1}`, "checks.summary", `{"a":1}`},
		{`{"a":1,"checks":"odd"}`, "checks.summary", `{"a":1,"checks":"odd"}`},
	}
	for _, tt := range tests {
		r := New([]byte(tt.in))
		if err := r.Delete(tt.path); err != nil {
			t.Fatal(err)
		}
		if string(r.JSON) != tt.want {
			t.Errorf("Delete(%s) of %s:\n got %s\nwant %s", tt.path, tt.in, r.JSON, tt.want)
		}
	}
}

func TestAppendError(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1}`, `{"a":1,"errors":[{"tool":"t","message":"m <1>"}]}`},
		{`{"errors":[{"tool":"x","message":"old"}]}`, `{"errors":[{"tool":"x","message":"old"},{"tool":"t","message":"m <1>"}]}`},
		{`{"errors":"not a list"}`, `{"errors":["not a list",{"tool":"t","message":"m <1>"}]}`},
		{`{}`, `{"errors":[{"tool":"t","message":"m <1>"}]}`},
	}
	for _, tt := range tests {
		r := New([]byte(tt.in))
		r.AppendError("t", "m <1>")
		if string(r.JSON) != tt.want {
			t.Errorf("AppendError(%s):\n got %s\nwant %s", tt.in, r.JSON, tt.want)
		}
	}
}

func TestInvalidKeepsTheLine(t *testing.T) {
	r := Invalid([]byte("{\"a\": \"<\xff>\""), 7, "t", "line 7: bad")
	if !r.Invalid || r.Line != 7 {
		t.Fatal("flags")
	}
	if got := r.Get("raw").String(); got != "{\"a\": \"<\uFFFD>\"" {
		t.Errorf("raw %q", got)
	}
	if e := r.Errors(); len(e) != 1 || e[0].Message != "line 7: bad" {
		t.Errorf("errors %v", e)
	}
	if !utf8.Valid(r.JSON) {
		t.Errorf("record is not valid UTF-8: %q", r.JSON)
	}
	if b, err := base64.StdEncoding.DecodeString(r.Get("raw_base64").String()); err != nil || string(b) != "{\"a\": \"<\xff>\"" {
		t.Errorf("raw_base64 does not hold the line: %q, %v", b, err)
	}
}

func TestInvalidValidUTF8HasNoBase64(t *testing.T) {
	r := Invalid([]byte(`{"a": "é"`), 1, "t", "bad")
	if want := `{"raw":"{\"a\": \"é\"","errors":[{"tool":"t","message":"bad"}]}`; string(r.JSON) != want {
		t.Errorf("got %s\nwant %s", r.JSON, want)
	}
}

func TestReplaceInvalidUTF8(t *testing.T) {
	tests := []struct {
		in, want string
		first    int
	}{
		{"", "", -1},
		{`{"a":"é ü 日本 🙂"}`, `{"a":"é ü 日本 🙂"}`, -1},
		{"\xff", "\uFFFD", 0},
		{`{"a":"caf` + "\xe9" + ` au lait"}`, `{"a":"caf` + "\uFFFD" + ` au lait"}`, 9},
		{"a\xe2\x82b", "a\uFFFD\uFFFDb", 1},                     // a cut-off sequence: one per byte
		{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD", 0},               // an encoded surrogate
		{"\xc0\x80", "\uFFFD\uFFFD", 0},                         // an overlong encoding
		{"ok\xf4\x90\x80\x80", "ok\uFFFD\uFFFD\uFFFD\uFFFD", 2}, // beyond U+10FFFF
		{"\uFFFD\xff", "\uFFFD\uFFFD", 3},                       // a real U+FFFD is kept
	}
	for _, tt := range tests {
		got, first := ReplaceInvalidUTF8([]byte(tt.in))
		if string(got) != tt.want || first != tt.first {
			t.Errorf("ReplaceInvalidUTF8(%q) = %q, %d; want %q, %d", tt.in, got, first, tt.want, tt.first)
		}
	}
}

func TestClone(t *testing.T) {
	r := New([]byte(`{"a":1}`))
	c := r.Clone()
	c.Set("b", 2)
	if string(r.JSON) != `{"a":1}` {
		t.Fatal("clone shares bytes")
	}
}

func TestNormalizeTags(t *testing.T) {
	got := NormalizeTags([]string{"#Go", "go", " Home Office ", "", "#", "a\nb", "c\x1b[31m\x07", "\u202eevil", "cafe\u0301", "café", "x\u2028y"})
	want := []string{"go", "home-office", "a-b", "c-[31m", "evil", "café", "x-y"}
	if !slices.Equal(got, want) {
		t.Errorf("NormalizeTags = %q, want %q", got, want)
	}
}
