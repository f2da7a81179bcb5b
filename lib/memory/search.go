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

// searcher is what a store does for a search, in its database's terms:
// each ranking, and the memories behind them. fuse does the rest (fusion,
// weighing by age, the order of the hits), and the helpers below the parts
// of a ranking that are the same in both stores (keywordPasses and
// joinRankings, rankVectors, scanHits).
type searcher interface {
	newest(ctx context.Context, q Query) ([]Hit, error)
	// keywords ranks the memories matching the words of the query (terms
	// as words reads them), filtered as q says.
	keywords(ctx context.Context, terms []string, q Query, depth int) ([]int64, error)
	// vectors prepares a ranking by the similarity of the memories'
	// vectors (of q.Model) to the query's, reading what it can before the
	// query's embedding is known; rank ranks once it is.
	vectors(ctx context.Context, q Query, depth int) (rank func(vec []float32) ([]int64, error), err error)
	// best reads the memories that r.order puts first, at least (in any
	// order), with snippets of the text around r.terms where they match.
	best(ctx context.Context, r ranking) ([]Hit, error)
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
	// Keyword and vector search run at once. The vector search reads what
	// it reads first (a shared store's list of codes: one round trip on
	// its one connection) before the keyword search starts, so that its
	// work in this process (the embedding, the Hamming scan) overlaps the
	// keyword search's on the server.
	var kwIDs []int64
	var kwErr, vecErr error
	terms := q.terms()
	var vecIDs []int64
	done, prepared := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		if q.Mode == "keyword" || q.Vector == nil && q.Embed == nil {
			close(prepared)
			return
		}
		rank, err := s.vectors(ctx, q, depth)
		close(prepared)
		if err != nil {
			vecErr = err
			return
		}
		vec := q.Vector // the vector search's own, which the keyword search does not read
		if vec == nil {
			if vec, vecErr = q.Embed(ctx); vecErr != nil {
				if q.OnEmbedError != nil && ctx.Err() == nil {
					q.OnEmbedError(vecErr)
					vecErr = nil
				}
				return
			}
		}
		if vec != nil {
			vecIDs, vecErr = rank(vec)
		}
	}()
	<-prepared
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
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	r := ranking{scores: scores, k: q.K, halfLife: q.HalfLife, now: now.Unix(), terms: terms}
	hits, err := s.best(ctx, r)
	if err != nil {
		return nil, err
	}
	// The order is the one r.order makes, whatever the store did first.
	hits = r.order(hits)
	for i := range hits {
		hits[i].Score = math.Round(hits[i].Score*1e6) / 1e6
	}
	return hits, nil
}

// ranking is what the top hits of a search are chosen by: the fused
// score of each memory (by row id), weighed by age as halfLife says.
type ranking struct {
	scores   map[int64]float64
	k        int
	halfLife time.Duration
	now      int64 // unix seconds
	terms    []string
}

// order scores the hits (weighed by age), sorts them best first (ties by
// id, bytewise) and keeps the first k.
//
// The order is that of the scores' logarithms (the weight's, ln 2 per
// half-life of age, taken off), so that memories much older than the
// half-life, whose weighed scores are too small for a float (0), still
// rank by score and age, and the shared store's server orders them the
// same way without its floats underflowing.
func (r ranking) order(hits []Hit) []Hit {
	logs := make(map[int64]float64, len(hits))
	for i := range hits {
		score := r.scores[hits[i].rowid]
		hits[i].Score, logs[hits[i].rowid] = score, math.Log(score)
		if r.halfLife > 0 {
			// In floats: a member may date a memory anywhere in
			// int64 (by hand), where the difference would overflow.
			halfLives := math.Max(0, float64(r.now)-float64(hits[i].at)) / r.halfLife.Seconds()
			hits[i].Score *= math.Pow(0.5, halfLives)
			logs[hits[i].rowid] -= halfLives * math.Ln2
		}
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if la, lb := logs[a.rowid], logs[b.rowid]; la != lb {
			if la > lb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(hits) > r.k {
		hits = hits[:r.k]
	}
	return hits
}

// ids are the row ids of the ranking's memories, and their scores, in
// the same order.
func (r ranking) ids() ([]int64, []float64) {
	ids := make([]int64, 0, len(r.scores))
	for id := range r.scores {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	scores := make([]float64, len(ids))
	for i, id := range ids {
		scores[i] = r.scores[id]
	}
	return ids, scores
}

// terms are the words a search matches by keyword (none in vector mode).
func (q Query) terms() []string {
	if q.Mode == "vector" {
		return nil
	}
	return words(q.Text)
}

// ErrNoWords is the error of a query that has no word to match.
var ErrNoWords = errors.New("no words to match")

// keywordCap bounds the work of ranking keyword matches in a large store:
// each keyword query ranks at most this many of its newest matches (the
// index finds them by row id without scoring). Memories that match every
// word of the query are ranked first and by the same bound, so a precise
// query still finds old memories; an unspecific one leans on the vector
// side for those.
const keywordCap = 500

// keywordPasses are the rankings of a keyword search: of the memories
// with all the words of the query (all: true) when it has several, then
// of those with any of them. A store ranks each as its index does, and
// joinRankings joins them.
func keywordPasses(terms []string) []bool {
	switch len(terms) {
	case 0:
		return nil
	case 1:
		return []bool{false}
	}
	return []bool{true, false}
}

// joinRankings joins the rankings of keywordPasses, in their order, each
// memory once, depth at the most.
func joinRankings(rankings [][]int64, depth int) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, got := range rankings {
		for _, id := range got {
			if !seen[id] && len(ids) < depth {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// rankVectors re-ranks candidates exactly: it reads rows of (rowid,
// scale, q), ranks them by the similarity of their int8 vectors to the
// (normalized) query, ties by row id, and returns the depth best; it
// closes rows.
func rankVectors(rows *sql.Rows, qv []float32, depth int) ([]int64, error) {
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

// where is the SQL condition (on memories m) of the query's filters, with
// ? for its arguments; member is the store's SQL of who stored a memory.
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

// unfiltered is the condition of where for a query without filters.
const unfiltered = "m.current = 1"

// newestSQL is the query (? for its arguments) of the q.K newest memories
// that pass q's filters, by their time (created, else when stored); those
// of the same time in id order. member is as where's.
func (q Query) newestSQL(member string) (string, []any) {
	filter, args := q.where(member)
	return "SELECT " + hitColumns(member) + " FROM memories m WHERE " + filter +
		" ORDER BY " + timeExpr + " DESC, m.id LIMIT ?", append(args, q.K)
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

// hitColumns are the columns of memories m that scanHits reads; member is
// the store's SQL of who stored a memory.
func hitColumns(member string) string {
	return "m.rowid, m.id, m.title, m.body, m.created, m.source, m.path, m.kind, " + timeExpr + ", " + member
}

// scanHits reads rows of hitColumns into hits, each with the start of its
// text as the snippet, and closes rows.
func scanHits(rows *sql.Rows) ([]Hit, error) {
	defer rows.Close()
	out := []Hit{}
	for rows.Next() {
		var h Hit
		var body string
		if err := rows.Scan(&h.rowid, &h.ID, &h.Title, &body, &h.Created, &h.Source, &h.Path, &h.Kind, &h.at, &h.Member); err != nil {
			return nil, err
		}
		h.Snippet = prefix(body, 160)
		out = append(out, h)
	}
	return out, rows.Err()
}

// scanColumn reads rows of one column (row ids, model names), and closes
// rows.
func scanColumn[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
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
