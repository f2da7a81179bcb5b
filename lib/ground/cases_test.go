package ground

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// The cases: texts in English, German, Spanish and French (some as a
// transcript has them: no capitals, no punctuation, fillers), each with
// quotes a model might give for its tasks (said: the words are the text's,
// up to the slips a small model makes; not said: a task the text does not
// ask for) and summaries with the facts they invent.
type groundCase struct {
	Name   string `json:"name"`
	Lang   string `json:"lang"`
	Text   string `json:"text"`
	Quotes []struct {
		Quote string `json:"quote"`
		Said  bool   `json:"said"`
	} `json:"quotes"`
	Summaries []struct {
		Summary  string   `json:"summary"`
		Invented []string `json:"invented"`
	} `json:"summaries"`
}

func loadCases(tb testing.TB) []groundCase {
	tb.Helper()
	b, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		tb.Fatal(err)
	}
	var cs []groundCase
	if err := json.Unmarshal(b, &cs); err != nil {
		tb.Fatal(err)
	}
	return cs
}

// scores are the checks' rates over the cases.
type scores struct {
	inventedTasks, inventedTasksCaught int
	trueTasks, trueTasksFlagged        int
	inventedFacts, inventedFactsCaught int
	trueFacts, trueFactsFlagged        int
	misses                             []string
}

func score(cs []groundCase) scores {
	var s scores
	for _, c := range cs {
		t := Prepare(c.Text)
		for _, q := range c.Quotes {
			_, found := t.Find(q.Quote)
			if q.Said {
				s.trueTasks++
				if !found {
					s.trueTasksFlagged++
					s.misses = append(s.misses, c.Name+": said but not found: "+q.Quote)
				}
			} else {
				s.inventedTasks++
				if found {
					s.misses = append(s.misses, c.Name+": not said but found: "+q.Quote)
				} else {
					s.inventedTasksCaught++
				}
			}
		}
		for _, sm := range c.Summaries {
			claims := t.Claims(sm.Summary, false)
			for _, inv := range sm.Invented {
				s.inventedFacts++
				if slices.ContainsFunc(claims, func(cl Claim) bool { return !cl.Supported && cl.Text == inv }) {
					s.inventedFactsCaught++
				} else {
					s.misses = append(s.misses, c.Name+": invented fact not caught: "+inv+" in "+sm.Summary)
				}
			}
			for _, cl := range claims {
				if slices.Contains(sm.Invented, cl.Text) {
					continue
				}
				s.trueFacts++
				if !cl.Supported {
					s.trueFactsFlagged++
					s.misses = append(s.misses, c.Name+": true "+cl.Kind+" flagged: "+cl.Text+" in "+sm.Summary)
				}
			}
		}
	}
	return s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// TestCases holds the checks to their goals over the cases: every invented
// task caught, under 5% of true tasks flagged, at least 95% of invented
// summary facts caught, under 5% of true facts flagged.
func TestCases(t *testing.T) {
	cs := loadCases(t)
	langs := map[string]int{}
	for _, c := range cs {
		langs[c.Lang]++
	}
	if len(cs) < 40 || len(langs) < 4 {
		t.Fatalf("%d cases in %d languages; the goals are measured on at least 40 in 4", len(cs), len(langs))
	}
	s := score(cs)
	for _, m := range s.misses {
		t.Log(m)
	}
	if s.inventedTasksCaught != s.inventedTasks {
		t.Errorf("invented tasks caught: %d of %d (goal: all)", s.inventedTasksCaught, s.inventedTasks)
	}
	if r := ratio(s.trueTasksFlagged, s.trueTasks); r >= 0.05 {
		t.Errorf("true tasks flagged: %d of %d (goal: under 5%%)", s.trueTasksFlagged, s.trueTasks)
	}
	if r := ratio(s.inventedFactsCaught, s.inventedFacts); r < 0.95 {
		t.Errorf("invented facts caught: %d of %d (goal: at least 95%%)", s.inventedFactsCaught, s.inventedFacts)
	}
	if r := ratio(s.trueFactsFlagged, s.trueFacts); r >= 0.05 {
		t.Errorf("true facts flagged: %d of %d (goal: under 5%%)", s.trueFactsFlagged, s.trueFacts)
	}
	if t.Failed() {
		t.Log("the misses above show which")
	}
	_ = strings.TrimSpace
}

// BenchmarkGrounding reports the checks' rates over the cases, against
// their goals, and what the checks cost for a 10-minute memo's text (about
// 1,500 words) with ten tasks and a summary.
func BenchmarkGrounding(b *testing.B) {
	cs := loadCases(b)
	s := score(cs)
	var memo strings.Builder
	for memo.Len() < 9000 {
		for _, c := range cs {
			if c.Lang == "en" {
				memo.WriteString(c.Text + " ")
			}
		}
	}
	text := memo.String()
	var quotes []string
	for _, c := range cs[:10] {
		quotes = append(quotes, c.Quotes[0].Quote)
	}
	summary := cs[0].Summaries[1].Summary + " " + cs[3].Summaries[0].Summary + " " + cs[5].Summaries[1].Summary
	b.ResetTimer()
	for b.Loop() {
		t := Prepare(text)
		for _, q := range quotes {
			t.Find(q)
		}
		t.Claims(summary, false)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms-per-memo(goal<1)")
	b.ReportMetric(ratio(s.inventedTasksCaught, s.inventedTasks), "invented-tasks-caught(goal=1)")
	b.ReportMetric(ratio(s.trueTasksFlagged, s.trueTasks), "true-tasks-flagged(goal<0.05)")
	b.ReportMetric(ratio(s.inventedFactsCaught, s.inventedFacts), "invented-facts-caught(goal>=0.95)")
	b.ReportMetric(ratio(s.trueFactsFlagged, s.trueFacts), "true-facts-flagged(goal<0.05)")
}
