package summarize

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/shelfai/shelf/lib/ask"
	"github.com/shelfai/shelf/lib/ground"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
)

// RepairMarker starts the built-in repair prompt; the test server knows a
// repair round by it.
const RepairMarker = "These are not in the text:"

// checked checks res against the whole text: its summary, and with
// checkTitle its title. With CheckRetry, an answer that claims what the
// text does not hold gets one repair round (unless it was streamed), and
// the answer with fewer such claims is kept, the first on a tie.
func (s *Summarizer) checked(ctx context.Context, res Result, whole *ground.Text, checkTitle bool, window int, mems []ask.Memory, jsonOut, streamed bool) (Result, error) {
	res.Checks = check(res, whole, checkTitle)
	if res.Checks.count() == 0 || s.check != CheckRetry || streamed {
		res.Warnings = res.Checks.warnings("")
		return res, nil
	}
	again, err := s.repair(ctx, res, window, mems, jsonOut)
	var cut *llm.TruncatedError
	switch {
	case ctx.Err() != nil || errors.As(err, &cut):
		return Result{}, err // done again, split smaller, or not at all
	case err != nil:
		res.Warnings = res.Checks.warnings(fmt.Sprintf(" (the repair round failed: %v)", err))
		return res, nil
	}
	again.Checks = check(again, whole, checkTitle)
	if again.Checks.count() < res.Checks.count() {
		res = again
	}
	res.Warnings = res.Checks.warnings(" after a repair round")
	return res, nil
}

// check lists what res claims that the text does not hold.
func check(res Result, whole *ground.Text, checkTitle bool) *Checks {
	c := &Checks{Summary: &Check{Unsupported: nonNil(whole.Unsupported(res.Summary, false))}}
	if checkTitle && res.Title != "" {
		c.Title = &Check{Unsupported: nonNil(whole.Unsupported(res.Title, true))}
	}
	return c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// count is how many claims the text does not hold.
func (c *Checks) count() int {
	n := len(c.Summary.Unsupported)
	if c.Title != nil {
		n += len(c.Title.Unsupported)
	}
	return n
}

// unsupported is every claim the text does not hold, each once.
func (c *Checks) unsupported() []string {
	out := append([]string(nil), c.Summary.Unsupported...)
	if c.Title != nil {
		for _, u := range c.Title.Unsupported {
			if !contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// warnings say, a line for the summary and one for the title, what they
// claim that the text does not hold; after says when (or why not after a
// repair round).
func (c *Checks) warnings(after string) []string {
	var out []string
	say := func(field string, ch *Check) {
		if ch == nil || len(ch.Unsupported) == 0 {
			return
		}
		q := make([]string, len(ch.Unsupported))
		for i, u := range ch.Unsupported {
			q[i] = fmt.Sprintf("%q", u)
		}
		out = append(out, fmt.Sprintf("the %s says what the text does not%s: %s (checks.%s.unsupported)", field, after, strings.Join(q, ", "), field))
	}
	say("summary", c.Summary)
	say("title", c.Title)
	return out
}

// repair asks the model once to write the answer of res again without the
// claims the text does not hold. The request carries the answer, not the
// text (which may not fit), so it fits any window the answer did.
func (s *Summarizer) repair(ctx context.Context, res Result, window int, mems []ask.Memory, jsonOut bool) (Result, error) {
	b, err := s.budgets(window, mems, jsonOut)
	if err != nil {
		return Result{}, err
	}
	p := s.ask.Prompt
	if !p.Has("repair") {
		if p, err = builtin(); err != nil {
			return Result{}, err
		}
	}
	d := data{Style: s.style, JSON: jsonOut, Summary: res.Summary, Unsupported: res.Checks.unsupported()}
	if res.Checks.Title != nil {
		d.Title = res.Title
	}
	user, err := p.Render("repair", d)
	if err != nil {
		return Result{}, err
	}
	// A repair answer that is no JSON is this answer's failure (the first
	// one is kept), not news of the server: the method of asking stays
	// as it is for the records after.
	req := llm.Request{Messages: []llm.Message{llm.System(b.system), llm.User(user)}, MaxTokens: b.reserve, KeepMethod: true}
	return s.answer(ctx, req, Result{Model: res.Model, Parts: res.Parts}, jsonOut, nil)
}

// builtin is the built-in prompt, whose repair template serves a prompt of
// the person's own that has none.
var builtin = sync.OnceValues(func() (*prompt.Prompt, error) {
	return prompt.Parse("summarize", "built-in", Prompt)
})
