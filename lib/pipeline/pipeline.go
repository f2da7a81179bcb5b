// Package pipeline provides the concurrent, order-keeping map that every
// shelf filter runs its records through.
//
// Records are worked on by up to Jobs goroutines at once and written in
// input order, each as soon as it and all before it are done. At most a few
// times Jobs records are in flight, so memory stays bounded however long the
// input. A record whose work fails is written unchanged but for an appended
// "errors" entry; an interrupted run still writes every record it read.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
)

// Source yields records; io.EOF ends it. Other errors are reported and
// reading goes on (as cat goes on to its next file).
type Source interface {
	Next() (*record.Record, error)
}

// Sink receives the finished records in input order.
type Sink interface {
	Write(*record.Record) error
	Flush() error
}

// Func works on one record. It gets a private copy of the record and may
// change it with its methods (Set and SetRaw make new bytes and never write
// into the old ones, so the copy shares them until then): when it returns an
// error, the copy is thrown away and the original record is written with the
// error appended.
type Func func(ctx context.Context, rec *record.Record) error

// Options tune a run.
type Options struct {
	Tool   string // names the tool in "errors" entries
	Jobs   int    // records worked on at once (at least 1)
	Strict bool   // stop at the first line that is not a JSON object
	// Failed, if set, is called for every record whose work failed, in
	// output order (for logging).
	Failed func(rec *record.Record, err error)
	// Progress, if set, is called after each record is written.
	Progress func(Stats)
}

// Stats counts what a run did.
type Stats struct {
	Read    int         // records read (including invalid lines)
	Written int         // records written
	Invalid int         // lines that were not JSON objects
	Failed  int         // records whose work failed
	Codes   map[int]int // exit status of each failure, counted
}

// ExitCode is the status the run's records call for (0 when all went well).
func (s Stats) ExitCode() int {
	codes := []int{}
	if s.Invalid > 0 {
		codes = append(codes, sysexits.DataErr)
	}
	for c := range s.Codes {
		codes = append(codes, c)
	}
	return sysexits.Worst(codes...)
}

// ErrStrict is returned (wrapped) when Strict stopped a run at a bad line.
var ErrStrict = errors.New("stopped at an invalid line (--strict)")

type slot struct {
	in   *record.Record
	out  *record.Record
	err  error
	done chan struct{}
}

// Run reads src to the end (or until ctx is cancelled), works on each record
// with fn, and writes the records to sink in input order. The error it
// returns is about the run itself (a read error, a write error, --strict, an
// interruption); failures of single records are in the records and Stats.
func Run(ctx context.Context, src Source, sink Sink, opt Options, fn Func) (Stats, error) {
	jobs := max(opt.Jobs, 1)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	order := make(chan *slot, 2*jobs)
	work := make(chan *slot)
	var stats Stats
	stats.Codes = map[int]int{}
	var runErr error
	var mu sync.Mutex
	setErr := func(err error) {
		mu.Lock()
		if runErr == nil {
			runErr = err
		}
		mu.Unlock()
	}

	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				process(ctx, s, opt.Tool, fn)
			}
		}()
	}

	// The raw reader may block in a read that nothing can interrupt, so it
	// runs on its own. It hands over every record it has read; after a
	// cancel, the dispatcher still takes those, and stops waiting once the
	// reader sits in a read (a partial line is not a record read).
	type item struct {
		rec *record.Record
		err error
	}
	raw := make(chan item)
	var reading atomic.Bool
	go func() {
		defer close(raw)
		for ctx.Err() == nil {
			reading.Store(true)
			rec, err := src.Next()
			reading.Store(false)
			raw <- item{rec, err}
			if errors.Is(err, io.EOF) {
				return
			}
		}
	}()
	next := func() (item, bool) {
		select {
		case it, ok := <-raw:
			return it, ok
		case <-ctx.Done():
		}
		for {
			select {
			case it, ok := <-raw:
				return it, ok
			case <-time.After(20 * time.Millisecond):
				if reading.Load() {
					return item{}, false
				}
			}
		}
	}

	go func() {
		defer close(order)
		defer close(work)
		for {
			it, ok := next()
			if !ok {
				return
			}
			if it.err != nil {
				if errors.Is(it.err, io.EOF) {
					return
				}
				setErr(it.err)
				continue
			}
			if it.rec.Invalid && opt.Strict {
				setErr(sysexits.New(sysexits.DataErr, fmt.Errorf("%s", firstMessage(it.rec)), "without --strict, bad lines become error records and the run goes on"))
				return
			}
			s := &slot{in: it.rec, done: make(chan struct{})}
			// Every record read is written, so this send never gives up:
			// the writer below always drains order.
			order <- s
			if it.rec.Invalid {
				s.out = it.rec
				close(s.done)
				continue
			}
			select {
			case work <- s:
			case <-ctx.Done():
				interrupted(ctx, s, opt.Tool)
				close(s.done)
			}
		}
	}()

	var writeErr error
	for s := range order {
		<-s.done
		stats.Read++
		if s.in.Invalid {
			stats.Invalid++
		}
		if s.err != nil {
			stats.Failed++
			stats.Codes[sysexits.Code(s.err)]++
			if opt.Failed != nil {
				opt.Failed(s.out, s.err)
			}
		}
		if writeErr == nil {
			writeErr = sink.Write(s.out)
			if writeErr == nil && len(order) == 0 {
				writeErr = sink.Flush()
			}
			if writeErr != nil {
				cancel(writeErr)
				continue
			}
			stats.Written++
			if opt.Progress != nil {
				opt.Progress(stats)
			}
		}
	}
	wg.Wait()
	if writeErr == nil {
		writeErr = sink.Flush()
	}
	if writeErr != nil {
		return stats, &WriteError{Err: writeErr}
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return stats, cause
	}
	if ctx.Err() != nil {
		return stats, ctx.Err()
	}
	return stats, runErr
}

// WriteError is a failure to write the output (a closed pipe, a full disk).
type WriteError struct{ Err error }

func (e *WriteError) Error() string { return "write output: " + e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

func process(ctx context.Context, s *slot, tool string, fn Func) {
	defer close(s.done)
	if ctx.Err() != nil {
		interrupted(ctx, s, tool)
		return
	}
	work := *s.in // shallow: the bytes are shared until a Set replaces them
	err := fn(ctx, &work)
	if err == nil {
		s.out = &work
		return
	}
	if ctx.Err() != nil {
		interrupted(ctx, s, tool)
		return
	}
	s.err = err
	s.out = s.in.Clone()
	s.out.AppendError(tool, err.Error())
}

func interrupted(ctx context.Context, s *slot, tool string) {
	cause := context.Cause(ctx)
	msg := "interrupted"
	if cause != nil && !errors.Is(cause, context.Canceled) {
		msg = "interrupted: " + cause.Error()
	}
	s.err = sysexits.New(sysexits.TempFail, errors.New(msg), "")
	s.out = s.in.Clone()
	s.out.AppendError(tool, msg)
}

func firstMessage(rec *record.Record) string {
	if errs := rec.Errors(); len(errs) > 0 {
		return errs[0].Message
	}
	return fmt.Sprintf("line %d: invalid", rec.Line)
}
