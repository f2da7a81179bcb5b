package memory

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"
)

// Forget removes every version of the memories with these ids, and makes
// sure their text is gone from the database file: secure_delete zeroes the
// freed pages, FTS5's secure-delete removes the words from its index and
// optimize rewrites it, and a checkpoint empties the write-ahead log. It
// returns the ids it found.
func (s *Store) Forget(ctx context.Context, ids []string) ([]string, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var found, missing []string
	for _, id := range ids {
		rows, err := tx.QueryContext(ctx, "SELECT rowid FROM memories WHERE id = ?", id)
		if err != nil {
			return nil, err
		}
		rowids, err := scanColumn[int64](rows)
		if err != nil {
			return nil, err
		}
		if len(rowids) == 0 {
			missing = append(missing, id)
			continue
		}
		found = append(found, id)
		for _, r := range rowids {
			if _, err := tx.ExecContext(ctx, "DELETE FROM memories_fts WHERE rowid = ?", r); err != nil {
				return nil, err
			}
			if err := dropVector(ctx, tx, r); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM memories WHERE id = ?", id); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, bumpSQL); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	s.dropSidecars()
	if len(found) > 0 {
		if err := s.scrub(ctx); err != nil {
			return found, err
		}
	}
	if len(missing) > 0 {
		return found, &NotFoundError{IDs: missing}
	}
	return found, nil
}

// scrub rewrites the FTS index and empties the write-ahead log.
func (s *Store) scrub(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, "INSERT INTO memories_fts(memories_fts) VALUES('optimize')"); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	var busy, logged, done int
	if err := s.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("another process is reading the store; its log could not be emptied yet (run forget again when it is done)")
	}
	return nil
}

// Export writes every version of every memory as JSON Lines, in the order
// they were stored. A failure to write to w is a *pipeline.WriteError.
func (s *Store) Export(ctx context.Context, w io.Writer) (int, error) {
	return export(ctx, s.db, w)
}

// Import reads an export into the store, as it was: versions, history,
// times and vectors. A version the store has already is skipped.
func (s *Store) Import(ctx context.Context, r io.Reader) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	loc := s.now().Location()
	unembedded := false
	n, models, vecs, err := readExport(r, func(e Exported, it Item) (int64, bool, error) {
		var exists bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM memories WHERE id = ? AND version = ?)", e.ID, e.Version).Scan(&exists); err != nil || exists {
			return 0, false, err
		}
		res, err := tx.ExecContext(ctx, importSQL, importValues(e, it, loc)...)
		if err != nil {
			return 0, false, err
		}
		rowid, _ := res.LastInsertId()
		if e.Current {
			if _, err := tx.ExecContext(ctx, "INSERT INTO memories_fts(rowid, title, body, tags) VALUES(?, ?, ?, ?)", rowid, it.Title, it.Body, strings.Join(it.Tags, " ")); err != nil {
				return 0, false, err
			}
			unembedded = unembedded || e.Vector == nil
		}
		return rowid, true, nil
	})
	if err != nil {
		return n, err
	}
	if err := eachModel(models, vecs, func(model string, vs []pending) error { return putVectors(ctx, tx, model, vs) }); err != nil {
		return n, err
	}
	if unembedded {
		if _, err := tx.ExecContext(ctx, unembeddedSQL, "1"); err != nil {
			return n, err
		}
	}
	if _, err := tx.ExecContext(ctx, bumpSQL); err != nil {
		return n, err
	}
	return n, tx.Commit()
}

// Stats counts what the store holds.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Path: s.Path, Vectors: map[string]int{}, Dims: map[string]int{}}
	// The store's own: one of an older schema is read as it is.
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&st.Schema); err != nil {
		return st, err
	}
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM memories WHERE current = 1").Scan(&st.Memories); err != nil {
		return st, err
	}
	s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM memories").Scan(&st.Versions)
	var oldest, newest sql.NullString
	s.db.QueryRowContext(ctx, "SELECT MIN(created), MAX(created) FROM memories WHERE current = 1 AND created != ''").Scan(&oldest, &newest)
	st.Oldest, st.Newest = oldest.String, newest.String
	if err := countVectors(ctx, s.db, &st); err != nil {
		return st, err
	}
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.Path + suffix); err == nil {
			st.Bytes += fi.Size()
		}
	}
	return st, nil
}
