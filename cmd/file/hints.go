package main

import (
	"errors"

	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/shelfai/shelf/lib/vault"
)

// hint is what to do about an error or warning of the vault, in the words
// of shelf-file's command line; "" for nothing to add.
func hint(err error) string {
	var missing *vault.MissingError
	var edited *vault.EditedError
	switch {
	case errors.Is(err, vault.ErrNoVault):
		return `name it with --vault DIR, SHELF_VAULT, or vault = "..." in the config file`
	case errors.As(err, &missing):
		return "check the path; to make a new vault there, add --init"
	case errors.As(err, &edited):
		return "--force overwrites it"
	}
	return ""
}

// withHint gives err shelf-file's hint, if it has one, keeping its exit
// status.
func withHint(err error) error {
	if h := hint(err); h != "" {
		return sysexits.New(sysexits.Code(err), h, err)
	}
	return err
}
