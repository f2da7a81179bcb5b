package tasks

import (
	"testing"
	"time"
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
