package jsonl

import (
	"bufio"
	"io"

	"github.com/shelfai/shelf/lib/record"
)

// Writer writes records as JSON Lines.
type Writer struct {
	bw *bufio.Writer
}

// NewWriter returns a writer to w. Call Flush to push buffered records out.
func NewWriter(w io.Writer) *Writer { return &Writer{bw: bufio.NewWriterSize(w, 64<<10)} }

// Write writes one record and its line end. The line is always valid
// UTF-8: should a record hold an invalid byte, U+FFFD is written instead.
func (w *Writer) Write(rec *record.Record) error {
	b, _ := record.ReplaceInvalidUTF8(rec.JSON)
	if _, err := w.bw.Write(b); err != nil {
		return err
	}
	return w.bw.WriteByte('\n')
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error { return w.bw.Flush() }
