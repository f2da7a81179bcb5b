// Package redact provides the filter that keeps secrets in the process:
// the API key and the passwords of URLs are replaced by "[redacted]" in
// every message that leaves it (error records, logs at every level and
// format, hints) and in every answer of a model (a server that echoes what
// it was sent must not get the key into records or the cache).
package redact

import (
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Mask is what a secret becomes.
const Mask = "[redacted]"

// minSecret is the shortest secret replaced: a shorter "key" would turn
// common letters of every message into masks, and guards nothing.
const minSecret = 4

// Redactor replaces known secrets, and the password of any URL written
// scheme://user:password@host, in text. A nil *Redactor still removes URL
// passwords.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first
}

// New returns a redactor for an API key and the URLs whose credentials
// must not be shown.
func New(key string, urls ...string) *Redactor {
	r := &Redactor{}
	r.Add(key)
	for _, u := range urls {
		r.AddURL(u)
	}
	return r
}

// Add makes s a secret, in the forms it takes in messages and headers: as
// it is, as JSON escapes it, percent-encoded, in base64 (standard and
// URL-safe, with and without padding, as a Basic Authorization header or a
// token carries it) and in hex.
func (r *Redactor) Add(s string) {
	if len(s) < minSecret {
		return
	}
	b := []byte(s)
	forms := []string{s, jsonEscape(s), url.QueryEscape(s), url.PathEscape(s),
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b)}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, form := range forms {
		if !slices.Contains(r.secrets, form) {
			r.secrets = append(r.secrets, form)
		}
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// AddURL makes the credentials of a URL's userinfo secrets: the password
// (the user, when there is no password), and "user:password" as a Basic
// Authorization header sends it.
func (r *Redactor) AddURL(raw string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User == nil {
		return
	}
	user := u.User.Username()
	p, ok := u.User.Password()
	if ok {
		r.Add(p)
	} else {
		r.Add(user)
	}
	r.Add(user + ":" + p)
}

// userinfo matches the credentials of a URL in text: scheme://user:pass@
var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)([^/?#@\s"']*)@`)

// String returns s with every secret masked.
func (r *Redactor) String(s string) string {
	s = userinfo.ReplaceAllStringFunc(s, func(m string) string {
		sub := userinfo.FindStringSubmatch(m)
		user, _, hasPass := strings.Cut(sub[2], ":")
		if !hasPass {
			return sub[1] + Mask + "@"
		}
		return sub[1] + user + ":" + Mask + "@"
	})
	return r.Known(s)
}

// Known returns s with the known secrets masked, and nothing else: the
// form for a model's answer, which keeps the credentials of URLs that are
// not shelf's. A nil *Redactor knows none.
func (r *Redactor) Known(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, secret := range r.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Mask)
		}
	}
	return s
}

// Held returns where the end of s that could be the start of a known
// secret begins (len(s) when no end could): a stream passes on s[:Held(s)]
// and keeps the rest until the next piece tells whether a secret follows.
func (r *Redactor) Held(s string) int {
	if r == nil {
		return len(s)
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	held := len(s)
	for _, secret := range r.secrets {
		for n := min(len(s), len(secret)-1); n > 0 && len(s)-n < held; n-- {
			if strings.HasPrefix(secret, s[len(s)-n:]) {
				held = len(s) - n
				break
			}
		}
	}
	return held
}

// URLOnly returns raw with the credentials of any URL in it masked: the
// form of an endpoint's URL that may be shown or kept (in cache keys).
func URLOnly(raw string) string { return (*Redactor)(nil).String(raw) }

// Writer returns a writer that masks secrets in what is written to w. Each
// Write is masked on its own, so a secret split across two writes passes:
// the loggers write an entry in one call.
func (r *Redactor) Writer(w io.Writer) io.Writer { return &writer{r: r, w: w} }

type writer struct {
	r *Redactor
	w io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	s := w.r.String(string(p))
	if s == string(p) {
		return w.w.Write(p)
	}
	if _, err := io.WriteString(w.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Fd lets a terminal check see through the writer.
func (w *writer) Fd() uintptr {
	if f, ok := w.w.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}

func jsonEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&15])
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
