package testserver

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

// The default model answers a request for tasks with quotes as a model
// that reads the text would: each clause of the text that asks for
// something is a task (up to five). A clause runs to a comma, a sentence's
// end or the words and, so, but, then; it asks for something when it holds
// a verb of asking or doing (askVerbs) at its start or after a subject or
// modal (askLead: I, we, please, to, need, should, ...), with two words or
// more after it: "so I need to remind him tomorrow" asks, "after the call
// with Dana" and "Call notes" do not. The task's quote is the clause's
// words from that verb on, as they are in the text (up to sixteen, small
// words at the end dropped); its when the first date phrase in them; its
// title the words before that (at most five, small words at the end
// dropped, the first capitalized); due, project, for and tags are empty,
// and the priority is fill's. A text that asks for nothing gets fill's
// answer, as any other request.
var (
	askVerbs = map[string]bool{
		"ask": true, "book": true, "buy": true, "call": true, "email": true, "fix": true, "order": true,
		"pay": true, "remind": true, "send": true, "update": true, "write": true, "schedule": true,
		"bring": true, "finish": true, "submit": true, "prepare": true, "renew": true, "cancel": true,
		"phone": true, "review": true, "sign": true, "clean": true, "water": true, "pack": true,
	}
	askLead = map[string]bool{
		"i": true, "we": true, "you": true, "please": true, "to": true, "need": true, "should": true,
		"must": true, "will": true, "let's": true, "lets": true, "also": true, "just": true,
	}
	clauseEnd   = regexp.MustCompile(`[.!?;,:]+`)
	clauseWords = map[string]bool{"and": true, "so": true, "but": true, "then": true}
	smallWords  = map[string]bool{"with": true, "for": true, "by": true, "on": true, "at": true, "the": true, "to": true, "until": true, "before": true, "in": true, "of": true}
)

// askedTasks is the default model's answer to a request for tasks with
// quotes about text (see askVerbs), fill's answer to schema item by item;
// "" when the request is not for tasks with quotes or the text asks for
// nothing.
func askedTasks(schema json.RawMessage, text string) string {
	if !asksForQuotes(schema) {
		return ""
	}
	var shape map[string][]map[string]any
	if json.Unmarshal(fill(schema, text, true), &shape) != nil || len(shape["tasks"]) == 0 {
		return ""
	}
	base := shape["tasks"][0]
	var quotes []string
	for _, part := range clauseEnd.Split(text, -1) {
		quotes = append(quotes, asks(part)...)
	}
	if len(quotes) == 0 {
		return ""
	}
	var tasks []map[string]any
	for _, quote := range quotes[:min(len(quotes), 5)] {
		t := map[string]any{}
		for k, v := range base {
			t[k] = v
		}
		when := datePhrase.FindString(quote)
		title := quote
		if when != "" {
			title = quote[:strings.Index(quote, when)]
		}
		words := wordRE.FindAllString(title, 5)
		for len(words) > 1 && smallWords[strings.ToLower(words[len(words)-1])] {
			words = words[:len(words)-1]
		}
		title = strings.Join(words, " ")
		r, n := utf8.DecodeRuneInString(title)
		t["title"] = string(unicode.ToUpper(r)) + title[n:]
		t["quote"], t["when"], t["due"], t["project"], t["for"], t["tags"] = quote, when, "", "", "", []string{}
		tasks = append(tasks, t)
	}
	b, _ := json.Marshal(map[string]any{"tasks": tasks})
	return string(b)
}

// asks returns the quotes of the clauses of part (a stretch of text with
// no comma or sentence end) that ask for something, as they are in part.
func asks(part string) []string {
	var out []string
	words := wordRE.FindAllStringIndex(part, -1)
	start := 0 // the first word of the clause
	for i := 0; i <= len(words); i++ {
		if i < len(words) && !clauseWords[strings.ToLower(part[words[i][0]:words[i][1]])] {
			continue
		}
		for j := start; j < i; j++ {
			w := strings.ToLower(part[words[j][0]:words[j][1]])
			if !askVerbs[w] || (j > start && !askLead[strings.ToLower(part[words[j-1][0]:words[j-1][1]])]) || i-j < 3 {
				continue
			}
			end := min(i, j+16)
			for end-1 > j && smallWords[strings.ToLower(part[words[end-1][0]:words[end-1][1]])] {
				end--
			}
			out = append(out, part[words[j][0]:words[end-1][1]])
			break
		}
		start = i + 1
	}
	return out
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
