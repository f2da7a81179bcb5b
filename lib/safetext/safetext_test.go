package safetext

import "testing"

// hostile is what every function here must take apart: each control, line
// end and reordering character a model can emit.
var hostile = map[string]string{
	"LF":                     "a\nb",
	"CR":                     "a\rb",
	"CRLF":                   "a\r\nb",
	"tab":                    "a\tb",
	"ESC":                    "a\x1b[31mb",
	"BEL":                    "a\x07b",
	"NUL":                    "a\x00b",
	"DEL":                    "a\x7fb",
	"vertical tab":           "a\vb",
	"form feed":              "a\fb",
	"NEL (C1)":               "a\u0085b",
	"CSI (C1)":               "a\u009bb",
	"line sep":               "a\u2028b",
	"paragraph sep":          "a\u2029b",
	"RLO":                    "a\u202eb",
	"LRE":                    "a\u202ab",
	"PDF":                    "a\u202cb",
	"RLI":                    "a\u2067b",
	"PDI":                    "a\u2069b",
	"invalid UTF-8":          "a\xffb",
	"all at once":            "\u202e\x1b]0;title\x07\r\n\u2028a\x00\tb\u2069",
	"decomposed é":           "Cafe\u0301",
	"spaces around":          "  a   b  ",
	"nothing but":            "\x00\x1b\u202e\n",
	"zero-width joiner kept": "👩\u200d💻",
}

func TestLine(t *testing.T) {
	want := map[string]string{
		"LF": "a b", "CR": "a b", "CRLF": "a b", "tab": "a b", "ESC": "a [31mb", "BEL": "a b",
		"NUL": "a b", "DEL": "a b", "vertical tab": "a b", "form feed": "a b", "NEL (C1)": "a b",
		"CSI (C1)": "a b", "line sep": "a b", "paragraph sep": "a b", "RLO": "ab", "LRE": "ab",
		"PDF": "ab", "RLI": "ab", "PDI": "ab", "invalid UTF-8": "a\uFFFDb", "all at once": "]0;title a b",
		"decomposed é": "Café", "spaces around": "a b", "nothing but": "", "zero-width joiner kept": "👩\u200d💻",
	}
	for name, in := range hostile {
		if got := Line(in); got != want[name] {
			t.Errorf("%s: Line(%q) = %q, want %q", name, in, got, want[name])
		}
	}
}

// Title removes, besides what Line does, the characters that take up no
// room: a name that looks the same must be the same name.
func TestTitle(t *testing.T) {
	want := map[string]string{
		"LF": "a b", "CR": "a b", "CRLF": "a b", "tab": "a b", "ESC": "a [31mb", "BEL": "a b",
		"NUL": "a b", "DEL": "a b", "vertical tab": "a b", "form feed": "a b", "NEL (C1)": "a b",
		"CSI (C1)": "a b", "line sep": "a b", "paragraph sep": "a b", "RLO": "ab", "LRE": "ab",
		"PDF": "ab", "RLI": "ab", "PDI": "ab", "invalid UTF-8": "a\uFFFDb", "all at once": "]0;title a b",
		"decomposed é": "Café", "spaces around": "a b", "nothing but": "", "zero-width joiner kept": "👩💻",
	}
	for name, in := range hostile {
		if got := Title(in); got != want[name] {
			t.Errorf("%s: Title(%q) = %q, want %q", name, in, got, want[name])
		}
	}
	tests := map[string]string{
		"Cl\u200bients":                            "Clients",
		"a\u200cb\u200dc\u200ed\u200ff":            "abcdf",
		"word\u2060joiner\u2061\u2062\u2063\u2064": "wordjoiner",
		"\ufeffBOM":                                "BOM",
		"soft\u00adhyphen":                         "softhyphen",
		"\u200b \u200b":                            "",
		"a \u200b b":                               "a b",
		"\u202aLRE\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069": "LRE",
		"עברית\u200e (Hebrew)":                                      "עברית (Hebrew)",
	}
	for in, want := range tests {
		if got := Title(in); got != want {
			t.Errorf("Title(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	want := map[string]string{
		"LF": "a\nb", "CR": "a\nb", "CRLF": "a\nb", "tab": "a\tb", "ESC": "a [31mb", "BEL": "a b",
		"NUL": "a b", "DEL": "a b", "vertical tab": "a b", "form feed": "a b", "NEL (C1)": "a\nb",
		"CSI (C1)": "a b", "line sep": "a\nb", "paragraph sep": "a\nb", "RLO": "ab", "LRE": "ab",
		"PDF": "ab", "RLI": "ab", "PDI": "ab", "invalid UTF-8": "a\uFFFDb", "all at once": " ]0;title \n\na \tb",
		"decomposed é": "Café", "spaces around": "  a   b  ", "nothing but": "  \n", "zero-width joiner kept": "👩\u200d💻",
	}
	for name, in := range hostile {
		if got := Text(in); got != want[name] {
			t.Errorf("%s: Text(%q) = %q, want %q", name, in, got, want[name])
		}
	}
}

func TestVisible(t *testing.T) {
	want := map[string]string{
		"LF": "a b", "CR": "a b", "CRLF": "a b", "tab": "a b", "ESC": `a\x1b[31mb`, "BEL": `a\x07b`,
		"NUL": `a\x00b`, "DEL": `a\x7fb`, "vertical tab": `a\x0bb`, "form feed": `a\x0cb`, "NEL (C1)": "a b",
		"CSI (C1)": `a\u009bb`, "line sep": "a b", "paragraph sep": "a b", "RLO": `a\u202eb`, "LRE": `a\u202ab`,
		"PDF": `a\u202cb`, "RLI": `a\u2067b`, "PDI": `a\u2069b`, "invalid UTF-8": "a\uFFFDb",
		"all at once":  `\u202e\x1b]0;title\x07 a\x00 b\u2069`,
		"decomposed é": "Cafe\u0301", "spaces around": "  a   b  ", "nothing but": `\x00\x1b\u202e`, "zero-width joiner kept": "👩\u200d💻",
	}
	for name, in := range hostile {
		got := Visible(in)
		if got != want[name] {
			t.Errorf("%s: Visible(%q) = %q, want %q", name, in, got, want[name])
		}
		if Visible(got) != got {
			t.Errorf("%s: Visible(%q) = %q, not itself", name, got, Visible(got))
		}
	}
}

func TestMarkdownTask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Call the dentist", "Call the dentist"},
		// A line end would start a new (done) task.
		{"Sam\n- [x] injected done task", `Sam - \[x] injected done task`},
		{"Sam\r\n- [x] done", `Sam - \[x] done`},
		{"Sam\u2028- [x] done", `Sam - \[x] done`},
		{"a\x1b[2Jb\x07\x00", `a \[2Jb`},
		{"\u202eevil", "evil"},
		// Tags and headings.
		{"#urgent call", `\#urgent call`},
		{"Learn C#", `Learn C\#`},
		// Obsidian Tasks fields: priority, due, done, start, scheduled, created, recurrence, id.
		{"Pay rent ✅ 2026-01-01", "Pay rent 2026-01-01"},
		{"Pay rent 📅 2026-01-01", "Pay rent 2026-01-01"},
		{"Pay rent 📆 2026-01-01 🗓️ 2026-01-02", "Pay rent 2026-01-01 2026-01-02"},
		{"⏫ now 🔺 🔼 🔽 ⏬", "now"},
		{"a 🛫 b ⏳ c ⌛ d ➕ e ❌ f 🔁 every day 🆔 x ⛔ y 🏁 z", "a b c d e f every day x y z"},
		// Links, embeds, Dataview fields, HTML, Obsidian comments.
		{"see [[Secret]] ![[Diary]]", `see \[\[Secret]] !\[\[Diary]]`},
		{"[due:: 2026-01-01]", `\[due:: 2026-01-01]`},
		{"<!-- hide the rest", `\<!-- hide the rest`},
		{"50%% off %%%", `50%\% off %\%\%`},
		// Escapes stay escapes.
		{`C:\temp\#x`, `C:\\temp\\\#x`},
		{"Cafe\u0301", "Café"},
		// An Obsidian block id at the end would name the task's line.
		{"Call Sam ^t1", `Call Sam \^t1`},
		{"Call Sam ^t1 \u2705", `Call Sam \^t1`},
		{"2^10 bytes, x ^y z", "2^10 bytes, x ^y z"},
	}
	for _, tt := range tests {
		if got := MarkdownTask(tt.in); got != tt.want {
			t.Errorf("MarkdownTask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// MarkdownLine escapes as MarkdownTask does, and keeps the emoji: outside
// a checklist item they are text.
func TestMarkdownLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Sam\n- [x] injected done task", `Sam - \[x] injected done task`},
		{"#urgent <b> [[x]] %% \\", `\#urgent \<b> \[\[x]] %\% \\`},
		{"Deadline 📅 ✅ ⏫", "Deadline 📅 ✅ ⏫"},
		{"a\x1b[2Jb\u202e", `a \[2Jb`},
		// Put at the start of a line, it starts no quote, callout, rule or
		// table; inside a line these are text.
		{"> quoted", `\> quoted`},
		{">[!warning] callout", `\>\[!warning] callout`},
		{"---", `\---`},
		{"===", `\===`},
		{"* * *", `\* * *`},
		{"|---|---|", `\|---|---|`},
		{"a > b --- c", "a > b --- c"},
		{"-- a dash", "-- a dash"},
		// An Obsidian block id at the end of a line names the line's
		// block, so that a link can point at it: a model names none.
		{"said here ^t1", `said here \^t1`},
		{"^abc-9", `\^abc-9`},
		{"said ^t1\n", `said \^t1`},
		{"said here^t1", "said here^t1"},
		{"x ^t1 y", "x ^t1 y"},
		{"x ^t_1", "x ^t_1"},
		{"e = mc^2", "e = mc^2"},
	}
	for _, tt := range tests {
		if got := MarkdownLine(tt.in); got != tt.want {
			t.Errorf("MarkdownLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// MarkdownItem is MarkdownLine for the text of a list item: it starts no
// list of its own inside the item either.
func TestMarkdownItem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Berlin", "Berlin"},
		{"- [x] forged", `\- \[x] forged`},
		{"\n* nested\n> [!note]", `\* nested > \[!note]`},
		{"+ plus", `\+ plus`},
		{"1. one", `1\. one`},
		{"12) twelve", `12\) twelve`},
		{"- - -", `\- - -`},
		{"- > quoted", `\- \> quoted`},
		{"-1 degrees", "-1 degrees"},
		{"1.5 million", "1.5 million"},
		{"$8,000 ^t1", `$8,000 \^t1`},
	}
	for _, tt := range tests {
		if got := MarkdownItem(tt.in); got != tt.want {
			t.Errorf("MarkdownItem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownBlock(t *testing.T) {
	tests := []struct{ in, want string }{
		{"One paragraph.\n\nAnother, with a list:\n- milk\n- eggs", "One paragraph.\n\nAnother, with a list:\n- milk\n- eggs"},
		{"Done:\n- [x] forged\n  * [ ] nested\n1. [X] numbered\n+ [-] plus", "Done:\n- \\[x] forged\n  * \\[ ] nested\n1. \\[X] numbered\n+ \\[-] plus"},
		{"## Tasks\n#tag", "\\#\\# Tasks\n\\#tag"},
		{"```\nswallowed\n~~~\n$$", "\\```\nswallowed\n\\~~~\n\\$$"},
		{"a\r\nb\rc\u2028d\x1b[0m\x00", "a\nb\nc\nd \\[0m "},
		{"<!--\n%% hidden", "\\<!--\n%\\% hidden"},
		{"Cafe\u0301", "Café"},
		// Setext headings: a line of = or - under text.
		{"Heading\n===\nSub\n---", "Heading\n\\===\nSub\n\\---"},
		{"Heading\n  =  \nSub\n-", "Heading\n  \\=  \nSub\n\\-"},
		// Quotes and callouts, also nested in a list item.
		{"Fine.\n> quoted\n  >> deeper\n- > in a list\n1. >[!note] callout", "Fine.\n\\> quoted\n  \\>> deeper\n- \\> in a list\n1. \\>\\[!note] callout"},
		// Rules and front-matter fences, tables' delimiter rows.
		{"---\ntitle: forged\n---", "\\---\ntitle: forged\n\\---"},
		{"***\n___\n- - -\n+++", "\\***\n\\___\n\\- - -\n\\+++"},
		{"a | b\n--|--\n| c | d |\n|:--|--:|", "a | b\n\\--|--\n| c | d |\n\\|:--|--:|"},
		{"- item\n  - ---", "- item\n  \\- ---"},
		{"- ```\n2) ~~~", "- \\```\n2) \\~~~"},
		// Text with these characters inside a line stays as it is.
		{"x > y, a - b, 1 = 1 | 2", "x > y, a - b, 1 = 1 | 2"},
		{"- milk\n-- two dashes and text", "- milk\n-- two dashes and text"},
		// Block ids, at the end of any line.
		{"One ^a\ntwo ^b  \n^c\nd ^ e", "One \\^a\ntwo \\^b  \n\\^c\nd ^ e"},
	}
	for _, tt := range tests {
		if got := MarkdownBlock(tt.in); got != tt.want {
			t.Errorf("MarkdownBlock(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownTag(t *testing.T) {
	tests := map[string]string{
		"health":         "health",
		"home/garden":    "home/garden",
		"snake_case-1":   "snake_case-1",
		"a#b":            "a-b",
		"a b\nc":         "a-b-c",
		"x 📅 2026-01-01": "x-2026-01-01",
		"#":              "",
		"\x1b[31m":       "31m",
		"café":           "café",
		"Cafe\u0301":     "Café",
		// Dots: Obsidian tags hold none, and a piece of dots alone would
		// name a hidden or parent folder where tags become paths.
		"a.b":     "a-b",
		"..":      "",
		".hidden": "hidden",
		"v1.2.3":  "v1-2-3",
		"a/../b":  "a/b",
		"/a//b/":  "a/b",
		"a/./":    "a",
		"-x-/-y-": "x/y",
		// A tag needs something that is not a digit.
		"1984":    "",
		"2026/11": "",
		"y1984":   "y1984",
		"_1984":   "_1984",
		"1984/x":  "1984/x",
		// Emoji are tag characters to Obsidian; the Tasks signifiers are not.
		"🦀":     "🦀",
		"rust🦀": "rust🦀",
		"📅":     "",
	}
	for in, want := range tests {
		if got := MarkdownTag(in); got != want {
			t.Errorf("MarkdownTag(%q) = %q, want %q", in, got, want)
		}
	}
}
