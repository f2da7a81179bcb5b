package main

import (
	"fmt"
	"os"

	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

// flags are remember's own, given before or after a subcommand's name.
func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "db", Usage: "the store: a SQLite `FILE` (default $XDG_DATA_HOME/shelf/memory.db), or a collective's PostgreSQL URL (postgres://ROLE@HOST/DATABASE)", EnvVars: []string{"SHELF_DB"}},
		&cli.StringFlag{Name: "embed-model", Usage: "embedding `MODEL` of the endpoint (default: that of the store's vectors; none: keyword search only)", EnvVars: []string{"SHELF_EMBED_MODEL"}},
	}
}

// str reads a store flag given before or after the subcommand's name. A
// value on the command line, on either side, wins over the environment's
// (which every context reads, and so counts as set): that is, a context's
// value that is not the environment's.
func str(c *cli.Context, name string) string {
	env, inEnv := envValue(name)
	for _, cc := range c.Lineage() {
		if cc.IsSet(name) && (!inEnv || cc.String(name) != env) {
			return cc.String(name)
		}
	}
	if inEnv {
		return env
	}
	return c.String(name)
}

// envValue is the value the environment gives the flag name (of flags),
// as urfave/cli reads it: the first of its variables that is set.
func envValue(name string) (string, bool) {
	for _, f := range flags() {
		if sf, ok := f.(*cli.StringFlag); ok && sf.Name == name {
			for _, v := range sf.EnvVars {
				if value, ok := os.LookupEnv(v); ok {
					return value, true
				}
			}
		}
	}
	return "", false
}

// filterFlags narrow what recall, context and forget take.
func filterFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "since", Usage: "only memories made from `WHEN` on (a date, today, yesterday, 7d)"},
		&cli.StringFlag{Name: "until", Usage: "only memories made before `WHEN`"},
		&cli.StringFlag{Name: "tag", Usage: "only memories tagged `TAG`"},
		&cli.StringFlag{Name: "kind", Usage: "only memories of `KIND` (task, segment, ...)"},
		&cli.StringFlag{Name: "member", Usage: "only memories that `MEMBER` stored (a collective's store: their role)"},
	}
}

// queryFlags are those of recall and context.
func queryFlags() []cli.Flag {
	return append([]cli.Flag{&cli.IntFlag{Name: "k", Value: 5, Usage: "recall `N` memories"}}, append(filterFlags(),
		&cli.StringFlag{Name: "recency", Usage: "weigh older memories down with `HALF-LIFE` (30d)"},
		&cli.StringFlag{Name: "mode", Value: "hybrid", Usage: "`MODE`: hybrid, keyword or vector"},
	)...)
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
		{Name: "reindex", Usage: "embed the memories without a vector of --embed-model", UsageText: "remember reindex [--all]",
			Flags: []cli.Flag{&cli.BoolFlag{Name: "all", Usage: "embed every memory again, also those with a vector of the model (a model that changed under the same name)"}}, Action: reindex(env)},
	}
	// --db and --embed-model also after the subcommand's name.
	for _, c := range cmds {
		c.Flags = append(c.Flags, flags()...)
	}
	return cmds
}

// memories says "1 memory", "2 memories".
func memories(n int) string {
	if n == 1 {
		return "1 memory"
	}
	return fmt.Sprintf("%d memories", n)
}
