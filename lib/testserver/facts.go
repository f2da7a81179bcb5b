package testserver

import (
	"encoding/json"
	"regexp"
	"strings"
)

// The "addsfacts" model adds to each summary and title a name and a sum
// the text does not have, as a small model makes them up; a repair prompt
// (one that says what is not in the text, with the summary in a
// <summary> block) it answers with the summary cleaned of them.
const (
	// AddedFact is what "addsfacts" adds to each summary.
	AddedFact = " with Priya, who paid $9,500."
	// AddedTitle is what "addsfacts" adds to each title.
	AddedTitle = " for Priya"
	// BadRepair is the answer of the "badrepair" model to a repair
	// prompt: prose, no JSON.
	BadRepair = "I am sorry, I cannot write that summary again."
	// repairMarker starts summarize's repair prompt.
	repairMarker = "These are not in the text:"
)

var summaryTag = regexp.MustCompile(`(?s)<summary>\n?(.*?)\n?</summary>`)

// addFacts makes content the answer of the "addsfacts" model to a request
// whose last user message is last: content with the facts added, or, for
// a repair prompt, the summary it quotes without them (in the schema's
// shape, when there is one).
func addFacts(content string, schema json.RawMessage, last string) string {
	if strings.Contains(last, repairMarker) {
		clean := ""
		if m := summaryTag.FindStringSubmatch(last); m != nil {
			clean = strings.TrimSpace(strings.ReplaceAll(m[1], AddedFact, ""))
		}
		if schema == nil {
			return clean
		}
		return string(fill(schema, clean, true))
	}
	var v map[string]any
	if json.Unmarshal([]byte(content), &v) != nil {
		if schema != nil {
			return content
		}
		return content + AddedFact
	}
	if s, ok := v["summary"].(string); ok {
		v["summary"] = s + AddedFact
	}
	if s, ok := v["title"].(string); ok {
		v["title"] = s + AddedTitle
	}
	b, _ := json.Marshal(v)
	return string(b)
}
