package ask

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// Parts asks about the parts of a text, up to jobs at once, and returns
// the answers in the order of the parts. The first part that fails cancels
// the others (those not started are not asked) and is the error, which
// names it when there is more than one part.
func Parts[T any](ctx context.Context, jobs int, parts []string, ask func(ctx context.Context, i int, part string) (T, error)) ([]T, error) {
	out := make([]T, len(parts))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	for i, part := range parts {
		g.Go(func() error {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			v, err := ask(ctx, i, part)
			if err != nil && len(parts) > 1 {
				return fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
			}
			out[i] = v
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
