package fitness

import (
	"strings"
	"testing"
	"time"
)

func TestKeywordsMatch(t *testing.T) {
	for _, c := range []struct {
		title    string
		keywords []string
		want     bool
	}{
		{"Send the invoice to Greenleaf", []string{"invoic", "greenleaf|priya"}, true},
		{"Send the invoicing run", []string{"invoic"}, true},
		{"Send the bill", []string{"invoic|bill"}, true},
		{"Reinvoice Greenleaf", []string{"invoic"}, false}, // a word's start, not its middle
		{"Call Priya", []string{"invoic", "priya"}, false}, // every group
		{"Angebot für Frau Keller", []string{"fur frau"}, true},
		{"Mandar la FACTURA", []string{"factura"}, true},
		{"Order business cards", []string{"business card"}, true},
		{"Order business", []string{"business card"}, false},
		{"Anything", nil, false},
	} {
		if got := KeywordsMatch(c.title, c.keywords); got != c.want {
			t.Errorf("KeywordsMatch(%q, %q) = %v, want %v", c.title, c.keywords, got, c.want)
		}
	}
}

func TestDueRight(t *testing.T) {
	for _, c := range []struct {
		truth, found string
		want         bool
	}{
		{"", "", true},
		{"2026-03-13", "", false},
		{"", "2026-03-13", false},
		{"2026-03-13", "2026-03-13", true},
		{"2026-03-13", "2026-03-13T15:00:00Z", true}, // no time asked
		{"2026-03-13T15:00", "2026-03-13T15:00:00Z", true},
		{"2026-03-13T15:00", "2026-03-13", false},
		{"2026-03-13T15:00", "2026-03-13T16:00:00Z", false},
		{"2026-03-13", "2026-03-14", false},
		{"2026-03-13", "soon", false},
	} {
		if got := DueRight(c.truth, c.found); got != c.want {
			t.Errorf("DueRight(%q, %q) = %v, want %v", c.truth, c.found, got, c.want)
		}
	}
}

func TestPairs(t *testing.T) {
	truth := []Task{
		{Title: "Call Priya", Keywords: []string{"call|phone"}, Due: "2026-03-13"},
		{Title: "Call the bank", Keywords: []string{"call|phone", "bank"}},
	}
	for _, c := range []struct {
		name  string
		found []FoundTask
		want  []int
	}{
		{"none", nil, []int{-1, -1}},
		{"both", []FoundTask{{Title: "Call Priya", Due: "2026-03-13"}, {Title: "Phone the bank"}}, []int{0, 1}},
		// Greedy would give the bank call to the first true task and leave
		// the second without: the largest pairing gives both.
		{"largest", []FoundTask{{Title: "Call the bank"}, {Title: "Call Priya"}}, []int{1, 0}},
		// Of two that match, the one with the right date.
		{"due first", []FoundTask{{Title: "Call Priya", Due: "2026-03-20"}, {Title: "Call Priya", Due: "2026-03-13"}}, []int{1, -1}},
		{"one found for two", []FoundTask{{Title: "Call the bank"}}, []int{-1, 0}},
	} {
		got := Pairs(truth, c.found)
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: Pairs = %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

func TestFactKept(t *testing.T) {
	for _, c := range []struct {
		fact, summary string
		want          bool
	}{
		{"8400", "The roofer quoted 8,400 euros.", true},
		{"8400", "The roofer quoted €8.400.", true},
		{"8400", "The roofer quoted 8.4k.", true},
		{"8400", "The roofer quoted 840 euros.", false},
		{"Harbor Print|Harbor", "Changes for Harbor Print.", true},
		{"Harbor Print", "Print for Harbor.", false}, // in a row
		{"Kowalski|roofer", "The roofer came.", true},
		{"Pão Quente", "a lead from pão quente", true},
		{"Okafor", "Dr Okafor's practice", true},
		{"Okafor", "Dr Okaforo", false}, // whole words
		{"Tuesday", "", false},
	} {
		if got := FactKept(c.fact, c.summary); got != c.want {
			t.Errorf("FactKept(%q, %q) = %v, want %v", c.fact, c.summary, got, c.want)
		}
	}
}

func TestTitleTagsOK(t *testing.T) {
	for _, c := range []struct {
		title string
		tags  []string
		want  bool
	}{
		{"Roof leak", []string{"house", "roof-repair"}, true},
		{"", nil, false},
		{"one two three four five six seven eight nine ten eleven", nil, false},
		{"Roof", []string{"a", "b", "c", "d", "e", "f"}, false},
		{"Roof", []string{"Roof"}, false},
		{"Roof", []string{"#roof"}, false},
		{"Roof", []string{"roof repair"}, false},
	} {
		if got, _ := TitleTagsOK(c.title, c.tags); got != c.want {
			t.Errorf("TitleTagsOK(%q, %q) = %v, want %v", c.title, c.tags, got, c.want)
		}
	}
}

func TestLength(t *testing.T) {
	for _, c := range []struct {
		summary   string
		sentences int
		ok        bool
	}{
		{"", 0, false},
		{"One.", 1, true},
		{"It costs 8.400 euros. Due on Friday", 2, true},
		{"One. Two! Three? Four.", 4, false},
		{"- one\n- two\n- three\n- four", 4, false},
		{"Dana, Harbor Print, 3200, blue.", 1, true},
	} {
		if got := Sentences(c.summary); got != c.sentences {
			t.Errorf("Sentences(%q) = %d, want %d", c.summary, got, c.sentences)
		}
		if ok, _ := LengthOK(c.summary); ok != c.ok {
			t.Errorf("LengthOK(%q) = %v, want %v", c.summary, ok, c.ok)
		}
	}
}

func TestScoreRecords(t *testing.T) {
	yes, no := true, false
	fx := &Fixtures{Memos: []*Memo{{
		ID: "a", Text: "Call Priya tomorrow about the 1,750 euros. Marco sends the photos.", Folder: "finance", Created: time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC),
		Facts: []string{"Priya", "1750"},
		Tasks: []Task{
			{Title: "Call Priya", Keywords: []string{"call", "priya"}, Due: "2026-03-13", For: "Priya"},
			{Title: "Marco sends the photos", Keywords: []string{"photo"}, For: "Marco"},
		},
	}}}
	var r Result
	ScoreRecords(fx, map[string]Found{"a": {
		ID: "a", Title: "Call Priya", Summary: "Call Priya about 1750 euros, said Zebulon.", Tags: []string{"money"}, Folder: "clients",
		Tasks: []FoundTask{{Title: "Call Priya", Due: "2026-03-14", Grounded: &yes}, {Title: "Buy milk", Grounded: &no}},
	}}, &r)
	want := Result{Memos: 1,
		Tasks:     TaskScores{Recall: Ratio{1, 2}, Precision: Ratio{1, 2}, DueRight: Ratio{0, 1}, ForRight: Ratio{0, 1}, Grounded: Ratio{1, 2}},
		Summaries: SummaryScores{FactsKept: Ratio{2, 2}, Invented: Ratio{1, 1}, WellFormed: Ratio{1, 1}, Length: Ratio{1, 1}},
		Folder:    Ratio{0, 1},
	}
	if r.Tasks != want.Tasks || r.Summaries != want.Summaries || r.Folder != want.Folder || r.Memos != want.Memos {
		t.Errorf("scores:\n got %+v %+v %+v\nwant %+v %+v %+v", r.Tasks, r.Summaries, r.Folder, want.Tasks, want.Summaries, want.Folder)
	}
	// Missed, misdated, for whom, not grounded, invented task, invented
	// facts, folder.
	if len(r.Wrong) != 7 {
		t.Errorf("%d wrong answers, want 7: %+v", len(r.Wrong), r.Wrong)
	}
}

func TestScoreRecall(t *testing.T) {
	qs := []Question{{Q: "a", IDs: []string{"m1"}}, {Q: "b", IDs: []string{"m2", "m3"}}, {Q: "c", IDs: []string{"m4"}}, {Q: "d", IDs: []string{"m5"}}}
	var r Result
	ScoreRecall(qs, [][]string{{"m1"}, {"m9", "m3"}, {"m9", "m8", "m7", "m6", "m5", "m4"}}, &r)
	if r.RecallAt5 != (Ratio{2, 4}) {
		t.Errorf("recall@5 = %v, want 2 of 4", r.RecallAt5)
	}
	if want := (1 + 0.5 + 1.0/6) / 4; r.MRR != want {
		t.Errorf("MRR = %v, want %v", r.MRR, want)
	}
}

func TestWER(t *testing.T) {
	for _, c := range []struct {
		ref, hyp string
		errors   int // of the reference's words
		words    int
	}{
		{"", "", 0, 0},
		{"", "word", 1, 0},
		{"call the roofer", "call the roofer", 0, 3},
		{"call the roofer", "call a roofer", 1, 3},
		{"call the roofer", "call roofer", 1, 3},
		{"call the roofer", "call the roofer today", 1, 3},
		{"call the roofer", "", 3, 3},
		{"the the roofer", "the roofer the", 2, 3},
		// Case and punctuation are not words.
		{"Call the roofer.", "call the ROOFER", 0, 3},
		{"Quick note: after the call, with Dana!", "quick note after the call with dana", 0, 7},
		{"“Pão Quente” — two shops", "pao quente two shops", 0, 4},
		// Apostrophes stay in a word, whichever is typed.
		{"we don’t do that", "we don't do that", 0, 4},
		{"we don't do that", "we do not do that", 2, 4},
		// A hyphen parts words.
		{"the check-up is on Tuesday", "the check up is on tuesday", 0, 6},
		// Numbers as digits or as words are the same number.
		{"His quote is 8,400 euros", "his quote is eight thousand four hundred euros", 0, 5},
		{"His quote is 8,400 euros", "His quote is 8400 euros.", 0, 5},
		{"the car insurance payment of three hundred and ten euros", "the car insurance payment of 310 euros", 0, 7},
		{"twelve hundred more", "1,200 more", 0, 2},
		{"they're like twenty two euros", "they're like 22 euros", 0, 4},
		{"they're like twenty-two euros", "they're like 22 euros", 0, 4},
		{"four thousand two hundred", "4,200", 0, 1},
		{"one hundred thousand", "100,000", 0, 1},
		{"a hundred and one", "101", 0, 1},
		{"Budget 6,000 euros, half up front.", "budget six thousand euros half up front", 0, 6},
		{"1.750 Euro", "one thousand seven hundred fifty euro", 0, 2},
		{"12,50 euros", "12.50 euros", 0, 2},
		{"Invoice 2026-014", "invoice 2026 14", 0, 3},
		{"nine square meters", "9 square meters", 0, 3},
		{"zero one four", "0 1 4", 0, 3},
		{"the twenty twenty six plan", "the 20 26 plan", 0, 4},
		{"a hundred", "100", 0, 1},
		{"a house", "1 house", 1, 2},
		// Ordinals, in digits or words.
		{"on April 2nd", "on april second", 0, 3},
		{"Mum's seventieth", "mum's 70th", 0, 2},
		{"the first of March", "the 1st of march", 0, 4},
		{"Wednesday the 18th", "wednesday the eighteenth", 0, 3},
		{"the twenty-first", "the 21st", 0, 2},
		// Times of day.
		{"Tuesday at 8:30", "tuesday at eight thirty", 0, 4},
		{"Friday at 4 pm", "Friday at 4 p.m.", 0, 4},
		{"Friday at 4pm", "friday at four pm", 0, 4},
		// Signs of money and of percent, as said.
		{"went up by 12 percent", "went up by 12%", 0, 5},
		{"the 85 euros deposit", "the €85 deposit", 0, 4},
		// A word that is no number stays a word.
		{"one every quarter", "1 every quarter", 0, 3},
		{"thousand islands", "1000 islands", 1, 2},
	} {
		errs, words := WordErrors(c.ref, c.hyp)
		if errs != c.errors || words != c.words {
			t.Errorf("WordErrors(%q, %q) = %d of %d, want %d of %d (words %q and %q)", c.ref, c.hyp, errs, words, c.errors, c.words, SpeechWords(c.ref), SpeechWords(c.hyp))
		}
		want := 0.0
		switch {
		case c.words > 0:
			want = float64(c.errors) / float64(c.words)
		case c.errors > 0:
			want = 1
		}
		if got := WER(c.ref, c.hyp); got != want {
			t.Errorf("WER(%q, %q) = %v, want %v", c.ref, c.hyp, got, want)
		}
	}
}

// TestFoldConcurrent: the test server scores from many requests at once
// (run with -race).
func TestFoldConcurrent(t *testing.T) {
	done := make(chan bool)
	for range 4 {
		go func() {
			for range 100 {
				if got := Fold("Pão Quente"); got != "pao quente" {
					t.Errorf("Fold = %q", got)
				}
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
}

func TestWordEdits(t *testing.T) {
	for _, c := range []struct {
		ref, hyp string
		want     string
	}{
		{"call the roofer", "call the roofer", ""},
		{"Call the roofer.", "call a roofer", "the → a"},
		{"call the roofer today", "call roofer", "the → (left out), today → (left out)"},
		{"call the roofer", "please call the roofer now", "(added) → please, (added) → now"},
		{"Quick note after the call, as agreed.", "zebulon note after the call as", "quick → zebulon, agreed → (left out)"},
		{"His quote is 8,400 euros", "his quote is eight thousand five hundred euros", "8400 → 8500"},
	} {
		var got []string
		for _, e := range WordEdits(c.ref, c.hyp) {
			got = append(got, e.String())
		}
		if s := strings.Join(got, ", "); s != c.want {
			t.Errorf("WordEdits(%q, %q) = %q, want %q", c.ref, c.hyp, s, c.want)
		}
		if n, _ := WordErrors(c.ref, c.hyp); n != len(got) {
			t.Errorf("WordEdits(%q, %q): %d edits, but WordErrors counts %d", c.ref, c.hyp, len(got), n)
		}
	}
}

func TestScoreTranscripts(t *testing.T) {
	memos := map[string]*Memo{
		"m1.wav": {ID: "m1", Text: "Call the roofer about the 8,400 euros."},
		"m2.wav": {ID: "m2", Text: "Buy oat milk."},
		"m3.wav": {ID: "m3", Text: "Book the garage."},
		"m4.wav": {ID: "m4", Text: "Send the invoice."},
	}
	records := `{"source":"/tmp/speech/m2.wav","text":"buy goat milk","provenance":{"text":{"model":"api:whisper-1"}}}
not JSON
{"source":"/tmp/speech/m1.wav","text":"call the roofer about the eight thousand four hundred euros","provenance":{"text":{"model":"api:whisper-1"}}}
{"source":"/tmp/speech/m3.wav","errors":[{"tool":"transcribe","message":"the server refused it"}]}
{"source":"/tmp/speech/other.wav","text":"not a memo"}
{"source":"/tmp/speech/m1.wav","text":"a second record of a file is not counted"}
`
	got, first := ScoreTranscripts(memos, []byte(records))
	// m1 right (7 words), m2 one wrong (3), m3 failed (3), m4 no record (3).
	if got.WER != (Ratio{1 + 3 + 3, 7 + 3 + 3 + 3}) {
		t.Errorf("WER = %d of %d, want 7 of 16", got.WER.Num, got.WER.Den)
	}
	if got.Memos != 4 || got.Failed != 2 || got.Model != "api:whisper-1" || first != "the server refused it" {
		t.Errorf("memos %d, failed %d, model %q, first error %q; want 4, 2, api:whisper-1, the server refused it", got.Memos, got.Failed, got.Model, first)
	}
	var wrong []string
	for _, w := range got.Wrong {
		wrong = append(wrong, w.Memo+": "+w.What+": "+w.Got)
	}
	want := []string{
		"m2: 1 of 3 words wrong (oat → goat): buy goat milk",
		"m3: not transcribed: the server refused it",
		"m4: not transcribed: no record",
	}
	if strings.Join(wrong, "\n") != strings.Join(want, "\n") {
		t.Errorf("wrong:\n%s\nwant:\n%s", strings.Join(wrong, "\n"), strings.Join(want, "\n"))
	}
}
