package memory

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/shelfai/shelf/lib/record"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Item is a record to remember.
type Item struct {
	ID      string
	Record  []byte // the record, byte for byte
	Kind    string
	Title   string
	Body    string // what keyword and vector search read
	Tags    []string
	Created string // RFC 3339 or a date; else the memory's time is when it is stored
	Source  string
	Path    string
	Vector  []float32 // nil: none (yet)
	Model   string    // the embedding model of Vector
}

// ItemOf reads a record's fields the way remember keeps them: its id (or
// a hash of source and text), kind, title, the text (or summary) to search,
// tags, created, source and path. ok is false for a record with nothing
// to remember.
func ItemOf(rec []byte) (Item, bool) {
	g := func(p string) string { return gjson.GetBytes(rec, p).String() }
	it := Item{Record: rec, ID: g("id"), Kind: g("kind"), Title: g("title"), Created: g("created"), Source: g("source"), Path: g("path")}
	var parts []string
	for _, f := range []string{"summary", "text", "snippet", "description"} {
		if s := strings.TrimSpace(g(f)); s != "" {
			parts = append(parts, s)
		}
	}
	if it.Kind == "task" && len(parts) == 0 {
		parts = append(parts, it.Title)
	}
	it.Body = strings.Join(parts, "\n\n")
	if it.Body == "" && it.Title == "" {
		return it, false
	}
	for _, t := range gjson.GetBytes(rec, "tags").Array() {
		it.Tags = append(it.Tags, t.String())
	}
	it.Tags = record.NormalizeTags(it.Tags)
	if it.ID == "" {
		it.ID = record.ContentID(it.Source, g("text")+it.Body)
	}
	return it, true
}

// EmbedText is the text whose vector stands for the memory.
func (it Item) EmbedText() string {
	if it.Title != "" && !strings.HasPrefix(it.Body, it.Title) {
		return it.Title + "\n\n" + it.Body
	}
	return it.Body
}

// hash is a record's content hash: its bytes without "provenance" (which
// says when a tool last ran, not what the record holds).
func hash(b []byte) string {
	if gjson.GetBytes(b, "provenance").Exists() {
		if stripped, err := sjson.DeleteBytes(b, "provenance"); err == nil {
			b = stripped
		}
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// createdUnix is the created_unix of a record's created: its time in Unix
// seconds, or nil (NULL) when it is not a time or date, so that the
// memory's time is when it was stored (timeExpr).
func createdUnix(created string, loc *time.Location) any {
	if t, ok := createdTime(created, loc); ok {
		return t.Unix()
	}
	return nil
}

// Result says what Put did with one item.
type Result int

const (
	Stored     Result = iota // a new memory
	Superseded               // a new version of a memory; the old one stays in history
	Unchanged                // the same id with the same content
	Duplicate                // the same content under another id: not stored twice
	Foreign                  // the id of another member's memory (a shared store): not changed
)

// Outcome is what Put did with one item.
type Outcome struct {
	Result Result
	// Owner is the member whose memory a Foreign item's id is.
	Owner string
}

// Put stores the items in one transaction.
func (s *Store) Put(ctx context.Context, items []Item) ([]Outcome, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out := make([]Outcome, len(items))
	now := s.now()
	unembedded := false
	vecs := map[string][]pending{}
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	byID := prep("SELECT rowid, hash, version FROM memories WHERE id = ? AND current = 1")
	byHash := prep("SELECT id FROM memories WHERE hash = ? AND current = 1 LIMIT 1")
	insert := prep(`INSERT INTO memories(id, version, current, hash, stored_at, kind, title, body, tags, created, created_unix, source, path, record)
			VALUES(?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	insertFTS := prep("INSERT INTO memories_fts(rowid, title, body, tags) VALUES(?, ?, ?, ?)")
	if err != nil {
		return nil, err
	}
	for i, it := range items {
		h := hash(it.Record)
		var curRow int64
		var curHash string
		var version int64
		err := byID.QueryRowContext(ctx, it.ID).Scan(&curRow, &curHash, &version)
		switch {
		case err == nil && curHash == h:
			out[i].Result = Unchanged
			continue
		case errors.Is(err, sql.ErrNoRows):
			var other string
			if byHash.QueryRowContext(ctx, h).Scan(&other) == nil {
				out[i].Result = Duplicate
				continue
			}
			out[i].Result = Stored
		case err != nil:
			return nil, err
		default:
			out[i].Result = Superseded
			if _, err := tx.ExecContext(ctx, "UPDATE memories SET current = 0 WHERE rowid = ?", curRow); err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM memories_fts WHERE rowid = ?", curRow); err != nil {
				return nil, err
			}
			if err := dropVector(ctx, tx, curRow); err != nil {
				return nil, err
			}
			for m, vs := range vecs { // superseded within this batch
				vecs[m] = slices.DeleteFunc(vs, func(p pending) bool { return p.rowid == curRow })
			}
		}
		res, err := insert.ExecContext(ctx, it.ID, version+1, h, now.Unix(), it.Kind, it.Title, it.Body, strings.Join(it.Tags, " "), it.Created, createdUnix(it.Created, now.Location()), it.Source, it.Path, string(it.Record))
		if err != nil {
			return nil, err
		}
		rowid, _ := res.LastInsertId()
		if _, err := insertFTS.ExecContext(ctx, rowid, it.Title, it.Body, strings.Join(it.Tags, " ")); err != nil {
			return nil, err
		}
		if it.Vector != nil {
			vecs[it.Model] = append(vecs[it.Model], quantized(rowid, it.Vector))
		} else {
			unembedded = true
		}
	}
	if unembedded {
		if _, err := tx.ExecContext(ctx, unembeddedSQL, "1"); err != nil {
			return nil, err
		}
	}
	for model, vs := range vecs {
		if err := putVectors(ctx, tx, model, vs); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, bumpSQL); err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// Missing lists the current memories without a vector of model (to embed).
func (s *Store) Missing(ctx context.Context, model string, limit int) ([]int64, []string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.rowid, m.title, m.body FROM memories m LEFT JOIN vectors v ON v.rowid = m.rowid
		WHERE m.current = 1 AND (v.rowid IS NULL OR v.model != ?) LIMIT ?`, model, limit)
	if err != nil {
		return nil, nil, err
	}
	return scanTexts(rows)
}

// Current lists up to limit current memories after the row id after, in
// the order of their row ids: the pages of a walk over the whole store.
func (s *Store) Current(ctx context.Context, after int64, limit int) ([]int64, []string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rowid, title, body FROM memories
		WHERE current = 1 AND rowid > ? ORDER BY rowid LIMIT ?`, after, limit)
	if err != nil {
		return nil, nil, err
	}
	return scanTexts(rows)
}

// unembeddedSQL sets the flag that says whether a current memory may have
// no vector at all ("1"), or none has ("0").
const unembeddedSQL = `INSERT INTO meta(key, value) VALUES('unembedded', ?1)
	ON CONFLICT(key) DO UPDATE SET value = ?1`

// Unembedded lists up to limit current memories that have no vector at all
// (stored while the embedding endpoint failed, or before a model was set),
// oldest first, for a run that can embed to fill in. A store remembers
// whether any memory went in without a vector since a look last found
// none, so that on a store that misses none this costs one read, not a scan.
func (s *Store) Unembedded(ctx context.Context, limit int) ([]int64, []string, error) {
	if flag, err := s.meta(ctx, "unembedded"); err != nil || flag == "0" {
		return nil, nil, err
	}
	// The look and the flag in one (writing) transaction: a memory stored
	// meanwhile without a vector waits, and is not flagged in vain.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	var flag string
	err = tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'unembedded'").Scan(&flag)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, err
	}
	if flag == "0" {
		return nil, nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.rowid, m.title, m.body FROM memories m
		WHERE m.current = 1 AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.rowid = m.rowid) ORDER BY m.rowid LIMIT ?`, limit)
	if err != nil {
		return nil, nil, err
	}
	ids, texts, err := scanTexts(rows)
	if err != nil || len(ids) > 0 {
		return ids, texts, err
	}
	if _, err := tx.ExecContext(ctx, unembeddedSQL, "0"); err != nil {
		return nil, nil, err
	}
	return nil, nil, tx.Commit()
}

// scanTexts reads rows of (rowid, title, body) as the texts to embed, and
// closes rows.
func scanTexts(rows *sql.Rows) ([]int64, []string, error) {
	defer rows.Close()
	var ids []int64
	var texts []string
	for rows.Next() {
		var id int64
		var title, body string
		if err := rows.Scan(&id, &title, &body); err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		texts = append(texts, Item{Title: title, Body: body}.EmbedText())
	}
	return ids, texts, rows.Err()
}

// SetVectors stores vectors for memories (reindex, and filling in). A
// memory that was superseded or forgotten since it was listed gets none.
func (s *Store) SetVectors(ctx context.Context, model string, rowids []int64, vecs [][]float32) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var vs []pending
	for i, id := range rowids {
		var current bool
		err := tx.QueryRowContext(ctx, "SELECT current FROM memories WHERE rowid = ?", id).Scan(&current)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !current {
			continue
		}
		if err != nil {
			return err
		}
		if err := dropVector(ctx, tx, id); err != nil {
			return err
		}
		vs = append(vs, quantized(id, vecs[i]))
	}
	if err := putVectors(ctx, tx, model, vs); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, bumpSQL); err != nil {
		return err
	}
	return tx.Commit()
}
