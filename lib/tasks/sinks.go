package tasks

import (
	"bufio"
	"fmt"

	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
)

// The sinks of the tasks tool: where a record's tasks go once found.

// tasksOf returns the tasks a record was given, if its work succeeded.
func tasksOf(rec *record.Record) ([]Task, bool) {
	switch m := rec.Meta.(type) {
	case []Task:
		return m, true
	case unappended:
		return m.tasks, true
	}
	return nil, false
}

// LineSink writes the tasks of each record in a format of one task a line.
type LineSink struct {
	w   *bufio.Writer
	add func(Task) error
}

// NewLineSink writes each record's tasks with add, flushing w at the end.
func NewLineSink(w *bufio.Writer, add func(Task) error) *LineSink {
	return &LineSink{w: w, add: add}
}

func (s *LineSink) Write(rec *record.Record) error {
	ts, _ := tasksOf(rec)
	for _, t := range ts {
		if err := s.add(t); err != nil {
			return err
		}
	}
	return nil
}

func (s *LineSink) Flush() error { return s.w.Flush() }

// EachSink writes one record per task; a record that yielded no task list
// (no text, a failure, a bad line) goes on as it is, so nothing is lost.
type EachSink struct{ w *jsonl.Writer }

// NewEachSink writes a record per task to w.
func NewEachSink(w *jsonl.Writer) *EachSink { return &EachSink{w: w} }

func (s *EachSink) Write(rec *record.Record) error {
	ts, ok := tasksOf(rec)
	if !ok {
		return s.w.Write(rec)
	}
	for _, t := range ts {
		b, err := record.Marshal(struct {
			Kind string `json:"kind"`
			Task
		}{"task", t})
		if err != nil {
			return err
		}
		tr := record.New(b)
		if u, ok := rec.Meta.(unappended); ok {
			tr.AppendError("tasks", u.msg)
		}
		if err := s.w.Write(tr); err != nil {
			return err
		}
	}
	return nil
}

func (s *EachSink) Flush() error { return s.w.Flush() }

// AppendSink adds each record's tasks to a todo.txt file, in input order,
// then hands the record on. A record whose tasks cannot be appended goes on
// all the same, with the reason in its errors field; the run's status says
// so once at the end (Err).
type AppendSink struct {
	pipeline.Sink
	path   string
	log    func(n, line int)
	failed int   // records whose tasks were not appended
	first  error // the first reason
}

// NewAppendSink appends to the todo.txt file at path before handing each
// record to next; log hears how many tasks each record added.
func NewAppendSink(next pipeline.Sink, path string, log func(n, line int)) *AppendSink {
	return &AppendSink{Sink: next, path: path, log: log}
}

func (s *AppendSink) Write(rec *record.Record) error {
	if ts, ok := tasksOf(rec); ok && len(ts) > 0 {
		n, err := AppendTodoTxt(s.path, ts)
		if err != nil {
			s.failed++
			if s.first == nil {
				s.first = err
			}
			msg := fmt.Sprintf("not appended to %s: %v", s.path, err)
			rec.AppendError("tasks", msg)
			rec.Meta = unappended{ts, msg}
		} else {
			s.log(n, rec.Line)
		}
	}
	return s.Sink.Write(rec)
}

// Err says how many records' tasks were not appended, and why (a
// *NotAppendedError), or nil.
func (s *AppendSink) Err() error {
	if s.failed == 0 {
		return nil
	}
	return &NotAppendedError{Records: s.failed, Path: s.path, Err: s.first}
}

// NotAppendedError is the failure of records' tasks to reach a todo.txt
// file; the records went on, each with the reason in its errors field.
type NotAppendedError struct {
	Records int
	Path    string
	Err     error // the first reason
}

func (e *NotAppendedError) Error() string {
	records := fmt.Sprintf("%d records", e.Records)
	if e.Records == 1 {
		records = "1 record"
	}
	return fmt.Sprintf("the tasks of %s were not appended to %s: %v", records, e.Path, e.Err)
}

func (e *NotAppendedError) Unwrap() error { return e.Err }

// unappended marks the tasks of a record that could not be appended, so
// that --each gives each task record the error too.
type unappended struct {
	tasks []Task
	msg   string
}
