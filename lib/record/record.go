// Package record provides the unit that flows through a shelf pipeline: one
// JSON object, kept as the exact bytes it arrived as, and patched in place
// so that every field a tool does not own passes through byte for byte
// (same keys, same order, same escaping).
package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shelfai/shelf/lib/safetext"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Record is one JSON object of the stream.
type Record struct {
	// JSON holds the object's bytes, without the line end.
	JSON []byte
	// Line is the line number in the input it came from (1-based); 0 when
	// the record was made rather than read.
	Line int
	// Invalid marks a record made from a line that was not a JSON object:
	// it carries the line in "raw" and an entry in "errors", and tools pass
	// it on without working on it.
	Invalid bool
	// Meta carries a tool's private result with the record through a
	// pipeline; it is never written.
	Meta any
}

// New returns a record for the given object bytes.
func New(obj []byte) *Record { return &Record{JSON: obj} }

// Clone returns a deep copy, for work that may fail half way.
func (r *Record) Clone() *Record {
	c := *r
	c.JSON = bytes.Clone(r.JSON)
	return &c
}

// Get reads a field with a gjson path.
func (r *Record) Get(path string) gjson.Result { return gjson.GetBytes(r.JSON, path) }

// Has reports whether the field exists.
func (r *Record) Has(path string) bool { return r.Get(path).Exists() }

// Set writes a value at path (an sjson path), replacing any value there
// and leaving every other byte of the record as it was. Strings are written
// without HTML escaping.
func (r *Record) Set(path string, v any) error {
	raw, err := Marshal(v)
	if err != nil {
		return fmt.Errorf("set %s: %w", path, err)
	}
	return r.SetRaw(path, raw)
}

// SetRaw writes raw JSON at path.
func (r *Record) SetRaw(path string, raw []byte) error {
	out, err := sjson.SetRawBytes(r.JSON, path, raw)
	if err != nil {
		return fmt.Errorf("set %s: %w", path, err)
	}
	r.JSON = out
	return nil
}

// Delete removes the value at path (an sjson path), if there is one,
// leaving every other byte of the record as it was.
func (r *Record) Delete(path string) error {
	if !r.Has(path) {
		return nil
	}
	out, err := sjson.DeleteBytes(r.JSON, path)
	if err != nil {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	r.JSON = out
	return nil
}

// Error is one entry of a record's "errors" array.
type Error struct {
	Tool    string `json:"tool"`
	Message string `json:"message"`
}

// Provenance says which model and prompt derived a field, and when.
type Provenance struct {
	Tool   string `json:"tool"`
	Model  string `json:"model"`
	Prompt string `json:"prompt"` // hash of the prompt template
	At     string `json:"at"`     // RFC 3339
}

// AppendError appends {"tool", "message"} to the record's "errors" array,
// creating it when absent. Existing entries are kept. If "errors" holds
// something other than an array, that value is kept inside the new array so
// nothing is lost.
func (r *Record) AppendError(tool, message string) {
	entry, _ := Marshal(Error{Tool: tool, Message: message})
	cur := r.Get("errors")
	if cur.Exists() && !cur.IsArray() {
		arr := append([]byte("["), cur.Raw...)
		arr = append(arr, ',')
		arr = append(arr, entry...)
		arr = append(arr, ']')
		if err := r.SetRaw("errors", arr); err == nil {
			return
		}
	}
	if err := r.SetRaw("errors.-1", entry); err != nil {
		// The object itself is broken; this cannot happen for records
		// that passed validation, but never lose the message.
		r.JSON = invalidRecord(r.JSON, tool, message)
	}
}

// Errors returns the record's error entries.
func (r *Record) Errors() []Error {
	var out []Error
	for _, e := range r.Get("errors").Array() {
		out = append(out, Error{Tool: e.Get("tool").String(), Message: e.Get("message").String()})
	}
	return out
}

// Marshal encodes v as compact JSON without HTML escaping (so "<" and "&"
// stay as they are, like the rest of the record).
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Invalid makes the record that stands for an input line that is not a JSON
// object: {"raw": "<the line>", "errors": [{"tool", "message"}]}. When the
// line is not valid UTF-8, "raw" has U+FFFD for each invalid byte and
// "raw_base64" (after "raw") holds the line's exact bytes.
func Invalid(line []byte, lineNo int, tool, message string) *Record {
	return &Record{JSON: invalidRecord(line, tool, message), Line: lineNo, Invalid: true}
}

func invalidRecord(line []byte, tool, message string) []byte {
	text, bad := ReplaceInvalidUTF8(line)
	raw, _ := Marshal(string(text))
	entry, _ := Marshal([]Error{{Tool: tool, Message: message}})
	b := make([]byte, 0, len(raw)+len(entry)+24)
	b = append(b, `{"raw":`...)
	b = append(b, raw...)
	if bad >= 0 {
		b = append(b, `,"raw_base64":`...)
		b = append(b, Base64(line)...)
	}
	b = append(b, `,"errors":`...)
	b = append(b, entry...)
	b = append(b, '}')
	return b
}

// Base64 returns the JSON string of b in standard base64, the form of
// "raw_base64".
func Base64(b []byte) []byte {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b))+2)
	out[0], out[len(out)-1] = '"', '"'
	base64.StdEncoding.Encode(out[1:len(out)-1], b)
	return out
}

// ReplaceInvalidUTF8 returns b with each byte that is not part of valid
// UTF-8 replaced by U+FFFD, as encoding/json does, and the offset of the
// first such byte; b itself and -1 when it is valid. In JSON text, bytes
// outside ASCII can stand only inside strings, so the repair keeps valid
// JSON valid.
func ReplaceInvalidUTF8(b []byte) ([]byte, int) {
	if utf8.Valid(b) {
		return b, -1
	}
	first := -1
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			if first < 0 {
				first = i
			}
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out, first
}

// NormalizeTags makes tags as the contract wants them: lower-case, no "#",
// no spaces (hyphens instead), no control or bidirectional formatting
// characters, Unicode NFC, no empties or duplicates.
func NormalizeTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(strings.TrimLeft(safetext.Line(t), "#")))
		t = strings.Join(strings.Fields(t), "-")
		if t == "" || slices.Contains(out, t) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// ContentID is the identity of a record that has none: a hash of its
// source and text (the contract's rule for tools other than transcribe).
func ContentID(source, text string) string {
	sum := sha256.Sum256([]byte(source + "\x00" + text))
	return hex.EncodeToString(sum[:16])
}
