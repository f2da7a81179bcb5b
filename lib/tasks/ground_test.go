package tasks

import (
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/ground"
	"github.com/tidwall/gjson"
)

func TestDueFromWords(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ref := time.Date(2026, 11, 26, 9, 30, 0, 0, berlin) // a Thursday
	text := ground.Prepare("Um, call the dentist by Friday. Pay Sam back tomorrow; the roof before the 1st of December, " +
		"the tax return in spring, and the invoice is due 2026-12-15.")
	tests := []struct {
		name, when, proposed string
		words, due           string // want: the text's words kept, the due date ("" none)
		problem              string // want: the warning ("" none)
	}{
		{"nothing said", "", "", "", "", ""},
		{"the resolver wins", "by Friday", "2026-11-30", "by Friday", "2026-11-27", ""},
		{"one word", "tomorrow", "", "tomorrow", "2026-11-27", ""},
		{"case and punctuation", "TOMORROW.", "2026-11-28", "tomorrow", "2026-11-27", ""},
		{"the model's date when the words are there but not resolvable", "before the 1st of December", "2026-11-30", "before the 1st of December", "2026-11-30", ""},
		{"words there, no date anywhere", "in spring", "", "in spring", "", ""},
		{"words there, the model's date not one", "in spring", "2027-02-30", "in spring", "", `due date dropped: "2027-02-30" is not a valid date`},
		{"words not in the text", "by Monday", "2026-11-30", "", "", `due date dropped: "by Monday" is not in the text`},
		{"words not in the text, no date", "next week", "", "", "", `due date dropped: "next week" is not in the text`},
		{"no words, a date the text does not have", "", "2026-11-30", "", "", `due date dropped: "2026-11-30" is not in the text`},
		{"no words, a date the text has", "", "2026-12-15", "2026-12-15", "2026-12-15", ""},
		{"a preposition the text does not have", "on Friday", "", "Friday", "2026-11-27", ""},
		{"no words, the model's date words of the text but no date", "", "the roof", "", "", `due date dropped: "the roof" is not a date`},
		{"no words, the model's date in the text but not valid", "", "2026-12-15x", "", "", `due date dropped: "2026-12-15x" is not in the text`},
	}
	for _, tc := range tests {
		words, due, has, problem := dueOf(text, tc.when, tc.proposed, ref)
		got := ""
		if has {
			got = due.String()
		}
		if words != tc.words || got != tc.due || problem != tc.problem {
			t.Errorf("%s: dueOf(%q, %q) = %q, %q, %q; want %q, %q, %q", tc.name, tc.when, tc.proposed, words, got, problem, tc.words, tc.due, tc.problem)
		}
	}
}

func TestSegmentTimes(t *testing.T) {
	text := "Call the dentist tomorrow. Then um pay Sam back, and water the garden."
	segs := `[{"start":0,"end":2.5,"text":" Call the dentist tomorrow."},{"start":2.5,"end":725.4,"text":" Then um pay Sam back,"},{"start":725.4,"end":730,"text":"and water the garden."}]`
	times := segmentTimes(text, gjson.Parse(segs).Array())
	for _, tc := range []struct {
		offset int // bytes
		at     float64
		ok     bool
	}{
		{0, 0, true},
		{17, 0, true},
		{27, 2.5, true},
		{37, 2.5, true},
		{49, 725.4, true},
		{26, 0, false}, // between two segments
	} {
		at, ok := times.at(tc.offset)
		if at != tc.at || ok != tc.ok {
			t.Errorf("at(%d) = %v, %v; want %v, %v", tc.offset, at, ok, tc.at, tc.ok)
		}
	}
	// Segments that are not the text (an edited transcript, another
	// field): no times at all rather than wrong ones.
	for _, segs := range []string{
		`[{"start":0,"end":2.5,"text":"Call the doctor tomorrow."},{"start":2.5,"end":5,"text":"Then um pay Sam back,"}]`,
		`[{"start":2.5,"end":5,"text":"Then um pay Sam back,"},{"start":0,"end":2.5,"text":"Call the dentist tomorrow."}]`,
		`[]`, `{"start":0}`, `"text"`,
	} {
		if times := segmentTimes(text, gjson.Parse(segs).Array()); times != nil {
			t.Errorf("segments %s: times %v, want none", segs, times)
		}
	}
	// Blank segments are skipped.
	times = segmentTimes(text, gjson.Parse(`[{"start":0,"end":1,"text":" "},{"start":1,"end":3,"text":"Call the dentist tomorrow. Then um pay Sam back, and water the garden."}]`).Array())
	if at, ok := times.at(40); !ok || at != 1 {
		t.Errorf("after a blank segment: at(40) = %v, %v; want 1, true", at, ok)
	}
}
