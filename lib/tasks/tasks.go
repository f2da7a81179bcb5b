// Package tasks provides the tasks tool's work: action items found in a
// record's text by a model, checked (titles, priorities, due dates resolved
// against the record's time and never invented), given stable identities,
// and written as the record's "tasks" or in the formats of Taskwarrior,
// todo.txt, Markdown checklists and iCalendar.
package tasks

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/safetext"
)

// Prompt is the built-in prompt template.
//
//go:embed tasks.tmpl
var Prompt string

// Model is what tasks needs of a model client (*llm.Client).
type Model interface {
	Model(ctx context.Context) (string, error)
	Window(ctx context.Context) int
	Structured(ctx context.Context, req llm.Request, name string, schema *llm.Schema, out any) error
}

// Task is one action item, in the contract's shape.
type Task struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Due      string   `json:"due,omitempty"`
	Priority string   `json:"priority,omitempty"`
	Project  string   `json:"project,omitempty"`
	Tags     []string `json:"tags"`
	For      string   `json:"for,omitempty"`
	SourceID string   `json:"source_id"`

	// For the output formats; not written to records.
	due    Due
	hasDue bool
	entry  time.Time // when the source was made (or now)
	source string
}

// Options tune an Extractor.
type Options struct {
	Tool  string         // names the tool in provenance and errors (default "tasks")
	Field string         // gjson path of the text (default "text")
	Zone  *time.Location // the person's time zone (default: local)
	Jobs  int            // parts worked on at once
	Now   func() time.Time
	// Warn hears about what was dropped from an answer (a date that is not
	// one), with the record's line.
	Warn func(line int, msg string)
	// OnCut hears when the server cut a request of a text and the text is
	// worked on again, split for a window of that many tokens.
	OnCut func(line, window int)
}

// Extractor finds the tasks of records with one model and prompt.
type Extractor struct {
	m   Model
	p   *prompt.Prompt
	opt Options
}

// New returns an Extractor.
func New(m Model, p *prompt.Prompt, opt Options) *Extractor {
	if opt.Tool == "" {
		opt.Tool = "tasks"
	}
	if opt.Field == "" {
		opt.Field = "text"
	}
	if opt.Zone == nil {
		opt.Zone = time.Local
	}
	if opt.Jobs < 1 {
		opt.Jobs = 1
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Warn == nil {
		opt.Warn = func(int, string) {}
	}
	return &Extractor{m: m, p: p, opt: opt}
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
			Order: []string{"title", "due", "priority", "project", "tags", "for"},
			Properties: map[string]*llm.Schema{
				"title":    {Type: "string", MinLength: llm.Int(1), MaxLength: llm.Int(200)},
				"due":      {Type: "string", MaxLength: llm.Int(40)},
				"priority": {Type: "string", Enum: []string{"high", "medium", "low", "none"}},
				"project":  {Type: "string", MaxLength: llm.Int(60)},
				"tags":     {Type: "array", MaxItems: llm.Int(5), Items: &llm.Schema{Type: "string", MaxLength: llm.Int(40)}},
				"for":      {Type: "string", MaxLength: llm.Int(60)},
			},
		}},
	},
}

var schemaTokens = sync.OnceValue(func() int {
	b, _ := schema.MarshalJSON()
	return llm.EstimateTokens(string(b)) + 40
})

type data struct {
	Today, Time, Zone string
	Text, Summary     string
	Part, Parts       int
	Context           []Memory
}

// Memory is a related memory from a record's "context".
type Memory struct{ Title, Snippet, Created string }

// Record finds the tasks of one record (a pipeline.Func): it adds "tasks"
// (and "id" when the record has none) and keeps the tasks in rec.Meta for
// the output formats. A record without text passes through untouched.
func (x *Extractor) Record(ctx context.Context, rec *record.Record) error {
	t := rec.Get(x.opt.Field)
	if !t.Exists() || t.Type.String() != "String" || strings.TrimSpace(t.Str) == "" {
		return nil
	}
	id := rec.Get("id")
	sourceID := id.String()
	if !id.Exists() || sourceID == "" {
		sourceID = record.ContentID(rec.Get("source").String(), t.Str)
		if err := rec.Set("id", sourceID); err != nil {
			return err
		}
	}
	ref := x.opt.Now().In(x.opt.Zone)
	if c := rec.Get("created"); c.Exists() {
		if ct, err := time.Parse(time.RFC3339, c.String()); err == nil {
			ref = ct.In(x.opt.Zone)
		} else if day, err := time.ParseInLocation(time.DateOnly, c.String(), x.opt.Zone); err == nil {
			ref = day // a date alone: its start, in the person's zone
		} else {
			msg := fmt.Sprintf("created: %q is not an RFC 3339 time or a date; relative dates were resolved against now", safetext.Clip(c.String(), 40))
			rec.AppendError(x.opt.Tool, msg)
			x.opt.Warn(rec.Line, msg)
		}
	}
	var mems []Memory
	for _, m := range rec.Get("context").Array() {
		mems = append(mems, Memory{Title: m.Get("title").String(), Snippet: m.Get("snippet").String(), Created: m.Get("created").String()})
	}
	model, err := x.m.Model(ctx)
	if err != nil {
		return err
	}
	found, err := x.extractOnce(ctx, t.Str, rec.Get("summary").String(), mems, ref, rec.Line)
	if err != nil {
		return err
	}
	var tasks []Task
	seen := map[string]bool{}
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
		seen[task.ID] = true
		switch p := strings.ToLower(strings.TrimSpace(a.Priority)); p {
		case "high", "medium", "low":
			task.Priority = p
		}
		if d := strings.TrimSpace(a.Due); d != "" {
			due, err := ResolveDue(d, ref)
			if err != nil {
				msg := fmt.Sprintf("task %q: due date dropped: %v", title, err)
				rec.AppendError(x.opt.Tool, msg)
				x.opt.Warn(rec.Line, msg)
			} else {
				task.due, task.hasDue, task.Due = due, true, due.String()
			}
		}
		tasks = append(tasks, task)
	}
	if tasks == nil {
		tasks = []Task{}
	}
	if err := rec.Set("tasks", tasks); err != nil {
		return err
	}
	p := rec.Get("provenance")
	if p.Exists() && !p.IsObject() {
		return errors.New(`the record's "provenance" is not an object; it was left as it is`)
	}
	prov := record.Provenance{Tool: x.opt.Tool, Model: model, Prompt: x.p.Hash, At: x.opt.Now().UTC().Format(time.RFC3339)}
	if err := rec.Set("provenance.tasks", prov); err != nil {
		return err
	}
	rec.Meta = tasks
	return nil
}

// extractOnce is extract for the model's window, and once more for a
// smaller one when the server cut a request all the same (its window is
// smaller than it says, or the text takes more tokens than estimated).
func (x *Extractor) extractOnce(ctx context.Context, text, summary string, mems []Memory, ref time.Time, line int) ([]item, error) {
	window := x.m.Window(ctx)
	found, err := x.extract(ctx, window, text, summary, mems, ref)
	var cut *llm.TruncatedError
	if !errors.As(err, &cut) {
		return found, err
	}
	smaller := cut.Retry(window, x.m.Window(ctx))
	if x.opt.OnCut != nil {
		x.opt.OnCut(line, smaller)
	}
	found, rerr := x.extract(ctx, smaller, text, summary, mems, ref)
	if errors.Is(rerr, errNoRoom) {
		return nil, fmt.Errorf("%w; split for a window of %d tokens, the prompt would leave no room for text", err, smaller)
	}
	return found, rerr
}

// errNoRoom is a window too small for the prompt.
var errNoRoom = errors.New("leaves no room for text after the prompt")

// extract asks the model, part by part when the text is longer than the
// window allows, and returns the items of all parts in order.
func (x *Extractor) extract(ctx context.Context, window int, text, summary string, mems []Memory, ref time.Time) ([]item, error) {
	_, offset := ref.Zone()
	d := data{
		Today:   ref.Format("Monday, 2006-01-02"),
		Time:    ref.Format("15:04"),
		Zone:    fmt.Sprintf("%s, UTC%s", ref.Location(), formatOffset(offset)),
		Summary: summary,
		Context: mems,
		Part:    99, Parts: 99,
	}
	reserve := min(1024, window/4)
	var sys string
	var budget int
	for {
		var err error
		if sys, err = x.p.Render("system", d); err != nil {
			return nil, err
		}
		user, err := x.p.Render("user", d)
		if err != nil {
			return nil, err
		}
		budget = window - reserve - llm.EstimateTokens(sys) - llm.EstimateTokens(user) - schemaTokens() - 16
		if budget >= window/8 || len(d.Context) == 0 {
			break
		}
		d.Context = d.Context[:len(d.Context)-1]
	}
	if budget < 64 {
		return nil, fmt.Errorf("a context window of %d tokens %w", window, errNoRoom)
	}
	parts := llm.Split(text, budget)
	results := make([][]item, len(parts))
	errs := make([]error, len(parts))
	sem := make(chan struct{}, x.opt.Jobs)
	var wg sync.WaitGroup
	for i, part := range parts {
		pd := d
		pd.Text, pd.Part, pd.Parts = part, i+1, len(parts)
		user, err := x.p.Render("user", pd)
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var a answer
			req := llm.Request{Messages: []llm.Message{llm.System(sys), llm.User(user)}, MaxTokens: reserve}
			errs[i] = x.m.Structured(ctx, req, "tasks", schema, &a)
			results[i] = a.Tasks
		}()
	}
	wg.Wait()
	var all []item
	for i := range parts {
		if errs[i] != nil {
			if len(parts) > 1 {
				return nil, fmt.Errorf("part %d of %d: %w", i+1, len(parts), errs[i])
			}
			return nil, errs[i]
		}
		all = append(all, results[i]...)
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
