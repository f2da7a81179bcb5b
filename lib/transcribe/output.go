package transcribe

import (
	"bufio"
	"fmt"
	"math"
	"strings"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
)

// Segments rounds a transcript's segments for records (centiseconds) and
// keeps their times inside the audio (a model may place an end past it).
func Segments(t llm.Transcript) []llm.Segment {
	out := make([]llm.Segment, 0, len(t.Segments))
	for _, s := range t.Segments {
		start, end := s.Start, s.End
		if t.Duration > 0 {
			start, end = math.Min(start, t.Duration), math.Min(end, t.Duration)
		}
		end = math.Max(start, end)
		out = append(out, llm.Segment{Start: round2(start), End: round2(end), Text: s.Text})
	}
	return out
}

// SegmentRecord is one segment as a record of its own (--segments).
type SegmentRecord struct {
	Kind     string  `json:"kind"`
	ID       string  `json:"id"`
	SourceID string  `json:"source_id"`
	Source   string  `json:"source"`
	Start    float64 `json:"start"`
	End      float64 `json:"end"`
	Text     string  `json:"text"`
}

// SplitRecord makes the segment records of a transcribed record.
func SplitRecord(rec *record.Record) []SegmentRecord {
	id, src := rec.Get("id").String(), rec.Get("source").String()
	var out []SegmentRecord
	for i, s := range rec.Get("segments").Array() {
		out = append(out, SegmentRecord{Kind: "segment", ID: fmt.Sprintf("%s#%d", id, i+1), SourceID: id, Source: src,
			Start: s.Get("start").Float(), End: s.Get("end").Float(), Text: strings.TrimSpace(s.Get("text").String())})
	}
	return out
}

// SegmentSink writes each record Transcriber.Record transcribed as its
// segment records (--segments), and other records (failures, records
// without audio) as they are.
type SegmentSink struct{ W pipeline.Sink }

// Write writes one record.
func (s *SegmentSink) Write(rec *record.Record) error {
	if _, ok := rec.Meta.(llm.Transcript); !ok {
		return s.W.Write(rec)
	}
	for _, seg := range SplitRecord(rec) {
		b, err := record.Marshal(seg)
		if err != nil {
			return err
		}
		if err := s.W.Write(record.New(b)); err != nil {
			return err
		}
	}
	return nil
}

// Flush flushes the sink written to.
func (s *SegmentSink) Flush() error { return s.W.Flush() }

func stamp(sec float64, sep string) string {
	ms := int64(math.Round(sec * 1000))
	if ms < 0 {
		ms = 0
	}
	return fmt.Sprintf("%02d:%02d:%02d%s%03d", ms/3600000, ms/60000%60, ms/1000%60, sep, ms%1000)
}

// Subtitles writes transcripts as SubRip (srt), WebVTT (vtt) or plain text
// (txt). With several files, each starts with a header naming it: a line
// "==> NAME <==" for srt and txt, a NOTE block for vtt.
type Subtitles struct {
	W      *bufio.Writer
	Format string
	Multi  bool
	n      int
	header bool
}

func (s *Subtitles) start() {
	if s.Format == "vtt" && !s.header {
		s.W.WriteString("WEBVTT\n\n")
	}
	s.header = true
}

// Write writes one transcribed record; others are skipped.
func (s *Subtitles) Write(rec *record.Record) error {
	if _, ok := rec.Meta.(llm.Transcript); !ok {
		return nil // not transcribed here (no source, a failure): logged
	}
	segs := rec.Get("segments").Array()
	src := rec.Get("source").String()
	w := s.W
	s.start()
	if s.Multi {
		switch s.Format {
		case "vtt":
			fmt.Fprintf(w, "NOTE %s\n\n", src)
		default:
			if s.n > 0 {
				w.WriteString("\n")
			}
			fmt.Fprintf(w, "==> %s <==\n", src)
			if s.Format == "srt" {
				w.WriteString("\n")
			}
		}
	}
	s.n++
	switch s.Format {
	case "txt":
		_, err := w.WriteString(strings.TrimSpace(rec.Get("text").String()) + "\n")
		return err
	case "srt":
		for i, seg := range segs {
			fmt.Fprintf(w, "%d\n%s --> %s\n%s\n\n", i+1, stamp(seg.Get("start").Float(), ","), stamp(seg.Get("end").Float(), ","), strings.TrimSpace(seg.Get("text").String()))
		}
	case "vtt":
		for _, seg := range segs {
			fmt.Fprintf(w, "%s --> %s\n%s\n\n", stamp(seg.Get("start").Float(), "."), stamp(seg.Get("end").Float(), "."), strings.TrimSpace(seg.Get("text").String()))
		}
	}
	return nil
}

// Flush writes out what is buffered.
func (s *Subtitles) Flush() error { return s.W.Flush() }

// Close ends the output: a VTT file with no cues still gets its header.
func (s *Subtitles) Close() error {
	s.start()
	return s.W.Flush()
}
