package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
)

type sliceSink struct {
	recs    []*record.Record
	flushes int
	failAt  int
}

func (s *sliceSink) Write(r *record.Record) error {
	if s.failAt > 0 && len(s.recs) == s.failAt {
		return errors.New("broken pipe")
	}
	s.recs = append(s.recs, r)
	return nil
}
func (s *sliceSink) Flush() error { s.flushes++; return nil }

func input(n int) *jsonl.Reader {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "{\"n\":%d}\n", i)
	}
	return jsonl.NewReader(strings.NewReader(b.String()), "<stdin>", "t")
}

func TestOrderKeptUnderConcurrency(t *testing.T) {
	var inFlight, peak atomic.Int32
	fn := func(ctx context.Context, r *record.Record) error {
		cur := inFlight.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
		inFlight.Add(-1)
		return r.Set("done", true)
	}
	sink := &sliceSink{}
	st, err := Run(context.Background(), input(300), sink, Options{Tool: "t", Jobs: 8}, fn)
	if err != nil {
		t.Fatal(err)
	}
	if st.Written != 300 || len(sink.recs) != 300 {
		t.Fatalf("written %d", st.Written)
	}
	for i, r := range sink.recs {
		if r.Get("n").Int() != int64(i) || !r.Get("done").Bool() {
			t.Fatalf("record %d out of order or not done: %s", i, r.JSON)
		}
	}
	if peak.Load() < 2 || peak.Load() > 8 {
		t.Errorf("peak concurrency %d, want 2..8", peak.Load())
	}
}

func TestFailureKeepsRecordUnchanged(t *testing.T) {
	fn := func(ctx context.Context, r *record.Record) error {
		r.Set("half", "done") // must be thrown away
		if r.Get("n").Int()%2 == 1 {
			return sysexits.New(sysexits.TempFail, "", errors.New("model busy"))
		}
		return nil
	}
	sink := &sliceSink{}
	st, err := Run(context.Background(), input(4), sink, Options{Tool: "t", Jobs: 2}, fn)
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 2 || st.ExitCode() != sysexits.TempFail {
		t.Fatalf("failed %d code %d", st.Failed, st.ExitCode())
	}
	if got := string(sink.recs[1].JSON); got != `{"n":1,"errors":[{"tool":"t","message":"model busy"}]}` {
		t.Errorf("failed record: %s", got)
	}
	if got := string(sink.recs[0].JSON); got != `{"n":0,"half":"done"}` {
		t.Errorf("good record: %s", got)
	}
}

func TestInvalidLinesPassAndStrictStops(t *testing.T) {
	in := "{\"n\":0}\nnope\n{\"n\":2}\n"
	fn := func(ctx context.Context, r *record.Record) error { return nil }
	sink := &sliceSink{}
	st, err := Run(context.Background(), jsonl.NewReader(strings.NewReader(in), "<stdin>", "t"), sink, Options{Tool: "t"}, fn)
	if err != nil || st.Invalid != 1 || len(sink.recs) != 3 || st.ExitCode() != sysexits.DataErr {
		t.Fatalf("err %v stats %+v", err, st)
	}
	sink = &sliceSink{}
	_, err = Run(context.Background(), jsonl.NewReader(strings.NewReader(in), "<stdin>", "t"), sink, Options{Tool: "t", Strict: true}, fn)
	if sysexits.Code(err) != sysexits.DataErr || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("strict: %v", err)
	}
	if len(sink.recs) != 1 {
		t.Fatalf("strict wrote %d records, want the 1 before the bad line", len(sink.recs))
	}
}

// blockingSource yields n records, then blocks until ctx ends, like a
// terminal or pipe that has more to say.
type blockingSource struct {
	r    *jsonl.Reader
	left int
	ctx  context.Context
	read atomic.Int32
}

func (b *blockingSource) Next() (*record.Record, error) {
	if b.left == 0 {
		<-b.ctx.Done()
		time.Sleep(50 * time.Millisecond)
		return nil, io.EOF
	}
	b.left--
	b.read.Add(1)
	return b.r.Next()
}

func TestInterruptWritesEveryRecordRead(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	started := make(chan struct{}, 10)
	fn := func(ctx context.Context, r *record.Record) error {
		if r.Get("n").Int() == 0 {
			return nil
		}
		started <- struct{}{}
		<-ctx.Done() // a request in flight, cancelled
		return ctx.Err()
	}
	sink := &sliceSink{}
	src := &blockingSource{r: input(5), left: 5, ctx: ctx}
	go func() {
		<-started
		cancel(sysexits.New(sysexits.Interrupted, "", errors.New("interrupted by SIGINT")))
	}()
	st, err := Run(ctx, src, sink, Options{Tool: "t", Jobs: 2}, fn)
	if sysexits.Code(err) != sysexits.Interrupted {
		t.Fatalf("err %v", err)
	}
	if n := int(src.read.Load()); len(sink.recs) != n || st.Written != n || n < 2 {
		t.Fatalf("wrote %d of %d records read", len(sink.recs), n)
	}
	marked := 0
	for i, r := range sink.recs {
		if i > 0 && !r.Has("errors") {
			t.Errorf("record %d was never finished but has no error: %s", i, r.JSON)
		}
		if r.Has("errors") {
			marked++
			if want := `{"tool":"t","message":"interrupted by SIGINT"}`; !strings.Contains(string(r.JSON), want) {
				t.Errorf("unfinished record %s lacks %s", r.JSON, want)
			}
		}
	}
	if marked == 0 {
		t.Error("no record marked as interrupted")
	}
}

func TestWriteErrorStops(t *testing.T) {
	sink := &sliceSink{failAt: 3}
	_, err := Run(context.Background(), input(1000), sink, Options{Tool: "t", Jobs: 4}, func(ctx context.Context, r *record.Record) error { return nil })
	var we *WriteError
	if !errors.As(err, &we) {
		t.Fatalf("err %v", err)
	}
}

func TestBoundedMemory(t *testing.T) {
	// The reader must not run ahead of the writer by more than a few
	// times Jobs records.
	var read atomic.Int32
	src := &countingSource{r: input(10000), n: &read}
	var maxAhead int32
	written := int32(0)
	sink := &funcSink{f: func(*record.Record) error {
		written++
		if a := read.Load() - written; a > maxAhead {
			maxAhead = a
		}
		return nil
	}}
	Run(context.Background(), src, sink, Options{Tool: "t", Jobs: 4}, func(ctx context.Context, r *record.Record) error { return nil })
	if maxAhead > 20 {
		t.Fatalf("reader ran %d records ahead", maxAhead)
	}
}

type countingSource struct {
	r *jsonl.Reader
	n *atomic.Int32
}

func (c *countingSource) Next() (*record.Record, error) {
	r, err := c.r.Next()
	if err == nil {
		c.n.Add(1)
	}
	return r, err
}

type funcSink struct{ f func(*record.Record) error }

func (s *funcSink) Write(r *record.Record) error { return s.f(r) }
func (s *funcSink) Flush() error                 { return nil }

// TestInterruptWritesBufferedRecords: records whose lines were already read
// into the reader's buffer when the run was interrupted come out too,
// marked, and nothing past them is read.
func TestInterruptWritesBufferedRecords(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	started := make(chan struct{}, 100)
	fn := func(ctx context.Context, r *record.Record) error {
		started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "{\"n\":%d}\n", i)
	}
	// A pipe that delivers all 40 lines at once, then stays open.
	pr, pw := io.Pipe()
	go pw.Write([]byte(b.String()))
	defer pw.Close()
	src := jsonl.NewReader(pr, "<stdin>", "t")
	go func() {
		<-started
		cancel(sysexits.New(sysexits.Interrupted, "", errors.New("interrupted by SIGINT")))
	}()
	sink := &sliceSink{}
	_, err := Run(ctx, src, sink, Options{Tool: "t", Jobs: 2}, fn)
	if sysexits.Code(err) != sysexits.Interrupted {
		t.Fatalf("err %v", err)
	}
	if len(sink.recs) != 40 {
		t.Fatalf("wrote %d of the 40 records read", len(sink.recs))
	}
	for i, r := range sink.recs {
		if r.Get("n").Int() != int64(i) || !strings.Contains(string(r.JSON), `"message":"interrupted by SIGINT"`) {
			t.Errorf("record %d: %s", i, r.JSON)
		}
	}
}

func TestStrict(t *testing.T) {
	src := jsonl.NewReader(strings.NewReader("{\"n\":1}\n[1]\n{\"n\":2}\n"), "<stdin>", "t")
	sink := &sliceSink{}
	_, err := Run(context.Background(), src, sink, Options{Tool: "t", Strict: true}, func(context.Context, *record.Record) error { return nil })
	if !errors.Is(err, errStrict) || sysexits.Code(err) != sysexits.DataErr || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err %v (code %d)", err, sysexits.Code(err))
	}
	if len(sink.recs) != 1 {
		t.Errorf("wrote %d records, want the 1 before the bad line", len(sink.recs))
	}
}
