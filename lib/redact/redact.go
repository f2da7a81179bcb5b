// Package redact provides the filter that keeps secrets in the process:
// the API key and the passwords of URLs are replaced by "[redacted]" in
// every message that leaves it (error records, logs at every level and
// format, hints).
package redact

import (
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

// Add makes s a secret, in the forms it takes in messages: as it is, as
// JSON escapes it, and percent-encoded.
func (r *Redactor) Add(s string) {
	if len(s) < minSecret {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, form := range []string{s, jsonEscape(s), url.QueryEscape(s), url.PathEscape(s)} {
		if !slices.Contains(r.secrets, form) {
			r.secrets = append(r.secrets, form)
		}
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// AddURL makes the password (and the user, when there is no password) of a
// URL's userinfo secrets.
func (r *Redactor) AddURL(raw string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User == nil {
		return
	}
	if p, ok := u.User.Password(); ok {
		r.Add(p)
	} else {
		r.Add(u.User.Username())
	}
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
