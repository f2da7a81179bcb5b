package ask

import (
	"context"
	"errors"
	"fmt"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/sysexits"
)

// framing is what roles and message boundaries add to a request.
const framing = 16

// minText is the least text a request must have room for.
const minText = 64

// Budget is what a context window leaves for the text of each request.
type Budget struct {
	Window  int
	Reserve int      // tokens kept for the answer (the request's MaxTokens)
	Context []Memory // the related memories the prompt carries: the first of those given
	// Shared, for a prompt of the shared layout (see package prompt), is
	// what its shared part takes (the system message, the text block
	// without the text) and the room it leaves after the text for what a
	// tool asks: as much as the answer's Reserve. A request whose prompt
	// takes less is planned as if it took this, so that every tool cuts a
	// text into the same parts; 0 for another layout.
	Shared int
}

// Text returns how many tokens of text a request can carry whose prompt,
// without the text, takes cost tokens.
func (b Budget) Text(cost int) int { return b.Window - b.Reserve - max(cost, b.Shared) - framing }

// Own is Text for a request that carries no text another tool sends too
// (the notes of summarize's parts): its own cost alone.
func (b Budget) Own(cost int) int { return b.Window - b.Reserve - cost - framing }

// NoRoomError is a context window too small for the prompt: a request
// would have no room for text.
type NoRoomError struct {
	Window  int
	Setting bool  // the window is the person's setting (ContextLength)
	Err     error // says so, with the exit status
}

func (e *NoRoomError) Error() string { return e.Err.Error() }
func (e *NoRoomError) Unwrap() error { return e.Err }

// Fit returns the budget of a window of that many tokens for requests
// whose prompt, without the text, takes cost tokens with the memories
// given (the costliest request's, when a tool makes more than one kind).
// Memories are dropped from the end while they crowd the text out (leave
// it less than an eighth of the window); cost is called last with those
// the budget keeps.
//
// A window that leaves no room for text is a *NoRoomError, which says
// whose window it was; what to do about it is the tool's to say. When the
// window is the person's ContextLength, it is their setting that is wrong
// (Setting, with BadSetting's error: exit 64 for a flag); when it came
// from the server (or is the default, or was lowered by a cut), nothing
// the person typed is wrong: the record fails (exit 1), as it does when
// the server cuts a text that cannot be split smaller.
func (o Options) Fit(window int, mems []Memory, cost func(mems []Memory) (int, error)) (Budget, error) {
	return o.FitShared(window, mems, nil, cost)
}

// FitShared is Fit for a prompt of the shared layout, whose shared part
// (the system message and the text block without the text) takes
// shared(mems) tokens with the memories given. The budget depends on the
// window and the shared part alone, the same for every tool, as long as
// what a tool asks after the text takes no more than the answer's reserve:
// so every tool of the pipeline cuts a text into the same parts (with the
// same memories), whose prefix a server's prompt cache reuses. A tool that
// asks more plans with its own cost, in smaller parts; so does every tool
// in a window so small that the room kept after the text would leave none
// for text. With shared nil it is Fit.
func (o Options) FitShared(window int, mems []Memory, shared, cost func(mems []Memory) (int, error)) (Budget, error) {
	b := Budget{Window: window, Reserve: min(1024, window/4)}
	// try plans with the first k memories: the room left for text.
	try := func(k int) (Budget, int, int, error) {
		nb := b
		c, err := cost(mems[:k])
		if err != nil {
			return nb, 0, 0, err
		}
		if shared != nil {
			s, err := shared(mems[:k])
			if err != nil {
				return nb, 0, 0, err
			}
			nb.Shared = s + nb.Reserve
		}
		nb.Context = mems[:k]
		return nb, nb.Text(c), c, nil
	}
	// The most memories that leave the text an eighth of the window: a
	// binary search (each try renders the prompts with them all, and a
	// record can bring thousands), for the fewer memories, the more room.
	nb, text, c, err := try(len(mems))
	if err != nil {
		return nb, err
	}
	if text < window/8 && len(mems) > 0 {
		lo, hi := 0, len(mems) // lo: fits, or 0; hi: does not fit
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			_, t, _, err := try(mid)
			if err != nil {
				return b, err
			}
			if t >= window/8 {
				lo = mid
			} else {
				hi = mid
			}
		}
		if nb, text, c, err = try(lo); err != nil {
			return nb, err
		}
	}
	b = nb
	if text < minText && b.Shared > 0 && b.Own(c) >= minText {
		// The room kept after the text would leave none for it in so
		// small a window: the tool's own cost, unshared.
		b.Shared, text = 0, b.Own(c)
	}
	if text >= minText {
		return b, nil
	}
	if o.ContextLength > 0 && window == o.ContextLength {
		return b, &NoRoomError{Window: window, Setting: true,
			Err: o.BadSetting("context-length", "%d leaves no room for text after the prompt", window)}
	}
	return b, &NoRoomError{Window: window, Err: sysexits.Errorf(sysexits.Failure, "",
		"a context window of %d tokens leaves no room for text after the prompt", window)}
}

// InWindow runs work for the model's context window. When the server cut
// a request all the same (its window is smaller than it says, or the text
// takes more tokens than estimated), work runs once more, for the smaller
// window the cut shows, and OnCut hears of it first with the record's
// line; unless again says why not: a *NoRoomError (the prompt would leave
// no room in that window), or a reason of the tool's own, which the error
// then puts before the cut.
func (a *Asker[M]) InWindow(ctx context.Context, line int, again func(window int) error, work func(window int) error) error {
	window := a.Model.Window(ctx)
	err := work(window)
	var cut *llm.TruncatedError
	if !errors.As(err, &cut) {
		return err
	}
	smaller := cut.Retry(window, a.Model.Window(ctx))
	var room *NoRoomError
	switch why := again(smaller); {
	case errors.As(why, &room):
		return fmt.Errorf("%w; split for a window of %d tokens, the prompt would leave no room for text", err, smaller)
	case why != nil:
		return fmt.Errorf("%v: %w", why, err)
	}
	if a.OnCut != nil {
		a.OnCut(line, smaller)
	}
	return work(smaller)
}

// SchemaTokens is what a schema may add to a prompt: the lower rungs of
// the structured-output ladder put its instructions in the prompt.
func SchemaTokens(s *llm.Schema) int {
	b, _ := s.MarshalJSON()
	return llm.EstimateTokens(string(b)) + 40
}
