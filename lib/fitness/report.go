package fitness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shelfai/shelf/lib/safetext"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// The thresholds of the recommendation: a model is good enough for a
// tool when every one of its figures holds.
const (
	MinTaskRecall    = 0.80  // true tasks found
	MinTaskPrecision = 0.80  // found tasks that are true
	MinDueRight      = 0.80  // matched tasks with the right due date
	MaxSchemaFailed  = 0.025 // memos whose answer never matched the schema (1 in 40)
	MinFactsKept     = 0.80  // facts a summary must keep
	MaxInvented      = 0.10  // memos whose summary invents a fact (4 in 40)
	MinWellFormed    = 0.90  // titles and tags well formed
	MinLength        = 0.90  // summaries within the brief style
	MinFolderRight   = 0.80  // notes filed in the right folder
	MinRecallAt5     = 0.80  // questions whose memo is among the first five recalled
)

// Thresholds are the constants above, for results.json.
var Thresholds = map[string]float64{
	"min_task_recall": MinTaskRecall, "min_task_precision": MinTaskPrecision, "min_due_right": MinDueRight,
	"max_schema_failed": MaxSchemaFailed, "min_facts_kept": MinFactsKept, "max_invented": MaxInvented,
	"min_well_formed": MinWellFormed, "min_length": MinLength, "min_folder_right": MinFolderRight,
	"min_recall_at_5": MinRecallAt5,
}

// Recommend is one plain line on a model: what it is good enough for, and
// why not for the rest.
func Recommend(r *Result) string {
	if r.Error != "" {
		return fmt.Sprintf("%s: not measured: %s", r.Model, r.Error)
	}
	var good, bad []string
	judge := func(area string, why []string) {
		if len(why) == 0 {
			good = append(good, area)
		} else {
			bad = append(bad, area+" ("+strings.Join(why, "; ")+")")
		}
	}
	var why []string
	low := func(v Ratio, min float64, what string) {
		if v.Known() && v.Value() < min {
			why = append(why, fmt.Sprintf("%s %d of %d", what, v.Num, v.Den))
		}
	}
	why = nil
	low(r.Tasks.Recall, MinTaskRecall, "finds")
	low(r.Tasks.Precision, MinTaskPrecision, "of its tasks true:")
	low(r.Tasks.DueRight, MinDueRight, "due dates right:")
	if r.Memos > 0 && float64(r.Tasks.SchemaFailed)/float64(r.Memos) > MaxSchemaFailed {
		why = append(why, fmt.Sprintf("answers off the schema in %d of %d memos", r.Tasks.SchemaFailed, r.Memos))
	}
	judge("tasks", why)
	why = nil
	if v := r.Summaries.Invented; v.Known() && v.Value() > MaxInvented {
		why = append(why, fmt.Sprintf("they invent facts in %d of %d memos", v.Num, v.Den))
	}
	low(r.Summaries.FactsKept, MinFactsKept, "facts kept:")
	low(r.Summaries.WellFormed, MinWellFormed, "titles and tags well formed:")
	low(r.Summaries.Length, MinLength, "within the style:")
	judge("summaries", why)
	why = nil
	low(r.Folder, MinFolderRight, "right folder:")
	judge("filing", why)
	why = nil
	low(r.RecallAt5, MinRecallAt5, "questions answered:")
	judge("memory", why)
	var b strings.Builder
	b.WriteString(r.Model + ": ")
	switch {
	case len(bad) == 0:
		b.WriteString("good enough for the whole pipeline")
	case len(good) == 0:
		b.WriteString("not good enough for any part")
	default:
		b.WriteString("good enough for " + list(good))
	}
	if len(bad) > 0 {
		if len(good) > 0 {
			b.WriteString("; not for ")
		} else {
			b.WriteString(": ")
		}
		b.WriteString(list(bad))
	}
	return b.String()
}

func list(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// row is one line of the table: a label and a cell per model.
type row struct {
	label string
	cell  func(r *Result) string
}

func ratio(get func(r *Result) Ratio) func(r *Result) string {
	return func(r *Result) string { return get(r).String() }
}

func count(get func(r *Result) Ratio) func(r *Result) string {
	return func(r *Result) string {
		v := get(r)
		if !v.Known() {
			return "n/a"
		}
		return fmt.Sprintf("%d of %d", v.Num, v.Den)
	}
}

func number(format string, get func(r *Result) float64, known func(r *Result) bool) func(r *Result) string {
	return func(r *Result) string {
		if known != nil && !known(r) {
			return "n/a"
		}
		return fmt.Sprintf(format, get(r))
	}
}

func hasUsage(r *Result) bool { return r.Speed.UsageReported }

var rows = []row{
	{"tasks found (recall)", ratio(func(r *Result) Ratio { return r.Tasks.Recall })},
	{"tasks true (precision)", ratio(func(r *Result) Ratio { return r.Tasks.Precision })},
	{"due dates right", ratio(func(r *Result) Ratio { return r.Tasks.DueRight })},
	{"for whom right", ratio(func(r *Result) Ratio { return r.Tasks.ForRight })},
	{"tasks grounded", ratio(func(r *Result) Ratio { return r.Tasks.Grounded })},
	{"repair rounds", number("%.0f", func(r *Result) float64 { return float64(r.Tasks.Repairs) }, nil)},
	{"off the schema (memos)", number("%.0f", func(r *Result) float64 { return float64(r.Tasks.SchemaFailed) }, nil)},
	{"summary facts kept", ratio(func(r *Result) Ratio { return r.Summaries.FactsKept })},
	{"summaries inventing facts", count(func(r *Result) Ratio { return r.Summaries.Invented })},
	{"title and tags well formed", ratio(func(r *Result) Ratio { return r.Summaries.WellFormed })},
	{"summary length in style", ratio(func(r *Result) Ratio { return r.Summaries.Length })},
	{"folder right", ratio(func(r *Result) Ratio { return r.Folder })},
	{"recall@5", ratio(func(r *Result) Ratio { return r.RecallAt5 })},
	{"MRR", number("%.2f", func(r *Result) float64 { return r.MRR }, func(r *Result) bool { return r.Questions > 0 })},
	{"transcribe WER", func(r *Result) string {
		if r.Transcribe == nil {
			return "n/a"
		}
		return r.Transcribe.WER.String()
	}},
	{"records failed", number("%.0f", func(r *Result) float64 { return float64(r.Failed) }, nil)},
	{"seconds per memo", number("%.2f", func(r *Result) float64 { return r.Speed.SecondsPerMemo }, nil)},
	{"prompt tokens per memo", number("%.0f", func(r *Result) float64 { return r.Speed.PromptPerMemo }, hasUsage)},
	{"completion tokens per memo", number("%.0f", func(r *Result) float64 { return r.Speed.CompletionPerMemo }, hasUsage)},
	{"tokens per second", number("%.1f", func(r *Result) float64 { return r.Speed.TokensPerSecond }, hasUsage)},
	{"quality", number("%.2f", func(r *Result) float64 { return r.Quality() }, nil)},
}

// Table writes the results as a text table, a column per model.
func Table(w io.Writer, results []*Result) error {
	width := 0
	for _, r := range rows {
		width = max(width, len(r.label))
	}
	cols := make([]int, len(results))
	for i, res := range results {
		cols[i] = max(len([]rune(res.Model)), 8)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%-*s", width, "")
	for i, res := range results {
		fmt.Fprintf(&b, "  %*s", cols[i], res.Model)
	}
	b.WriteByte('\n')
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s", width, r.label)
		for i, res := range results {
			fmt.Fprintf(&b, "  %*s", cols[i], cell(r, res))
		}
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

func cell(r row, res *Result) string {
	if res.Error != "" {
		return "-"
	}
	return r.cell(res)
}

// Markdown writes the results as a Markdown table, and the
// recommendations.
func Markdown(w io.Writer, results []*Result) error {
	var b bytes.Buffer
	b.WriteString("| |")
	for _, res := range results {
		b.WriteString(" " + mdCell(res.Model) + " |")
	}
	b.WriteString("\n|---|")
	for range results {
		b.WriteString("---:|")
	}
	b.WriteByte('\n')
	for _, r := range rows {
		b.WriteString("| " + r.label + " |")
		for _, res := range results {
			b.WriteString(" " + mdCell(cell(r, res)) + " |")
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	for _, res := range results {
		b.WriteString("- " + mdCell(Recommend(res)) + "\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// mdCell is s as a cell of a Markdown table: one line, its control and
// bidirectional formatting characters shown as escapes (safetext.Visible),
// | escaped.
func mdCell(s string) string {
	return strings.ReplaceAll(safetext.Visible(s), "|", `\|`)
}

// mdLine is s as Markdown text in one line of wrong.md: its control and
// bidirectional formatting characters shown as escapes
// (safetext.Visible), then escaped as safetext.MarkdownLine escapes, so
// that what a model or transcribe said can start no heading, list item,
// link or HTML of its own.
func mdLine(s string) string {
	return safetext.MarkdownLine(safetext.Visible(s))
}

// MaxShown is how many characters of an answer wrong.md shows.
const MaxShown = 1000

// shown is s cut to MaxShown characters, saying how many more it had.
func shown(s string) string {
	if n := utf8.RuneCountInString(s); n > MaxShown {
		return safetext.Clip(s, MaxShown) + fmt.Sprintf(" (%d more characters)", n-MaxShown)
	}
	return s
}

// jsonEscapes writes, in JSON that encoding/json made, the characters
// it leaves raw that a terminal or an editor would act on (DEL, the C1
// controls, the bidirectional embeddings, overrides and isolates) as
// \u escapes: outside strings JSON has only ASCII, and inside one the
// escape decodes to the same character.
func jsonEscapes(js []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(js))
	for _, r := range string(js) {
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.Bytes()
}

// Report is what results.json holds.
type Report struct {
	At         time.Time          `json:"at"`
	Version    string             `json:"version"`
	Endpoint   string             `json:"endpoint"`
	Memos      int                `json:"memos"`
	Questions  int                `json:"questions"`
	Thresholds map[string]float64 `json:"thresholds"`
	Models     []*Result          `json:"models"`
}

// PrepareReport makes the report folder, and checks that it takes
// files, so that a folder that cannot be written is said before the
// models run, not after.
func PrepareReport(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".fitness-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// WriteReport writes the report folder: table.md, results.json, wrong.md
// and quality-vs-seconds.svg. Each is written whole into a new file in
// the folder and renamed over the one before, so that a link in its place
// is replaced, not written through, and no file is left half written.
func WriteReport(dir string, rep Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var md bytes.Buffer
	if err := Markdown(&md, rep.Models); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	var svg bytes.Buffer
	if err := Plot(&svg, rep.Models); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"table.md", md.Bytes()},
		{"results.json", append(jsonEscapes(js), '\n')},
		{"wrong.md", wrongMarkdown(rep.Models)},
		{"quality-vs-seconds.svg", svg.Bytes()},
	} {
		if err := replaceFile(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}

// replaceFile writes data to a new file beside path (mode 0644) and
// renames it to path.
func replaceFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func wrongMarkdown(results []*Result) []byte {
	var b bytes.Buffer
	b.WriteString("# Wrong answers\n\nEvery answer that did not hold against the truth, with what was expected.\n")
	for _, res := range results {
		fmt.Fprintf(&b, "\n## %s\n\n", mdLine(res.Model))
		if res.Error != "" {
			fmt.Fprintf(&b, "Not measured: %s\n", mdLine(res.Error))
			continue
		}
		if len(res.Wrong) == 0 {
			b.WriteString("None.\n")
			continue
		}
		for _, w := range res.Wrong {
			writeWrong(&b, w)
		}
	}
	// The speech check is one for all the models.
	for _, res := range results {
		t := res.Transcribe
		if t == nil {
			continue
		}
		b.WriteString("\n## transcribe")
		if t.Model != "" {
			b.WriteString(" (" + mdLine(t.Model) + ")")
		}
		b.WriteString("\n\n")
		switch {
		case t.Skipped != "":
			fmt.Fprintf(&b, "Not measured: %s\n", mdLine(t.Skipped))
		case t.Error != "":
			fmt.Fprintf(&b, "Not measured: %s\n", mdLine(t.Error))
		case len(t.Wrong) == 0:
			b.WriteString("None.\n")
		}
		for _, w := range t.Wrong {
			writeWrong(&b, w)
		}
		break
	}
	return b.Bytes()
}

// writeWrong writes a wrong answer as an item of one line, what was got
// cut to MaxShown characters.
func writeWrong(b *bytes.Buffer, w Wrong) {
	line := fmt.Sprintf("%s, %s, %s: expected %s; got %s", w.Memo, w.Tool, w.What, w.Expected, shown(w.Got))
	b.WriteString("- " + safetext.MarkdownItem(safetext.Visible(line)) + "\n")
}

// Plot draws quality against seconds per memo, a labelled point per model.
func Plot(w io.Writer, results []*Result) error {
	p := plot.New()
	p.Title.Text = "shelf fitness: quality against speed"
	p.X.Label.Text = "seconds per memo"
	p.Y.Label.Text = "quality (0 to 1)"
	p.Y.Min, p.Y.Max = 0, 1
	p.X.Min = 0
	var pts plotter.XYs
	var names []string
	for _, r := range results {
		if r.Error != "" {
			continue
		}
		pts = append(pts, plotter.XY{X: r.Speed.SecondsPerMemo, Y: r.Quality()})
		names = append(names, r.Model)
	}
	if len(pts) > 0 {
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		s.GlyphStyle.Radius = vg.Points(4)
		p.Add(s)
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: names})
		if err != nil {
			return err
		}
		p.Add(labels)
		maxX := 0.0
		for _, pt := range pts {
			maxX = max(maxX, pt.X)
		}
		p.X.Max = maxX*1.25 + 0.01
	} else {
		p.X.Max = 1
	}
	p.Add(plotter.NewGrid())
	wt, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "svg")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
