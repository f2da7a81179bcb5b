//go:build !urfave_cli_no_docs

package tool

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// ManPage renders the tool's man page (section 1) from its app, with each
// flag's environment variables named in its description.
func ManPage(spec Spec) (string, error) {
	app := NewApp(spec, &Env{display: InstalledName(spec.Name)})
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
	page = synopsis(page, spec.UsageText)
	return page + "\n.SH SEE ALSO\nshelf(7), the record contract and pipeline examples.\n", nil
}

// synopsis puts the usage lines (the part of usage before its first blank
// line) in the SYNOPSIS section, in place of the generated list of every
// flag.
func synopsis(page, usage string) string {
	start := strings.Index(page, ".SH SYNOPSIS\n")
	if start < 0 {
		return page
	}
	end := strings.Index(page[start+1:], "\n.SH ")
	if end < 0 {
		return page
	}
	end += start + 1
	lines, _, _ := strings.Cut(usage, "\n\n")
	var b strings.Builder
	b.WriteString(".SH SYNOPSIS\n")
	for i, l := range strings.Split(lines, "\n") {
		if i > 0 {
			b.WriteString(".br\n")
		}
		b.WriteString(strings.ReplaceAll(l, "-", "\\-") + "\n")
	}
	return page[:start] + b.String() + page[end:]
}
