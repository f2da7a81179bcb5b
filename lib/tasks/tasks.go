// Package tasks provides the tasks tool's work: action items found in a
// record's text by a model, checked (each quote looked for in the text,
// due dates resolved from the text's own words against the record's time
// and never invented, titles and priorities), given stable identities,
// and written as the record's "tasks" or in the formats of Taskwarrior,
// todo.txt, Markdown checklists and iCalendar.
package tasks

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/shelfai/shelf/lib/ask"
	"github.com/shelfai/shelf/lib/ground"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/safetext"
)

//go:embed tasks.tmpl
var own string

// Prompt is the built-in prompt template: the shared part (see package
// prompt), then tasks' own.
var Prompt = prompt.Builtin(own)

// Model is what tasks needs of a model client (*llm.Client).
type Model = ask.Model

// Task is one action item, in the contract's shape.
type Task struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Due      string    `json:"due,omitempty"`
	When     string    `json:"when,omitempty"` // the text's words for the due date
	Priority string    `json:"priority,omitempty"`
	Project  string    `json:"project,omitempty"`
	Tags     []string  `json:"tags"`
	For      string    `json:"for,omitempty"`
	SourceID string    `json:"source_id"`
	Evidence *Evidence `json:"evidence,omitempty"`
	Grounded bool      `json:"grounded"` // the quote was found in the text

	// For the output formats; not written to records.
	due    Due
	hasDue bool
	entry  time.Time // when the source was made (or now)
	source string
}

// Options tune an Extractor: those of every tool that asks about a
// record's text (Tool defaults to "tasks"), and tasks' own.
type Options struct {
	ask.Options
	Zone *time.Location // the person's time zone (default: local)
	// Grounded keeps only the tasks whose quote is found in the text; the
	// others are named in the record's errors.
	Grounded bool
	// Warn hears about what was dropped from an answer or not found in the
	// text (a date that is not one, a task whose quote is not there), with
	// the record's line.
	Warn func(line int, msg string)
}

// Extractor finds the tasks of records with one model and prompt.
type Extractor struct {
	ask      *ask.Asker[Model]
	zone     *time.Location
	grounded bool
	warn     func(line int, msg string)
}

// New returns an Extractor.
func New(m Model, p *prompt.Prompt, opt Options) *Extractor {
	x := &Extractor{ask: ask.New("tasks", m, p, opt.Options), zone: opt.Zone, grounded: opt.Grounded, warn: opt.Warn}
	if x.zone == nil {
		x.zone = time.Local
	}
	if x.warn == nil {
		x.warn = func(int, string) {}
	}
	return x
}

// Namespace is the UUID namespace of task identities.
var Namespace = uuid.MustParse("6f1c6f43-2d1e-5b8e-9a41-7c3f0e2b9d55")

// TaskID is a task's identity: UUID v5 over the source's id and the
// normalized title, so the same task of the same source keeps its id.
func TaskID(sourceID, title string) string {
	return uuid.NewSHA1(Namespace, []byte(sourceID+"\x00"+normalizeTitle(title))).String()
}

func normalizeTitle(t string) string {
	t = strings.ToLower(strings.Join(strings.Fields(t), " "))
	return strings.TrimFunc(t, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// item is one task as the model gives it.
type item struct {
	Title    string   `json:"title"`
	Quote    string   `json:"quote"`
	When     string   `json:"when"`
	Due      string   `json:"due"`
	Priority string   `json:"priority"`
	Project  string   `json:"project"`
	Tags     []string `json:"tags"`
	For      string   `json:"for"`
}

type answer struct {
	Tasks []item `json:"tasks"`
}

var schema = &llm.Schema{
	Type:  "object",
	Order: []string{"tasks"},
	Properties: map[string]*llm.Schema{
		"tasks": {Type: "array", MaxItems: llm.Int(30), Items: &llm.Schema{
			Type:  "object",
			Order: []string{"title", "quote", "when", "due", "priority", "project", "tags", "for"},
			Properties: map[string]*llm.Schema{
				"title":    {Type: "string", MinLength: llm.Int(1), MaxLength: llm.Int(200)},
				"quote":    {Type: "string", MaxLength: llm.Int(400)},
				"when":     {Type: "string", MaxLength: llm.Int(60)},
				"due":      {Type: "string", MaxLength: llm.Int(40)},
				"priority": {Type: "string", Enum: []string{"high", "medium", "low", "none"}},
				"project":  {Type: "string", MaxLength: llm.Int(60)},
				"tags":     {Type: "array", MaxItems: llm.Int(5), Items: &llm.Schema{Type: "string", MaxLength: llm.Int(40)}},
				"for":      {Type: "string", MaxLength: llm.Int(60)},
			},
		}},
	},
}

var schemaTokens = sync.OnceValue(func() int { return ask.SchemaTokens(schema) })

type data struct {
	Today, Time, Zone string
	Text, Summary     string
	Part, Parts       int
	Context           []ask.Memory
}

// Record finds the tasks of one record (a pipeline.Func): it adds "tasks"
// (and "id" when the record has none) and keeps the tasks in rec.Meta for
// the output formats. Each task's quote is looked for in the whole text:
// found, the task gets its evidence and is grounded; not found, it is kept
// ungrounded (or, with Options.Grounded, left out) and the record's errors
// name it. A record without text passes through untouched.
func (x *Extractor) Record(ctx context.Context, rec *record.Record) error {
	text, ok := x.ask.Text(rec)
	if !ok {
		return nil
	}
	id := rec.Get("id")
	sourceID := id.String()
	if !id.Exists() || sourceID == "" {
		sourceID = record.ContentID(rec.Get("source").String(), text)
		if err := rec.Set("id", sourceID); err != nil {
			return err
		}
	}
	ref := x.ask.Now().In(x.zone)
	if c := rec.Get("created"); c.Exists() {
		if ct, err := time.Parse(time.RFC3339, c.String()); err == nil {
			ref = ct.In(x.zone)
		} else if day, err := time.ParseInLocation(time.DateOnly, c.String(), x.zone); err == nil {
			ref = day // a date alone: its start, in the person's zone
		} else {
			msg := fmt.Sprintf("created: %q is not an RFC 3339 time or a date; relative dates were resolved against now", safetext.Clip(c.String(), 40))
			rec.AppendError(x.ask.Tool, msg)
			x.warn(rec.Line, msg)
		}
	}
	model, err := x.ask.Model.Model(ctx)
	if err != nil {
		return err
	}
	mems, problem := ask.Memories(rec)
	if problem != "" {
		rec.AppendError(x.ask.Tool, problem)
		x.warn(rec.Line, problem)
	}
	found, err := x.find(ctx, text, x.data(ref, rec.Get("summary").String(), mems), rec.Line)
	if err != nil {
		return err
	}
	src := ground.Prepare(text)
	segs := segmentTimes(text, rec.Get("segments").Array())
	warn := func(msg string) {
		rec.AppendError(x.ask.Tool, msg)
		x.warn(rec.Line, msg)
	}
	var tasks []Task
	seen, leftOut := map[string]bool{}, map[string]bool{}
	for _, a := range found {
		// Every string is one line of plain text (no control characters,
		// NFC) before any format sees it.
		title := safetext.Line(a.Title)
		if title == "" {
			continue
		}
		task := Task{Title: title, SourceID: sourceID, Tags: record.NormalizeTags(a.Tags), entry: ref, source: rec.Get("source").String(),
			Project: safetext.Line(a.Project), For: safetext.Line(a.For)}
		task.ID = TaskID(sourceID, title)
		if seen[task.ID] {
			continue
		}
		switch p := strings.ToLower(strings.TrimSpace(a.Priority)); p {
		case "high", "medium", "low":
			task.Priority = p
		}
		task.Evidence, task.Grounded = evidence(src, segs, a.Quote)
		if !task.Grounded {
			quote := strings.TrimSpace(a.Quote)
			msg := fmt.Sprintf("task %q: its quote %q is not in the text", title, safetext.Clip(safetext.Line(quote), 100))
			if quote == "" {
				msg = fmt.Sprintf("task %q: the answer quotes no words of the text for it", title)
			}
			if x.grounded {
				if !leftOut[task.ID] { // the same task again says nothing new
					warn(msg + "; left out (--grounded)")
				}
				leftOut[task.ID] = true
				continue // a grounded task of the same title may follow
			}
			warn(msg + "; kept as not grounded")
		}
		seen[task.ID] = true
		words, due, has, problem := dueOf(src, a.When, a.Due, ref)
		task.When = words
		if has {
			task.due, task.hasDue, task.Due = due, true, due.String()
		}
		if problem != "" {
			warn(fmt.Sprintf("task %q: %s", title, problem))
		}
		tasks = append(tasks, task)
	}
	if tasks == nil {
		tasks = []Task{}
	}
	if err := rec.Set("tasks", tasks); err != nil {
		return err
	}
	if err := x.ask.SetProvenance(rec, model, "tasks"); err != nil {
		return err
	}
	rec.Meta = tasks
	return nil
}

// data is what the prompt is told of a record: the reference time, the
// record's summary and its related memories.
func (x *Extractor) data(ref time.Time, summary string, mems []ask.Memory) data {
	_, offset := ref.Zone()
	return data{
		Today:   ref.Format("Monday, 2006-01-02"),
		Time:    ref.Format("15:04"),
		Zone:    fmt.Sprintf("%s, UTC%s", ref.Location(), formatOffset(offset)),
		Summary: summary,
		Context: mems,
		Part:    99, Parts: 99,
	}
}

// plan is how the requests about one text are made for a window.
type plan struct {
	d       data   // with the related memories that fit
	system  string // the system prompt
	text    int    // tokens of text a request can carry
	reserve int    // tokens kept for the answer
}

// fit plans the requests about d's record for a window.
func (x *Extractor) fit(window int, d data) (plan, error) {
	pl := plan{d: d}
	cost := 0
	p := x.ask.Prompt
	var shared func(mems []ask.Memory) (int, error)
	if p.SharesPrefix() {
		shared = func(mems []ask.Memory) (int, error) {
			sd := pl.d
			sd.Context = mems
			sys, err := p.Render("system", sd)
			if err != nil {
				return 0, err
			}
			text, err := p.Render("text", sd)
			return llm.EstimateTokens(sys) + llm.EstimateTokens(text), err
		}
	}
	b, err := x.ask.FitShared(window, d.Context, shared, func(mems []ask.Memory) (int, error) {
		pl.d.Context = mems
		var err error
		if pl.system, err = x.ask.Prompt.Render("system", pl.d); err != nil {
			return 0, err
		}
		user, err := x.ask.Prompt.Render("user", pl.d)
		if err != nil {
			return 0, err
		}
		cost = llm.EstimateTokens(pl.system) + llm.EstimateTokens(user) + schemaTokens()
		return cost, nil
	})
	pl.text, pl.reserve = b.Text(cost), b.Reserve
	return pl, err
}

// find is extract for the model's window, and once more for a smaller one
// when the server cut a request all the same.
func (x *Extractor) find(ctx context.Context, text string, d data, line int) ([]item, error) {
	var found []item
	err := x.ask.InWindow(ctx, line, func(window int) error {
		_, err := x.fit(window, d)
		return err
	}, func(window int) (err error) {
		found, err = x.extract(ctx, window, text, d)
		return err
	})
	return found, err
}

// extract asks the model, part by part when the text is longer than the
// window allows, and returns the items of all parts in order.
func (x *Extractor) extract(ctx context.Context, window int, text string, d data) ([]item, error) {
	pl, err := x.fit(window, d)
	if err != nil {
		return nil, err
	}
	parts := llm.Split(text, pl.text)
	found, err := ask.Parts(ctx, x.ask.Jobs, parts, func(ctx context.Context, i int, part string) ([]item, error) {
		pd := pl.d
		pd.Text, pd.Part, pd.Parts = part, i+1, len(parts)
		user, err := x.ask.Prompt.Render("user", pd)
		if err != nil {
			return nil, err
		}
		var a answer
		req := llm.Request{Messages: []llm.Message{llm.System(pl.system), llm.User(user)}, MaxTokens: pl.reserve}
		err = x.ask.Model.Structured(ctx, req, "tasks", schema, &a)
		return a.Tasks, err
	})
	if err != nil {
		return nil, err
	}
	var all []item
	for _, items := range found {
		all = append(all, items...)
	}
	return all, nil
}

func formatOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d:%02d", sign, sec/3600, sec%3600/60)
}
