package tasks

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/shelfai/shelf/lib/lockfile"
)

var uuidField = regexp.MustCompile(`(?:^|\s)uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\s|$)`)

// AppendTodoTxt adds to the todo.txt file at path the tasks that are not in
// it yet (by their uuid: field), in one append: the file's other lines are
// never read back into it or rewritten, so nothing a person or another
// program wrote there can be lost. An advisory lock keeps concurrent shelf
// runs from adding a task twice. It returns how many lines it added. An
// append that fails (a full disk) is taken back: the file is cut to the
// length it had, so it never keeps half a line.
func AppendTodoTxt(path string, tasks []Task) (int, error) {
	if len(tasks) == 0 {
		return 0, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := lockfile.Lock(f); err != nil {
		return 0, fmt.Errorf("lock %s: %w", path, err)
	}
	defer lockfile.Unlock(f)
	return appendNew(f, tasks)
}

// todoFile is what an append needs of the todo.txt file, opened to read
// and append: an *os.File (tests put one whose writes fail in its place).
type todoFile interface {
	io.ReadWriter
	Sync() error
	Truncate(size int64) error
}

// appendNew appends to f the tasks whose uuid is not in it yet.
func appendNew(f todoFile, tasks []Task) (int, error) {
	existing, err := io.ReadAll(f)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, m := range uuidField.FindAllStringSubmatch(string(existing), -1) {
		have[m[1]] = true
	}
	var b strings.Builder
	if len(existing) > 0 && existing[len(existing)-1] != '\n' {
		b.WriteString("\n")
	}
	added := 0
	for _, t := range tasks {
		if have[t.ID] {
			continue
		}
		have[t.ID] = true
		b.WriteString(TodoTxt(t))
		b.WriteString("\n")
		added++
	}
	if added == 0 {
		return 0, nil
	}
	// A write the disk cut short, or one that may not have reached it,
	// is taken back: the file never keeps half a line, nor lines the
	// records say were not appended.
	_, err = f.Write([]byte(b.String()))
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		if terr := f.Truncate(int64(len(existing))); terr != nil {
			return 0, fmt.Errorf("%w; and cutting the file back to its %d bytes before the append failed: %v", err, len(existing), terr)
		}
		return 0, err
	}
	return added, nil
}
