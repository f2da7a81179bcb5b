package main

import (
	"errors"
	"fmt"

	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

// export writes every memory, with its history and vectors.
func export(env *tool.Env) func(c *cli.Context) error {
	return withStore(memory.ReadOnly, func(c *cli.Context, s memory.Backend) error {
		n, err := s.Export(c.Context, env.Stdout)
		env.Log.Debug("exported", "lines", n)
		return err
	})
}

// importCmd reads what export wrote.
func importCmd(env *tool.Env) func(c *cli.Context) error {
	return withStore(memory.ReadWrite, func(c *cli.Context, s memory.Backend) error {
		n, err := s.Import(c.Context, env.Stdin)
		var fe *memory.ForeignError
		switch {
		case errors.As(err, &fe):
			return sysexits.New(sysexits.DataErr, "in a collective's store each member changes only what they stored: ask "+anyOf(fe.Owners())+
				", or leave their memories out of the import", fmt.Errorf("import: %w", err))
		case err != nil:
			return sysexits.New(sysexits.DataErr, "import reads what 'remember export' writes", fmt.Errorf("import: %w", err))
		}
		env.Log.Info("imported", "versions", n)
		return nil
	})
}
