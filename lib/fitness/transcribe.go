package fitness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/shelfai/shelf/lib/sysexits"
)

// Speaker is the program that speaks the memos.
const Speaker = "espeak-ng"

// Transcribe checks transcribe on the English memos, spoken by espeak-ng
// into WAV files (made here, not kept): the word errors of its
// transcripts against the memos' texts. transcribe runs with the
// environment the other tools get (its own model and speech server come
// from SHELF_TRANSCRIBE_MODEL, SHELF_TRANSCRIBE_BASE_URL and
// SHELF_TRANSCRIBE_ENGINE), the cache off. Without espeak-ng or
// transcribe the check is skipped (Skipped says why). When transcribe
// fails as a whole (the speech server or model missing, every memo
// failed), the error carries its exit status and hint, and Error says
// why.
func (r *Runner) Transcribe(ctx context.Context) (*Transcribe, error) {
	speaker, err := exec.LookPath(Speaker)
	if err != nil {
		return &Transcribe{Skipped: Speaker + " is not installed"}, nil
	}
	if r.Programs.Transcribe == "" {
		return &Transcribe{Skipped: "transcribe not found next to this program or on PATH"}, nil
	}
	dir, err := os.MkdirTemp(r.Work, "speech-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var english []*Memo
	for _, m := range r.Fixtures.Stored() {
		if m.Lang == "en" {
			english = append(english, m)
		}
	}
	if len(english) == 0 {
		return &Transcribe{Skipped: "no memo in English"}, nil
	}
	memos := map[string]*Memo{}
	var files []string
	for i, m := range english {
		r.progress("transcribe", "speaking", i, len(english))
		txt := filepath.Join(dir, m.ID+".txt")
		wav := filepath.Join(dir, m.ID+".wav")
		if err := os.WriteFile(txt, []byte(m.Text), 0o644); err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, speaker, "-v", "en", "-w", wav, "-f", txt)
		if out, err := cmd.CombinedOutput(); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return &Transcribe{Skipped: fmt.Sprintf("%s failed on memo %s: %v %s", Speaker, m.ID, err, strings.TrimSpace(string(out)))}, nil
		}
		memos[m.ID+".wav"] = m
		files = append(files, wav)
	}
	r.progress("transcribe", "transcribe", 0, len(files))
	cmd := exec.CommandContext(ctx, r.Programs.Transcribe, append([]string{"--no-cache", "--language", "en", "-j", strconv.Itoa(max(r.Jobs, 1))}, files...)...)
	cmd.Env = append(append([]string{}, r.Env...), "SHELF_NO_CACHE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if r.Log != nil {
		cmd.Stderr = io.MultiWriter(&stderr, r.Log)
	}
	var out bytes.Buffer
	cmd.Stdout = &countingWriter{w: &out, each: func(n int) { r.progress("transcribe", "transcribe", n, len(files)) }}
	err = cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, fmt.Errorf("transcribe: %w", err)
		}
		if code = ee.ExitCode(); code < 0 {
			return nil, ctx.Err()
		}
	}
	t, first := ScoreTranscripts(memos, out.Bytes())
	whole := code != 0 && code != 1 && code != sysexits.DataErr && code != sysexits.TempFail
	if whole || t.Failed == t.Memos {
		why := first
		if why == "" {
			why = lastLine(stderr.String())
			if _, msg, ok := strings.Cut(why, ": error: "); ok {
				why = msg
			}
		}
		if code == 0 {
			code = sysexits.Failure
		}
		t.Error = "transcribe: " + why
		t.WER, t.Wrong = Ratio{}, nil
		return t, sysexits.New(code, hintOf(stderr.String()), fmt.Errorf("transcribe could not be checked: %s", why))
	}
	return t, nil
}

// ScoreTranscripts scores transcribe's records (JSON Lines) against the
// memos, by the names of their audio files: the word errors over the
// memos' words, every memo with a word wrong (in memo order), and a
// memo with no record, or a record that failed, all wrong. first is
// the error of the first record that failed.
func ScoreTranscripts(memos map[string]*Memo, records []byte) (t *Transcribe, first string) {
	t = &Transcribe{Memos: len(memos)}
	got := map[string]bool{}
	for _, line := range bytes.Split(records, []byte("\n")) {
		var rec struct {
			Source     string       `json:"source"`
			Text       string       `json:"text"`
			Errors     []RecordNote `json:"errors"`
			Provenance struct {
				Text struct {
					Model string `json:"model"`
				} `json:"text"`
			} `json:"provenance"`
		}
		if json.Unmarshal(line, &rec) != nil {
			continue
		}
		name := filepath.Base(rec.Source)
		m := memos[name]
		if m == nil || got[name] {
			continue
		}
		got[name] = true
		if len(rec.Errors) > 0 && rec.Text == "" {
			t.Failed++
			if first == "" {
				first = rec.Errors[0].Message
			}
		}
		if t.Model == "" {
			t.Model = rec.Provenance.Text.Model
		}
		errs, words := WordErrors(m.Text, rec.Text)
		t.WER.Num += errs
		t.WER.Den += words
		if errs > 0 {
			w := Wrong{Memo: m.ID, Tool: "transcribe", What: fmt.Sprintf("%d of %d words wrong (%s)", errs, words, editList(m.Text, rec.Text)), Expected: m.Text, Got: rec.Text}
			if rec.Text == "" && len(rec.Errors) > 0 {
				w.What, w.Got = "not transcribed", rec.Errors[0].Message
			}
			t.Wrong = append(t.Wrong, w)
		}
	}
	for name, m := range memos {
		if !got[name] {
			words := len(SpeechWords(m.Text))
			t.WER.Num += words
			t.WER.Den += words
			t.Failed++
			t.Wrong = append(t.Wrong, Wrong{Memo: m.ID, Tool: "transcribe", What: "not transcribed", Expected: m.Text, Got: "no record"})
		}
	}
	slices.SortStableFunc(t.Wrong, func(a, b Wrong) int { return strings.Compare(a.Memo, b.Memo) })
	return t, first
}

// hintOf is the hint a tool printed last, without its name.
func hintOf(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if _, h, ok := strings.Cut(lines[i], ": hint: "); ok {
			return strings.TrimSpace(h)
		}
	}
	return ""
}

// MaxEditsShown is how many of a transcript's wrong words wrong.md names.
const MaxEditsShown = 8

// editList names a transcript's wrong words, at most MaxEditsShown of
// them, or says that it is too long to be aligned.
func editList(ref, hyp string) string {
	words := SpeechWords(ref)
	if _, over := transcriptWords(words, hyp); over {
		return fmt.Sprintf("the transcript has more than %d words, so it counts as all wrong", MaxTranscriptWords(len(words)))
	}
	var parts []string
	edits := WordEdits(ref, hyp)
	for i, e := range edits {
		if i == MaxEditsShown {
			parts = append(parts, fmt.Sprintf("and %d more", len(edits)-i))
			break
		}
		parts = append(parts, e.String())
	}
	return strings.Join(parts, ", ")
}
