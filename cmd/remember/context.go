package main

import (
	"context"

	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

// contextMode gives each passing record its related memories. When
// embeddings fail, the rest of the run finds them by keywords; when the
// store cannot be read, every record goes on with the reason in its errors.
func contextMode(env *tool.Env) func(c *cli.Context) error {
	return func(c *cli.Context) error {
		base, err := query(c, "")
		if err != nil {
			return err
		}
		s, openErr := openStore(c, memory.ReadOnly)
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
		err = env.Run(func(ctx context.Context, rec *record.Record) error {
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
				return searchErr(err)
			}
			return rec.Set("context", hits)
		}, nil)
		if emb != nil && base.Mode == "hybrid" && emb.Err() != nil {
			warnEmbed(env, "embeddings failed; context found by keywords only", emb.Err())
		}
		return err
	}
}
