package tool

import (
	"time"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/urfave/cli/v2"
)

func commonFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: 4, Usage: "work on `N` records at once (output keeps input order)", EnvVars: []string{"SHELF_JOBS"}},
		&cli.BoolFlag{Name: "strict", Usage: "stop at the first input line that is not a JSON object (exit 65)"},
		&cli.StringFlag{Name: "config", Usage: "read configuration from `FILE` (default $XDG_CONFIG_HOME/shelf/config.toml)", EnvVars: []string{"SHELF_CONFIG"}},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log more (debug level)"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "log only errors"},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log as `FORMAT`: text, json or logfmt (stderr)", EnvVars: []string{"SHELF_LOG_FORMAT"}},
		&cli.StringFlag{Name: "completion", Usage: "print the completion script for `SHELL` (bash, zsh, fish) and exit"},
	}
}

func modelFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "base-url", Value: llm.DefaultBaseURL, Usage: "OpenAI-compatible endpoint `URL`", EnvVars: []string{"SHELF_BASE_URL", "OPENAI_BASE_URL"}},
		&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "model `NAME` (default: the one model the server lists)", EnvVars: []string{"SHELF_MODEL"}},
		&cli.StringFlag{Name: "api-key", Usage: "API `KEY`, if the endpoint wants one", EnvVars: []string{"SHELF_API_KEY", "OPENAI_API_KEY"}, DefaultText: "none; never shown"},
		&cli.DurationFlag{Name: "timeout", Value: 10 * time.Minute, Usage: "give up on a request after `DURATION` (a stream: after that long silent)", EnvVars: []string{"SHELF_TIMEOUT"}},
		&cli.IntFlag{Name: "retries", Value: 3, Usage: "retry a request `N` times on 429, 5xx and connection errors", EnvVars: []string{"SHELF_RETRIES"}},
		&cli.Float64Flag{Name: "temperature", Value: 0, Usage: "sampling temperature (0: deterministic)", EnvVars: []string{"SHELF_TEMPERATURE"}},
		&cli.IntFlag{Name: "context-length", Value: 4096, Usage: "the model's context window in `TOKENS`: the smaller of this and what the server reports; longer input is split", DefaultText: "what the server reports, else 4096", EnvVars: []string{"SHELF_CONTEXT_LENGTH"}},
		&cli.BoolFlag{Name: "no-cache", Usage: "neither read nor write the response cache ($XDG_CACHE_HOME/shelf)", EnvVars: []string{"SHELF_NO_CACHE"}},
	}
}
