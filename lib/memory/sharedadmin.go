package memory

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"

	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/tidwall/gjson"
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
	tx, err := s.db.BeginTx(ctx, nil)
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
		rowids, err := scanIDs(rows)
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
	bw := bufio.NewWriter(w)
	n := 0
	if !s.empty {
		rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.version, m.current = 1, m.stored_at, m.record, v.model, v.scale, v.q
			FROM memories m LEFT JOIN vectors v ON v.rowid = m.rowid ORDER BY m.rowid`)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		for rows.Next() {
			var e Exported
			var rec string
			var model sql.NullString
			var scale sql.NullFloat64
			var q []byte
			if err := rows.Scan(&e.ID, &e.Version, &e.Current, &e.StoredAt, &rec, &model, &scale, &q); err != nil {
				return n, err
			}
			e.Record = json.RawMessage(rec)
			if model.Valid {
				e.Vector = &ExportedVector{Model: model.String, Scale: float32(scale.Float64), Q: base64.StdEncoding.EncodeToString(q)}
			}
			b, err := record.Marshal(e)
			if err != nil {
				return n, err
			}
			if _, err := bw.Write(append(b, '\n')); err != nil {
				return n, &pipeline.WriteError{Err: err}
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return n, err
		}
	}
	if err := bw.Flush(); err != nil {
		return n, &pipeline.WriteError{Err: err}
	}
	return n, nil
}

// Import reads an export into the store, as it was: versions, history,
// times and vectors, stored as this member's. A version the store has
// already is skipped.
func (s *Shared) Import(ctx context.Context, r io.Reader) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	br := bufio.NewReaderSize(r, 1<<20)
	n, line := 0, 0
	loc := s.now().Location()
	var vecs []pending
	var models []string
	for {
		b, rerr := br.ReadBytes('\n')
		if len(b) > 0 {
			line++
			var e Exported
			if err := json.Unmarshal(b, &e); err != nil || e.ID == "" || !gjson.ValidBytes(e.Record) {
				return n, fmt.Errorf("line %d: not a line of a remember export", line)
			}
			it, _ := ItemOf(e.Record)
			var exists bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM memories WHERE id = $1 AND version = $2)", e.ID, e.Version).Scan(&exists); err != nil {
				return n, err
			}
			if exists {
				continue
			}
			cur := 0
			if e.Current {
				cur = 1
			}
			var rowid int64
			err := tx.QueryRowContext(ctx, `INSERT INTO memories(id, version, current, hash, stored_at, kind, title, body, tags, created, created_unix, source, path, record)
				VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING rowid`,
				e.ID, e.Version, cur, hash(e.Record), e.StoredAt, it.Kind, it.Title, it.Body, joinTags(it.Tags), it.Created, createdUnix(it.Created, loc), it.Source, it.Path, string(e.Record)).Scan(&rowid)
			if err != nil {
				return n, fmt.Errorf("line %d: %w", line, err)
			}
			if e.Vector != nil {
				q, err := base64.StdEncoding.DecodeString(e.Vector.Q)
				if err != nil {
					return n, fmt.Errorf("line %d: vector: %w", line, err)
				}
				vecs = append(vecs, pending{rowid, q, e.Vector.Scale})
				models = append(models, e.Vector.Model)
			}
			n++
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return n, rerr
		}
	}
	if err := insertVectors(ctx, tx, models, vecs); err != nil {
		return n, err
	}
	return n, tx.Commit()
}

// Stats counts what the store holds; Path is its URL without the
// password, Bytes the size of its tables and indexes, Member who asks.
func (s *Shared) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Path: s.Path, Member: s.Member, Vectors: map[string]int{}, Dims: map[string]int{}}
	if s.empty {
		return st, nil
	}
	st.Schema = SharedSchema
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE current = 1), count(*),
		min(created) FILTER (WHERE current = 1 AND created != ''), max(created) FILTER (WHERE current = 1 AND created != ''),
		pg_total_relation_size('memories') + pg_total_relation_size('vectors') FROM memories`).Scan(&st.Memories, &st.Versions, nullable(&st.Oldest), nullable(&st.Newest), &st.Bytes); err != nil {
		return st, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT model, dim, count(*) FROM vectors GROUP BY model, dim")
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		var d, n int
		if err := rows.Scan(&m, &d, &n); err != nil {
			return st, err
		}
		st.Vectors[m] += n
		st.Dims[m] = d
	}
	return st, rows.Err()
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
