// Package pipeline provides the concurrent, order-keeping map that every
// shelf filter runs its records through.
//
// Records are worked on by up to Jobs goroutines at once and written in
// input order, each as soon as it and all before it are done. At most a few
// times Jobs records are in flight, so memory stays bounded however long the
// input. A record whose work fails is written unchanged but for an appended
// "errors" entry.
//
// A run has four parts, each a function below, joined by channels:
//
//	reader ──items──▶ dispatcher ──work──▶ workers (Jobs of them)
//	                      │                     │ close(slot.done)
//	                      └──order (slots)──▶ writer, in input order
//
// The one invariant: every record the reader consumed from its input is
// written, exactly once and in order, even after an interruption (then
// those not finished carry an "interrupted" error). Everything else
// follows from it: the dispatcher queues a slot for the writer before any
// worker sees it, and the writer drains every queued slot.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
)

// Source yields records; io.EOF ends it. Other errors are reported and
// reading goes on (as cat goes on to its next file).
type Source interface {
	Next() (*record.Record, error)
}

// Buffered is a Source that can tell whether its next record is already
// read from the input (a whole line in its buffer), so that Next returns it
// without waiting. After an interruption the run still takes those
// records, since they have been consumed from the input, and no more.
type Buffered interface {
	Source
	Ready() bool
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
	// output order (for logging); not for those an interruption stopped,
	// which the run's error reports.
	Failed func(rec *record.Record, err error)
	// Progress, if set, is called after each record is written.
	Progress func(Stats)
	// Redact, if set, masks secrets in the error messages put into
	// records.
	Redact func(string) string
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

// errStrict is returned (wrapped, with exit status 65) when Strict stopped
// a run at a bad line.
var errStrict = errors.New("stopped at an invalid line (--strict)")

// WriteError is a failure to write the output (a closed pipe, a full disk).
type WriteError struct{ Err error }

func (e *WriteError) Error() string { return "write output: " + e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// slot is one record on its way through: queued for the writer in input
// order, finished by a worker (or the dispatcher) closing done.
type slot struct {
	in   *record.Record
	out  *record.Record
	err  error
	done chan struct{}
	// stopped: finished unworked by an interruption, which the run's
	// error reports once, not each record.
	stopped bool
}

// item is what the reader hands over: a record, or a read error.
type item struct {
	rec *record.Record
	err error
}

// run holds what the parts share.
type run struct {
	src    Source
	sink   Sink
	opt    Options
	fn     Func
	ctx    context.Context
	cancel context.CancelCauseFunc

	items   chan item     // reader → dispatcher
	waiting chan struct{} // holds a token while the reader waits for input
	stop    chan struct{} // closed when the dispatcher takes no more items
	work    chan *slot    // dispatcher → workers
	order   chan *slot    // dispatcher → writer, in input order

	errOnce sync.Once
	runErr  error // the first read error, or --strict
}

// Run reads src to the end (or until ctx is cancelled), works on each record
// with fn, and writes the records to sink in input order. The error it
// returns is about the run itself (a read error, a write error, --strict, an
// interruption); failures of single records are in the records and Stats.
func Run(ctx context.Context, src Source, sink Sink, opt Options, fn Func) (Stats, error) {
	opt.Jobs = max(opt.Jobs, 1)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &run{
		src: src, sink: sink, opt: opt, fn: fn, ctx: ctx, cancel: cancel,
		items:   make(chan item),
		waiting: make(chan struct{}, 1),
		stop:    make(chan struct{}),
		work:    make(chan *slot),
		order:   make(chan *slot, 2*opt.Jobs),
	}
	var workers sync.WaitGroup
	for range opt.Jobs {
		workers.Go(r.worker)
	}
	go r.read()
	go r.dispatch()
	stats, writeErr := r.write()
	workers.Wait()

	if writeErr != nil {
		return stats, &WriteError{Err: writeErr}
	}
	if cause := context.Cause(ctx); cause != nil {
		if errors.Is(cause, context.Canceled) && ctx.Err() != nil {
			return stats, ctx.Err()
		}
		return stats, cause
	}
	return stats, r.runErr
}

// read takes records from the source and hands them to the dispatcher. It
// runs on its own because a read may block in a way nothing can interrupt.
// Once the run is cancelled it goes on only while the source has records
// already consumed from its input (Buffered), then stops.
func (r *run) read() {
	defer close(r.items)
	for {
		ready := false
		if b, ok := r.src.(Buffered); ok {
			ready = b.Ready()
		}
		if !ready {
			if r.ctx.Err() != nil {
				return
			}
			// Tell the dispatcher that this read may wait for input: after
			// a cancel, it need not wait for what comes of it.
			select {
			case r.waiting <- struct{}{}:
			default:
			}
		}
		rec, err := r.src.Next()
		select {
		case <-r.waiting:
		default:
		}
		select {
		case r.items <- item{rec, err}:
		case <-r.stop:
			return
		}
		if errors.Is(err, io.EOF) {
			return
		}
	}
}

// next returns the reader's next item. Once the run is cancelled it
// returns false as soon as the reader waits for input, since such a line is
// not yet consumed.
func (r *run) next() (item, bool) {
	select {
	case it, ok := <-r.items:
		return it, ok
	case <-r.ctx.Done():
	}
	select {
	case it, ok := <-r.items:
		return it, ok
	case <-r.waiting:
		return item{}, false
	}
}

// dispatch queues every record for the writer, then hands it to a worker
// (or, after a cancel, finishes it as interrupted).
func (r *run) dispatch() {
	defer close(r.order)
	defer close(r.work)
	defer close(r.stop)
	for {
		it, ok := r.next()
		if !ok {
			return
		}
		if it.err != nil {
			if errors.Is(it.err, io.EOF) {
				return
			}
			r.setErr(it.err)
			continue
		}
		if it.rec.Invalid && r.opt.Strict {
			r.setErr(sysexits.New(sysexits.DataErr, "without --strict, bad lines become error records and the run goes on", fmt.Errorf("%s: %w", firstMessage(it.rec), errStrict)))
			return
		}
		s := &slot{in: it.rec, done: make(chan struct{})}
		// The writer always drains order, so this send never gives up.
		r.order <- s
		if it.rec.Invalid {
			s.out = it.rec
			close(s.done)
			continue
		}
		select {
		case r.work <- s:
		case <-r.ctx.Done():
			r.interrupted(s)
			close(s.done)
		}
	}
}

// worker runs fn on the records handed to it.
func (r *run) worker() {
	for s := range r.work {
		r.process(s)
	}
}

// write writes the slots in input order as each is done, and counts.
// After a write error it goes on draining (so nothing upstream blocks) but
// writes no more.
func (r *run) write() (Stats, error) {
	stats := Stats{Codes: map[int]int{}}
	var writeErr error
	for s := range r.order {
		<-s.done
		stats.Read++
		if s.in.Invalid {
			stats.Invalid++
		}
		if s.err != nil {
			stats.Failed++
			stats.Codes[sysexits.Code(s.err)]++
			if r.opt.Failed != nil && !s.stopped {
				r.opt.Failed(s.out, s.err)
			}
		}
		if writeErr != nil {
			continue
		}
		writeErr = r.sink.Write(s.out)
		if writeErr == nil && len(r.order) == 0 {
			writeErr = r.sink.Flush()
		}
		if writeErr != nil {
			r.cancel(writeErr)
			continue
		}
		stats.Written++
		if r.opt.Progress != nil {
			r.opt.Progress(stats)
		}
	}
	if writeErr == nil {
		writeErr = r.sink.Flush()
	}
	return stats, writeErr
}

func (r *run) setErr(err error) { r.errOnce.Do(func() { r.runErr = err }) }

func (r *run) process(s *slot) {
	defer close(s.done)
	if r.ctx.Err() != nil {
		r.interrupted(s)
		return
	}
	work := *s.in // shallow: the bytes are shared until a Set replaces them
	err := r.fn(r.ctx, &work)
	if err == nil {
		s.out = &work
		return
	}
	if r.ctx.Err() != nil {
		r.interrupted(s)
		return
	}
	s.err = err
	s.out = s.in.Clone()
	msg := err.Error()
	if r.opt.Redact != nil {
		msg = r.opt.Redact(msg)
	}
	s.out.AppendError(r.opt.Tool, msg)
}

// interrupted finishes s unworked, with the cause of the cancel as its
// error ("interrupted by SIGINT"), or "interrupted".
func (r *run) interrupted(s *slot) {
	msg := "interrupted"
	if cause := context.Cause(r.ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		msg = cause.Error()
	}
	s.err = sysexits.New(sysexits.TempFail, "", errors.New(msg))
	s.stopped = true
	s.out = s.in.Clone()
	s.out.AppendError(r.opt.Tool, msg)
}

func firstMessage(rec *record.Record) string {
	if errs := rec.Errors(); len(errs) > 0 {
		return errs[0].Message
	}
	return fmt.Sprintf("line %d: invalid", rec.Line)
}
