package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/llm"
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
	}
}

func modelsDir() string { return filepath.Join(config.DataDir(), "models") }

// engine picks and starts the engine the flags ask for.
func engine(c *cli.Context, env *tool.Env) (transcribe.Engine, error) {
	opt := transcribe.Options{
		Model:          c.String("model"),
		Language:       c.String("language"),
		Translate:      c.Bool("translate"),
		Prompt:         c.String("prompt"),
		Threads:        c.Int("threads"),
		Temperature:    float32(c.Float64("temperature")),
		TemperatureInc: float32(c.Float64("temperature-inc")),
		VADModel:       c.String("vad-model"),
		Verbose:        c.Bool("verbose"),
	}
	name := c.String("engine")
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
		return transcribe.NewWhisper(opt)
	}
	if opt.Model == "" {
		opt.Model = "whisper-1"
	}
	client, err := env.Client(c)
	if err != nil {
		return nil, err
	}
	return &transcribe.API{C: client, Opt: opt}, nil
}

// fromArgs yields one record per file operand.
type fromArgs struct {
	names []string
	i     int
}

func (a *fromArgs) Next() (*record.Record, error) {
	if a.i >= len(a.names) {
		return nil, io.EOF
	}
	name := a.names[a.i]
	a.i++
	b, _ := record.Marshal(map[string]string{"source": name})
	return &record.Record{JSON: b, Line: a.i, Meta: fromArg{}}, nil
}

type fromArg struct{}

func run(c *cli.Context, env *tool.Env) error {
	format := c.String("format")
	if !slices.Contains(formats, format) {
		return sysexits.Errorf(sysexits.Usage, "the formats are "+strings.Join(formats, ", "), "unknown format %q", format)
	}
	if c.Bool("segments") && format != "jsonl" {
		return sysexits.Errorf(sysexits.Usage, "", "--segments goes with --format jsonl, not %s", format)
	}
	names := c.Args().Slice()
	if n := slices.Index(names, "-"); n >= 0 && slices.Index(names[n+1:], "-") >= 0 {
		return sysexits.Errorf(sysexits.Usage, "", "standard input can be read once: give - at most once")
	}
	eng, err := engine(c, env)
	if err != nil {
		return err
	}
	defer eng.Close()
	env.Log.Debug("engine", "name", eng.Name(), "model", eng.Model())

	var src pipeline.Source
	if len(names) > 0 {
		src = &fromArgs{names: names}
		env.Total = len(names)
	} else {
		src = env.Inputs(c)
	}
	var stdinOnce sync.Once
	var stdinData []byte
	var stdinErr error
	promptHash := ""
	if p := c.String("prompt"); p != "" {
		sum := sha256.Sum256([]byte(p))
		promptHash = hex.EncodeToString(sum[:6])
	}

	fn := func(ctx context.Context, rec *record.Record) error {
		var err error
		source := rec.Get("source").String()
		if source == "" {
			return nil // no audio named: passes through untouched
		}
		var data []byte
		created := tool.Now()
		if source == "-" {
			stdinOnce.Do(func() { stdinData, stdinErr = io.ReadAll(env.Stdin) })
			data, err = stdinData, stdinErr
		} else {
			data, err = os.ReadFile(source)
			if st, serr := os.Stat(source); serr == nil {
				created = st.ModTime()
			}
		}
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EISDIR) {
				return sysexits.New(sysexits.NoInput, err, "name audio files; for a folder, memos/*.m4a")
			}
			return err
		}
		if len(data) == 0 {
			return fmt.Errorf("no audio: %s is empty", source)
		}
		t, err := eng.Transcribe(ctx, transcribe.Input{Source: source, Data: data})
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		prov := record.Provenance{Tool: "transcribe", Model: eng.Name() + ":" + eng.Model(), Prompt: promptHash, At: tool.Now().UTC().Format(time.RFC3339)}
		if _, synthetic := rec.Meta.(fromArg); synthetic {
			// A record of our own: fields in the contract's order.
			rec.JSON = []byte("{}")
		}
		set := func(k string, v any) {
			if err == nil {
				err = rec.Set(k, v)
			}
		}
		if !rec.Has("id") {
			set("id", hex.EncodeToString(sum[:16]))
		}
		if !rec.Has("source") {
			set("source", source)
		}
		if !rec.Has("created") {
			set("created", created.Format(time.RFC3339))
		}
		if t.Duration > 0 {
			set("duration", t.Duration)
		}
		if t.Language != "" {
			set("language", t.Language)
		}
		set("text", t.Text)
		set("segments", transcribe.Segments(t))
		set("provenance.text", prov)
		set("provenance.segments", prov)
		if t.Language != "" {
			set("provenance.language", prov)
		}
		rec.Meta = t
		return err
	}

	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	var sink pipeline.Sink
	var subs *transcribe.Subtitles
	switch {
	case format != "jsonl":
		subs = &transcribe.Subtitles{W: out, Format: format, Multi: len(names) > 1}
		sink = subs
	case c.Bool("segments"):
		sink = &segmentSink{w: jsonl.NewWriter(env.Stdout)}
	}
	err = env.RunFrom(c, src, fn, sink)
	if subs != nil {
		subs.Close()
	}
	return err
}

// segmentSink writes each transcribed record as its segments; other
// records (failures, records without audio) go on as they are.
type segmentSink struct{ w *jsonl.Writer }

func (s *segmentSink) Write(rec *record.Record) error {
	if _, ok := rec.Meta.(llm.Transcript); !ok {
		return s.w.Write(rec)
	}
	for _, seg := range transcribe.SplitRecord(rec) {
		b, err := record.Marshal(seg)
		if err != nil {
			return err
		}
		if err := s.w.Write(record.New(b)); err != nil {
			return err
		}
	}
	return nil
}

func (s *segmentSink) Flush() error { return s.w.Flush() }
