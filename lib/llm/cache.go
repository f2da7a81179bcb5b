package llm

import (
	"os"
	"path/filepath"
)

// Cache is a content-addressed store of answers: one file per answer, named
// by the hash of everything that determined it. Files are written to a
// temporary name and renamed into place, so concurrent processes never see
// half an answer. A nil *Cache caches nothing.
type Cache struct {
	Dir string
}

func (c *Cache) path(key string) string {
	return filepath.Join(c.Dir, key[:2], key[2:])
}

func (c *Cache) get(key string) (string, bool) {
	if c == nil || key == "" {
		return "", false
	}
	b, err := os.ReadFile(c.path(key))
	if err != nil {
		return "", false
	}
	return string(b), true
}

// put stores an answer; failing to cache is never an error of the request.
func (c *Cache) put(key, value string) {
	if c == nil || key == "" {
		return
	}
	p := c.path(key)
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := f.WriteString(value)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		return
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
	}
}

// Check says why answers cannot be written to the cache (its folder cannot
// be made, or a file cannot be put in it), or nil. A cache that cannot be
// written still answers what it holds; it only costs requests.
func (c *Cache) Check() error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(c.Dir, ".tmp-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}
