package main

import (
	"bufio"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tasks"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

var formats = []string{"jsonl", "taskwarrior", "todotxt", "markdown", "ics"}

func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "field", Value: "text", Usage: "find tasks in the text at gjson `PATH`"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "jsonl", Usage: "write `FORMAT`: " + strings.Join(formats, ", ")},
		&cli.BoolFlag{Name: "each", Usage: "write one record per task instead of the records"},
		&cli.StringFlag{Name: "append", Usage: "add the tasks not yet in the todo.txt `FILE` to it"},
		&cli.StringFlag{Name: "tz", Usage: "resolve dates in time zone `ZONE` (an IANA name; default: $TZ, else the system's)"},
		&cli.BoolFlag{Name: "grounded", Usage: "keep only the tasks whose quote is found in the text (the others are named in errors)"},
	}
}

// options are the flags of tasks that are its own (--field and the
// model's are read by the environment), checked.
type options struct {
	format string
	each   bool
	append string // the todo.txt file, or ""
	zone   *time.Location
}

func newOptions(c *cli.Context) (options, error) {
	opts := options{format: c.String("format"), each: c.Bool("each"), append: c.String("append"), zone: time.Local}
	if !slices.Contains(formats, opts.format) {
		return opts, sysexits.Errorf(sysexits.Usage, "the formats are "+strings.Join(formats, ", "), "unknown format %q", opts.format)
	}
	if opts.each && opts.format != "jsonl" {
		return opts, sysexits.Errorf(sysexits.Usage, "--each writes records; the other formats are one task a line already", "--each goes with --format jsonl, not %s", opts.format)
	}
	if name := c.String("tz"); name != "" {
		var err error
		if opts.zone, err = time.LoadLocation(name); err != nil {
			return opts, sysexits.Errorf(sysexits.Usage, "use an IANA zone name such as Europe/Berlin, America/New_York or UTC", "--tz %s: %v", name, err)
		}
	}
	return opts, nil
}

func run(env *tool.Env) error {
	opts, err := newOptions(env.CLI)
	if err != nil {
		return err
	}
	p, err := env.LoadPrompt()
	if err != nil {
		return err
	}
	client, err := env.Client()
	if err != nil {
		return err
	}
	x := tasks.New(client, p, tasks.Options{
		Options:  env.AskOptions("finding its tasks"),
		Zone:     opts.zone,
		Grounded: env.CLI.Bool("grounded"),
		Warn:     func(line int, msg string) { env.Log.Warn(msg, "record", line) },
	})
	format := opts.format

	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	var sink pipeline.Sink
	var cal *tasks.Calendar
	switch {
	case opts.each:
		sink = &eachSink{w: jsonl.NewWriter(env.Stdout)}
	case format == "jsonl":
		sink = jsonl.NewWriter(env.Stdout)
	case format == "ics":
		cal = tasks.NewCalendar(out, tool.Now())
		sink = &lineSink{w: out, add: cal.Add}
	default:
		render := map[string]func(tasks.Task) string{
			"taskwarrior": func(t tasks.Task) string { return string(tasks.Taskwarrior(t)) },
			"todotxt":     tasks.TodoTxt,
			"markdown":    tasks.Markdown,
		}[format]
		sink = &lineSink{w: out, add: func(t tasks.Task) error {
			_, err := out.WriteString(render(t) + "\n")
			return err
		}}
	}
	var appender *appendSink
	if path := opts.append; path != "" {
		appender = &appendSink{Sink: sink, path: path, log: func(n int, line int) {
			env.Log.Debug("appended", "file", path, "tasks", n, "record", line)
		}}
		sink = appender
	}
	err = env.Run(x.Record, sink)
	if cal != nil {
		if cerr := cal.Close(); cerr == nil {
			out.Flush()
		}
	}
	if appender != nil {
		err = sysexits.Join(appender.Err(), err)
	}
	return err
}

// tasksOf returns the tasks a record was given, if its work succeeded.
func tasksOf(rec *record.Record) ([]tasks.Task, bool) {
	switch m := rec.Meta.(type) {
	case []tasks.Task:
		return m, true
	case unappended:
		return m.tasks, true
	}
	return nil, false
}

// lineSink writes the tasks of each record in a format of one task a line.
type lineSink struct {
	w   *bufio.Writer
	add func(tasks.Task) error
}

func (s *lineSink) Write(rec *record.Record) error {
	ts, _ := tasksOf(rec)
	for _, t := range ts {
		if err := s.add(t); err != nil {
			return err
		}
	}
	return nil
}

func (s *lineSink) Flush() error { return s.w.Flush() }

// eachSink writes one record per task; a record that yielded no task list
// (no text, a failure, a bad line) goes on as it is, so nothing is lost.
type eachSink struct{ w *jsonl.Writer }

func (s *eachSink) Write(rec *record.Record) error {
	ts, ok := tasksOf(rec)
	if !ok {
		return s.w.Write(rec)
	}
	for _, t := range ts {
		b, err := record.Marshal(struct {
			Kind string `json:"kind"`
			tasks.Task
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

func (s *eachSink) Flush() error { return s.w.Flush() }

// appendSink adds each record's tasks to a todo.txt file, in input order,
// then hands the record on. A record whose tasks cannot be appended goes on
// all the same, with the reason in its errors field; the run's status says
// so once at the end (Err).
type appendSink struct {
	pipeline.Sink
	path   string
	log    func(n, line int)
	failed int   // records whose tasks were not appended
	first  error // the first reason
}

func (s *appendSink) Write(rec *record.Record) error {
	if ts, ok := tasksOf(rec); ok && len(ts) > 0 {
		n, err := tasks.AppendTodoTxt(s.path, ts)
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

// Err says how many records' tasks were not appended, and why.
func (s *appendSink) Err() error {
	if s.failed == 0 {
		return nil
	}
	records := fmt.Sprintf("%d records", s.failed)
	if s.failed == 1 {
		records = "1 record"
	}
	return sysexits.Errorf(sysexits.CantCreate, "check that the file's folder exists and can be written; the records went on, each with this error in its errors field",
		"the tasks of %s were not appended to %s: %v", records, s.path, s.first)
}

// unappended marks the tasks of a record that could not be appended, so
// that --each gives each task record the error too.
type unappended struct {
	tasks []tasks.Task
	msg   string
}
