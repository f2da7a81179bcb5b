package fitness

import (
	"runtime"
	"strings"
	"testing"
)

// allocated is how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A transcript of far more words than its memo (a recognizer looping, a
// server answering with a file) is not aligned word by word: it counts
// as all wrong, more errors than any transcript within the bound, at a
// cost that does not grow with it.
func TestWordErrorsOfAHugeTranscript(t *testing.T) {
	ref := "one two three four five six seven eight nine ten"
	limit := MaxTranscriptWords(10)
	if limit != 4*10+20 {
		t.Fatalf("MaxTranscriptWords(10) = %d", limit)
	}
	atLimit := ref + " " + strings.Repeat("word ", limit-10)
	if errs, words := WordErrors(ref, atLimit); errs != limit-10 || words != 10 {
		t.Errorf("at the bound: %d of %d, want %d of 10", errs, words, limit-10)
	}
	over := ref + " " + strings.Repeat("word ", limit-10+1)
	if errs, words := WordErrors(ref, over); errs != limit+1 || words != 10 {
		t.Errorf("over the bound: %d of %d, want %d of 10", errs, words, limit+1)
	}
	huge := strings.Repeat("hello world ", 2<<20) // 24 MiB, 4 Mi words
	var errs, words int
	var edits []WordEdit
	var list string
	if n := allocated(func() {
		errs, words = WordErrors(ref, huge)
		edits = WordEdits(ref, huge)
		list = editList(ref, huge)
	}); n > 1<<20 {
		t.Errorf("scoring a 24 MiB transcript allocated %d bytes, want at most 1 MiB", n)
	}
	if errs != limit+1 || words != 10 {
		t.Errorf("huge: %d of %d, want %d of 10", errs, words, limit+1)
	}
	if len(edits) != 0 {
		t.Errorf("huge: %d edits listed, want none", len(edits))
	}
	if !strings.Contains(list, "more than 60 words") {
		t.Errorf("huge: edit list %q does not say why", list)
	}
	// A transcript of megabytes of punctuation is as long.
	if errs, _ := WordErrors(ref, strings.Repeat(". ", 1<<20)); errs != limit+1 {
		t.Errorf("punctuation: %d errors, want %d", errs, limit+1)
	}
}
