package tasks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Due is a resolved due date: a calendar day, or a moment.
type Due struct {
	Time    time.Time // when !HasTime, the start of the day in the reference zone (midnight, or the end of the gap where a time change skips midnight)
	HasTime bool
}

// String is the ISO form: 2026-11-27, or 2026-11-27T15:00:00+01:00.
func (d Due) String() string {
	if d.HasTime {
		return d.Time.Format(time.RFC3339)
	}
	return d.Time.Format(time.DateOnly)
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

var (
	inN      = regexp.MustCompile(`^in (\d{1,3}|a|an|one|two|three|four|five|six|seven|ten) (day|days|week|weeks|month|months)$`)
	nFromNow = regexp.MustCompile(`^(\d{1,3}) (day|days|week|weeks) from (now|today)$`)
	dayTime  = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[ t](\d{1,2}:\d{2}(?::\d{2})?)$`)
)

var small = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}

// ResolveDue turns what a model gave as a due date into an absolute date,
// against ref (the reference moment, in the person's time zone). It takes
// ISO dates and date-times, and the common relative phrases a model may
// pass through unresolved: today, tonight, tomorrow, the day after
// tomorrow, a weekday ("friday": the next one after today; "this friday":
// the next one from today on; "next friday": the one in the following
// week), next week (its Monday), end of week (the next Friday from today
// on), end of month, end of year, and "in N days/weeks/months". Anything
// else is an error: a date is never guessed. A time of day that the zone's
// clock change skips moves forward by the gap, and one it repeats is its
// first occurrence, as in RFC 5545.
func ResolveDue(s string, ref time.Time) (Due, error) {
	raw := s
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(s, ".")
	s = strings.TrimPrefix(s, "by ")
	s = strings.TrimPrefix(s, "on ")
	s = strings.TrimPrefix(s, "due ")
	s = strings.Join(strings.Fields(s), " ")
	loc := ref.Location()
	ry, rm, rd := ref.Date()
	date := func(y int, m time.Month, d int) Due { return Due{Time: wallClock(y, m, d, 0, 0, 0, 0, loc)} }
	if s == "" {
		return Due{}, fmt.Errorf("empty")
	}
	// ISO forms first.
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return date(t.Date()), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, strings.ToUpper(s)); err == nil {
			return Due{Time: t.In(loc), HasTime: true}, nil
		}
	}
	if m := dayTime.FindStringSubmatch(s); m != nil {
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
			if t, err := time.Parse(layout, m[1]+" "+m[2]); err == nil {
				y, mo, d := t.Date()
				return Due{Time: wallClock(y, mo, d, t.Hour(), t.Minute(), t.Second(), 0, loc), HasTime: true}, nil
			}
		}
		return Due{}, fmt.Errorf("%q is not a valid date and time", raw)
	}
	if looksISO(s) {
		return Due{}, fmt.Errorf("%q is not a valid date", raw)
	}
	addDays := func(n int) Due { return date(ry, rm, rd+n) }
	switch s {
	case "today", "tonight", "this evening", "end of day", "end of today", "eod":
		return addDays(0), nil
	case "tomorrow", "tomorrow morning", "tomorrow evening":
		return addDays(1), nil
	case "day after tomorrow", "the day after tomorrow":
		return addDays(2), nil
	case "next week":
		return addDays(7 - (int(ref.Weekday())+6)%7), nil
	case "end of week", "end of the week", "end of this week", "this week":
		return addDays((int(time.Friday) - int(ref.Weekday()) + 7) % 7), nil
	case "end of month", "end of the month", "end of this month", "this month":
		return date(ry, rm+1, 0), nil
	case "end of year", "end of the year", "end of this year", "this year":
		return date(ry, 12, 31), nil
	}
	words := strings.Fields(s)
	if len(words) <= 2 {
		mod, name := "", words[0]
		if len(words) == 2 {
			mod, name = words[0], words[1]
		}
		if wd, ok := weekdays[name]; ok {
			ahead := (int(wd) - int(ref.Weekday()) + 7) % 7
			switch mod {
			case "this", "coming", "this coming":
				return addDays(ahead), nil
			case "":
				if ahead == 0 {
					ahead = 7
				}
				return addDays(ahead), nil
			case "next":
				// The weekday of the following week (weeks start on Monday).
				mondayNext := 7 - (int(ref.Weekday())+6)%7
				return addDays(mondayNext + (int(wd)+6)%7), nil
			}
		}
	}
	for _, re := range []*regexp.Regexp{inN, nFromNow} {
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		n, ok := small[m[1]]
		if !ok {
			n, _ = strconv.Atoi(m[1])
		}
		switch strings.TrimSuffix(m[2], "s") {
		case "day":
			return addDays(n), nil
		case "week":
			return addDays(7 * n), nil
		case "month":
			return date(ry, rm+time.Month(n), rd), nil
		}
	}
	return Due{}, fmt.Errorf("%q is not a date", raw)
}

// wallClock is the moment that a wall-clock time names in loc, read as RFC
// 5545 (3.3.5) and Taskwarrior read local times: a time that a change of
// offset skips (a spring-forward gap) takes the offset from before the gap,
// so 02:30 on the night clocks go from 02:00 to 03:00 is 03:30 summer time;
// a time that happens twice (the fall-back hour) is its first occurrence.
// (time.Date leaves both choices to chance.) Fields out of range are
// normalized as time.Date does.
func wallClock(year int, month time.Month, day, hour, min, sec, nsec int, loc *time.Location) time.Time {
	wall := time.Date(year, month, day, hour, min, sec, nsec, time.UTC)
	// The offsets around the moment: a zone changes its offset at most once
	// in three days.
	_, before := wall.Add(-36 * time.Hour).In(loc).Zone()
	_, after := wall.Add(36 * time.Hour).In(loc).Zone()
	var first time.Time
	for _, off := range []int{before, after} {
		t := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if _, o := t.Zone(); o == off && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	if first.IsZero() { // in a gap
		return wall.Add(-time.Duration(before) * time.Second).In(loc)
	}
	return first
}

// looksISO reports whether s starts like an ISO date (so that a wrong one
// is called invalid rather than unknown).
func looksISO(s string) bool {
	return len(s) >= 10 && s[4] == '-' && s[7] == '-' && strings.Trim(s[:4]+s[5:7]+s[8:10], "0123456789") == ""
}
