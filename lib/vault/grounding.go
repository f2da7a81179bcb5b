package vault

// Where each task of a note was said (shelf(7), CHECKS). Tasks carry
// evidence:
// {quote, start, end}, the text's own words and their character offsets;
// the note gets an Obsidian block id on the transcript line or paragraph
// that holds the quote's start, and the task a link to it. Every id and
// link is made here, never from a record's words, and a quote that cannot
// be placed surely gets no link rather than a wrong one.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shelfai/shelf/lib/safetext"
	"github.com/tidwall/gjson"
)

// span is a stretch of the record's text, in bytes.
type span struct{ start, end int }

// quoteStarts returns, for each task, the byte offset in text where its
// evidence starts, or -1 when it has none that holds: start and end must
// be whole numbers, 0 <= start < end <= the number of characters of text,
// and quote must be exactly the text's characters between them. Offsets
// count characters (Unicode code points), as shelf(7) says; they are
// converted in one pass over the text.
func quoteStarts(text string, tasks []gjson.Result) []int {
	type ev struct {
		quote      string
		start, end int
	}
	evs := make([]ev, len(tasks))
	var chars []int
	for i, t := range tasks {
		evs[i] = ev{start: -1}
		e := t.Get("evidence")
		s, en, q := e.Get("start"), e.Get("end"), e.Get("quote")
		if !e.IsObject() || s.Type != gjson.Number || en.Type != gjson.Number || q.Type != gjson.String {
			continue
		}
		if s.Num != math.Trunc(s.Num) || en.Num != math.Trunc(en.Num) || s.Num < 0 || en.Num <= s.Num || en.Num > float64(len(text)) {
			continue // a text of n bytes has at most n characters
		}
		evs[i] = ev{quote: q.Str, start: int(s.Num), end: int(en.Num)}
		chars = append(chars, evs[i].start, evs[i].end)
	}
	bytes := byteOffsets(text, chars)
	out := make([]int, len(tasks))
	for i, e := range evs {
		out[i] = -1
		bs, ok1 := bytes[e.start]
		be, ok2 := bytes[e.end]
		if e.start >= 0 && ok1 && ok2 && text[bs:be] == e.quote {
			out[i] = bs
		}
	}
	return out
}

// byteOffsets maps character offsets into text (none negative) to byte
// offsets; an offset past the end of the text is not in the map.
func byteOffsets(text string, chars []int) map[int]int {
	want := slices.Compact(slices.Sorted(slices.Values(chars)))
	out := make(map[int]int, len(want))
	n := 0
	for i := range text {
		if len(want) == 0 {
			return out
		}
		if want[0] == n {
			out[n] = i
			want = want[1:]
		}
		n++
	}
	if len(want) > 0 && want[0] == n {
		out[n] = len(text)
	}
	return out
}

// segmentSpans finds each segment's text in the record's text: in order,
// each after the one before with only white space between, white space
// compared loosely (a run of it matches any run, or none) and every other
// character exactly. A segment of white space alone has no span; the first
// segment that is not found, and each after it, has none either (-1).
func segmentSpans(text string, segs []string) []span {
	spans := make([]span, len(segs))
	for k := range spans {
		spans[k] = span{-1, -1}
	}
	pos := 0
	for k, seg := range segs {
		sp, i := span{-1, -1}, pos
		for _, r := range seg {
			if unicode.IsSpace(r) {
				continue
			}
			for i < len(text) {
				c, n := utf8.DecodeRuneInString(text[i:])
				if !unicode.IsSpace(c) {
					break
				}
				i += n
			}
			c, n := utf8.DecodeRuneInString(text[i:])
			if i >= len(text) || c != r {
				return spans
			}
			if sp.start < 0 {
				sp.start = i
			}
			i += n
			sp.end = i
		}
		if sp.start >= 0 {
			spans[k] = sp
			pos = sp.end
		}
	}
	return spans
}

// textLine is a line of the note's "## Text": what the note shows, and
// where it is in the record's text (bytes, without the line end).
type textLine struct {
	text string
	span
}

// textLines are the lines the note shows of the record's text: each line
// as safetext.Text makes it, and the text trimmed of white space at both
// ends as strings.TrimSpace trims it, so that joined with "\n" they are
// strings.TrimSpace(safetext.Text(text)). Lines end where safetext.Text
// ends them (LF, CR LF, CR, NEL, U+2028, U+2029).
func textLines(text string) []textLine {
	var lines []textLine
	start := 0
	add := func(end int) {
		lines = append(lines, textLine{text: safetext.Text(text[start:end]), span: span{start, end}})
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\r' && strings.HasPrefix(text[i+1:], "\n"):
			add(i)
			n = 2
			start = i + n
		case r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029:
			add(i)
			start = i + n
		}
		i += n
	}
	add(len(text))
	blank := func(l textLine) bool { return strings.TrimSpace(l.text) == "" }
	first := slices.IndexFunc(lines, func(l textLine) bool { return !blank(l) })
	if first < 0 {
		return nil
	}
	last := len(lines) - 1
	for blank(lines[last]) {
		last--
	}
	lines = lines[first : last+1]
	lines[0].text = strings.TrimLeftFunc(lines[0].text, unicode.IsSpace)
	lines[len(lines)-1].text = strings.TrimRightFunc(lines[len(lines)-1].text, unicode.IsSpace)
	return lines
}

// blockIDRe is an Obsidian block id at the end of a line: ^ and letters,
// digits or dashes, after white space or at the start of the line.
var blockIDRe = regexp.MustCompile(`(?:^|\s)\^([A-Za-z0-9-]+)\s*$`)

// markdownBlank reports whether a line is blank to Markdown: only spaces
// and tabs.
func markdownBlank(l string) bool { return strings.Trim(l, " \t") == "" }

var (
	fenceRe   = regexp.MustCompile("^ {0,3}(`{3,}|~{3,}|\\${2,})")
	headingRe = regexp.MustCompile(`^ {0,3}#{1,6}(?:[ \t]|$)`)
	listRe    = regexp.MustCompile(`^[ \t]*(?:[-+*]|[0-9]{1,9}[.)])(?:[ \t]|$)`)
	// structRe is a line that starts a quote, callout, table row or HTML
	// block: structure a block id at a line's end does not name surely.
	structRe = regexp.MustCompile(`^ {0,3}[>|<]`)
)

// ruleLike reports whether a line is made only of the characters of rules,
// heading underlines and table delimiter rows.
func ruleLike(l string) bool { return strings.Trim(l, "-=*_+|: \t") == "" }

// lineKind is what a line of the note's text is to Markdown, as far as a
// block id at its end goes.
type lineKind struct {
	hidden bool // inside a code or math block or an Obsidian comment
	blank  bool // only spaces and tabs
	// other: a fence, heading, quote, callout, table row, HTML, rule or
	// comment mark, which a block id cannot follow surely
	other      bool
	item       bool // starts a list item
	interrupts bool // starts a list that interrupts a paragraph
}

// lineKinds reads each line of the note's text once. Code and math blocks
// are fenced by ```, ~~~ or $$; Obsidian comments by %%; raw HTML that
// runs on over blank lines ends at its own mark (rawHTML).
func lineKinds(lines []textLine) []lineKind {
	kinds := make([]lineKind, len(lines))
	fence, comment := "", false
	var html rawHTML
	for j, l := range lines {
		t := l.text
		inHTML := html.end != ""
		kinds[j] = lineKind{
			hidden: fence != "" || comment || inHTML,
			blank:  markdownBlank(t),
			other: strings.Contains(t, "%%") || fenceRe.MatchString(t) || headingRe.MatchString(t) ||
				structRe.MatchString(t) || !markdownBlank(t) && ruleLike(t),
			item:       listRe.MatchString(t),
			interrupts: interrupts(t),
		}
		if fence != "" || comment {
			// code or a comment: HTML there is text
		} else if html.read(t) {
			kinds[j].other = true
			continue // in HTML, fences and %% are text
		}
		if strings.Count(t, "%%")%2 == 1 {
			comment = !comment
		}
		if m := fenceRe.FindStringSubmatch(t); m != nil {
			switch {
			case fence == "":
				fence = m[1]
			case m[1][0] == fence[0] && len(m[1]) >= len(fence) && strings.Trim(t, " "+m[1][:1]) == "":
				fence = ""
			}
		}
	}
	return kinds
}

// htmlOpenRe is a line that starts raw HTML of the kinds that run on over
// blank lines to an end mark (CommonMark's HTML blocks 1, 3, 4 and 5):
// <pre, <script, <style or <textarea, <?, <![CDATA[, and <! with a letter;
// after any indent and the marks of the lists and quotes that may hold it.
// Comments (kind 2) are read apart, wherever in a line they open.
var htmlOpenRe = regexp.MustCompile(`^[ \t]*(?:(?:>|[-+*]|[0-9]{1,9}[.)])[ \t]*)*<(?:(?i:(pre|script|style|textarea))(?:[ \t>]|$)|(\?)|(!\[CDATA\[)|(![A-Za-z]))`)

// rawHTML follows raw HTML that runs on over blank lines to an end mark:
// the blocks of htmlOpenRe, and a comment (<!-- to -->) opened anywhere in
// a line and not closed there. Obsidian shows nothing inside as Markdown,
// and reads no block id there. end is the mark that closes the HTML open
// now, "" when none is.
type rawHTML struct{ end string }

// read reads the next line and reports whether it opens, holds or closes
// raw HTML. The end marks of tags are found whatever their case.
func (h *rawHTML) read(t string) bool {
	if h.end == "" {
		m := htmlOpenRe.FindStringSubmatchIndex(t)
		if m == nil {
			return h.comments(t)
		}
		switch {
		case m[2] >= 0:
			h.end = "</" + strings.ToLower(t[m[2]:m[3]]) + ">"
		case m[4] >= 0:
			h.end = "?>"
		case m[6] >= 0:
			h.end = "]]>"
		default:
			h.end = ">"
		}
		t = t[m[1]:]
	}
	i := indexFold(t, h.end)
	if i < 0 {
		return true
	}
	t, h.end = t[i+len(h.end):], ""
	h.comments(t)
	return true
}

// comments reads a line outside raw HTML for comments: one that opens and
// is not closed in it stays open (end "-->"), and the line holds it.
func (h *rawHTML) comments(t string) bool {
	open := false
	for {
		mark := "<!--"
		if open {
			mark = "-->"
		}
		i := strings.Index(t, mark)
		if i < 0 {
			break
		}
		open = !open
		t = t[i+len(mark):]
	}
	if open {
		h.end = "-->"
	}
	return open
}

// indexFold is strings.Index for an ASCII mark, with ASCII letters in any
// case.
func indexFold(s, mark string) int {
	for i := 0; i+len(mark) <= len(s); i++ {
		j := 0
		for j < len(mark) && lowerASCII(s[i+j]) == mark[j] {
			j++
		}
		if j == len(mark) {
			return i
		}
	}
	return -1
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// interrupts reports whether a line starts a list that interrupts a
// paragraph: an item that is not empty, with a bullet or the number 1.
func interrupts(l string) bool {
	m := listRe.FindString(l)
	if m == "" || strings.TrimSpace(l[len(m):]) == "" {
		return false
	}
	marker := strings.TrimSpace(m)
	return strings.ContainsAny(marker[:1], "-+*") || strings.TrimLeft(marker[:len(marker)-1], "0") == "1"
}

// anchorLine returns the line that takes the block id of the block holding
// line i, or -1 when that block is none that a block id at a line's end
// names surely. A paragraph takes it on its last line (a list interrupts
// a paragraph, as in CommonMark, when it starts with a bullet or 1.); a
// list item of one line takes it on that line. A heading, quote, callout,
// table, HTML block, code or math block or comment, anywhere in the lines
// around line i, and a list item's continuation line, get none; so do the
// lines inside raw HTML that runs on over blank lines (rawHTML).
func anchorLine(lines []textLine, kinds []lineKind, i int) int {
	if kinds[i].hidden {
		return -1
	}
	first, last := i, i
	for first > 0 && !kinds[first-1].blank {
		first--
	}
	for last+1 < len(lines) && !kinds[last+1].blank {
		last++
	}
	if t := lines[first].text; strings.HasPrefix(t, "\t") || strings.HasPrefix(t, "    ") {
		return -1 // indented code, or a list's more than a block id names surely
	}
	for _, k := range kinds[first : last+1] {
		if k.other {
			return -1
		}
	}
	if kinds[i].item {
		if i == last || kinds[i+1].item {
			return i
		}
		return -1 // an item that goes on over more lines
	}
	for j := first; j < i; j++ {
		if kinds[j].item {
			return -1 // a line that goes on a list item
		}
	}
	for j := i + 1; j <= last; j++ {
		if kinds[j].interrupts {
			return j - 1 // a list that interrupts the paragraph
		}
	}
	return last
}

// placeTasks finds where in the note each task was said and gives the
// lines there their block ids: it returns each task's link ("" for none)
// and sets the Anchor of the segments that take one, or adds the ids to
// the lines of the text. Ids are t1, t2, ... in the order of the tasks
// that need them, skipping the ids the text has already; tasks said in one
// segment or paragraph share its id, and a paragraph that has an id of its
// own (only one of that name in the text) keeps it, and the link uses it.
func placeTasks(text string, tasks []gjson.Result, segs []segment, segTexts []string, lines []textLine) []string {
	links := make([]string, len(tasks))
	starts := quoteStarts(text, tasks)
	for i, t := range tasks {
		if t.Get("grounded").Type == gjson.False {
			starts[i] = -1 // its words were not found: it links nowhere
		}
	}
	if !slices.ContainsFunc(starts, func(s int) bool { return s >= 0 }) {
		return links
	}
	taken := map[string]int{}
	for _, l := range lines {
		if m := blockIDRe.FindStringSubmatch(l.text); m != nil {
			taken[strings.ToLower(m[1])]++
		}
	}
	next := 0
	newID := func() string {
		for {
			next++
			if id := fmt.Sprintf("t%d", next); taken[id] == 0 {
				return id
			}
		}
	}
	if len(segs) > 0 {
		spans := segmentSpans(text, segTexts)
		for i, s := range starts {
			k := slices.IndexFunc(spans, func(sp span) bool { return sp.start <= s && s < sp.end })
			if s < 0 || k < 0 {
				continue
			}
			if segs[k].Anchor == "" {
				segs[k].Anchor = newID()
			}
			links[i] = fmt.Sprintf("[[#^%s|%s]]", segs[k].Anchor, segs[k].Clock)
		}
		return links
	}
	ids := map[int]string{} // line: its id
	kinds := lineKinds(lines)
	for i, s := range starts {
		k := slices.IndexFunc(lines, func(l textLine) bool { return l.start <= s && s < l.end })
		if s < 0 || k < 0 {
			continue
		}
		a := anchorLine(lines, kinds, k)
		if a < 0 {
			continue
		}
		id, ok := ids[a]
		if !ok {
			if m := blockIDRe.FindStringSubmatch(lines[a].text); m != nil {
				if taken[strings.ToLower(m[1])] != 1 {
					continue // an id the text has twice names no one block
				}
				id = m[1]
			} else {
				id = newID()
				lines[a].text += " ^" + id
			}
			ids[a] = id
		}
		links[i] = fmt.Sprintf("[[#^%s|in the text]]", id)
	}
	return links
}
