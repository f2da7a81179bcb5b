package redact

import (
	"bytes"
	"testing"
)

func TestString(t *testing.T) {
	r := New("sk-test-0123456789", "http://alice:pa%24%24word@127.0.0.1:8080/v1", "https://token-abcdef@127.0.0.1/v1", "http://127.0.0.1/v1")
	tests := []struct{ in, want string }{
		{"Incorrect API key provided: sk-test-0123456789.", "Incorrect API key provided: [redacted]."},
		{`{"msg":"key sk-test-0123456789"}`, `{"msg":"key [redacted]"}`},
		{"cannot reach http://alice:pa%24%24word@127.0.0.1:8080/v1: refused", "cannot reach http://alice:[redacted]@127.0.0.1:8080/v1: refused"},
		{"the password pa$$word alone", "the password [redacted] alone"},
		{"token https://token-abcdef@127.0.0.1/v1", "token https://[redacted]@127.0.0.1/v1"},
		// Any URL's password, known or not.
		{"postgres://u:other@127.0.0.1/db", "postgres://u:[redacted]@127.0.0.1/db"},
		{"no secrets here: http://127.0.0.1/v1", "no secrets here: http://127.0.0.1/v1"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestShortKeyIgnored(t *testing.T) {
	// A key of a letter or two would mask those letters everywhere.
	r := New("ab")
	if got := r.String("a cab"); got != "a cab" {
		t.Errorf("got %q", got)
	}
}

func TestNil(t *testing.T) {
	var r *Redactor
	if got := r.String("http://u:p@127.0.0.1/"); got != "http://u:[redacted]@127.0.0.1/" {
		t.Errorf("got %q", got)
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := New("sk-test-0123456789").Writer(&b)
	n, err := w.Write([]byte("WARN key=sk-test-0123456789\n"))
	if err != nil || n != 28 {
		t.Fatalf("n %d err %v", n, err)
	}
	if b.String() != "WARN key=[redacted]\n" {
		t.Errorf("wrote %q", b.String())
	}
}
