package main

import (
	"bufio"
	"context"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/shelfai/shelf/lib/transcribe"
	"github.com/urfave/cli/v2"
)

var formats = []string{"jsonl", "srt", "vtt", "txt"}

func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "engine", Value: "auto", Usage: "`ENGINE`: whisper, api, or auto (whisper when built in and a model is given)", EnvVars: []string{"SHELF_TRANSCRIBE_ENGINE"}},
		&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "whisper: a model `NAME` (base.en) or file; api: the server's model (default whisper-1)", EnvVars: []string{"SHELF_TRANSCRIBE_MODEL"}},
		&cli.StringFlag{Name: "language", Aliases: []string{"l"}, Value: "auto", Usage: "the spoken `LANGUAGE` as a code (en, de, ...) or auto"},
		&cli.BoolFlag{Name: "translate", Usage: "translate the speech into English"},
		&cli.StringFlag{Name: "prompt", Usage: "initial prompt `TEXT`: names and spellings the speech uses"},
		&cli.IntFlag{Name: "threads", Usage: "whisper: `N` threads (default: all cores)"},
		&cli.Float64Flag{Name: "temperature-inc", Value: 0.2, Usage: "whisper: raise the temperature by `STEP` when decoding fails (0: never)"},
		&cli.StringFlag{Name: "vad-model", Usage: "whisper: detect voice first with the Silero VAD model `FILE`"},
		&cli.BoolFlag{Name: "segments", Usage: "write one record per segment"},
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "jsonl", Usage: "write `FORMAT`: " + strings.Join(formats, ", ")},
		&cli.StringFlag{Name: "max-audio", Value: "2GiB", Usage: "read at most `SIZE` of one audio file; a larger one fails its record", EnvVars: []string{"SHELF_MAX_AUDIO"}},
	}
}

func modelsDir() string { return filepath.Join(config.DataDir(), "models") }

// options are the flags of transcribe that are its own (the endpoint's
// are read by the environment), checked.
type options struct {
	engineName string
	engineOpts transcribe.Options
	segments   bool
	format     string
	names      []string // the audio files; none: records on stdin
}

func newOptions(c *cli.Context) (options, error) {
	opts := options{
		engineName: c.String("engine"),
		engineOpts: transcribe.Options{
			Model:          c.String("model"),
			Language:       c.String("language"),
			Translate:      c.Bool("translate"),
			Prompt:         c.String("prompt"),
			Threads:        c.Int("threads"),
			Temperature:    float32(c.Float64("temperature")),
			TemperatureInc: float32(c.Float64("temperature-inc")),
			VADModel:       c.String("vad-model"),
			Verbose:        c.Bool("verbose"),
		},
		segments: c.Bool("segments"),
		format:   c.String("format"),
		names:    c.Args().Slice(),
	}
	if !slices.Contains(formats, opts.format) {
		return opts, sysexits.Errorf(sysexits.Usage, "the formats are "+strings.Join(formats, ", "), "unknown format %q", opts.format)
	}
	if opts.segments && opts.format != "jsonl" {
		return opts, sysexits.Errorf(sysexits.Usage, "", "--segments goes with --format jsonl, not %s", opts.format)
	}
	if n := slices.Index(opts.names, "-"); n >= 0 && slices.Index(opts.names[n+1:], "-") >= 0 {
		return opts, sysexits.Errorf(sysexits.Usage, "", "standard input can be read once: give - at most once")
	}
	return opts, nil
}

// engine picks and starts the engine the options ask for.
func engine(env *tool.Env, opts options) (transcribe.Engine, error) {
	opt := opts.engineOpts
	name := opts.engineName
	switch name {
	case "auto":
		name = "api"
		if transcribe.WhisperBuilt && opt.Model != "" {
			name = "whisper"
		}
	case "api", "whisper":
	default:
		return nil, sysexits.Errorf(sysexits.Usage, "the engines are whisper, api and auto", "unknown engine %q", name)
	}
	if name == "whisper" {
		if opt.Model == "" {
			return nil, sysexits.Errorf(sysexits.Usage, "give one with --model (base.en, or a file); 'transcribe models list' shows the known ones", "the whisper engine needs a model")
		}
		opt.Model = transcribe.ModelPath(modelsDir(), opt.Model)
		if opt.VADModel != "" {
			opt.VADModel = transcribe.ModelPath(modelsDir(), opt.VADModel)
		}
		eng, err := transcribe.NewWhisper(opt)
		return eng, explain(err)
	}
	if opt.Model == "" {
		opt.Model = "whisper-1"
	}
	client, err := env.Client()
	if err != nil {
		return nil, err
	}
	return &transcribe.API{C: client, Opt: opt}, nil
}

func run(env *tool.Env) error {
	opts, err := newOptions(env.CLI)
	if err != nil {
		return err
	}
	maxAudio, err := tool.ParseSize(env.CLI.String("max-audio"))
	if err != nil {
		return env.BadSetting("max-audio", "%v", err)
	}
	eng, err := engine(env, opts)
	if err != nil {
		return err
	}
	defer eng.Close()
	env.Log.Debug("engine", "name", eng.Name(), "model", eng.Model())

	tr := &transcribe.Transcriber{Engine: eng, Now: tool.Now, Prompt: opts.engineOpts.Prompt, MaxAudio: maxAudio}
	var src pipeline.Source
	if names := opts.names; len(names) > 0 {
		src = transcribe.Files(names)
		env.Total = len(names)
		tr.Stdin = env.Stdin
	} else {
		src = env.Inputs() // standard input carries the records, not audio
	}
	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	var sink pipeline.Sink
	var subs *transcribe.Subtitles
	switch {
	case opts.format != "jsonl":
		subs = &transcribe.Subtitles{W: out, Format: opts.format, Multi: len(opts.names) > 1}
		sink = subs
	case opts.segments:
		sink = &transcribe.SegmentSink{W: jsonl.NewWriter(env.Stdout)}
	}
	fn := func(ctx context.Context, rec *record.Record) error { return explain(tr.Record(ctx, rec)) }
	err = env.RunFrom(src, fn, sink)
	if subs != nil {
		subs.Close()
	}
	return err
}
