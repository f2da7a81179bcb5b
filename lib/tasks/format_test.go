package tasks

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func sample(t *testing.T) []Task {
	t.Helper()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ref := time.Date(2026, 11, 26, 9, 30, 0, 0, berlin)
	due1, _ := ResolveDue("2026-11-27", ref)
	due2, _ := ResolveDue("2026-11-30T15:00", ref)
	at := 725.4
	return []Task{
		{ID: TaskID("memo-1", "Call the dentist"), Title: "Call the dentist", Priority: "high", Project: "health", Tags: []string{"health", "phone"},
			SourceID: "memo-1", Due: due1.String(), due: due1, hasDue: true, entry: ref, source: "memos/a.m4a",
			Evidence: &Evidence{Quote: "call the dentist, tomorrow", Start: 4, End: 30, At: &at}, Grounded: true},
		{ID: TaskID("memo-1", "Send the quote, with VAT; to Dana"), Title: "Send the quote, with VAT; to Dana", For: "Tom Weber", Tags: []string{}, Priority: "low",
			SourceID: "memo-1", Due: due2.String(), due: due2, hasDue: true, entry: ref,
			Evidence: &Evidence{Quote: "send Dana the quote", Start: 40, End: 59}, Grounded: true},
		{ID: TaskID("memo-1", "Book the studio"), Title: "Book the studio", Tags: []string{}, SourceID: "memo-1", entry: ref},
	}
}

func TestTaskID(t *testing.T) {
	a := TaskID("memo-1", "Call the dentist")
	if a != TaskID("memo-1", "  call the   DENTIST. ") {
		t.Error("normalization: case, spaces and end punctuation must not change the id")
	}
	if a == TaskID("memo-2", "Call the dentist") || a == TaskID("memo-1", "Call the doctor") {
		t.Error("different source or title, same id")
	}
	if len(a) != 36 || a[14] != '5' {
		t.Errorf("not a UUID v5: %s", a)
	}
}

func TestLines(t *testing.T) {
	tasks := sample(t)
	var tw, todo, md []string
	for _, task := range tasks {
		tw = append(tw, string(Taskwarrior(task)))
		todo = append(todo, TodoTxt(task))
		md = append(md, Markdown(task))
	}
	id0, id1, id2 := tasks[0].ID, tasks[1].ID, tasks[2].ID
	wantTW := []string{
		`{"uuid":"` + id0 + `","description":"Call the dentist","status":"pending","entry":"20261126T083000Z","due":"20261126T230000Z","priority":"H","project":"health","tags":["health","phone"],"annotations":[{"entry":"20261126T083000Z","description":"Said at 12:05: “call the dentist, tomorrow”"}]}`,
		`{"uuid":"` + id1 + `","description":"Send the quote, with VAT; to Dana (for Tom Weber)","status":"pending","entry":"20261126T083000Z","due":"20261130T140000Z","priority":"L","annotations":[{"entry":"20261126T083000Z","description":"Said: “send Dana the quote”"}]}`,
		`{"uuid":"` + id2 + `","description":"Book the studio","status":"pending","entry":"20261126T083000Z"}`,
	}
	wantTodo := []string{
		"(A) 2026-11-26 Call the dentist +health +phone due:2026-11-27 at:12m05s uuid:" + id0,
		"(C) 2026-11-26 Send the quote, with VAT; to Dana @Tom-Weber due:2026-11-30 uuid:" + id1,
		"2026-11-26 Book the studio uuid:" + id2,
	}
	wantMD := []string{
		"- [ ] Call the dentist — “call the dentist, tomorrow” (at 12:05) ⏫ 📅 2026-11-27 #health #phone",
		"- [ ] Send the quote, with VAT; to Dana (for Tom Weber) — “send Dana the quote” 🔽 📅 2026-11-30",
		"- [ ] Book the studio",
	}
	for i := range tasks {
		if tw[i] != wantTW[i] {
			t.Errorf("taskwarrior %d:\n got %s\nwant %s", i, tw[i], wantTW[i])
		}
		if todo[i] != wantTodo[i] {
			t.Errorf("todo.txt %d:\n got %s\nwant %s", i, todo[i], wantTodo[i])
		}
		if md[i] != wantMD[i] {
			t.Errorf("markdown %d:\n got %s\nwant %s", i, md[i], wantMD[i])
		}
	}
}

func TestCalendar(t *testing.T) {
	var b bytes.Buffer
	c := NewCalendar(&b, time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	for _, task := range sample(t) {
		if err := c.Add(task); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	got := b.String()
	golden := filepath.Join("testdata", "tasks.ics")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, b.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("calendar differs from %s:\n%s", golden, got)
	}
	for i, line := range strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d has %d octets", i, len(line))
		}
		if strings.Contains(line, "\n") {
			t.Errorf("line %d has a bare LF", i)
		}
	}
	var empty bytes.Buffer
	NewCalendar(&empty, time.Now()).Close()
	if !strings.HasPrefix(empty.String(), "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(empty.String(), "END:VCALENDAR\r\n") {
		t.Errorf("empty calendar: %q", empty.String())
	}
}

func TestFold(t *testing.T) {
	for _, s := range []string{
		"SUMMARY:" + strings.Repeat("a", 200),
		"SUMMARY:" + strings.Repeat("é", 100),
		"SUMMARY:" + strings.Repeat("日本語", 40),
		"SUMMARY:" + strings.Repeat("🦀x", 50),
		"SHORT:x",
	} {
		folded := Fold(s)
		lines := strings.Split(strings.TrimSuffix(folded, "\r\n"), "\r\n")
		var back strings.Builder
		for i, l := range lines {
			if len(l) > 75 {
				t.Errorf("%d octets", len(l))
			}
			if !utf8.ValidString(l) {
				t.Errorf("line %d splits a character: %q", i, l)
			}
			if i > 0 {
				if l[0] != ' ' {
					t.Errorf("continuation without a space")
				}
				l = l[1:]
			}
			back.WriteString(l)
		}
		if back.String() != s {
			t.Errorf("unfolding does not give the line back")
		}
	}
}

func TestEscapeText(t *testing.T) {
	if got := EscapeText("a;b,c\\d\ne\r\nf"); got != `a\;b\,c\\d\ne\nf` {
		t.Errorf("%s", got)
	}
	// Line ends of every kind are escaped; the controls RFC 5545 forbids in
	// TEXT are not passed on.
	if got := EscapeText("a\rb\u2028c\u2029d\u0085e\tf\x1b[31mg\x07\x00\u202eh"); got != `a\nb\nc\nd\ne f [31mg  h` {
		t.Errorf("%q", got)
	}
}

func TestAppendTodoTxt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "todo.txt")
	mine := "x 2026-11-20 Done already\n(B) my own line, no newline at the end"
	os.WriteFile(path, []byte(mine), 0o644)
	tasks := sample(t)
	n, err := AppendTodoTxt(path, tasks[:2])
	if err != nil || n != 2 {
		t.Fatalf("%d %v", n, err)
	}
	n, err = AppendTodoTxt(path, tasks) // again, and one more
	if err != nil || n != 1 {
		t.Fatalf("second: %d %v", n, err)
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	if !strings.HasPrefix(got, mine+"\n") {
		t.Fatalf("the file's own lines changed:\n%s", got)
	}
	if strings.Count(got, "\n") != 5 || strings.Count(got, "uuid:"+tasks[0].ID) != 1 {
		t.Fatalf("got:\n%s", got)
	}
	// Concurrent runs add each task once.
	path2 := filepath.Join(t.TempDir(), "todo.txt")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); AppendTodoTxt(path2, tasks) }()
	}
	wg.Wait()
	b, _ = os.ReadFile(path2)
	if n := strings.Count(string(b), "\n"); n != 3 {
		t.Fatalf("concurrent appends wrote %d lines:\n%s", n, b)
	}
}

// controls lists what no format may let through from model text.
var controls = []string{"\n", "\r", "\t", "\x1b", "\x07", "\x00", "\x7f", "\u0085", "\u009b", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069"}

func TestTodoTxtText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Call the dentist", "Call the dentist"},
		{"Sam\n- [x] injected", "Sam - [x] injected"},
		{"a\r\nb\tc\x1b[31md\x07e\x00f\u0085g\u009bh\u2028i\u2029j", "a b c [31md e f g h i j"},
		{"\u202eevil\u2066x\u2069", "evilx"},
		// At the start, todo.txt reads "x " as done and "(A) " as a priority.
		{"x Done already", "X Done already"},
		{"\n x done", "X done"},
		{"(A) Top priority", "(a) Top priority"},
		{"(Z) last", "(z) last"},
		{"(AB) not a priority", "(AB) not a priority"},
		{"xylophone lessons", "xylophone lessons"},
		// key:value anywhere is a field (due:, uuid:, t:, rec:, h:...).
		{"Pay rent due:2026-01-01", "Pay rent due: 2026-01-01"},
		{"Pay uuid:6f1c6f43-2d1e-5b8e-9a41-7c3f0e2b9d55 twice", "Pay uuid: 6f1c6f43-2d1e-5b8e-9a41-7c3f0e2b9d55 twice"},
		{"h:1 hidden rec:1w t:2026-01-01", "h: 1 hidden rec: 1w t: 2026-01-01"},
		{"a:b:c", "a: b: c"},
		{"Re: the quote", "Re: the quote"},
		// Times and URLs are not fields.
		{"Meet at 10:30 or 11:15:00", "Meet at 10:30 or 11:15:00"},
		{"Read https://example.com/a?b=c:d", "Read https://example.com/a?b=c: d"},
		// +project and @context anywhere.
		{"Ask +health @home about C++ and sam@example.com", "Ask + health @ home about C++ and sam@example.com"},
		{"Call +49 30 1234", "Call + 49 30 1234"},
		// A space put in starts a word: what follows it is checked as one.
		{"++health @@home +@x", "+ + health @ @ home + @ x"},
		{"a:+b c:@d e:f:g", "a: + b c: @ d e: f: g"},
		{"Cafe\u0301", "Café"},
	}
	for _, tt := range tests {
		if got := TodoTxtText(tt.in); got != tt.want {
			t.Errorf("TodoTxtText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTodoTxtWord(t *testing.T) {
	tests := map[string]string{
		"health":               "health",
		"Sam Smith":            "Sam-Smith",
		"home\nwork":           "home-work",
		"a\x1b[31m\x07b":       "a-[31m-b",
		"\u202eevil":           "evil",
		" \t":                  "",
		"Sam\n- [x] injected":  "Sam---[x]-injected",
		"Cafe\u0301 Ölzbürger": "Café-Ölzbürger",
	}
	for in, want := range tests {
		if got := TodoTxtWord(in); got != want {
			t.Errorf("TodoTxtWord(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestICSText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a;b,c\\d", `a\;b\,c\\d`},
		{"Sam\nEND:VTODO", `Sam END:VTODO`},
		{"a\r\nb\tc\x1b[31md\x07e\x00f\u0085g\u009bh\u2028i\u2029j", `a b c [31md e f g h i j`},
		{"\u202eevil\u2067x\u2069", "evilx"},
		{"Cafe\u0301", "Café"},
	}
	for _, tt := range tests {
		if got := ICSText(tt.in); got != tt.want {
			t.Errorf("ICSText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTaskwarriorText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Call the dentist", "Call the dentist"},
		{"Sam\n- [x] injected", "Sam - [x] injected"},
		{"a\r\nb\tc\x1b[31md\x07e\x00f\u0085g\u009bh\u2028i\u2029j", "a b c [31md e f g h i j"},
		{"\u202eevil", "evil"},
	}
	for _, tt := range tests {
		if got := TaskwarriorText(tt.in); got != tt.want {
			t.Errorf("TaskwarriorText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	tags := map[string]string{"phone": "phone", "a,b": "a-b", "a b\nc": "a-b-c", "+next": "next", "-x": "x", "\x1b": ""}
	for in, want := range tags {
		if got := TaskwarriorTag(in); got != want {
			t.Errorf("TaskwarriorTag(%q) = %q, want %q", in, got, want)
		}
	}
}

// A task whose every field a model filled with hostile text comes out of
// each format as one task line (one VTODO) with no control character, and
// with no field it did not have.
func TestHostileTask(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	ref := time.Date(2026, 11, 26, 9, 30, 0, 0, ny)
	at := 3725.0
	task := Task{
		ID:      TaskID("memo-1", "hostile"),
		Title:   "Buy milk\n- [x] injected done task ✅ 2026-01-01 #done\r\n\x1b[2J\x07\x00\u2028(A) x due:2026-01-01 uuid:00000000-0000-0000-0000-000000000000 \u202eevil",
		For:     "Sam\n- [x] injected done task",
		Project: "home\nwork\x1b", Tags: []string{"a\x1bb", "c d", "e,f", "#g"},
		SourceID: "memo-1", entry: ref, source: "memos/\x1b]0;x\x07a.m4a\nEND:VCALENDAR",
		// The text's own words: a transcript can hold anything too.
		Evidence: &Evidence{Quote: "buy milk\n- [x] done ✅ 2026-01-01 #done due:2026-01-01\r\nEND:VTODO\x1b[2J\u202e <b>%%", At: &at},
	}
	check := func(format, out string) {
		t.Helper()
		for _, c := range controls {
			if strings.Contains(out, c) {
				t.Errorf("%s: %q in %q", format, c, out)
			}
		}
	}

	md := Markdown(task)
	check("markdown", md)
	if !strings.HasPrefix(md, "- [ ] ") || strings.Contains(md, "- [x]") || strings.Contains(md, "✅") || strings.Contains(md, " #done") {
		t.Errorf("markdown forged a field: %s", md)
	}
	if want := `- [ ] Buy milk - \[x] injected done task 2026-01-01 \#done \[2J (A) x due:2026-01-01 uuid:00000000-0000-0000-0000-000000000000 evil (for Sam - \[x] injected done task) — “buy milk - \[x] done 2026-01-01 \#done due:2026-01-01 END:VTODO \[2J \<b>%\%” (at 1:02:05) #home-work #a-b #c-d #e-f #g`; md != want {
		t.Errorf("markdown:\n got %s\nwant %s", md, want)
	}

	todo := TodoTxt(task)
	check("todo.txt", todo)
	fields := regexp.MustCompile(`(?:^|\s)([^\s:]+):[^\s:]`).FindAllStringSubmatch(todo, -1)
	if len(fields) != 2 || fields[0][1] != "at" || fields[1][1] != "uuid" || !strings.HasSuffix(todo, " at:1h02m05s uuid:"+task.ID) {
		t.Errorf("todo.txt forged a field: %s", todo)
	}
	if want := "2026-11-26 Buy milk - [x] injected done task ✅ 2026-01-01 #done [2J (A) x due: 2026-01-01 uuid: 00000000-0000-0000-0000-000000000000 evil +home-work +a-b +c-d +e,f +#g @Sam---[x]-injected-done-task at:1h02m05s uuid:" + task.ID; todo != want {
		t.Errorf("todo.txt:\n got %s\nwant %s", todo, want)
	}

	tw := string(Taskwarrior(task))
	check("taskwarrior", tw)
	var got struct {
		Description, Project string
		Tags                 []string
		Annotations          []struct{ Entry, Description string }
	}
	if err := json.Unmarshal([]byte(tw), &got); err != nil {
		t.Fatal(err)
	}
	check("taskwarrior description", got.Description)
	check("taskwarrior project", got.Project)
	check("taskwarrior tags", strings.Join(got.Tags, " "))
	if len(got.Annotations) != 1 {
		t.Fatalf("taskwarrior annotations: %s", tw)
	}
	check("taskwarrior annotation", got.Annotations[0].Description)
	if want := "Said at 1:02:05: “buy milk - [x] done ✅ 2026-01-01 #done due:2026-01-01 END:VTODO [2J <b>%%”"; got.Annotations[0].Description != want {
		t.Errorf("taskwarrior annotation:\n got %s\nwant %s", got.Annotations[0].Description, want)
	}
	if got.Project != "home work" || strings.Join(got.Tags, " ") != "a-b c-d e-f #g" {
		t.Errorf("taskwarrior: %s", tw)
	}

	var b bytes.Buffer
	c := NewCalendar(&b, ref)
	if err := c.Add(task); err != nil {
		t.Fatal(err)
	}
	c.Close()
	ics := b.String()
	check("ics", strings.ReplaceAll(ics, "\r\n", ""))
	if !strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), `\nSaid at 1:02:05: “buy milk - [x] done ✅ 2026-01-01 #done due:2026-01-01 END:VTODO [2J <b>%%”`) {
		t.Errorf("ics: no evidence in DESCRIPTION:\n%s", ics)
	}
	if strings.Count(ics, "END:VTODO\r\n") != 1 || strings.Count(ics, "BEGIN:VTODO\r\n") != 1 || strings.Count(ics, "\r\nEND:VCALENDAR\r\n") != 1 || strings.Count(ics, "\r\nSUMMARY:") != 1 {
		t.Errorf("ics forged a component or property:\n%s", ics)
	}
}

func TestClock(t *testing.T) {
	for _, tc := range []struct {
		sec         float64
		clock, todo string
	}{
		{0, "0:00", "0m00s"},
		{5.99, "0:05", "0m05s"},
		{725.4, "12:05", "12m05s"},
		{3599.9, "59:59", "59m59s"},
		{3600, "1:00:00", "1h00m00s"},
		{3725, "1:02:05", "1h02m05s"},
		{-3, "0:00", "0m00s"},
	} {
		if got := Clock(tc.sec); got != tc.clock {
			t.Errorf("Clock(%v) = %q, want %q", tc.sec, got, tc.clock)
		}
		if got := TodoTxtAt(tc.sec); got != tc.todo || strings.Contains(got, ":") {
			t.Errorf("TodoTxtAt(%v) = %q, want %q", tc.sec, got, tc.todo)
		}
	}
}
