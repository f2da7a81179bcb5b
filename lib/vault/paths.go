// Package vault provides the note filer's vault: a folder of Markdown notes
// (Obsidian-compatible) that shelf writes into safely. Every path piece that
// comes from a record or a model is sanitized and the final path must lie
// inside the vault after symlinks are resolved; notes carry YAML front
// matter with a hash of what shelf wrote, so a note the person edited is
// never overwritten; writes are atomic and durable; and an index, rebuilt
// from front matter when it is missing or stale, finds a note by its id
// wherever the person moved it. In the note, each task links to the
// transcript line or paragraph where it was said, and what the checks did
// not find in the text says so (grounding.go).
package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/slug"
	"github.com/shelfai/shelf/lib/safetext"
	"github.com/shelfai/shelf/lib/sysexits"
	"golang.org/x/text/unicode/norm"
)

// Vault is an existing folder of notes.
type Vault struct {
	Root string // absolute, symlinks resolved
}

// ErrNoVault is Open's error when no vault is named.
var ErrNoVault = errors.New("no vault given")

// MissingError is Open's error for a vault folder that does not exist.
type MissingError struct{ Dir string }

func (e *MissingError) Error() string { return "vault " + e.Dir + " does not exist" }
func (e *MissingError) Unwrap() error { return fs.ErrNotExist }

// Open returns the vault at dir, which must exist: a mistyped path is an
// error (a *MissingError), never a new vault. No dir is ErrNoVault, with
// the exit status of a usage error.
func Open(dir string) (*Vault, error) {
	if dir == "" {
		return nil, sysexits.New(sysexits.Usage, "", ErrNoVault)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, sysexits.New(sysexits.CantCreate, "", &MissingError{Dir: dir})
		}
		return nil, sysexits.New(sysexits.CantCreate, "", fmt.Errorf("vault %s: %w", dir, err))
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, sysexits.New(sysexits.CantCreate, "", fmt.Errorf("vault %s: %w", dir, err))
	}
	if !st.IsDir() {
		return nil, sysexits.Errorf(sysexits.CantCreate, "", "vault %s is not a folder", dir)
	}
	return &Vault{Root: root}, nil
}

// Init makes the vault folder (and its parents) if it does not exist.
func Init(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sysexits.New(sysexits.CantCreate, "", fmt.Errorf("create vault: %w", err))
	}
	return nil
}

// hidden reports whether a folder is not for notes (.obsidian, .git,
// .trash and every other dot folder).
func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// Folders lists the vault's note folders, relative and slash-separated,
// sorted, without hidden ones. Symlinked folders are not followed.
func (v *Vault) Folders() ([]string, error) {
	var out []string
	err := filepath.WalkDir(v.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || path == v.Root {
			return nil
		}
		if hidden(d.Name()) {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(v.Root, path)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	slices.Sort(out)
	return out, err
}

// Inside resolves the vault-relative path rel (slash-separated) to an
// absolute path and checks that it lies inside the vault once the symlinks
// of its existing part are resolved. Nothing is created.
func (v *Vault) Inside(rel string) (string, error) {
	if rel == "" || filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") || strings.ContainsRune(rel, 0) {
		return "", fmt.Errorf("path %q is not a relative path in the vault", rel)
	}
	for _, part := range strings.Split(rel, "/") {
		if part == "" || part == "." || part == ".." {
			return "", fmt.Errorf("path %q leaves the vault", rel)
		}
	}
	abs := filepath.Join(v.Root, filepath.FromSlash(rel))
	// Resolve the longest existing prefix.
	probe := abs
	var rest []string
	for {
		real, err := filepath.EvalSymlinks(probe)
		if err == nil {
			full := filepath.Join(append([]string{real}, rest...)...)
			if full != v.Root && !strings.HasPrefix(full, v.Root+string(filepath.Separator)) {
				return "", fmt.Errorf("path %q leads outside the vault (through a symlink)", rel)
			}
			return abs, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			return "", fmt.Errorf("path %q: %w", rel, err)
		}
		rest = append([]string{filepath.Base(probe)}, rest...)
		probe = parent
	}
}

var reserved = map[string]bool{"con": true, "prn": true, "aux": true, "nul": true}

func init() {
	for i := 1; i <= 9; i++ {
		reserved[fmt.Sprintf("com%d", i)] = true
		reserved[fmt.Sprintf("lpt%d", i)] = true
	}
}

// SafeName makes one file or folder name out of untrusted text: no path
// separators or control characters (each becomes a space); no format
// characters (zero-width spaces and joiners, bidirectional controls, the
// byte order mark, soft hyphens), removed, since they take up no room; no
// characters Windows forbids or that break links in Obsidian (# ^ [ ] |);
// no leading dots (hidden files, "..") or trailing dots and spaces; no
// names Windows reserves; at most maxBytes bytes; in Unicode NFC (so that
// "Café" typed and "Café" with a combining accent are one name). It
// returns "" when nothing is left.
func SafeName(s string, maxBytes int) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		switch {
		case unicode.Is(unicode.Cf, r): // zero-width, bidi, BOM, soft hyphen...: invisible, so gone
		case r == utf8.RuneError, r < 0x20, r == 0x7f, unicode.Is(unicode.Cc, r),
			strings.ContainsRune(`/\:*?"<>|#^[]`, r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	name := strings.Join(strings.Fields(b.String()), " ")
	name = strings.TrimLeft(name, ". ")
	for len(name) > maxBytes {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	name = strings.TrimRight(name, ". ")
	base := strings.ToLower(name)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	if reserved[strings.TrimSpace(base)] {
		name = "_" + name
	}
	return name
}

// Slug is the ASCII-folded, lower-case, hyphenated form of a title for file
// names, at most max bytes, cut at a hyphen where it can. (Names Windows
// reserves cannot come of it: note names start with their date.)
func Slug(title string, max int) string {
	s := slug.Make(safetext.Title(title))
	if len(s) > max {
		s = s[:max]
		if i := strings.LastIndexByte(s, '-'); i > max/2 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	return s
}

// FolderPath sanitizes a folder path given by a person (--folder): each
// piece is made safe; empty pieces are dropped.
func FolderPath(p string) string {
	var parts []string
	for _, piece := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if s := SafeName(piece, 100); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "/")
}
