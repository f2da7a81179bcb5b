package main

import (
	"bufio"
	"slices"
	"strings"
	"time"

	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/pipeline"
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
		sink = tasks.NewEachSink(jsonl.NewWriter(env.Stdout))
	case format == "jsonl":
		sink = jsonl.NewWriter(env.Stdout)
	case format == "ics":
		cal = tasks.NewCalendar(out, tool.Now())
		sink = tasks.NewLineSink(out, cal.Add)
	default:
		render := map[string]func(tasks.Task) string{
			"taskwarrior": func(t tasks.Task) string { return string(tasks.Taskwarrior(t)) },
			"todotxt":     tasks.TodoTxt,
			"markdown":    tasks.Markdown,
		}[format]
		sink = tasks.NewLineSink(out, func(t tasks.Task) error {
			_, err := out.WriteString(render(t) + "\n")
			return err
		})
	}
	var appender *tasks.AppendSink
	if path := opts.append; path != "" {
		appender = tasks.NewAppendSink(sink, path, func(n int, line int) {
			env.Log.Debug("appended", "file", path, "tasks", n, "record", line)
		})
		sink = appender
	}
	err = env.Run(x.Record, sink)
	if cal != nil {
		if cerr := cal.Close(); cerr == nil {
			out.Flush()
		}
	}
	if appender != nil {
		if aerr := appender.Err(); aerr != nil {
			err = sysexits.Join(sysexits.New(sysexits.CantCreate, "check that the file's folder exists and can be written; the records went on, each with this error in its errors field", aerr), err)
		}
	}
	return err
}
