package llm

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Writers and readers of one key at once never see half an answer, and
// leave no temporary files.
func TestCacheConcurrent(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	key := strings.Repeat("ab", 32)
	answers := []string{strings.Repeat("x", 1<<20), strings.Repeat("y", 1<<20)}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 20 {
				c.put(key, answers[i%2])
			}
		}()
		go func() {
			defer wg.Done()
			for range 50 {
				if s, ok := c.get(key); ok && s != answers[0] && s != answers[1] {
					t.Errorf("read %d bytes of a mixed or partial answer", len(s))
					return
				}
			}
		}()
	}
	wg.Wait()
	left, _ := filepath.Glob(filepath.Join(c.Dir, "*", ".tmp-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	var nilCache *Cache
	nilCache.put(key, "x")
	if _, ok := nilCache.get(key); ok {
		t.Fatal("nil cache answered")
	}
	// A cache that cannot be written (its folder would be under a file,
	// which stops root too) is not an error: the answer is just not kept.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ro := &Cache{Dir: filepath.Join(blocker, "llm")}
	ro.put(key, "x")
	if v, ok := ro.get(key); ok {
		t.Errorf("an unwritable cache gave back %q", v)
	}
}

func TestCacheCheck(t *testing.T) {
	dir := t.TempDir()
	if err := (&Cache{Dir: filepath.Join(dir, "llm")}).Check(); err != nil {
		t.Fatalf("a cache that can be written: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "llm")); len(left) != 0 {
		t.Fatalf("the check left %v", left)
	}
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o600)
	if err := (&Cache{Dir: filepath.Join(dir, "file", "llm")}).Check(); err == nil {
		t.Fatal("a cache under a file: no error")
	}
}
