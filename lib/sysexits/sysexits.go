// Package sysexits provides the exit statuses of sysexits.h and an error
// type that carries one, with an optional hint that tells the user what to
// type next.
//
// Libraries return these errors; only the edge of a program (lib/tool)
// turns them into an exit status and prints them, once.
package sysexits

import (
	"errors"
	"fmt"
	"strings"
)

// Exit statuses used by the shelf tools (see the record contract).
const (
	OK          = 0
	Failure     = 1  // anything else
	Usage       = 64 // command-line usage error
	DataErr     = 65 // some input lines were not JSON
	NoInput     = 66 // an input file could not be opened
	Unavailable = 69 // the endpoint could not be reached at all
	CantCreate  = 73 // cannot write the vault or store
	IOErr       = 74 // input/output error
	TempFail    = 75 // temporary failure: retry later
	Config      = 78 // bad configuration
	Interrupted = 130
	Terminated  = 143
)

// Error is an error with an exit status and an optional hint.
type Error struct {
	Code int
	Err  error
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ExitCode makes Error an urfave/cli ExitCoder.
func (e *Error) ExitCode() int { return e.Code }

// New wraps err with an exit status and a hint (which may be empty). Its
// arguments come in Errorf's order: code, hint, then the error.
func New(code int, hint string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err, Hint: hint}
}

// Errorf formats an error that carries code and hint.
func Errorf(code int, hint, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...), Hint: hint}
}

// Code returns the exit status carried by err: the outermost Error's code,
// 0 for nil, and Failure for an error that carries none.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var c interface{ ExitCode() int }
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return Failure
}

// Hint returns the first hint found in err's chain, or "".
func Hint(err error) string {
	for err != nil {
		if e, ok := err.(*Error); ok && e.Hint != "" {
			return e.Hint
		}
		err = errors.Unwrap(err)
	}
	return ""
}

// Worst picks the exit status that tells the most when a run had several
// kinds of trouble: an interruption, then configuration, a store or vault
// that cannot be written, an unreachable endpoint, unreadable input files,
// a permanent failure, a temporary one, and bad input lines last. Codes of
// equal rank are ordered by value, so the choice never depends on order.
func Worst(codes ...int) int {
	rank := map[int]int{
		OK: 0, DataErr: 1, TempFail: 2, Failure: 3, NoInput: 4, IOErr: 4,
		Unavailable: 5, CantCreate: 6, Config: 7, Interrupted: 8, Terminated: 8,
	}
	r := func(c int) int {
		if v, ok := rank[c]; ok {
			return v
		}
		return 3
	}
	best := OK
	for _, c := range codes {
		if r(c) > r(best) || r(c) == r(best) && c > best {
			best = c
		}
	}
	return best
}

// Join makes one error of the troubles of one run (the records that failed,
// and a file that could not be written): its message is theirs with "; "
// between, its exit status the worst of theirs (as Worst picks it), and its
// hint that of the error that carries that status. Nil errors are left
// out; with none left Join returns nil, with one that error.
func Join(errs ...error) error {
	var kept []error
	for _, err := range errs {
		if err != nil {
			kept = append(kept, err)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	}
	codes := make([]int, len(kept))
	for i, err := range kept {
		codes[i] = Code(err)
	}
	code := Worst(codes...)
	hint := ""
	for i, err := range kept {
		if codes[i] == code {
			hint = Hint(err)
			break
		}
	}
	return &Error{Code: code, Err: joined(kept), Hint: hint}
}

// joined is the message and the chain of Join's errors.
type joined []error

func (j joined) Error() string {
	msgs := make([]string, len(j))
	for i, err := range j {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (j joined) Unwrap() []error { return j }
