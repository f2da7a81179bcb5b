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

// TestURLQuery: a key in the base URL's query is a secret, wherever a
// message shows it; a short value (a flag) is not.
func TestURLQuery(t *testing.T) {
	r := New("", "http://127.0.0.1:8080/v1?key=topsecretq&debug=1")
	for in, want := range map[string]string{
		`Post "http://127.0.0.1:8080/v1?key=topsecretq/embeddings": refused`: `Post "http://127.0.0.1:8080/v1?key=[redacted]/embeddings": refused`,
		"the key TOPSECRETQ in capitals":                                     "the key [redacted] in capitals",
		"debug=1":                                                            "debug=1",
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
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

// A server that echoes what it was sent shows the URL's credentials as the
// Basic Authorization header carries them, and the key in the encodings
// that headers and bodies use.
func TestEncodedForms(t *testing.T) {
	r := New("sk-test-0123456789", "http://u:secret@127.0.0.1:8080/v1", "http://tok-only-9@127.0.0.1/v1")
	tests := []struct{ in, want string }{
		// base64("u:secret"), as in "Authorization: Basic ...".
		{"got Authorization: Basic dTpzZWNyZXQ=", "got Authorization: Basic [redacted]"},
		{"unpadded dTpzZWNyZXQ only", "unpadded [redacted] only"},
		{"pair u:secret alone", "pair [redacted] alone"},
		{"password secret alone", "password [redacted] alone"},
		// A user without a password is sent as "tok-only-9:".
		{"Basic dG9rLW9ubHktOTo=", "Basic [redacted]"},
		// The key in base64 (standard and URL-safe) and in hex.
		{"c2stdGVzdC0wMTIzNDU2Nzg5", "[redacted]"},
		{"736b2d746573742d30313233343536373839", "[redacted]"},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Known masks the configured secrets only: an answer keeps the
// credentials of URLs that are not shelf's.
func TestKnown(t *testing.T) {
	r := New("sk-test-0123456789")
	in := "see postgres://u:theirs@127.0.0.1/db with sk-test-0123456789"
	if got, want := r.Known(in), "see postgres://u:theirs@127.0.0.1/db with [redacted]"; got != want {
		t.Errorf("Known = %q, want %q", got, want)
	}
	var none *Redactor
	if got := none.Known(in); got != in {
		t.Errorf("nil Known = %q", got)
	}
}

// Held marks where the end of a text could begin a secret, so that a
// stream masks a secret that arrives in pieces.
func TestHeld(t *testing.T) {
	r := New("sk-test-0123456789")
	tests := []struct {
		in   string
		want int
	}{
		{"hello ", 6},
		{"hello sk-te", 6},
		{"hello s", 6},
		{"sk-test-012345678", 0},
		{"", 0},
		{"ends in sk-test-0123456789", 26}, // whole secrets are masked, not held
	}
	for _, tt := range tests {
		if got := r.Held(tt.in); got != tt.want {
			t.Errorf("Held(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestKnownHidden(t *testing.T) {
	const key = "sk-SECRETabc123XYZ"
	r := New(key)
	for _, in := range []string{
		"key sk-SE\u202eCRETabc123XYZ end",
		"key sk-SE\u200bCRETabc123XYZ end",
		"key sk-SE\x1bCRETabc123XYZ end",
		"key SK-SECRETABC123XYZ end",
		`key sk-S\u202eECRETabc123XYZ end`, // as safetext.Visible shows it
		`key sk-S\x00ECRETabc123XYZ end`,
		"key s\u2066k\u2069-SECRETabc123XYZ end",
	} {
		if got := r.Known(in); got != "key [redacted] end" {
			t.Errorf("Known(%q) = %q", in, got)
		}
	}
	// Ordinary text, and short secrets, are left alone.
	if got := New("abcd").Known("ABCD a\u200bbcd"); got != "ABCD a\u200bbcd" {
		t.Errorf("a short secret matched hidden: %q", got)
	}
	if got := r.Known(`a \u202e b`); got != `a \u202e b` {
		t.Errorf("text without the key changed: %q", got)
	}
}

func TestHeldHidden(t *testing.T) {
	r := New("sk-SECRETabc123XYZ")
	for _, c := range []struct {
		in   string
		held int
	}{
		{"hello sk-SE\u202e", 6},
		{"hello SK-se", 6},
		{"hello world", 11},
		{`hello \u20`, 6},
	} {
		if got := r.Held(c.in); got != c.held {
			t.Errorf("Held(%q) = %d, want %d", c.in, got, c.held)
		}
	}
}
