package llm

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExtractJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", `{"a":1}`, `{"a":1}`},
		{"spaces", "\n  {\"a\": [1, 2]}  \n", `{"a":[1,2]}`},
		{"fence", "Here you go:\n```json\n{\"a\":\"x\"}\n```\nAnything else?", `{"a":"x"}`},
		{"bare fence", "```\n{\"a\":2}\n```", `{"a":2}`},
		{"chatter", `Sure! {"title": "T", "n": {"x": "}"}} Hope that helps.`, `{"n":{"x":"}"},"title":"T"}`},
		{"think", "<think>\nmaybe {\"no\": 1}\n</think>\n{\"yes\":1}", `{"yes":1}`},
		{"first of two", `{"a":1} and {"b":2}`, `{"a":1}`},
		{"brace in prose first", `I think {this} is it: {"a":1}`, `{"a":1}`},
	}
	for _, tt := range tests {
		v, err := extractJSON(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		got, _ := json.Marshal(v)
		if string(got) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
	for _, bad := range []string{"", "no json here", "[1,2]", `{"a":`, "```json\n[1]\n```"} {
		if v, err := extractJSON(bad); err == nil {
			t.Errorf("extractJSON(%q) = %v, want an error", bad, v)
		}
	}
}

func TestThinkFilter(t *testing.T) {
	for _, pieces := range [][]string{
		{"<th", "ink>rea", "soning</thi", "nk>\n", "Answer", " here"},
		{"Answer", " here"},
		{"  ", "Answer here"},
	} {
		f := &thinkFilter{}
		var out strings.Builder
		for _, p := range pieces {
			out.WriteString(f.feed(p))
		}
		if strings.TrimSpace(out.String()) != "Answer here" {
			t.Errorf("%q gave %q", pieces, out.String())
		}
	}
}

func TestSchema(t *testing.T) {
	s := &Schema{Type: "object", Order: []string{"title", "n", "tags", "prio"}, Optional: []string{"prio"}, Properties: map[string]*Schema{
		"title": {Type: "string", MaxLength: Int(5)},
		"n":     {Type: "integer", Minimum: new(float64)},
		"tags":  {Type: "array", MaxItems: Int(2), Items: &Schema{Type: "string"}},
		"prio":  {Type: "string", Enum: []string{"high", "low"}, Nullable: true},
	}}
	b, _ := json.Marshal(s)
	want := `{"additionalProperties":false,"properties":{"n":{"minimum":0,"type":"integer"},"prio":{"enum":["high","low"],"type":["string","null"]},"tags":{"items":{"type":"string"},"maxItems":2,"type":"array"},"title":{"maxLength":5,"type":"string"}},"required":["title","n","tags"],"type":"object"}`
	if string(b) != want {
		t.Errorf("schema JSON:\n got %s\nwant %s", b, want)
	}
	tests := []struct{ in, err string }{
		{`{"title":"abc","n":1,"tags":["a"]}`, ""},
		{`{"title":"abc","n":1,"tags":[],"prio":null}`, ""},
		{`{"title":"abc","n":1,"tags":[],"prio":"low"}`, ""},
		{`{"n":1,"tags":[]}`, `$: missing required property "title"`},
		{`{"title":"abcdef","n":1,"tags":[]}`, "$.title: longer than 5 characters"},
		{`{"title":"a","n":1.5,"tags":[]}`, "$.n: want an integer"},
		{`{"title":"a","n":-1,"tags":[]}`, "$.n: -1 is below 0"},
		{`{"title":"a","n":1,"tags":["a","b","c"]}`, "$.tags: 3 items, at most 2 allowed"},
		{`{"title":"a","n":1,"tags":[1]}`, "$.tags[0]: want a string"},
		{`{"title":"a","n":1,"tags":[],"prio":"urgent"}`, `$.prio: "urgent" is not one of high, low`},
		{`{"title":"a","n":1,"tags":[],"extra":true}`, `$: unexpected property "extra"`},
		{`{"title":null,"n":1,"tags":[]}`, "$.title: is null, want string"},
	}
	for _, tt := range tests {
		v, err := extractJSON(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Validate(v)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("Validate(%s) = %q, want %q", tt.in, got, tt.err)
		}
	}
}

// TestExtractHostile: an answer of nested openings that never close is
// rejected after a bounded number of tries, not in time quadratic in its
// length; an object after a little chatter is still found.
func TestExtractHostile(t *testing.T) {
	hostile := strings.Repeat(`{"a":[`, 256<<10/6)
	if _, err := extractJSON(hostile); err == nil {
		t.Fatal("an answer with no whole object gave one")
	}
	v, err := extractJSON(`Sure {not json} and {"also":` + "\n" + `{"name":"x"}`)
	if err != nil || v.(map[string]any)["name"] != "x" {
		t.Fatalf("%v %v", v, err)
	}
}
