package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
)

// Index maps note ids to where the notes are, so that a large vault is not
// read on every run. It lives in the cache (it can always be rebuilt from
// the notes' front matter), with the modification times of the vault's
// folders: when a folder changed behind shelf's back (a note added, moved
// or deleted by the person, or by shelf on another machine), the index is
// rebuilt.
type Index struct {
	path  string
	v     *Vault
	Root  string            `json:"root"`
	Notes map[string]string `json:"notes"` // id -> vault-relative path
	Dirs  map[string]int64  `json:"dirs"`  // vault-relative folder ("" is the root) -> mtime (ns)
	// Rebuilt says whether loading had to read the notes.
	Rebuilt bool `json:"-"`
}

// LoadIndex returns the vault's index from cacheDir, rebuilt if it is
// missing, unreadable, or stale.
func LoadIndex(v *Vault, cacheDir string) (*Index, error) {
	sum := sha256.Sum256([]byte(v.Root))
	ix := &Index{path: filepath.Join(cacheDir, "vaults", hex.EncodeToString(sum[:8])+".json"), v: v}
	data, err := os.ReadFile(ix.path)
	if err == nil && json.Unmarshal(data, ix) == nil && ix.Root == v.Root && ix.Notes != nil {
		dirs, err := v.dirTimes()
		if err != nil {
			return nil, err
		}
		if maps.Equal(dirs, ix.Dirs) {
			return ix, nil
		}
	}
	return ix, ix.Rebuild()
}

// dirTimes reads the modification times of the vault's note folders.
func (v *Vault) dirTimes() (map[string]int64, error) {
	out := map[string]int64{}
	err := filepath.WalkDir(v.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != v.Root && hidden(d.Name()) {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(v.Root, path)
		if rel == "." {
			rel = ""
		}
		out[filepath.ToSlash(rel)] = info.ModTime().UnixNano()
		return nil
	})
	return out, err
}

// Rebuild reads the front matter of every note in the vault.
func (ix *Index) Rebuild() error {
	ix.Root, ix.Notes, ix.Rebuilt = ix.v.Root, map[string]string{}, true
	err := filepath.WalkDir(ix.v.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != ix.v.Root && hidden(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".md") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil // unreadable notes are not shelf's
		}
		fm, _, err := Parse(data)
		if err != nil || fm == nil || fm.ID == "" {
			return nil
		}
		rel, _ := filepath.Rel(ix.v.Root, path)
		rel = filepath.ToSlash(rel)
		// Two notes with one id (a copied note): keep the first by path.
		if old, ok := ix.Notes[fm.ID]; !ok || rel < old {
			ix.Notes[fm.ID] = rel
		}
		return nil
	})
	if err != nil {
		return err
	}
	ix.Dirs, err = ix.v.dirTimes()
	return err
}

// Lookup returns where the note with id is, checking that it is still
// there with that id; if not, the index is rebuilt once. An id that a fresh
// index does not know is a new note.
func (ix *Index) Lookup(id string) (string, bool, error) {
	rel, ok := ix.Notes[id]
	if !ok {
		return "", false, nil
	}
	if ix.holds(rel, id) {
		return rel, true, nil
	}
	if !ix.Rebuilt {
		if err := ix.Rebuild(); err != nil {
			return "", false, err
		}
		if rel, ok = ix.Notes[id]; ok && ix.holds(rel, id) {
			return rel, true, nil
		}
	}
	return "", false, nil
}

// holds reports whether the note at rel is a file (not a symlink, which
// Rebuild does not follow either) with that id.
func (ix *Index) holds(rel, id string) bool {
	name := filepath.Join(ix.v.Root, filepath.FromSlash(rel))
	if st, err := os.Lstat(name); err != nil || !st.Mode().IsRegular() {
		return false
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return false
	}
	fm, _, err := Parse(data)
	return err == nil && fm != nil && fm.ID == id
}

// Put records where a note is.
func (ix *Index) Put(id, rel string) { ix.Notes[id] = rel }

// Save writes the index with the folders' times as they are now.
func (ix *Index) Save() error {
	var err error
	if ix.Dirs, err = ix.v.dirTimes(); err != nil {
		return err
	}
	data, err := json.Marshal(ix)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(ix.path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(ix.path), ".index-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), ix.path)
}

// LockPath is the lock file that keeps two runs off one vault at once.
func (ix *Index) LockPath() string { return strings.TrimSuffix(ix.path, ".json") + ".lock" }
