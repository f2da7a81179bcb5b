// Package memory provides remember's store: a SQLite database (pure Go,
// WAL, a busy timeout so that overlapping cron jobs take turns) of records
// kept with their history, searched by BM25 over FTS5 and by vector
// similarity, fused by reciprocal rank. Vectors are kept twice: as int8
// with a scale per vector, for exact re-ranking, and as sign bits packed
// into large contiguous chunks, so that a new process scans a million of
// them in one read and a few million popcounts. Forgetting removes the text
// physically: secure_delete, FTS5's secure-delete and optimize, and a
// checkpoint of the write-ahead log.
package memory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// SchemaVersion is the version of the database layout; Open migrates older
// stores up to it.
const SchemaVersion = 1

// Store is an open memory store.
type Store struct {
	db   *sql.DB
	Path string
}

var migrations = []string{
	// 1: memories with history, their FTS5 index, vectors and codes.
	`CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
	);`,
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
	s := &Store{db: db, Path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read %s: %w", s.Path, err)
	}
	if v > SchemaVersion {
		return fmt.Errorf("%s was written by a newer remember (schema %d, this one knows %d)", s.Path, v, SchemaVersion)
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
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
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

// ErrNotFound is returned for ids the store does not hold.
var ErrNotFound = errors.New("not found")

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

// ftsTerms turns free text into FTS5 terms: each word quoted (so no word
// is read as syntax), the most common English words left out when others
// remain.
func ftsTerms(q string) []string {
	var terms, common []string
	for _, w := range strings.FieldsFunc(q, func(r rune) bool {
		return !(r == '_' || r == '\'' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127)
	}) {
		t := `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		if stopwords[strings.ToLower(w)] {
			common = append(common, t)
			continue
		}
		terms = append(terms, t)
	}
	if len(terms) == 0 {
		terms = common
	}
	return terms
}
