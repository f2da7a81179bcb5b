package testserver

import (
	"hash/fnv"
	"sync"
)

// The server counts what a prompt cache could reuse, as Ollama and
// llama.cpp's server do: each chat request it answers is rendered as a
// chat template would render it (per message a start marker, the role, a
// separator, the content's tokens and an end marker: framing tokens and
// then Tokens of the content, as usage.prompt_tokens counts them), and
// the tokens it shares from its start with the longest-matching earlier
// request are reused; the rest must be evaluated. Every earlier request is
// kept, as a cache with a slot for each would keep them. A request cut to
// the window counts as the server took it.

// CacheStats is what the server's prompt cache could have reused of the
// chat requests answered so far.
type CacheStats struct {
	Requests int // chat requests answered
	Prompt   int // tokens of their prompts
	Reused   int // tokens each shares with the longest-matching earlier one
}

// Evaluated is the tokens the server would have had to evaluate.
func (c CacheStats) Evaluated() int { return c.Prompt - c.Reused }

// promptCache holds the token sequences of the prompts answered so far.
type promptCache struct {
	mu      sync.Mutex
	prompts [][]uint64
	stats   CacheStats
}

// PromptCache returns the counts of the server's prompt cache.
func (s *Server) PromptCache() CacheStats {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	return s.cache.stats
}

// renderTokens is the prompt of msgs as a chat template renders it, a
// hash a token.
func renderTokens(msgs []chatMessage) []uint64 {
	var out []uint64
	hash := func(s string) uint64 {
		h := fnv.New64a()
		h.Write([]byte(s))
		return h.Sum64()
	}
	for _, m := range msgs {
		out = append(out, hash("<|start|>"), hash(m.Role), hash("<|message|>"))
		for _, sp := range tokenRE.FindAllStringIndex(m.Content, -1) {
			out = append(out, hash(m.Content[sp[0]:sp[1]]))
		}
		out = append(out, hash("<|end|>"))
	}
	return out
}

// see counts a prompt the server answers, and returns how many of its
// tokens the cache could reuse.
func (c *promptCache) see(msgs []chatMessage) (prompt, reused int) {
	toks := renderTokens(msgs)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.prompts {
		n := 0
		for n < len(p) && n < len(toks) && p[n] == toks[n] {
			n++
		}
		reused = max(reused, n)
	}
	if reused == len(toks) && reused > 0 {
		// A server evaluates at least the last token of a prompt it has
		// seen whole, to have something to generate from.
		reused--
	}
	c.prompts = append(c.prompts, toks)
	c.stats.Requests++
	c.stats.Prompt += len(toks)
	c.stats.Reused += reused
	return len(toks), reused
}
