package vault

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/safetext"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tasks"
	"github.com/tidwall/gjson"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Template is the built-in template of the filer: the folder-choice
// request and the note body.
//
//go:embed file.tmpl
var Template string

// Inbox is the folder for notes that fit nowhere else.
const Inbox = "inbox"

// Model is what the filer needs of a model client (*llm.Client).
type Model interface {
	Model(ctx context.Context) (string, error)
	Structured(ctx context.Context, req llm.Request, name string, schema *llm.Schema, out any) error
}

// Options tune a Filer.
type Options struct {
	Tool     string // names the tool in errors (default "file")
	Folder   string // file every note here (a person's choice; sanitized)
	AllowNew bool   // the model may propose a new folder
	DryRun   bool   // decide, write nothing
	Force    bool   // overwrite notes the person edited
	Now      func() time.Time
	Warn     func(line int, msg string)
	// Hint says what to do about a warning (an *EditedError), in the
	// tool's words; "" for nothing.
	Hint func(warning error) string
}

// Filer files records into a vault.
type Filer struct {
	v       *Vault
	root    *os.Root
	ix      *Index
	m       Model // nil when the folder is fixed
	p       *prompt.Prompt
	opt     Options
	folders []string
	mu      sync.Mutex // one record writes at a time
}

// NewFiler returns a filer for v, its index ix and the template p. m may be
// nil when opt.Folder is set.
func NewFiler(v *Vault, ix *Index, m Model, p *prompt.Prompt, opt Options) (*Filer, error) {
	if opt.Tool == "" {
		opt.Tool = "file"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Warn == nil {
		opt.Warn = func(int, string) {}
	}
	if opt.Hint == nil {
		opt.Hint = func(error) string { return "" }
	}
	root, err := os.OpenRoot(v.Root)
	if err != nil {
		return nil, sysexits.New(sysexits.CantCreate, "", err)
	}
	folders, err := v.Folders()
	if err != nil {
		return nil, sysexits.New(sysexits.CantCreate, "", fmt.Errorf("list the vault's folders: %w", err))
	}
	f := &Filer{v: v, root: root, ix: ix, m: m, p: p, opt: opt, folders: folders}
	f.opt.Folder = f.spelled(opt.Folder)
	return f, nil
}

// spelled returns a folder path as the vault spells it. Names are compared
// in Unicode NFC, then, failing that, without case: each leading piece
// that names one of the vault's folders takes that folder's name as it is
// on disk (where another system may have written "Café" with a combining
// accent, or the person "clients" where a model says "Clients": a second
// folder would stand beside it on a case-sensitive file system and be the
// same one on a case-insensitive one), and the rest, a new folder, is NFC.
func (f *Filer) spelled(folder string) string {
	if folder == "" {
		return ""
	}
	fold := cases.Fold()
	exact, folded := map[string]string{}, map[string]string{}
	for _, d := range f.folders { // sorted: of two spellings, the first wins
		k := norm.NFC.String(d)
		if exact[k] == "" {
			exact[k] = d
		}
		if k = fold.String(k); folded[k] == "" {
			folded[k] = d
		}
	}
	parts := strings.Split(norm.NFC.String(folder), "/")
	out := ""
	for i := range parts {
		k := norm.NFC.String(path.Join(out, parts[i]))
		d, ok := exact[k]
		if !ok {
			d, ok = folded[fold.String(k)]
		}
		if !ok {
			return path.Join(out, strings.Join(parts[i:], "/"))
		}
		out = d
	}
	return out
}

// Close releases the vault.
func (f *Filer) Close() error { return f.root.Close() }

// task is a task of the note: Link, made by shelf, goes to where it was
// said; NotFound is true when the record says its words are not in the
// text (grounded false).
type task struct {
	Title, Due, For, Flag, Link string
	NotFound                    bool
}

// segment is a transcript line: Anchor is the block id it takes when a
// task links to it.
type segment struct{ Clock, Text, Anchor string }

// unsupported is what the summary and the title say that the text does
// not contain (the record's checks), each a Markdown line.
type unsupported struct{ Summary, Title []string }

type noteData struct {
	Title, Summary, Text, Source string
	Tasks                        []task
	Segments                     []segment
	// Where names what the note shows of the record's text:
	// "transcript" (with segments) or "text".
	Where       string
	Unsupported *unsupported // nil when the checks found nothing
}

type choiceData struct {
	Title, Summary string
	Tags           []string
	Folders        []string
	Related        []string
	AllowNew       bool
}

// HasNote reports whether a record has something to file: a text, a
// summary or a title.
func HasNote(rec *record.Record) bool {
	return strings.TrimSpace(rec.Get("text").String()) != "" || strings.TrimSpace(rec.Get("summary").String()) != "" ||
		safetext.Title(rec.Get("title").String()) != ""
}

// Record files one record (a pipeline.Func): it writes or updates the note
// and adds "path", "folder", "title" and "tags" (and "id" when the record
// has none). A record with nothing to file (no text, summary or title)
// passes through untouched. What the record says goes into the note as
// text that cannot forge its structure: the title, tags and created are one
// line (the title without invisible characters, safetext.Title; the tags
// Obsidian's, noteTags; created only when it is a time or a date), and the
// body's Markdown escapes whatever a model wrote (noteData).
func (f *Filer) Record(ctx context.Context, rec *record.Record) error {
	if !HasNote(rec) {
		return nil
	}
	text := rec.Get("text").String()
	summary := strings.TrimSpace(rec.Get("summary").String())
	title := safetext.Title(rec.Get("title").String())
	id := rec.Get("id").String()
	if id == "" {
		id = record.ContentID(rec.Get("source").String(), text)
		if err := rec.Set("id", id); err != nil {
			return err
		}
	}
	if title == "" {
		title = safetext.Title(deriveTitle(text, summary))
	}
	var tags []string
	for _, t := range rec.Get("tags").Array() {
		tags = append(tags, t.String())
	}
	tags, warnings := noteTags(record.NormalizeTags(tags))
	created, createdText, err := parseCreated(rec.Get("created"))
	if err != nil {
		warnings = append(warnings, err.Error())
	}
	hasCreated := createdText != ""
	if !hasCreated {
		created = f.opt.Now()
		createdText = created.Format(time.RFC3339)
	}

	d, dropped := f.noteData(rec, title, summary, text)
	warnings = append(warnings, dropped...)
	body, err := f.p.Render("note", d)
	if err != nil {
		return err
	}
	body += "\n"

	// Where it goes: the note this id already has, wherever it is now;
	// else the folder given; else the model's choice.
	f.mu.Lock()
	existing, found, err := f.ix.Lookup(id)
	f.mu.Unlock()
	if err != nil {
		return sysexits.New(sysexits.CantCreate, "", fmt.Errorf("read the vault: %w", err))
	}
	folder := f.opt.Folder
	if found {
		folder = path.Dir(existing)
		if folder == "." {
			folder = ""
		}
	} else if folder == "" {
		if folder, err = f.choose(ctx, rec, title, summary, tags); err != nil {
			return err
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	fm := FrontMatter{ID: id, Title: title, Created: createdText, Source: rec.Get("source").String(), Tags: tags}
	rel, warning, err := f.write(placement{fm: fm, hasCreated: hasCreated, created: created, body: body, folder: folder, existing: existing, found: found})
	if err != nil {
		return err
	}
	if warning != "" {
		warnings = append(warnings, warning)
	}
	for _, w := range warnings {
		rec.AppendError(f.opt.Tool, w)
		f.opt.Warn(rec.Line, w)
	}
	for _, kv := range []struct {
		k string
		v any
	}{{"path", rel}, {"folder", folder}, {"title", title}, {"tags", tags}} {
		if err := rec.Set(kv.k, kv.v); err != nil {
			return err
		}
	}
	return nil
}

// parseCreated reads a record's "created": an RFC 3339 time or a date,
// returned with its text. A record without one (no field, null, "") gives
// no text; anything else is an error, and is written nowhere.
func parseCreated(c gjson.Result) (time.Time, string, error) {
	if !c.Exists() || c.Type == gjson.Null || (c.Type == gjson.String && c.Str == "") {
		return time.Time{}, "", nil
	}
	shown := safetext.Clip(c.Raw, 40)
	if c.Type == gjson.String {
		for _, layout := range []string{time.RFC3339, time.DateOnly} {
			if t, err := time.Parse(layout, c.Str); err == nil {
				return t, c.Str, nil
			}
		}
		shown = strconv.Quote(safetext.Clip(c.Str, 40))
	}
	return time.Time{}, "", fmt.Errorf("created: %s is neither an RFC 3339 time nor a date; it was not written into the note", shown)
}

// noteTags makes the record's tags tags Obsidian takes (safetext.MarkdownTag:
// no dots, no empty levels, not digits alone), and says which it changed or
// left out.
func noteTags(tags []string) ([]string, []string) {
	out := []string{}
	var warnings []string
	for _, t := range tags {
		tag := safetext.MarkdownTag(t)
		switch {
		case tag == "":
			warnings = append(warnings, fmt.Sprintf("tag %q is left out: it makes no Obsidian tag", safetext.Clip(t, 40)))
			continue
		case tag != t:
			warnings = append(warnings, fmt.Sprintf("tag %q is written %q, as Obsidian takes it", safetext.Clip(t, 40), tag))
		}
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	return out, warnings
}

func deriveTitle(text, summary string) string {
	src := summary
	if src == "" {
		src = text
	}
	words := strings.Fields(safetext.Title(src))
	if len(words) == 0 {
		return "Untitled note"
	}
	if len(words) > 8 {
		words = words[:8]
	}
	return strings.TrimRight(strings.Join(words, " "), ".,;:")
}

// noteData is what the note template gets. What a model wrote (the title,
// the summary, the tasks, the transcript, the claims the checks found
// unsupported) is Markdown that reads as its own text
// (safetext.MarkdownLine, MarkdownItem, MarkdownTask, MarkdownBlock), so
// that it can start no line, task, tag, link, comment, block id or Tasks
// field of its own; the record's text keeps its Markdown (it is the
// person's) and loses only control characters. Each task links to the transcript line or the
// paragraph of the text where its evidence starts (placeTasks); a task
// whose words were not found (grounded false) says so. A task's due that
// is not a date or an RFC 3339 time is left out, with a warning, and so is
// a part of "checks" that is not of its type (claims), and a task whose
// evidence is there but does not hold (no quote of the text at its
// offsets) gets no link, with a warning.
func (f *Filer) noteData(rec *record.Record, title, summary, text string) (noteData, []string) {
	d := noteData{
		Title:   safetext.MarkdownLine(title),
		Summary: safetext.MarkdownBlock(summary),
		Source:  safetext.Line(rec.Get("source").String()),
		Where:   "text",
	}
	var segTexts []string
	for _, s := range rec.Get("segments").Array() {
		sec := int(s.Get("start").Float())
		d.Segments = append(d.Segments, segment{Clock: fmt.Sprintf("%02d:%02d", sec/60, sec%60), Text: safetext.MarkdownLine(s.Get("text").String())})
		segTexts = append(segTexts, s.Get("text").String())
	}
	var lines []textLine
	if len(d.Segments) > 0 {
		d.Where = "transcript"
	} else {
		lines = textLines(text)
	}
	recTasks := rec.Get("tasks").Array()
	links := placeTasks(text, recTasks, d.Segments, segTexts, lines)
	starts := quoteStarts(text, recTasks)
	var shown []string
	for _, l := range lines {
		shown = append(shown, l.text)
	}
	d.Text = strings.Join(shown, "\n")
	var u unsupported
	var warnings []string
	u.Summary, u.Title, warnings = claims(rec.Get("checks"))
	if u.Summary != nil || u.Title != nil {
		d.Unsupported = &u
	}
	for i, t := range recTasks {
		if !t.IsObject() || strings.TrimSpace(t.Get("title").String()) == "" {
			warnings = append(warnings, fmt.Sprintf("task %d is not a task with a title (%s); left out of the note", i+1, safetext.Clip(safetext.Line(t.Raw), 40)))
			continue
		}
		notFound := t.Get("grounded").Type == gjson.False
		tk := task{Title: safetext.MarkdownTask(t.Get("title").String()), For: safetext.MarkdownTask(t.Get("for").String()), Flag: tasks.PriorityFlags[t.Get("priority").String()], NotFound: notFound}
		if !notFound {
			tk.Link = links[i]
		}
		if e := t.Get("evidence"); e.Exists() && e.Type != gjson.Null && starts[i] < 0 {
			warnings = append(warnings, fmt.Sprintf("task %q: its evidence is not a quote of the text with its character offsets (%s); no link to where it was said", safetext.Clip(safetext.Line(t.Get("title").String()), 60), safetext.Clip(safetext.Line(e.Raw), 60)))
		}
		if due := t.Get("due").String(); due != "" {
			if validDue(due) {
				tk.Due = due
			} else {
				warnings = append(warnings, fmt.Sprintf("task %q: due %q is not a date; left out of the note", safetext.Clip(safetext.Line(t.Get("title").String()), 60), safetext.Clip(due, 40)))
			}
		}
		d.Tasks = append(d.Tasks, tk)
	}
	return d, warnings
}

// claims reads a record's "checks" for what the summary and the title say
// that the text does not, each a Markdown line (MarkdownItem), and says
// which part is not of the type shelf(7) gives it (checks, checks.summary
// and checks.title objects, their unsupported lists of strings): such a
// part is left out of the note, with a warning. null is none.
func claims(checks gjson.Result) (summary, title []string, warnings []string) {
	wrong := func(what, want string, v gjson.Result) {
		warnings = append(warnings, fmt.Sprintf("%s is not %s (%s); left out of the note", what, want, safetext.Clip(safetext.Line(v.Raw), 40)))
	}
	if !checks.Exists() || checks.Type == gjson.Null {
		return nil, nil, nil
	}
	if !checks.IsObject() {
		wrong("checks", "an object", checks)
		return nil, nil, warnings
	}
	list := func(field string) []string {
		part := checks.Get(field)
		if !part.Exists() || part.Type == gjson.Null {
			return nil
		}
		if !part.IsObject() {
			wrong("checks."+field, "an object", part)
			return nil
		}
		un := part.Get("unsupported")
		if !un.Exists() || un.Type == gjson.Null {
			return nil
		}
		if !un.IsArray() {
			wrong("checks."+field+".unsupported", "a list", un)
			return nil
		}
		var out []string
		for i, c := range un.Array() {
			if c.Type != gjson.String {
				wrong(fmt.Sprintf("claim %d of checks.%s.unsupported", i+1, field), "a string", c)
				continue
			}
			if l := safetext.MarkdownItem(c.Str); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	summary = list("summary")
	title = list("title")
	return summary, title, warnings
}

// validDue reports whether a task's due is what the contract says it is:
// an ISO date or an RFC 3339 time.
func validDue(s string) bool {
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// choose asks the model for the note's folder: one of the vault's (or
// inbox), or with AllowNew a new one, one level deep.
//
// The folders are offered in NFC, and the answer is taken back to the
// vault's spelling (spelled).
func (f *Filer) choose(ctx context.Context, rec *record.Record, title, summary string, tags []string) (string, error) {
	options := []string{Inbox}
	for _, d := range f.folders {
		options = append(options, norm.NFC.String(d))
	}
	slices.Sort(options)
	options = slices.Compact(options)
	if len(options) == 1 && !f.opt.AllowNew {
		return f.spelled(Inbox), nil // nothing to choose from
	}
	var related []string
	for _, c := range rec.Get("context").Array() {
		if p := c.Get("path").String(); p != "" {
			if dir := norm.NFC.String(path.Dir(p)); dir != "." && dir != Inbox && slices.Contains(options, dir) && !slices.Contains(related, dir) {
				related = append(related, dir)
			}
		}
	}
	d := choiceData{Title: title, Summary: summary, Tags: tags, Folders: options, Related: related, AllowNew: f.opt.AllowNew}
	sys, err := f.p.Render("system", d)
	if err != nil {
		return "", err
	}
	user, err := f.p.Render("user", d)
	if err != nil {
		return "", err
	}
	schema := &llm.Schema{Type: "object", Order: []string{"folder"}, Properties: map[string]*llm.Schema{
		"folder": {Type: "string", Enum: options},
	}}
	if f.opt.AllowNew {
		schema.Properties["folder"] = &llm.Schema{Type: "string", MinLength: llm.Int(1), MaxLength: llm.Int(60)}
	}
	var a struct {
		Folder string `json:"folder"`
	}
	if err := f.m.Structured(ctx, llm.Request{Messages: []llm.Message{llm.System(sys), llm.User(user)}, MaxTokens: 256}, "folder", schema, &a); err != nil {
		return "", err
	}
	if slices.Contains(options, a.Folder) {
		return f.spelled(a.Folder), nil
	}
	// A new folder (AllowNew): one safe name, one level deep, unless it is
	// one of the vault's once both are NFC.
	if name := SafeName(a.Folder, 60); name != "" {
		return f.spelled(name), nil
	}
	return f.spelled(Inbox), nil
}

// EditedError is why a note is left as it is: the person edited it since
// shelf wrote it (its bytes no longer match its shelf-hash). Filing the
// record then is a warning, not a failure.
type EditedError struct{ Path string }

func (e *EditedError) Error() string {
	return fmt.Sprintf("note %s was edited since shelf wrote it; left as it is", e.Path)
}

// edited is the warning about a note the person edited, with the tool's
// hint (Options.Hint) in parentheses.
func (f *Filer) edited(rel string) string {
	w := &EditedError{Path: rel}
	if h := f.opt.Hint(w); h != "" {
		return w.Error() + " (" + h + ")"
	}
	return w.Error()
}

// placement is what write puts in the vault.
type placement struct {
	fm         FrontMatter
	hasCreated bool      // the record has a created of its own
	created    time.Time // when the record was made (or filed)
	body       string
	folder     string // where a new note goes
	existing   string // the note of the record, when found
	found      bool
}

// write puts the note in place and returns its vault-relative path, or a
// warning when the note was edited by the person and is left alone.
func (f *Filer) write(n placement) (rel, warning string, err error) {
	if n.found {
		return f.update(n)
	}
	rel, err = f.place(n)
	return rel, "", err
}

// update rewrites the record's note, unless the person edited it (then a
// warning says so). The note keeps its aliases, and its created when the
// record has none (hasCreated false), so that filing a record again
// changes nothing.
func (f *Filer) update(n placement) (string, string, error) {
	note, err := f.root.ReadFile(n.existing)
	if err != nil {
		return "", "", sysexits.New(sysexits.CantCreate, "", fmt.Errorf("read %s: %w", n.existing, err))
	}
	fm := n.fm
	if old, _, err := Parse(note); err == nil && old != nil {
		fm.Aliases = old.Aliases // keep the name the note had
		if !n.hasCreated && old.Created != "" {
			fm.Created = old.Created
		}
	}
	if !Unchanged(note) && !f.opt.Force {
		return n.existing, f.edited(n.existing), nil
	}
	data, err := Render(fm, n.body)
	if err != nil {
		return "", "", err
	}
	if string(data) == string(note) || f.opt.DryRun {
		return n.existing, "", nil
	}
	return n.existing, "", f.replace(n.existing, data)
}

// place writes a new note into n.folder under the first free name of
// YYYY-MM-DD-slug.md, -2.md, -3.md, ...: a name that anything has (a note,
// a folder, a symlink, even one that leads nowhere) is taken, and never
// written through.
func (f *Filer) place(n placement) (string, error) {
	fm := n.fm
	if n.folder != "" {
		if _, err := f.v.Inside(n.folder); err != nil {
			return "", sysexits.New(sysexits.CantCreate, "", err)
		}
	}
	base := n.created.Format("2006-01-02")
	if s := Slug(fm.Title, 80); s != "" {
		base += "-" + s
	}
	if base != fm.Title {
		fm.Aliases = []string{fm.Title}
	}
	data, err := Render(fm, n.body)
	if err != nil {
		return "", err
	}
	if !f.opt.DryRun && n.folder != "" {
		if err := f.root.MkdirAll(n.folder, 0o755); err != nil {
			return "", sysexits.New(sysexits.CantCreate, "check that the vault can be written", fmt.Errorf("create folder %s: %w", n.folder, err))
		}
	}
	for i := 1; i < 1000; i++ {
		name := base + ".md"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.md", base, i)
		}
		rel := path.Join(n.folder, name)
		if _, err := f.root.Lstat(rel); err == nil {
			continue // taken
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", sysexits.New(sysexits.CantCreate, "", fmt.Errorf("write %s: %w", rel, err))
		}
		if _, err := f.v.Inside(rel); err != nil {
			return "", sysexits.New(sysexits.CantCreate, "", err)
		}
		if f.opt.DryRun {
			return rel, nil
		}
		err := f.create(rel, data)
		if errors.Is(err, fs.ErrExist) {
			continue // taken since
		}
		if err != nil {
			return "", err
		}
		f.ix.Put(fm.ID, rel)
		return rel, nil
	}
	return "", sysexits.Errorf(sysexits.CantCreate, "", "no free name for %s in %s", base, n.folder)
}

// temp writes data to a new temporary file beside rel, synced to disk.
func (f *Filer) temp(rel string, data []byte) (string, error) {
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := path.Join(path.Dir(rel), "."+path.Base(rel)+".shelf-"+hex.EncodeToString(rnd[:]))
	fh, err := f.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", sysexits.New(sysexits.CantCreate, "check that the vault can be written", fmt.Errorf("write %s: %w", rel, err))
	}
	_, werr := fh.Write(data)
	serr := fh.Sync()
	cerr := fh.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		f.root.Remove(tmp)
		return "", sysexits.New(sysexits.CantCreate, "", fmt.Errorf("write %s: %w", rel, err))
	}
	return tmp, nil
}

// create publishes a new note without ever replacing an existing file
// (a hard link fails if the name is taken), then syncs the folder.
func (f *Filer) create(rel string, data []byte) error {
	tmp, err := f.temp(rel, data)
	if err != nil {
		return err
	}
	defer f.root.Remove(tmp)
	if err := f.root.Link(tmp, rel); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		if !errors.Is(err, syscall.EPERM) && !errors.Is(err, syscall.ENOTSUP) {
			return sysexits.New(sysexits.CantCreate, "", fmt.Errorf("write %s: %w", rel, err))
		}
		// A file system without hard links: an exclusive create instead.
		if _, err := f.root.Lstat(rel); err == nil {
			return fs.ErrExist
		}
		if err := f.root.Rename(tmp, rel); err != nil {
			return sysexits.New(sysexits.CantCreate, "", fmt.Errorf("write %s: %w", rel, err))
		}
	}
	return f.syncDir(path.Dir(rel))
}

// replace swaps a note for its new version atomically.
func (f *Filer) replace(rel string, data []byte) error {
	tmp, err := f.temp(rel, data)
	if err != nil {
		return err
	}
	if err := f.root.Rename(tmp, rel); err != nil {
		f.root.Remove(tmp)
		return sysexits.New(sysexits.CantCreate, "", fmt.Errorf("write %s: %w", rel, err))
	}
	return f.syncDir(path.Dir(rel))
}

func (f *Filer) syncDir(dir string) error {
	d, err := f.root.Open(dir)
	if err != nil {
		return sysexits.New(sysexits.CantCreate, "", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return sysexits.New(sysexits.CantCreate, "", fmt.Errorf("sync %s: %w", dir, err))
	}
	return nil
}
