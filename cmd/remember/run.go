package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "db", Usage: "the store: a SQLite `FILE` (default $XDG_DATA_HOME/shelf/memory.db)", EnvVars: []string{"SHELF_DB"}},
		&cli.StringFlag{Name: "embed-model", Usage: "embedding `MODEL` of the endpoint (default: that of the store's vectors; none: keyword search only)", EnvVars: []string{"SHELF_EMBED_MODEL"}},
	}
}

// str reads a store flag given before or after the subcommand's name.
func str(c *cli.Context, name string) string {
	for _, cc := range c.Lineage() {
		if cc.IsSet(name) {
			return cc.String(name)
		}
	}
	return c.String(name)
}

// withStore runs fn with the store open for writing, closing it after.
func withStore(fn func(c *cli.Context, s *memory.Store) error) func(c *cli.Context) error {
	return func(c *cli.Context) error {
		s, err := open(c)
		if err != nil {
			return err
		}
		defer s.Close()
		return fn(c, s)
	}
}

// withReader runs fn with the store open for reading only.
func withReader(fn func(c *cli.Context, s *memory.Store) error) func(c *cli.Context) error {
	return func(c *cli.Context) error {
		s, err := openRead(c)
		if err != nil {
			return err
		}
		defer s.Close()
		return fn(c, s)
	}
}

func dbPath(c *cli.Context) string {
	if path := str(c, "db"); path != "" {
		return path
	}
	return memory.DefaultPath(config.DataDir())
}

const dbHint = "check --db (SHELF_DB) and that its folder can be written"

// open opens the store for writing, dated by the tools' clock.
func open(c *cli.Context) (*memory.Store, error) {
	path := dbPath(c)
	s, err := memory.Open(c.Context, path)
	if err != nil {
		return nil, sysexits.New(sysexits.CantCreate, fmt.Errorf("open the store %s: %w", path, err), dbHint)
	}
	s.Now = tool.Now
	return s, nil
}

// openRead opens the store for reading only: recall, context, stats and
// export work on a store the user may not write, and make none.
func openRead(c *cli.Context) (*memory.Store, error) {
	path := dbPath(c)
	s, err := memory.OpenReadOnly(c.Context, path)
	if err != nil {
		return nil, sysexits.New(sysexits.NoInput, fmt.Errorf("open the store %s: %w", path, err), "check --db (SHELF_DB)")
	}
	return s, nil
}

// chooseModel picks a run's embedding model from the one set (by flag,
// SHELF_EMBED_MODEL or configuration; "" for none) and the models of the
// store's vectors (most vectors first). Without one set, the store's;
// the one set, if the store has no vectors or some of that model. Else
// the run embeds nothing (mismatch): vectors of two models are not
// comparable, and a store of both would find by meaning only the memories
// of the query's model.
func chooseModel(set string, stored []string) (use string, mismatch bool) {
	switch {
	case set == "" && len(stored) > 0:
		return stored[0], false
	case set == "" || len(stored) == 0 || slices.Contains(stored, set):
		return set, false
	}
	return "", true
}

// errMismatch says that the model set is not the one of the store's vectors.
func errMismatch(set string, stored []string) error {
	return sysexits.Errorf(sysexits.Config,
		fmt.Sprintf("'remember reindex --embed-model %s' embeds the store again with %s; or use --embed-model %s", set, set, stored[0]),
		"the store's vectors are of %s, not %s, and the vectors of two models do not mix", strings.Join(stored, ", "), set)
}

// embedder returns the batcher of the run's embedding model (chooseModel),
// or nil when the run embeds nothing, with one warning that ends with
// without: what comes of it. With vector alone asked for, a run that
// cannot embed is an error instead.
func embedder(c *cli.Context, env *tool.Env, s *memory.Store, without string, vector bool) (*llm.Batcher, error) {
	set := str(c, "embed-model")
	stored, err := s.Models(c.Context)
	if err != nil {
		return nil, fmt.Errorf("read the store's embedding models: %w", err)
	}
	model, mismatch := chooseModel(set, stored)
	switch {
	case mismatch && vector:
		return nil, errMismatch(set, stored)
	case mismatch:
		err := errMismatch(set, stored)
		env.Log.Warn(err.Error()+": "+without, "hint", env.Hint(err))
		return nil, nil
	case model == "" && vector:
		return nil, sysexits.Errorf(sysexits.Usage, "set --embed-model or SHELF_EMBED_MODEL", "--mode vector needs an embedding model")
	case model == "":
		env.Log.Warn("no embedding model: keyword search only; set --embed-model or SHELF_EMBED_MODEL (then 'remember reindex')")
		return nil, nil
	case set == "":
		env.Log.Debug("embedding with the model of the store's vectors", "model", model)
	}
	if len(stored) > 1 {
		env.Log.Warn(fmt.Sprintf("the store holds vectors of %d models (%s), which do not mix: memories with vectors of another than %s are found by keywords only", len(stored), strings.Join(stored, ", "), model),
			"hint", fmt.Sprintf("'remember reindex --embed-model %s' embeds them with %s", model, model))
	}
	client, err := env.Client(c)
	if err != nil {
		return nil, err
	}
	return &llm.Batcher{C: client, Model: model}, nil
}

// vectors embeds the texts of one run. After its first failure it asks no
// more (each further request would fail as well, or wait through its
// retries): the rest of the run goes on without vectors, and Err says why.
type vectors struct {
	b   *llm.Batcher
	mu  sync.Mutex
	err error
}

// of returns the vector of text, or nil once embedding has failed. Its
// only error is the run's end (an interruption).
func (v *vectors) of(ctx context.Context, text string) ([]float32, error) {
	if v.Err() != nil {
		return nil, nil
	}
	vec, err := v.b.Embed(ctx, text)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		v.mu.Lock()
		if v.err == nil {
			v.err = err
		}
		v.mu.Unlock()
		return nil, nil
	}
	return vec, nil
}

// Err is the first failure, or nil.
func (v *vectors) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

// warnEmbed warns once that embeddings failed: msg says what came of it.
func warnEmbed(env *tool.Env, msg string, err error) {
	kv := []any{"error", err}
	if h := env.Hint(err); h != "" {
		kv = append(kv, "hint", h)
	}
	env.Log.Warn(msg, kv...)
}

// memories says "1 memory", "2 memories".
func memories(n int) string { return plural(n, "memory", "memories") }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// fillLimit is how many memories stored without a vector one store run
// embeds, after its own records ('remember reindex' does them all).
const fillLimit = 256

// store is the default mode: every record is kept, then passed on as it
// came. A record is stored even when its embedding fails (it is found by
// keywords until a later run embeds it); one that cannot be stored goes on
// with the reason in its errors field.
func store(c *cli.Context, env *tool.Env) error {
	s, openErr := open(c)
	var emb *vectors
	if openErr == nil {
		defer s.Close()
		b, err := embedder(c, env, s, "stored without vectors, found by keywords only until a run with the store's model fills them in", false)
		if err != nil {
			return err
		}
		if b != nil {
			emb = &vectors{b: b}
		}
	}
	fn := func(ctx context.Context, rec *record.Record) error {
		it, ok := memory.ItemOf(rec.JSON)
		if !ok {
			return nil
		}
		if emb != nil {
			v, err := emb.of(ctx, it.EmbedText())
			if err != nil {
				return err
			}
			if v != nil {
				it.Vector, it.Model = v, emb.b.Model
			}
		}
		rec.Meta = it
		return nil
	}
	sink := &storeSink{s: s, openErr: openErr, w: jsonl.NewWriter(env.Stdout), log: env}
	err := env.Run(c, fn, sink)
	if emb != nil && c.Context.Err() == nil {
		switch eerr := emb.Err(); {
		case eerr != nil && sink.bare > 0:
			warnEmbed(env, fmt.Sprintf("stored %s without a vector, found by keywords only until 'remember reindex' or the next run that can embed fills the vectors in", memories(sink.bare)), eerr)
		case eerr != nil:
			warnEmbed(env, "embeddings failed; memories without a vector are found by keywords only until 'remember reindex' or a run that can embed fills the vectors in", eerr)
		case sink.failed > 0:
			// The store refused the run's own records: it takes no more.
		default:
			n, ferr := fill(c.Context, s, emb.b)
			if ferr != nil {
				warnEmbed(env, fmt.Sprintf("embedding the memories stored without a vector failed after %s; 'remember reindex' or the next run tries again", memories(n)), ferr)
			} else if n > 0 {
				env.Log.Info(fmt.Sprintf("embedded %s stored earlier without a vector", memories(n)))
			}
		}
	}
	return sysexits.Join(sink.Err(), err)
}

// fill embeds up to fillLimit memories stored without a vector (while the
// embedding endpoint failed), so that the store heals without a reindex.
func fill(ctx context.Context, s *memory.Store, b *llm.Batcher) (int, error) {
	total := 0
	for total < fillLimit {
		ids, texts, err := s.Unembedded(ctx, min(64, fillLimit-total))
		if err != nil || len(ids) == 0 {
			return total, err
		}
		vecs, err := b.C.Embed(ctx, b.Model, texts)
		if err != nil {
			return total, err
		}
		if err := s.SetVectors(ctx, b.Model, ids, vecs); err != nil {
			return total, err
		}
		total += len(ids)
	}
	return total, nil
}

// storeSink commits the records' memories in batches and writes the
// records out only once they are stored. A batch that cannot be stored
// (or a store that could not be opened) is written all the same, each
// record with something to remember carrying the reason in its errors
// field; Err then says so once.
type storeSink struct {
	s       *memory.Store
	openErr error // the store could not be opened: nothing is stored
	w       *jsonl.Writer
	log     *tool.Env
	recs    []*record.Record
	items   []memory.Item
	failed  int   // records not stored
	first   error // the first reason
	bare    int   // memories stored without a vector
}

func (k *storeSink) Write(rec *record.Record) error {
	k.recs = append(k.recs, rec)
	if it, ok := rec.Meta.(memory.Item); ok {
		k.items = append(k.items, it)
	}
	if len(k.recs) >= 256 {
		return k.commit()
	}
	return nil
}

func (k *storeSink) commit() error {
	if len(k.items) > 0 {
		err := k.openErr
		var res []memory.Result
		if err == nil {
			if res, err = k.s.Put(context.Background(), k.items); err != nil {
				err = fmt.Errorf("store: %w", err)
			}
		}
		if err != nil {
			k.failed += len(k.items)
			if k.first == nil {
				k.first = err
			}
			for _, r := range k.recs {
				if _, ok := r.Meta.(memory.Item); ok {
					r.AppendError("remember", "not stored: "+err.Error())
				}
			}
		} else {
			counts := map[memory.Result]int{}
			for i, r := range res {
				counts[r]++
				if (r == memory.Stored || r == memory.Superseded) && k.items[i].Vector == nil {
					k.bare++
				}
			}
			k.log.Log.Debug("stored", "new", counts[memory.Stored], "superseded", counts[memory.Superseded], "unchanged", counts[memory.Unchanged], "duplicates", counts[memory.Duplicate])
		}
	}
	for _, r := range k.recs {
		if err := k.w.Write(r); err != nil {
			return err
		}
	}
	k.recs, k.items = k.recs[:0], k.items[:0]
	return nil
}

func (k *storeSink) Flush() error {
	if err := k.commit(); err != nil {
		return err
	}
	return k.w.Flush()
}

// Err says how many records were not stored, and why.
func (k *storeSink) Err() error {
	if k.failed == 0 {
		return nil
	}
	return sysexits.Errorf(sysexits.CantCreate, dbHint+"; the records went on, each with this error in its errors field",
		"%s not stored: %v", plural(k.failed, "record", "records"), k.first)
}

var agoRE = regexp.MustCompile(`^(\d+)\s*([hdwmy])$`)

// when reads --since and --until: a date, an RFC 3339 time, today,
// yesterday, or an age (12h, 7d, 2w, 3m, 1y).
func when(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch s {
	case "":
		return time.Time{}, nil
	case "today":
		return midnight, nil
	case "yesterday":
		return midnight.AddDate(0, 0, -1), nil
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(s)); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return t, nil
	}
	if m := agoRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch m[2] {
		case "h":
			return now.Add(-time.Duration(n) * time.Hour), nil
		case "d":
			return now.AddDate(0, 0, -n), nil
		case "w":
			return now.AddDate(0, 0, -7*n), nil
		case "m":
			return now.AddDate(0, -n, 0), nil
		case "y":
			return now.AddDate(-n, 0, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date, a time or an age (7d)", s)
}

// halfLife reads --recency: a Go duration, or Nd / Nw.
func halfLife(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if m := agoRE.FindStringSubmatch(strings.ToLower(s)); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "m": 30 * 24 * time.Hour, "y": 365 * 24 * time.Hour}[m[2]]
		return time.Duration(n) * unit, nil
	}
	return time.ParseDuration(s)
}

// filterFlags narrow what recall, context and forget take.
func filterFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "since", Usage: "only memories made from `WHEN` on (a date, today, yesterday, 7d)"},
		&cli.StringFlag{Name: "until", Usage: "only memories made before `WHEN`"},
		&cli.StringFlag{Name: "tag", Usage: "only memories tagged `TAG`"},
		&cli.StringFlag{Name: "kind", Usage: "only memories of `KIND` (task, segment, ...)"},
	}
}

func queryFlags() []cli.Flag {
	return append([]cli.Flag{&cli.IntFlag{Name: "k", Value: 5, Usage: "recall `N` memories"}}, append(filterFlags(),
		&cli.StringFlag{Name: "recency", Usage: "weigh older memories down with `HALF-LIFE` (30d)"},
		&cli.StringFlag{Name: "mode", Value: "hybrid", Usage: "`MODE`: hybrid, keyword or vector"},
	)...)
}

// filters builds a memory.Query of text from the filter flags.
func filters(c *cli.Context, text string) (memory.Query, error) {
	now := tool.Now()
	q := memory.Query{Text: text, Tag: c.String("tag"), Kind: c.String("kind"), Now: now}
	var err error
	if q.Since, err = when(c.String("since"), now); err != nil {
		return q, sysexits.New(sysexits.Usage, fmt.Errorf("--since: %w", err), "")
	}
	if q.Until, err = when(c.String("until"), now); err != nil {
		return q, sysexits.New(sysexits.Usage, fmt.Errorf("--until: %w", err), "")
	}
	return q, nil
}

// query builds a memory.Query from the flags.
func query(c *cli.Context, text string, emb *llm.Batcher) (memory.Query, error) {
	q, err := filters(c, text)
	if err != nil {
		return q, err
	}
	q.K, q.Mode = c.Int("k"), c.String("mode")
	if q.K < 1 {
		return q, sysexits.Errorf(sysexits.Usage, "", "-k must be 1 or more")
	}
	switch q.Mode {
	case "hybrid", "keyword", "vector":
	default:
		return q, sysexits.Errorf(sysexits.Usage, "", "--mode is hybrid, keyword or vector, not %q", q.Mode)
	}
	if q.HalfLife, err = halfLife(c.String("recency")); err != nil {
		return q, sysexits.New(sysexits.Usage, fmt.Errorf("--recency: %w", err), "give a half-life such as 30d or 72h")
	}
	if emb != nil && q.Mode != "keyword" {
		q.Model = emb.Model
		q.Embed = func(ctx context.Context) ([]float32, error) {
			v, err := emb.C.Embed(ctx, emb.Model, []string{text})
			if err != nil {
				return nil, err
			}
			return v[0], nil
		}
	}
	return q, nil
}

func recall(env *tool.Env) func(c *cli.Context) error {
	return withReader(func(c *cli.Context, s *memory.Store) error {
		// Without a query, recall lists the memories the filters let
		// through, newest first.
		text := strings.Join(c.Args().Slice(), " ")
		var emb *llm.Batcher
		if strings.TrimSpace(text) != "" && c.String("mode") != "keyword" {
			var err error
			if emb, err = embedder(c, env, s, "recalled by keywords only", c.String("mode") == "vector"); err != nil {
				return err
			}
		}
		q, err := query(c, text, emb)
		if err != nil {
			return err
		}
		if q.Mode == "hybrid" {
			// A failing endpoint leaves the keywords; --mode vector asks
			// for nothing else, and fails.
			q.OnEmbedError = func(err error) { warnEmbed(env, "embeddings failed; recalled by keywords only", err) }
		}
		hits, err := s.Search(c.Context, q)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(env.Stdout)
		defer w.Flush()
		for i, h := range hits {
			if c.Bool("raw") {
				fmt.Fprintf(w, "%d. %s", i+1, orUntitled(h.Title))
				if h.Created != "" {
					fmt.Fprintf(w, " (%s)", h.Created)
				}
				fmt.Fprintf(w, "\n   %s\n", strings.Join(strings.Fields(h.Snippet), " "))
				if h.Path != "" || h.Source != "" {
					fmt.Fprintf(w, "   %s\n", strings.TrimSpace(h.Path+" "+h.Source))
				}
				continue
			}
			b, _ := record.Marshal(h)
			w.Write(append(b, '\n'))
		}
		return nil
	})
}

func orUntitled(s string) string {
	if s == "" {
		return "(untitled)"
	}
	return s
}

// contextMode gives each passing record its related memories. When
// embeddings fail, the rest of the run finds them by keywords; when the
// store cannot be read, every record goes on with the reason in its errors.
func contextMode(env *tool.Env) func(c *cli.Context) error {
	return func(c *cli.Context) error {
		base, err := query(c, "", nil)
		if err != nil {
			return err
		}
		s, openErr := openRead(c)
		var emb *vectors
		if openErr == nil {
			defer s.Close()
			if base.Mode != "keyword" {
				b, err := embedder(c, env, s, "context found by keywords only", base.Mode == "vector")
				if err != nil {
					return err
				}
				if b != nil {
					emb = &vectors{b: b}
				}
			}
		}
		err = env.Run(c, func(ctx context.Context, rec *record.Record) error {
			it, ok := memory.ItemOf(rec.JSON)
			if !ok {
				return nil
			}
			if openErr != nil {
				return openErr
			}
			q := base
			q.Text, q.Exclude = it.EmbedText(), it.ID
			if emb != nil {
				v, err := emb.of(ctx, it.EmbedText())
				if err != nil {
					return err
				}
				if v == nil && q.Mode == "vector" {
					return emb.Err()
				}
				q.Vector, q.Model = v, emb.b.Model
			}
			hits, err := s.Search(ctx, q)
			if err != nil {
				return err
			}
			return rec.Set("context", hits)
		}, nil)
		if emb != nil && base.Mode == "hybrid" && emb.Err() != nil {
			warnEmbed(env, "embeddings failed; context found by keywords only", emb.Err())
		}
		return err
	}
}

func forget(env *tool.Env) func(c *cli.Context) error {
	return withStore(func(c *cli.Context, s *memory.Store) error {
		ids := c.Args().Slice()
		if c.IsSet("query") {
			text := c.String("query")
			if len(ids) > 0 {
				return sysexits.Errorf(sysexits.Usage, "", "give ids or --query, not both")
			}
			q, err := filters(c, text)
			if err != nil {
				return err
			}
			hits, err := s.Matching(c.Context, q)
			if errors.Is(err, memory.ErrNoWords) {
				return sysexits.Errorf(sysexits.Usage, "give the words that every memory to forget has", "--query %q has no words to match", text)
			}
			if err != nil {
				return err
			}
			if len(hits) == 0 {
				// Nothing matched: as for an id the store does not hold.
				return sysexits.Errorf(sysexits.DataErr, fmt.Sprintf("'remember recall --mode keyword %s' lists the memories with any of the words", text),
					"no memory has all the words of --query %q; forgot none", text)
			}
			if !c.Bool("yes") {
				for _, h := range hits {
					env.Log.Info("would forget", "id", h.ID, "title", h.Title)
				}
				return sysexits.Errorf(sysexits.Usage, "check the list above, then add --yes (forgetting cannot be undone)", "--query forgets %s only with --yes", memories(len(hits)))
			}
			for _, h := range hits {
				ids = append(ids, h.ID)
			}
		}
		if len(ids) == 0 {
			return sysexits.Errorf(sysexits.Usage, "remember forget ID... or --query QUERY --yes", "nothing to forget")
		}
		found, err := s.Forget(c.Context, ids)
		var missing *memory.NotFoundError
		switch {
		case errors.As(err, &missing):
			err = sysexits.Errorf(sysexits.DataErr, "", "%d of %d ids are not in the store: %s", len(missing.IDs), len(ids), strings.Join(missing.IDs, ", "))
		case err != nil:
			err = sysexits.New(sysexits.CantCreate, err, "")
		}
		w := jsonl.NewWriter(env.Stdout)
		for _, id := range found {
			b, _ := record.Marshal(struct {
				ID        string `json:"id"`
				Forgotten bool   `json:"forgotten"`
			}{id, true})
			w.Write(record.New(b))
		}
		if werr := w.Flush(); werr != nil {
			err = sysexits.Join(err, sysexits.New(sysexits.IOErr, &pipeline.WriteError{Err: werr}, ""))
		}
		env.Log.Info("forgot " + memories(len(found)))
		return err
	})
}

func export(env *tool.Env) func(c *cli.Context) error {
	return withReader(func(c *cli.Context, s *memory.Store) error {
		n, err := s.Export(c.Context, env.Stdout)
		env.Log.Debug("exported", "lines", n)
		return err
	})
}

func importCmd(env *tool.Env) func(c *cli.Context) error {
	return withStore(func(c *cli.Context, s *memory.Store) error {
		var r io.Reader = env.Stdin
		n, err := s.Import(c.Context, r)
		if err != nil {
			return sysexits.New(sysexits.DataErr, fmt.Errorf("import: %w", err), "import reads what 'remember export' writes")
		}
		env.Log.Info("imported", "versions", n)
		return nil
	})
}

func stats(env *tool.Env) func(c *cli.Context) error {
	return withReader(func(c *cli.Context, s *memory.Store) error {
		st, err := s.Stats(c.Context)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(env.Stdout)
		if c.Bool("raw") {
			fmt.Fprintf(w, "store      %s (%.1f MB, schema %d)\nmemories   %d (%d versions)\n", st.Path, float64(st.Bytes)/(1<<20), st.Schema, st.Memories, st.Versions)
			for m, n := range st.Vectors {
				fmt.Fprintf(w, "vectors    %d of %s (%d dimensions)\n", n, m, st.Dims[m])
			}
			if st.Oldest != "" {
				fmt.Fprintf(w, "made       %s to %s\n", st.Oldest, st.Newest)
			}
		} else {
			b, _ := record.Marshal(st)
			w.Write(append(b, '\n'))
		}
		if err := w.Flush(); err != nil {
			return &pipeline.WriteError{Err: err}
		}
		return nil
	})
}

func reindex(env *tool.Env) func(c *cli.Context) error {
	return func(c *cli.Context) error {
		s, err := open(c)
		if err != nil {
			return err
		}
		defer s.Close()
		// Without a model set, the store's: that of most of its vectors.
		model := str(c, "embed-model")
		if model == "" {
			stored, err := s.Models(c.Context)
			if err != nil {
				return fmt.Errorf("read the store's embedding models: %w", err)
			}
			if len(stored) == 0 {
				return sysexits.Errorf(sysexits.Usage, "set --embed-model or SHELF_EMBED_MODEL", "reindex needs an embedding model")
			}
			model = stored[0]
			env.Log.Debug("embedding with the model of the store's vectors", "model", model)
		}
		client, err := env.Client(c)
		if err != nil {
			return err
		}
		env.WatchSignals()
		total := 0
		for {
			ids, texts, err := s.Missing(c.Context, model, 64)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				break
			}
			vecs, err := client.Embed(c.Context, model, texts)
			if err != nil {
				return err
			}
			if err := s.SetVectors(c.Context, model, ids, vecs); err != nil {
				return sysexits.New(sysexits.CantCreate, err, "")
			}
			total += len(ids)
		}
		env.Log.Info("reindexed", "memories", total, "model", model)
		return nil
	}
}

func commands(env *tool.Env) []*cli.Command {
	raw := &cli.BoolFlag{Name: "raw", Usage: "print for people, not as records"}
	cmds := []*cli.Command{
		{Name: "recall", Usage: "recall the memories nearest a query (without one: the newest)", UsageText: "remember recall [options] [QUERY...]", Flags: append(queryFlags(), raw), Action: recall(env)},
		{Name: "context", Usage: "add related memories to each passing record", UsageText: "remember context [options] [FILE|-]...", Flags: queryFlags(), Action: contextMode(env)},
		{Name: "forget", Usage: "forget memories, physically", UsageText: "remember forget ID...\nremember forget --query QUERY [--yes]", Flags: append(filterFlags(),
			&cli.StringFlag{Name: "query", Usage: "forget every memory that has all the words of `QUERY`"},
			&cli.BoolFlag{Name: "yes", Usage: "really forget what --query finds (without: list it)"}), Action: forget(env)},
		{Name: "export", Usage: "write every memory, with history and vectors, as JSON Lines", Action: export(env)},
		{Name: "import", Usage: "read what export wrote", Action: importCmd(env)},
		{Name: "stats", Usage: "describe the store", Flags: []cli.Flag{raw}, Action: stats(env)},
		{Name: "reindex", Usage: "embed the memories without a vector of --embed-model", Action: reindex(env)},
	}
	// --db and --embed-model also after the subcommand's name.
	for _, c := range cmds {
		c.Flags = append(c.Flags, flags()...)
	}
	return cmds
}
