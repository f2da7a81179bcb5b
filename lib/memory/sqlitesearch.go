package memory

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/shelfai/shelf/lib/memory/vecindex"
)

// The SQLite store's searches: BM25 over FTS5, and the sign codes and
// int8 vectors of its tables.

// Search recalls the memories nearest to q: BM25 over FTS5 and vector
// similarity, each ranked, fused by reciprocal rank. A query without text
// (or vector) lists the memories its filters let through, newest first,
// with score 0.
func (s *Store) Search(ctx context.Context, q Query) ([]Hit, error) {
	return fuse(ctx, sqliteSearch{s}, q)
}

// sqliteSearch is the searcher of the SQLite store.
type sqliteSearch struct{ *Store }

// sqliteMember is who stored a memory in the SQLite store: no one (it has
// one user), so that --member matches none of its memories.
const sqliteMember = "''"

// Matching returns every current memory that has all the words of q.Text
// (read as keyword search reads them) and passes q's filters, in the order
// they were stored: what forgetting by a query forgets. It is bound by
// neither q.K nor a ranking; a text with no words is ErrNoWords.
func (s *Store) Matching(ctx context.Context, q Query) ([]Hit, error) {
	terms := ftsQuoted(words(q.Text))
	if len(terms) == 0 {
		return nil, ErrNoWords
	}
	filter, args := q.where(sqliteMember)
	rows, err := s.db.QueryContext(ctx, "SELECT "+hitColumns(sqliteMember)+" FROM memories_fts f JOIN memories m ON m.rowid = f.rowid WHERE memories_fts MATCH ? AND "+
		filter+" ORDER BY m.rowid", append([]any{strings.Join(terms, " AND ")}, args...)...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

func (s sqliteSearch) newest(ctx context.Context, q Query) ([]Hit, error) {
	query, args := q.newestSQL(sqliteMember)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

// keywords ranks the memories matching the words by BM25 (the title
// weighing double). Only current memories are in the index, so without
// filters it needs no join.
func (s sqliteSearch) keywords(ctx context.Context, terms []string, q Query, depth int) ([]int64, error) {
	filter, args := q.where(sqliteMember)
	quoted := ftsQuoted(terms)
	var rankings [][]int64
	for _, all := range keywordPasses(terms) {
		op := " OR "
		if all {
			op = " AND "
		}
		got, err := s.rankMatches(ctx, strings.Join(quoted, op), filter, args, depth)
		if err != nil {
			return nil, err
		}
		rankings = append(rankings, got)
	}
	return joinRankings(rankings, depth), nil
}

func (s *Store) rankMatches(ctx context.Context, expr, filter string, args []any, depth int) ([]int64, error) {
	var query string
	var params []any
	if filter == unfiltered {
		var bound int64
		err := s.db.QueryRowContext(ctx, "SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?", expr, keywordCap-1).Scan(&bound)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		query = `SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? AND rowid >= ? ORDER BY bm25(memories_fts, 2.0, 1.0, 1.0) LIMIT ?`
		params = []any{expr, bound, depth}
	} else {
		query = `SELECT f.rowid FROM memories_fts f JOIN memories m ON m.rowid = f.rowid
			WHERE memories_fts MATCH ? AND ` + filter + ` ORDER BY bm25(memories_fts, 2.0, 1.0, 1.0) LIMIT ?`
		params = append(append([]any{expr}, args...), depth)
	}
	rows, err := s.db.QueryContext(ctx, query, params...)
	if err != nil {
		return nil, err
	}
	return scanColumn[int64](rows)
}

// exactLimit is the store size (of one model) under which vector search
// reads every vector instead of scanning the sign codes first.
const exactLimit = 20000

// vectors ranks memories by cosine similarity to the query (all of it
// once the embedding is known: the store is in this process), over the sign
// codes first (Hamming distance) to a short list, which the int8 vectors
// then rank exactly. With filters, or in a small store, every matching
// vector is read.
func (s sqliteSearch) vectors(ctx context.Context, q Query, depth int) (func(vec []float32) ([]int64, error), error) {
	return func(vec []float32) ([]int64, error) {
		q.Vector = vec
		return s.vectorSearch(ctx, q, depth)
	}, nil
}

func (s sqliteSearch) vectorSearch(ctx context.Context, q Query, depth int) ([]int64, error) {
	filter, args := q.where(sqliteMember)
	qv := vecindex.Normalize(q.Vector)
	// How many vectors the model has (the codes' slots: cheap to count).
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COALESCE(SUM(n), 0) FROM codes WHERE model = ?", q.Model).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	var dim int
	if err := s.db.QueryRowContext(ctx, "SELECT dim FROM vectors WHERE model = ? LIMIT 1", q.Model).Scan(&dim); err == nil && dim != len(q.Vector) {
		return nil, &DimensionError{Model: q.Model, Query: len(q.Vector), Store: dim}
	}
	if filter != unfiltered || n <= exactLimit {
		rows, err := s.db.QueryContext(ctx, "SELECT v.rowid, v.scale, v.q FROM vectors v JOIN memories m ON m.rowid = v.rowid WHERE v.model = ? AND "+filter,
			append([]any{q.Model}, args...)...)
		if err != nil {
			return nil, err
		}
		return rankVectors(rows, qv, depth)
	}
	short, err := s.hammingTop(ctx, q.Model, qv, max(150, 3*depth))
	if err != nil || len(short) == 0 {
		return nil, err
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(short)), ",")
	list := make([]any, len(short))
	for i, id := range short {
		list[i] = id
	}
	rows, err := s.db.QueryContext(ctx, "SELECT rowid, scale, q FROM vectors WHERE rowid IN ("+ph+")", list...)
	if err != nil {
		return nil, err
	}
	return rankVectors(rows, qv, depth)
}

// best reads the memories of the ranking, orders them, and makes the
// snippets of the first.
func (s sqliteSearch) best(ctx context.Context, r ranking) ([]Hit, error) {
	ids, _ := r.ids()
	hits, err := s.hits(ctx, ids)
	if err != nil {
		return nil, err
	}
	hits = r.order(hits)
	top := make([]int64, len(hits))
	for i, h := range hits {
		top[i] = h.rowid
	}
	snips, err := s.snippets(ctx, r.terms, top)
	if err != nil {
		return nil, err
	}
	for i := range hits {
		if sn := snips[hits[i].rowid]; sn != "" {
			hits[i].Snippet = sn
		}
	}
	return hits, nil
}

func (s sqliteSearch) hits(ctx context.Context, ids []int64) ([]Hit, error) {
	list := make([]any, len(ids))
	for i, id := range ids {
		list[i] = id
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	rows, err := s.db.QueryContext(ctx, "SELECT "+hitColumns(sqliteMember)+" FROM memories m WHERE m.rowid IN ("+ph+")", list...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

// snippets makes the keyword snippets of a few memories.
func (s sqliteSearch) snippets(ctx context.Context, terms []string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(terms) == 0 || len(ids) == 0 {
		return out, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := []any{strings.Join(ftsQuoted(terms), " OR ")}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT rowid, snippet(memories_fts, 1, '', '', '…', 24) FROM memories_fts WHERE memories_fts MATCH ? AND rowid IN ("+ph+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var snip string
		if err := rows.Scan(&id, &snip); err != nil {
			return nil, err
		}
		out[id] = snip
	}
	return out, rows.Err()
}
