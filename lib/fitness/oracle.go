package fitness

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// An Oracle answers the tools' requests from the truth, as a perfect model
// would ("truth"), or as a bad one that drops, misdates, invents and
// misfiles ("bad"): the test server's fitness modes. Its answers are
// deterministic, so a test can say what they score.
//
// The bad mode, for each memo: the summary keeps every fact but the first
// and adds "It was paid by Zebulon, 99999 euros." (two invented claims); of the
// tasks of each memo the text holds, the last is left out, and the first
// of the rest that has a due date is due a day late (without the words
// that give it, so a tool that takes dates from those words drops it);
// one task nobody asked for ("Buy a new espresso machine") is added; the
// note goes to the folder after the right one (in sorted order, inbox
// included); and the tasks answers about memo BadSchemaMemo never match
// the schema.
//
// It transcribes too (Transcript): the audio of a memo, named after it,
// is its text in the truth mode; the bad mode writes it as a recognizer
// without punctuation would, in lower case, and mishears MisheardWords
// words: the first is heard as "zebulon", the last not at all.
type Oracle struct {
	fx *Fixtures
}

// BadSchemaMemo is the memo whose tasks the bad mode answers with JSON
// that does not match the schema, even when asked to repair it.
const BadSchemaMemo = "m03"

// InventedTask is the task the bad mode adds to every memo.
const InventedTask = "Buy a new espresso machine"

// InventedClaim is the sentence the bad mode adds to every summary.
const InventedClaim = "It was paid by Zebulon, 99999 euros."

// NewOracle returns an oracle over the fixtures.
func NewOracle(fx *Fixtures) *Oracle { return &Oracle{fx: fx} }

var titleLine = regexp.MustCompile(`(?m)^Title: (.*)$`)

// Answer answers a chat request in mode ("truth" or "bad"): schema is the
// request's JSON schema (nil for plain text), users what the user said,
// subject the text asked about. ok is false when the oracle does not know
// the memo.
func (o *Oracle) Answer(mode string, schema json.RawMessage, users, subject string) (answer string, ok bool) {
	bad := mode == "bad"
	subject = strings.TrimSpace(subject)
	var props struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if schema != nil {
		json.Unmarshal(schema, &props)
	}
	_, isSummary := props.Properties["summary"]
	_, isTasks := props.Properties["tasks"]
	_, isFolder := props.Properties["folder"]
	switch {
	case isFolder:
		m := titleLine.FindStringSubmatch(users)
		if m == nil {
			return "", false
		}
		for _, memo := range o.fx.Memos {
			if memo.Title == strings.TrimSpace(m[1]) {
				folder := memo.Folder
				if bad {
					folder = o.nextFolder(folder)
				}
				return marshal(map[string]string{"folder": folder}), true
			}
		}
		return "", false
	case isSummary:
		memo := o.exact(subject)
		if memo == nil {
			memo = o.fromNotes(subject)
		}

		if memo == nil {
			return "", false
		}
		return marshal(map[string]any{"title": memo.Title, "summary": o.summary(memo, bad), "tags": []string{memo.Folder}}), true
	case isTasks:
		var item struct {
			Properties struct {
				Tasks struct {
					Items struct {
						Properties map[string]json.RawMessage `json:"properties"`
					} `json:"items"`
				} `json:"tasks"`
			} `json:"properties"`
		}
		json.Unmarshal(schema, &item)
		// Only the keys the tool asks for: one that checks its quotes
		// gets them.
		keys := item.Properties.Tasks.Items.Properties
		only := func(t map[string]any) map[string]any {
			for k := range t {
				if _, ok := keys[k]; !ok {
					delete(t, k)
				}
			}
			return t
		}
		if bad && o.exact(subject) != nil && o.exact(subject).ID == BadSchemaMemo {
			return `{"tasks": "none"}`, true
		}
		parts := o.contained(subject)
		if len(parts) == 0 {
			return "", false
		}
		tasks := []map[string]any{}
		for _, p := range parts {
			ts := p.Tasks
			if bad && len(ts) > 0 {
				ts = ts[:len(ts)-1]
			}
			late := bad
			for _, t := range ts {
				d, when := t.Due, t.When
				if late && d != "" {
					d, when, late = lateBy(d), "", false
				}
				tasks = append(tasks, only(map[string]any{"title": t.Title, "due": d, "priority": "none", "project": "",
					"tags": []string{}, "for": t.For, "quote": t.Quote, "when": when}))
			}
		}
		if bad {
			tasks = append(tasks, only(map[string]any{"title": InventedTask, "due": "", "priority": "none", "project": "",
				"tags": []string{}, "for": "", "quote": "we need a new espresso machine", "when": ""}))
		}
		return marshal(map[string]any{"tasks": tasks}), true
	case schema == nil:
		// Notes of a part of a long text: the summaries of the memos
		// it holds.
		if memo := o.exact(subject); memo != nil {
			return o.summary(memo, bad), true
		}
		parts := o.contained(subject)
		if len(parts) == 0 {
			return "", false
		}
		var notes []string
		for _, p := range parts {
			notes = append(notes, TruthSummary(p))
		}
		return strings.Join(notes, "\n"), true
	}
	return "", false
}

// TruthSummary is the summary the truth mode gives a memo: the first
// alternative of each of its facts.
func TruthSummary(m *Memo) string {
	var facts []string
	for _, f := range m.Facts {
		a, _, _ := strings.Cut(f, "|")
		facts = append(facts, strings.TrimSpace(a))
	}
	return strings.Join(facts, ", ") + "."
}

func (o *Oracle) summary(m *Memo, bad bool) string {
	if !bad {
		return TruthSummary(m)
	}
	c := *m
	if len(c.Facts) > 0 {
		c.Facts = c.Facts[1:]
	}
	return TruthSummary(&c) + " " + InventedClaim
}

// exact is the memo whose text the subject is.
func (o *Oracle) exact(subject string) *Memo {
	for _, m := range o.fx.Memos {
		if m.Text == subject {
			return m
		}
	}
	return nil
}

// contained are the memos the subject is, or else the short memos whose
// texts it holds (a part of a long memo), each once.
func (o *Oracle) contained(subject string) []*Memo {
	if m := o.exact(subject); m != nil {
		return []*Memo{m}
	}
	var out []*Memo
	for _, m := range o.fx.Stored() {
		if strings.Contains(subject, m.Text) {
			out = append(out, m)
		}
	}
	return out
}

// fromNotes is what the notes of a long memo's parts say: the long
// memos cannot be told apart by their notes, so it is the first long memo
// all of whose facts the notes keep, with the facts of every such memo.
func (o *Oracle) fromNotes(subject string) *Memo {
	var out *Memo
	for _, m := range o.fx.Memos {
		if m.Kind != "long" {
			continue
		}
		all := true
		for _, f := range m.Facts {
			if !FactKept(f, subject) {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		if out == nil {
			c := *m
			c.Facts = nil
			out = &c
		}
		for _, f := range m.Facts {
			if !slices.Contains(out.Facts, f) {
				out.Facts = append(out.Facts, f)
			}
		}
	}
	return out
}

// nextFolder is the folder after f among the vault's (inbox included),
// sorted, wrapping round.
func (o *Oracle) nextFolder(f string) string {
	all := append(o.fx.sortedFolders(), "inbox")
	slices.Sort(all)
	i := slices.Index(all, f)
	return all[(i+1)%len(all)]
}

// lateBy is a due date a day late.
func lateBy(due string) string {
	layout := time.DateOnly
	if len(due) > 10 {
		layout = "2006-01-02T15:04"
	}
	t, err := time.Parse(layout, due)
	if err != nil {
		return due
	}
	return t.AddDate(0, 0, 1).Format(layout)
}

func marshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// MisheardWords is how many words of each memo the bad mode's transcript
// gets wrong.
const MisheardWords = 2

var sentences = regexp.MustCompile(`[.,!?;:]+(\s|$)`)

// Transcript is the transcript of an audio file in mode ("truth" or
// "bad"): the file is a memo's when its name, less the extension, is the
// memo's id ("m01.wav"). ok is false for any other file. The bad mode's
// first and last words are the first and last of letters only.
func (o *Oracle) Transcript(mode, file string) (text string, ok bool) {
	m := o.fx.Memo(strings.TrimSuffix(file, filepath.Ext(file)))
	if m == nil || file == "" {
		return "", false
	}
	if mode != "bad" {
		return m.Text, true
	}
	words := strings.Fields(sentences.ReplaceAllString(strings.ToLower(m.Text), "$1"))
	first, last := -1, -1
	for i, w := range words {
		if strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || first == last {
		return "zebulon", true
	}
	words[first] = "zebulon"
	return strings.Join(slices.Delete(words, last, last+1), " "), true
}
