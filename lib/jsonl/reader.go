// Package jsonl provides the streaming reader and writer of the shelf
// record stream: JSON Lines as the record contract defines them.
//
// The reader has no line-length limit, drops a trailing "\r", skips blank
// lines, ignores a UTF-8 byte order mark at the start, and turns an input
// whose first non-blank byte is not "{" into a single plain-text record
// {"text": "<all of the input>"}. A line that is not a JSON object becomes
// an error record that carries the line, so nothing is lost; so does a line
// nested deeper than MaxDepth, which is measured in one pass before any
// parser sees the line, so no input can exhaust the stack. Bytes that are
// not UTF-8 become U+FFFD; the record then keeps the line's exact bytes in
// "raw_base64" and a warning in "errors".
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"unicode"

	"github.com/shelfai/shelf/lib/record"
	"github.com/tidwall/gjson"
)

const bom = "\xef\xbb\xbf"

// MaxDepth is how deeply a line may nest arrays and objects, the top-level
// object counting as 1: the limit of Go's encoding/json.
const MaxDepth = 10000

// Reader reads records from one input.
type Reader struct {
	br   *bufio.Reader
	name string
	tool string

	started bool
	plain   bool
	done    bool
	line    int

	// Invalid counts the lines that were not JSON objects.
	Invalid int
	// Warn, if set, hears each warning the reader also puts in a record's
	// "errors" (a line with invalid UTF-8).
	Warn func(msg string)
	// consumed counts the bytes read as records so far (for progress).
	consumed atomic.Int64
}

// NewReader returns a reader of r. name is used in messages ("<stdin>" or a
// file name); tool names the tool in error records.
func NewReader(r io.Reader, name, tool string) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), name: name, tool: tool}
}

// Name returns the input's name.
func (r *Reader) Name() string { return r.name }

// Plain reports whether the input turned out to be plain text (valid after
// the first call to Next).
func (r *Reader) Plain() bool { return r.plain }

// Next returns the next record, or io.EOF after the last one. Lines that are
// not JSON objects come back as records with Invalid set; other errors are
// read errors of the underlying input.
func (r *Reader) Next() (*record.Record, error) {
	if r.done {
		return nil, io.EOF
	}
	if !r.started {
		r.started = true
		rec, err := r.start()
		if rec != nil || err != nil {
			return rec, err
		}
	}
	for {
		line, err := r.readLine()
		r.consumed.Add(int64(len(line)))
		if err == nil {
			r.consumed.Add(1) // its newline
		}
		if len(line) == 0 && err != nil {
			r.done = true
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("%s: read: %w", r.name, err)
		}
		r.line++
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 {
			continue
		}
		line = dropCR(line)
		obj, bad := record.ReplaceInvalidUTF8(trimmed)
		if bad >= 0 {
			// The offset in the line, leading spaces included.
			bad += len(line) - len(bytes.TrimLeftFunc(line, unicode.IsSpace))
		}
		var rec *record.Record
		if msg := check(obj); msg != "" {
			r.Invalid++
			rec = record.Invalid(line, r.line, r.tool, fmt.Sprintf("line %d: %s", r.line, msg))
		} else {
			rec = &record.Record{JSON: obj, Line: r.line}
			if bad >= 0 {
				if err := rec.SetRaw("raw_base64", record.Base64(line)); err != nil {
					// Never drop the original bytes: keep the line as raw.
					r.Invalid++
					rec = record.Invalid(line, r.line, r.tool, fmt.Sprintf("line %d: %v", r.line, err))
				}
			}
		}
		if bad >= 0 {
			r.warn(rec, fmt.Sprintf("line %d: invalid UTF-8 at byte %d replaced by U+FFFD; the original line is in raw_base64", r.line, bad+1))
		}
		return rec, nil
	}
}

// warn appends a warning to the record's "errors" and tells Warn.
func (r *Reader) warn(rec *record.Record, msg string) {
	rec.AppendError(r.tool, msg)
	if r.Warn != nil {
		r.Warn(msg)
	}
}

// start skips a byte order mark and the leading blank lines, and decides
// between JSON Lines and plain text. For plain text it returns the single
// record.
func (r *Reader) start() (*record.Record, error) {
	if b, err := r.br.Peek(3); err == nil && string(b) == bom {
		r.br.Discard(3)
	}
	var lead []byte
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				r.done = true
				return nil, io.EOF
			}
			return nil, fmt.Errorf("%s: read: %w", r.name, err)
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			lead = append(lead, c)
			continue
		}
		r.br.UnreadByte()
		if c == '{' {
			r.line = bytes.Count(lead, []byte("\n"))
			return nil, nil
		}
		r.plain = true
		rest, err := io.ReadAll(r.br)
		r.done = true
		if err != nil {
			return nil, fmt.Errorf("%s: read: %w", r.name, err)
		}
		text := append(lead, rest...)
		r.consumed.Add(int64(len(text)))
		valid, bad := record.ReplaceInvalidUTF8(text)
		var orig []byte // encoding/json writes it in standard base64
		if bad >= 0 {
			orig = text
		}
		obj, _ := record.Marshal(struct {
			Text      string `json:"text"`
			RawBase64 []byte `json:"raw_base64,omitempty"`
		}{string(valid), orig})
		rec := &record.Record{JSON: obj, Line: 1}
		if bad >= 0 {
			start := bytes.LastIndexByte(text[:bad], '\n') + 1
			line := bytes.Count(text[:start], []byte("\n")) + 1
			r.warn(rec, fmt.Sprintf("line %d: invalid UTF-8 at byte %d replaced by U+FFFD; the original text is in raw_base64", line, bad-start+1))
		}
		return rec, nil
	}
}

// Consumed returns how many bytes of the input have been read as records.
func (r *Reader) Consumed() int64 { return r.consumed.Load() }

// Ready reports whether Next returns without reading more of the input:
// the input is at its end, or a whole line is in the buffer.
func (r *Reader) Ready() bool {
	if r.done {
		return true
	}
	if !r.started {
		return false
	}
	n := r.br.Buffered()
	if n == 0 {
		return false
	}
	b, _ := r.br.Peek(n)
	return bytes.IndexByte(b, '\n') >= 0
}

// readLine returns the next line without its "\n", however long.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadBytes('\n')
	if err == nil {
		line = line[:len(line)-1]
	}
	return line, err
}

func dropCR(b []byte) []byte { return bytes.TrimSuffix(b, []byte("\r")) }

// check returns why a trimmed line is not a JSON object, or "". The
// depth is measured first: gjson's validator recurses once per level.
func check(line []byte) string {
	if tooDeep(line, MaxDepth) {
		return fmt.Sprintf("nesting deeper than %d", MaxDepth)
	}
	if line[0] == '{' && gjson.ValidBytes(line) {
		return ""
	}
	// A RawMessage is only checked, not built into a tree, so describing
	// a long line costs one pass.
	var v json.RawMessage
	if err := json.Unmarshal(line, &v); err != nil {
		return "invalid JSON: " + err.Error()
	}
	kind := "a number"
	switch v[0] {
	case '{':
		// gjson and encoding/json disagree; trust the stricter.
		return "invalid JSON"
	case '[':
		kind = "an array"
	case '"':
		kind = "a string"
	case 't', 'f':
		kind = "a boolean"
	case 'n':
		kind = "null"
	}
	return "not a JSON object but " + kind
}

// tooDeep reports whether b opens more than limit arrays and objects at
// once. It counts brackets outside strings in one pass, without recursion,
// so it measures any bytes safely, JSON or not. A closing bracket with
// nothing open is not counted, so it cannot pay for openers after it.
func tooDeep(b []byte, limit int) bool {
	depth := 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte, which may be a quote
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > limit {
				return true
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return false
}
