package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"

	"gopkg.in/yaml.v3"
)

// FrontMatter is what shelf writes at the top of a note (Obsidian
// properties).
type FrontMatter struct {
	ID      string   `yaml:"id"`
	Title   string   `yaml:"title"`
	Created string   `yaml:"created,omitempty"`
	Source  string   `yaml:"source,omitempty"`
	Tags    []string `yaml:"tags,omitempty"`
	Aliases []string `yaml:"aliases,omitempty"`
	// Hash is the SHA-256 of the note as shelf wrote it, without this line.
	Hash string `yaml:"shelf-hash"`
}

const hashKey = "shelf-hash"

var hashLine = regexp.MustCompile(`(?m)^shelf-hash: *"?([0-9a-f]{64})?"?\r?\n`)

// Render makes the note: front matter, then body. The hash covers every
// byte of the note but its own line.
func Render(fm FrontMatter, body string) ([]byte, error) {
	fm.Hash = ""
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	b.WriteString("---\n")
	b.WriteString(body)
	note := b.Bytes()
	loc := hashLine.FindIndex(note)
	if loc == nil {
		return nil, errors.New("render: no hash line")
	}
	sum := sha256.Sum256(append(append([]byte{}, note[:loc[0]]...), note[loc[1]:]...))
	out := append([]byte{}, note[:loc[0]]...)
	out = append(out, hashKey+": "+hex.EncodeToString(sum[:])+"\n"...)
	return append(out, note[loc[1]:]...), nil
}

// Parse reads a note's front matter (nil if it has none) and body.
func Parse(note []byte) (*FrontMatter, []byte, error) {
	head, body, ok := split(note)
	if !ok {
		return nil, note, nil
	}
	var fm FrontMatter
	if err := yaml.Unmarshal(head, &fm); err != nil {
		return nil, note, err
	}
	return &fm, body, nil
}

// split cuts a note into its front matter (between the --- lines at the
// top) and the rest.
func split(note []byte) (head, body []byte, ok bool) {
	rest, found := bytes.CutPrefix(note, []byte("---\n"))
	if !found {
		if rest, found = bytes.CutPrefix(note, []byte("---\r\n")); !found {
			return nil, note, false
		}
	}
	for off := 0; off < len(rest); {
		nl := bytes.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if nl >= 0 {
			line = rest[off : off+nl+1]
		}
		if string(bytes.TrimRight(line, "\r\n")) == "---" {
			return rest[:off], rest[off+len(line):], true
		}
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return nil, note, false
}

// Unchanged reports whether a note is still exactly what shelf wrote: its
// hash line is there and matches the rest of its bytes.
func Unchanged(note []byte) bool {
	_, body, ok := split(note)
	if !ok {
		return false
	}
	m := hashLine.FindSubmatchIndex(note[:len(note)-len(body)])
	if m == nil || m[2] < 0 {
		return false
	}
	want := string(note[m[2]:m[3]])
	sum := sha256.Sum256(append(append([]byte{}, note[:m[0]]...), note[m[1]:]...))
	return hex.EncodeToString(sum[:]) == want
}
