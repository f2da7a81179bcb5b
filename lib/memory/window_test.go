package memory

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	loc := time.FixedZone("X", 2*3600)
	now := time.Date(2026, 11, 26, 9, 30, 0, 0, loc)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"today", time.Date(2026, 11, 26, 0, 0, 0, 0, loc)},
		{" Yesterday ", time.Date(2026, 11, 25, 0, 0, 0, 0, loc)},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, loc)},
		{"2026-11-01t10:00:00z", time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)},
		{"2026-11-01T10:00:00+01:00", time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)},
		{"12h", now.Add(-12 * time.Hour)},
		{"7d", time.Date(2026, 11, 19, 9, 30, 0, 0, loc)},
		{"2 W", time.Date(2026, 11, 12, 9, 30, 0, 0, loc)},
		{"3m", time.Date(2026, 8, 26, 9, 30, 0, 0, loc)},
		{"1y", time.Date(2025, 11, 26, 9, 30, 0, 0, loc)},
	} {
		got, err := ParseTime(c.in, now)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"tomorrow", "7", "d", "-3d", "2026-13-01", "99999999999999999999d"} {
		if got, err := ParseTime(in, now); err == nil {
			t.Errorf("ParseTime(%q) = %v, no error", in, got)
		}
	}
}

func TestParseHalfLife(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"30d", 30 * 24 * time.Hour},
		{"2W", 14 * 24 * time.Hour},
		{"1m", 30 * 24 * time.Hour},
		{"1y", 365 * 24 * time.Hour},
		{"72h", 72 * time.Hour},
		{"90m0s", 90 * time.Minute},
	} {
		got, err := ParseHalfLife(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseHalfLife(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"soon", "3x", "99999999999999999999d"} {
		if got, err := ParseHalfLife(in); err == nil {
			t.Errorf("ParseHalfLife(%q) = %v, no error", in, got)
		}
	}
}
