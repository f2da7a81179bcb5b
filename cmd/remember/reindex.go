package main

import (
	"errors"
	"fmt"

	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

// reindex embeds every memory without a vector of --embed-model (with
// --all, every memory); without one set, with the model of most of the
// store's vectors.
func reindex(env *tool.Env) func(c *cli.Context) error {
	return withStore(memory.ReadWrite, func(c *cli.Context, s memory.Backend) error {
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
		client, err := env.Client()
		if err != nil {
			return err
		}
		env.WatchSignals()
		reindex := memory.Reindex
		if c.Bool("all") {
			reindex = memory.ReindexAll
		}
		n, err := reindex(c.Context, s, client, model)
		var we *memory.WriteError
		if errors.As(err, &we) {
			return sysexits.New(sysexits.CantCreate, "", err)
		}
		if err != nil {
			return err
		}
		env.Log.Info("reindexed", "memories", n, "model", model)
		return nil
	})
}
