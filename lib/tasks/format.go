package tasks

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shelfai/shelf/lib/record"
)

// Taskwarrior renders a task as one line that "task import" takes: only
// Taskwarrior's own attributes, since any other key would be kept forever
// as an orphan UDA. Dates are UTC in Taskwarrior's basic format; a due day
// without a time is midnight of that day in the person's time zone, as
// Taskwarrior reads "due:2026-11-27". Whom a task is for goes into the
// description.
func Taskwarrior(t Task) []byte {
	desc := t.Title
	if t.For != "" {
		desc += " (for " + t.For + ")"
	}
	tw := struct {
		UUID        string   `json:"uuid"`
		Description string   `json:"description"`
		Status      string   `json:"status"`
		Entry       string   `json:"entry"`
		Due         string   `json:"due,omitempty"`
		Priority    string   `json:"priority,omitempty"`
		Project     string   `json:"project,omitempty"`
		Tags        []string `json:"tags,omitempty"`
	}{UUID: t.ID, Description: desc, Status: "pending", Entry: twTime(t.entry), Project: t.Project, Tags: t.Tags}
	if t.hasDue {
		tw.Due = twTime(t.due.Time)
	}
	tw.Priority = map[string]string{"high": "H", "medium": "M", "low": "L"}[t.Priority]
	b, _ := record.Marshal(tw)
	return b
}

func twTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// TodoTxt renders a task as a todo.txt line:
//
//	(A) 2026-11-26 Call the dentist +health @sam due:2026-11-27 uuid:...
//
// Priority high, medium and low are (A), (B) and (C); the date is the day
// the source was made; the project and tags become +words, whom it is for
// an @context; due: is the due day; uuid: is the task's identity, so that
// --append adds each task once.
func TodoTxt(t Task) string {
	var b strings.Builder
	if p := map[string]string{"high": "(A) ", "medium": "(B) ", "low": "(C) "}[t.Priority]; p != "" {
		b.WriteString(p)
	}
	b.WriteString(t.entry.Format(time.DateOnly))
	b.WriteString(" ")
	b.WriteString(t.Title)
	word := func(s string) string { return strings.Join(strings.Fields(s), "-") }
	if t.Project != "" {
		b.WriteString(" +" + word(t.Project))
	}
	for _, tag := range t.Tags {
		if tag != word(t.Project) {
			b.WriteString(" +" + tag)
		}
	}
	if t.For != "" {
		b.WriteString(" @" + word(t.For))
	}
	if t.hasDue {
		b.WriteString(" due:" + t.due.Time.Format(time.DateOnly))
	}
	b.WriteString(" uuid:" + t.ID)
	return b.String()
}

// Markdown renders a task as a checklist line in the Obsidian Tasks style:
//
//   - [ ] Call the dentist (for Sam) ⏫ 📅 2026-11-27 #health
//
// ⏫, 🔼 and 🔽 are high, medium and low priority; 📅 the due day.
func Markdown(t Task) string {
	var b strings.Builder
	b.WriteString("- [ ] ")
	b.WriteString(t.Title)
	if t.For != "" {
		b.WriteString(" (for " + t.For + ")")
	}
	if p := map[string]string{"high": " ⏫", "medium": " 🔼", "low": " 🔽"}[t.Priority]; p != "" {
		b.WriteString(p)
	}
	if t.hasDue {
		b.WriteString(" 📅 " + t.due.Time.Format(time.DateOnly))
	}
	project := strings.Join(strings.Fields(t.Project), "-")
	if project != "" {
		b.WriteString(" #" + project)
	}
	for _, tag := range t.Tags {
		if tag != project {
			b.WriteString(" #" + tag)
		}
	}
	return b.String()
}

// Calendar writes tasks as one iCalendar (RFC 5545) object of VTODOs: CRLF
// line ends, lines folded at 75 octets without splitting a character, TEXT
// values escaped.
type Calendar struct {
	w       io.Writer
	stamp   time.Time
	started bool
	err     error
}

// NewCalendar returns a calendar writer; stamp is the DTSTAMP of its todos.
func NewCalendar(w io.Writer, stamp time.Time) *Calendar { return &Calendar{w: w, stamp: stamp} }

func (c *Calendar) line(s string) {
	if c.err == nil {
		_, c.err = io.WriteString(c.w, Fold(s))
	}
}

func (c *Calendar) begin() {
	if !c.started {
		c.started = true
		c.line("BEGIN:VCALENDAR")
		c.line("VERSION:2.0")
		c.line("PRODID:-//shelf//tasks//EN")
		c.line("CALSCALE:GREGORIAN")
	}
}

// Add writes one task as a VTODO.
func (c *Calendar) Add(t Task) error {
	c.begin()
	c.line("BEGIN:VTODO")
	c.line("UID:" + t.ID)
	c.line("DTSTAMP:" + twTime(c.stamp))
	c.line("CREATED:" + twTime(t.entry))
	c.line("SUMMARY:" + EscapeText(t.Title))
	if t.hasDue {
		if t.due.HasTime {
			c.line("DUE:" + twTime(t.due.Time))
		} else {
			c.line("DUE;VALUE=DATE:" + t.due.Time.Format("20060102"))
		}
	}
	if p := map[string]string{"high": "1", "medium": "5", "low": "9"}[t.Priority]; p != "" {
		c.line("PRIORITY:" + p)
	}
	if len(t.Tags) > 0 {
		cats := make([]string, len(t.Tags))
		for i, tag := range t.Tags {
			cats[i] = EscapeText(tag)
		}
		c.line("CATEGORIES:" + strings.Join(cats, ","))
	}
	var desc []string
	if t.For != "" {
		desc = append(desc, "For: "+t.For)
	}
	if t.Project != "" {
		desc = append(desc, "Project: "+t.Project)
	}
	if t.source != "" {
		desc = append(desc, "Source: "+t.source)
	}
	if len(desc) > 0 {
		c.line("DESCRIPTION:" + EscapeText(strings.Join(desc, "\n")))
	}
	c.line("STATUS:NEEDS-ACTION")
	c.line("END:VTODO")
	return c.err
}

// Close ends the calendar (a calendar with no tasks is still written, so
// the output is always one VCALENDAR).
func (c *Calendar) Close() error {
	c.begin()
	c.line("END:VCALENDAR")
	return c.err
}

// EscapeText escapes an iCalendar TEXT value.
func EscapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// Fold ends a content line with CRLF, folding it so that no line is longer
// than 75 octets and no UTF-8 character is split.
func Fold(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}

// Describe is a one-line account of a task, for messages.
func Describe(t Task) string {
	if t.hasDue {
		return fmt.Sprintf("%q due %s", t.Title, t.Due)
	}
	return fmt.Sprintf("%q", t.Title)
}
