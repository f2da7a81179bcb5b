package fitness

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Ratio is a share: Num of Den. With Den 0 it is unknown (nothing to
// measure), shown as "n/a".
type Ratio struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Known reports whether there was anything to measure.
func (r Ratio) Known() bool { return r.Den > 0 }

// Value is Num/Den (0 when unknown).
func (r Ratio) Value() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// String shows the share with two decimals, or n/a.
func (r Ratio) String() string {
	if !r.Known() {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", r.Value())
}

// MarshalJSON writes the share with its parts: {"value":0.75,"num":3,"den":4},
// value null when unknown.
func (r Ratio) MarshalJSON() ([]byte, error) {
	var v any
	if r.Known() {
		v = r.Value()
	}
	return json.Marshal(struct {
		Value any `json:"value"`
		Num   int `json:"num"`
		Den   int `json:"den"`
	}{v, r.Num, r.Den})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Ratio) UnmarshalJSON(b []byte) error {
	var v struct{ Num, Den int }
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	r.Num, r.Den = v.Num, v.Den
	return nil
}

// Wrong is one wrong answer and what was expected.
type Wrong struct {
	Memo     string `json:"memo"`
	Tool     string `json:"tool"`
	What     string `json:"what"`
	Expected string `json:"expected"`
	Got      string `json:"got"`
}

// TaskScores are the tasks tool's scores.
type TaskScores struct {
	Recall    Ratio `json:"recall"`    // true tasks found
	Precision Ratio `json:"precision"` // found tasks that are true
	DueRight  Ratio `json:"due_right"` // matched tasks with the right due date
	ForRight  Ratio `json:"for_right"` // matched tasks whose truth names someone, with that name in "for"
	Grounded  Ratio `json:"grounded"`  // found tasks marked grounded (unknown when the records say nothing)
	// Repairs are the requests that asked the model to mend an answer
	// that did not match the schema (of every tool), per the endpoint's
	// traffic; SchemaFailed the records whose answer still did not.
	Repairs      int `json:"repairs"`
	SchemaFailed int `json:"schema_failed"`
}

// SummaryScores are summarize's scores.
type SummaryScores struct {
	FactsKept  Ratio `json:"facts_kept"`
	Invented   Ratio `json:"invented"` // memos whose summary or title claims what the text does not hold
	WellFormed Ratio `json:"well_formed"`
	Length     Ratio `json:"length"`
}

// Speed is what the run cost.
type Speed struct {
	Seconds           float64 `json:"seconds"` // the pipeline's wall time (summarize, tasks, file, remember)
	SecondsPerMemo    float64 `json:"seconds_per_memo"`
	Requests          int     `json:"requests"`
	PromptTokens      int     `json:"prompt_tokens"`
	CompletionTokens  int     `json:"completion_tokens"`
	PromptPerMemo     float64 `json:"prompt_tokens_per_memo"`
	CompletionPerMemo float64 `json:"completion_tokens_per_memo"`
	// TokensPerSecond is completion tokens per second the endpoint spent
	// answering chat requests; 0 when the endpoint reports no usage.
	TokensPerSecond float64 `json:"tokens_per_second"`
	// UsageReported says whether the endpoint gave usage at all.
	UsageReported bool `json:"usage_reported"`
	// UsageIgnored is how many answers gave usage out of bounds
	// (negative, fractional, or over MaxUsageTokens), left out of the
	// tokens.
	UsageIgnored int `json:"usage_ignored,omitempty"`
}

// Result is one model's run.
type Result struct {
	Model      string        `json:"model"`
	Memos      int           `json:"memos"`
	Tasks      TaskScores    `json:"tasks"`
	Summaries  SummaryScores `json:"summaries"`
	Folder     Ratio         `json:"folder_right"`
	RecallAt5  Ratio         `json:"recall_at_5"`
	MRR        float64       `json:"mrr"`
	Questions  int           `json:"questions"`
	Transcribe *Transcribe   `json:"transcribe,omitempty"`
	Speed      Speed         `json:"speed"`
	Failed     int           `json:"failed"` // records a tool could not do (an error that is no warning)
	Error      string        `json:"error,omitempty"`
	Wrong      []Wrong       `json:"wrong"`
}

// Transcribe is the speech check's outcome: one for all the models
// checked, as the speech model is not the chat model.
type Transcribe struct {
	// Model is the speech model as transcribe names it ("api:whisper-1").
	Model string `json:"model,omitempty"`
	// Memos is how many memos were spoken.
	Memos int `json:"memos"`
	// WER is the word errors of all the transcripts over the words of
	// their memos: the word error rate.
	WER Ratio `json:"wer"`
	// Failed is how many memos got no transcript.
	Failed  int     `json:"failed"`
	Skipped string  `json:"skipped,omitempty"` // why the check was not made
	Error   string  `json:"error,omitempty"`   // why transcribe could not be checked
	Wrong   []Wrong `json:"wrong,omitempty"`
}

// Quality is one number for the picture: the mean of tasks recall and
// precision, due dates right, facts kept, summaries without invented
// facts, folders right and recall@5, of those that are known.
func (r *Result) Quality() float64 {
	var sum float64
	n := 0
	add := func(v Ratio, invert bool) {
		if !v.Known() {
			return
		}
		x := v.Value()
		if invert {
			x = 1 - x
		}
		sum += x
		n++
	}
	add(r.Tasks.Recall, false)
	add(r.Tasks.Precision, false)
	add(r.Tasks.DueRight, false)
	add(r.Summaries.FactsKept, false)
	add(r.Summaries.Invented, true)
	add(r.Folder, false)
	add(r.RecallAt5, false)
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// ScoreRecords scores what the tools wrote (by memo id) against the
// truth: tasks, summaries and folders. Memos without a record count as
// wrong throughout.
func ScoreRecords(fx *Fixtures, found map[string]Found, r *Result) {
	r.Memos = len(fx.Memos)
	for _, m := range fx.Memos {
		f, ok := found[m.ID]
		if !ok {
			r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "all", What: "record", Expected: "a record", Got: "none"})
		}
		for _, e := range f.Errors {
			if strings.Contains(e.Message, "schema") && strings.Contains(e.Message, "does not match") {
				r.Tasks.SchemaFailed++
				r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: e.Tool, What: "schema", Expected: "an answer that matches the schema", Got: e.Message})
			}
		}
		scoreTasks(m, f, r)
		scoreSummary(m, f, r)
		r.Folder.Den++
		if f.Folder == m.Folder {
			r.Folder.Num++
		} else {
			r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "file", What: "folder", Expected: m.Folder, Got: orNone(f.Folder)})
		}
	}
}

func scoreTasks(m *Memo, f Found, r *Result) {
	pairs := Pairs(m.Tasks, f.Tasks)
	matched := make([]bool, len(f.Tasks))
	r.Tasks.Recall.Den += len(m.Tasks)
	r.Tasks.Precision.Den += len(f.Tasks)
	for i, j := range pairs {
		t := m.Tasks[i]
		if j < 0 {
			r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "tasks", What: "task missed", Expected: t.Title + due(t.Due), Got: "none"})
			continue
		}
		matched[j] = true
		r.Tasks.Recall.Num++
		r.Tasks.Precision.Num++
		ft := f.Tasks[j]
		r.Tasks.DueRight.Den++
		if DueRight(t.Due, ft.Due) {
			r.Tasks.DueRight.Num++
		} else {
			r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "tasks", What: "due date of " + quote(ft.Title), Expected: orNone(t.Due), Got: orNone(ft.Due)})
		}
		if t.For != "" {
			r.Tasks.ForRight.Den++
			if forRight(t.For, ft.For) {
				r.Tasks.ForRight.Num++
			} else {
				r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "tasks", What: "for whom " + quote(ft.Title), Expected: t.For, Got: orNone(ft.For)})
			}
		}
	}
	for j, ft := range f.Tasks {
		if ft.Grounded != nil {
			r.Tasks.Grounded.Den++
			if *ft.Grounded {
				r.Tasks.Grounded.Num++
			} else {
				r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "tasks", What: "task not grounded", Expected: "a quote from the text", Got: ft.Title})
			}
		}
		if !matched[j] {
			r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "tasks", What: "task invented", Expected: "none", Got: ft.Title + due(ft.Due)})
		}
	}
}

// forRight reports whether "for" names the person the truth names: one of
// the truth's words (a name) is among its words.
func forRight(truth, found string) bool {
	fw := foldedWords(found)
	for _, w := range foldedWords(truth) {
		if len(w) > 2 && slices.Contains(fw, w) && !slices.Contains(titles, w) {
			return true
		}
	}
	return false
}

// titles are words of a name that say nothing of whom.
var titles = []string{"mrs", "mr", "ms", "frau", "herr", "uncle", "grandma", "the"}

func scoreSummary(m *Memo, f Found, r *Result) {
	both := f.Summary + "\n" + f.Title
	for _, fact := range m.Facts {
		r.Summaries.FactsKept.Den++
		if FactKept(fact, both) {
			r.Summaries.FactsKept.Num++
		} else {
			r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "summarize", What: "fact dropped", Expected: fact, Got: clip(f.Summary)})
		}
	}
	r.Summaries.Invented.Den++
	if inv := Invented(f, m.Text); len(inv) > 0 {
		r.Summaries.Invented.Num++
		r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "summarize", What: "facts invented", Expected: "only what the text says", Got: strings.Join(inv, ", ")})
	}
	r.Summaries.WellFormed.Den++
	if ok, why := TitleTagsOK(f.Title, f.Tags); ok {
		r.Summaries.WellFormed.Num++
	} else {
		r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "summarize", What: "title and tags: " + why, Expected: "a title of 1 to 10 words, at most 5 lower-case tags", Got: clip(f.Title) + " [" + strings.Join(f.Tags, ", ") + "]"})
	}
	r.Summaries.Length.Den++
	if ok, why := LengthOK(f.Summary); ok {
		r.Summaries.Length.Num++
	} else {
		r.Wrong = append(r.Wrong, Wrong{Memo: m.ID, Tool: "summarize", What: "length: " + why, Expected: "1 to 3 sentences, at most 100 words", Got: clip(f.Summary)})
	}
}

// ScoreRecall scores remember's answers: for each question, the memo ids
// recalled, best first. A question counts for recall@5 when one of its
// ids is among the first five; its reciprocal rank is 1/rank of the first.
func ScoreRecall(qs []Question, got [][]string, r *Result) {
	r.Questions = len(qs)
	var rr float64
	for i, q := range qs {
		r.RecallAt5.Den++
		var ids []string
		if i < len(got) {
			ids = got[i]
		}
		rank := 0
		for k, id := range ids {
			if slices.Contains(q.IDs, id) {
				rank = k + 1
				break
			}
		}
		if rank > 0 {
			rr += 1 / float64(rank)
		}
		if rank > 0 && rank <= 5 {
			r.RecallAt5.Num++
		} else {
			r.Wrong = append(r.Wrong, Wrong{Memo: strings.Join(q.IDs, ","), Tool: "remember", What: "recall " + quote(q.Q), Expected: strings.Join(q.IDs, " or "), Got: orNone(strings.Join(first(ids, 5), ", "))})
		}
	}
	if len(qs) > 0 {
		r.MRR = rr / float64(len(qs))
	}
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func due(d string) string {
	if d == "" {
		return ""
	}
	return " (due " + d + ")"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}
