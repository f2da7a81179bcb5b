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
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
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
	hidden  []string // the secrets of minHidden bytes or more, in lower case
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
		if low := strings.ToLower(form); len(form) >= minHidden && !slices.Contains(r.hidden, low) {
			r.hidden = append(r.hidden, low)
		}
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	slices.SortFunc(r.hidden, func(a, b string) int { return len(b) - len(a) })
}

// AddURL makes the credentials of a URL secrets: its userinfo's password
// (the user, when there is no password), and "user:password" as a Basic
// Authorization header sends it; and the values of its query of 8
// characters or more (?key=..., as some proxies take a key), which are
// seldom anything else.
func (r *Redactor) AddURL(raw string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= 8 {
				r.Add(v)
			}
		}
	}
	if u.User == nil {
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
//
// A secret is found as it is, and also in any case and with invisible
// characters inside it (control and format characters such as a
// bidirectional override or a zero-width space, and those characters as
// safetext.Visible shows them: \x1b, \u202e): a server that echoes the key
// with such a character inside must not get it past the mask, to be joined
// again when the character is removed or not shown.
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
	return r.knownHidden(s)
}

// minHidden is the shortest secret looked for in any case and around
// invisible characters: shorter ones would match ordinary words.
const minHidden = 8

// skeleton is s without its invisible characters, folded to lower case,
// with the byte offset in s where each of its bytes' runes starts and ends.
type skeleton struct {
	text       string
	start, end []int
}

func skeletonOf(s string) skeleton {
	var b strings.Builder
	var start, end []int
	for i := 0; i < len(s); {
		if n := escapedInvisible(s[i:]); n > 0 {
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if invisible(r) {
			i += size
			continue
		}
		l := string(unicode.ToLower(r))
		for range len(l) {
			start, end = append(start, i), append(end, i+size)
		}
		b.WriteString(l)
		i += size
	}
	return skeleton{b.String(), start, end}
}

// escapedInvisible is the length of the escape at the start of s that
// safetext.Visible writes for an invisible character (\x1b, \u202e), or 0.
func escapedInvisible(s string) int {
	hex := func(t string) (rune, bool) {
		v, err := strconv.ParseUint(t, 16, 32)
		return rune(v), err == nil
	}
	switch {
	case len(s) >= 4 && s[0] == '\\' && s[1] == 'x':
		if r, ok := hex(s[2:4]); ok && unicode.IsControl(r) {
			return 4
		}
	case len(s) >= 6 && s[0] == '\\' && s[1] == 'u':
		if r, ok := hex(s[2:6]); ok && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			return 6
		}
	}
	return 0
}

// invisible: a control or format character, but the line ends and tab,
// which show.
func invisible(r rune) bool {
	return (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t') || unicode.Is(unicode.Cf, r)
}

// mayHide reports whether s could hold a secret only its skeleton shows:
// it has an invisible character or an escape of one, or a secret in
// another case. Most text has none, and is not copied into a skeleton
// (an answer can be megabytes).
func (r *Redactor) mayHide(s string) bool {
	for i, c := range s {
		if invisible(c) || c == '\\' && escapedInvisible(s[i:]) > 0 {
			return true
		}
	}
	lower := strings.ToLower(s)
	for _, low := range r.hidden {
		if strings.Contains(lower, low) {
			return true
		}
	}
	return false
}

// knownHidden masks the secrets that only the skeleton shows.
func (r *Redactor) knownHidden(s string) string {
	if len(r.hidden) == 0 || !r.mayHide(s) {
		return s
	}
	for _, low := range r.hidden {
		sk := skeletonOf(s)
		i := strings.Index(sk.text, low)
		if i < 0 {
			continue
		}
		var b strings.Builder
		last := 0
		for i >= 0 {
			from, to := sk.start[i], sk.end[i+len(low)-1]
			b.WriteString(s[last:from])
			b.WriteString(Mask)
			last = to
			next := strings.Index(sk.text[i+len(low):], low)
			if next < 0 {
				break
			}
			i += len(low) + next
		}
		b.WriteString(s[last:])
		s = b.String()
	}
	return s
}

// Held returns where the end of s that could be the start of a known
// secret begins (len(s) when no end could): a stream passes on s[:Held(s)]
// and keeps the rest until the next piece tells whether a secret follows.
// Like Known, it sees a secret's start in any case and around invisible
// characters.
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
	if len(r.hidden) > 0 {
		sk := skeletonOf(s)
		for _, low := range r.hidden {
			for n := min(len(sk.text), len(low)-1); n > 0; n-- {
				at := len(sk.text) - n
				if sk.start[at] >= held {
					break
				}
				if strings.HasPrefix(low, sk.text[at:]) {
					held = sk.start[at]
					break
				}
			}
		}
	}
	// An escape of an invisible character cut at the end (a lone "\u20")
	// could go on into one: hold it too.
	if i := strings.LastIndexByte(s, '\\'); len(r.hidden) > 0 && i >= 0 && i < held && len(s)-i < 6 {
		held = i
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
