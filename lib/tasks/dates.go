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
	Time    time.Time // midnight of the day (in the reference zone) when !HasTime
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
// else is an error: a date is never guessed.
func ResolveDue(s string, ref time.Time) (Due, error) {
	raw := s
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(s, ".")
	s = strings.TrimPrefix(s, "by ")
	s = strings.TrimPrefix(s, "on ")
	s = strings.TrimPrefix(s, "due ")
	s = strings.Join(strings.Fields(s), " ")
	loc := ref.Location()
	day := func(t time.Time) Due {
		y, m, d := t.Date()
		return Due{Time: time.Date(y, m, d, 0, 0, 0, 0, loc)}
	}
	today := day(ref).Time
	if s == "" {
		return Due{}, fmt.Errorf("empty")
	}
	// ISO forms first.
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return Due{Time: t}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, strings.ToUpper(s)); err == nil {
			return Due{Time: t.In(loc), HasTime: true}, nil
		}
	}
	if m := dayTime.FindStringSubmatch(s); m != nil {
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
			if t, err := time.ParseInLocation(layout, m[1]+" "+m[2], loc); err == nil {
				return Due{Time: t, HasTime: true}, nil
			}
		}
		return Due{}, fmt.Errorf("%q is not a valid date and time", raw)
	}
	if looksISO(s) {
		return Due{}, fmt.Errorf("%q is not a valid date", raw)
	}
	addDays := func(n int) Due { return Due{Time: today.AddDate(0, 0, n)} }
	switch s {
	case "today", "tonight", "this evening", "end of day", "end of today", "eod":
		return addDays(0), nil
	case "tomorrow", "tomorrow morning", "tomorrow evening":
		return addDays(1), nil
	case "day after tomorrow", "the day after tomorrow":
		return addDays(2), nil
	case "next week":
		return addDays(7 - (int(today.Weekday())+6)%7), nil
	case "end of week", "end of the week", "end of this week", "this week":
		return addDays((int(time.Friday) - int(today.Weekday()) + 7) % 7), nil
	case "end of month", "end of the month", "end of this month", "this month":
		return Due{Time: time.Date(today.Year(), today.Month()+1, 0, 0, 0, 0, 0, loc)}, nil
	case "end of year", "end of the year", "end of this year", "this year":
		return Due{Time: time.Date(today.Year(), 12, 31, 0, 0, 0, 0, loc)}, nil
	}
	words := strings.Fields(s)
	if len(words) <= 2 {
		mod, name := "", words[0]
		if len(words) == 2 {
			mod, name = words[0], words[1]
		}
		if wd, ok := weekdays[name]; ok {
			ahead := (int(wd) - int(today.Weekday()) + 7) % 7
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
				mondayNext := 7 - (int(today.Weekday())+6)%7
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
			return Due{Time: today.AddDate(0, n, 0)}, nil
		}
	}
	return Due{}, fmt.Errorf("%q is not a date", raw)
}

// looksISO reports whether s starts like an ISO date (so that a wrong one
// is called invalid rather than unknown).
func looksISO(s string) bool {
	return len(s) >= 10 && s[4] == '-' && s[7] == '-' && strings.Trim(s[:4]+s[5:7]+s[8:10], "0123456789") == ""
}
