package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/safetext"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

// filters builds a memory.Query of text from the filter flags, its time
// window read by the tools' clock.
func filters(c *cli.Context, text string) (memory.Query, error) {
	now := tool.Now()
	q := memory.Query{Text: text, Tag: c.String("tag"), Kind: c.String("kind"), Member: c.String("member"), Now: now}
	var err error
	if q.Since, err = memory.ParseTime(c.String("since"), now); err != nil {
		return q, sysexits.New(sysexits.Usage, "", fmt.Errorf("--since: %w", err))
	}
	if q.Until, err = memory.ParseTime(c.String("until"), now); err != nil {
		return q, sysexits.New(sysexits.Usage, "", fmt.Errorf("--until: %w", err))
	}
	return q, nil
}

// query builds a memory.Query of text from the flags of recall and
// context.
func query(c *cli.Context, text string) (memory.Query, error) {
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
	if q.HalfLife, err = memory.ParseHalfLife(c.String("recency")); err != nil {
		return q, sysexits.New(sysexits.Usage, "give a half-life such as 30d or 72h", fmt.Errorf("--recency: %w", err))
	}
	return q, nil
}

// recall prints the memories nearest the query; without one, those the
// filters let through, newest first.
func recall(env *tool.Env) func(c *cli.Context) error {
	return func(c *cli.Context) error {
		text := strings.Join(c.Args().Slice(), " ")
		embeds := strings.TrimSpace(text) != "" && c.String("mode") != "keyword"
		// The flags first: a run that ends on a wrong one asks for nothing.
		q, err := query(c, text)
		if err != nil {
			return err
		}
		// A collective's store, with the model given: the query's
		// embedding is asked for at once, while the connection to the
		// server opens, so that the endpoint's time and the server's
		// overlap. It is one quiet attempt: used if the store's vectors
		// are of that model (if it failed, asked for again as usual, with
		// the usual notices), else dropped. A file opens in a
		// millisecond: there, nothing is asked for before it is known to
		// be needed.
		var client *llm.Client
		var early *earlyEmbedding
		if set := str(c, "embed-model"); embeds && set != "" && memory.IsURL(dbPath(c)) {
			if client, err = env.Client(); err != nil {
				return err
			}
			ctx, cancel := context.WithCancel(c.Context)
			defer cancel()
			early = embedEarly(ctx, client, set, text)
		}
		return withStore(memory.ReadOnly, func(c *cli.Context, s memory.Backend) error {
			return recallFrom(c, env, s, q, embeds, client, early)
		})(c)
	}
}

// earlyEmbedding is the embedding of a query asked for before the store
// was open.
type earlyEmbedding struct {
	client      *llm.Client // to ask again
	model, text string
	done        chan struct{}
	vec         []float32
	err         error
}

func embedEarly(ctx context.Context, client *llm.Client, model, text string) *earlyEmbedding {
	e := &earlyEmbedding{client: client, model: model, text: text, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		e.vec, e.err = embedOne(ctx, client.Quiet(), model, text)
	}()
	return e
}

// wait returns the embedding; if the early attempt failed, it asks again,
// as a recall without it does.
func (e *earlyEmbedding) wait(ctx context.Context) ([]float32, error) {
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err == nil {
		return e.vec, nil
	}
	return embedOne(ctx, e.client, e.model, e.text)
}

// embedOne is the embedding of text.
func embedOne(ctx context.Context, client *llm.Client, model, text string) ([]float32, error) {
	v, err := client.Embed(ctx, model, []string{text})
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// recallFrom prints what recall finds in s for q (client: the run's model
// client, if made already; early: the query's embedding, if it was asked
// for before s was open).
func recallFrom(c *cli.Context, env *tool.Env, s memory.Backend, q memory.Query, embeds bool, client *llm.Client, early *earlyEmbedding) error {
	if embeds {
		emb, err := embedderWith(c, env, s, "recalled by keywords only", q.Mode == "vector", client)
		if err != nil {
			return err
		}
		switch {
		case emb == nil:
		case early != nil && emb.Model == early.model:
			q.Model, q.Embed = emb.Model, early.wait
		default:
			text := q.Text
			q.Model = emb.Model
			q.Embed = func(ctx context.Context) ([]float32, error) { return embedOne(ctx, emb.C, emb.Model, text) }
		}
	}
	if q.Mode == "hybrid" {
		// A failing endpoint leaves the keywords; --mode vector asks
		// for nothing else, and fails.
		q.OnEmbedError = func(err error) { warnEmbed(env, "embeddings failed; recalled by keywords only", err) }
	}
	hits, err := s.Search(c.Context, q)
	if err != nil {
		return searchErr(err)
	}
	w := bufio.NewWriter(env.Stdout)
	for i, h := range hits {
		if c.Bool("raw") {
			writeRaw(w, i+1, h)
			continue
		}
		b, _ := record.Marshal(h)
		w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		return &pipeline.WriteError{Err: err}
	}
	return nil
}

// writeRaw writes the nth hit for people: on a terminal, so what a memory
// holds (in a shared memory, stored by another member) is shown with its
// control and bidi characters as escapes (safetext.Visible), never obeyed.
func writeRaw(w *bufio.Writer, n int, h memory.Hit) {
	title := safetext.Visible(h.Title)
	if title == "" {
		title = "(untitled)"
	}
	fmt.Fprintf(w, "%d. %s", n, title)
	if h.Created != "" {
		fmt.Fprintf(w, " (%s)", safetext.Visible(h.Created))
	}
	fmt.Fprintf(w, "\n   %s\n", safetext.Visible(strings.Join(strings.Fields(h.Snippet), " ")))
	if h.Path != "" || h.Source != "" {
		fmt.Fprintf(w, "   %s\n", safetext.Visible(strings.TrimSpace(h.Path+" "+h.Source)))
	}
	if h.Member != "" {
		fmt.Fprintf(w, "   stored by %s\n", safetext.Visible(h.Member))
	}
}
