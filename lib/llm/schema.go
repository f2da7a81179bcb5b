package llm

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Schema is the subset of JSON Schema that shelf asks models for. It
// marshals to JSON Schema and validates decoded answers.
type Schema struct {
	Type        string             `json:"-"` // object, array, string, integer, number, boolean
	Nullable    bool               `json:"-"`
	Description string             `json:"description,omitempty"`
	Properties  map[string]*Schema `json:"properties,omitempty"`
	Order       []string           `json:"-"` // property order for "required" and messages
	Optional    []string           `json:"-"` // properties that may be left out
	Items       *Schema            `json:"items,omitempty"`
	Enum        []string           `json:"enum,omitempty"`
	MinLength   *int               `json:"minLength,omitempty"`
	MaxLength   *int               `json:"maxLength,omitempty"`
	MaxItems    *int               `json:"maxItems,omitempty"`
	Minimum     *float64           `json:"minimum,omitempty"`
	Maximum     *float64           `json:"maximum,omitempty"`
}

// Int returns a pointer, for the size fields of Schema.
func Int(n int) *int { return &n }

// MarshalJSON writes the schema as JSON Schema.
func (s *Schema) MarshalJSON() ([]byte, error) {
	type plain Schema
	out := map[string]any{}
	b, err := json.Marshal((*plain)(s))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	if s.Type != "" {
		if s.Nullable {
			out["type"] = []string{s.Type, "null"}
		} else {
			out["type"] = s.Type
		}
	}
	if s.Type == "object" {
		out["additionalProperties"] = false
		var req []string
		for _, k := range s.keys() {
			if !slices.Contains(s.Optional, k) {
				req = append(req, k)
			}
		}
		if len(req) > 0 {
			out["required"] = req
		}
	}
	return json.Marshal(out)
}

func (s *Schema) keys() []string {
	keys := slices.Clone(s.Order)
	var rest []string
	for k := range s.Properties {
		if !slices.Contains(keys, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

// Validate checks a decoded JSON value (numbers as json.Number or float64)
// against the schema and returns the first violation, naming its path.
func (s *Schema) Validate(v any) error { return s.validate("$", v) }

// validateLoose validates v as Validate does, except that it ignores
// top-level keys the schema does not have (a server that did not enforce
// the schema may add a title or a summary of its own): it returns v
// without them and their names. What is kept is checked strictly.
func (s *Schema) validateLoose(v any) (any, []string, error) {
	m, ok := v.(map[string]any)
	if !ok || s.Type != "object" {
		return v, nil, s.Validate(v)
	}
	var dropped []string
	kept := make(map[string]any, len(m))
	for k, val := range m {
		if _, known := s.Properties[k]; known {
			kept[k] = val
		} else {
			dropped = append(dropped, k)
		}
	}
	slices.Sort(dropped)
	if err := s.Validate(kept); err != nil {
		return v, nil, err
	}
	return kept, dropped, nil
}

func (s *Schema) validate(path string, v any) error {
	if v == nil {
		if s.Nullable || s.Type == "" {
			return nil
		}
		return fmt.Errorf("%s: is null, want %s", path, s.Type)
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object", path)
		}
		for _, k := range s.keys() {
			val, ok := m[k]
			if !ok {
				if slices.Contains(s.Optional, k) {
					continue
				}
				return fmt.Errorf("%s: missing required property %q", path, k)
			}
			if err := s.Properties[k].validate(path+"."+k, val); err != nil {
				return err
			}
		}
		for k := range m {
			if _, ok := s.Properties[k]; !ok {
				return fmt.Errorf("%s: unexpected property %q", path, k)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array", path)
		}
		if s.MaxItems != nil && len(a) > *s.MaxItems {
			return fmt.Errorf("%s: %d items, at most %d allowed", path, len(a), *s.MaxItems)
		}
		if s.Items != nil {
			for i, e := range a {
				if err := s.Items.validate(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
					return err
				}
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string", path)
		}
		n := utf8.RuneCountInString(str)
		if s.MinLength != nil && n < *s.MinLength {
			return fmt.Errorf("%s: shorter than %d characters", path, *s.MinLength)
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			return fmt.Errorf("%s: longer than %d characters", path, *s.MaxLength)
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			return fmt.Errorf("%s: %q is not one of %s", path, str, strings.Join(s.Enum, ", "))
		}
	case "integer", "number":
		var f float64
		switch n := v.(type) {
		case json.Number:
			var err error
			if f, err = n.Float64(); err != nil {
				return fmt.Errorf("%s: want a number", path)
			}
		case float64:
			f = n
		default:
			return fmt.Errorf("%s: want a number", path)
		}
		if s.Type == "integer" && f != math.Trunc(f) {
			return fmt.Errorf("%s: want an integer", path)
		}
		if s.Minimum != nil && f < *s.Minimum {
			return fmt.Errorf("%s: %v is below %v", path, f, *s.Minimum)
		}
		if s.Maximum != nil && f > *s.Maximum {
			return fmt.Errorf("%s: %v is above %v", path, f, *s.Maximum)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want true or false", path)
		}
	}
	return nil
}
