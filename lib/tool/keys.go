package tool

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// Tools are the names of shelf's tools, as configuration tables name
// them.
var Tools = []string{"summarize", "tasks", "file", "remember", "transcribe", "fitness"}

// AllKeys are the settings of every shelf tool (their long flags): a key
// at the top level of the configuration file must be one of them. Each
// tool's tests check that its flags are here (CheckKeys).
var AllKeys = []string{
	// every tool
	"jobs", "strict", "config", "verbose", "quiet", "log-format", "completion",
	// tools that use a model
	"base-url", "model", "api-key", "timeout", "retries", "temperature", "context-length", "max-answer", "no-cache",
	"prompt", "print-prompt",
	// summarize, tasks
	"field", "style", "check", "raw", "each", "format", "tz", "append", "context", "context-k",
	// tasks
	"grounded",
	// file
	"vault", "folder", "init", "allow-new", "dry-run", "force",
	// remember
	"db", "embed-model", "k", "since", "until", "yes", "all", "query", "id", "member", "tag", "kind", "recency", "mode",
	// transcribe
	"engine", "language", "translate", "segments", "vad-model", "models-url", "sha1", "max-size", "max-audio", "threads", "temperature-inc",
	// fitness
	"models", "report", "fixtures", "transcribe",
}

// CheckKeys returns an error naming the flags of spec (and its
// subcommands) that AllKeys lacks, so that a new flag is never warned
// about as an unknown key.
func CheckKeys(spec Spec) error {
	app := NewApp(spec, &Env{})
	var missing []string
	check := func(flags []cli.Flag) {
		for _, f := range flags {
			n := f.Names()[0]
			if n != "help" && n != "version" && !slices.Contains(AllKeys, n) && !slices.Contains(missing, n) {
				missing = append(missing, n)
			}
		}
	}
	check(app.Flags)
	for _, c := range app.Commands {
		check(c.Flags)
	}
	if len(missing) > 0 {
		return fmt.Errorf("tool.AllKeys lacks the flags %s of %s", strings.Join(missing, ", "), spec.Name)
	}
	return nil
}
