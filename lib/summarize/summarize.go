// Package summarize provides summarize's work: a summary, and a title and
// tags when a record has none, for the text of each record. Text longer
// than the model's window is summarized map-reduce: its parts in parallel,
// then the notes of the parts combined, recursively when even they do not
// fit. Nothing is ever truncated.
//
// The summary and a new title are checked against the whole text (see
// package ground): what they claim that the text does not hold is kept in
// the record's "checks", with a warning, and with CheckRetry the model gets
// one round to write them again without it.
package summarize

import (
	"cmp"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/shelfai/shelf/lib/ask"
	"github.com/shelfai/shelf/lib/ground"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/safetext"
	"github.com/tidwall/gjson"
)

//go:embed summarize.tmpl
var own string

// Prompt is the built-in prompt template: the shared part (see package
// prompt), then summarize's own.
var Prompt = prompt.Builtin(own)

// Styles are the styles the built-in prompt knows.
var Styles = []string{"brief", "bullets", "detailed"}

// Model is what summarize needs of a model client (*llm.Client).
type Model interface {
	ask.Model
	Complete(ctx context.Context, req llm.Request) (string, error)
	Stream(ctx context.Context, req llm.Request, onText func(string) error) (string, error)
}

// The modes of the checks of a summary against its text.
const (
	CheckWarn  = "warn"  // list what is not in the text, with a warning
	CheckRetry = "retry" // the same after one repair round
	CheckOff   = "off"   // no checks
)

// CheckModes are the modes of the checks, the default first.
var CheckModes = []string{CheckWarn, CheckRetry, CheckOff}

// Options tune a Summarizer: those of every tool that asks about a
// record's text (Tool defaults to "summarize"), and summarize's own.
type Options struct {
	ask.Options
	Style  string
	Check  string                // a CheckModes mode (default CheckWarn)
	OnPart func(line, parts int) // hears when a text is split
	// Warn hears what the checks found that the text does not hold.
	Warn func(line int, msg string)
}

// Summarizer summarizes records or text with one model and prompt.
type Summarizer struct {
	ask    *ask.Asker[Model]
	style  string
	check  string
	onPart func(line, parts int)
	warn   func(line int, msg string)
}

// New returns a Summarizer.
func New(m Model, p *prompt.Prompt, opt Options) *Summarizer {
	s := &Summarizer{ask: ask.New("summarize", m, p, opt.Options), style: cmp.Or(opt.Style, "brief"),
		check: cmp.Or(opt.Check, CheckWarn), onPart: opt.OnPart, warn: opt.Warn}
	if s.warn == nil {
		s.warn = func(int, string) {}
	}
	return s
}

// Result is a summary.
type Result struct {
	Summary string
	Title   string
	Tags    []string
	Parts   int // how many parts the text was split into (1: none)
	Model   string
	// Checks is what the checks found; nil when they did not run.
	Checks *Checks
	// Warnings say what the checks found, one a line of errors.
	Warnings []string
}

// Checks are a record's "checks": what summarize found in its summary and
// title that the text does not hold. Title is nil when the title was not
// checked (a record that had one keeps it unchecked).
type Checks struct {
	Summary *Check `json:"summary"`
	Title   *Check `json:"title,omitempty"`
}

// Check is what one field claims that the text does not hold, as the
// field writes it; empty (not nil) when everything held.
type Check struct {
	Unsupported []string `json:"unsupported"`
}

type data struct {
	Text      string
	Style     string
	Part      int
	Parts     int
	FromParts bool
	JSON      bool
	Context   []ask.Memory
	// For the repair round: the answer given and what of it is not in
	// the text.
	Summary     string
	Title       string
	Unsupported []string
}

type answer struct {
	Title   string   `json:"title"`
	Summary string   `json:"summary"`
	Tags    []string `json:"tags"`
}

var answerSchema = &llm.Schema{
	Type:  "object",
	Order: []string{"title", "summary", "tags"},
	Properties: map[string]*llm.Schema{
		"title":   {Type: "string", MinLength: llm.Int(1), MaxLength: llm.Int(120)},
		"summary": {Type: "string", MinLength: llm.Int(1)},
		"tags":    {Type: "array", MaxItems: llm.Int(5), Items: &llm.Schema{Type: "string", MaxLength: llm.Int(40)}},
	},
}

// Record summarizes one record in place (a pipeline.Func). A record
// without text at the field passes through untouched.
func (s *Summarizer) Record(ctx context.Context, rec *record.Record) error {
	text, ok := s.ask.Text(rec)
	if !ok {
		return nil
	}
	mems, problem := ask.Memories(rec)
	if problem != "" {
		rec.AppendError(s.ask.Tool, problem)
		s.warn(rec.Line, problem)
	}
	res, err := s.summarize(ctx, text, mems, true, !rec.Has("title"), nil, rec.Line)
	if err != nil {
		return err
	}
	return s.apply(rec, res)
}

// Text summarizes plain text. With onText, the final answer streams to it
// as it is generated; with CheckRetry it comes in one piece at the end, as
// which answer is kept is known only then.
func (s *Summarizer) Text(ctx context.Context, text string, onText func(string) error) (Result, error) {
	if onText == nil || s.check != CheckRetry {
		res, err := s.summarize(ctx, text, nil, false, false, onText, 1)
		s.warnAll(1, res)
		return res, err
	}
	res, err := s.summarize(ctx, text, nil, false, false, nil, 1)
	if err != nil {
		return res, err
	}
	s.warnAll(1, res)
	return res, onText(res.Summary)
}

// RecordText summarizes a record's text for a plain-text answer (--raw).
// ok is false when the record has no text.
func (s *Summarizer) RecordText(ctx context.Context, rec *record.Record) (res Result, ok bool, err error) {
	text, ok := s.ask.Text(rec)
	if !ok {
		return Result{}, false, nil
	}
	mems, problem := ask.Memories(rec)
	if problem != "" {
		s.warn(rec.Line, problem)
	}
	res, err = s.summarize(ctx, text, mems, false, false, nil, rec.Line)
	s.warnAll(rec.Line, res)
	return res, err == nil, err
}

func (s *Summarizer) warnAll(line int, res Result) {
	for _, w := range res.Warnings {
		s.warn(line, w)
	}
}

// budgets is how many tokens of text one request can carry: a part
// request (plain), and the final request (which may carry the answer's
// schema), of the record's text (the same as the other tools' in the
// shared layout) and of the notes of its parts (summarize's alone); the
// system prompt; and the related memories that fit, which the user
// messages of the shared layout carry after the text (those of the old
// layout carry them in the system prompt).
type budgets struct {
	part, final           int
	notesPart, notesFinal int
	reserve               int
	system                string
	context               []ask.Memory
}

func (s *Summarizer) budgets(window int, mems []ask.Memory, jsonOut bool) (budgets, error) {
	var b budgets
	var partCost, finalCost int
	p := s.ask.Prompt
	var shared func(mems []ask.Memory) (int, error)
	if p.SharesPrefix() {
		shared = func(mems []ask.Memory) (int, error) {
			sys, err := p.Render("system", data{Style: s.style, Context: mems, JSON: jsonOut})
			if err != nil {
				return 0, err
			}
			text, err := p.Render("text", data{Style: s.style, Context: mems, JSON: jsonOut})
			return llm.EstimateTokens(sys) + llm.EstimateTokens(text), err
		}
	}
	fit, err := s.ask.FitShared(window, mems, shared, func(mems []ask.Memory) (int, error) {
		sys, err := p.Render("system", data{Style: s.style, Context: mems, JSON: jsonOut})
		if err != nil {
			return 0, err
		}
		fin, err := p.Render("final", data{Style: s.style, Parts: 99, FromParts: true, JSON: jsonOut, Context: mems})
		if err != nil {
			return 0, err
		}
		part, err := p.Render("part", data{Style: s.style, Part: 99, Parts: 99, Context: mems})
		if err != nil {
			return 0, err
		}
		b.system = sys
		partCost = llm.EstimateTokens(sys) + llm.EstimateTokens(part)
		finalCost = llm.EstimateTokens(sys) + llm.EstimateTokens(fin)
		if jsonOut {
			finalCost += schemaTokens()
		}
		return max(partCost, finalCost), nil
	})
	if err != nil {
		return b, err
	}
	b.part, b.final, b.reserve, b.context = fit.Text(partCost), fit.Text(finalCost), fit.Reserve, fit.Context
	b.notesPart, b.notesFinal = fit.Own(partCost), fit.Own(finalCost)
	return b, nil
}

// schemaTokens is what the schema instructions of the lower rungs of the
// structured-output ladder may add to the final prompt.
var schemaTokens = sync.OnceValue(func() int { return ask.SchemaTokens(answerSchema) })

// summarize summarizes text split for the model's window. When the server
// cuts a request all the same (its window is smaller than it says, or the
// text takes more tokens than estimated), the text is summarized once more,
// split smaller, unless part of the answer has already been streamed.
// With checkTitle, the title is checked besides the summary.
func (s *Summarizer) summarize(ctx context.Context, text string, mems []ask.Memory, jsonOut, checkTitle bool, onText func(string) error, line int) (Result, error) {
	model, err := s.ask.Model.Model(ctx)
	if err != nil {
		return Result{}, err
	}
	streamed := false
	on := onText
	if onText != nil {
		on = func(piece string) error {
			streamed = true
			return onText(piece)
		}
	}
	again := func(window int) error {
		if streamed {
			return errStreamed
		}
		_, err := s.budgets(window, mems, jsonOut)
		return err
	}
	var whole *ground.Text
	if s.check != CheckOff {
		whole = ground.Prepare(text) // the whole text, whatever the parts
	}
	var res Result
	err = s.ask.InWindow(ctx, line, again, func(window int) (err error) {
		res, err = s.summarizeFor(ctx, window, model, text, mems, jsonOut, on, line)
		if err != nil || whole == nil {
			return err
		}
		res, err = s.checked(ctx, res, whole, checkTitle && jsonOut, window, mems, jsonOut, onText != nil)
		return err
	})
	return res, err
}

// errStreamed is why a cut text is not summarized again once part of its
// summary is out.
var errStreamed = errors.New("the summary written is of part of the text only")

func (s *Summarizer) summarizeFor(ctx context.Context, window int, model, text string, mems []ask.Memory, jsonOut bool, onText func(string) error, line int) (Result, error) {
	b, err := s.budgets(window, mems, jsonOut)
	if err != nil {
		return Result{}, err
	}
	sys, reserve := b.system, b.reserve
	res := Result{Model: model, Parts: 1}
	fromParts := false
	partBudget, finalBudget := b.part, b.final
	for depth := 0; llm.EstimateTokens(text) > finalBudget; depth++ {
		parts := llm.Split(text, partBudget)
		if depth == 0 {
			res.Parts = len(parts)
			if s.onPart != nil {
				s.onPart(line, len(parts))
			}
		}
		notes, err := s.notes(ctx, sys, parts, reserve, b.context)
		if err != nil {
			return Result{}, err
		}
		combined := strings.Join(notes, "\n\n")
		if depth > 0 && len(combined) >= len(text) || depth >= 8 {
			return Result{}, fmt.Errorf("the notes of %d parts do not get shorter than the text they summarize; the model does not condense", len(parts))
		}
		text, fromParts = combined, true
		partBudget, finalBudget = b.notesPart, b.notesFinal
	}
	d := data{Text: text, Style: s.style, Parts: res.Parts, FromParts: fromParts, JSON: jsonOut, Context: b.context}
	user, err := s.ask.Prompt.Render("final", d)
	if err != nil {
		return Result{}, err
	}
	req := llm.Request{Messages: []llm.Message{llm.System(sys), llm.User(user)}, MaxTokens: reserve}
	return s.answer(ctx, req, res, jsonOut, onText)
}

// answer asks for the summary (and, with jsonOut, the title and tags) and
// puts it into res.
func (s *Summarizer) answer(ctx context.Context, req llm.Request, res Result, jsonOut bool, onText func(string) error) (Result, error) {
	if jsonOut {
		var a answer
		if err := s.ask.Model.Structured(ctx, req, "summary", answerSchema, &a); err != nil {
			return Result{}, err
		}
		res.Summary, res.Title, res.Tags = strings.TrimSpace(a.Summary), strings.TrimSpace(a.Title), record.NormalizeTags(a.Tags)
		if res.Summary == "" {
			return Result{}, errors.New("the model gave an empty summary")
		}
		return res, nil
	}
	var out string
	var err error
	if onText != nil {
		out, err = s.ask.Model.Stream(ctx, req, onText)
	} else {
		out, err = s.ask.Model.Complete(ctx, req)
	}
	if err != nil {
		return Result{}, err
	}
	res.Summary = strings.TrimSpace(out)
	if res.Summary == "" {
		return Result{}, errors.New("the model gave an empty summary")
	}
	return res, nil
}

// notes summarizes the parts, up to Jobs at once, and returns their notes
// in order.
func (s *Summarizer) notes(ctx context.Context, sys string, parts []string, reserve int, mems []ask.Memory) ([]string, error) {
	return ask.Parts(ctx, s.ask.Jobs, parts, func(ctx context.Context, i int, part string) (string, error) {
		user, err := s.ask.Prompt.Render("part", data{Text: part, Style: s.style, Part: i + 1, Parts: len(parts), Context: mems})
		if err != nil {
			return "", err
		}
		req := llm.Request{Messages: []llm.Message{llm.System(sys), llm.User(user)}, MaxTokens: reserve}
		out, err := s.ask.Model.Complete(ctx, req)
		return strings.TrimSpace(out), err
	})
}

// apply writes the result into the record: summary always, title and tags
// only when the record has none, what the checks found (with a warning in
// errors for each field that claims what the text does not hold), and
// provenance for each field written.
func (s *Summarizer) apply(rec *record.Record, res Result) error {
	if err := rec.Set("summary", res.Summary); err != nil {
		return err
	}
	fields := []string{"summary"}
	newTitle := !rec.Has("title") && res.Title != ""
	if newTitle {
		if err := rec.Set("title", res.Title); err != nil {
			return err
		}
		fields = append(fields, "title")
	}
	if !rec.Has("tags") && len(res.Tags) > 0 {
		if err := rec.Set("tags", res.Tags); err != nil {
			return err
		}
		fields = append(fields, "tags")
	}
	replaced, err := s.setChecks(rec, res.Checks, newTitle)
	if err != nil {
		return err
	}
	if err := s.ask.SetProvenance(rec, res.Model, fields...); err != nil {
		return err
	}
	if replaced != "" {
		rec.AppendError(s.ask.Tool, replaced)
	}
	for _, w := range res.Warnings {
		rec.AppendError(s.ask.Tool, w)
		s.warn(rec.Line, w)
	}
	return nil
}

// setChecks writes what the checks found into the record's "checks". The
// checks of a summary or title made anew replace those of the old one;
// without checks (CheckOff), those are removed, as they are not of the new
// one. A "checks" that is not an object is replaced by one, and replaced
// says what it was (null is none).
func (s *Summarizer) setChecks(rec *record.Record, c *Checks, newTitle bool) (replaced string, err error) {
	if c == nil {
		if err := rec.Delete("checks.summary"); err != nil {
			return "", err
		}
		if newTitle {
			if err := rec.Delete("checks.title"); err != nil {
				return "", err
			}
		}
		if cur := rec.Get("checks"); cur.IsObject() && len(cur.Map()) == 0 {
			return "", rec.Delete("checks")
		}
		return "", nil
	}
	if cur := rec.Get("checks"); cur.Exists() && !cur.IsObject() {
		if err := rec.Set("checks", struct{}{}); err != nil {
			return "", err
		}
		if cur.Type != gjson.Null {
			replaced = fmt.Sprintf(`the record's "checks" was not an object (%s); it is replaced by one`, safetext.Clip(cur.Raw, 40))
		}
	}
	if err := rec.Set("checks.summary", c.Summary); err != nil {
		return "", err
	}
	if c.Title != nil {
		return replaced, rec.Set("checks.title", c.Title)
	}
	return replaced, nil
}
