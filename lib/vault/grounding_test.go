package vault

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shelfai/shelf/lib/safetext"
	"github.com/tidwall/gjson"
)

var update = flag.Bool("update", false, "rewrite the golden notes in testdata")

// The note of a record with evidence and checks: each task links to the
// transcript line or the paragraph where it was said, a task whose words
// were not found says so, and what the summary and title claim that the
// text does not is in a callout. testdata/grounded/NAME.md holds each
// note (go test ./lib/vault -run TestGroundedNote -update rewrites them).
func TestGroundedNote(t *testing.T) {
	const head = `"created":"2026-11-26T09:00:00Z","title":"Print shop"`
	tests := []struct {
		name, record string
		links        int // how many tasks link
	}{
		// Three segments; two tasks said in the second share its id, one
		// in the third; the quote of the last starts in the first and
		// ends in the second: the link goes to the first.
		{"segments", `{"id":"g1",` + head + `,"summary":"Dana prints 200 copies.",` +
			`"text":"Okay, quick memo after the call with Dana. Send her the files by Friday and ask about matte paper. Also book the van for Monday.",` +
			`"segments":[{"start":0,"end":4.5,"text":" Okay, quick memo after the call with Dana."},{"start":64.2,"end":70,"text":" Send her the files by Friday and ask about matte paper."},{"start":70,"end":75,"text":" Also book the van for Monday."}],` +
			`"tasks":[` +
			`{"title":"Send the files","due":"2026-11-27","priority":"high","evidence":{"quote":"Send her the files","start":43,"end":61,"at":64.2},"grounded":true},` +
			`{"title":"Ask about matte paper","for":"Dana","evidence":{"quote":"ask about matte paper","start":76,"end":97,"at":64.2},"grounded":true},` +
			`{"title":"Book the van","evidence":{"quote":"book the van for Monday","start":104,"end":127,"at":70},"grounded":true},` +
			`{"title":"Call Dana back","evidence":{"quote":"the call with Dana. Send her","start":23,"end":51,"at":0},"grounded":true},` +
			`{"title":"Pay the invoice","grounded":false}]}`, 4},
		// A text without segments: the paragraph that holds the quote's
		// start takes the id at its end (a list that follows it ends
		// it); a list item its own line; a
		// paragraph with an id of its own keeps it; ids the text has
		// already are skipped.
		{"text", `{"id":"g2",` + head + `,` +
			`"text":"Okay, quick memo.\nSend her the files\nby Friday.\n\nShopping:\n- milk\n- matte paper samples\n\nBook the van. ^van\n\nSee ^t1\n",` +
			`"tasks":[` +
			`{"title":"Send the files","evidence":{"quote":"Send her the files","start":18,"end":36},"grounded":true},` +
			`{"title":"Get matte paper samples","evidence":{"quote":"matte paper samples","start":68,"end":87},"grounded":true},` +
			`{"title":"Book the van","evidence":{"quote":"Book the van","start":89,"end":101},"grounded":true},` +
			`{"title":"Friday","evidence":{"quote":"by Friday","start":37,"end":46},"grounded":true},` +
			`{"title":"Shop","evidence":{"quote":"Shopping:","start":49,"end":58},"grounded":true}]}`, 5},
		// Characters before the quote that are more than a byte (é, 👩‍💻,
		// a decomposed é, a CR LF and a control character): the offsets
		// count characters, not bytes.
		{"multibyte", `{"id":"g3",` + head + `,` +
			`"text":"Grüße, café 👩‍💻 Cafe\u0301\r\n\u0007\n\nDann die Rechnung schicken, bitte.",` +
			`"tasks":[{"title":"Rechnung schicken","evidence":{"quote":"die Rechnung schicken","start":31,"end":52},"grounded":true},` +
			`{"title":"Grüße","evidence":{"quote":"👩‍💻 Cafe\u0301","start":12,"end":21},"grounded":true},` +
			`{"title":"offsets in bytes","evidence":{"quote":"die Rechnung schicken","start":43,"end":64},"grounded":true}]}`, 2},
		// Tasks whose words are not in the text: no link, a marker, also
		// when the record has evidence for one anyway.
		{"ungrounded", `{"id":"g4",` + head + `,"text":"Send the files by Friday.",` +
			`"segments":[{"start":0,"end":3,"text":"Send the files by Friday."}],` +
			`"tasks":[{"title":"Chase the client for payment","grounded":false},` +
			`{"title":"Send the files","evidence":{"quote":"Send the files","start":0,"end":14},"grounded":false},` +
			`{"title":"No checks at all"}]}`, 0},
		// What the summary and the title say that the text does not, made
		// safe: a model's words are text in the callout.
		{"unsupported", `{"id":"g5","created":"2026-11-26T09:00:00Z","title":"Berlin print job",` +
			`"summary":"Dana prints 8,000 copies in Berlin for $9,000.","text":"Dana prints the copies.",` +
			`"checks":{"summary":{"unsupported":["8,000","Berlin","$9,000","[[Secret]] #tag ^t1","\n- [x] forged\n> [!note]",""]},"title":{"unsupported":["Berlin"]}}}`, 0},
		// Only the title has claims the text lacks, and there is no
		// summary: the callout follows the title.
		{"unsupported-title", `{"id":"g6","created":"2026-11-26T09:00:00Z","title":"Call Oskar",` +
			`"text":"Call the printer.","checks":{"summary":{"unsupported":[]},"title":{"unsupported":["Oskar"]}}}`, 0},
		// Evidence that does not hold: offsets out of range, reversed,
		// negative, not whole, strings; a quote that is not the text's
		// words there; evidence that is no object. No link, no crash.
		{"bad-evidence", `{"id":"g7",` + head + `,"text":"Send the files by Friday.",` +
			`"tasks":[` +
			`{"title":"past the end","evidence":{"quote":"Friday.","start":18,"end":99},"grounded":true},` +
			`{"title":"far past the end","evidence":{"quote":"x","start":1e300,"end":1e301},"grounded":true},` +
			`{"title":"reversed","evidence":{"quote":"","start":14,"end":4},"grounded":true},` +
			`{"title":"empty","evidence":{"quote":"","start":4,"end":4},"grounded":true},` +
			`{"title":"negative","evidence":{"quote":"Send","start":-1,"end":4},"grounded":true},` +
			`{"title":"not whole","evidence":{"quote":"Send","start":0.5,"end":4},"grounded":true},` +
			`{"title":"strings","evidence":{"quote":"Send","start":"0","end":"4"},"grounded":true},` +
			`{"title":"another quote","evidence":{"quote":"Send the money","start":0,"end":14},"grounded":true},` +
			`{"title":"no object","evidence":"Send the files","grounded":true},` +
			`{"title":"the only good one","evidence":{"quote":"by Friday","start":15,"end":24},"grounded":true}]}`, 1},
		// Segments that are not the text's words (the text was edited):
		// the segments up to the first that differs are placed, the rest
		// get no link.
		{"segments-differ", `{"id":"g8",` + head + `,` +
			`"text":"One two three. Four five six. Seven eight nine.",` +
			`"segments":[{"start":1,"text":"One  two\nthree."},{"start":2,"text":"Four FIVE six."},{"start":3,"text":"Seven eight nine."}],` +
			`"tasks":[{"title":"a","evidence":{"quote":"two three","start":4,"end":13}},` +
			`{"title":"b","evidence":{"quote":"five six","start":20,"end":28}},` +
			`{"title":"c","evidence":{"quote":"eight nine","start":36,"end":46}}]}`, 1},
		// A transcript line that ends in a block id of the model's shows
		// it as text: the only ^t1 is shelf's, where the task was said.
		{"forged-id", `{"id":"g10",` + head + `,"text":"Pay me ^t1 Send the files now ^t2",` +
			`"segments":[{"start":1,"text":"Pay me ^t1"},{"start":2,"text":"Send the files now ^t2"}],` +
			`"tasks":[{"title":"Send the files ^t1","evidence":{"quote":"Send the files","start":11,"end":25},"grounded":true}]}`, 1},
		// A transcript whose words would open raw HTML (a comment, <pre>)
		// shows them as text: the lines after stay Markdown, and the
		// block id there names its line.
		{"segments-html", `{"id":"g11",` + head + `,"text":"<!-- draft <pre> Send the files now. -->",` +
			`"segments":[{"start":1,"text":"<!-- draft"},{"start":2,"text":"<pre>"},{"start":3,"text":"Send the files now."},{"start":4,"text":"-->"}],` +
			`"tasks":[{"title":"Send the files","evidence":{"quote":"Send the files","start":17,"end":31},"grounded":true}]}`, 1},
		// Where a block id cannot surely name the block (a code block, a
		// heading, a table, a quote, an id the text has twice), no link.
		{"text-structure", `{"id":"g9",` + head + `,` +
			"\"text\":\"```\\nsend the files\\n```\\n\\n# Send the files\\n\\n| a | send the files |\\n|---|---|\\n\\n> send the files\\n\\nsend the files ^x\\n\\nagain ^x\\n\\n%%\\nsend the files\\n%%\\n\\n    send the files\\n\\nsend the files, at last\"," +
			`"tasks":[` +
			`{"title":"in code","evidence":{"quote":"send the files","start":4,"end":18}},` +
			`{"title":"in a heading","evidence":{"quote":"Send the files","start":26,"end":40}},` +
			`{"title":"in a table","evidence":{"quote":"send the files","start":48,"end":62}},` +
			`{"title":"in a quote","evidence":{"quote":"send the files","start":78,"end":92}},` +
			`{"title":"an id twice","evidence":{"quote":"send the files","start":94,"end":108}},` +
			`{"title":"in a comment","evidence":{"quote":"send the files","start":126,"end":140}},` +
			`{"title":"indented code","evidence":{"quote":"send the files","start":149,"end":163}},` +
			`{"title":"at last","evidence":{"quote":"send the files","start":165,"end":179}}]}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !gjson.Valid(tt.record) {
				t.Fatalf("invalid JSON: %s", tt.record)
			}
			f := newFiler(t, t.TempDir(), nil, Options{Folder: "notes"})
			rec, note := fileOne(t, f, tt.record)
			golden := filepath.Join("testdata", "grounded", tt.name+".md")
			if *update {
				if err := os.WriteFile(golden, []byte(note), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if note != string(want) {
				t.Errorf("note:\n%s\nwant (%s):\n%s", note, golden, want)
			}
			if got := strings.Count(note, "[[#^"); got != tt.links {
				t.Errorf("%d links, want %d", got, tt.links)
			}
			if bad := controlChars(note); bad != nil {
				t.Errorf("control characters %q in the note", bad)
			}
			// Evidence that does not hold is said, one warning a task.
			warned := map[string]int{"bad-evidence": 9, "multibyte": 1}[tt.name]
			if errs := rec.Errors(); len(errs) != warned {
				t.Errorf("errors: %+v, want %d", errs, warned)
			}
			for _, e := range rec.Errors() {
				if !strings.Contains(e.Message, "its evidence is not a quote of the text") {
					t.Errorf("error %q", e.Message)
				}
			}
			// Filing it again changes nothing.
			_, again := fileOne(t, f, tt.record)
			if again != note {
				t.Errorf("filed again:\n%s", again)
			}
		})
	}
}

// The lines the note shows of a text are the text as the note showed it
// before tasks linked to it: strings.TrimSpace(safetext.Text(text)).
func TestTextLines(t *testing.T) {
	for _, text := range []string{
		"", "\n\n", "one", "  one  ", "\n\n  one\r\ntwo\rthree\u2028four\u0085five\u2029\n\n",
		"a\x00b\x1b[0m\n\u202ec\n", "\u00a0\n\ta\n\u00a0", "Cafe\u0301\n\u0301x", "a\r\n\r\nb", "x\r",
	} {
		var got []string
		for _, l := range textLines(text) {
			got = append(got, l.text)
		}
		if want := strings.TrimSpace(safetext.Text(text)); strings.Join(got, "\n") != want {
			t.Errorf("textLines(%q) = %q, want the lines of %q", text, got, want)
		}
	}
}

// A text's character offsets are found in bytes: past the end none.
func TestByteOffsets(t *testing.T) {
	text := "aé👩‍💻b" // a, é (2 bytes), 👩 (4), ZWJ (3), 💻 (4), b
	got := byteOffsets(text, []int{0, 1, 2, 3, 4, 5, 6, 7, 2})
	want := map[int]int{0: 0, 1: 1, 2: 3, 3: 7, 4: 10, 5: 14, 6: 15}
	if len(got) != len(want) {
		t.Errorf("byteOffsets = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("byteOffsets[%d] = %d, want %d", k, got[k], v)
		}
	}
}

// Raw HTML of the kinds that run on over blank lines to their end (a
// comment, <pre>, <script>, <style>, <textarea>, <?...?>, <!X...>, CDATA)
// shows nothing Obsidian reads as Markdown: a block id there is dead text,
// so a task said inside gets no link; the blocks after the end take ids as
// usual. want is the line of the note's text that takes the id ("" for no
// link).
func TestAnchorRawHTML(t *testing.T) {
	tests := []struct{ text, quote, want string }{
		{"<!--\ndraft\n\nsend the files\n\n-->\n\nbook the van", "send the files", ""},
		{"<!--\ndraft\n\nsend the files\n\n-->\n\nbook the van", "book the van", "book the van ^t1"},
		{"<!-- notes\n\nsend the files -->\n\nbook the van", "send the files", ""},
		{"<!-- notes\n\nsend the files -->\n\nbook the van", "book the van", "book the van ^t1"},
		{"<!-- one line -->\n\nsend the files", "send the files", "send the files ^t1"},
		{"Okay.\n<!-- draft\n\nsend the files\n-->", "send the files", ""},
		{"Okay, <!-- draft\n\nsend the files\n-->", "send the files", ""},
		{"a <!-- b --> c <!-- d\n\nsend the files\n\n-->", "send the files", ""},
		{"<!-- draft\n\nsend the files", "send the files", ""},
		{"<!--\n\na --> b <!-- c\n\nsend the files\n\n-->", "send the files", ""},
		{"<pre>\n\na</PRE> b <!-- c --> d\n\nsend the files", "send the files", "send the files ^t1"},
		{"<pre>\nlist\n\nsend the files\n</pre>", "send the files", ""},
		{"<PRE class=x>\n\nsend the files\n\n</pre>\n\nbook the van", "send the files", ""},
		{"<PRE class=x>\n\nsend the files\n\n</pre>\n\nbook the van", "book the van", "book the van ^t1"},
		{"<script>\nlet a = 1\n\nsend the files\n</script>", "send the files", ""},
		{"<style>\n\nsend the files {}\n</style>", "send the files", ""},
		{"<textarea>\n\nsend the files\n</textarea>", "send the files", ""},
		{"<?php\n\nsend the files\n?>", "send the files", ""},
		{"<!DOCTYPE x\n\nsend the files\n>", "send the files", ""},
		{"<![CDATA[\n\nsend the files\n]]>", "send the files", ""},
		{"- item\n  <!--\n\n  send the files\n  -->", "send the files", ""},
		{"  <pre>\n\n  send the files\n  </pre>", "send the files", ""},
		// In code, HTML is text: the paragraph after the fence is one.
		{"```\n<!--\n```\n\nsend the files", "send the files", "send the files ^t1"},
		// Code, fenced or indented, hides a block id too.
		{"~~~\nsend the files\n~~~\n\nbook the van", "send the files", ""},
		{"~~~\nsend the files\n~~~\n\nbook the van", "book the van", "book the van ^t1"},
		{"```\n\nsend the files", "send the files", ""},
		{"~~~~\n```\n~~~\n\nsend the files\n~~~~", "send the files", ""},
		{"Okay.\n\n    send the files", "send the files", ""},
		{"Okay.\n\n\tsend the files", "send the files", ""},
		{"- a\n\n    ```\n    send the files\n    ```", "send the files", ""},
		// <pre> inside a line starts no block.
		{"see <pre>\n\nsend the files", "send the files", "send the files ^t1"},
	}
	for _, tt := range tests {
		start := strings.Index(tt.text, tt.quote)
		if start < 0 {
			t.Fatalf("%q is not in %q", tt.quote, tt.text)
		}
		ev, _ := json.Marshal(map[string]any{"quote": tt.quote, "start": utf8.RuneCountInString(tt.text[:start]), "end": utf8.RuneCountInString(tt.text[:start]) + utf8.RuneCountInString(tt.quote)})
		tasks := gjson.Parse(`[{"title":"t","evidence":` + string(ev) + `,"grounded":true}]`).Array()
		lines := textLines(tt.text)
		links := placeTasks(tt.text, tasks, nil, nil, lines)
		got := ""
		for _, l := range lines {
			if strings.HasSuffix(l.text, " ^t1") {
				got = l.text
			}
		}
		if got != tt.want || (links[0] != "") != (tt.want != "") {
			t.Errorf("text %q, quote %q: id on %q, link %q; want the id on %q", tt.text, tt.quote, got, links[0], tt.want)
		}
	}
}
