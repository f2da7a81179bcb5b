package memory

// What both stores' admin commands share: the lines of an export, read
// and written the same way, and the shape of the stats.

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/tidwall/gjson"
)

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

// exportSQL reads every version of every memory, with its vector, in the
// order they were stored: the same in both stores.
const exportSQL = `SELECT m.id, m.version, m.current = 1, m.stored_at, m.record, v.model, v.scale, v.q
	FROM memories m LEFT JOIN vectors v ON v.rowid = m.rowid ORDER BY m.rowid`

// export writes every version of every memory of db as JSON Lines, in the
// order they were stored. A failure to write to w is a
// *pipeline.WriteError.
func export(ctx context.Context, db *sql.DB, w io.Writer) (int, error) {
	rows, err := db.QueryContext(ctx, exportSQL)
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

// readExport reads an export, a line at a time, and stores each version
// with store, which says whether it stored it (not: the store holds that
// version already) and its row id. It returns how many versions it
// stored, and their vectors (each of models[i]) to store after them. Its
// errors name the line.
func readExport(r io.Reader, store func(e Exported, it Item) (rowid int64, stored bool, err error)) (n int, models []string, vecs []pending, err error) {
	br := bufio.NewReaderSize(r, 1<<20)
	for line := 1; ; line++ {
		b, rerr := br.ReadBytes('\n')
		if len(b) > 0 {
			var e Exported
			if err := json.Unmarshal(b, &e); err != nil || e.ID == "" || !gjson.ValidBytes(e.Record) {
				return n, nil, nil, fmt.Errorf("line %d: not a line of a remember export", line)
			}
			var q []byte
			if e.Vector != nil {
				if q, err = base64.StdEncoding.DecodeString(e.Vector.Q); err != nil {
					return n, nil, nil, fmt.Errorf("line %d: vector: %w", line, err)
				}
			}
			it, _ := ItemOf(e.Record)
			rowid, stored, err := store(e, it)
			if err != nil {
				return n, nil, nil, fmt.Errorf("line %d: %w", line, err)
			}
			if stored {
				n++
				if e.Vector != nil {
					vecs = append(vecs, pending{rowid, q, e.Vector.Scale})
					models = append(models, e.Vector.Model)
				}
			}
		}
		if rerr == io.EOF {
			return n, models, vecs, nil
		}
		if rerr != nil {
			return n, nil, nil, rerr
		}
	}
}

// importSQL stores a version of an export (? for importValues).
const importSQL = `INSERT INTO memories(id, version, current, hash, stored_at, kind, title, body, tags, created, created_unix, source, path, record)
	VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// importValues are the values of importSQL for a version of an export
// and the memory it keeps; loc dates a created that is a date.
func importValues(e Exported, it Item, loc *time.Location) []any {
	cur := 0
	if e.Current {
		cur = 1
	}
	return []any{e.ID, e.Version, cur, hash(e.Record), e.StoredAt, it.Kind, it.Title, it.Body, strings.Join(it.Tags, " "),
		it.Created, createdUnix(it.Created, loc), it.Source, it.Path, string(e.Record)}
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

// vectorStatsSQL counts the vectors of each model, with the size of one
// of them (an index of the model's alone; a model has vectors of two
// sizes only while a reindex runs).
const vectorStatsSQL = "SELECT model, count(*), (SELECT dim FROM vectors d WHERE d.model = v.model LIMIT 1) FROM vectors v GROUP BY model"

// countVectors adds the store's vectors to st: how many of each model,
// and their dimensions.
func countVectors(ctx context.Context, db *sql.DB, st *Stats) error {
	rows, err := db.QueryContext(ctx, vectorStatsSQL)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		var n, d int
		if err := rows.Scan(&m, &n, &d); err != nil {
			return err
		}
		st.Vectors[m], st.Dims[m] = n, d
	}
	return rows.Err()
}
