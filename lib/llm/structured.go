package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// The rungs of the structured-output ladder, from the strongest guarantee
// down: a JSON schema the server enforces, JSON mode with the schema in the
// prompt, and the schema in the prompt alone.
const (
	rungSchema = iota
	rungObject
	rungPrompt
)

var rungNames = []string{"json_schema", "json_object", "schema in the prompt"}

// Rung names the structured-output method the client uses now.
func (c *Client) Rung() string { return rungNames[c.rung.Load()] }

// Structured asks for an answer that matches schema and decodes it into
// out. It climbs down the ladder when the server refuses or ignores a
// response_format (and remembers that for the rest of the run; the answer
// to a request with KeepMethod is taken for the model's, not the server's),
// extracts the JSON from fences and chatter, validates it, and gives the
// model one round to repair an invalid answer. It never guesses: an answer
// that stays invalid is an error.
func (c *Client) Structured(ctx context.Context, req Request, name string, schema *Schema, out any) error {
	base, err := c.chatRequest(ctx, req)
	if err != nil {
		return err
	}
	schemaJSON, err := json.Marshal(schema)
	if err != nil {
		return err
	}
	for {
		rung := int(c.rung.Load())
		oreq := withFormat(base, rung, name, schema, schemaJSON)
		key := c.cacheKey(oreq)
		answer, cached := c.cache.get(key)
		if cached {
			// Only answers that passed validation are cached; check again
			// all the same, as the schema may have changed.
			if v, err := extractJSON(answer); err == nil {
				if v, _, err = schema.validateLoose(v); err == nil {
					return decodeInto(c.maskValue(v), out)
				}
			}
		}
		answer, err := c.complete(ctx, oreq)
		if err != nil {
			if rung < rungPrompt && refusedFormat(err) {
				c.stepDown(rung, err.Error())
				continue
			}
			return err
		}
		v, perr := extractJSON(answer)
		if perr != nil && rung < rungPrompt && !req.KeepMethod {
			// The server ignored response_format: ask with the schema in
			// the prompt.
			c.stepDown(rung, "the answer was not JSON")
			continue
		}
		verr := perr
		if verr == nil {
			var extra []string
			if v, extra, verr = schema.validateLoose(v); verr == nil && len(extra) > 0 && rung == rungSchema && !req.KeepMethod {
				// Keys the schema does not have: the server did not
				// enforce it. Put the schema in the prompt from now on.
				c.stepDown(rung, "the answer had keys the schema does not: "+strings.Join(extra, ", "))
			}
		}
		if verr == nil {
			// JSON can spell a secret with escapes: mask the decoded
			// strings, and cache them as they are used.
			v = c.maskValue(v)
			c.cache.put(key, string(reencode(v)))
			return decodeInto(v, out)
		}
		// One repair round.
		repair := oreq
		repair.Messages = append(append([]openai.ChatCompletionMessage{}, oreq.Messages...),
			openai.ChatCompletionMessage{Role: "assistant", Content: answer},
			openai.ChatCompletionMessage{Role: "user", Content: fmt.Sprintf(
				"That answer is not valid: %s. Reply with only the corrected JSON object, matching this JSON Schema:\n```json\n%s\n```", verr, schemaJSON)})
		answer2, err := c.complete(ctx, repair)
		if err != nil {
			return err
		}
		v2, perr2 := extractJSON(answer2)
		verr2 := perr2
		if verr2 == nil {
			v2, _, verr2 = schema.validateLoose(v2)
		}
		if verr2 == nil {
			// The repaired answer is what this request's answer should
			// have been: cache it under the request.
			v2 = c.maskValue(v2)
			c.cache.put(key, string(reencode(v2)))
			return decodeInto(v2, out)
		}
		return failKind(codeFail, BadAnswer, "chat", c.cfg.BaseURL,
			fmt.Sprintf("the model's answer does not match the %s schema, even after a repair round: %v", name, verr2))
	}
}

func (c *Client) stepDown(from int, why string) {
	if c.rung.CompareAndSwap(int32(from), int32(from+1)) && c.cfg.OnFallback != nil {
		c.cfg.OnFallback(rungNames[from], rungNames[from+1], why)
	}
}

func withFormat(base openai.ChatCompletionRequest, rung int, name string, schema *Schema, schemaJSON []byte) openai.ChatCompletionRequest {
	req := base
	req.Messages = append([]openai.ChatCompletionMessage{}, base.Messages...)
	switch rung {
	case rungSchema:
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type:       openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: name, Schema: schema, Strict: true},
		}
		return req
	case rungObject:
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
	// The schema follows the last user message (after the text): the
	// system message stays as the tool wrote it, the same in requests of
	// any schema and in plain ones, so a server's prompt cache can reuse
	// it and the text after it.
	instr := fmt.Sprintf("Answer with only a JSON object and no other text. It must match this JSON Schema:\n```json\n%s\n```", schemaJSON)
	if n := len(req.Messages); n > 0 && req.Messages[n-1].Role == "user" {
		req.Messages[n-1].Content += "\n\n" + instr
	} else {
		req.Messages = append(req.Messages, openai.ChatCompletionMessage{Role: "user", Content: instr})
	}
	return req
}

// refusedFormat reports whether the server refused the request because of
// its response_format.
func refusedFormat(err error) bool {
	switch StatusCode(err) {
	case 400, 422, 501:
	default:
		return false
	}
	var se *serverError
	msg := strings.ToLower(err.Error())
	if errors.As(err, &se) {
		msg = strings.ToLower(se.raw)
	}
	for _, w := range []string{"response_format", "json_schema", "json_object", "schema", "grammar", "format"} {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

func decodeInto(v any, out any) error {
	if err := json.Unmarshal(reencode(v), out); err != nil {
		return fmt.Errorf("decode the model's answer: %w", err)
	}
	return nil
}
