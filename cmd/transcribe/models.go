package main

import (
	"fmt"
	"net/http"
	"text/tabwriter"

	"github.com/shelfai/shelf/lib/logging"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/shelfai/shelf/lib/transcribe"
	"github.com/urfave/cli/v2"
)

func commands(env *tool.Env) []*cli.Command {
	return []*cli.Command{{
		Name:  "models",
		Usage: "list or download whisper models",
		Subcommands: []*cli.Command{
			{
				Name:      "list",
				Usage:     "show the known models and which are in the models folder",
				UsageText: "transcribe models list",
				Action: func(c *cli.Context) error {
					w := tabwriter.NewWriter(env.Stdout, 0, 8, 2, ' ', 0)
					fmt.Fprintln(w, "NAME\tSIZE\tHERE\tPATH")
					for _, m := range transcribe.List(modelsDir()) {
						here := "-"
						if m.Present {
							here = "yes"
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", m.Name, m.Size, here, m.Path)
					}
					return w.Flush()
				},
			},
			{
				Name:      "pull",
				Usage:     "download a model into the models folder",
				UsageText: "transcribe models pull [--models-url URL] [--sha1 HEX] [--max-size SIZE] NAME",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "models-url", Value: transcribe.DefaultModelsURL, Usage: "download from `URL`/ggml-NAME.bin (a mirror)", EnvVars: []string{"SHELF_MODELS_URL"}},
					&cli.StringFlag{Name: "sha1", Usage: "the file's SHA-1 `HEX` (for a model not in the table)"},
					&cli.StringFlag{Name: "max-size", Value: "4GiB", Usage: "refuse a file larger than `SIZE`"},
				},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return sysexits.Errorf(sysexits.Usage, "'transcribe models list' shows the names", "give one model name to pull")
					}
					name := c.Args().First()
					limit, err := tool.ParseSize(c.String("max-size"))
					if err != nil {
						return sysexits.Errorf(sysexits.Usage, "", "--max-size: %v", err)
					}
					// SIGINT and SIGTERM end the download as they end a run:
					// nothing kept, exit 130 or 143.
					env.WatchSignals()
					progress := logging.NewProgress(env.Stderr, "transcribe", c.Bool("quiet"))
					defer progress.Done()
					path, err := transcribe.Pull(c.Context, &http.Client{}, c.String("models-url"), modelsDir(), name, c.String("sha1"), limit,
						func(done, total int64) {
							if total > 0 {
								progress.Update("%s: %.0f of %.0f MB (%d%%)", name, float64(done)/(1<<20), float64(total)/(1<<20), done*100/total)
							} else {
								progress.Update("%s: %.0f MB", name, float64(done)/(1<<20))
							}
						})
					if err != nil {
						return explain(err)
					}
					progress.Done()
					env.Log.Info("model downloaded and checked", "name", name, "path", path)
					return nil
				},
			},
		},
	}}
}
