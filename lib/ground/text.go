// Package ground checks what a model says about a text against the text
// itself: that a quote it gives is in the text (and where), and that the
// numbers, dates, names, addresses and links of a summary are there too.
//
// Words are compared after normalization: Unicode NFKC, case folded,
// punctuation dropped (so quotes, dashes, apostrophes and commas do not
// matter), hesitation fillers ("um", "äh", "euh") skipped, as a
// transcript has them and a model's quote of it does not.
package ground

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A Text is a source text prepared for the checks: prepare it once, check
// many claims against it.
type Text struct {
	src   string
	words []word
	ids   map[string]int32
	// joined is the words' ids as a string of runes, one a word, for the
	// exact search of a quote.
	joined []int32
	// numbers holds every value a number in the text can mean; vocab every
	// word of the text (folded).
	numbers map[float64]bool
	vocab   map[string]bool
}

type word struct {
	norm       string
	id         int32
	start, end int // byte offsets in src
}

// fold is full case folding as far as the languages of the text need it:
// each character goes to its upper case and back (so that "ſ" is "s" and
// "ς" is "σ"), and "ß" and "ẞ" are "ss". It costs none of the start-up
// that golang.org/x/text/cases' language tables cost every tool linking
// this package.
func fold(s string) string {
	s = strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, s)
	if strings.ContainsRune(s, 'ß') {
		s = strings.ReplaceAll(s, "ß", "ss")
	}
	return s
}

// fillers are hesitation words a transcript has and a quote of it drops.
var fillers = map[string]bool{
	"um": true, "umm": true, "uh": true, "uhh": true, "uhm": true, "er": true, "erm": true,
	"hmm": true, "hm": true, "mm": true, "mhm": true, "äh": true, "ähm": true, "öh": true,
	"ehm": true, "euh": true,
}

// Prepare reads text for the checks.
func Prepare(text string) *Text {
	setup()
	t := &Text{src: text, ids: map[string]int32{}, vocab: map[string]bool{}}
	toks := tokens(text)
	norms := make([]string, len(toks))
	for i, tok := range toks {
		norms[i] = normWord(tok.s)
		if norms[i] != "" {
			t.vocab[norms[i]] = true
		}
		toks[i].lower = norms[i] // folded: lower case, ß as ss
	}
	nums := findNumbers(text, toks, true)
	ws := words(toks, norms, nums)
	t.words, t.joined = make([]word, 0, len(ws)), make([]int32, 0, len(ws))
	for _, w := range ws {
		id, ok := t.ids[w.norm]
		if !ok {
			id = int32(len(t.ids) + 1)
			t.ids[w.norm] = id
		}
		w.id = id
		t.words = append(t.words, w)
		t.joined = append(t.joined, id)
	}
	t.numbers = numberValues(toks, nums)
	return t
}

// wordsOf are the compared words of s (see words).
func wordsOf(s string) []word {
	toks := tokens(s)
	norms := make([]string, len(toks))
	for i, tok := range toks {
		norms[i] = normWord(tok.s)
	}
	return words(toks, norms, findNumbers(s, toks, false))
}

// words are the compared words of a text, from its tokens, their
// normalized forms and its numbers: fillers left out, and a number (in
// digits or words, "8,000", "eight thousand", "8k") one word "#8000", so
// that a quote that writes a number otherwise than the text still matches
// it.
func words(toks []token, norms []string, nums []number) []word {
	slices.SortFunc(nums, func(a, b number) int { return a.start - b.start })
	out := make([]word, 0, len(toks))
	ni := 0
	for i := 0; i < len(toks); {
		for ni < len(nums) && nums[ni].end <= toks[i].start {
			ni++
		}
		if ni < len(nums) && nums[ni].start <= toks[i].start && toks[i].end <= nums[ni].end {
			j := i + 1
			for j < len(toks) && toks[j].end <= nums[ni].end {
				j++
			}
			v := strconv.FormatFloat(nums[ni].values[0], 'f', -1, 64)
			out = append(out, word{norm: "#" + v, start: toks[i].start, end: toks[j-1].end})
			i, ni = j, ni+1
			continue
		}
		if w := norms[i]; w != "" && !fillers[w] {
			out = append(out, word{norm: w, start: toks[i].start, end: toks[i].end})
		}
		i++
	}
	return out
}

type token struct {
	s          string
	start, end int
	lower      string // s in lower case, when known
}

func (t token) low() string {
	if t.lower != "" {
		return t.lower
	}
	return strings.ToLower(t.s)
}

// tokens splits s into its words: runs of letters, digits and marks.
func tokens(s string) []token {
	out := make([]token, 0, len(s)/5+1) // words average five or six bytes with their space
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, token{s: s[start:i], start: start, end: i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, token{s: s[start:], start: start, end: len(s)})
	}
	return out
}

// normWord is a word's compared form. NFKC can turn one character into
// several (a ligature, "½"): what is not a letter or digit after it is
// dropped.
func normWord(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii { // tokens hold only letters and digits: lower case is the fold
		return strings.ToLower(s)
	}
	s = fold(norm.NFKC.String(s))
	clean := true
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Source is the text as prepared.
func (t *Text) Source() string { return t.src }

// runeOffset turns a byte offset of the source into a character (rune)
// offset, the unit the record contract uses.
func (t *Text) runeOffset(b int) int {
	return utf8.RuneCountInString(t.src[:b])
}

// Has reports whether the text has the word w (compared folded).
func (t *Text) Has(w string) bool {
	return t.vocab[normWord(w)]
}
