// Package memory provides remember's store: a SQLite database (pure Go,
// WAL, a busy timeout so that overlapping cron jobs take turns) of records
// kept with their history, searched by BM25 over FTS5 and by vector
// similarity, fused by reciprocal rank. Vectors are kept twice (package
// vecindex): as int8 with a scale per vector, for exact re-ranking, and as
// sign bits packed into large contiguous chunks, so that a new process
// scans a million of them in one read and a few million popcounts. Forgetting removes the text
// physically: secure_delete, FTS5's secure-delete and optimize, and a
// checkpoint of the write-ahead log. A Sink stores the records of a
// pipeline as they pass; Reindex and Fill embed what has no vector.
package memory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// SchemaVersion is the version of the database layout; Open migrates older
// stores up to it.
const SchemaVersion = 2

// oldestReadable is the oldest layout that OpenReadOnly reads as it is:
// schema 2 only adds an index and fills in the times of dated memories.
const oldestReadable = 1

// Store is an open memory store.
type Store struct {
	db   *sql.DB
	Path string
	// Now is the clock that dates what Put stores (default time.Now).
	Now func() time.Time
	// keep holds a store that lives in memory (OpenReadOnly of a store
	// that is not there) for as long as the Store is open.
	keep *sql.Conn
}

// migrations[v] brings a store of schema v up to v+1, in the transaction
// that then sets the schema version.
var migrations = []func(ctx context.Context, tx *sql.Tx) error{
	// 1: memories with history, their FTS5 index, vectors and codes.
	execSQL(`CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE memories(
		rowid INTEGER PRIMARY KEY,
		id TEXT NOT NULL,
		version INTEGER NOT NULL,
		current INTEGER NOT NULL,
		hash TEXT NOT NULL,
		stored_at INTEGER NOT NULL,
		kind TEXT NOT NULL DEFAULT '',
		title TEXT NOT NULL DEFAULT '',
		body TEXT NOT NULL DEFAULT '',
		tags TEXT NOT NULL DEFAULT '',
		created TEXT NOT NULL DEFAULT '',
		created_unix INTEGER,
		source TEXT NOT NULL DEFAULT '',
		path TEXT NOT NULL DEFAULT '',
		record TEXT NOT NULL
	);
	CREATE UNIQUE INDEX memories_version ON memories(id, version);
	CREATE UNIQUE INDEX memories_id_current ON memories(id) WHERE current = 1;
	CREATE INDEX memories_created ON memories(created_unix) WHERE current = 1;
	CREATE INDEX memories_hash ON memories(hash);
	CREATE VIRTUAL TABLE memories_fts USING fts5(title, body, tags, tokenize='unicode61 remove_diacritics 2');
	INSERT INTO memories_fts(memories_fts, rank) VALUES('secure-delete', 1);
	CREATE TABLE vectors(
		rowid INTEGER PRIMARY KEY,
		model TEXT NOT NULL,
		dim INTEGER NOT NULL,
		scale REAL NOT NULL,
		q BLOB NOT NULL,
		chunk INTEGER NOT NULL,
		slot INTEGER NOT NULL
	);
	CREATE INDEX vectors_model ON vectors(model);
	CREATE TABLE codes(
		chunk INTEGER PRIMARY KEY,
		model TEXT NOT NULL,
		words INTEGER NOT NULL,
		n INTEGER NOT NULL,
		rowids BLOB NOT NULL,
		bits BLOB NOT NULL
	);`),
	// 2: a memory's time is its created, else when it was stored
	// (timeExpr), indexed; a created that is a date counts too, which
	// schema 1 left out.
	migrateTimes,
}

// execSQL is a migration of statements only.
func execSQL(q string) func(ctx context.Context, tx *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, q)
		return err
	}
}

// migrateTimes indexes the memories' times and fills in created_unix of
// the memories whose created is a date (midnight, local time). Each step
// may run again without harm.
func migrateTimes(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS memories_created;
		CREATE INDEX IF NOT EXISTS memories_at ON memories(COALESCE(created_unix, stored_at)) WHERE current = 1`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT rowid, created FROM memories WHERE created_unix IS NULL AND created != ''")
	if err != nil {
		return err
	}
	fill := map[int64]int64{}
	for rows.Next() {
		var id int64
		var created string
		if err := rows.Scan(&id, &created); err != nil {
			rows.Close()
			return err
		}
		if t, ok := createdTime(created, time.Local); ok {
			fill[id] = t.Unix()
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, unix := range fill {
		if _, err := tx.ExecContext(ctx, "UPDATE memories SET created_unix = ? WHERE rowid = ?", unix, id); err != nil {
			return err
		}
	}
	return nil
}

// timeExpr is a memory's time (on memories m), in Unix seconds: its
// created, else when it was stored. Index memories_at holds it.
const timeExpr = "COALESCE(m.created_unix, m.stored_at)"

// createdTime reads a record's created: an RFC 3339 time, or a date
// (midnight in loc). ok is false for anything else.
func createdTime(created string, loc *time.Location) (time.Time, bool) {
	created = strings.TrimSpace(created)
	if t, err := time.Parse(time.RFC3339, created); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation(time.DateOnly, created, loc); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// DefaultPath is $XDG_DATA_HOME/shelf/memory.db.
func DefaultPath(dataDir string) string { return filepath.Join(dataDir, "memory.db") }

// Open opens (creating it if need be) the store at path and migrates it.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(15000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=secure_delete(ON)&_pragma=foreign_keys(ON)&_pragma=mmap_size(1073741824)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, Path: path, Now: time.Now}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens the store at path for reading only (recall, context,
// stats, export): nothing is created, migrated or written, and the
// connection itself refuses writes (mode=ro), so it works on a store the
// user may only read. A store whose write-ahead log cannot be made (in a
// folder the user may not write) is read as its file holds it (immutable),
// which is sound while no one writes it meanwhile. A store that is not
// there reads as an empty one.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return openEmpty(ctx, path)
	}
	dsn := "file:" + path + "?mode=ro&_pragma=busy_timeout(15000)&_pragma=mmap_size(1073741824)"
	v, s, err := openRO(ctx, path, dsn)
	if err != nil {
		var err2 error
		if v, s, err2 = openRO(ctx, path, dsn+"&immutable=1"); err2 != nil {
			return nil, err
		}
	}
	switch {
	case v == 0: // an empty file: no store yet
		s.Close()
		return openEmpty(ctx, path)
	case v > SchemaVersion || v < oldestReadable:
		s.Close()
		return nil, &SchemaError{Path: path, Version: v}
	}
	return s, nil
}

// openRO opens a read-only connection pool and reads the schema version,
// which is when SQLite first opens the file.
func openRO(ctx context.Context, path, dsn string) (int, *Store, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return 0, nil, err
	}
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		db.Close()
		return 0, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return v, &Store{db: db, Path: path, Now: time.Now}, nil
}

// emptyStores names the in-memory stores of OpenReadOnly.
var emptyStores atomic.Int64

// openEmpty makes an empty store in memory that answers for path.
func openEmpty(ctx context.Context, path string) (*Store, error) {
	db, err := sql.Open("sqlite", fmt.Sprintf("file:/empty-%d?vfs=memdb", emptyStores.Add(1)))
	if err != nil {
		return nil, err
	}
	// The store lives as long as a connection to it: this one.
	keep, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, Path: path, Now: time.Now, keep: keep}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error {
	if s.keep != nil {
		s.keep.Close()
	}
	return s.db.Close()
}

// now is the time of Now.
func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// meta reads a value of the meta table ("" when unset).
func (s *Store) meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read %s: %w", s.Path, err)
	}
	if v > SchemaVersion {
		return &SchemaError{Path: s.Path, Version: v}
	}
	for v < SchemaVersion {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		// Another process may have migrated since we looked.
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			tx.Rollback()
			return err
		}
		if v >= SchemaVersion {
			tx.Rollback()
			break
		}
		if err := migrations[v](ctx, tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s to schema %d: %w", s.Path, v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		v++
	}
	return nil
}

// SchemaError is a store of a layout this version does not read: a newer
// one, or (read-only) one older than it reads as it is.
type SchemaError struct {
	Path    string
	Version int
	// Shared: a collective's store, whose schemas are numbered apart
	// from the SQLite store's (SharedSchema).
	Shared bool
}

// known are the schemas this remember reads of the store's kind.
func (e *SchemaError) known() (oldest, newest int) {
	if e.Shared {
		return SharedSchema, SharedSchema
	}
	return oldestReadable, SchemaVersion
}

// Newer reports whether the store is of a newer layout.
func (e *SchemaError) Newer() bool {
	_, newest := e.known()
	return e.Version > newest
}

func (e *SchemaError) Error() string {
	oldest, newest := e.known()
	if e.Newer() {
		return fmt.Sprintf("%s was written by a newer remember (schema %d, this one knows %d)", e.Path, e.Version, newest)
	}
	return fmt.Sprintf("%s has schema %d; this remember reads %d to %d", e.Path, e.Version, oldest, newest)
}

// ErrNotFound is the error of ids the store does not hold (a
// *NotFoundError names them).
var ErrNotFound = errors.New("not in the store")

// NotFoundError names the ids the store does not hold.
type NotFoundError struct{ IDs []string }

func (e *NotFoundError) Error() string {
	return ErrNotFound.Error() + ": " + strings.Join(e.IDs, ", ")
}

// Is makes errors.Is(err, ErrNotFound) hold.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// stopwords are English words too common to say what a query is about.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be been but by can could did do does for from had has have
		he her his how i if in into is it its me my of on or our she so than that the their them then there these
		they this those to was we were what when where which who why will with would you your about after before
		again all any some should`) {
		stopwords[w] = true
	}
}

// words splits free text into the words that keyword search matches, the
// most common English words left out when others remain.
func words(q string) []string {
	var terms, common []string
	for _, w := range strings.FieldsFunc(q, func(r rune) bool {
		return !(r == '_' || r == '\'' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127)
	}) {
		if stopwords[strings.ToLower(w)] {
			common = append(common, w)
			continue
		}
		terms = append(terms, w)
	}
	if len(terms) == 0 {
		terms = common
	}
	return terms
}

// ftsQuoted quotes words as FTS5 terms, so that no word is read as syntax.
func ftsQuoted(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return out
}
