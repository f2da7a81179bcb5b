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
