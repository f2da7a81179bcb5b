// Package ask provides one way to ask a model about a record's text, for
// the tools that do (summarize, tasks): an Asker (the model, the prompt and
// the options they share), the text at the field they read, the related
// memories of a record's "context", the budget a context window leaves for
// text once the prompt is in, a second try split smaller when the server
// cut a request, the parts of a long text asked about a few at once, and
// the provenance of the fields an answer wrote.
package ask

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/safetext"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/tidwall/gjson"
)

// Model is what asking needs of a model client (*llm.Client).
type Model interface {
	Model(ctx context.Context) (string, error)
	Window(ctx context.Context) int
	Structured(ctx context.Context, req llm.Request, name string, schema *llm.Schema, out any) error
}

// Asker asks one model, with one prompt, about the text of records. Each
// tool that does keeps one, typed by its own interface to the model (M).
type Asker[M Model] struct {
	Model  M
	Prompt *prompt.Prompt
	Options
}

// New returns an Asker; the options' unset fields get their defaults, Tool
// the tool's name.
func New[M Model](tool string, m M, p *prompt.Prompt, opt Options) *Asker[M] {
	return &Asker[M]{Model: m, Prompt: p, Options: opt.withDefaults(tool)}
}

// Options are the options every tool that asks about a record's text
// takes; each tool's own options embed them.
type Options struct {
	Tool  string           // names the tool in provenance and errors
	Field string           // gjson path of the text (default "text")
	Jobs  int              // parts asked about at once (default 1)
	Now   func() time.Time // for provenance (default time.Now)
	// ContextLength is the --context-length the person gave (0: none). The
	// model client splits for the smaller of it and the server's window, so
	// a window of that size is theirs.
	ContextLength int
	// BadSetting makes the error of a setting the person gave that is wrong
	// (tool.Env.BadSetting: exit 64 for a flag, 78 from the environment or a
	// file; default: 64).
	BadSetting func(name, format string, args ...any) error
	// OnCut hears when the server cut a request of a text and the text is
	// worked on again, split for a window of that many tokens.
	OnCut func(line, window int)
}

// withDefaults returns o with its unset fields set, Tool to tool.
func (o Options) withDefaults(tool string) Options {
	if o.Tool == "" {
		o.Tool = tool
	}
	if o.Field == "" {
		o.Field = "text"
	}
	if o.Jobs < 1 {
		o.Jobs = 1
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BadSetting == nil {
		o.BadSetting = func(name, format string, args ...any) error {
			return sysexits.Errorf(sysexits.Usage, "", "--"+name+" "+format, args...)
		}
	}
	return o
}

// Text returns the text at the record's Field; ok is false when there is
// none to ask about: no such field, not a string, or only white space.
func (o Options) Text(rec *record.Record) (text string, ok bool) {
	t := rec.Get(o.Field)
	if !t.Exists() || t.Type.String() != "String" || strings.TrimSpace(t.Str) == "" {
		return "", false
	}
	return t.Str, true
}

// Memory is a related memory from a record's "context"; the prompt
// templates see its fields as .Context's .Title, .Snippet and .Created.
type Memory struct {
	Title, Snippet, Created string
}

// Memories returns the related memories of a record's "context", in
// order, and what is wrong with the context ("" when nothing): one that
// is not a list is left out whole, and entries of it that are not objects
// are left out, and said so.
func Memories(rec *record.Record) ([]Memory, string) {
	c := rec.Get("context")
	if !c.Exists() || c.Type == gjson.Null {
		return nil, ""
	}
	if !c.IsArray() {
		return nil, fmt.Sprintf(`the record's "context" is not a list of memories (%s); it is left out`, safetext.Clip(c.Raw, 40))
	}
	var out []Memory
	bad := 0
	for _, m := range c.Array() {
		if !m.IsObject() {
			bad++
			continue
		}
		out = append(out, Memory{Title: m.Get("title").String(), Snippet: m.Get("snippet").String(), Created: m.Get("created").String()})
	}
	if bad > 0 {
		return out, fmt.Sprintf(`%d of the %d entries of the record's "context" are not memories (objects); they are left out`, bad, bad+len(out))
	}
	return out, ""
}

// SetProvenance records, for each of fields, that the model of that name
// wrote it with the Asker's prompt, now. A record whose "provenance" is not
// an object, as the contract has it, gets one in its place (null is none),
// and a warning in its errors that says what it was.
func (a *Asker[M]) SetProvenance(rec *record.Record, model string, fields ...string) error {
	if p := rec.Get("provenance"); p.Exists() && !p.IsObject() {
		if err := rec.Set("provenance", struct{}{}); err != nil {
			return err
		}
		if p.Type != gjson.Null {
			rec.AppendError(a.Tool, fmt.Sprintf(`the record's "provenance" was not an object (%s); it is replaced by one`, safetext.Clip(p.Raw, 40)))
		}
	}
	prov := record.Provenance{Tool: a.Tool, Model: model, Prompt: a.Prompt.Hash, At: a.Now().UTC().Format(time.RFC3339)}
	for _, f := range fields {
		if err := rec.Set("provenance."+f, prov); err != nil {
			return err
		}
	}
	return nil
}
