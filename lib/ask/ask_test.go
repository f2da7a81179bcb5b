package ask

import (
	"fmt"
	"testing"
	"time"

	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
)

func TestText(t *testing.T) {
	tests := []struct {
		field, in, want string
		ok              bool
	}{
		{"", `{"text":"Ship it."}`, "Ship it.", true},
		{"", `{"text":"  keeps its spaces "}`, "  keeps its spaces ", true},
		{"note.body", `{"note":{"body":"deep"},"text":"not this"}`, "deep", true},
		{"", `{"body":"x"}`, "", false},
		{"", `{"text":" \n\t "}`, "", false},
		{"", `{"text":42}`, "", false},
		{"", `{"text":["a"]}`, "", false},
		{"", `{"text":null}`, "", false},
	}
	for _, tt := range tests {
		got, ok := Options{Field: tt.field}.withDefaults("test").Text(record.New([]byte(tt.in)))
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s at %q: %q, %v; want %q, %v", tt.in, tt.field, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMemories(t *testing.T) {
	rec := record.New([]byte(`{"context":[{"id":"1","title":"Roof","snippet":"Bob quoted 2,000.","score":0.9,"created":"2026-10-01"},{"snippet":"Call the insurer."}]}`))
	m, _ := Memories(rec)
	got := fmt.Sprint(m)
	if want := "[{Roof Bob quoted 2,000. 2026-10-01} { Call the insurer. }]"; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	if m, _ := Memories(record.New([]byte(`{"text":"x"}`))); m != nil {
		t.Errorf("no context: %v", m)
	}
	for _, tc := range []struct{ in, memories, problem string }{
		{`{"context":null}`, "[]", ""},
		{`{"context":[]}`, "[]", ""},
		{`{"context":"roof"}`, "[]", `the record's "context" is not a list of memories ("roof"); it is left out`},
		{`{"context":{"title":"Roof"}}`, "[]", `the record's "context" is not a list of memories ({"title":"Roof"}); it is left out`},
		{`{"context":[1,{"title":"Roof"},null]}`, "[{Roof  }]", `2 of the 3 entries of the record's "context" are not memories (objects); they are left out`},
	} {
		m, problem := Memories(record.New([]byte(tc.in)))
		if got := fmt.Sprint(m); got != tc.memories || problem != tc.problem {
			t.Errorf("%s: %s, %q; want %s, %q", tc.in, got, problem, tc.memories, tc.problem)
		}
	}
}

func TestSetProvenance(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	p := &prompt.Prompt{Hash: "0123456789ab"}
	a := New[Model]("test", nil, p, Options{Now: func() time.Time { return at }})
	prov := `{"tool":"test","model":"m-1","prompt":"` + p.Hash + `","at":"2026-11-26T09:00:00Z"}`
	tests := []struct {
		name, in string
		fields   []string
		want     string
		fails    bool
	}{
		{"each field", `{"text":"x"}`, []string{"summary", "title"},
			`{"text":"x","provenance":{"summary":` + prov + `,"title":` + prov + `}}`, false},
		{"others kept", `{"provenance":{"text":{"tool":"transcribe"}}}`, []string{"tasks"},
			`{"provenance":{"text":{"tool":"transcribe"},"tasks":` + prov + `}}`, false},
		// The contract's provenance is an object: one that is not is
		// replaced, and the record says what it was.
		{"not an object: replaced", `{"provenance":"mine"}`, []string{"tasks"},
			`{"provenance":{"tasks":` + prov + `},"errors":[{"tool":"test","message":"the record's \"provenance\" was not an object (\"mine\"); it is replaced by one"}]}`, false},
		{"an array: replaced", `{"text":"x","provenance":[1,2],"errors":[{"tool":"t0","message":"m"}]}`, []string{"summary", "title"},
			`{"text":"x","provenance":{"summary":` + prov + `,"title":` + prov + `},"errors":[{"tool":"t0","message":"m"},{"tool":"test","message":"the record's \"provenance\" was not an object ([1,2]); it is replaced by one"}]}`, false},
		{"null: none", `{"provenance":null}`, []string{"tasks"}, `{"provenance":{"tasks":` + prov + `}}`, false},
	}
	for _, tt := range tests {
		rec := record.New([]byte(tt.in))
		err := a.SetProvenance(rec, "m-1", tt.fields...)
		if string(rec.JSON) != tt.want || (err != nil) != tt.fails {
			t.Errorf("%s:\n got %s, %v\nwant %s", tt.name, rec.JSON, err, tt.want)
		}
	}
}
