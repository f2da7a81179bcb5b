package memory

import (
	"context"
	"database/sql"
	"fmt"
	"io"
)

// Forget removes every version of this member's memories with these ids
// and rewrites the tables and their indexes (shelf_scrub: CLUSTER, as the
// tables' owner), so that the text is gone from their files, not only
// marked dead. It returns the ids it forgot; ids the store does not hold
// are a *NotFoundError, other members' a *ForeignError (both: joined), and
// neither stops the others from being forgotten. What PostgreSQL keeps
// beyond the tables (the write-ahead log until it is recycled, archives,
// backups) is the server's.
func (s *Shared) Forget(ctx context.Context, ids []string) ([]string, error) {
	if s.empty {
		return nil, &NotFoundError{IDs: ids}
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var found, missing []string
	foreign := &ForeignError{}
	for _, id := range ids {
		var n int
		var others sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT count(*), min(member) FILTER (WHERE member != current_user) FROM memories WHERE id = $1", id).Scan(&n, &others); err != nil {
			return nil, err
		}
		switch {
		case n == 0:
			missing = append(missing, id)
			continue
		case others.Valid:
			foreign.IDs = append(foreign.IDs, id)
			foreign.Members = append(foreign.Members, others.String)
			continue
		}
		rows, err := tx.QueryContext(ctx, "SELECT rowid FROM memories WHERE id = $1 FOR UPDATE", id)
		if err != nil {
			return nil, err
		}
		rowids, err := scanColumn[int64](rows)
		if err != nil {
			return nil, err
		}
		if err := dropVectors(ctx, tx, rowids); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM memories WHERE id = $1", id); err != nil {
			return nil, err
		}
		found = append(found, id)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	if len(found) > 0 {
		if _, err := s.db.ExecContext(ctx, "SELECT shelf_scrub()"); err != nil {
			return found, fmt.Errorf("rewrite the tables after forgetting: %w", err)
		}
	}
	var errs []error
	if len(missing) > 0 {
		errs = append(errs, &NotFoundError{IDs: missing})
	}
	if len(foreign.IDs) > 0 {
		errs = append(errs, foreign)
	}
	switch len(errs) {
	case 0:
		return found, nil
	case 1:
		return found, errs[0]
	}
	return found, joinedErrors(errs)
}

// joinedErrors is errors.Join's, with the messages on one line.
type joinedErrors []error

func (e joinedErrors) Error() string {
	s := ""
	for i, err := range e {
		if i > 0 {
			s += "; "
		}
		s += err.Error()
	}
	return s
}

func (e joinedErrors) Unwrap() []error { return e }

// Export writes every version of every memory as JSON Lines, in the order
// they were stored, as the SQLite store does (who stored them is not in
// it: an import stores as its member).
func (s *Shared) Export(ctx context.Context, w io.Writer) (int, error) {
	if s.empty {
		return 0, nil
	}
	return export(ctx, s.db, w)
}

// Import reads an export into the store, as it was: versions, history,
// times and vectors, stored as this member's. A version the store has
// already is skipped; a new version of another member's memory is a
// *ForeignError, and nothing is imported.
func (s *Shared) Import(ctx context.Context, r io.Reader) (int, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	loc := s.now().Location()
	n, models, vecs, err := readExport(r, func(e Exported, it Item) (int64, bool, error) {
		// A version the store holds is skipped, whoever stored it; a new
		// version of another member's memory is theirs to store.
		var exists bool
		var owner sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM memories WHERE id = $1 AND version = $2),
			(SELECT min(member) FROM memories WHERE id = $1 AND member != current_user)`, e.ID, e.Version).Scan(&exists, &owner); err != nil || exists {
			return 0, false, err
		}
		if owner.Valid {
			return 0, false, foreign(e.ID, owner.String)
		}
		var rowid int64
		err := tx.QueryRowContext(ctx, rebind(importSQL, 1)+" RETURNING rowid", importValues(e, it, loc)...).Scan(&rowid)
		return rowid, err == nil, err
	})
	if err != nil {
		return n, err
	}
	if err := insertVectors(ctx, tx, models, vecs); err != nil {
		return n, err
	}
	return n, tx.Commit()
}

// sharedStatsSQL counts the memories and their versions, and finds the
// first and last created, from indexes (whose pages are fewer than the
// table's, and in memory more often): at 100,000 memories, 13 to 16 ms
// where a scan of the table took 50 to 100 (memories_created makes the
// first and last a lookup). The counts are exact, so they still read an
// entry of every memory: counts kept by every write (triggers and a
// table of counters) would make them constant, at the price of work in
// every write and of counters to keep right through imports, forgets and
// rewrites, for a command that a person runs now and then.
const sharedStatsSQL = `SELECT (SELECT count(*) FROM memories WHERE current = 1), (SELECT count(*) FROM memories),
	c.oldest, c.newest, pg_total_relation_size('memories') + pg_total_relation_size('vectors')
	FROM (SELECT min(created) AS oldest, max(created) AS newest FROM memories WHERE current = 1 AND created != '') c`

// Stats counts what the store holds; Path is its URL without the
// password, Bytes the size of its tables and indexes, Member who asks.
func (s *Shared) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Path: s.Path, Member: s.Member, Vectors: map[string]int{}, Dims: map[string]int{}}
	if s.empty {
		return st, nil
	}
	st.Schema = SharedSchema
	if err := s.db.QueryRowContext(ctx, sharedStatsSQL).Scan(&st.Memories, &st.Versions, nullable(&st.Oldest), nullable(&st.Newest), &st.Bytes); err != nil {
		return st, err
	}
	return st, countVectors(ctx, s.db, &st)
}

// nullable scans a text that may be NULL into s ("" for NULL).
func nullable(s *string) sql.Scanner { return (*nullString)(s) }

type nullString string

func (n *nullString) Scan(v any) error {
	var ns sql.NullString
	if err := ns.Scan(v); err != nil {
		return err
	}
	*n = nullString(ns.String)
	return nil
}
