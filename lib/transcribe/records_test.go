package transcribe

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
)

// fakeEngine answers every file with the same transcript and remembers
// what it was given.
type fakeEngine struct {
	t   llm.Transcript
	err error

	mu  sync.Mutex
	got []Input
}

func (f *fakeEngine) Name() string  { return "fake" }
func (f *fakeEngine) Model() string { return "m1" }
func (f *fakeEngine) Close() error  { return nil }
func (f *fakeEngine) Transcribe(ctx context.Context, in Input) (llm.Transcript, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, in)
	return f.t, f.err
}

// countingReader counts the reads that reach it.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

var (
	clock = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	mtime = time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
	hello = llm.Transcript{Text: " hello there", Language: "en", Duration: 2.5,
		Segments: []llm.Segment{{Start: 0, End: 1.234, Text: " hello"}, {Start: 1.234, End: 9, Text: " there"}}}
)

func idOf(data string) string {
	sum := sha256.Sum256([]byte(data))
	return hex.EncodeToString(sum[:16])
}

const prov = `{"tool":"transcribe","model":"fake:m1","prompt":"","at":"2026-11-26T09:00:00Z"}`

func TestTranscriberRecord(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string // in the test's folder; a name ending in / is a folder
		in    func(t *testing.T, dir string) *record.Record
		t     llm.Transcript
		err   error  // the engine's
		want  string // the record ($DIR: the folder); "" when the work fails
		code  int    // the failure's exit status
		msg   string // in the failure's message
		calls int    // the engine's
		max   int64  // Transcriber.MaxAudio
	}{
		{
			name:  "a file operand gets every field, in the contract's order",
			files: map[string]string{"a.wav": "AUDIO"},
			in: func(t *testing.T, dir string) *record.Record {
				return first(t, Files([]string{filepath.Join(dir, "a.wav")}))
			},
			t: hello,
			want: `{"id":"` + idOf("AUDIO") + `","source":"$DIR/a.wav","created":"` + mtime.Local().Format(time.RFC3339) + `","duration":2.5,"language":"en","text":" hello there",` +
				`"segments":[{"start":0,"end":1.23,"text":" hello"},{"start":1.23,"end":2.5,"text":" there"}],` +
				`"provenance":{"text":` + prov + `,"segments":` + prov + `,"language":` + prov + `}}`,
			calls: 1,
		},
		{
			name:  "a record's own id, source and created are kept, its other fields pass through",
			files: map[string]string{"a.wav": "AUDIO"},
			in: func(t *testing.T, dir string) *record.Record {
				return &record.Record{JSON: []byte(`{"id":"mine","source":"` + dir + `/a.wav","note":"<x>","created":"2020-01-01T00:00:00Z","text":"old"}`), Line: 1}
			},
			t: llm.Transcript{Text: "new"},
			want: `{"id":"mine","source":"$DIR/a.wav","note":"<x>","created":"2020-01-01T00:00:00Z","text":"new","segments":[],` +
				`"provenance":{"text":` + prov + `,"segments":` + prov + `}}`,
			calls: 1,
		},
		{
			name:  "a record without id or created gets them after its fields",
			files: map[string]string{"a.wav": "AUDIO"},
			in: func(t *testing.T, dir string) *record.Record {
				return &record.Record{JSON: []byte(`{"source":"` + dir + `/a.wav","n":1}`), Line: 1}
			},
			t: llm.Transcript{Text: "new"},
			want: `{"source":"$DIR/a.wav","n":1,"id":"` + idOf("AUDIO") + `","created":"` + mtime.Local().Format(time.RFC3339) + `","text":"new","segments":[],` +
				`"provenance":{"text":` + prov + `,"segments":` + prov + `}}`,
			calls: 1,
		},
		{
			name: "a record without a source passes through untouched",
			in: func(t *testing.T, dir string) *record.Record {
				return &record.Record{JSON: []byte(`{"text":"a note"}`), Line: 1}
			},
			want:  `{"text":"a note"}`,
			calls: 0,
		},
		{
			name: "a missing file is exit 66",
			in: func(t *testing.T, dir string) *record.Record {
				return first(t, Files([]string{filepath.Join(dir, "gone.wav")}))
			},
			code: sysexits.NoInput, msg: "no such file", calls: 0,
		},
		{
			name:  "a folder is exit 66",
			files: map[string]string{"memos/": ""},
			in: func(t *testing.T, dir string) *record.Record {
				return first(t, Files([]string{filepath.Join(dir, "memos")}))
			},
			code: sysexits.NoInput, msg: "is a directory", calls: 0,
		},
		{
			name:  "an empty file is an error, not sent to the engine",
			files: map[string]string{"empty.wav": ""},
			in: func(t *testing.T, dir string) *record.Record {
				return first(t, Files([]string{filepath.Join(dir, "empty.wav")}))
			},
			code: sysexits.Failure, msg: "no audio: $DIR/empty.wav is empty", calls: 0,
		},
		{
			name: "a device is exit 66, refused unopened",
			in: func(t *testing.T, dir string) *record.Record {
				return first(t, Files([]string{os.DevNull}))
			},
			code: sysexits.NoInput, msg: "source " + os.DevNull + ": a character device, not an audio file", calls: 0,
		},
		{
			name:  "a file larger than MaxAudio is exit 65, not read",
			files: map[string]string{"a.wav": "AUDIO"},
			in: func(t *testing.T, dir string) *record.Record {
				return first(t, Files([]string{filepath.Join(dir, "a.wav")}))
			},
			max:  4,
			code: sysexits.DataErr, msg: "source $DIR/a.wav: larger than 4 bytes, the most read of one audio file", calls: 0,
		},
		{
			name:  "a file of MaxAudio bytes is read",
			files: map[string]string{"a.wav": "AUDIO"},
			in: func(t *testing.T, dir string) *record.Record {
				return &record.Record{JSON: []byte(`{"source":"` + dir + `/a.wav"}`), Line: 1}
			},
			max: 5,
			t:   llm.Transcript{Text: "new"},
			want: `{"source":"$DIR/a.wav","id":"` + idOf("AUDIO") + `","created":"` + mtime.Local().Format(time.RFC3339) + `","text":"new","segments":[],` +
				`"provenance":{"text":` + prov + `,"segments":` + prov + `}}`,
			calls: 1,
		},
		{
			name:  "the engine's error is the record's",
			files: map[string]string{"a.wav": "AUDIO"},
			in: func(t *testing.T, dir string) *record.Record {
				return first(t, Files([]string{filepath.Join(dir, "a.wav")}))
			},
			err:  sysexits.Errorf(sysexits.Unavailable, "", "connection refused"),
			code: sysexits.Unavailable, msg: "connection refused", calls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				p := filepath.Join(dir, name)
				if strings.HasSuffix(name, "/") {
					if err := os.Mkdir(p, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(p, mtime, mtime); err != nil {
					t.Fatal(err)
				}
			}
			eng := &fakeEngine{t: tt.t, err: tt.err}
			tr := &Transcriber{Engine: eng, Stdin: strings.NewReader(""), Now: func() time.Time { return clock }, MaxAudio: tt.max}
			rec := tt.in(t, dir)
			err := tr.Record(context.Background(), rec)
			if len(eng.got) != tt.calls {
				t.Errorf("the engine was called %d times, want %d", len(eng.got), tt.calls)
			}
			if tt.want == "" {
				msg := strings.ReplaceAll(tt.msg, "$DIR", dir)
				if err == nil || sysexits.Code(err) != tt.code || !strings.Contains(err.Error(), msg) {
					t.Fatalf("error %v (exit %d), want exit %d and %q", err, sysexits.Code(err), tt.code, msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.ReplaceAll(tt.want, "$DIR", dir); string(rec.JSON) != want {
				t.Errorf("record\n got %s\nwant %s", rec.JSON, want)
			}
		})
	}
}

// first is the first record of src.
func first(t *testing.T, src pipeline.Source) *record.Record {
	t.Helper()
	rec, err := src.Next()
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestFolderHint(t *testing.T) {
	tr := &Transcriber{Engine: &fakeEngine{}, Now: func() time.Time { return clock }}
	err := tr.Record(context.Background(), first(t, Files([]string{t.TempDir()})))
	if h := sysexits.Hint(err); !strings.Contains(h, "memos/*.m4a") {
		t.Errorf("hint %q, want one that shows a glob", h)
	}
}

func TestFiles(t *testing.T) {
	src := Files([]string{"a.wav", "-", `b "1".m4a`})
	for i, want := range []string{`{"source":"a.wav"}`, `{"source":"-"}`, `{"source":"b \"1\".m4a"}`} {
		rec, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		if string(rec.JSON) != want || rec.Line != i+1 {
			t.Errorf("record %d: %s line %d, want %s line %d", i+1, rec.JSON, rec.Line, want, i+1)
		}
	}
	if _, err := src.Next(); err != io.EOF {
		t.Errorf("after the names: %v, want io.EOF", err)
	}
}

// Standard input is audio for every record that names "-", read once.
func TestStdinReadOnce(t *testing.T) {
	in := &countingReader{r: strings.NewReader("STDIN AUDIO")}
	eng := &fakeEngine{t: llm.Transcript{Text: "hi"}}
	tr := &Transcriber{Engine: eng, Stdin: in, Now: func() time.Time { return clock }, Prompt: "Ada, Grace"}
	var wg sync.WaitGroup
	recs := []*record.Record{first(t, Files([]string{"-"})), {JSON: []byte(`{"source":"-"}`), Line: 2}}
	errs := make([]error, len(recs))
	for i, rec := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = tr.Record(context.Background(), rec)
		}()
	}
	wg.Wait()
	for i, rec := range recs {
		if errs[i] != nil {
			t.Fatalf("record %d: %v", i+1, errs[i])
		}
		if got := rec.Get("created").String(); got != "2026-11-26T09:00:00Z" {
			t.Errorf("record %d: created %q, want the clock's time", i+1, got)
		}
		if got := rec.Get("id").String(); got != idOf("STDIN AUDIO") {
			t.Errorf("record %d: id %q, want the hash of the audio", i+1, got)
		}
		sum := sha256.Sum256([]byte("Ada, Grace"))
		if got := rec.Get("provenance.text.prompt").String(); got != hex.EncodeToString(sum[:6]) {
			t.Errorf("record %d: prompt hash %q", i+1, got)
		}
	}
	if len(eng.got) != 2 || !bytes.Equal(eng.got[0].Data, eng.got[1].Data) || eng.got[0].Source != "-" {
		t.Fatalf("the engine got %+v", eng.got)
	}
	if in.reads != 2 {
		t.Errorf("standard input read %d times, want 2 (the audio, then its end)", in.reads)
	}
}

// Standard input is read up to MaxAudio; without Stdin (it carries the
// records) a source "-" is an error of its own.
func TestStdinLimits(t *testing.T) {
	tr := &Transcriber{Engine: &fakeEngine{}, Stdin: strings.NewReader("STDIN AUDIO"), Now: func() time.Time { return clock }, MaxAudio: 10}
	err := tr.Record(context.Background(), first(t, Files([]string{"-"})))
	var tl *TooLargeError
	if !errors.As(err, &tl) || sysexits.Code(err) != sysexits.DataErr || err.Error() != "source -: larger than 10 bytes, the most read of one audio file" {
		t.Errorf("audio over the limit: %v (exit %d)", err, sysexits.Code(err))
	}
	tr = &Transcriber{Engine: &fakeEngine{}, Now: func() time.Time { return clock }}
	err = tr.Record(context.Background(), first(t, Files([]string{"-"})))
	if !errors.Is(err, ErrStdinTaken) || sysexits.Code(err) != sysexits.NoInput {
		t.Errorf("no Stdin: %v (exit %d)", err, sysexits.Code(err))
	}
}

// A read that waits for audio ends when the run does.
func TestStdinWaitEnds(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	tr := &Transcriber{Engine: &fakeEngine{}, Stdin: r, Now: func() time.Time { return clock }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- tr.Record(ctx, first(t, Files([]string{"-"}))) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want the context's error", err)
	}
}

// A transcribed record carries its transcript for the sinks; its segments
// become records of their own, other records go on as they are.
func TestSegmentSink(t *testing.T) {
	tr := &Transcriber{Engine: &fakeEngine{t: hello}, Now: func() time.Time { return clock }}
	src := filepath.Join(t.TempDir(), "s.wav")
	if err := os.WriteFile(src, []byte("A"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := &record.Record{JSON: []byte(`{"id":"x","source":"` + src + `"}`)}
	if err := tr.Record(context.Background(), done); err != nil {
		t.Fatal(err)
	}
	var out collect
	s := &SegmentSink{W: &out}
	for _, rec := range []*record.Record{done, {JSON: []byte(`{"source":"bad.wav","errors":[]}`)}} {
		if err := s.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil || !out.flushed {
		t.Fatalf("flush: %v, passed on: %v", err, out.flushed)
	}
	want := []string{
		`{"kind":"segment","id":"x#1","source_id":"x","source":"` + src + `","start":0,"end":1.23,"text":"hello"}`,
		`{"kind":"segment","id":"x#2","source_id":"x","source":"` + src + `","start":1.23,"end":2.5,"text":"there"}`,
		`{"source":"bad.wav","errors":[]}`,
	}
	if strings.Join(out.lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(out.lines, "\n"), strings.Join(want, "\n"))
	}
}

type collect struct {
	lines   []string
	flushed bool
}

func (c *collect) Write(rec *record.Record) error {
	c.lines = append(c.lines, string(rec.JSON))
	return nil
}
func (c *collect) Flush() error { c.flushed = true; return nil }
