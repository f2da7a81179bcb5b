package fitness

import (
	"strings"
	"unicode"

	"github.com/shelfai/shelf/lib/ground"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Found is what the tools wrote into a memo's record.
type Found struct {
	ID      string       `json:"id"`
	Title   string       `json:"title"`
	Summary string       `json:"summary"`
	Tags    []string     `json:"tags"`
	Tasks   []FoundTask  `json:"tasks"`
	Checks  *Checks      `json:"checks"`
	Folder  string       `json:"folder"`
	Path    string       `json:"path"`
	Errors  []RecordNote `json:"errors"`
}

// FoundTask is a task a tool found.
type FoundTask struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Due      string `json:"due"`
	For      string `json:"for"`
	Grounded *bool  `json:"grounded"`
}

// Checks is summarize's check of its summary and title.
type Checks struct {
	Summary struct {
		Unsupported []string `json:"unsupported"`
	} `json:"summary"`
	Title struct {
		Unsupported []string `json:"unsupported"`
	} `json:"title"`
}

// RecordNote is an entry of a record's errors.
type RecordNote struct {
	Tool    string `json:"tool"`
	Message string `json:"message"`
}

// Fold is a text as the rules compare it: NFKC, lower case, accents
// dropped.
func Fold(s string) string {
	// A chain keeps state: one a call.
	out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFKC), s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// foldedWords are the words of s, folded.
func foldedWords(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// KeywordsMatch reports whether a task title matches a true task's
// keywords: every group has an alternative that starts a word of the title
// (an alternative of several words: those words in a row).
func KeywordsMatch(title string, keywords []string) bool {
	words := foldedWords(title)
	for _, group := range keywords {
		ok := false
		for _, alt := range strings.Split(group, "|") {
			if startsWords(words, foldedWords(alt)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return len(keywords) > 0
}

// startsWords reports whether alt's words come in a row in words, the last
// one as the start of a word (the others whole).
func startsWords(words, alt []string) bool {
	if len(alt) == 0 {
		return false
	}
	for i := 0; i+len(alt) <= len(words); i++ {
		ok := true
		for j, a := range alt {
			w := words[i+j]
			if (j < len(alt)-1 && w != a) || (j == len(alt)-1 && !strings.HasPrefix(w, a)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// DueRight reports whether a found due date is the true one: both none, or
// the same day and, when the truth has a time, the same hour and minute.
func DueRight(truth, found string) bool {
	truth, found = strings.TrimSpace(truth), strings.TrimSpace(found)
	if truth == "" || found == "" {
		return truth == found
	}
	if len(truth) < 10 || len(found) < 10 || truth[:10] != found[:10] {
		return false
	}
	if len(truth) >= 16 {
		return len(found) >= 16 && truth[11:16] == found[11:16]
	}
	return true
}

// Pairs matches found tasks to true ones (see the package comment): it
// returns, for each true task, the index of its found task or -1. The
// pairing is the largest possible, built from the pairs whose due dates
// agree first, then from the others.
func Pairs(truth []Task, found []FoundTask) []int {
	ofTruth := make([]int, len(truth))
	ofFound := make([]int, len(found))
	for i := range ofTruth {
		ofTruth[i] = -1
	}
	for j := range ofFound {
		ofFound[j] = -1
	}
	edge := func(i, j int, dueToo bool) bool {
		return KeywordsMatch(found[j].Title, truth[i].Keywords) && (!dueToo || DueRight(truth[i].Due, found[j].Due))
	}
	var augment func(i int, seen []bool, dueToo bool) bool
	augment = func(i int, seen []bool, dueToo bool) bool {
		for j := range found {
			if seen[j] || !edge(i, j, dueToo) {
				continue
			}
			seen[j] = true
			if ofFound[j] < 0 || augment(ofFound[j], seen, dueToo) {
				ofFound[j], ofTruth[i] = i, j
				return true
			}
		}
		return false
	}
	for _, dueToo := range []bool{true, false} {
		for i := range truth {
			if ofTruth[i] < 0 {
				augment(i, make([]bool, len(found)), dueToo)
			}
		}
	}
	return ofTruth
}

// FactKept reports whether a summary (with its title) keeps a fact: one of
// its alternatives is there, a number by its value, words in a row.
func FactKept(fact, summary string) bool {
	t := ground.Prepare(summary)
	for _, alt := range strings.Split(fact, "|") {
		alt = strings.TrimSpace(alt)
		words := strings.Fields(alt)
		switch {
		case alt == "":
		case len(words) > 1:
			if m, ok := t.Find(alt); ok && m.Edits == 0 {
				return true
			}
		case strings.IndexFunc(alt, unicode.IsDigit) >= 0:
			claims := t.Claims(alt, false)
			if len(claims) > 0 && claims[0].Supported {
				return true
			}
		default:
			for _, w := range foldedWords(summary) {
				if w == Fold(alt) {
					return true
				}
			}
		}
	}
	return false
}

// Invented is what a summary and title claim that the text does not hold:
// summarize's own check when the record has it, else the same check made
// here.
func Invented(f Found, text string) []string {
	if f.Checks != nil {
		return append(append([]string{}, f.Checks.Summary.Unsupported...), f.Checks.Title.Unsupported...)
	}
	t := ground.Prepare(text)
	out := t.Unsupported(f.Summary, false)
	if f.Title != "" {
		out = append(out, t.Unsupported(f.Title, true)...)
	}
	return out
}

// MaxTitleWords and MaxTags are the limits summarize's prompt asks for.
const (
	MaxTitleWords = 10
	MaxTags       = 5
)

// TitleTagsOK reports whether a title and tags are well formed: a title of
// one line, 1 to 10 words, and at most 5 tags, each lower case without
// "#" or spaces. It returns why not.
func TitleTagsOK(title string, tags []string) (bool, string) {
	switch n := len(strings.Fields(title)); {
	case n == 0:
		return false, "no title"
	case n > MaxTitleWords:
		return false, "a title of more than 10 words"
	case strings.ContainsAny(title, "\n\r"):
		return false, "a title of more than one line"
	}
	if len(tags) > MaxTags {
		return false, "more than 5 tags"
	}
	for _, t := range tags {
		if t == "" || t != strings.ToLower(t) || strings.ContainsAny(t, "# \t") {
			return false, "a malformed tag " + quote(t)
		}
	}
	return true, ""
}

// Brief style's bounds: one to three sentences, at most 100 words.
const (
	MaxSentences    = 3
	MaxSummaryWords = 100
)

// LengthOK reports whether a summary is within the brief style (one to
// three sentences, at most 100 words), and why not.
func LengthOK(summary string) (bool, string) {
	words := len(strings.Fields(summary))
	if words == 0 {
		return false, "no summary"
	}
	if words > MaxSummaryWords {
		return false, "more than 100 words"
	}
	if n := Sentences(summary); n > MaxSentences {
		return false, "more than 3 sentences"
	}
	return true, ""
}

// Sentences counts the sentences of a text: runs ended by ".", "!" or "?"
// before a space or the end, or by a line end (a bullet list counts a
// sentence a line).
func Sentences(s string) int {
	n := 0
	open := false
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '\n':
			if open {
				n++
			}
			open = false
		case (r == '.' || r == '!' || r == '?') && (i+1 == len(rs) || unicode.IsSpace(rs[i+1])):
			if open {
				n++
			}
			open = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			open = true
		}
	}
	if open {
		n++
	}
	return n
}

func quote(s string) string { return "\"" + s + "\"" }
