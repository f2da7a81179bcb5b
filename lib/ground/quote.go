package ground

// A Match is where a quote was found in the text.
type Match struct {
	// Quote is the text's own words that the quote matched, from the
	// first matched word to the last.
	Quote string
	// Start and End are character (Unicode code point) offsets into the
	// text: Quote is text[Start:End] counted in characters.
	Start, End int
	// ByteStart and ByteEnd are the same span in bytes.
	ByteStart, ByteEnd int
	// Edits is how many words were changed, left out or added between the
	// quote and the text (0: the quote is exact, after normalization).
	Edits int
}

// MinQuoteWords is the shortest quote taken as evidence: one word is found
// in almost any text and proves nothing.
const MinQuoteWords = 2

// Allowed is how many word edits a quote of n words may have and still be
// found: one in every five words (a quote shorter than five words must be
// exact, after normalization).
func Allowed(n int) int { return n / 5 }

// Find looks for quote in the text: its words, normalized, in the same
// order, with at most Allowed(n) words changed, left out or added (a word
// edit distance, counted over the best-matching stretch of the text). The
// first best match wins.
func (t *Text) Find(quote string) (Match, bool) {
	var q []int32
	for _, w := range wordsOf(quote) {
		q = append(q, t.ids[w.norm]) // 0 for a word the text does not have: never equal
	}
	if len(q) < MinQuoteWords || len(t.words) == 0 {
		return Match{}, false
	}
	if i := indexIDs(t.joined, q); i >= 0 {
		return t.match(i, i+len(q), 0), true
	}
	k := Allowed(len(q))
	if k == 0 {
		return Match{}, false
	}
	end, cost := bestEnd(t.joined, q)
	if cost > k {
		return Match{}, false
	}
	lo := max(0, end-len(q)-k)
	start := lo + bestStart(t.joined[lo:end], q, cost)
	return t.match(start, end, cost), true
}

// FindExact looks for words in the text exactly, after normalization:
// all of them, in the same order, none changed, left out or added. Unlike
// Find it takes a single word, for what proves little alone but must
// still be said, such as the "Friday" of a due date.
func (t *Text) FindExact(words string) (Match, bool) {
	var q []int32
	for _, w := range wordsOf(words) {
		q = append(q, t.ids[w.norm])
	}
	if len(q) == 0 || len(t.words) == 0 {
		return Match{}, false
	}
	if i := indexIDs(t.joined, q); i >= 0 {
		return t.match(i, i+len(q), 0), true
	}
	return Match{}, false
}

func (t *Text) match(i, j, edits int) Match {
	bs, be := t.words[i].start, t.words[j-1].end
	return Match{
		Quote:     t.src[bs:be],
		Start:     t.runeOffset(bs),
		End:       t.runeOffset(be),
		ByteStart: bs,
		ByteEnd:   be,
		Edits:     edits,
	}
}

// indexIDs is the first index of q in s, or -1.
func indexIDs(s, q []int32) int {
outer:
	for i := 0; i+len(q) <= len(s); i++ {
		if s[i] != q[0] {
			continue
		}
		for j := 1; j < len(q); j++ {
			if s[i+j] != q[j] {
				continue outer
			}
		}
		return i
	}
	return -1
}

// bestEnd runs the approximate substring match of q in s (Sellers): the
// end (exclusive) in s of the cheapest stretch, and its cost in word edits.
func bestEnd(s, q []int32) (end, cost int) {
	n := len(q)
	prev := make([]int, n+1)
	cur := make([]int, n+1)
	for i := range prev {
		prev[i] = i
	}
	end, cost = 0, n
	// Column by column over s: prev is the column of s[:j], cur of s[:j+1].
	for j := 0; j < len(s); j++ {
		cur[0] = 0
		for i := 1; i <= n; i++ {
			sub := prev[i-1]
			if q[i-1] != s[j] {
				sub++
			}
			cur[i] = min(sub, prev[i]+1, cur[i-1]+1)
		}
		if cur[n] < cost {
			end, cost = j+1, cur[n]
		}
		prev, cur = cur, prev
	}
	return end, cost
}

// bestStart is where in s (which ends where the match ends) the match of
// q at the given cost starts: the latest start that reaches it, so the
// stretch is the shortest.
func bestStart(s, q []int32, cost int) int {
	// Align the reversed quote with the reversed s, anchored at s's end.
	n := len(q)
	prev := make([]int, n+1)
	cur := make([]int, n+1)
	for i := range prev {
		prev[i] = i
	}
	for j := 1; j <= len(s); j++ {
		c := s[len(s)-j]
		cur[0] = j
		for i := 1; i <= n; i++ {
			sub := prev[i-1]
			if q[n-i] != c {
				sub++
			}
			cur[i] = min(sub, prev[i]+1, cur[i-1]+1)
		}
		if cur[n] <= cost {
			return len(s) - j
		}
		prev, cur = cur, prev
	}
	return 0
}
