package fitness

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// WER is the word error rate of a transcript against its reference:
// WordErrors over the reference's words (1 for words where the reference
// has none).
func WER(reference, transcript string) float64 {
	errs, words := WordErrors(reference, transcript)
	switch {
	case words > 0:
		return float64(errs) / float64(words)
	case errs > 0:
		return 1
	}
	return 0
}

// MaxTranscriptWords is the most words a transcript of a memo of n words
// may have to be aligned with it word by word: four times the memo's and
// 20 more. A longer one (a recognizer repeating itself, a server
// answering with something else) counts as all wrong; see WordErrors.
func MaxTranscriptWords(n int) int { return 4*n + 20 }

// maxBytesPerWord bounds the bytes of a transcript that is read for its
// words: MaxTranscriptWords of this many bytes each (a word and the
// punctuation around it). A longer transcript is too long whatever its
// words, and is not read.
const maxBytesPerWord = 64

// transcriptWords are the words of a transcript of ref, or over when it
// has more than MaxTranscriptWords(len(ref)) of them (or bytes for them).
func transcriptWords(ref []string, transcript string) (hyp []string, over bool) {
	limit := MaxTranscriptWords(len(ref))
	if len(transcript) > maxBytesPerWord*limit {
		return nil, true
	}
	hyp = SpeechWords(transcript)
	return hyp, len(hyp) > limit
}

// WordErrors counts the fewest words changed, left out or added to turn
// a reference into a transcript, and the reference's words: both as
// SpeechWords has them. A transcript of more than
// MaxTranscriptWords(words) words, or of more than 64 bytes for each of
// those, is all wrong without being aligned: its errors are
// MaxTranscriptWords(words)+1, more than any transcript within the bound
// can have.
func WordErrors(reference, transcript string) (errors, words int) {
	ref := SpeechWords(reference)
	hyp, over := transcriptWords(ref, transcript)
	if over {
		return MaxTranscriptWords(len(ref)) + 1, len(ref)
	}
	// Two rows of the edit distance, each as long as the transcript.
	prev := make([]int, len(hyp)+1)
	cur := make([]int, len(hyp)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		cur[0] = i
		for j := 1; j <= len(hyp); j++ {
			sub := prev[j-1]
			if ref[i-1] != hyp[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(hyp)], len(ref)
}

// WordEdit is one word a transcript has wrong: Ref heard as Hyp, Ref
// left out (Hyp ""), or Hyp added (Ref "").
type WordEdit struct{ Ref, Hyp string }

func (e WordEdit) String() string {
	switch {
	case e.Hyp == "":
		return e.Ref + " → (left out)"
	case e.Ref == "":
		return "(added) → " + e.Hyp
	}
	return e.Ref + " → " + e.Hyp
}

// WordEdits are the words WordErrors counts, in the order of the text:
// one of the ways with the fewest edits; none for a transcript over
// MaxTranscriptWords, which is not aligned.
func WordEdits(reference, transcript string) []WordEdit {
	ref := SpeechWords(reference)
	hyp, over := transcriptWords(ref, transcript)
	if over {
		return nil
	}
	// d[i][j]: the edits from ref[:i] to hyp[:j].
	d := make([][]int, len(ref)+1)
	for i := range d {
		d[i] = make([]int, len(hyp)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ref); i++ {
		for j := 1; j <= len(hyp); j++ {
			sub := d[i-1][j-1]
			if ref[i-1] != hyp[j-1] {
				sub++
			}
			d[i][j] = min(sub, d[i-1][j]+1, d[i][j-1]+1)
		}
	}
	var out []WordEdit
	for i, j := len(ref), len(hyp); i > 0 || j > 0; {
		switch {
		case i > 0 && j > 0 && ref[i-1] == hyp[j-1] && d[i][j] == d[i-1][j-1]:
			i, j = i-1, j-1
		case i > 0 && j > 0 && d[i][j] == d[i-1][j-1]+1:
			out = append(out, WordEdit{ref[i-1], hyp[j-1]})
			i, j = i-1, j-1
		case i > 0 && d[i][j] == d[i-1][j]+1:
			out = append(out, WordEdit{Ref: ref[i-1]})
			i--
		default:
			out = append(out, WordEdit{Hyp: hyp[j-1]})
			j--
		}
	}
	slices.Reverse(out)
	return out
}

// SpeechWords are the words of a text as the word error rate counts
// them, so that how a recognizer writes what it heard is no error:
//
//   - folded as the other rules fold (lower case, accents dropped, NFKC);
//   - without punctuation; an apostrophe inside a word stays (’ is ');
//     a hyphen parts words ("check-up" is "check up");
//   - numbers as digits: English number words are the number they say
//     ("three hundred and ten" is 310, "twenty-two" 22, "a hundred" 100,
//     "seventieth" 70th), thousands separators go ("8,400" is 8400, and
//     "1.750" 1750), a decimal comma is a point ("12,50" is 12.50),
//     leading zeros go ("014" is 14), and digits written against letters
//     are words apart ("4pm" is "4 pm") but for ordinal endings ("2nd");
//   - letters with points ("p.m.", "a.m.") one word ("pm", "am");
//   - a sign of money before a number its word after it ("€85" is
//     "85 euros"; $ dollars, £ pounds), and % after one "percent".
//
// A run of number words is read as one number only as English says
// numbers: "three thirty" is 3 30 and "twenty twenty six" 20 26.
func SpeechWords(s string) []string {
	s = strings.ReplaceAll(Fold(s), "’", "'")
	var toks []string
	for _, m := range speechToken.FindAllStringSubmatch(s, -1) {
		switch {
		case m[1] != "": // a number
			toks = append(toks, digits(m[1])+m[2])
		case m[3] != "": // letters with points
			toks = append(toks, strings.ReplaceAll(m[3], ".", ""))
		default:
			toks = append(toks, m[0])
		}
	}
	var out []string
	for i := 0; i < len(toks); {
		if num, n := numberWords(toks, i); n > 0 {
			out = append(out, num)
			i += n
			continue
		}
		out = append(out, toks[i])
		i++
	}
	// Signs: a currency before a number is said after it, % after one is
	// "percent"; elsewhere they are no words.
	words := out[:0:0]
	for i, w := range out {
		switch w {
		case "€", "$", "£":
			if i+1 < len(out) && isNumber(out[i+1]) {
				words = append(words, out[i+1], currency[w])
				out[i+1] = ""
			}
		case "%":
			if i > 0 && isNumber(out[i-1]) {
				words = append(words, "percent")
			}
		case "":
		default:
			words = append(words, w)
		}
	}
	return words
}

var speechToken = regexp.MustCompile(`(\d+(?:[.,]\d+)*)((?:st|nd|rd|th)\b)?|((?:\pL\.){2,})|\pL+(?:'\pL+)*|[€$£%]`)

var currency = map[string]string{"€": "euros", "$": "dollars", "£": "pounds"}

func isNumber(w string) bool { return w != "" && w[0] >= '0' && w[0] <= '9' }

// digits writes a number of digits and separators plainly: thousands
// separators gone, a decimal comma a point, no leading zeros.
func digits(s string) string {
	seps := strings.Count(s, ",") + strings.Count(s, ".")
	intPart, frac := s, ""
	if seps > 0 {
		last := strings.LastIndexAny(s, ".,")
		kinds := strings.Count(s, string(s[last]))
		// One separator is a decimal one unless three digits follow it
		// after a group of at most three ("8,400", "1.750"); of several,
		// the last is a decimal one when it differs from the others.
		groups := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == ',' })
		thousands := len(groups[0]) <= 3 && len(groups[len(groups)-1]) == 3
		for _, g := range groups[1 : len(groups)-1] {
			thousands = thousands && len(g) == 3
		}
		if kinds != seps || !thousands {
			intPart, frac = s[:last], s[last+1:]
		}
	}
	intPart = strings.NewReplacer(",", "", ".", "").Replace(intPart)
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	if frac != "" {
		return intPart + "." + frac
	}
	return intPart
}

var (
	unitWords = map[string]int{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
	teenWords = map[string]int{"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
		"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
	tensWords  = map[string]int{"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
	scaleWords = map[string]int{"thousand": 1000, "million": 1000000, "billion": 1000000000}
	// irregular ordinals; the others are the number and "th" ("sixth"),
	// or "ieth" for "y" ("twentieth").
	ordinalWords = map[string]string{"first": "one", "second": "two", "third": "three", "fifth": "five", "eighth": "eight", "ninth": "nine", "twelfth": "twelve"}
)

type numKind int

const (
	notNumber numKind = iota
	zeroWord
	unitWord
	teenWord
	tensWord
	hundredWord
	scaleWord
	andWord
	aWord
)

// cardinal is the cardinal word of an ordinal one ("third": "three").
func cardinal(w string) (string, bool) {
	if c, ok := ordinalWords[w]; ok {
		return c, true
	}
	if b, ok := strings.CutSuffix(w, "ieth"); ok {
		if _, ok := tensWords[b+"y"]; ok {
			return b + "y", true
		}
	}
	if b, ok := strings.CutSuffix(w, "th"); ok {
		if k, _ := numberKind(b); k != notNumber && k != andWord && k != aWord && k != zeroWord {
			return b, true
		}
	}
	return "", false
}

func numberKind(w string) (numKind, int) {
	if v, ok := unitWords[w]; ok {
		if v == 0 {
			return zeroWord, 0
		}
		return unitWord, v
	}
	if v, ok := teenWords[w]; ok {
		return teenWord, v
	}
	if v, ok := tensWords[w]; ok {
		return tensWord, v
	}
	if v, ok := scaleWords[w]; ok {
		return scaleWord, v
	}
	switch w {
	case "hundred":
		return hundredWord, 100
	case "and":
		return andWord, 0
	case "a":
		return aWord, 0
	}
	return notNumber, 0
}

// kindAt is the kind of ws[i] read as a number word, with its value and
// whether it was an ordinal.
func kindAt(ws []string, i int) (numKind, int, bool) {
	if i >= len(ws) {
		return notNumber, 0, false
	}
	if c, ok := cardinal(ws[i]); ok {
		k, v := numberKind(c)
		return k, v, true
	}
	k, v := numberKind(ws[i])
	return k, v, false
}

// numberWords reads the number said by the words from ws[i]: its digits
// (with an ordinal's ending) and how many words it took, 0 if none.
func numberWords(ws []string, i int) (string, int) {
	total, cur, lastScale := 0, 0, 0
	last := notNumber
	ordinal := false
	j := i
	for ; j < len(ws) && !ordinal; j++ {
		k, v, ord := kindAt(ws, j)
		ok := false
		switch k {
		case zeroWord:
			ok = last == notNumber
		case unitWord:
			ok = last == notNumber || last == tensWord || last == hundredWord || last == scaleWord || last == andWord
		case teenWord, tensWord:
			ok = last == notNumber || last == hundredWord || last == scaleWord || last == andWord
		case hundredWord:
			ok = last == aWord || ((last == unitWord || last == teenWord || last == tensWord) && cur%100 > 0 && cur < 100)
		case scaleWord:
			ok = (last == aWord || last == unitWord || last == teenWord || last == tensWord || last == hundredWord) &&
				(lastScale == 0 || v < lastScale)
		case andWord:
			next, _, _ := kindAt(ws, j+1)
			ok = !ord && (last == hundredWord || last == scaleWord) && (next == unitWord || next == teenWord || next == tensWord)
		case aWord:
			next, _, _ := kindAt(ws, j+1)
			ok = !ord && last == notNumber && (next == hundredWord || next == scaleWord)
		}
		if !ok {
			break
		}
		switch k {
		case unitWord, teenWord, tensWord:
			cur += v
		case hundredWord:
			cur = max(cur, 1) * 100
		case scaleWord:
			total += max(cur, 1) * v
			cur, lastScale = 0, v
		}
		last, ordinal = k, ord
		if k == zeroWord {
			j++
			break
		}
	}
	if j == i {
		return "", 0
	}
	n := total + cur
	s := strconv.Itoa(n)
	if ordinal {
		s += ordinalEnding(n)
	}
	return s, j - i
}

func ordinalEnding(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}
