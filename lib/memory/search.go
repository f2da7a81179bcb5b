package memory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/shelfai/shelf/lib/memory/vecindex"
)

// Query is a recall.
type Query struct {
	Text   string
	Vector []float32 // the query's embedding; nil: keyword search only
	Model  string    // the model of Vector
	// Embed, if set and Vector is nil, makes the query's embedding; it
	// runs while the keyword search does.
	Embed func(ctx context.Context) ([]float32, error)
	// OnEmbedError, if set, hears why Embed failed, and the search goes
	// on by keywords alone; if nil, a failed Embed fails the search.
	OnEmbedError func(error)
	K            int
	Since        time.Time // zero: no bound
	Until        time.Time
	Tag          string
	Kind         string
	// HalfLife, if set, weighs scores down by age: a memory HalfLife old
	// counts half. Since, Until, HalfLife and the newest listing read a
	// memory's time: its created, else when it was stored.
	HalfLife time.Duration
	Member   string // only the memories this member stored (a shared store's role)
	Exclude  string // an id to leave out (context: the record itself)
	Mode     string // "hybrid" (default), "keyword" or "vector"
	Now      time.Time
}

// Hit is a recalled memory.
type Hit struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
	Created string  `json:"created,omitempty"`
	Source  string  `json:"source,omitempty"`
	Path    string  `json:"path,omitempty"`
	Kind    string  `json:"kind,omitempty"`
	Member  string  `json:"member,omitempty"` // who stored it, in a shared store
	rowid   int64
	at      int64 // the memory's time (timeExpr)
}

// rrfK is reciprocal-rank fusion's damping constant.
const rrfK = 60

// Search recalls the memories nearest to q: BM25 over FTS5 and vector
// similarity, each ranked, fused by reciprocal rank. A query without text
// (or vector) lists the memories its filters let through, newest first,
// with score 0.
func (s *Store) Search(ctx context.Context, q Query) ([]Hit, error) {
	return fuse(ctx, sqliteSearch{s}, q)
}

// searcher is what a store does for a search: each ranking, and the
// memories behind the fused scores. fuse does the rest, alike for both
// stores.
type searcher interface {
	newest(ctx context.Context, q Query) ([]Hit, error)
	// keywords ranks the memories matching the words of the query (terms
	// as words reads them), filtered as q says.
	keywords(ctx context.Context, terms []string, q Query, depth int) ([]int64, error)
	vectors(ctx context.Context, q Query, depth int) ([]int64, error)
	hits(ctx context.Context, scores map[int64]float64) ([]Hit, error)
	snippets(ctx context.Context, terms []string, ids []int64) (map[int64]string, error)
}

// fuse runs a search: keyword and vector rankings at once, fused by
// reciprocal rank, weighed by age if asked, the top q.K with snippets.
func fuse(ctx context.Context, s searcher, q Query) ([]Hit, error) {
	if q.K <= 0 {
		q.K = 5
	}
	if strings.TrimSpace(q.Text) == "" && q.Vector == nil {
		return s.newest(ctx, q)
	}
	if q.Mode == "" {
		q.Mode = "hybrid"
	}
	depth := max(50, 4*q.K)
	// Keyword and vector search run at once, each on its own connection.
	var kwIDs []int64
	var kwErr, vecErr error
	var terms []string
	if q.Mode != "vector" {
		terms = words(q.Text)
	}
	var vecIDs []int64
	done := make(chan struct{})
	vq := q // the vector search's own, which gets the embedding
	go func() {
		defer close(done)
		if vq.Mode == "keyword" {
			return
		}
		if vq.Vector == nil && vq.Embed != nil {
			if vq.Vector, vecErr = vq.Embed(ctx); vecErr != nil {
				if vq.OnEmbedError != nil && ctx.Err() == nil {
					vq.OnEmbedError(vecErr)
					vecErr = nil
				}
				return
			}
		}
		if vq.Vector != nil {
			vecIDs, vecErr = s.vectors(ctx, vq, depth)
		}
	}()
	if len(terms) > 0 {
		kwIDs, kwErr = s.keywords(ctx, terms, q, depth)
	}
	<-done
	if kwErr != nil {
		return nil, fmt.Errorf("keyword search: %w", kwErr)
	}
	if vecErr != nil {
		return nil, fmt.Errorf("vector search: %w", vecErr)
	}
	scores := map[int64]float64{}
	for rank, id := range kwIDs {
		scores[id] += 1 / float64(rrfK+rank+1)
	}
	for rank, id := range vecIDs {
		scores[id] += 1 / float64(rrfK+rank+1)
	}
	if len(scores) == 0 {
		return []Hit{}, nil
	}
	hits, err := s.hits(ctx, scores)
	if err != nil {
		return nil, err
	}
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	for i := range hits {
		if q.HalfLife > 0 {
			age := math.Max(0, float64(now.Unix()-hits[i].at))
			hits[i].Score *= math.Pow(0.5, age/q.HalfLife.Seconds())
		}
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(hits) > q.K {
		hits = hits[:q.K]
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.rowid
	}
	snips, err := s.snippets(ctx, terms, ids)
	if err != nil {
		return nil, err
	}
	for i := range hits {
		hits[i].Score = math.Round(hits[i].Score*1e6) / 1e6
		if sn := snips[hits[i].rowid]; sn != "" {
			hits[i].Snippet = sn
		}
	}
	return hits, nil
}

// sqliteSearch is the searcher of the SQLite store.
type sqliteSearch struct{ *Store }

func (s sqliteSearch) keywords(ctx context.Context, terms []string, q Query, depth int) ([]int64, error) {
	filter, args := q.where(sqliteMember)
	return s.keywordSearch(ctx, ftsQuoted(terms), filter, args, depth)
}

func (s sqliteSearch) vectors(ctx context.Context, q Query, depth int) ([]int64, error) {
	filter, args := q.where(sqliteMember)
	return s.vectorSearch(ctx, q, filter, args, depth)
}

func (s sqliteSearch) snippets(ctx context.Context, terms []string, ids []int64) (map[int64]string, error) {
	return s.Store.snippets(ctx, strings.Join(ftsQuoted(terms), " OR "), ids)
}

// ErrNoWords is the error of a query that has no word to match.
var ErrNoWords = errors.New("no words to match")

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
	rows, err := s.db.QueryContext(ctx, "SELECT "+hitColumns+" FROM memories_fts f JOIN memories m ON m.rowid = f.rowid WHERE memories_fts MATCH ? AND "+
		filter+" ORDER BY m.rowid", append([]any{strings.Join(terms, " AND ")}, args...)...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

// keywordCap bounds the work of BM25 in a large store: each keyword query
// ranks at most this many of its newest matches (FTS5 finds them by rowid
// without scoring). Memories that match every word of the query are
// ranked first and by the same bound, so a precise query still finds old
// memories; an unspecific one leans on the vector side for those.
const keywordCap = 500

// keywordSearch ranks the memories matching the words of the query by
// BM25 (the title weighing double): those with all the words first, then
// those with any. Only current memories are in the index, so without
// filters it needs no join.
func (s *Store) keywordSearch(ctx context.Context, terms []string, filter string, args []any, depth int) ([]int64, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	var ids []int64
	seen := map[int64]bool{}
	exprs := []string{strings.Join(terms, " OR ")}
	if len(terms) > 1 {
		exprs = []string{strings.Join(terms, " AND "), exprs[0]}
	}
	for _, expr := range exprs {
		got, err := s.rankMatches(ctx, expr, filter, args, depth)
		if err != nil {
			return nil, err
		}
		for _, id := range got {
			if !seen[id] && len(ids) < depth {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

func (s *Store) rankMatches(ctx context.Context, expr, filter string, args []any, depth int) ([]int64, error) {
	var query string
	var params []any
	if filter == "m.current = 1" {
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
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// snippets makes the keyword snippets of a few memories.
func (s *Store) snippets(ctx context.Context, fq string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if fq == "" || len(ids) == 0 {
		return out, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := []any{fq}
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

// sqliteMember is who stored a memory in the SQLite store: no one (it has
// one user), so that --member matches none of its memories.
const sqliteMember = "''"

// where is the SQL condition (on memories m) of the query's filters, with
// ? for its arguments; member is the SQL of the memory's member.
func (q Query) where(member string) (string, []any) {
	conds := []string{"m.current = 1"}
	var args []any
	if !q.Since.IsZero() {
		conds = append(conds, timeExpr+" >= ?")
		args = append(args, q.Since.Unix())
	}
	if !q.Until.IsZero() {
		conds = append(conds, timeExpr+" < ?")
		args = append(args, q.Until.Unix())
	}
	if q.Tag != "" {
		conds = append(conds, "(' ' || m.tags || ' ') LIKE ?")
		args = append(args, "% "+strings.ToLower(strings.TrimPrefix(q.Tag, "#"))+" %")
	}
	if q.Kind != "" {
		conds = append(conds, "m.kind = ?")
		args = append(args, q.Kind)
	}
	if q.Member != "" {
		conds = append(conds, member+" = ?")
		args = append(args, q.Member)
	}
	if q.Exclude != "" {
		conds = append(conds, "m.id != ?")
		args = append(args, q.Exclude)
	}
	return strings.Join(conds, " AND "), args
}

// DimensionError is a query's embedding whose size is not that of the
// store's vectors of its model (the model changed since they were made).
type DimensionError struct {
	Model        string
	Query, Store int // dimensions
}

func (e *DimensionError) Error() string {
	return fmt.Sprintf("the query's embedding has %d dimensions but the store's vectors of %s have %d", e.Query, e.Model, e.Store)
}

// exactLimit is the store size (of one model) under which vector search
// reads every vector instead of scanning the sign codes first.
const exactLimit = 20000

// vectorSearch ranks memories by cosine similarity to the query: over the
// sign codes first (Hamming distance) to a short list, which the int8
// vectors then rank exactly. With filters, or in a small store, every
// matching vector is read.
func (s *Store) vectorSearch(ctx context.Context, q Query, filter string, args []any, depth int) ([]int64, error) {
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
	var rows *sql.Rows
	var err error
	plain := filter == "m.current = 1" && n > exactLimit
	if plain {
		short, err := s.hammingTop(ctx, q.Model, qv, max(150, 3*depth))
		if err != nil {
			return nil, err
		}
		if len(short) == 0 {
			return nil, nil
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(short)), ",")
		list := make([]any, len(short))
		for i, id := range short {
			list[i] = id
		}
		rows, err = s.db.QueryContext(ctx, "SELECT rowid, scale, q FROM vectors WHERE rowid IN ("+ph+")", list...)
		if err != nil {
			return nil, err
		}
	} else {
		rows, err = s.db.QueryContext(ctx, "SELECT v.rowid, v.scale, v.q FROM vectors v JOIN memories m ON m.rowid = v.rowid WHERE v.model = ? AND "+filter,
			append([]any{q.Model}, args...)...)
		if err != nil {
			return nil, err
		}
	}
	defer rows.Close()
	type scored struct {
		id  int64
		sim float32
	}
	var all []scored
	for rows.Next() {
		var id int64
		var scale float32
		var v []byte
		if err := rows.Scan(&id, &scale, &v); err != nil {
			return nil, err
		}
		all = append(all, scored{id, vecindex.Dot(qv, v) * scale})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b scored) int {
		switch {
		case a.sim > b.sim:
			return -1
		case a.sim < b.sim:
			return 1
		}
		return int(a.id - b.id)
	})
	if len(all) > depth {
		all = all[:depth]
	}
	out := make([]int64, len(all))
	for i, c := range all {
		out[i] = c.id
	}
	return out, nil
}

// newest lists the q.K newest memories that pass q's filters, by their
// time (created, else when stored); those of the same time in id order.
func (s *Store) newest(ctx context.Context, q Query) ([]Hit, error) {
	filter, args := q.where(sqliteMember)
	rows, err := s.db.QueryContext(ctx, "SELECT "+hitColumns+" FROM memories m WHERE "+
		filter+" ORDER BY "+timeExpr+" DESC, m.id LIMIT ?", append(args, q.K)...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

// hits reads the memories behind the fused scores.
func (s *Store) hits(ctx context.Context, scores map[int64]float64) ([]Hit, error) {
	ids := make([]any, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	rows, err := s.db.QueryContext(ctx, "SELECT "+hitColumns+" FROM memories m WHERE m.rowid IN ("+ph+")", ids...)
	if err != nil {
		return nil, err
	}
	out, err := scanHits(rows)
	for i := range out {
		out[i].Score = scores[out[i].rowid]
	}
	return out, err
}

// hitColumns are the columns of memories m that scanHits reads.
const hitColumns = "m.rowid, m.id, m.title, m.body, m.created, m.source, m.path, m.kind, " + timeExpr

// scanHits reads rows of hitColumns into hits, each with the start of its
// text as the snippet, and closes rows.
func scanHits(rows *sql.Rows) ([]Hit, error) {
	defer rows.Close()
	out := []Hit{}
	for rows.Next() {
		var h Hit
		var body string
		if err := rows.Scan(&h.rowid, &h.ID, &h.Title, &body, &h.Created, &h.Source, &h.Path, &h.Kind, &h.at); err != nil {
			return nil, err
		}
		h.Snippet = prefix(body, 160)
		out = append(out, h)
	}
	return out, rows.Err()
}

func prefix(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}
