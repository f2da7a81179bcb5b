package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/lockfile"
	"github.com/shelfai/shelf/lib/record"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/tool"
	"github.com/shelfai/shelf/lib/vault"
	"github.com/urfave/cli/v2"
)

func flags() []cli.Flag {
	return append(tool.PromptFlags(),
		&cli.StringFlag{Name: "vault", Usage: "the vault: a folder of notes `DIR`", EnvVars: []string{"SHELF_VAULT"}},
		&cli.BoolFlag{Name: "init", Usage: "create the vault folder if it does not exist"},
		&cli.StringFlag{Name: "folder", Usage: "file every note in `NAME` (a folder of the vault; created if new)"},
		&cli.BoolFlag{Name: "allow-new", Usage: "let the model propose a new folder"},
		&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print the decisions as records; write nothing"},
		&cli.BoolFlag{Name: "force", Usage: "overwrite notes that were edited since shelf wrote them"},
	)
}

func run(c *cli.Context, env *tool.Env) error {
	p, done, err := env.LoadPrompt(c, vault.Template)
	if done || err != nil {
		return err
	}
	dir := c.String("vault")
	if c.Bool("init") && dir != "" {
		if err := vault.Init(dir); err != nil {
			return unfiled(c, env, err)
		}
	}
	v, err := vault.Open(dir)
	if err != nil {
		err = withHint(err)
		if sysexits.Code(err) == sysexits.CantCreate {
			return unfiled(c, env, err)
		}
		return err
	}
	folder := ""
	if c.IsSet("folder") {
		if folder = vault.FolderPath(c.String("folder")); folder == "" {
			return sysexits.Errorf(sysexits.Usage, "", "--folder %q has no usable name in it", c.String("folder"))
		}
	}
	ix, err := vault.LoadIndex(v, config.CacheDir())
	if err != nil {
		return unfiled(c, env, sysexits.New(sysexits.CantCreate, err, ""))
	}
	// Two runs on one vault take turns.
	os.MkdirAll(filepath.Dir(ix.LockPath()), 0o700)
	if lock, err := os.OpenFile(ix.LockPath(), os.O_CREATE|os.O_RDWR, 0o600); err != nil {
		env.Log.Warn("cannot lock the vault; another run at the same time could file a record twice", "err", err)
	} else {
		defer lock.Close()
		if ok, _ := lockfile.TryLock(lock); !ok {
			env.Log.Info("another run is filing into this vault; waiting for it", "vault", v.Root)
			lockfile.Lock(lock)
		}
		// What the other run wrote is in the index now.
		if ix, err = vault.LoadIndex(v, config.CacheDir()); err != nil {
			return unfiled(c, env, sysexits.New(sysexits.CantCreate, err, ""))
		}
	}
	if ix.Rebuilt {
		env.Log.Debug("index rebuilt from the notes' front matter", "notes", len(ix.Notes))
	}
	var model vault.Model
	if folder == "" {
		client, err := env.Client(c)
		if err != nil {
			return err
		}
		model = client
	}
	f, err := vault.NewFiler(v, ix, model, p, vault.Options{
		Folder:   folder,
		AllowNew: c.Bool("allow-new"),
		DryRun:   c.Bool("dry-run"),
		Force:    c.Bool("force"),
		Now:      tool.Now,
		Warn:     func(line int, msg string) { env.Log.Warn(msg, "record", line) },
		Hint:     hint,
	})
	if err != nil {
		return err
	}
	defer f.Close()
	runErr := env.Run(c, f.Record, nil)
	if !c.Bool("dry-run") {
		if err := ix.Save(); err != nil {
			env.Log.Warn("could not save the vault index; the next run rebuilds it", "err", err)
		}
	}
	return runErr
}

// unfiled passes every record on when the vault cannot take any: each with
// something to file carries the reason in its errors, and the run's status
// is that of the reason.
func unfiled(c *cli.Context, env *tool.Env, reason error) error {
	return env.Run(c, func(ctx context.Context, rec *record.Record) error {
		if !vault.HasNote(rec) {
			return nil
		}
		return reason
	}, nil)
}
