package memory

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

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
	return fuse(ctx, sharedSearch{s, &ahead{}}, q)
}

type sharedSearch struct {
	*Shared
	ahead *ahead
}

// ahead is the keyword search that a vector search sent with its first
// query, in one round trip (of the same terms, q.terms, and depth as fuse
// asks keywords for): keywords takes its result from here.
type ahead struct {
	result chan keywordResult // nil: not sent
}

type keywordResult struct {
	ids []int64
	err error
}

// rows are the rows of a query, of database/sql or of pgx.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// rankWeights weigh the title (A) double the text and tags (B), as the
// SQLite store's bm25 does.
const rankWeights = "'{0.1, 0.2, 0.5, 1.0}'"

// keywords ranks the memories matching the words by ts_rank (the title
// weighing double), each pass of keywordPasses in the same statement (one
// round trip), unless the vector search sent it already.
func (s sharedSearch) keywords(ctx context.Context, terms []string, q Query, depth int) ([]int64, error) {
	if a := s.ahead; a != nil && a.result != nil {
		r := <-a.result
		return r.ids, r.err
	}
	query, args := keywordSQL(terms, q, depth)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanKeywords(rows, len(keywordPasses(terms)), depth)
}

// keywordSQL is the statement of keywords.
func keywordSQL(terms []string, q Query, depth int) (string, []any) {
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
	return "SELECT pass, rowid FROM (" + strings.Join(parts, " UNION ALL ") + ") r ORDER BY pass, n", append(args, filterArgs...)
}

// scanKeywords reads the rankings of keywordSQL's passes, joined.
func scanKeywords(rows rows, passes, depth int) ([]int64, error) {
	rankings := make([][]int64, passes)
	for rows.Next() {
		var pass int
		var id int64
		if err := rows.Scan(&pass, &id); err != nil {
			return nil, err
		}
		if pass < 1 || pass > passes {
			return nil, fmt.Errorf("keyword search: pass %d of %d", pass, passes)
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

// listing is what a vector search reads first of a model: the size of
// its vectors (0: it has none) and its chunks of codes, each with the
// version of its row (xmin), or, without a cache, whole.
type listing struct {
	dim    int
	chunks []listedChunk
}

type listedChunk struct {
	id, xmin int64
	codes    vecindex.Codes // without a cache
}

// listSQL is the statement that reads the model's listing.
func (s sharedSearch) listSQL(model string) (string, []any) {
	columns := "c.chunk, c.xmin::text::bigint"
	if s.CacheDir == "" {
		columns += ", c.n, c.rowids, c.bits"
	}
	return `SELECT d.dim, ` + columns + ` FROM (SELECT dim FROM vectors WHERE model = $1 LIMIT 1) d
		LEFT JOIN codes c ON c.model = $1 AND c.words = (d.dim + 63) / 64 ORDER BY c.chunk`, []any{model}
}

// scanList reads the rows of listSQL.
func (s sharedSearch) scanList(rows rows) (l listing, err error) {
	for rows.Next() {
		var chunk, xmin, n sql.NullInt64
		var c vecindex.Codes
		dest := []any{&l.dim, &chunk, &xmin}
		if s.CacheDir == "" {
			dest = append(dest, &n, &c.Rowids, &c.Bits)
		}
		if err := rows.Scan(dest...); err != nil {
			return l, err
		}
		if !chunk.Valid { // vectors, but no codes yet
			continue
		}
		if s.CacheDir == "" {
			words := vecindex.Words(l.dim)
			k := int(n.Int64)
			if k < 0 || len(c.Rowids) < k*8 || len(c.Bits) < k*words*8 {
				continue // a malformed row (a member can write one): its codes are not read
			}
			c.Words, c.Rowids, c.Bits = words, c.Rowids[:k*8], c.Bits[:k*words*8]
		}
		l.chunks = append(l.chunks, listedChunk{chunk.Int64, xmin.Int64, c})
	}
	return l, rows.Err()
}

// dimSQL is the statement that reads the size of the model's vectors
// alone (a filtered search reads the vectors that pass, not the codes).
func dimSQL(model string) (string, []any) {
	return "SELECT dim FROM vectors WHERE model = $1 LIMIT 1", []any{model}
}

// scanDim reads the row of dimSQL, if any.
func scanDim(rows rows) (l listing, err error) {
	if rows.Next() {
		err = rows.Scan(&l.dim)
	}
	if err != nil {
		return l, err
	}
	return l, rows.Err()
}

// first reads what a vector search reads first (its listing), and when
// the search has words too, sends the keyword search with it, in one
// round trip on the store's connection: keywords waits for its result.
// The listing is returned as soon as it is read, so that the work of
// this process on it overlaps the server's on the keyword search.
func (s sharedSearch) first(ctx context.Context, q Query, depth int, query string, args []any, scan func(rows) (listing, error)) (listing, error) {
	terms := q.terms()
	if len(terms) == 0 || s.ahead == nil {
		rows, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			return listing{}, err
		}
		defer rows.Close()
		return scan(rows)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return listing{}, err
	}
	kwQuery, kwArgs := keywordSQL(terms, q, depth)
	a := s.ahead
	a.result = make(chan keywordResult, 1)
	listed := make(chan error, 1)
	var l listing
	go func() {
		defer conn.Close()
		var kw keywordResult
		sentList := false
		err := conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			var b pgx.Batch
			b.Queue(query, args...)
			b.Queue(kwQuery, kwArgs...)
			br := pc.SendBatch(ctx, &b)
			rows, err := br.Query()
			if err == nil {
				l, err = scan(rows)
				rows.Close()
			}
			listed <- err
			sentList = true
			if err != nil {
				// The search fails with the vector search's error;
				// the keyword search was not run.
				br.Close()
				return nil
			}
			rows, err = br.Query()
			if err == nil {
				kw.ids, err = scanKeywords(rows, len(keywordPasses(terms)), depth)
				rows.Close()
			}
			if cerr := br.Close(); err == nil {
				err = cerr
			}
			kw.err = err
			return err
		})
		if !sentList { // the connection was lost before the batch
			listed <- err
			err = nil
		}
		if kw.err == nil && err != nil {
			kw.err = err
		}
		a.result <- kw
	}()
	err = <-listed
	return l, err
}

// codes are the codes of a listing, and the number of their slots. With a
// CacheDir, each chunk is kept in a file there, labelled by the version of
// its row, so that a recall reads from the server only what was written
// since: of a chunk that grew (a member's last, while they store), the
// codes added to it (fetchCodes). The chunks are in the order of their
// rows whatever the cache holds, so that the nearest codes, ties and all,
// are those of a recall without it. release unmaps them.
func (s sharedSearch) codes(ctx context.Context, l listing) (chunks []vecindex.Codes, slots int, release func(), err error) {
	var releases []func()
	release = func() {
		for _, r := range releases {
			r()
		}
	}
	words := vecindex.Words(l.dim)
	var stale []staleChunk
	var staleAt []int // where the stale ones go in chunks
	for _, lc := range l.chunks {
		c := lc.codes
		if s.CacheDir != "" {
			var gen uint64
			var unmap func()
			var ok bool
			if c, gen, unmap, ok = vecindex.MapAny(s.chunkFile(lc.id, words), words); ok {
				releases = append(releases, unmap)
			}
			if !ok || gen != uint64(lc.xmin) {
				stale = append(stale, staleChunk{id: lc.id, had: c})
				staleAt = append(staleAt, len(chunks))
				c = vecindex.Codes{}
			}
		}
		chunks = append(chunks, c)
		slots += c.Len()
	}
	if len(stale) == 0 {
		return chunks, slots, release, nil
	}
	fetched, err := s.fetchCodes(ctx, stale, words)
	if err != nil {
		release()
		return nil, 0, func() {}, err
	}
	for i, at := range staleAt {
		if c, ok := fetched[stale[i].id]; ok { // else gone since
			chunks[at] = c
			slots += c.Len()
		}
	}
	return chunks, slots, release, nil
}

// staleChunk is a chunk of codes whose row changed since the cache's file
// of it was written: had are the codes of the file (none: no file).
type staleChunk struct {
	id  int64
	had vecindex.Codes
}

// fetchCodes reads chunks whose rows changed since the cache's files,
// puts them in the cache and returns them by chunk. A chunk only grows, but for
// its slots emptied: of each, only the codes past those the file has are
// read, with a digest of the file's rowids, which an emptied slot would
// have changed (then the chunk is read whole, in a second round trip).
func (s sharedSearch) fetchCodes(ctx context.Context, stale []staleChunk, words int) (map[int64]vecindex.Codes, error) {
	out := map[int64]vecindex.Codes{}
	stale = slices.Clone(stale)
	for len(stale) > 0 {
		byID := map[int64]vecindex.Codes{}
		ids, had := make([]int64, len(stale)), make([]int64, len(stale))
		for i, st := range stale {
			ids[i], had[i] = st.id, int64(st.had.Len())
			byID[st.id] = st.had
		}
		rows, err := s.db.QueryContext(ctx, `SELECT c.chunk, c.xmin::text::bigint, f.had, md5(substring(c.rowids FROM 1 FOR f.had * 8)),
				substring(c.rowids FROM f.had * 8 + 1 FOR greatest(c.n - f.had, 0) * 8),
				substring(c.bits FROM f.had * c.words * 8 + 1 FOR greatest(c.n - f.had, 0) * c.words * 8)
			FROM unnest($1::bigint[], $2::int[]) AS f(chunk, had) JOIN codes c ON c.chunk = f.chunk ORDER BY c.chunk`, ids, had)
		if err != nil {
			return nil, err
		}
		stale = stale[:0]
		for rows.Next() {
			var chunk, xmin, n int64
			var digest string
			var rowids, bits []byte
			if err := rows.Scan(&chunk, &xmin, &n, &digest, &rowids, &bits); err != nil {
				rows.Close()
				return nil, err
			}
			start := byID[chunk]
			if n > 0 {
				if sum := md5.Sum(start.Rowids); hex.EncodeToString(sum[:]) != digest {
					stale = append(stale, staleChunk{id: chunk}) // a slot emptied: all of it
					continue
				}
			}
			// A new chunk, the file's codes then the new ones (the file's
			// are mapped: copied, never written to).
			c := vecindex.Codes{Words: words,
				Rowids: append(start.Rowids[:len(start.Rowids):len(start.Rowids)], rowids...),
				Bits:   append(start.Bits[:len(start.Bits):len(start.Bits)], bits...)}
			if len(c.Rowids)%8 != 0 || len(c.Bits) != c.Len()*words*8 {
				continue // a malformed row (a member can write one): neither read nor kept
			}
			// A cache: the codes in hand serve without it.
			if os.MkdirAll(filepath.Dir(s.chunkFile(chunk, words)), 0o700) == nil {
				vecindex.WriteFile(s.chunkFile(chunk, words), uint64(xmin), c)
			}
			out[chunk] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// chunkFile is the cache file of a chunk of codes.
func (s *Shared) chunkFile(chunk int64, words int) string {
	return filepath.Join(s.CacheDir, s.key, fmt.Sprintf("%d-%d", chunk, words))
}

// vectors ranks memories by cosine similarity to the query: the sign codes
// nearest by Hamming distance first, which the int8 vectors then rank
// exactly. With filters, or in a small store, every matching vector is
// read. It lists the model's codes first (one round trip), and ranks once
// the query's embedding is known.
func (s sharedSearch) vectors(ctx context.Context, q Query, depth int) (func(vec []float32) ([]int64, error), error) {
	filter, args := q.sharedWhere(2)
	var l listing
	var err error
	if filter == unfiltered {
		query, args := s.listSQL(q.Model)
		l, err = s.first(ctx, q, depth, query, args, s.scanList)
	} else {
		query, args := dimSQL(q.Model)
		l, err = s.first(ctx, q, depth, query, args, scanDim)
	}
	if err != nil {
		return nil, err
	}
	return func(vec []float32) ([]int64, error) {
		switch {
		case l.dim == 0:
			return nil, nil
		case l.dim != len(vec):
			return nil, &DimensionError{Model: q.Model, Query: len(vec), Store: l.dim}
		}
		qv := vecindex.Normalize(vec)
		if filter == unfiltered {
			chunks, slots, release, err := s.codes(ctx, l)
			if err != nil {
				return nil, err
			}
			defer release()
			if slots > sharedExactLimit {
				short := vecindex.Nearest(chunks, vecindex.SignBits(qv), max(150, 3*depth))
				rows, err := s.db.QueryContext(ctx, "SELECT rowid, scale, q FROM vectors WHERE rowid = ANY($1)", short)
				if err != nil {
					return nil, err
				}
				return rankVectors(rows, qv, depth)
			}
		}
		rows, err := s.db.QueryContext(ctx, "SELECT v.rowid, v.scale, v.q FROM vectors v JOIN memories m ON m.rowid = v.rowid WHERE v.model = $1 AND "+filter,
			append([]any{q.Model}, args...)...)
		if err != nil {
			return nil, err
		}
		return rankVectors(rows, qv, depth)
	}, nil
}

func (s sharedSearch) newest(ctx context.Context, q Query) ([]Hit, error) {
	query, args := q.newestSQL(sharedMember)
	rows, err := s.db.QueryContext(ctx, rebind(query, 1), args...)
	if err != nil {
		return nil, err
	}
	return scanHits(rows)
}

// bestMargin is how many memories best reads past the first k: the
// server's logarithms may differ from Go's in the last bit, and of two
// memories whose weighed scores are the same but for that, the server
// could keep the other one.
const bestMargin = 8

// best reads the first memories of the ranking and their snippets in one
// statement: the server orders them as r.order does (the logarithm of
// the score weighed by age, ties by id bytewise) and reads the first r.k
// (and bestMargin more) whole, with the
// stretches of their texts around the words of the query (ts_headline),
// … where the text goes on.
func (s sharedSearch) best(ctx context.Context, r ranking) ([]Hit, error) {
	ids, scores := r.ids()
	var query string
	if len(r.terms) > 0 {
		query = tsQuery(r.terms, "|")
	}
	rows, err := s.db.QueryContext(ctx, `WITH f AS (SELECT * FROM unnest($1::bigint[], $2::float8[]) AS f(rowid, score)),
		top AS (SELECT m.rowid FROM f JOIN memories m ON m.rowid = f.rowid
			ORDER BY ln(f.score) - CASE WHEN $3::float8 > 0 THEN greatest(0, $4::float8 - (`+timeExpr+`)::float8) / $3::float8 * 0.6931471805599453::float8 ELSE 0 END DESC,
			m.id COLLATE "C" LIMIT $5)
		SELECT `+hitColumns(sharedMember)+`, CASE WHEN $6 = '' THEN NULL WHEN m.words @@ to_tsquery('simple', $6) THEN ts_headline('simple', m.body, to_tsquery('simple', $6),
			'StartSel="", StopSel="", MaxWords=24, MinWords=12, ShortWord=0') END
		FROM top JOIN memories m ON m.rowid = top.rowid`,
		ids, scores, r.halfLife.Seconds(), float64(r.now), r.k+bestMargin, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Hit{}
	for rows.Next() {
		var h Hit
		var body string
		var snip sql.NullString
		if err := rows.Scan(&h.rowid, &h.ID, &h.Title, &body, &h.Created, &h.Source, &h.Path, &h.Kind, &h.at, &h.Member, &snip); err != nil {
			return nil, err
		}
		h.Snippet = prefix(body, 160)
		if snip.Valid {
			if sn := snippet(body, snip.String); sn != "" {
				h.Snippet = sn
			}
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// snippet is ts_headline's stretch of a text (snip), with … where the
// text goes on, or all of a short text, as FTS5's snippet makes it.
func snippet(body, snip string) string {
	text := strings.Join(strings.Fields(body), " ")
	if len(strings.Fields(text)) <= 24 {
		return text
	}
	snip = strings.Join(strings.Fields(snip), " ")
	if snip != "" && !strings.HasPrefix(text, snip) {
		snip = "…" + snip
	}
	if snip != "" && !strings.HasSuffix(text, strings.TrimPrefix(snip, "…")) {
		snip += "…"
	}
	return snip
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
