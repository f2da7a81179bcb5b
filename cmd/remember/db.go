package main

import (
	"errors"
	"path/filepath"

	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/memory"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

const dbHint = "check --db (SHELF_DB) and that its folder can be written"

// urlHint is the hint of a PostgreSQL store that cannot be opened or
// written.
const urlHint = "check --db (SHELF_DB): the server, the database, the role and its password (in the URL, PGPASSWORD or ~/.pgpass)"

// dbPath is --db (SHELF_DB), else $XDG_DATA_HOME/shelf/memory.db.
func dbPath(c *cli.Context) string {
	if path := str(c, "db"); path != "" {
		return path
	}
	return memory.DefaultPath(config.DataDir())
}

// openStore opens the store as a subcommand needs it, dated by the tools'
// clock. Reading only (recall, context, stats, export) works on a store
// the user may not write, and makes none; a store that cannot be read is
// exit 66, one that cannot be written 73.
func openStore(c *cli.Context, access memory.Access) (memory.Backend, error) {
	path := dbPath(c)
	s, err := memory.OpenFor(c.Context, path, access, tool.Now, filepath.Join(config.CacheDir(), "codes"))
	var oe *memory.OpenError
	switch {
	case err != nil && memory.IsURL(path):
		code := sysexits.CantCreate
		if access == memory.ReadOnly {
			code = sysexits.NoInput
		}
		return nil, sysexits.New(code, urlHint, err)
	case errors.As(err, &oe) && oe.Access == memory.ReadOnly:
		return nil, sysexits.New(sysexits.NoInput, "check --db (SHELF_DB)", err)
	case err != nil:
		return nil, sysexits.New(sysexits.CantCreate, dbHint, err)
	}
	return s, nil
}

// withStore runs fn with the store open for access, closing it after.
func withStore(access memory.Access, fn func(c *cli.Context, s memory.Backend) error) func(c *cli.Context) error {
	return func(c *cli.Context) error {
		s, err := openStore(c, access)
		if err != nil {
			return err
		}
		defer s.Close()
		return fn(c, s)
	}
}
