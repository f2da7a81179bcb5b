//go:build !urfave_cli_no_docs

package tool

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// ManPage renders the tool's man page (section 1) from its app, with each
// flag's environment variables named in its description.
func ManPage(spec Spec) (string, error) {
	app := NewApp(spec, &Env{})
	for _, f := range app.Flags {
		ev, ok := f.(interface{ GetEnvVars() []string })
		if !ok || len(ev.GetEnvVars()) == 0 {
			continue
		}
		env := " (env: $" + strings.Join(ev.GetEnvVars(), ", $") + ")"
		switch fl := f.(type) {
		case *cli.StringFlag:
			fl.Usage += env
		case *cli.IntFlag:
			fl.Usage += env
		case *cli.BoolFlag:
			fl.Usage += env
		case *cli.DurationFlag:
			fl.Usage += env
		case *cli.Float64Flag:
			fl.Usage += env
		}
	}
	page, err := app.ToManWithSection(1)
	if err != nil {
		return "", err
	}
	return page + "\n.SH SEE ALSO\nshelf(7), the record contract and pipeline examples.\n", nil
}
