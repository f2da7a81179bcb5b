package jsonl

import (
	"errors"
	"io"
	"os"
	"sync/atomic"

	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
)

// Inputs reads the records of several inputs one after another, like cat:
// the operands are file names, "-" is stdin, and no operand means stdin.
// Files are opened only when their turn comes.
type Inputs struct {
	names []string
	stdin io.Reader
	tool  string
	// cur is the input being read; Progress reads it from another
	// goroutine.
	cur  atomic.Pointer[Reader]
	file *os.File
	// Invalid counts the invalid lines over all inputs.
	Invalid int
	// Plain reports whether any input was read as plain text.
	Plain bool
	// Warn, if set, is each input's Reader.Warn.
	Warn func(msg string)

	done  atomic.Int64 // bytes of the inputs finished
	total int64        // bytes of all inputs, 0 when unknown
}

// NewInputs returns a reader of the named inputs.
func NewInputs(names []string, stdin io.Reader, tool string) *Inputs {
	if len(names) == 0 {
		names = []string{"-"}
	}
	in := &Inputs{names: names, stdin: stdin, tool: tool}
	// The inputs' size, when every one is a regular file (a pipe or a
	// terminal has none): progress can then say how far the run is.
	for _, n := range names {
		var st os.FileInfo
		var err error
		if n == "-" {
			f, ok := stdin.(*os.File)
			if !ok {
				in.total = 0
				break
			}
			st, err = f.Stat()
		} else {
			st, err = os.Stat(n)
		}
		if err != nil || !st.Mode().IsRegular() {
			in.total = 0
			break
		}
		in.total += st.Size()
	}
	return in
}

// Progress returns the bytes of the inputs read as records and the bytes
// of all the inputs (0 when not known). It may be called while another
// goroutine reads.
func (in *Inputs) Progress() (done, total int64) {
	done = in.done.Load()
	if r := in.cur.Load(); r != nil {
		done += r.Consumed()
	}
	return min(done, in.total), in.total
}

// Name returns the name of the input being read ("<stdin>" for stdin).
func (in *Inputs) Name() string {
	if r := in.cur.Load(); r != nil {
		return r.Name()
	}
	return ""
}

// Next returns the next record of the inputs, or io.EOF after the last.
func (in *Inputs) Next() (*record.Record, error) {
	for {
		cur := in.cur.Load()
		if cur == nil {
			if len(in.names) == 0 {
				return nil, io.EOF
			}
			name := in.names[0]
			in.names = in.names[1:]
			if name == "-" {
				cur = NewReader(in.stdin, "<stdin>", in.tool)
			} else {
				f, err := os.Open(name)
				if err != nil {
					return nil, sysexits.New(sysexits.NoInput, "check the file name; use - for standard input", err)
				}
				in.file = f
				cur = NewReader(f, name, in.tool)
			}
			cur.Warn = in.Warn
			in.cur.Store(cur)
		}
		rec, err := cur.Next()
		if err == nil {
			if rec.Invalid {
				in.Invalid++
			}
			if cur.Plain() {
				in.Plain = true
			}
			return rec, nil
		}
		if in.file != nil {
			in.file.Close()
			in.file = nil
		}
		in.done.Add(cur.Consumed())
		in.cur.Store(nil)
		if !errors.Is(err, io.EOF) {
			return nil, sysexits.New(sysexits.IOErr, "", err)
		}
	}
}

// Ready reports whether Next returns a record already read from the
// input (see Reader.Ready).
func (in *Inputs) Ready() bool {
	r := in.cur.Load()
	return r != nil && r.Ready()
}
