package tasks

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shelfai/shelf/lib/ground"
	"github.com/shelfai/shelf/lib/safetext"
	"github.com/tidwall/gjson"
)

// Evidence is where the text asks for a task: the text's own words (the
// span the model's quote matched), their character offsets into the
// text, and, when the record has segments, the start in seconds of the
// segment that holds them.
type Evidence struct {
	Quote string   `json:"quote"`
	Start int      `json:"start"`
	End   int      `json:"end"`
	At    *float64 `json:"at,omitempty"`
}

// span is where one segment's text is in the record's text, in bytes.
type span struct {
	start, end int
	at         float64 // the segment's start, in seconds
}

// times are the segments of a record located in its text, in order.
type times []span

// segmentTimes locates each segment's text (trimmed; blank ones skipped)
// in text, in order, each after the one before, as transcribe joins them.
// When one cannot be found (the text was edited, or is another field) it
// returns nil: no times rather than wrong ones.
func segmentTimes(text string, segs []gjson.Result) times {
	var out times
	from := 0
	for _, s := range segs {
		st := strings.TrimSpace(s.Get("text").String())
		if st == "" {
			continue
		}
		i := strings.Index(text[from:], st)
		if i < 0 || !s.Get("start").Exists() {
			return nil
		}
		out = append(out, span{start: from + i, end: from + i + len(st), at: s.Get("start").Float()})
		from += i + len(st)
	}
	return out
}

// at is the start of the segment that holds the byte offset b of the text.
func (ts times) at(b int) (float64, bool) {
	for _, s := range ts {
		if s.start <= b && b < s.end {
			return s.at, true
		}
	}
	return 0, false
}

// evidence finds a task's quote in the text.
func evidence(src *ground.Text, ts times, quote string) (*Evidence, bool) {
	m, ok := src.Find(quote)
	if !ok {
		return nil, false
	}
	e := &Evidence{Quote: m.Quote, Start: m.Start, End: m.End}
	if at, ok := ts.at(m.ByteStart); ok {
		e.At = &at
	}
	return e, true
}

// prepositions may lead a model's words for a date ("on Friday") where
// the text has others ("by Friday").
var prepositions = []string{"by", "on", "due", "until", "till", "before"}

// dueOf works out a task's due date from when, the words the model says
// state it, and proposed, the date it computed from them. The words must
// be in the text (exactly, after normalization; without a leading "by",
// "on", ... if need be); when is empty, proposed is taken as the words.
// Found, they are resolved against ref (ResolveDue); only when they do
// not resolve is proposed taken. It returns the text's own words for the
// date (none when they were proposed and are not a date), the due date if
// any, and, when a date was dropped, why.
func dueOf(src *ground.Text, when, proposed string, ref time.Time) (words string, due Due, has bool, problem string) {
	when, proposed = strings.TrimSpace(when), strings.TrimSpace(proposed)
	given := when != "" // the model said which words state the date
	if !given {
		when = proposed
	}
	if when == "" {
		return "", Due{}, false, ""
	}
	m, found := src.FindExact(when)
	if !found {
		if first, rest, ok := strings.Cut(when, " "); ok && preposition(first) {
			m, found = src.FindExact(rest)
		}
	}
	if !found {
		return "", Due{}, false, fmt.Sprintf("due date dropped: %q is not in the text", safetext.Clip(safetext.Line(when), 60))
	}
	words = safetext.Line(m.Quote)
	for _, w := range []string{words, when} {
		if d, err := ResolveDue(w, ref); err == nil {
			return words, d, true, ""
		}
		if first, rest, ok := strings.Cut(w, " "); ok && preposition(first) {
			if d, err := ResolveDue(rest, ref); err == nil {
				return words, d, true, ""
			}
		}
	}
	if !given {
		words = "" // the model's date, in the text but no date
	}
	if proposed == "" {
		return words, Due{}, false, ""
	}
	d, err := ResolveDue(proposed, ref)
	if err != nil {
		return words, Due{}, false, "due date dropped: " + err.Error()
	}
	return words, d, true, ""
}

// preposition reports whether w is one of prepositions, in any case.
func preposition(w string) bool {
	return slices.ContainsFunc(prepositions, func(p string) bool { return strings.EqualFold(p, w) })
}
