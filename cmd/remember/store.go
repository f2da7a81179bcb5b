package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

// fillLimit is how many memories stored without a vector one store run
// embeds, after its own records ('remember reindex' does them all).
const fillLimit = 256

// store is the default mode: every record is kept, then passed on as it
// came. A record is stored even when its embedding fails (it is found by
// keywords until a later run embeds it); one that cannot be stored goes on
// with the reason in its errors field.
func store(c *cli.Context, env *tool.Env) error {
	s, openErr := openStore(c, memory.ReadWrite)
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
	sink := memory.NewSink(env.Stdout, s, openErr, "remember")
	sink.OnStored = func(n map[memory.Result]int) {
		env.Log.Debug("stored", "new", n[memory.Stored], "superseded", n[memory.Superseded], "unchanged", n[memory.Unchanged], "duplicates", n[memory.Duplicate])
	}
	err := env.Run(fn, sink)
	if emb != nil && c.Context.Err() == nil {
		switch eerr := emb.Err(); {
		case eerr != nil && sink.Bare() > 0:
			warnEmbed(env, fmt.Sprintf("stored %s without a vector, found by keywords only until 'remember reindex' or the next run that can embed fills the vectors in", memories(sink.Bare())), eerr)
		case eerr != nil:
			warnEmbed(env, "embeddings failed; memories without a vector are found by keywords only until 'remember reindex' or a run that can embed fills the vectors in", eerr)
		case sink.Failed() > 0:
			// The store refused the run's own records: it takes no more.
		default:
			n, ferr := memory.Fill(c.Context, s, emb.b.C, emb.b.Model, fillLimit)
			if ferr != nil {
				warnEmbed(env, fmt.Sprintf("embedding the memories stored without a vector failed after %s; 'remember reindex' or the next run tries again", memories(n)), ferr)
			} else if n > 0 {
				env.Log.Info(fmt.Sprintf("embedded %s stored earlier without a vector", memories(n)))
			}
		}
	}
	return sysexits.Join(notStored(sink.Err(), dbPath(c)), err)
}

// notStored is the error of records not stored, in the tool's words.
func notStored(err error, path string) error {
	var ns *memory.NotStoredError
	if !errors.As(err, &ns) {
		return err
	}
	var fe *memory.ForeignError
	hint := dbHint
	switch {
	case errors.As(err, &fe):
		owners := fe.Owners()
		if ns.Foreign != nil { // all the records refused, not only the first
			owners = ns.Foreign.Owners()
		}
		return sysexits.New(sysexits.DataErr, "in a collective's store each member changes only what they stored: ask "+anyOf(owners)+
			", or store yours under another id; the records went on, each with this error in its errors field", err)
	case memory.IsURL(path):
		hint = urlHint
	}
	return sysexits.New(sysexits.CantCreate, hint+"; the records went on, each with this error in its errors field", err)
}
