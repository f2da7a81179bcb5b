package testserver

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// Models that answer the tasks tool wrongly on purpose, as small models
// do, chosen like the faults: "tiny+invent" and so on. They answer a
// request whose schema asks for tasks with a quote; other requests are
// answered as usual. Each sentence of the text (up to three, of two words
// or more) is a task whose title is its first five words, whose quote is
// its words (up to twelve) and whose when is the first date phrase in it
// ("by Friday", "tomorrow", "next week", "end of the month"; "" when
// none), due "". Then:
//
//	invent      a task the text never asks for is added: "Wire the deposit
//	            to the landlord", quoting "wire the deposit to the landlord
//	            before the weekend", when "before the weekend", due
//	            2026-12-05
//	paraphrase  each quote of five words or more has one word changed, one
//	            of ten or more two (within the tolerance of one in five)
//	baddates    each task with a when gets a due date computed wrong: eight
//	            days after the day the prompt calls today
var taskFaults = []string{"invent", "paraphrase", "baddates"}

var (
	sentenceEnd = regexp.MustCompile(`[.!?;\n]+`)
	datePhrase  = regexp.MustCompile(`(?i)\b(?:(?:by|on|before|until)\s+)?(?:(?:next|this)\s+)?(?:today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|end of (?:the )?(?:week|month|year))\b`)
	todayIs     = regexp.MustCompile(`Today is \w+, (\d{4}-\d{2}-\d{2})`)
)

// badTasks is the answer of a model with one of taskFaults to a request
// for tasks about text, whose messages are all; "" when the model has
// none of them or the request is not for tasks.
func badTasks(f map[string]string, schema json.RawMessage, text, all string) string {
	fault := ""
	for _, name := range taskFaults {
		if f[name] != "" {
			fault = name
			break
		}
	}
	if fault == "" || !asksForQuotes(schema) {
		return ""
	}
	type task struct {
		Title    string   `json:"title"`
		Quote    string   `json:"quote"`
		When     string   `json:"when"`
		Due      string   `json:"due"`
		Priority string   `json:"priority"`
		Project  string   `json:"project"`
		Tags     []string `json:"tags"`
		For      string   `json:"for"`
	}
	tasks := []task{}
	for _, s := range sentenceEnd.Split(text, -1) {
		words := wordRE.FindAllString(s, 12)
		if len(words) < 2 {
			continue
		}
		t := task{Title: firstWords(s, 5), Quote: strings.Join(words, " "), When: datePhrase.FindString(s), Priority: "none", Tags: []string{}}
		switch {
		case fault == "paraphrase":
			t.Quote = paraphrase(words)
		case fault == "baddates" && t.When != "":
			t.Due = wrongDate(all)
		}
		tasks = append(tasks, t)
		if len(tasks) == 3 {
			break
		}
	}
	if fault == "invent" {
		tasks = append(tasks, task{Title: "Wire the deposit to the landlord", Quote: "wire the deposit to the landlord before the weekend",
			When: "before the weekend", Due: "2026-12-05", Priority: "high", Tags: []string{"money"}})
	}
	b, _ := json.Marshal(map[string]any{"tasks": tasks})
	return string(b)
}

// asksForQuotes reports whether a schema asks for tasks with quotes.
func asksForQuotes(schema json.RawMessage) bool {
	var n schemaNode
	if schema == nil || json.Unmarshal(schema, &n) != nil {
		return false
	}
	t := n.Properties["tasks"]
	return t != nil && t.Items != nil && t.Items.Properties["quote"] != nil
}

// paraphrase changes one word of a quote of five words or more, and a
// second one of a quote of ten or more.
func paraphrase(words []string) string {
	w := append([]string(nil), words...)
	if len(w) >= 5 {
		w[len(w)/2] = "soonish"
	}
	if len(w) >= 10 {
		w[len(w)/2+2] = "properly"
	}
	return strings.Join(w, " ")
}

// wrongDate is eight days after the day the prompt calls today.
func wrongDate(all string) string {
	m := todayIs.FindStringSubmatch(all)
	if m == nil {
		return "2020-01-01"
	}
	d, err := time.Parse(time.DateOnly, m[1])
	if err != nil {
		return "2020-01-01"
	}
	return d.AddDate(0, 0, 8).Format(time.DateOnly)
}
