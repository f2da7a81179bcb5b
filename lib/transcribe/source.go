package transcribe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/sysexits"
)

// DefaultMaxAudio is the most of one audio file read when
// Transcriber.MaxAudio is not set: 2 GiB, more than 12 hours (the most
// decoded) of 16-bit mono at 16 kHz, and of any compressed format.
const DefaultMaxAudio = 2 << 30

// NotFileError is a source that is neither a file nor a named pipe: a
// device (/dev/zero would be read until memory runs out, /dev/null gives
// nothing) or a socket. It is refused before it is opened.
type NotFileError struct {
	Source string // as the record names it ("-": standard input)
	What   string // "a character device", "a block device", "a socket", ...
}

func (e *NotFileError) Error() string {
	if e.Source == "-" {
		return fmt.Sprintf("source -: standard input is %s, not an audio file", e.What)
	}
	return fmt.Sprintf("source %s: %s, not an audio file", e.Source, e.What)
}

// TooLargeError is audio larger than the most read of one file
// (Transcriber.MaxAudio).
type TooLargeError struct {
	Source string
	Limit  int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("source %s: larger than %s, the most read of one audio file", e.Source, llm.FormatSize(e.Limit))
}

// ErrStdinTaken is the error of a source "-" when standard input is not
// audio: it carries the records.
var ErrStdinTaken = errors.New("source -: standard input carries the records, not audio")

// notFile says what a file of mode m is when it is not one audio can be
// read from (a regular file, a named pipe, or a folder, which fails as
// one when read), else "".
func notFile(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeIrregular != 0:
		return "a special file"
	}
	return ""
}

// maxAudio is the most read of one audio file.
func (tr *Transcriber) maxAudio() int64 {
	if tr.MaxAudio > 0 {
		return tr.MaxAudio
	}
	return DefaultMaxAudio
}

// readFile reads the audio file name, at most tr.maxAudio() of it, and
// returns it with its modification time. A device or socket is refused
// unopened; a named pipe, whose open waits for a writer and whose reads
// wait for data, is given up on when ctx ends.
func (tr *Transcriber) readFile(ctx context.Context, name string) ([]byte, time.Time, error) {
	limit := tr.maxAudio()
	st, err := os.Stat(name)
	if err != nil {
		// Nothing to open: said as opening it would say it.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = &fs.PathError{Op: "open", Path: pe.Path, Err: pe.Err}
		}
		return nil, time.Time{}, err
	}
	if err := checkFile(name, st, limit); err != nil {
		return nil, st.ModTime(), err
	}
	f, err := wait(ctx, func() (*os.File, error) { return os.Open(name) }, func(f *os.File) { f.Close() })
	if err != nil {
		return nil, st.ModTime(), err
	}
	defer f.Close()
	// What was stat'ed may have been replaced before the open.
	if st, err = f.Stat(); err != nil {
		return nil, time.Time{}, err
	}
	if err := checkFile(name, st, limit); err != nil {
		return nil, st.ModTime(), err
	}
	// A read that waits on a pipe ends when f is closed.
	data, err := wait(ctx, func() ([]byte, error) { return readAtMost(f, name, limit, st.Size()) }, nil)
	return data, st.ModTime(), err
}

// checkFile refuses what is not a file or a named pipe, and a file larger
// than limit, before it is read.
func checkFile(name string, st fs.FileInfo, limit int64) error {
	if what := notFile(st.Mode()); what != "" {
		return sysexits.New(sysexits.NoInput, "", &NotFileError{Source: name, What: what})
	}
	if st.Mode().IsRegular() && st.Size() > limit {
		return sysexits.New(sysexits.DataErr, "", &TooLargeError{Source: name, Limit: limit})
	}
	return nil
}

// readStdin returns the audio of standard input, read once (at most
// tr.maxAudio() of it) for all the records that name "-", or gives up
// waiting for it when ctx ends. The read itself cannot be interrupted; it
// ends with the process.
func (tr *Transcriber) readStdin(ctx context.Context) ([]byte, error) {
	if tr.Stdin == nil {
		return nil, sysexits.New(sysexits.NoInput, "", ErrStdinTaken)
	}
	tr.stdinOnce.Do(func() {
		tr.stdinDone = make(chan struct{})
		go func() {
			defer close(tr.stdinDone)
			if s, ok := tr.Stdin.(interface{ Stat() (fs.FileInfo, error) }); ok {
				if st, err := s.Stat(); err == nil {
					if what := notFile(st.Mode() &^ fs.ModeSocket); what != "" {
						tr.stdinErr = sysexits.New(sysexits.NoInput, "", &NotFileError{Source: "-", What: what})
						return
					}
				}
			}
			tr.stdin, tr.stdinErr = readAtMost(tr.Stdin, "-", tr.maxAudio(), 0)
		}()
	})
	select {
	case <-tr.stdinDone:
		return tr.stdin, tr.stdinErr
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readAtMost reads r to its end, an error if that is more than limit
// bytes. size, if known, is what the read should take.
func readAtMost(r io.Reader, name string, limit, size int64) ([]byte, error) {
	var b bytes.Buffer
	if size > 0 {
		// Room for the whole file, and for the read that finds its end.
		b.Grow(int(min(size, limit)) + bytes.MinRead)
	}
	if _, err := b.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, err
	}
	if int64(b.Len()) > limit {
		return nil, sysexits.New(sysexits.DataErr, "", &TooLargeError{Source: name, Limit: limit})
	}
	return b.Bytes(), nil
}

// wait runs do and returns what it gives, or ctx's error once ctx ends
// first: do goes on (an open of a named pipe waits for a writer, and no
// signal stops it), and what it returns then is given to drop, if set.
func wait[T any](ctx context.Context, do func() (T, error), drop func(T)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := do()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.err == nil && drop != nil {
				drop(r.v)
			}
		}()
		var zero T
		return zero, ctx.Err()
	}
}

// isNoInput reports whether err means the file cannot be read at all.
func isNoInput(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EISDIR)
}
