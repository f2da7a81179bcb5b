package fitness

import "testing"

// A server's usage figures are believed only when they are whole numbers
// from 0 to MaxUsageTokens: negative ones, absurd ones and ones that
// would overflow a sum are left out of the counts, and counted as left
// out, so that the check can say so.
func TestAnswerUsage(t *testing.T) {
	for _, c := range []struct {
		name               string
		body               string
		prompt, completion int
		status             usageStatus
	}{
		{"plain", `{"usage":{"prompt_tokens":10,"completion_tokens":5}}`, 10, 5, usageGiven},
		{"none", `{"choices":[]}`, 0, 0, usageNone},
		{"zeros", `{"usage":{"prompt_tokens":0,"completion_tokens":0}}`, 0, 0, usageNone},
		{"stream", "data: {\"choices\":[]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\ndata: [DONE]\n", 7, 3, usageGiven},
		{"negative", `{"usage":{"prompt_tokens":-1000000000000000,"completion_tokens":5}}`, 0, 0, usageIgnored},
		{"exponent", `{"usage":{"prompt_tokens":-1e15,"completion_tokens":5}}`, 0, 0, usageIgnored},
		{"overflowing", `{"usage":{"prompt_tokens":4611686018427387904,"completion_tokens":4611686018427387904}}`, 0, 0, usageIgnored},
		{"absurd", `{"usage":{"prompt_tokens":10,"completion_tokens":2000000000}}`, 0, 0, usageIgnored},
		{"fraction", `{"usage":{"prompt_tokens":10.5,"completion_tokens":1}}`, 0, 0, usageIgnored},
		{"stream negative", "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":-7,\"completion_tokens\":3}}\n\ndata: [DONE]\n", 0, 0, usageIgnored},
	} {
		p, cpl, st := answerUsage([]byte(c.body))
		if p != c.prompt || cpl != c.completion || st != c.status {
			t.Errorf("%s: %d, %d, %v; want %d, %d, %v", c.name, p, cpl, st, c.prompt, c.completion, c.status)
		}
	}
}
