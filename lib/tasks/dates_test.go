package tasks

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on any machine
)

func TestResolveDue(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// Thursday, 26 November 2026, 09:30 in Berlin.
	ref := time.Date(2026, 11, 26, 9, 30, 0, 0, berlin)
	tests := []struct {
		in, want string // want "" means an error
	}{
		{"2026-11-27", "2026-11-27"},
		{" 2026-12-01. ", "2026-12-01"},
		{"2026-11-27T15:00:00+01:00", "2026-11-27T15:00:00+01:00"},
		{"2026-11-27T14:00:00Z", "2026-11-27T15:00:00+01:00"},
		{"2026-11-27 15:00", "2026-11-27T15:00:00+01:00"},
		{"2026-11-27T15:00", "2026-11-27T15:00:00+01:00"},
		{"2026-02-30", ""},
		{"2026-13-01", ""},
		{"2026-11-27 25:00", ""},
		{"today", "2026-11-26"},
		{"Tonight", "2026-11-26"},
		{"tomorrow", "2026-11-27"},
		{"by tomorrow", "2026-11-27"},
		{"the day after tomorrow", "2026-11-28"},
		{"friday", "2026-11-27"},
		{"Friday", "2026-11-27"},
		{"this friday", "2026-11-27"},
		{"next friday", "2026-12-04"},
		{"thursday", "2026-12-03"},
		{"this thursday", "2026-11-26"},
		{"next thursday", "2026-12-03"},
		{"monday", "2026-11-30"},
		{"next monday", "2026-11-30"},
		{"on wed", "2026-12-02"},
		{"next week", "2026-11-30"},
		{"end of week", "2026-11-27"},
		{"end of the month", "2026-11-30"},
		{"end of year", "2026-12-31"},
		{"in 3 days", "2026-11-29"},
		{"in a week", "2026-12-03"},
		{"in two weeks", "2026-12-10"},
		{"in 1 month", "2026-12-26"},
		{"10 days from now", "2026-12-06"},
		{"", ""},
		{"soon", ""},
		{"by small", ""},
		{"27/11/2026", ""},
		{"next blursday", ""},
		{"1975-01-01", "1975-01-01"},
	}
	for _, tt := range tests {
		got, err := ResolveDue(tt.in, ref)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ResolveDue(%q) = %s, want an error", tt.in, got)
		case tt.want != "" && err != nil:
			t.Errorf("ResolveDue(%q): %v", tt.in, err)
		case tt.want != "" && got.String() != tt.want:
			t.Errorf("ResolveDue(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEndOfMonthAcrossYears(t *testing.T) {
	ref := time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{"end of month": "2026-12-31", "tomorrow": "2027-01-01", "next week": "2027-01-04", "saturday": "2027-01-02"} {
		got, err := ResolveDue(in, ref)
		if err != nil || got.String() != want {
			t.Errorf("%s: %s %v, want %s", in, got, err, want)
		}
	}
	leap := time.Date(2028, 2, 10, 8, 0, 0, 0, time.UTC)
	if got, _ := ResolveDue("end of month", leap); got.String() != "2028-02-29" {
		t.Errorf("leap February: %s", got)
	}
}

// Wall-clock times that a time-zone change skips or repeats resolve as RFC
// 5545 (3.3.5) and Taskwarrior read them: a time in a spring-forward gap
// moves forward by the gap (02:30 becomes 03:30 summer time); a time that
// happens twice in the fall-back hour is its first occurrence (summer
// time). A day whose midnight is skipped is still that day.
func TestResolveDueAcrossTimeChanges(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	newYork, berlin, santiago := zone("America/New_York"), zone("Europe/Berlin"), zone("America/Santiago")
	tests := []struct {
		loc  *time.Location
		ref  time.Time // zero: 2026-03-01 12:00 in loc
		in   string
		want string
	}{
		// Spring forward: 02:00-03:00 does not exist.
		{loc: newYork, in: "2026-03-08 02:30", want: "2026-03-08T03:30:00-04:00"},
		{loc: newYork, in: "2026-03-08T02:30", want: "2026-03-08T03:30:00-04:00"},
		{loc: newYork, in: "2026-03-08 02:00:00", want: "2026-03-08T03:00:00-04:00"},
		{loc: newYork, in: "2026-03-08 01:59", want: "2026-03-08T01:59:00-05:00"},
		{loc: newYork, in: "2026-03-08 03:00", want: "2026-03-08T03:00:00-04:00"},
		{loc: berlin, in: "2026-03-29 02:30", want: "2026-03-29T03:30:00+02:00"},
		{loc: berlin, in: "2026-03-29 02:59:59", want: "2026-03-29T03:59:59+02:00"},
		// Fall back: 01:00-02:00 (New York), 02:00-03:00 (Berlin) happen twice.
		{loc: newYork, in: "2026-11-01 01:30", want: "2026-11-01T01:30:00-04:00"},
		{loc: newYork, in: "2026-11-01 02:00", want: "2026-11-01T02:00:00-05:00"},
		{loc: berlin, in: "2026-10-25 02:30", want: "2026-10-25T02:30:00+02:00"},
		{loc: berlin, in: "2026-10-25 02:00", want: "2026-10-25T02:00:00+02:00"},
		{loc: berlin, in: "2026-10-25 03:00", want: "2026-10-25T03:00:00+01:00"},
		// An explicit offset is an instant; it is not moved.
		{loc: newYork, in: "2026-03-08T02:30:00-05:00", want: "2026-03-08T03:30:00-04:00"},
		{loc: berlin, in: "2026-10-25T02:30:00+01:00", want: "2026-10-25T02:30:00+01:00"},
		// Santiago skips midnight on 2026-09-06: the day stays the day.
		{loc: santiago, in: "2026-09-06", want: "2026-09-06"},
		{loc: santiago, ref: time.Date(2026, 9, 5, 10, 0, 0, 0, santiago), in: "tomorrow", want: "2026-09-06"},
		{loc: santiago, ref: time.Date(2026, 9, 6, 10, 0, 0, 0, santiago), in: "today", want: "2026-09-06"},
		{loc: santiago, ref: time.Date(2026, 9, 1, 10, 0, 0, 0, santiago), in: "this sunday", want: "2026-09-06"},
		{loc: santiago, ref: time.Date(2026, 8, 6, 10, 0, 0, 0, santiago), in: "in 1 month", want: "2026-09-06"},
	}
	for _, tt := range tests {
		ref := tt.ref
		if ref.IsZero() {
			ref = time.Date(2026, 3, 1, 12, 0, 0, 0, tt.loc)
		}
		got, err := ResolveDue(tt.in, ref)
		if err != nil {
			t.Errorf("%s: ResolveDue(%q): %v", tt.loc, tt.in, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("%s: ResolveDue(%q) = %s, want %s", tt.loc, tt.in, got, tt.want)
		}
		if !got.HasTime {
			if h, m, _ := got.Time.Clock(); got.Time.Location() != tt.loc || got.Time.Format(time.DateOnly) != tt.want || h > 1 || m != 0 {
				t.Errorf("%s: ResolveDue(%q).Time = %s, want the start of %s", tt.loc, tt.in, got.Time, tt.want)
			}
		}
	}
}
