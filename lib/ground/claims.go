package ground

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

var (
	emailRe, urlRe *regexp.Regexp
	// 15:00, 3:30pm, 9.30 am
	timeRe, isoRe *regexp.Regexp
)

// A Claim is something a summary or title states that can be checked
// against the text: a number, time, ISO date, e-mail address, link or name.
type Claim struct {
	Text      string // as the summary wrote it
	Kind      string // number, time, date, email, link, name
	Supported bool   // found in the text
}

// setup makes the tables and patterns of the checks once, when first
// needed: a tool that never checks does not pay for them at start-up.
var setup = sync.OnceFunc(func() {
	emailRe = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`)
	urlRe = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]]+`)
	timeRe = regexp.MustCompile(`(?i)\b([01]?\d|2[0-3])[:h.]([0-5]\d)(?:\s?([ap])\.?m\.?)?\b|\b(1[0-2]|0?[1-9])\s?([ap])\.?m\.?`)
	isoRe = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	scaleRe = regexp.MustCompile(`^\s?(?i:(k|m|bn|mn)\b|(thousand|million|billion|tausend|million(?:en)?|milliarde(?:n)?|mil|millón|millones|mille|millions?|milliards?)\b)`)
	initNumbers()
	germanParts = makeGermanParts()
	initClaims1() // months
	initClaims2() // calendar, from months
	initClaims3()
})

// Unsupported is what a summary (or a title) claims that the text does not
// contain (see Claims), each once, as the summary wrote it.
func (t *Text) Unsupported(s string, title bool) []string {
	var out []string
	for _, c := range t.Claims(s, title) {
		if !c.Supported && !slices.Contains(out, c.Text) {
			out = append(out, c.Text)
		}
	}
	return out
}

// Claims are the checkable claims of a summary (or, with title, of a
// title, whose capitals say nothing when it is in title case): each number
// (any notation: "$8,000", "8000 dollars", "8k", "eight thousand"), time,
// ISO date, e-mail address, link, and name (a capitalized word that does
// not start a sentence), and whether its like is found in the text.
func (t *Text) Claims(s string, title bool) []Claim {
	setup()
	var out []Claim
	claim := func(kind, c string, ok bool) {
		out = append(out, Claim{Text: strings.TrimSpace(c), Kind: kind, Supported: ok})
	}
	// Spans already judged, so a number inside an address or a date is
	// not judged again.
	var taken [][2]int
	overlaps := func(a, b int) bool {
		for _, sp := range taken {
			if a < sp[1] && b > sp[0] {
				return true
			}
		}
		return false
	}
	lower := strings.ToLower(plain(t.src))
	for _, loc := range emailRe.FindAllStringIndex(s, -1) {
		taken = append(taken, [2]int{loc[0], loc[1]})
		claim("email", s[loc[0]:loc[1]], strings.Contains(lower, strings.ToLower(plain(s[loc[0]:loc[1]]))))
	}
	for _, loc := range urlRe.FindAllStringIndex(s, -1) {
		u := strings.TrimRight(s[loc[0]:loc[1]], ".,;:!?")
		taken = append(taken, [2]int{loc[0], loc[0] + len(u)})
		claim("link", u, t.hasLink(lower, u))
	}
	for _, m := range isoRe.FindAllStringSubmatchIndex(s, -1) {
		if overlaps(m[0], m[1]) {
			continue
		}
		taken = append(taken, [2]int{m[0], m[1]})
		claim("date", s[m[0]:m[1]], t.hasDate(s[m[4]:m[5]], s[m[6]:m[7]]))
	}
	for _, m := range timeRe.FindAllStringSubmatchIndex(s, -1) {
		if overlaps(m[0], m[1]) {
			continue
		}
		taken = append(taken, [2]int{m[0], m[1]})
		var h, min, ap string
		if m[2] >= 0 {
			h, min = s[m[2]:m[3]], s[m[4]:m[5]]
			if m[6] >= 0 {
				ap = s[m[6]:m[7]]
			}
		} else {
			h, ap = s[m[8]:m[9]], s[m[10]:m[11]]
		}
		c := s[m[0]:m[1]]
		if strings.HasSuffix(c, "m.") && !strings.Contains(c, ".m") {
			c = c[:len(c)-1] // "4pm." ends a sentence
		}
		claim("time", c, t.hasTime(h, min, ap))
	}
	for _, n := range findNumbers(s, nil, false) {
		if overlaps(n.start, n.end) {
			continue
		}
		taken = append(taken, [2]int{n.start, n.end})
		claim("number", withUnit(s, n.start, n.end), slices.ContainsFunc(n.values, func(v float64) bool { return t.numbers[v] }))
	}
	for _, nw := range wordNumbers(s, tokens(s)) {
		if overlaps(nw.start, nw.end) || articleLike(nw.text) {
			continue
		}
		taken = append(taken, [2]int{nw.start, nw.end})
		claim("number", nw.text, t.numbers[nw.values[0]])
	}
	for _, n := range t.names(s, title) {
		if overlaps(n.start, n.end) {
			continue
		}
		claim("name", n.s, t.Has(n.s))
	}
	return out
}

// plain is s with its dashes and quotes made plain.
func plain(s string) string { return plainer.Replace(s) }

// A Replacer builds its tables on first use, so these cost nothing at
// start-up.
var (
	plainer  = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`, "\u2013", "-", "\u2014", "-")
	unspacer = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "'", "")
)

// articleLike: number words that are mostly not numbers in running text
// ("one of them", "un rendez-vous", "eine Frage").
func articleLike(s string) bool {
	switch strings.ToLower(s) {
	case "one", "un", "une", "uno", "una", "ein", "eine", "einen", "einem", "einer", "zero", "null":
		return true
	}
	return false
}

// hasLink: the link, or its host, is in the text (a transcript says
// "example dot com" for www.example.com: that is not checked).
func (t *Text) hasLink(lower, u string) bool {
	u = strings.ToLower(u)
	if strings.Contains(lower, u) {
		return true
	}
	host := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"), "www.")
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	return host != "" && strings.Contains(lower, host)
}

var months = map[string]int{}

func initClaims1() {
	for _, lang := range []string{
		"january february march april may june july august september october november december",
		"januar februar märz april mai juni juli august september oktober november dezember",
		"enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
		"janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
	} {
		for i, m := range strings.Fields(lang) {
			months[m] = i + 1
			if len(m) > 3 {
				months[m[:3]] = i + 1
			}
		}
	}
	months["jänner"] = 1
	months["sept"] = 9
}

// hasDate: an ISO date's day is a number of the text and its month is a
// number or a month's name there.
func (t *Text) hasDate(month, day string) bool {
	d := float64(atoi(day))
	mo := atoi(month)
	if !t.numbers[d] && !t.hasOrdinal(int(d)) {
		return false
	}
	if t.numbers[float64(mo)] {
		return true
	}
	for w := range t.vocab {
		if months[w] == mo {
			return true
		}
	}
	return false
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

var ordinals = map[string]int{
	"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
	"eleventh": 11, "twelfth": 12, "thirteenth": 13, "fifteenth": 15, "twentieth": 20, "thirtieth": 30,
	"erste": 1, "ersten": 1, "zweite": 2, "zweiten": 2, "dritte": 3, "dritten": 3, "premier": 1, "primero": 1,
}

func (t *Text) hasOrdinal(n int) bool {
	for w, v := range ordinals {
		if v == n && t.vocab[w] {
			return true
		}
	}
	return false
}

// hasTime: the hour is in the text (as 15, 3 or its word) and so are the
// minutes unless they are 00.
func (t *Text) hasTime(h, min, ap string) bool {
	hour := atoi(h)
	cands := []int{hour}
	if ap != "" && strings.EqualFold(ap, "p") && hour < 12 {
		cands = append(cands, hour+12)
	}
	if hour > 12 {
		cands = append(cands, hour-12)
	}
	if hour < 12 && ap == "" {
		cands = append(cands, hour+12)
	}
	found := slices.ContainsFunc(cands, func(c int) bool { return t.numbers[float64(c)] })
	if !found {
		return false
	}
	return min == "" || min == "00" || t.numbers[float64(atoi(min))] ||
		(min == "30" && (t.vocab["half"] || t.vocab["halb"] || t.vocab["media"] || t.vocab["demie"])) ||
		(min == "15" || min == "45") && (t.vocab["quarter"] || t.vocab["viertel"] || t.vocab["cuarto"] || t.vocab["quart"])
}

type nameTok struct {
	s          string
	start, end int
}

// Words that are capitalized without being names.
var notNames = map[string]bool{"i": true, "ok": true, "okay": true}

// abbrevs end in a dot that does not end a sentence: "Dr. Patel".
var abbrevs = map[string]bool{
	"dr": true, "mr": true, "mrs": true, "ms": true, "st": true, "prof": true, "hr": true, "fr": true,
	"sr": true, "sra": true, "srta": true, "mme": true, "mlle": true, "m": true, "jr": true,
}

// calendar words are checked wherever they stand and however they are
// written (Spanish and French write them in lower case): a weekday or month
// the text does not name is a date the model made up. English "may" and
// "march" are verbs too: they count only capitalized.
var calendar = map[string]bool{}

func initClaims2() {
	for _, w := range strings.Fields("monday tuesday wednesday thursday friday saturday sunday " +
		"montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag " +
		"lunes martes miércoles jueves viernes sábado domingo " +
		"lundi mardi mercredi jeudi vendredi samedi dimanche") {
		calendar[w] = true
	}
	for m := range months {
		if len([]rune(m)) > 3 || m == "mai" || m == "may" {
			calendar[m] = true
		}
	}
}

// titles before a German name: in German every noun is capitalized, so a
// capital says "name" only after one of these.
var germanTitles = map[string]bool{"herr": true, "herrn": true, "frau": true, "dr": true, "prof": true, "familie": true, "firma": true}

// names are the name-like words of s: capitalized, not the first word of a
// sentence (or a line, or a list item). In German text, only the words
// after a title (Herr Müller, Frau Dr. Schmidt) and words with capitals
// inside them (McAllister, iPhone). In a title in title case, only words
// with capitals inside them.
func (t *Text) names(s string, title bool) []nameTok {
	toks := tokens(s)
	german := isGerman(toks)
	titleCase := title && isTitleCase(toks)
	var out []nameTok
	for i, tok := range toks {
		first, _ := utf8.DecodeRuneInString(tok.s)
		low := strings.ToLower(tok.s)
		if calendar[low] && (unicode.IsUpper(first) || low != "may" && low != "march") {
			out = append(out, nameTok{tok.s, tok.start, tok.end})
			continue
		}
		if !unicode.IsUpper(first) || notNames[low] || germanTitles[low] {
			continue
		}
		inner := strings.IndexFunc(tok.s[utf8.RuneLen(first):], unicode.IsUpper) >= 0 && !isAllCaps(tok.s)
		if hasDigit(tok.s) {
			continue // a code like Q3: its number is judged as a number
		}
		switch {
		case inner:
		case titleCase:
			continue
		case sentenceStart(s, toks, i):
			continue
		case german:
			prev := ""
			if i > 0 {
				prev = strings.ToLower(toks[i-1].s)
			}
			if !germanTitles[prev] {
				continue
			}
		}
		out = append(out, nameTok{tok.s, tok.start, tok.end})
	}
	return out
}

func hasDigit(s string) bool { return strings.IndexFunc(s, unicode.IsDigit) >= 0 }

func isAllCaps(s string) bool { return strings.ToUpper(s) == s }

// sentenceStart: toks[i] is the first word of s, or follows the end of a
// sentence, a line break, a list marker or a colon.
func sentenceStart(s string, toks []token, i int) bool {
	if i == 0 {
		return true
	}
	gap := s[toks[i-1].end:toks[i].start]
	if strings.TrimSpace(gap) == "." && abbrevs[strings.ToLower(toks[i-1].s)] {
		return false
	}
	return strings.ContainsAny(gap, ".!?:;\n\"“«¿¡•*#>|") || strings.HasPrefix(strings.TrimSpace(gap), "-")
}

// isTitleCase: most words of the title of more than three letters start
// with a capital.
func isTitleCase(toks []token) bool {
	long, caps := 0, 0
	for _, tok := range toks {
		if utf8.RuneCountInString(tok.s) <= 3 {
			continue
		}
		long++
		if r, _ := utf8.DecodeRuneInString(tok.s); unicode.IsUpper(r) {
			caps++
		}
	}
	return long > 1 && caps*4 >= long*3
}

var germanWords = map[string]bool{}

func initClaims3() {
	for _, w := range strings.Fields("der das des dem den und oder ist sind hat haben wird soll " +
		"muss kann nicht mit für auf im bei von vom zum zur bis nach noch auch ich wir ihr über " +
		"vorher dann schon wegen ein eine einen sich aus") {
		germanWords[w] = true
	}
}

// isGerman: at least one word in ten of s is a common German word.
func isGerman(toks []token) bool {
	n := 0
	for _, tok := range toks {
		if germanWords[strings.ToLower(tok.s)] {
			n++
		}
	}
	return n >= 1 && n*10 >= len(toks)
}

// withUnit is the number s[start:end] with a currency sign right before it
// or a percent sign right after it, as the summary wrote it ("$9,500",
// "60%").
func withUnit(s string, start, end int) string {
	if r, n := utf8.DecodeLastRuneInString(s[:start]); n > 0 && unicode.Is(unicode.Sc, r) {
		start -= n
	}
	if strings.HasPrefix(s[end:], "%") {
		end++
	}
	return s[start:end]
}
