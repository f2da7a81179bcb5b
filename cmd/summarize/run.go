package main

import (
	"bufio"
	"context"
	"io"
	"slices"
	"strings"

	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/summarize"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "field", Value: "text", Usage: "summarize the text at gjson `PATH`"},
		&cli.StringFlag{Name: "style", Value: "brief", Usage: "summary `STYLE`: " + strings.Join(summarize.Styles, ", ") + " (any word with your own prompt)", EnvVars: []string{"SHELF_SUMMARIZE_STYLE"}},
		&cli.StringFlag{Name: "check", Value: summarize.CheckWarn, Usage: "check the summary against the text: `MODE` " + strings.Join(summarize.CheckModes, ", "), EnvVars: []string{"SHELF_SUMMARIZE_CHECK"}},
		&cli.BoolFlag{Name: "raw", Aliases: []string{"r"}, Usage: "print just the summary text; for plain-text input it streams as it is generated"},
	}
}

// options are summarize's own flags (--field and the model's are read by
// the environment).
type options struct {
	style string
	check string
	raw   bool
}

func newOptions(c *cli.Context) options {
	return options{style: c.String("style"), check: c.String("check"), raw: c.Bool("raw")}
}

func run(env *tool.Env) error {
	opts := newOptions(env.CLI)
	p, err := env.LoadPrompt()
	if err != nil {
		return err
	}
	if p.Origin == "built-in" && !slices.Contains(summarize.Styles, opts.style) {
		return sysexits.Errorf(sysexits.Usage, "the built-in styles are "+strings.Join(summarize.Styles, ", ")+"; your own prompt may know others",
			"unknown style %q", opts.style)
	}
	if !slices.Contains(summarize.CheckModes, opts.check) {
		return env.BadSetting("check", "must be one of %s, not %q", strings.Join(summarize.CheckModes, ", "), opts.check)
	}
	client, err := env.Client()
	if err != nil {
		return err
	}
	s := summarize.New(client, p, summarize.Options{
		Options: env.AskOptions("summarizing it"),
		Style:   opts.style,
		Check:   opts.check,
		Warn:    func(line int, msg string) { env.Log.Warn(env.Safe(msg), "record", line) },
		OnPart: func(line, parts int) {
			env.Log.Info("text longer than the context window; summarizing it in parts", "record", line, "parts", parts)
		},
	})
	if !opts.raw {
		return env.Run(s.Record, nil)
	}
	return runRaw(env, s)
}

// runRaw prints summaries as text. Plain-text input streams; records are
// summarized through the pipeline and their summaries printed in order.
func runRaw(env *tool.Env, s *summarize.Summarizer) error {
	out := bufio.NewWriter(env.Stdout)
	in := env.Inputs()
	first, err := in.Next()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	queued := []*record.Record{first}
	if in.Plain {
		second, err := in.Next()
		if err == io.EOF { // one plain-text input: stream its summary
			env.WatchSignals()
			return streamText(env.CLI.Context, s, first, out)
		}
		if err == nil {
			queued = append(queued, second)
		}
	}
	src := &prepend{queued: queued, rest: in}
	return env.RunFrom(src, func(ctx context.Context, rec *record.Record) error {
		res, ok, err := s.RecordText(ctx, rec)
		if err != nil || !ok {
			return err
		}
		rec.Meta = res.Summary
		return nil
	}, &textSink{w: out})
}

func streamText(ctx context.Context, s *summarize.Summarizer, rec *record.Record, out *bufio.Writer) error {
	last := byte('\n')
	_, err := s.Text(ctx, rec.Get("text").String(), func(piece string) error {
		if piece == "" {
			return nil
		}
		if _, err := out.WriteString(piece); err != nil {
			return &pipeline.WriteError{Err: err}
		}
		last = piece[len(piece)-1]
		if err := out.Flush(); err != nil {
			return &pipeline.WriteError{Err: err}
		}
		return nil
	})
	if err == nil && last != '\n' {
		out.WriteByte('\n')
	}
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = &pipeline.WriteError{Err: ferr}
	}
	return err
}

// prepend yields the queued records, then the rest.
type prepend struct {
	queued []*record.Record
	rest   pipeline.Source
}

func (p *prepend) Next() (*record.Record, error) {
	if len(p.queued) > 0 {
		r := p.queued[0]
		p.queued = p.queued[1:]
		return r, nil
	}
	return p.rest.Next()
}

// Ready reports whether Next returns without reading more input.
func (p *prepend) Ready() bool {
	if len(p.queued) > 0 {
		return true
	}
	b, ok := p.rest.(pipeline.Buffered)
	return ok && b.Ready()
}

// textSink writes each record's summary as text.
type textSink struct{ w *bufio.Writer }

func (t *textSink) Write(rec *record.Record) error {
	s, ok := rec.Meta.(string)
	if !ok {
		return nil // no text, or failed (logged)
	}
	_, err := t.w.WriteString(strings.TrimRight(s, "\n") + "\n")
	return err
}

func (t *textSink) Flush() error { return t.w.Flush() }
