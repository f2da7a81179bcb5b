package tasks

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/safetext"
)

// Taskwarrior renders a task as one line that "task import" takes: only
// Taskwarrior's own attributes, since any other key would be kept forever
// as an orphan UDA. Dates are UTC in Taskwarrior's basic format; a due day
// without a time is midnight of that day in the person's time zone, as
// Taskwarrior reads "due:2026-11-27". Whom a task is for goes into the
// description, its evidence into an annotation (Said). Text goes through
// TaskwarriorText, tags through TaskwarriorTag.
func Taskwarrior(t Task) []byte {
	desc := TaskwarriorText(t.Title)
	if f := TaskwarriorText(t.For); f != "" {
		desc += " (for " + f + ")"
	}
	var tags []string
	for _, tag := range t.Tags {
		if tag = TaskwarriorTag(tag); tag != "" && !slices.Contains(tags, tag) {
			tags = append(tags, tag)
		}
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
		Annotations []twNote `json:"annotations,omitempty"`
	}{UUID: t.ID, Description: desc, Status: "pending", Entry: twTime(t.entry), Project: TaskwarriorText(t.Project), Tags: tags}
	if said := Said(t.Evidence); said != "" {
		tw.Annotations = []twNote{{Entry: twTime(t.entry), Description: TaskwarriorText(said)}}
	}
	if t.hasDue {
		tw.Due = twTime(t.due.Time)
	}
	tw.Priority = map[string]string{"high": "H", "medium": "M", "low": "L"}[t.Priority]
	b, _ := record.Marshal(tw)
	return b
}

func twTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// twNote is a Taskwarrior annotation.
type twNote struct {
	Entry       string `json:"entry"`
	Description string `json:"description"`
}

// Said is a task's evidence as one line of plain text, for the formats
// that have a note for it: the text's words in quotation marks, after the
// time in the recording when it is known:
//
//	Said at 12:05: “call the dentist tomorrow”
//
// It is "" for a task without evidence.
func Said(e *Evidence) string {
	if e == nil {
		return ""
	}
	q := "“" + safetext.Line(e.Quote) + "”"
	if e.At != nil {
		return "Said at " + Clock(*e.At) + ": " + q
	}
	return "Said: " + q
}

// Clock is a time in a recording, in seconds, as a clock shows it:
// 12:05, or 1:02:03 from an hour on (seconds cut, not rounded).
func Clock(sec float64) string {
	s := max(0, int(sec))
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// TodoTxtAt is a time in a recording, in seconds, as the value of a
// todo.txt at: key, which must hold no colon: 12m05s, or 1h02m03s from an
// hour on (seconds cut, not rounded).
func TodoTxtAt(sec float64) string {
	s := max(0, int(sec))
	if s >= 3600 {
		return fmt.Sprintf("%dh%02dm%02ds", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%dm%02ds", s/60, s%60)
}

// TaskwarriorText makes model text a Taskwarrior description or project:
// one line (safetext.Line), so that "task list" shows one task a row and no
// escape sequence reaches the terminal. JSON escaping does the rest.
func TaskwarriorText(s string) string { return safetext.Line(s) }

// TaskwarriorTag makes model text one Taskwarrior tag: a word without
// spaces or commas (which would split it into two tags) and without the
// + or - that the command line reads as adding or removing a tag.
func TaskwarriorTag(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ',' || unicode.IsSpace(r) {
			return '-'
		}
		return r
	}, safetext.Line(s))
	return strings.TrimLeft(s, "+-")
}

// TodoTxt renders a task as a todo.txt line:
//
//	(A) 2026-11-26 Call the dentist +health @sam due:2026-11-27 at:12m05s uuid:...
//
// Priority high, medium and low are (A), (B) and (C); the date is the day
// the source was made; the project and tags become +words, whom it is for
// an @context; due: is the due day; at: is where in the recording the
// task was said (TodoTxtAt), when known; uuid: is the task's identity, so
// that --append adds each task once. The title goes through TodoTxtText, the
// words through TodoTxtWord.
func TodoTxt(t Task) string {
	var b strings.Builder
	if p := map[string]string{"high": "(A) ", "medium": "(B) ", "low": "(C) "}[t.Priority]; p != "" {
		b.WriteString(p)
	}
	b.WriteString(t.entry.Format(time.DateOnly))
	if title := TodoTxtText(t.Title); title != "" {
		b.WriteString(" " + title)
	}
	project := TodoTxtWord(t.Project)
	if project != "" {
		b.WriteString(" +" + project)
	}
	for _, tag := range t.Tags {
		if tag = TodoTxtWord(tag); tag != "" && tag != project {
			b.WriteString(" +" + tag)
		}
	}
	if f := TodoTxtWord(t.For); f != "" {
		b.WriteString(" @" + f)
	}
	if t.hasDue {
		b.WriteString(" due:" + t.due.Time.Format(time.DateOnly))
	}
	if t.Evidence != nil && t.Evidence.At != nil {
		b.WriteString(" at:" + TodoTxtAt(*t.Evidence.At))
	}
	b.WriteString(" uuid:" + t.ID)
	return b.String()
}

// leadPriority is a todo.txt priority at the start of a line.
var leadPriority = regexp.MustCompile(`^\(([A-Z])\) `)

// TodoTxtText makes model text safe anywhere in a todo.txt line: one line
// (safetext.Line); no word of it is read as a key:value field (due:, uuid:,
// t:, rec:, h:...), a +project or an @context, because a colon between a
// word and more text gets a space after it (not in a time such as 10:30,
// nor in a URL's ://) and a + or @ that starts a word gets a space after
// it; and it cannot give a line a state or a priority, because a leading
// "x " is written "X " and a leading "(A) " "(a) ".
func TodoTxtText(s string) string {
	s = safetext.Line(s)
	var b strings.Builder
	wordStart, key := true, 0 // key: the length of the run before a colon
	allDigits := true
	for i, r := range s {
		next := byte(' ')
		if i+utf8.RuneLen(r) < len(s) {
			next = s[i+utf8.RuneLen(r)]
		}
		b.WriteRune(r)
		// A space written here starts a word: what follows is checked as one.
		switch {
		case r == ' ':
			wordStart, key, allDigits = true, 0, true
			continue
		case wordStart && (r == '+' || r == '@') && next != ' ':
			b.WriteByte(' ')
			continue
		case r == ':':
			field := key > 0 && !allDigits && next != ' ' && next != ':' && !strings.HasPrefix(s[i+1:], "//")
			key, allDigits = 0, true
			if field {
				b.WriteByte(' ')
				wordStart = true
				continue
			}
		default:
			key++
			allDigits = allDigits && r >= '0' && r <= '9'
		}
		wordStart = false
	}
	s = b.String()
	if strings.HasPrefix(s, "x ") {
		s = "X" + s[1:]
	}
	if m := leadPriority.FindStringSubmatch(s); m != nil {
		s = "(" + strings.ToLower(m[1]) + s[2:]
	}
	return s
}

// TodoTxtWord makes model text the word after a + (project) or @
// (context): one line, its spaces made hyphens.
func TodoTxtWord(s string) string {
	return strings.ReplaceAll(safetext.Line(s), " ", "-")
}

// Markdown renders a task as a checklist line in the Obsidian Tasks style:
//
//   - [ ] Call the dentist (for Sam) — “call the dentist tomorrow” (at 12:05) ⏫ 📅 2026-11-27 #health
//
// The words of the text that ask for it follow the title, with the time
// in the recording when it is known, before the fields, which Obsidian
// Tasks reads at the end of the line. ⏫, 🔼 and 🔽 are high, medium and
// low priority; 📅 the due day. The title, whom it is for and the quote go
// through safetext.MarkdownTask (so they can start no task, tag, link or
// Tasks field), the project and the tags through safetext.MarkdownTag.
func Markdown(t Task) string {
	var b strings.Builder
	b.WriteString("- [ ] ")
	b.WriteString(safetext.MarkdownTask(t.Title))
	if f := safetext.MarkdownTask(t.For); f != "" {
		b.WriteString(" (for " + f + ")")
	}
	if e := t.Evidence; e != nil {
		if q := safetext.MarkdownTask(e.Quote); q != "" {
			b.WriteString(" — “" + q + "”")
			if e.At != nil {
				b.WriteString(" (at " + Clock(*e.At) + ")")
			}
		}
	}
	if p := PriorityFlags[t.Priority]; p != "" {
		b.WriteString(" " + p)
	}
	if t.hasDue {
		b.WriteString(" 📅 " + t.due.Time.Format(time.DateOnly))
	}
	project := safetext.MarkdownTag(t.Project)
	if project != "" {
		b.WriteString(" #" + project)
	}
	for _, tag := range t.Tags {
		if tag = safetext.MarkdownTag(tag); tag != "" && tag != project {
			b.WriteString(" #" + tag)
		}
	}
	return b.String()
}

// Calendar writes tasks as one iCalendar (RFC 5545) object of VTODOs: CRLF
// line ends, lines folded at 75 octets without splitting a character, TEXT
// values made by ICSText.
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
	c.line("SUMMARY:" + ICSText(t.Title))
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
	var cats []string
	for _, tag := range t.Tags {
		if tag = ICSText(tag); tag != "" && !slices.Contains(cats, tag) {
			cats = append(cats, tag)
		}
	}
	if len(cats) > 0 {
		c.line("CATEGORIES:" + strings.Join(cats, ","))
	}
	// One line each, joined by escaped line ends.
	var desc []string
	for _, d := range []struct{ label, value string }{{"For", t.For}, {"Project", t.Project}, {"Source", t.source}} {
		if v := ICSText(d.value); v != "" {
			desc = append(desc, d.label+": "+v)
		}
	}
	if said := ICSText(Said(t.Evidence)); said != "" {
		desc = append(desc, said)
	}
	if len(desc) > 0 {
		c.line("DESCRIPTION:" + strings.Join(desc, `\n`))
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

// ICSText makes model text an iCalendar TEXT value of one line: one line
// (safetext.Line), so that it holds none of the control characters RFC 5545
// forbids in TEXT and no line end, escaped or not, then escaped by
// EscapeText.
func ICSText(s string) string { return EscapeText(safetext.Line(s)) }

// EscapeText escapes an iCalendar TEXT value: backslash, semicolon and
// comma get a backslash, line ends (CR LF, CR, LF, NEL, U+2028, U+2029)
// become \n, and the control characters RFC 5545 forbids in TEXT (tabs too)
// spaces; bidirectional formatting characters go.
func EscapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)
	return r.Replace(strings.ReplaceAll(safetext.Text(s), "\t", " "))
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

// PriorityFlags are the Obsidian Tasks signifiers of the priorities.
var PriorityFlags = map[string]string{"high": "⏫", "medium": "🔼", "low": "🔽"}
