// Package safetext makes text that a model or a record supplied safe to
// put into a file that shelf writes. The text keeps its words, but it
// carries no control characters (terminal escapes, bells, NULs, which
// would reach a person's screen or trip a parser), no bidirectional
// embeddings, overrides or isolates (which reorder what a reader sees), no
// line ends where one line is wanted, and it is in Unicode NFC, so that the
// same words are the same bytes.
//
// Line and Text are for any format, Title for a line that names something
// (a note, a file); Visible is for a message on a terminal that quotes what
// a server or a file said; MarkdownLine, MarkdownItem, MarkdownTask,
// MarkdownBlock and MarkdownTag are for Markdown as Obsidian and its
// Tasks plugin read it.
// The other formats' rules live beside their writers.
package safetext

import (
	"fmt"
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

// invisible reports whether r is a format character that takes up no
// room: zero-width space, non-joiner and joiner, the marks LRM and RLM
// (U+200B-U+200F), the word joiner and invisible operators
// (U+2060-U+2064), the byte order mark (U+FEFF) and the soft hyphen.
func invisible(r rune) bool {
	return (r >= 0x200b && r <= 0x200f) || (r >= 0x2060 && r <= 0x2064) || r == 0xfeff || r == 0xad
}

// Title is Line for a line that names something (a note's title, and so
// its file): the invisible characters are removed too, so that two titles
// that look the same are the same bytes and no name hides a character.
func Title(s string) string {
	return Line(strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s))
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
// that it can start no line, task, tag, link, embed, HTML or comment; and,
// should it start a line, it starts no quote, rule, heading underline,
// table or fence either (lineStart); and it ends in no Obsidian block id
// (blockID), which only shelf writes.
func MarkdownLine(s string) string {
	return blockID(lineStart(markdown(Line(s), false)))
}

// MarkdownItem is MarkdownLine for the text of a list item ("- " and
// then s): a list marker that s starts with is escaped too (\- , 1\. ),
// so that s nests no list of its own in the item.
func MarkdownItem(s string) string {
	l := MarkdownLine(s)
	switch n := listMarker(l); {
	case n == 1:
		return `\` + l
	case n > 1:
		return l[:n-1] + `\` + l[n-1:]
	}
	return l
}

// MarkdownTask is MarkdownLine for the text of a checklist item in the
// Obsidian Tasks style: the Tasks signifiers (📅 ✅ ⏫ 🔁 ...) are removed
// too, so that the text can add no priority, date, recurrence or
// dependency to its task; nor a block id (blockID) to its line.
func MarkdownTask(s string) string {
	return blockID(strings.Join(strings.Fields(markdown(Line(s), true)), " "))
}

// MarkdownBlock makes s paragraphs of Markdown that cannot reach outside
// themselves: Text, then each line escaped as MarkdownLine escapes it.
// Lists and paragraphs stay; a checklist item becomes a list item that
// shows its brackets; a line that would start a quote or callout, a rule
// (or a front-matter fence), a heading underline, a table or a code or math
// block shows its first character instead (lineStart), and no line ends
// in a block id (blockID).
func MarkdownBlock(s string) string {
	lines := strings.Split(Text(s), "\n")
	for i, l := range lines {
		lines[i] = blockID(lineStart(markdown(l, false)))
	}
	return strings.Join(lines, "\n")
}

// lineStart escapes, with a backslash, the character at the start of a
// line (after its indent and any list markers) that would make the line
// more than text: > (a quote or callout), ``` ~~~ and $$ (a code or math
// block that would swallow the rest of the note), and the first of a line
// that is only - = * _ + | and : (a rule, a front-matter fence, a heading
// underline under the line before, a table's delimiter row). Inside a line
// these characters are text and stay as they are.
func lineStart(l string) string {
	i := 0
	for {
		for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
			i++
		}
		rest := l[i:]
		if rest == "" {
			return l
		}
		if rest[0] == '>' || rule(rest) || strings.HasPrefix(rest, "```") || strings.HasPrefix(rest, "~~~") || strings.HasPrefix(rest, "$$") {
			return l[:i] + `\` + rest
		}
		n := listMarker(rest)
		if n == 0 {
			return l
		}
		i += n
	}
}

// blockID escapes, with a backslash, the ^ of an Obsidian block id at
// the end of a line (^ and letters, digits or dashes, after white space or
// at the start of the line, with only white space after): it would name
// the line's block, and a link elsewhere in the note could point at it.
func blockID(l string) string {
	end := len(strings.TrimRightFunc(l, unicode.IsSpace))
	i := end
	for i > 0 && (isASCIIAlnum(l[i-1]) || l[i-1] == '-') {
		i--
	}
	if i == end || i == 0 || l[i-1] != '^' {
		return l
	}
	caret := i - 1
	if before := strings.TrimRightFunc(l[:caret], unicode.IsSpace); caret > 0 && len(before) == caret {
		return l // ^ inside a word: 2^10
	}
	return l[:caret] + `\` + l[caret:]
}

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// rule reports whether a line is made only of the characters of rules,
// heading underlines, front-matter fences and table delimiter rows.
func rule(l string) bool {
	return strings.Trim(l, "-=*_+|: \t") == ""
}

// listMarker returns the length of the list marker that l starts with
// (-, + or *, or up to nine digits and . or ), then a space or a tab), or
// 0.
func listMarker(l string) int {
	n := 0
	for n < len(l) && n < 9 && l[n] >= '0' && l[n] <= '9' {
		n++
	}
	switch {
	case n > 0 && n < len(l) && (l[n] == '.' || l[n] == ')'):
		n++
	case n == 0 && l != "" && strings.ContainsRune("-+*", rune(l[0])):
		n = 1
	default:
		return 0
	}
	if n < len(l) && (l[n] == ' ' || l[n] == '\t') {
		return n
	}
	return 0
}

// MarkdownTag makes s the name of an Obsidian tag (written after a #):
// letters, marks, digits, _, -, / and symbols such as emoji (not the
// Obsidian Tasks signifiers) only; in each piece between slashes
// (a nested tag's levels), each run of anything else (dots too) becomes
// one -, with none at either end, and empty pieces are dropped. A tag of
// digits alone is no tag to Obsidian: it comes out "".
func MarkdownTag(s string) string {
	var pieces []string
	for _, piece := range strings.Split(Line(s), "/") {
		var b strings.Builder
		dash := false
		for _, r := range piece {
			if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '_' || r == '-' ||
				unicode.Is(unicode.So, r) && !signifiers[r] {
				b.WriteRune(r)
				dash = false
			} else if !dash {
				b.WriteByte('-')
				dash = true
			}
		}
		if p := strings.Trim(b.String(), "-"); p != "" {
			pieces = append(pieces, p)
		}
	}
	tag := strings.Join(pieces, "/")
	if strings.IndexFunc(tag, func(r rune) bool { return r != '/' && !unicode.IsDigit(r) }) < 0 {
		return ""
	}
	return tag
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
