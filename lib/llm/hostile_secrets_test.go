package llm

import (
	"strings"
	"testing"
)

// A server that echoes the API key with a control or bidirectional
// formatting character inside it must not get the key through: the
// character is removed after the masking looked for the key, which joins
// it again.
func TestCleanMasksKeySplitByInvisibleCharacter(t *testing.T) {
	const key = "sk-SECRETabc123XYZ"
	c := &Client{secrets: newSecrets(Config{APIKey: key})}
	for _, sep := range []string{"\u202e", "\u2066", "\u2067", "\u200e", "\x01", "\x1b", "\x7f", "\u0085"} {
		echoed := "key " + key[:5] + sep + key[5:]
		got := c.clean(echoed)
		if strings.Contains(strings.ReplaceAll(got, " ", ""), key) {
			t.Errorf("clean(%q) = %q: the key is readable", echoed, got)
		}
	}
}
