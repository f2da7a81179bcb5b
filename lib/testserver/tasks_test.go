package testserver

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBadTasks(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"tasks":{"type":"array","items":{"type":"object","properties":{"title":{"type":"string"},"quote":{"type":"string"},"when":{"type":"string"},"due":{"type":"string"}}}}}}`)
	text := "Call the dentist tomorrow. Please clean the gutters on the north side before the rain starts next week!\nok"
	prompt := "Today is Thursday, 2026-11-26, the time is 09:00.\n<text>\n" + text + "\n</text>"
	type task struct{ Title, Quote, When, Due string }
	answer := func(fault string) []task {
		t.Helper()
		var a struct{ Tasks []task }
		out := badTasks(map[string]string{fault: "1"}, schema, text, prompt)
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("%s: %v: %s", fault, err, out)
		}
		return a.Tasks
	}

	honest := []task{
		{"Call the dentist tomorrow", "Call the dentist tomorrow", "tomorrow", ""},
		{"Please clean the gutters on", "Please clean the gutters on the north side before the rain starts", "next week", ""},
	}
	got := answer("invent")
	if len(got) != 3 || got[0] != honest[0] || got[1] != honest[1] {
		t.Errorf("invent: %+v", got)
	} else if inv := got[2]; strings.Contains(text, "deposit") || inv.Quote != "wire the deposit to the landlord before the weekend" || inv.When != "before the weekend" {
		t.Errorf("invent: the invented task %+v", inv)
	}

	got = answer("paraphrase")
	if len(got) != 2 || got[0] != honest[0] {
		t.Errorf("paraphrase: a quote under five words is left as it is: %+v", got)
	} else if want := "Please clean the gutters on the soonish side properly the rain starts"; got[1].Quote != want {
		t.Errorf("paraphrase: quote %q, want %q (two words of twelve changed)", got[1].Quote, want)
	}

	got = answer("baddates")
	if len(got) != 2 || got[0].When != "tomorrow" || got[0].Due != "2026-12-04" || got[1].When != "next week" || got[1].Due != "2026-12-04" {
		t.Errorf("baddates: %+v", got)
	}

	// Other models, and requests that are not for tasks with quotes, are
	// answered as usual.
	if out := badTasks(map[string]string{"fence": "1"}, schema, text, prompt); out != "" {
		t.Errorf("no fault of these: %s", out)
	}
	summary := json.RawMessage(`{"type":"object","properties":{"summary":{"type":"string"}}}`)
	if out := badTasks(map[string]string{"invent": "1"}, summary, text, prompt); out != "" {
		t.Errorf("a summary request: %s", out)
	}
	if out := badTasks(map[string]string{"invent": "1"}, nil, text, prompt); out != "" {
		t.Errorf("a plain request: %s", out)
	}
}

// The default model's tasks are the clauses of the text that ask for
// something, quoted as they are in it; a text that asks for nothing gets
// fill's answer.
func TestAskedTasks(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"tasks":{"type":"array","maxItems":30,"items":{"type":"object","properties":{"title":{"type":"string"},"quote":{"type":"string"},"when":{"type":"string"},"due":{"type":"string"},"priority":{"type":"string","enum":["high","medium","low","none"]},"project":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"for":{"type":"string"}}}}}}`)
	type task struct {
		Title, Quote, When, Due, Priority, Project, For string
		Tags                                            []string
	}
	tests := []struct {
		text string
		want []task
	}{
		{"Okay, quick memo after the call with Dana. They can do it, but only if we send the final files by\nFriday the twelfth. So I need to remind him tomorrow morning and book the studio for Thursday.",
			[]task{
				{"Send the final files", "send the final files by\nFriday the twelfth", "by\nFriday", "", "high", "", "", []string{}},
				{"Remind him", "remind him tomorrow morning", "tomorrow", "", "high", "", "", []string{}},
				{"Book the studio", "book the studio for Thursday", "Thursday", "", "high", "", "", []string{}},
			}},
		{"Call the dentist tomorrow", []task{{"Call the dentist", "Call the dentist tomorrow", "tomorrow", "", "high", "", "", []string{}}}},
		{"Please ask Sam whether we can move the launch event to the end of April if the catalogue slips badly again",
			[]task{{"Ask Sam whether we can", "ask Sam whether we can move the launch event to the end of April if", "", "", "high", "", "", []string{}}}},
	}
	for _, tt := range tests {
		var a struct{ Tasks []task }
		out := askedTasks(schema, tt.text)
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("%q: %v: %s", tt.text, err, out)
		}
		if len(a.Tasks) != len(tt.want) {
			t.Errorf("%q: %+v, want %+v", tt.text, a.Tasks, tt.want)
			continue
		}
		for i := range tt.want {
			if g, w := a.Tasks[i], tt.want[i]; g.Title != w.Title || g.Quote != w.Quote || g.When != w.When || g.Due != w.Due || g.Priority != w.Priority || g.Project != w.Project || g.For != w.For || len(g.Tags) != 0 {
				t.Errorf("%q: task %d %+v, want %+v", tt.text, i+1, g, w)
			}
			if !strings.Contains(tt.text, a.Tasks[i].Quote) {
				t.Errorf("%q: quote %q is not in the text", tt.text, a.Tasks[i].Quote)
			}
		}
	}
	// Nothing asked for, or not a request for tasks with quotes: fill's
	// answer stands.
	for _, text := range []string{"Hello there world", "After the call with Dana, the print shop quoted.", "Call notes, Tuesday.", ""} {
		if out := askedTasks(schema, text); out != "" {
			t.Errorf("%q: %s", text, out)
		}
	}
	if out := askedTasks(json.RawMessage(`{"type":"object","properties":{"summary":{"type":"string"}}}`), "Call the dentist"); out != "" {
		t.Errorf("a summary request: %s", out)
	}
}
