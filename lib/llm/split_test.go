package llm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 1},
		{"abcd", 2},
		{"héllo", 3}, // 4 ASCII + 1 other = 7 units
		{"日本語", 3},   // one token a character
		{strings.Repeat("word ", 300), 500},
	}
	for _, tt := range tests {
		if got := EstimateTokens(tt.in); got != tt.want {
			t.Errorf("EstimateTokens(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestSplitPrefersBoundaries(t *testing.T) {
	para := func(n int, w string) string { return strings.TrimSpace(strings.Repeat(w+" ", n)) + "." }
	tests := []struct {
		name   string
		text   string
		budget int
		want   []string
	}{
		{"fits", "short text", 100, []string{"short text"}},
		{"paragraphs", para(20, "aa") + "\n\n" + para(20, "bb") + "\n\n" + para(20, "cc"), 25,
			[]string{para(20, "aa") + "\n\n", para(20, "bb") + "\n\n", para(20, "cc")}},
		{"sentences", "One two three. Four five six. Seven eight nine.", 7,
			[]string{"One two three. ", "Four five six. ", "Seven eight nine."}},
		{"words", "alpha beta gamma delta", 4, []string{"alpha beta ", "gamma delta"}},
		{"runes", strings.Repeat("x", 10), 2, []string{"xxxxxx", "xxxx"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.text, tt.budget)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSplitProperties(t *testing.T) {
	texts := []string{
		strings.Repeat("The quick brown fox jumps. ", 500),
		strings.Repeat("Paragraph one has words.\n\nAnd a second one, longer, with more words in it!\n", 200),
		strings.Repeat("日本語のテキスト。", 400),
		strings.Repeat("x", 5000),
		"mixed\r\n\r\nwindows lines\r\n" + strings.Repeat("é", 3000),
		"bad utf8 \xff\xfe " + strings.Repeat("z ", 1000),
	}
	for _, text := range texts {
		for _, budget := range []int{1, 7, 64, 500, 5000} {
			parts := Split(text, budget)
			if strings.Join(parts, "") != text {
				t.Fatalf("budget %d: parts do not join back to the text", budget)
			}
			for i, p := range parts {
				if EstimateTokens(p) > budget && utf8.RuneCountInString(p) > 1 {
					t.Fatalf("budget %d: part %d has %d tokens", budget, i, EstimateTokens(p))
				}
				if p == "" {
					t.Fatalf("budget %d: empty part", budget)
				}
			}
		}
	}
}
