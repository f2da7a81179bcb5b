package memory

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ageRE is an age: a count and a unit (hours, days, weeks, months, years).
var ageRE = regexp.MustCompile(`^(\d+)\s*([hdwmy])$`)

// ParseTime reads a bound of a time window (a Query's Since or Until): a
// date (from midnight in now's location), an RFC 3339 time, today,
// yesterday, or an age before now (12h, 7d, 2w, 3m, 1y). "" is no bound,
// the zero time.
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch s {
	case "":
		return time.Time{}, nil
	case "today":
		return midnight, nil
	case "yesterday":
		return midnight.AddDate(0, 0, -1), nil
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(s)); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return t, nil
	}
	if m := ageRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is too long an age", s)
		}
		switch m[2] {
		case "h":
			return now.Add(-time.Duration(n) * time.Hour), nil
		case "d":
			return now.AddDate(0, 0, -n), nil
		case "w":
			return now.AddDate(0, 0, -7*n), nil
		case "m":
			return now.AddDate(0, -n, 0), nil
		case "y":
			return now.AddDate(-n, 0, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date, a time or an age (7d)", s)
}

// ParseHalfLife reads a Query's HalfLife: a Go duration (72h), or an age
// (30d, 2w; a month is 30 days, a year 365). "" is none.
func ParseHalfLife(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if m := ageRE.FindStringSubmatch(strings.ToLower(s)); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return 0, fmt.Errorf("%q is too long", s)
		}
		unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "m": 30 * 24 * time.Hour, "y": 365 * 24 * time.Hour}[m[2]]
		return time.Duration(n) * unit, nil
	}
	return time.ParseDuration(s)
}
