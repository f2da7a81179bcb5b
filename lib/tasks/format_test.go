package tasks

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite testdata/tasks.ics")

func sample(t *testing.T) []Task {
	t.Helper()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ref := time.Date(2026, 11, 26, 9, 30, 0, 0, berlin)
	due1, _ := ResolveDue("2026-11-27", ref)
	due2, _ := ResolveDue("2026-11-30T15:00", ref)
	return []Task{
		{ID: TaskID("memo-1", "Call the dentist"), Title: "Call the dentist", Priority: "high", Project: "health", Tags: []string{"health", "phone"},
			SourceID: "memo-1", Due: due1.String(), due: due1, hasDue: true, entry: ref, source: "memos/a.m4a"},
		{ID: TaskID("memo-1", "Send the quote, with VAT; to Dana"), Title: "Send the quote, with VAT; to Dana", For: "Tom Weber", Tags: []string{}, Priority: "low",
			SourceID: "memo-1", Due: due2.String(), due: due2, hasDue: true, entry: ref},
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
		`{"uuid":"` + id0 + `","description":"Call the dentist","status":"pending","entry":"20261126T083000Z","due":"20261126T230000Z","priority":"H","project":"health","tags":["health","phone"]}`,
		`{"uuid":"` + id1 + `","description":"Send the quote, with VAT; to Dana (for Tom Weber)","status":"pending","entry":"20261126T083000Z","due":"20261130T140000Z","priority":"L"}`,
		`{"uuid":"` + id2 + `","description":"Book the studio","status":"pending","entry":"20261126T083000Z"}`,
	}
	wantTodo := []string{
		"(A) 2026-11-26 Call the dentist +health +phone due:2026-11-27 uuid:" + id0,
		"(C) 2026-11-26 Send the quote, with VAT; to Dana @Tom-Weber due:2026-11-30 uuid:" + id1,
		"2026-11-26 Book the studio uuid:" + id2,
	}
	wantMD := []string{
		"- [ ] Call the dentist ⏫ 📅 2026-11-27 #health #phone",
		"- [ ] Send the quote, with VAT; to Dana (for Tom Weber) 🔽 📅 2026-11-30",
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
