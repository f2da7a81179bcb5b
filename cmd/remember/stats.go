package main

import (
	"bufio"
	"fmt"
	"maps"
	"slices"

	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/safetext"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

// stats describes the store: as a record, or with --raw for people.
func stats(env *tool.Env) func(c *cli.Context) error {
	return withStore(memory.ReadOnly, func(c *cli.Context, s memory.Backend) error {
		st, err := s.Stats(c.Context)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(env.Stdout)
		if c.Bool("raw") {
			fmt.Fprintf(w, "store      %s (%.1f MB, schema %d)\nmemories   %d (%d versions)\n", safetext.Visible(st.Path), float64(st.Bytes)/(1<<20), st.Schema, st.Memories, st.Versions)
			for _, m := range slices.Sorted(maps.Keys(st.Vectors)) {
				fmt.Fprintf(w, "vectors    %d of %s (%d dimensions)\n", st.Vectors[m], safetext.Visible(m), st.Dims[m])
			}
			if st.Member != "" {
				fmt.Fprintf(w, "member     %s\n", safetext.Visible(st.Member))
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
