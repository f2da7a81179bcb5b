package memory

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/tidwall/gjson"
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
		var rowids []int64
		for rows.Next() {
			var r int64
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return nil, err
			}
			rowids = append(rowids, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
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

// Exported is one line of an export: a version of a memory, whole.
type Exported struct {
	ID       string          `json:"id"`
	Version  int64           `json:"version"`
	Current  bool            `json:"current"`
	StoredAt int64           `json:"stored_at"`
	Record   json.RawMessage `json:"record"`
	Vector   *ExportedVector `json:"vector,omitempty"`
}

// ExportedVector is a stored vector as it is stored.
type ExportedVector struct {
	Model string  `json:"model"`
	Scale float32 `json:"scale"`
	Q     string  `json:"q"` // base64 of the int8 values
}

// Export writes every version of every memory as JSON Lines, in the order
// they were stored. A failure to write to w is a *pipeline.WriteError.
func (s *Store) Export(ctx context.Context, w io.Writer) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.version, m.current, m.stored_at, m.record, v.model, v.scale, v.q
		FROM memories m LEFT JOIN vectors v ON v.rowid = m.rowid ORDER BY m.rowid`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	bw := bufio.NewWriter(w)
	n := 0
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
	if err := bw.Flush(); err != nil {
		return n, &pipeline.WriteError{Err: err}
	}
	return n, nil
}

// Import reads an export into the store, as it was: versions, history,
// times and vectors. A version the store has already is skipped.
func (s *Store) Import(ctx context.Context, r io.Reader) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	br := bufio.NewReaderSize(r, 1<<20)
	n, line := 0, 0
	vecs := map[string][]pending{}
	unembedded := false
	loc := s.now().Location()
	for {
		b, rerr := br.ReadBytes('\n')
		if len(b) > 0 {
			line++
			var e Exported
			if err := json.Unmarshal(b, &e); err != nil || e.ID == "" || !gjson.ValidBytes(e.Record) {
				return n, fmt.Errorf("line %d: not a line of a remember export", line)
			}
			it, _ := ItemOf(e.Record)
			var exists int
			tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM memories WHERE id = ? AND version = ?", e.ID, e.Version).Scan(&exists)
			if exists > 0 {
				continue
			}
			cur := 0
			if e.Current {
				cur = 1
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO memories(id, version, current, hash, stored_at, kind, title, body, tags, created, created_unix, source, path, record)
				VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.ID, e.Version, cur, hash(e.Record), e.StoredAt, it.Kind, it.Title, it.Body, joinTags(it.Tags), it.Created, createdUnix(it.Created, loc), it.Source, it.Path, string(e.Record))
			if err != nil {
				return n, err
			}
			rowid, _ := res.LastInsertId()
			if e.Current {
				if _, err := tx.ExecContext(ctx, "INSERT INTO memories_fts(rowid, title, body, tags) VALUES(?, ?, ?, ?)", rowid, it.Title, it.Body, joinTags(it.Tags)); err != nil {
					return n, err
				}
			}
			if e.Vector == nil && e.Current {
				unembedded = true
			}
			if e.Vector != nil {
				q, err := base64.StdEncoding.DecodeString(e.Vector.Q)
				if err != nil {
					return n, fmt.Errorf("line %d: vector: %w", line, err)
				}
				vecs[e.Vector.Model] = append(vecs[e.Vector.Model], pending{rowid, q, e.Vector.Scale})
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
	for model, vs := range vecs {
		if err := putVectors(ctx, tx, model, vs); err != nil {
			return n, err
		}
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

func joinTags(t []string) string {
	out := ""
	for i, x := range t {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// Stats describes the store.
type Stats struct {
	Path     string         `json:"path"`
	Memories int            `json:"memories"`
	Versions int            `json:"versions"`
	Vectors  map[string]int `json:"vectors"` // per embedding model
	Dims     map[string]int `json:"dims"`
	Oldest   string         `json:"oldest,omitempty"`
	Newest   string         `json:"newest,omitempty"`
	Bytes    int64          `json:"bytes"`
	Schema   int            `json:"schema"`
	Member   string         `json:"member,omitempty"` // who asks, in a shared store
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
	rows, err := s.db.QueryContext(ctx, "SELECT model, dim, COUNT(*) FROM vectors GROUP BY model, dim")
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		var d, n int
		rows.Scan(&m, &d, &n)
		st.Vectors[m] += n
		st.Dims[m] = d
	}
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.Path + suffix); err == nil {
			st.Bytes += fi.Size()
		}
	}
	return st, rows.Err()
}
