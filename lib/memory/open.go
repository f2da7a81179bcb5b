package memory

import (
	"context"
	"fmt"
	"time"
)

// Access is what a command does with the store.
type Access int

const (
	// ReadWrite opens the store to change it (storing, forget, import,
	// reindex): made if it is not there, migrated if it is older.
	ReadWrite Access = iota
	// ReadOnly opens it to read (recall, context, stats, export), as
	// OpenReadOnly does: nothing is made, migrated or written.
	ReadOnly
)

// OpenError is the error of a store that could not be opened.
type OpenError struct {
	Path   string
	Access Access
	Err    error
}

func (e *OpenError) Error() string { return fmt.Sprintf("open the store %s: %v", e.Path, e.Err) }
func (e *OpenError) Unwrap() error { return e.Err }

// OpenFor opens the store at path for access, dating what it stores by
// now (nil: time.Now): a PostgreSQL URL (IsURL) opens a Shared store,
// which keeps what it caches in cacheDir ("": nothing), anything else the
// SQLite file. Its error is an *OpenError, which names a URL without its
// password.
func OpenFor(ctx context.Context, path string, access Access, now func() time.Time, cacheDir string) (Backend, error) {
	if IsURL(path) {
		s, err := openSharedIn(ctx, path, access, cacheDir)
		if err != nil {
			return nil, &OpenError{Path: redactURL(path), Access: access, Err: err}
		}
		if now != nil {
			s.Now = now
		}
		return s, nil
	}
	open := Open
	if access == ReadOnly {
		open = OpenReadOnly
	}
	s, err := open(ctx, path)
	if err != nil {
		return nil, &OpenError{Path: path, Access: access, Err: err}
	}
	if now != nil {
		s.Now = now
	}
	return s, nil
}
