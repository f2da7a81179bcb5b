package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync"
)

// stripThink removes the <think>...</think> block that reasoning models
// without a reasoning parser put before their answer.
func stripThink(s string) string {
	t := strings.TrimLeft(s, " \t\r\n")
	if !strings.HasPrefix(t, "<think>") {
		return s
	}
	if i := strings.Index(t, "</think>"); i >= 0 {
		return strings.TrimLeft(t[i+len("</think>"):], " \t\r\n")
	}
	return s
}

// thinkFilter strips a leading <think> block from a stream.
type thinkFilter struct {
	buf     strings.Builder
	decided bool
	inside  bool
}

func (f *thinkFilter) feed(s string) string {
	if f.decided && !f.inside {
		return s
	}
	f.buf.WriteString(s)
	all := f.buf.String()
	if !f.decided {
		t := strings.TrimLeft(all, " \t\r\n")
		if len(t) < len("<think>") && strings.HasPrefix("<think>", t) {
			return "" // not yet known
		}
		f.decided = true
		if !strings.HasPrefix(t, "<think>") {
			f.buf.Reset()
			return all
		}
		f.inside = true
	}
	if i := strings.Index(all, "</think>"); i >= 0 {
		f.inside = false
		f.buf.Reset()
		return strings.TrimLeft(all[i+len("</think>"):], " \t\r\n")
	}
	return ""
}

var fence = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("(?s)```[a-zA-Z]*\\s*\\n(.*?)```") })

// maxObjectStarts is how many "{" of an answer's chatter extractJSON tries
// as the start of its object.
const maxObjectStarts = 32

// extractJSON finds the JSON object in a model's answer: the answer itself,
// the content of a code fence, or the first object in surrounding chatter.
func extractJSON(answer string) (any, error) {
	s := strings.TrimSpace(stripThink(answer))
	if v, err := decodeObject(s); err == nil {
		return v, nil
	}
	for _, m := range fence().FindAllStringSubmatch(s, -1) {
		if v, err := decodeObject(strings.TrimSpace(m[1])); err == nil {
			return v, nil
		}
	}
	// An object in chatter starts at one of the first few "{": trying
	// every one of them would take time quadratic in a hostile answer's
	// length ({"a":[ repeated).
	tries := 0
	for i := 0; i < len(s) && tries < maxObjectStarts; i++ {
		if s[i] != '{' {
			continue
		}
		tries++
		dec := json.NewDecoder(strings.NewReader(s[i:]))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err == nil {
			if _, ok := v.(map[string]any); ok {
				return v, nil
			}
		}
	}
	return nil, errors.New("the answer holds no JSON object")
}

func decodeObject(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("not an object")
	}
	if dec.More() {
		return nil, errors.New("text after the object")
	}
	return v, nil
}

// reencode turns a decoded value back into JSON for json.Unmarshal.
func reencode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return b.Bytes()
}
