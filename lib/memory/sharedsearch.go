package memory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/shelfai/shelf/lib/memory/vecindex"
)

// The shared store's searches: the SQLite store's, in PostgreSQL's terms.

// sharedMember is who stored a memory of the shared store.
const sharedMember = "m.member"

// rebind numbers the ? of SQL as PostgreSQL's $1, $2..., from first on.
func rebind(q string, first int) string {
	var b strings.Builder
	n := first
	for _, r := range q {
		if r == '?' {
			fmt.Fprintf(&b, "$%d", n)
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// where is q's filter for the shared store, its arguments numbered from
// first on.
func (q Query) sharedWhere(first int) (string, []any) {
	filter, args := q.where(sharedMember)
	return rebind(filter, first), args
}

// tsQuery joins words into the text of a tsquery (to_tsquery 'simple'),
// each word quoted so that none is read as syntax; op is & or |.
func tsQuery(words []string, op string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		w = strings.ReplaceAll(w, `\`, `\\`)
		quoted[i] = "'" + strings.ReplaceAll(w, "'", "''") + "'"
	}
	return strings.Join(quoted, " "+op+" ")
}

// Search recalls the memories nearest to q, as the SQLite store does.
func (s *Shared) Search(ctx context.Context, q Query) ([]Hit, error) {
	if s.empty {
		return []Hit{}, nil
	}
	return fuse(ctx, sharedSearch{s}, q)
}

type sharedSearch struct{ *Shared }

// rankWeights weigh the title (A) double the text and tags (B), as the
// SQLite store's bm25 does.
const rankWeights = "'{0.1, 0.2, 0.5, 1.0}'"

// keywords ranks the memories matching the words by ts_rank (the title
// weighing double), each pass of keywordPasses in the same statement (one
// round trip).
func (s sharedSearch) keywords(ctx context.Context, terms []string, q Query, depth int) ([]int64, error) {
	passes := keywordPasses(terms)
	filter, filterArgs := q.sharedWhere(len(passes) + 1)
	var parts []string
	var args []any
	for i, all := range passes {
		op := "|"
		if all {
			op = "&"
		}
		args = append(args, tsQuery(terms, op))
		// At most keywordCap of the newest matches are ranked, as in the
		// SQLite store.
		parts = append(parts, fmt.Sprintf(`(SELECT %[1]d AS pass, c.rowid, row_number() OVER (ORDER BY ts_rank(%[2]s, c.words, to_tsquery('simple', $%[1]d)) DESC, c.rowid) AS n
			FROM (SELECT m.rowid, m.words FROM memories m WHERE m.words @@ to_tsquery('simple', $%[1]d) AND %[3]s ORDER BY m.rowid DESC LIMIT %[4]d) c
			ORDER BY n LIMIT %[5]d)`, i+1, rankWeights, filter, keywordCap, depth))
	}
	rows, err := s.db.QueryContext(ctx, "SELECT pass, rowid FROM ("+strings.Join(parts, " UNION ALL ")+") r ORDER BY pass, n", append(args, filterArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	rankings := make([][]int64, len(passes))
	for rows.Next() {
		var pass int
		var id int64
		if err := rows.Scan(&pass, &id); err != nil {
			return nil, err
		}
		rankings[pass-1] = append(rankings[pass-1], id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return joinRankings(rankings, depth), nil
}

// sharedExactLimit is the store size (of one model) under which vector
// search reads every vector instead of ranking the sign codes first:
// lower than the SQLite store's, as every vector read crosses the
// connection.
const sharedExactLimit = 5000

// codes reads the size of the model's vectors (0: it has none) and its
// codes: every member's chunks, as they are (with the empty slots of
// vectors removed since), and the number of their slots, both in one
// round trip. With a CacheDir, each chunk is kept in a file there,
// labelled by the version of its row (xmin), so that a recall reads from
// the server only the chunks written since (the members' last ones, while
// they store) and maps the others. release unmaps them.
func (s sharedSearch) codes(ctx context.Context, model string) (dim int, chunks []vecindex.Codes, slots int, release func(), err error) {
	var releases []func()
	release = func() {
		for _, r := range releases {
			r()
		}
	}
	defer func() {
		if err != nil {
			release()
		}
	}()
	add := func(c vecindex.Codes) {
		chunks = append(chunks, c)
		slots += c.Len()
	}
	// The chunks with their versions, or, without a cache, whole.
	columns := "c.chunk, c.xmin::text::bigint"
	if s.CacheDir == "" {
		columns += ", c.n, c.rowids, c.bits"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT d.dim, `+columns+` FROM (SELECT dim FROM vectors WHERE model = $1 LIMIT 1) d
		LEFT JOIN codes c ON c.model = $1 AND c.words = (d.dim + 63) / 64 ORDER BY c.chunk`, model)
	if err != nil {
		return 0, nil, 0, release, err
	}
	defer rows.Close()
	var stale []int64
	for rows.Next() {
		var chunk, xmin sql.NullInt64
		var n sql.NullInt64
		var c vecindex.Codes
		dest := []any{&dim, &chunk, &xmin}
		if s.CacheDir == "" {
			dest = append(dest, &n, &c.Rowids, &c.Bits)
		}
		if err := rows.Scan(dest...); err != nil {
			return 0, nil, 0, release, err
		}
		words := vecindex.Words(dim)
		switch {
		case !chunk.Valid: // vectors, but no codes yet
		case s.CacheDir == "":
			c.Words = words
			c.Rowids, c.Bits = c.Rowids[:n.Int64*8], c.Bits[:int(n.Int64)*words*8]
			add(c)
		default:
			if c, unmap, ok := vecindex.MapFile(s.chunkFile(chunk.Int64, words), uint64(xmin.Int64), words); ok {
				add(c)
				releases = append(releases, unmap)
				continue
			}
			stale = append(stale, chunk.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, 0, release, err
	}
	rows.Close()
	if len(stale) == 0 {
		return dim, chunks, slots, release, nil
	}
	words := vecindex.Words(dim)
	rows, err = s.db.QueryContext(ctx, "SELECT chunk, xmin::text::bigint, n, rowids, bits FROM codes WHERE chunk = ANY($1) ORDER BY chunk", stale)
	if err != nil {
		return 0, nil, 0, release, err
	}
	defer rows.Close()
	for rows.Next() {
		var chunk, xmin int64
		var n int
		c := vecindex.Codes{Words: words}
		if err := rows.Scan(&chunk, &xmin, &n, &c.Rowids, &c.Bits); err != nil {
			return 0, nil, 0, release, err
		}
		c.Rowids, c.Bits = c.Rowids[:n*8], c.Bits[:n*words*8]
		// A cache: the codes in hand serve without it.
		if os.MkdirAll(filepath.Dir(s.chunkFile(chunk, words)), 0o700) == nil {
			vecindex.WriteFile(s.chunkFile(chunk, words), uint64(xmin), c)
		}
		add(c)
	}
	return dim, chunks, slots, release, rows.Err()
}

// chunkFile is the cache file of a chunk of codes.
func (s *Shared) chunkFile(chunk int64, words int) string {
	return filepath.Join(s.CacheDir, s.key, fmt.Sprintf("%d-%d", chunk, words))
}

// vectors ranks memories by cosine similarity to the query: the sign codes
// nearest by Hamming distance first, which the int8 vectors then rank
// exactly. With filters, or in a small store, every matching vector is
// read.
func (s sharedSearch) vectors(ctx context.Context, q Query, depth int) ([]int64, error) {
	qv := vecindex.Normalize(q.Vector)
	filter, args := q.sharedWhere(2)
	var dim int
	if filter == unfiltered {
		d, chunks, slots, release, err := s.codes(ctx, q.Model)
		if err != nil {
			return nil, err
		}
		defer release()
		if dim = d; dim != 0 && dim == len(q.Vector) && slots > sharedExactLimit {
			short := vecindex.Nearest(chunks, vecindex.SignBits(qv), max(150, 3*depth))
			rows, err := s.db.QueryContext(ctx, "SELECT rowid, scale, q FROM vectors WHERE rowid = ANY($1)", short)
			if err != nil {
				return nil, err
			}
			return rankVectors(rows, qv, depth)
		}
	} else {
		err := s.db.QueryRowContext(ctx, "SELECT dim FROM vectors WHERE model = $1 LIMIT 1", q.Model).Scan(&dim)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	switch {
	case dim == 0:
		return nil, nil
	case dim != len(q.Vector):
		return nil, &DimensionError{Model: q.Model, Query: len(q.Vector), Store: dim}
	}
	rows, err := s.db.QueryContext(ctx, "SELECT v.rowid, v.scale, v.q FROM vectors v JOIN memories m ON m.rowid = v.rowid WHERE v.model = $1 AND "+filter,
		append([]any{q.Model}, args...)...)
	if err != nil {
		return nil, err
	}
	return rankVectors(rows, qv, depth)
}

func (s sharedSearch) newest(ctx context.Context, q Query) ([]Hit, error) {
	query, args := q.newestSQL(sharedMember)
	rows, err := s.db.QueryContext(ctx, rebind(query, 1), args...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

func (s sharedSearch) hits(ctx context.Context, ids []int64) ([]Hit, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+hitColumns(sharedMember)+" FROM memories m WHERE m.rowid = ANY($1)", ids)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

// snippets are the stretches of the memories' texts around the words of
// the query (ts_headline), with … where the text goes on.
func (s sharedSearch) snippets(ctx context.Context, terms []string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(terms) == 0 || len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT m.rowid, m.body, ts_headline('simple', m.body, to_tsquery('simple', $1),
			'StartSel="", StopSel="", MaxWords=24, MinWords=12, ShortWord=0')
		FROM memories m WHERE m.rowid = ANY($2) AND m.words @@ to_tsquery('simple', $1)`,
		tsQuery(terms, "|"), ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var body, snip string
		if err := rows.Scan(&id, &body, &snip); err != nil {
			return nil, err
		}
		text := strings.Join(strings.Fields(body), " ")
		if len(strings.Fields(text)) <= 24 { // as FTS5's snippet: all of a short text
			out[id] = text
			continue
		}
		snip = strings.Join(strings.Fields(snip), " ")
		if snip != "" && !strings.HasPrefix(text, snip) {
			snip = "…" + snip
		}
		if snip != "" && !strings.HasSuffix(text, strings.TrimPrefix(snip, "…")) {
			snip += "…"
		}
		out[id] = snip
	}
	return out, rows.Err()
}

// Matching returns every current memory that has all the words of q.Text
// and passes q's filters, in the order they were stored.
func (s *Shared) Matching(ctx context.Context, q Query) ([]Hit, error) {
	terms := words(q.Text)
	if len(terms) == 0 {
		return nil, ErrNoWords
	}
	if s.empty {
		return []Hit{}, nil
	}
	filter, args := q.sharedWhere(2)
	rows, err := s.db.QueryContext(ctx, "SELECT "+hitColumns(sharedMember)+" FROM memories m WHERE m.words @@ to_tsquery('simple', $1) AND "+
		filter+" ORDER BY m.rowid", append([]any{tsQuery(terms, "&")}, args...)...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}
