// Package safetext makes text that a model or a record supplied safe to
// put into a file that shelf writes. The text keeps its words, but it
// carries no control characters (terminal escapes, bells, NULs, which
// would reach a person's screen or trip a parser), no bidirectional
// embeddings, overrides or isolates (which reorder what a reader sees), no
// line ends where one line is wanted, and it is in Unicode NFC, so that the
// same words are the same bytes.
//
// Line and Text are for any format; Visible is for a message on a
// terminal that quotes what a server or a file said; MarkdownLine, MarkdownTask,
// MarkdownBlock and MarkdownTag are for Markdown as Obsidian and its Tasks
// plugin read it.
// The other formats' rules live beside their writers.
package safetext

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// lineEnd reports whether r ends a line: LF, CR, NEL, LINE SEPARATOR and
// PARAGRAPH SEPARATOR (vertical tab and form feed are plain controls).
func lineEnd(r rune) bool {
	return r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029
}

// bidi reports whether r is an explicit bidirectional formatting
// character: the embeddings, overrides and isolates (U+202A-U+202E,
// U+2066-U+2069) that can reorder the rest of a line. The marks LRM, RLM
// and ALM, which right-to-left writing needs, are kept.
func bidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// clean is the rule Line and Text share: bidi formatting characters go,
// line ends are kept (Text) or become spaces (Line), and every other
// control character (C0, DEL, C1; tabs too in Line) becomes a space.
func clean(s string, multiline bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 comes out as U+FFFD
		switch {
		case bidi(r):
		case lineEnd(r) && multiline:
			b.WriteByte('\n')
		case r == '\t' && multiline:
			b.WriteByte('\t')
		case lineEnd(r), unicode.IsControl(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// Line makes s one line of plain text: line ends, tabs and other control
// characters become spaces, runs of white space one space, with none at
// either end; bidirectional formatting characters are removed.
func Line(s string) string {
	return strings.Join(strings.Fields(clean(s, false)), " ")
}

// Text is Line for text of several lines: line ends (CR LF, CR, NEL,
// U+2028, U+2029) become LF, tabs are kept, white space is left as it is.
func Text(s string) string {
	return clean(s, true)
}

// Visible makes s one line that shows what it holds and can do nothing to
// the terminal it is printed on: a run of line ends becomes one space (none
// at the end), a tab a space, other white space is kept (so a value quoted
// in a message stays as it was given); every other control
// character (C0, DEL, C1) and each bidirectional formatting character is
// written as an escape (\x1b, \u009b, \u202e); invalid UTF-8 becomes
// U+FFFD. Backslashes are kept as they are, so Visible(Visible(s)) is
// Visible(s).
func Visible(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	s = strings.TrimRightFunc(s, lineEnd)
	prevEnd := false
	for _, r := range s {
		end := lineEnd(r)
		switch {
		case end && prevEnd: // CRLF, blank lines: one space
		case end, r == '\t':
			b.WriteByte(' ')
		case r < 0x20, r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r), bidi(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		prevEnd = end
	}
	return b.String()
}

// signifiers are the emoji that the Obsidian Tasks plugin reads as a
// task's fields (priorities, dates, recurrence, id, dependencies).
var signifiers = map[rune]bool{
	'🔺': true, '⏫': true, '🔼': true, '🔽': true, '⏬': true,
	'📅': true, '📆': true, '🗓': true, '⏳': true, '⌛': true, '🛫': true, '➕': true, '✅': true, '❌': true,
	'🔁': true, '🆔': true, '⛔': true, '🏁': true,
}

// markdown escapes, in one line, what Markdown or Obsidian would read as
// more than text: a backslash (so that the escapes hold), # (a tag or a
// heading), [ (a checkbox, link, embed or Dataview field), < (HTML or a
// comment), the second % of %% (an Obsidian comment). With fields, it
// drops the Obsidian Tasks signifiers (and a variation selector after one).
func markdown(line string, fields bool) string {
	var b strings.Builder
	b.Grow(len(line) + 8)
	prev, skipVS := rune(0), false
	for _, r := range line {
		if skipVS && r == 0xfe0f {
			skipVS = false
			continue
		}
		skipVS = false
		switch {
		case fields && signifiers[r]:
			skipVS = true
			r = ' '
		case r == '\\', r == '#', r == '[', r == '<', r == '%' && prev == '%':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// MarkdownLine makes s a line of Markdown that reads as its own text and
// nothing else, wherever in a line it is put (a heading, a list item):
// Line, then \, #, [ and < escaped with a backslash and %% written %\%, so
// that it can start no line, task, tag, link, embed, HTML or comment.
func MarkdownLine(s string) string {
	return markdown(Line(s), false)
}

// MarkdownTask is MarkdownLine for the text of a checklist item in the
// Obsidian Tasks style: the Tasks signifiers (📅 ✅ ⏫ 🔁 ...) are removed
// too, so that the text can add no priority, date, recurrence or
// dependency to its task.
func MarkdownTask(s string) string {
	return strings.Join(strings.Fields(markdown(Line(s), true)), " ")
}

// fence matches a line that would open a code block or a math block, or
// hide the rest of a note in one.
var fence = regexp.MustCompile("^[ \t]*(```|~~~|\\$\\$)")

// MarkdownBlock makes s paragraphs of Markdown that cannot reach outside
// themselves: Text, then each line escaped as MarkdownLine escapes it, and
// a line that would open a code or math block escaped too. Lists and paragraphs
// stay; a checklist item becomes a list item that shows its brackets.
func MarkdownBlock(s string) string {
	lines := strings.Split(Text(s), "\n")
	for i, l := range lines {
		l = markdown(l, false)
		if m := fence.FindStringSubmatchIndex(l); m != nil {
			l = l[:m[2]] + `\` + l[m[2]:]
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// MarkdownTag makes s the name of an Obsidian tag (written after a #):
// letters, marks, digits, _, - and / only; each run of anything else
// becomes one -, with none at either end.
func MarkdownTag(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range Line(s) {
		if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '/' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// Clip cuts s to at most n characters, marking the cut with an ellipsis,
// for quoting untrusted values in messages.
func Clip(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
