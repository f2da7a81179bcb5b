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
	return []cli.Flag{
		&cli.StringFlag{Name: "vault", Usage: "the vault: a folder of notes `DIR`", EnvVars: []string{"SHELF_VAULT"}},
		&cli.BoolFlag{Name: "init", Usage: "create the vault folder if it does not exist"},
		&cli.StringFlag{Name: "folder", Usage: "file every note in `NAME` (a folder of the vault; created if new)"},
		&cli.BoolFlag{Name: "allow-new", Usage: "let the model propose a new folder"},
		&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print the decisions as records; write nothing"},
		&cli.BoolFlag{Name: "force", Usage: "overwrite notes that were edited since shelf wrote them"},
	}
}

// options are the flags of the note filer that are its own (the model's
// are read by the environment).
type options struct {
	vault     string
	init      bool
	folder    string
	folderSet bool // --folder was given (an empty name is an error)
	allowNew  bool
	dryRun    bool
	force     bool
}

func newOptions(c *cli.Context) options {
	return options{
		vault:     c.String("vault"),
		init:      c.Bool("init"),
		folder:    c.String("folder"),
		folderSet: c.IsSet("folder"),
		allowNew:  c.Bool("allow-new"),
		dryRun:    c.Bool("dry-run"),
		force:     c.Bool("force"),
	}
}

func run(env *tool.Env) error {
	opts := newOptions(env.CLI)
	p, err := env.LoadPrompt()
	if err != nil {
		return err
	}
	if opts.init && opts.vault != "" {
		if err := vault.Init(opts.vault); err != nil {
			return unfiled(env, err)
		}
	}
	v, err := vault.Open(opts.vault)
	if err != nil {
		err = withHint(err)
		if sysexits.Code(err) == sysexits.CantCreate {
			return unfiled(env, err)
		}
		return err
	}
	folder := ""
	if opts.folderSet {
		if folder = vault.FolderPath(opts.folder); folder == "" {
			return sysexits.Errorf(sysexits.Usage, "", "--folder %q has no usable name in it", opts.folder)
		}
	}
	ix, err := vault.LoadIndex(v, config.CacheDir())
	if err != nil {
		return unfiled(env, sysexits.New(sysexits.CantCreate, "", err))
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
			return unfiled(env, sysexits.New(sysexits.CantCreate, "", err))
		}
	}
	if ix.Rebuilt {
		env.Log.Debug("index rebuilt from the notes' front matter", "notes", len(ix.Notes))
	}
	var model vault.Model
	if folder == "" {
		client, err := env.Client()
		if err != nil {
			return err
		}
		model = client
	}
	f, err := vault.NewFiler(v, ix, model, p, vault.Options{
		Folder:   folder,
		AllowNew: opts.allowNew,
		DryRun:   opts.dryRun,
		Force:    opts.force,
		Now:      tool.Now,
		Warn:     func(line int, msg string) { env.Log.Warn(msg, "record", line) },
		Hint:     hint,
	})
	if err != nil {
		return err
	}
	defer f.Close()
	runErr := env.Run(f.Record, nil)
	if !opts.dryRun {
		if err := ix.Save(); err != nil {
			env.Log.Warn("could not save the vault index; the next run rebuilds it", "err", err)
		}
	}
	return runErr
}

// unfiled passes every record on when the vault cannot take any: each with
// something to file carries the reason in its errors, and the run's status
// is that of the reason.
func unfiled(env *tool.Env, reason error) error {
	return env.Run(func(ctx context.Context, rec *record.Record) error {
		if !vault.HasNote(rec) {
			return nil
		}
		return reason
	}, nil)
}
