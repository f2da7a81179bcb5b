// Package summarize provides summarize's work: a summary, and a title and
// tags when a record has none, for the text of each record. Text longer
// than the model's window is summarized map-reduce: its parts in parallel,
// then the notes of the parts combined, recursively when even they do not
// fit. Nothing is ever truncated.
package summarize

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
)

// Prompt is the built-in prompt template.
//
//go:embed summarize.tmpl
var Prompt string

// Styles are the styles the built-in prompt knows.
var Styles = []string{"brief", "bullets", "detailed"}

// Model is what summarize needs of a model client (*llm.Client).
type Model interface {
	Model(ctx context.Context) (string, error)
	Window(ctx context.Context) int
	Complete(ctx context.Context, req llm.Request) (string, error)
	Stream(ctx context.Context, req llm.Request, onText func(string) error) (string, error)
	Structured(ctx context.Context, req llm.Request, name string, schema *llm.Schema, out any) error
}

// Options tune a Summarizer.
type Options struct {
	Tool   string // names the tool in provenance (default "summarize")
	Field  string // gjson path of the text (default "text")
	Style  string
	Jobs   int                   // parts summarized at once
	Now    func() time.Time      // for provenance
	OnPart func(line, parts int) // hears when a text is split
	// OnCut hears when the server cut a request of a text and the text is
	// worked on again, split for a window of that many tokens.
	OnCut func(line, window int)
}

// Summarizer summarizes records or text with one model and prompt.
type Summarizer struct {
	m   Model
	p   *prompt.Prompt
	opt Options
}

// New returns a Summarizer.
func New(m Model, p *prompt.Prompt, opt Options) *Summarizer {
	if opt.Tool == "" {
		opt.Tool = "summarize"
	}
	if opt.Field == "" {
		opt.Field = "text"
	}
	if opt.Style == "" {
		opt.Style = "brief"
	}
	if opt.Jobs < 1 {
		opt.Jobs = 1
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Summarizer{m: m, p: p, opt: opt}
}

// Memory is a related memory from a record's "context".
type Memory struct {
	Title, Snippet, Created string
}

// Result is a summary.
type Result struct {
	Summary string
	Title   string
	Tags    []string
	Parts   int // how many parts the text was split into (1: none)
	Model   string
}

type data struct {
	Text      string
	Style     string
	Part      int
	Parts     int
	FromParts bool
	JSON      bool
	Context   []Memory
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
	t := rec.Get(s.opt.Field)
	if !t.Exists() || t.Type.String() != "String" || strings.TrimSpace(t.Str) == "" {
		return nil
	}
	res, err := s.summarize(ctx, t.Str, memories(rec), true, nil, rec.Line)
	if err != nil {
		return err
	}
	return s.apply(rec, res)
}

// Text summarizes plain text. With onText, the final answer streams to it
// as it is generated.
func (s *Summarizer) Text(ctx context.Context, text string, onText func(string) error) (Result, error) {
	return s.summarize(ctx, text, nil, false, onText, 1)
}

// RecordText summarizes a record's text for a plain-text answer (--raw).
// ok is false when the record has no text.
func (s *Summarizer) RecordText(ctx context.Context, rec *record.Record) (res Result, ok bool, err error) {
	t := rec.Get(s.opt.Field)
	if !t.Exists() || t.Type.String() != "String" || strings.TrimSpace(t.Str) == "" {
		return Result{}, false, nil
	}
	res, err = s.summarize(ctx, t.Str, memories(rec), false, nil, rec.Line)
	return res, err == nil, err
}

func memories(rec *record.Record) []Memory {
	var out []Memory
	for _, m := range rec.Get("context").Array() {
		out = append(out, Memory{Title: m.Get("title").String(), Snippet: m.Get("snippet").String(), Created: m.Get("created").String()})
	}
	return out
}

// budgets works out how many tokens of text one request can carry: a part
// request (plain), and the final request (which may carry the answer's
// schema). Related memories are dropped from the end while they crowd out
// the text.
type budgets struct {
	part, final, reserve int
	mems                 []Memory
	system               string
}

func (s *Summarizer) budgets(window int, mems []Memory, jsonOut bool) (budgets, error) {
	b := budgets{reserve: min(1024, window/4)}
	for {
		sys, err := s.p.Render("system", data{Style: s.opt.Style, Context: mems, JSON: jsonOut})
		if err != nil {
			return b, err
		}
		fin, err := s.p.Render("final", data{Style: s.opt.Style, Parts: 99, FromParts: true, JSON: jsonOut})
		if err != nil {
			return b, err
		}
		part, err := s.p.Render("part", data{Style: s.opt.Style, Part: 99, Parts: 99})
		if err != nil {
			return b, err
		}
		const framing = 16 // roles and message boundaries
		base := window - b.reserve - llm.EstimateTokens(sys) - framing
		b.part = base - llm.EstimateTokens(part)
		b.final = base - llm.EstimateTokens(fin)
		if jsonOut {
			b.final -= schemaTokens()
		}
		b.mems, b.system = mems, sys
		if min(b.part, b.final) >= window/8 || len(mems) == 0 {
			break
		}
		mems = mems[:len(mems)-1]
	}
	if min(b.part, b.final) < 64 {
		return b, sysexits.Errorf(sysexits.Usage, "raise --context-length to the model's real window (most hold 4096 tokens or more), or serve the model with a larger one",
			"a context window of %d tokens leaves no room for text after the prompt", window)
	}
	return b, nil
}

// schemaTokens is what the schema instructions of the lower rungs of the
// structured-output ladder may add to the final prompt.
var schemaTokens = sync.OnceValue(func() int {
	b, _ := answerSchema.MarshalJSON()
	return llm.EstimateTokens(string(b)) + 40
})

// summarize summarizes text split for the model's window. When the server
// cuts a request all the same (its window is smaller than it says, or the
// text takes more tokens than estimated), the text is summarized once more,
// split smaller, unless part of the answer has already been streamed.
func (s *Summarizer) summarize(ctx context.Context, text string, mems []Memory, jsonOut bool, onText func(string) error, line int) (Result, error) {
	model, err := s.m.Model(ctx)
	if err != nil {
		return Result{}, err
	}
	window := s.m.Window(ctx)
	streamed := false
	on := onText
	if onText != nil {
		on = func(piece string) error {
			streamed = true
			return onText(piece)
		}
	}
	res, err := s.summarizeFor(ctx, window, model, text, mems, jsonOut, on, line)
	var cut *llm.TruncatedError
	if !errors.As(err, &cut) {
		return res, err
	}
	if streamed {
		return res, fmt.Errorf("the summary written is of part of the text only: %w", err)
	}
	smaller := cut.Retry(window, s.m.Window(ctx))
	if _, berr := s.budgets(smaller, mems, jsonOut); berr != nil {
		return res, fmt.Errorf("%w; split for a window of %d tokens, the prompt would leave no room for text", err, smaller)
	}
	if s.opt.OnCut != nil {
		s.opt.OnCut(line, smaller)
	}
	return s.summarizeFor(ctx, smaller, model, text, mems, jsonOut, on, line)
}

func (s *Summarizer) summarizeFor(ctx context.Context, window int, model, text string, mems []Memory, jsonOut bool, onText func(string) error, line int) (Result, error) {
	b, err := s.budgets(window, mems, jsonOut)
	if err != nil {
		return Result{}, err
	}
	sys, reserve := b.system, b.reserve
	res := Result{Model: model, Parts: 1}
	fromParts := false
	for depth := 0; llm.EstimateTokens(text) > b.final; depth++ {
		parts := llm.Split(text, b.part)
		if depth == 0 {
			res.Parts = len(parts)
			if s.opt.OnPart != nil {
				s.opt.OnPart(line, len(parts))
			}
		}
		notes, err := s.notes(ctx, sys, parts, reserve)
		if err != nil {
			return Result{}, err
		}
		combined := strings.Join(notes, "\n\n")
		if depth > 0 && len(combined) >= len(text) || depth >= 8 {
			return Result{}, fmt.Errorf("the notes of %d parts do not get shorter than the text they summarize; the model does not condense", len(parts))
		}
		text, fromParts = combined, true
	}
	d := data{Text: text, Style: s.opt.Style, Parts: res.Parts, FromParts: fromParts, JSON: jsonOut}
	user, err := s.p.Render("final", d)
	if err != nil {
		return Result{}, err
	}
	req := llm.Request{Messages: []llm.Message{llm.System(sys), llm.User(user)}, MaxTokens: reserve}
	if jsonOut {
		var a answer
		if err := s.m.Structured(ctx, req, "summary", answerSchema, &a); err != nil {
			return Result{}, err
		}
		res.Summary, res.Title, res.Tags = strings.TrimSpace(a.Summary), strings.TrimSpace(a.Title), record.NormalizeTags(a.Tags)
		if res.Summary == "" {
			return Result{}, errors.New("the model gave an empty summary")
		}
		return res, nil
	}
	var out string
	if onText != nil {
		out, err = s.m.Stream(ctx, req, onText)
	} else {
		out, err = s.m.Complete(ctx, req)
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
func (s *Summarizer) notes(ctx context.Context, sys string, parts []string, reserve int) ([]string, error) {
	notes := make([]string, len(parts))
	errs := make([]error, len(parts))
	sem := make(chan struct{}, s.opt.Jobs)
	var wg sync.WaitGroup
	for i, p := range parts {
		user, err := s.p.Render("part", data{Text: p, Style: s.opt.Style, Part: i + 1, Parts: len(parts)})
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			req := llm.Request{Messages: []llm.Message{llm.System(sys), llm.User(user)}, MaxTokens: reserve}
			out, err := s.m.Complete(ctx, req)
			notes[i], errs[i] = strings.TrimSpace(out), err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
		}
	}
	return notes, nil
}

// apply writes the result into the record: summary always, title and tags
// only when the record has none, and provenance for each field written.
func (s *Summarizer) apply(rec *record.Record, res Result) error {
	prov := record.Provenance{Tool: s.opt.Tool, Model: res.Model, Prompt: s.p.Hash, At: s.opt.Now().UTC().Format(time.RFC3339)}
	if err := rec.Set("summary", res.Summary); err != nil {
		return err
	}
	fields := []string{"summary"}
	if !rec.Has("title") && res.Title != "" {
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
	p := rec.Get("provenance")
	if p.Exists() && !p.IsObject() {
		return errors.New(`the record's "provenance" is not an object; it was left as it is`)
	}
	for _, f := range fields {
		if err := rec.Set("provenance."+f, prov); err != nil {
			return err
		}
	}
	return nil
}
