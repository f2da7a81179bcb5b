package llm

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/url"
	"strings"

	"github.com/shelfai/shelf/lib/redact"
	"github.com/shelfai/shelf/lib/safetext"
)

// A server can echo what it was sent (the Authorization header, the URL's
// credentials) inside an answer. Every answer's text is masked with the
// client's secrets as it arrives, before anything uses or caches it:
// complete (plain and structured answers), Stream (through a streamMask)
// and Transcribe; a structured answer's decoded strings are masked again,
// as JSON can spell a secret with \u escapes.

// newSecrets returns the redactor of a configuration's secrets: the API key
// and the credentials of the base URL.
func newSecrets(cfg Config) *redact.Redactor {
	return redact.New(cfg.APIKey, cfg.BaseURL)
}

// credentialsHash is the part of a cache key that tells one set of
// credentials from another: a hash of the API key and the base URL's
// userinfo, or "" when there are none. The credentials themselves are in
// no key and no file.
func credentialsHash(cfg Config) string {
	user := ""
	if u, err := url.Parse(strings.TrimSpace(cfg.BaseURL)); err == nil && u.User != nil {
		user = u.User.String()
	}
	if cfg.APIKey == "" && user == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("shelf credentials\x00" + cfg.APIKey + "\x00" + user))
	return hex.EncodeToString(sum[:])
}

// streamMask masks the secrets of a streamed answer, whose pieces can cut a
// secret apart: the end of what came that could start a secret is held back
// until the next piece (or the end) says whether it does.
type streamMask struct {
	r    *redact.Redactor
	held string
}

// feed returns what of the stream can be passed on after piece s.
func (m *streamMask) feed(s string) string {
	if s == "" {
		return ""
	}
	t := m.r.Known(m.held + s)
	cut := m.r.Held(t)
	m.held = t[cut:]
	return t[:cut]
}

// flush returns what is held back at the end of the stream: no secret.
func (m *streamMask) flush() string {
	t := m.held
	m.held = ""
	return t
}

// clean is an answer's text as the tools may use it: the client's own
// secrets masked, and the characters that could act on a terminal or
// reorder text (C0 but tab and line ends, DEL, C1, bidirectional
// controls) gone, as shelf(7) says of every string a model made.
func (c *Client) clean(s string) string {
	return safetext.Text(c.secrets.Known(s))
}

// validSpan: a segment's times are finite, not negative, in order, and
// within a day (or the recording's duration, when given, with a second to
// spare).
func validSpan(start, end, duration float64) bool {
	limit := 86400.0
	if duration > 0 && !math.IsInf(duration, 0) {
		limit = duration + 1
	}
	for _, v := range []float64{start, end} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > limit {
			return false
		}
	}
	return start <= end
}

// maskValue masks the secrets in the strings (and object keys) of a
// decoded JSON value.
func (c *Client) maskValue(v any) any {
	switch x := v.(type) {
	case string:
		return c.clean(x)
	case []any:
		for i := range x {
			x[i] = c.maskValue(x[i])
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[c.clean(k)] = c.maskValue(e)
		}
		return out
	}
	return v
}
