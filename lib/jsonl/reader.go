// Package jsonl provides the streaming reader and writer of the shelf
// record stream: JSON Lines as the record contract defines them.
//
// The reader has no line-length limit, drops a trailing "\r", skips blank
// lines, ignores a UTF-8 byte order mark at the start, and turns an input
// whose first non-blank byte is not "{" into a single plain-text record
// {"text": "<all of the input>"}. A line that is not a JSON object becomes
// an error record that carries the line, so nothing is lost.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/shelfai/shelf/lib/record"
	"github.com/tidwall/gjson"
)

const bom = "\xef\xbb\xbf"

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
		if msg := check(trimmed); msg != "" {
			r.Invalid++
			return record.Invalid(dropCR(line), r.line, r.tool, fmt.Sprintf("line %d: %s", r.line, msg)), nil
		}
		return &record.Record{JSON: trimmed, Line: r.line}, nil
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
		obj, _ := record.Marshal(map[string]string{"text": string(text)})
		return &record.Record{JSON: obj, Line: 1}, nil
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
	line, err := r.br.ReadSlice('\n')
	if err == nil {
		return bytes.Clone(line[:len(line)-1]), nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return bytes.Clone(line), err
	}
	buf := bytes.Clone(line)
	for {
		line, err = r.br.ReadSlice('\n')
		buf = append(buf, line...)
		if err == nil {
			return buf[:len(buf)-1], nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return buf, err
		}
	}
}

func dropCR(b []byte) []byte { return bytes.TrimSuffix(b, []byte("\r")) }

// check returns why a trimmed line is not a JSON object, or "".
func check(line []byte) string {
	if line[0] == '{' && gjson.ValidBytes(line) {
		return ""
	}
	var v any
	if err := json.Unmarshal(line, &v); err != nil {
		return "invalid JSON: " + err.Error()
	}
	kind := "a value"
	switch v.(type) {
	case []any:
		kind = "an array"
	case string:
		kind = "a string"
	case float64:
		kind = "a number"
	case bool:
		kind = "a boolean"
	case nil:
		kind = "null"
	}
	return "not a JSON object but " + kind
}
