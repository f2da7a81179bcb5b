package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

// forget forgets the memories of ids, or, with --query and --yes, every
// memory that has all the query's words. Nothing to forget (an id the
// store does not hold, a query that nothing matches) is exit 65.
func forget(env *tool.Env) func(c *cli.Context) error {
	return withStore(memory.ReadWrite, func(c *cli.Context, s memory.Backend) error {
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
		var foreign *memory.ForeignError
		switch {
		case errors.As(err, &missing) || errors.As(err, &foreign):
			var errs []error
			if missing != nil {
				errs = append(errs, sysexits.Errorf(sysexits.DataErr, "", "%d of %d ids are not in the store: %s", len(missing.IDs), len(ids), strings.Join(missing.IDs, ", ")))
			}
			if foreign != nil {
				errs = append(errs, sysexits.Errorf(sysexits.DataErr, "in a collective's store each member forgets only what they stored: ask "+anyOf(foreign.Owners()),
					"%d of %d ids are other members' memories, not forgotten: %s", len(foreign.IDs), len(ids), foreignList(foreign)))
			}
			err = sysexits.Join(errs...)
		case err != nil:
			err = sysexits.New(sysexits.CantCreate, "", err)
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
			err = sysexits.Join(err, sysexits.New(sysexits.IOErr, "", &pipeline.WriteError{Err: werr}))
		}
		env.Log.Info("forgot " + memories(len(found)))
		return err
	})
}

// foreignList names other members' memories: "id (stored by member), ...".
func foreignList(e *memory.ForeignError) string {
	parts := make([]string, len(e.IDs))
	for i, id := range e.IDs {
		parts[i] = fmt.Sprintf("%s (stored by %s)", id, e.Members[i])
	}
	return strings.Join(parts, ", ")
}

// anyOf names members as one of them: "alice", "alice or bob", "alice, bob
// or carol".
func anyOf(members []string) string {
	members = slices.Clone(members)
	for i, m := range members {
		members[i] = memory.MemberName(m)
	}
	if len(members) < 2 {
		return strings.Join(members, "")
	}
	return strings.Join(members[:len(members)-1], ", ") + " or " + members[len(members)-1]
}
