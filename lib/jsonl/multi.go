package jsonl

import (
	"errors"
	"io"
	"os"

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
	cur   *Reader
	file  *os.File
	// Invalid counts the invalid lines over all inputs.
	Invalid int
	// Plain reports whether any input was read as plain text.
	Plain bool
	// Warn, if set, is each input's Reader.Warn.
	Warn func(msg string)
}

// NewInputs returns a reader of the named inputs.
func NewInputs(names []string, stdin io.Reader, tool string) *Inputs {
	if len(names) == 0 {
		names = []string{"-"}
	}
	return &Inputs{names: names, stdin: stdin, tool: tool}
}

// Name returns the name of the input being read ("<stdin>" for stdin).
func (in *Inputs) Name() string {
	if in.cur == nil {
		return ""
	}
	return in.cur.Name()
}

// Next returns the next record of the inputs, or io.EOF after the last.
func (in *Inputs) Next() (*record.Record, error) {
	for {
		if in.cur == nil {
			if len(in.names) == 0 {
				return nil, io.EOF
			}
			name := in.names[0]
			in.names = in.names[1:]
			if name == "-" {
				in.cur = NewReader(in.stdin, "<stdin>", in.tool)
			} else {
				f, err := os.Open(name)
				if err != nil {
					return nil, sysexits.New(sysexits.NoInput, err, "check the file name; use - for standard input")
				}
				in.file = f
				in.cur = NewReader(f, name, in.tool)
			}
			in.cur.Warn = in.Warn
		}
		rec, err := in.cur.Next()
		if err == nil {
			if rec.Invalid {
				in.Invalid++
			}
			if in.cur.Plain() {
				in.Plain = true
			}
			return rec, nil
		}
		if in.file != nil {
			in.file.Close()
			in.file = nil
		}
		in.cur = nil
		if !errors.Is(err, io.EOF) {
			return nil, sysexits.New(sysexits.IOErr, err, "")
		}
	}
}

// Ready reports whether Next returns a record already read from the
// input (see Reader.Ready).
func (in *Inputs) Ready() bool {
	return in.cur != nil && in.cur.Ready()
}
