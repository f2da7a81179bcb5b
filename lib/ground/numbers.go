package ground

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// digitRuns finds the numbers in digits of s: 8000, 8,000, 8.000
// (German), 8 000, 8'000, 2.5, 2,5: runs of ASCII digits joined by one
// separator each (. , ' space, no-break space, narrow no-break space).
func digitRuns(s string) [][2]int {
	var out [][2]int
	isDigit := func(i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }
	sep := func(i int) int { // the separator's length at i, or 0
		switch {
		case i >= len(s):
			return 0
		case s[i] == '.' || s[i] == ',' || s[i] == '\'' || s[i] == ' ':
			return 1
		case strings.HasPrefix(s[i:], "\u00a0"):
			return 2
		case strings.HasPrefix(s[i:], "\u202f"):
			return 3
		}
		return 0
	}
	for i := 0; i < len(s); {
		if !isDigit(i) {
			i++
			continue
		}
		start := i
		for {
			for isDigit(i) {
				i++
			}
			if n := sep(i); n > 0 && isDigit(i+n) {
				// A space or an apostrophe only groups thousands: "8 000",
				// not "episode 12 5 questions".
				three := isDigit(i+n+1) && isDigit(i+n+2) && !isDigit(i+n+3)
				if s[i] == '.' || s[i] == ',' || three {
					i += n
					continue
				}
			}
			break
		}
		out = append(out, [2]int{start, i})
	}
	return out
}

// numberValues is every value the numbers of s can mean, in digits or in
// words (English, German, Spanish, French), with scale words after digits
// ("8 thousand", "2,5 Millionen") and suffixes ("8k").
func numberValues(toks []token, nums []number) map[float64]bool {
	vals := map[float64]bool{}
	for _, n := range nums {
		for _, v := range n.values {
			vals[v] = true
		}
	}
	// Each number word alone too: two numbers said one after the other
	// ("seite fünf sechs") are read above as one.
	for _, tok := range toks {
		if p, ok := numberParts(tok.low()); ok && hasUnit(p) {
			if v, ok := readWords(p); ok {
				vals[v] = true
			}
		}
	}
	return vals
}

// A number found in a text, with every value it may mean.
type number struct {
	text       string
	start, end int
	values     []float64
}

// findNumbers finds the numbers of s, given its tokens: in digits, and in
// words too when toks is not nil. The first value of each is its plain
// reading.
//
// all: every value a number in digits may mean, also each part of "3.15"
// or "1,2" (for the source text); else only its readings as one number
// (for a claim: "2.4" must not be supported by a "2" elsewhere).
func findNumbers(s string, toks []token, all bool) []number {
	var out []number
	for _, loc := range digitRuns(s) {
		start, end := loc[0], loc[1]
		// A digit run inside a word ("Q3", "mp3") is a number too; one
		// glued to letters on the left is part of a code: take it as is.
		raw := strings.TrimRight(s[start:end], ".,' \u00a0\u202f")
		end = start + len(raw)
		vals := digitValues(raw, all)
		// A scale after it: 8k, 8 k, 8 thousand, 2.5 Millionen.
		rest := s[end:]
		if m, n := scaleAfter(rest); m != 0 {
			scaled := make([]float64, 0, 2*len(vals))
			for _, v := range vals {
				scaled = append(scaled, round(v*m), v)
			}
			vals = scaled
			end += n
		}
		out = append(out, number{text: s[start:end], start: start, end: end, values: vals})
	}
	if toks != nil {
		out = append(out, wordNumbers(s, toks)...)
	}
	return out
}

var scaleRe *regexp.Regexp // see setup

// scaleAfter reads a scale right after a number: its factor and length.
func scaleAfter(rest string) (float64, int) {
	m := scaleRe.FindStringSubmatch(rest)
	if m == nil {
		return 0, 0
	}
	w := strings.ToLower(m[1] + m[2])
	switch {
	case w == "k" || w == "thousand" || w == "tausend" || w == "mil" || w == "mille":
		return 1e3, len(m[0])
	case w == "m" || w == "mn" || strings.HasPrefix(w, "million") || strings.HasPrefix(w, "millón") || w == "millones":
		return 1e6, len(m[0])
	default:
		return 1e9, len(m[0])
	}
}

// digitValues reads a number in digits every way it can be meant: "8,000"
// is 8000 (English) or 8.0 (German decimal comma); "2.5" is 2.5 or 25
// (German thousands); "8 000" is 8000.
func digitValues(raw string, all bool) []float64 {
	var vals []float64
	add := func(s string) {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			vals = append(vals, round(v))
		}
	}
	plain := unspacer.Replace(raw)
	groups := func(sep string) bool {
		// Thousands groups: 1-3 digits, then groups of exactly 3.
		parts := strings.Split(plain, sep)
		if len(parts) < 2 || len(parts[0]) > 3 {
			return false
		}
		for _, p := range parts[1:] {
			if len(p) != 3 {
				return false
			}
		}
		return true
	}
	hasComma, hasDot := strings.Contains(plain, ","), strings.Contains(plain, ".")
	switch {
	case !hasComma && !hasDot:
		add(plain)
	case hasComma && hasDot:
		// 8,000.50 or 8.000,50: the last separator is the decimal one.
		if strings.LastIndex(plain, ".") > strings.LastIndex(plain, ",") {
			add(strings.ReplaceAll(plain, ",", ""))
		} else {
			add(strings.ReplaceAll(strings.ReplaceAll(plain, ".", ""), ",", "."))
		}
	default:
		sep := ","
		if hasDot {
			sep = "."
		}
		if groups(sep) {
			add(strings.ReplaceAll(plain, sep, ""))
		}
		if strings.Count(plain, sep) == 1 {
			add(strings.Replace(plain, sep, ".", 1))
		}
		// A time or a list: 3.15, 1,2: each part is a number too.
		if all {
			for _, p := range strings.Split(plain, sep) {
				add(p)
			}
		}
	}
	return vals
}

func round(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// Number words. kind: unit (added), mul (multiplies what came before, as
// hundred), scale (closes a group, as thousand), skip (and, und, y, et).
type numWord struct {
	v    float64
	kind byte
}

const (
	unit  = 'u'
	mul   = 'h'
	scale = 's'
	join  = 'j'
)

var numWords = map[string]numWord{}

func initNumbers() {
	units := func(v float64, ws ...string) {
		for _, w := range ws {
			numWords[w] = numWord{v, unit}
		}
	}
	// English.
	for i, w := range strings.Fields("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen") {
		units(float64(i), w)
	}
	for i, w := range strings.Fields("twenty thirty forty fifty sixty seventy eighty ninety") {
		units(float64(20+10*i), w)
	}
	units(12, "dozen")
	// German (compounds are split by splitGerman).
	for i, w := range strings.Fields("null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn fünfzehn sechzehn siebzehn achtzehn neunzehn") {
		units(float64(i), w)
	}
	units(1, "ein", "eine", "einen", "einem", "einer")
	units(2, "zwo")
	for i, w := range strings.Fields("zwanzig dreißig vierzig fünfzig sechzig siebzig achtzig neunzig") {
		units(float64(20+10*i), w)
	}
	units(30, "dreissig")
	// Spanish.
	for i, w := range strings.Fields("cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciséis diecisiete dieciocho diecinueve veinte") {
		units(float64(i), w)
	}
	units(1, "un", "una")
	units(16, "dieciseis")
	for i, w := range strings.Fields("veintiuno veintidós veintitrés veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve") {
		units(float64(21+i), w)
	}
	units(22, "veintidos")
	units(23, "veintitres")
	units(26, "veintiseis")
	for i, w := range strings.Fields("treinta cuarenta cincuenta sesenta setenta ochenta noventa") {
		units(float64(30+10*i), w)
	}
	units(100, "cien", "ciento")
	for i, w := range strings.Fields("doscientos trescientos cuatrocientos quinientos seiscientos setecientos ochocientos novecientos") {
		units(float64(200+100*i), w)
		units(float64(200+100*i), strings.TrimSuffix(w, "os")+"as")
	}
	// French.
	for i, w := range strings.Fields("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize") {
		units(float64(i), w)
	}
	units(1, "une")
	for i, w := range strings.Fields("vingt trente quarante cinquante soixante") {
		units(float64(20+10*i), w)
	}
	units(80, "vingts") // quatre-vingts: see vingt below
	for _, w := range strings.Fields("hundred hundert cent cents") {
		numWords[w] = numWord{100, mul}
	}
	for _, w := range strings.Fields("thousand tausend mil mille") {
		numWords[w] = numWord{1e3, scale}
	}
	for _, w := range strings.Fields("million millions millionen millón millones") {
		numWords[w] = numWord{1e6, scale}
	}
	for _, w := range strings.Fields("billion billions milliarde milliarden milliard milliards") {
		numWords[w] = numWord{1e9, scale}
	}
	for _, w := range strings.Fields("and und y et") {
		numWords[w] = numWord{0, join}
	}
}

// germanParts are the pieces of German number compounds (fünfundzwanzig,
// zweihundertachtzig, dreitausend), longest first so "achtzehn" wins over
// "acht".
var germanParts []string // see setup

func makeGermanParts() []string {
	ps := strings.Fields("null eins ein zwei drei vier fünf sechs sieben acht neun zehn elf zwölf " +
		"dreizehn vierzehn fünfzehn sechzehn siebzehn achtzehn neunzehn zwanzig dreißig dreissig " +
		"vierzig fünfzig sechzig siebzig achtzig neunzig hundert tausend und")
	slices.SortFunc(ps, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return ps
}

// germanCompound: w may be a German number compound (every one holds one
// of these); a quick test before the search.
func germanCompound(w string) bool {
	if len(w) < 7 { // no compound number word is shorter than "achtzig"
		return false
	}
	for _, p := range []string{"zig", "ßig", "ssig", "hundert", "tausend", "zehn"} {
		if strings.Contains(w, p) {
			return true
		}
	}
	return false
}

func splitGerman(w string) []string {
	if w == "" {
		return []string{}
	}
	for _, p := range germanParts {
		if strings.HasPrefix(w, p) {
			if rest := splitGerman(w[len(p):]); rest != nil {
				return append([]string{p}, rest...)
			}
		}
	}
	return nil
}

// wordNumbers finds numbers written in words: runs of number words read
// as one value ("two hundred and five", "quatre-vingt-dix",
// "fünfundzwanzigtausend", "ocho mil"). The articles that are also "one"
// (a, ein, un, une) count only before a multiplier or scale.
func wordNumbers(s string, toks []token) []number {
	var out []number
	for i := 0; i < len(toks); {
		parts, ok := numberParts(toks[i].low())
		if !ok || numWords[parts[0]].kind == join {
			i++
			continue
		}
		j := i
		var seq []string
		for j < len(toks) {
			p, ok := numberParts(toks[j].low())
			if !ok {
				break
			}
			// Words must touch: a space or a hyphen between them.
			if j > i {
				gap := s[toks[j-1].end:toks[j].start]
				if strings.Trim(gap, " -\u2010\u2011") != "" {
					break
				}
			}
			seq = append(seq, p...)
			j++
		}
		// A trailing join word ("and") is not part of the number.
		for j > i+1 && numWords[strings.ToLower(toks[j-1].s)].kind == join {
			j--
			seq = seq[:len(seq)-1]
		}
		// A scale or multiplier alone after digits ("8 thousand", "50
		// cents") belongs to the digits, read with them above.
		afterDigits := i > 0 && strings.TrimSpace(s[toks[i-1].end:toks[i].start]) == "" && hasDigit(toks[i-1].s)
		if !hasUnit(seq) && (afterDigits || !slices.Contains([]string{"mil", "mille"}, seq[0])) {
			i = j
			continue
		}
		if v, ok := readWords(seq); ok {
			out = append(out, number{text: s[toks[i].start:toks[j-1].end], start: toks[i].start, end: toks[j-1].end, values: []float64{v}})
		}
		i = j
	}
	return out
}

// numberParts are the number words that w (in lower case) is made of.
func numberParts(w string) ([]string, bool) {
	if _, ok := numWords[w]; ok {
		return []string{w}, true
	}
	if !germanCompound(w) {
		return nil, false
	}
	if p := splitGerman(w); len(p) > 1 {
		return p, true
	}
	return nil, false
}

// readWords is the value of a run of number words.
func readWords(seq []string) (float64, bool) {
	total, cur := 0.0, 0.0
	any := false
	for i, w := range seq {
		n := numWords[w]
		switch n.kind {
		case join:
		case unit:
			// quatre-vingt(s): four twenties.
			if (w == "vingt" || w == "vingts") && i > 0 && seq[i-1] == "quatre" {
				cur += 80 - 4
			} else {
				cur += n.v
			}
			any = true
		case mul:
			cur = max(cur, 1) * n.v
			any = true
		case scale:
			total += max(cur, 1) * n.v
			cur = 0
			any = true
		}
	}
	if !any {
		return 0, false
	}
	return total + cur, true
}

func hasUnit(seq []string) bool {
	return slices.ContainsFunc(seq, func(w string) bool { return numWords[w].kind == unit })
}
