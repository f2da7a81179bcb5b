package transcribe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
)

// Transcriber makes transcript records with one engine: for each record
// that names its audio in "source", it reads the audio, transcribes it and
// sets the record's fields.
type Transcriber struct {
	Engine Engine
	// Stdin is the audio of the source "-", read once; nil when standard
	// input is not audio (it carries the records).
	Stdin    io.Reader
	Now      func() time.Time // provenance times, and created for audio from Stdin (default time.Now)
	Prompt   string           // the initial prompt the engine was given; provenance names its hash
	MaxAudio int64            // the most read of one audio file, in bytes (0: DefaultMaxAudio)

	stdinOnce sync.Once
	stdinDone chan struct{}
	stdin     []byte
	stdinErr  error
}

// fromFile marks a record Files made, so Record writes its fields in the
// contract's order.
type fromFile struct{}

// files yields one record per name.
type files struct {
	names []string
	i     int
}

// Files yields one record per audio file named, {"source": NAME}, as the
// input of Record.
func Files(names []string) pipeline.Source { return &files{names: names} }

func (f *files) Next() (*record.Record, error) {
	if f.i >= len(f.names) {
		return nil, io.EOF
	}
	name := f.names[f.i]
	f.i++
	b, err := record.Marshal(map[string]string{"source": name})
	if err != nil {
		return nil, err
	}
	return &record.Record{JSON: b, Line: f.i, Meta: fromFile{}}, nil
}

// Record transcribes the audio a record names in "source" (a
// pipeline.Func). It sets id (a hash of the audio), source and created (the
// file's modification time) unless the record has them, and duration,
// language, text, segments and their provenance; the transcript goes in
// rec.Meta for the sinks. A record without a source passes through
// untouched.
func (tr *Transcriber) Record(ctx context.Context, rec *record.Record) error {
	source := rec.Get("source").String()
	if source == "" {
		return nil
	}
	data, created, err := tr.read(ctx, source)
	if err != nil {
		return err
	}
	t, err := tr.Engine.Transcribe(ctx, Input{Source: source, Data: data})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	prov := record.Provenance{Tool: "transcribe", Model: tr.Engine.Name() + ":" + tr.Engine.Model(), Prompt: tr.promptHash(), At: tr.now().UTC().Format(time.RFC3339)}
	if _, made := rec.Meta.(fromFile); made {
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
	set("segments", Segments(t))
	set("provenance.text", prov)
	set("provenance.segments", prov)
	if t.Language != "" {
		set("provenance.language", prov)
	}
	rec.Meta = t
	return err
}

// read returns the audio of source ("-": Stdin, read once for all the
// records that name it) and the time it was made: the file's modification
// time, or now.
func (tr *Transcriber) read(ctx context.Context, source string) ([]byte, time.Time, error) {
	var data []byte
	var err error
	created := tr.now()
	if source == "-" {
		data, err = tr.readStdin(ctx)
	} else {
		var mod time.Time
		data, mod, err = tr.readFile(ctx, source)
		if !mod.IsZero() {
			created = mod
		}
	}
	if err != nil {
		if isNoInput(err) {
			return nil, created, sysexits.New(sysexits.NoInput, "name audio files; for a folder, memos/*.m4a", err)
		}
		return nil, created, err
	}
	if len(data) == 0 {
		return nil, created, fmt.Errorf("no audio: %s is empty", source)
	}
	return data, created, nil
}

func (tr *Transcriber) now() time.Time {
	if tr.Now == nil {
		return time.Now()
	}
	return tr.Now()
}

// promptHash names the prompt in provenance: the first 12 hex digits of
// its SHA-256, or "" without one.
func (tr *Transcriber) promptHash() string {
	if tr.Prompt == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(tr.Prompt))
	return hex.EncodeToString(sum[:6])
}
