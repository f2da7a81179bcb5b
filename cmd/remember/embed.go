package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

// errMismatch says that the model set is not the one of the store's vectors.
func errMismatch(set string, stored []string) error {
	return sysexits.Errorf(sysexits.Config,
		fmt.Sprintf("'remember reindex --embed-model %s' embeds the store again with %s; or use --embed-model %s", set, set, stored[0]),
		"the store's vectors are of %s, not %s, and the vectors of two models do not mix", strings.Join(stored, ", "), set)
}

// embedder returns the batcher of the run's embedding model (ChooseModel),
// or nil when the run embeds nothing, with one warning that ends with
// without: what comes of it. With vector alone asked for, a run that
// cannot embed is an error instead.
func embedder(c *cli.Context, env *tool.Env, s memory.Backend, without string, vector bool) (*llm.Batcher, error) {
	return embedderWith(c, env, s, without, vector, nil)
}

// embedderWith is embedder with the run's model client, if it was made
// already (nil: made here, when needed).
func embedderWith(c *cli.Context, env *tool.Env, s memory.Backend, without string, vector bool, client *llm.Client) (*llm.Batcher, error) {
	set := str(c, "embed-model")
	stored, err := s.Models(c.Context)
	if err != nil {
		return nil, fmt.Errorf("read the store's embedding models: %w", err)
	}
	model, mismatch := memory.ChooseModel(set, stored)
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
	if client == nil {
		if client, err = env.Client(); err != nil {
			return nil, err
		}
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

// searchErr is the error of a search, with what to do about a query's
// embedding of another size than the store's vectors.
func searchErr(err error) error {
	var de *memory.DimensionError
	if errors.As(err, &de) {
		return sysexits.New(sysexits.Failure, "the model changed? 'remember reindex --all' embeds the store again", err)
	}
	return err
}
