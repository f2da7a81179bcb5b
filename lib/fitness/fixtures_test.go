package fitness_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/shelfai/shelf/lib/fitness"
	"github.com/shelfai/shelf/lib/ground"
	"github.com/shelfai/shelf/lib/testserver"
)

func load(t *testing.T) *fitness.Fixtures {
	t.Helper()
	fx, err := fitness.Load(filepath.Join("..", "..", "testdata", "fitness"))
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// TestFixtures holds the fixtures to what the check promises: enough
// memos of each kind, and a truth that holds against its own texts.
func TestFixtures(t *testing.T) {
	fx := load(t)
	if n := len(fx.Memos); n < 40 {
		t.Errorf("%d memos, want 40 or more", n)
	}
	langs := fx.Langs()
	if n := langs["de"] + langs["es"] + langs["fr"]; n < 8 {
		t.Errorf("%d memos in German, Spanish or French, want 8 or more", n)
	}
	kinds := fx.Kinds()
	if kinds["asr"] < 5 || kinds["long"] < 2 {
		t.Errorf("kinds %v: want 5 or more asr, 2 or more long", kinds)
	}
	if n := len(fx.Questions); n < 30 {
		t.Errorf("%d questions, want 30 or more", n)
	}
	counts := map[int]int{}
	folders := append(fx.Folders, "inbox")
	for _, m := range fx.Memos {
		if len(m.Tasks) > 2 {
			counts[2]++
		} else {
			counts[len(m.Tasks)]++
		}
		if m.Kind == "long" {
			// Real tokenizers make at least as many tokens of a text as
			// the test server's (words of up to 8 letters, each sign).
			if n := testserver.Tokens(m.Text); n <= 4096 {
				t.Errorf("%s: %d tokens, want more than a 4,096-token window", m.ID, n)
			}
		}
		if !slices.Contains(folders, m.Folder) {
			t.Errorf("%s: folder %q is not in the vault", m.ID, m.Folder)
		}
		text := ground.Prepare(m.Text)
		for _, f := range m.Facts {
			if !fitness.FactKept(f, m.Text) {
				t.Errorf("%s: fact %q is not in the text", m.ID, f)
			}
		}
		for _, task := range m.Tasks {
			if !fitness.KeywordsMatch(task.Title, task.Keywords) {
				t.Errorf("%s: task %q does not match its keywords %q", m.ID, task.Title, task.Keywords)
			}
			if _, ok := text.Find(task.Quote); !ok {
				t.Errorf("%s: quote %q is not in the text", m.ID, task.Quote)
			}
			if task.When != "" {
				if _, ok := text.Find(task.When); !ok && !text.Has(task.When) {
					t.Errorf("%s: when %q is not in the text", m.ID, task.When)
				}
			}
		}
		// What the truth mode answers holds against the text.
		got := fitness.Found{Title: m.Title, Summary: fitness.TruthSummary(m)}
		if inv := fitness.Invented(got, m.Text); len(inv) > 0 {
			t.Errorf("%s: the truth's summary %q or title %q claims %q", m.ID, got.Summary, got.Title, inv)
		}
		if ok, why := fitness.TitleTagsOK(m.Title, []string{m.Folder}); !ok {
			t.Errorf("%s: title %q: %s", m.ID, m.Title, why)
		}
	}
	if counts[0] < 5 || counts[1] < 5 || counts[2] < 5 {
		t.Errorf("memos by tasks (0, 1, many): %v, want 5 or more of each", counts)
	}
	for _, q := range fx.Questions {
		for _, id := range q.IDs {
			if m := fx.Memo(id); m == nil || m.Kind == "long" {
				t.Errorf("question %q: %s is not a stored memo", q.Q, id)
			}
		}
	}
}

// TestOracleTranscript: the test server's transcripts of a memo's audio
// (named after the memo) are its text in the truth mode, and two words
// wrong in each memo in the bad mode, however it writes the rest.
func TestOracleTranscript(t *testing.T) {
	fx := load(t)
	o := fitness.NewOracle(fx)
	n := 0
	for _, m := range fx.Stored() {
		truth, ok := o.Transcript("truth", m.ID+".wav")
		if !ok || truth != m.Text {
			t.Errorf("%s: truth transcript %q, %v; want the memo's text", m.ID, truth, ok)
		}
		bad, ok := o.Transcript("bad", m.ID+".wav")
		if errs, _ := fitness.WordErrors(m.Text, bad); !ok || errs != fitness.MisheardWords {
			t.Errorf("%s: the bad transcript %q has %d words wrong, want %d", m.ID, bad, errs, fitness.MisheardWords)
		}
		if bad == m.Text {
			t.Errorf("%s: the bad transcript is the text", m.ID)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no memos")
	}
	for _, name := range []string{"nosuch.wav", "memo.wav", "audio", ""} {
		if got, ok := o.Transcript("truth", name); ok {
			t.Errorf("Transcript(truth, %q) = %q, want none", name, got)
		}
	}
}
