package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// EstimateTokens estimates, on the safe side, how many tokens a text takes:
// one per three ASCII characters and one per other character. Real
// tokenizers give English about four characters a token; the margin keeps
// code, numbers and accented text inside the window too.
func EstimateTokens(s string) int { return (units(s) + 2) / 3 }

// units counts thirds of a token; it adds up over concatenation.
func units(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n += 3
	}
	return n
}

// Split cuts text into parts of at most budget tokens (by EstimateTokens),
// at paragraph boundaries where it can, then at lines, sentences, words,
// and as a last resort inside a word. The parts, joined, give back the text.
func Split(text string, budget int) []string {
	if budget < 1 {
		budget = 1
	}
	return split(text, budget*3, 0)
}

func split(text string, limit, level int) []string {
	if units(text) <= limit {
		return []string{text}
	}
	if level > 4 {
		return cutRunes(text, limit)
	}
	pieces := cut(text, level)
	if len(pieces) <= 1 {
		return split(text, limit, level+1)
	}
	var out []string
	var cur strings.Builder
	curUnits := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			curUnits = 0
		}
	}
	for _, p := range pieces {
		u := units(p)
		if u > limit {
			flush()
			out = append(out, split(p, limit, level+1)...)
			continue
		}
		if curUnits+u > limit {
			flush()
		}
		cur.WriteString(p)
		curUnits += u
	}
	flush()
	return out
}

// cut splits text into pieces that keep their separators at the end:
// level 0 at blank lines, 1 at line ends, 2 after sentence ends, 3 after
// spaces.
func cut(text string, level int) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		end := -1
		switch level {
		case 0:
			if r == '\n' {
				j := i + 1
				for j < len(text) && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r') {
					j++
				}
				if j < len(text) && text[j] == '\n' {
					for j < len(text) && (text[j] == '\n' || text[j] == '\r' || text[j] == ' ' || text[j] == '\t') {
						j++
					}
					end = j
				}
			}
		case 1:
			if r == '\n' {
				end = i + 1
			}
		case 2:
			if strings.ContainsRune(".!?。！？", r) {
				j := i + size
				if j >= len(text) {
					break
				}
				next, _ := utf8.DecodeRuneInString(text[j:])
				if unicode.IsSpace(next) || r >= 0x3000 {
					for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
						j++
					}
					end = j
				}
			}
		case 3:
			if unicode.IsSpace(r) {
				j := i + size
				for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
					j++
				}
				end = j
			}
		}
		if end > 0 {
			out = append(out, text[start:end])
			start = end
			i = end
			continue
		}
		i += size
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

func cutRunes(text string, limit int) []string {
	var out []string
	start, u := 0, 0
	for i := 0; i < len(text); {
		_, size := utf8.DecodeRuneInString(text[i:])
		w := 1
		if size > 1 || text[i] >= utf8.RuneSelf {
			w = 3
		}
		if u+w > limit && i > start {
			out = append(out, text[start:i])
			start, u = i, 0
		}
		u += w
		i += size
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}
