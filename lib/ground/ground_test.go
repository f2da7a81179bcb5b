package ground

import (
	"slices"
	"testing"
)

func TestFind(t *testing.T) {
	text := "Äh, also: ich muss „den Dachdecker“ anrufen – wegen 8.000 € – und um, die Rechnung schicken."
	tests := []struct {
		quote string
		found bool
		match string
		start int
		edits int
	}{
		{"den Dachdecker anrufen", true, "den Dachdecker“ anrufen", 20, 0},
		{"DEN dachdecker ANRUFEN!", true, "den Dachdecker“ anrufen", 20, 0},
		{"wegen 8000 €", true, "wegen 8.000", 46, 0},
		{"wegen achttausend Euro", false, "", 0, 0}, // "Euro" is not said
		{"und die Rechnung schicken", true, "und um, die Rechnung schicken", 62, 0},
		{"ich muss den Dachdecker wegen anrufen", true, "ich muss „den Dachdecker“ anrufen", 10, 1},
		{"die Rechnung bezahlen", false, "", 0, 0},
		{"anrufen", false, "", 0, 0}, // one word proves nothing
		{"", false, "", 0, 0},
	}
	tx := Prepare(text)
	for _, tc := range tests {
		m, ok := tx.Find(tc.quote)
		if ok != tc.found {
			t.Errorf("Find(%q) found = %v, want %v (%+v)", tc.quote, ok, tc.found, m)
			continue
		}
		if !ok {
			continue
		}
		if m.Quote != tc.match || m.Start != tc.start || m.Edits != tc.edits {
			t.Errorf("Find(%q) = %q at %d, %d edits; want %q at %d, %d edits", tc.quote, m.Quote, m.Start, m.Edits, tc.match, tc.start, tc.edits)
		}
		if got := string([]rune(text)[m.Start:m.End]); got != m.Quote {
			t.Errorf("Find(%q): text[%d:%d] in characters is %q, not the quote %q", tc.quote, m.Start, m.End, got, m.Quote)
		}
		if text[m.ByteStart:m.ByteEnd] != m.Quote {
			t.Errorf("Find(%q): bytes %d:%d do not hold the quote", tc.quote, m.ByteStart, m.ByteEnd)
		}
	}
}

func TestAllowed(t *testing.T) {
	for n, want := range map[int]int{2: 0, 4: 0, 5: 1, 9: 1, 10: 2, 20: 4} {
		if got := Allowed(n); got != want {
			t.Errorf("Allowed(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestNumberValues(t *testing.T) {
	tests := []struct {
		text string
		want []float64
	}{
		{"8,000", []float64{8000}},
		{"8.000", []float64{8000}},
		{"8 000", []float64{8000}},
		{"8'000", []float64{8000}},
		{"2,5 Millionen", []float64{2.5e6}},
		{"8k", []float64{8000}},
		{"3,200.50", []float64{3200.5}},
		{"3.200,50", []float64{3200.5}},
		{"eight thousand", []float64{8000}},
		{"two hundred and five", []float64{205}},
		{"forty five", []float64{45}},
		{"fünfundzwanzig", []float64{25}},
		{"zweihundertachtzig", []float64{280}},
		{"dreißig", []float64{30}},
		{"quatre-vingt-dix", []float64{90}},
		{"soixante-dix-sept", []float64{77}},
		{"cinq cents", []float64{500}},
		{"huit mille", []float64{8000}},
		{"ocho mil", []float64{8000}},
		{"veinticinco", []float64{25}},
		{"cuarenta y cinco", []float64{45}},
		{"quinientos", []float64{500}},
	}
	for _, tc := range tests {
		tx := Prepare(tc.text)
		for _, v := range tc.want {
			if !tx.numbers[v] {
				t.Errorf("%q: %v not among its values %v", tc.text, v, tx.numbers)
			}
		}
	}
	// Not numbers, or not these.
	for text, not := range map[string]float64{
		"episode 12 5 questions": 125,
		"undone":                 1,
		"version 2.3":            2.4,
		"50 cents":               100,
	} {
		if Prepare(text).numbers[not] {
			t.Errorf("%q reads as %v", text, not)
		}
	}
}

func TestClaims(t *testing.T) {
	text := "call with jordan from acme on friday at 2 pm the quote was eight thousand dollars send it to jordan@acme.example see www.acme.example/x on the 14th of march"
	tests := []struct {
		summary string
		title   bool
		want    []string // unsupported
	}{
		{"Jordan from Acme: the quote was $8,000 (8k), call Friday at 2pm.", false, nil},
		{"Jordan and Dr. Patel: the quote was $9,000, call Monday at 3pm.", false, []string{"Patel", "$9,000", "Monday", "3pm"}},
		{"Send it to jordan@acme.example and see www.acme.example/x.", false, nil},
		{"Send it to sales@acme.example, see https://evil.example/login.", false, []string{"sales@acme.example", "https://evil.example/login"}},
		{"Due 2027-03-14; not 2027-04-15.", false, []string{"2027-04-15"}},
		{"Quote For The Roof From Acme", true, nil},
		{"Quote for the roof from Bolt", true, []string{"Bolt"}},
		{"Call the roofer. Then rest.", false, nil},
		{"The quote went up 60%.", false, []string{"60%"}},
	}
	tx := Prepare(text)
	for _, tc := range tests {
		got := tx.Unsupported(tc.summary, tc.title)
		slices.Sort(got)
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Unsupported(%q) = %q, want %q", tc.summary, got, tc.want)
		}
	}
}

func TestFindExact(t *testing.T) {
	text := "Um, call the dentist by Friday, and pay Sam back in 3 days; the roof before the 1st of December."
	tests := []struct {
		words string
		found bool
		match string
		start int
	}{
		{"Friday", true, "Friday", 24},
		{"friday!", true, "Friday", 24},
		{"by Friday", true, "by Friday", 21},
		{"in three days", true, "in 3 days", 49},
		{"the 1st of December", true, "the 1st of December", 76},
		{"Monday", false, "", 0},
		{"by Monday", false, "", 0},
		{"on Friday", false, "", 0},      // exact: no word may change
		{"um", false, "", 0},             // a filler is no word
		{"by next Friday", false, "", 0}, // nor may one be added
		{"", false, "", 0},
		{"...", false, "", 0},
	}
	tx := Prepare(text)
	for _, tc := range tests {
		m, ok := tx.FindExact(tc.words)
		if ok != tc.found {
			t.Errorf("FindExact(%q) found = %v, want %v (%+v)", tc.words, ok, tc.found, m)
			continue
		}
		if ok && (m.Quote != tc.match || m.Start != tc.start || m.Edits != 0) {
			t.Errorf("FindExact(%q) = %q at %d, %d edits; want %q at %d", tc.words, m.Quote, m.Start, m.Edits, tc.match, tc.start)
		}
	}
}

func TestFold(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"Straße", "STRASSE"},
		{"STRAẞE", "strasse"},
		{"Größe", "GRÖSSE"},
		{"ſchön", "schön"},   // long s
		{"ΟΔΟΣ", "οδος"},     // final sigma
		{"Ÿ", "ÿ"},           // French
		{"AÑO", "año"},       // Spanish
		{"ǅ", "ǆ"},           // title case
		{"Kelvin", "kelvin"}, // ASCII stays ASCII
		{"ﬁnal", "final"},    // ligature, by NFKC
		{"Ｆｕｌｌ", "full"},     // full width, by NFKC
	} {
		if x, y := normWord(c.a), normWord(c.b); x != y {
			t.Errorf("normWord(%q) = %q, normWord(%q) = %q: want them equal", c.a, x, c.b, y)
		}
	}
	if normWord("Rat") == normWord("Rad") {
		t.Error("different words fold equal")
	}
}
