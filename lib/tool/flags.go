package tool

import (
	"fmt"
	"strconv"
	"strings"
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
		&cli.StringFlag{Name: "max-answer", Value: "32MiB", Usage: "read at most `SIZE` of one answer from the server (e.g. 64MiB); a longer one fails its record", EnvVars: []string{"SHELF_MAX_ANSWER"}},
		&cli.BoolFlag{Name: "no-cache", Usage: "neither read nor write the response cache ($XDG_CACHE_HOME/shelf)", EnvVars: []string{"SHELF_NO_CACHE"}},
	}
}

// ParseSize reads a size as people write it: 1048576, 512KiB, 32MiB, 1GiB
// (powers of 1024; KB, MB and GB are taken as the same, k/m/g too).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size (write 1048576, 512KiB, 32MiB or 1GiB)", s)
	}
	var mult float64
	switch strings.TrimSuffix(strings.TrimSuffix(unit, "b"), "i") {
	case "":
		mult = 1
		if unit != "" && unit != "b" {
			return 0, fmt.Errorf("%q is not a size (write 1048576, 512KiB, 32MiB or 1GiB)", s)
		}
	case "k":
		mult = 1 << 10
	case "m":
		mult = 1 << 20
	case "g":
		mult = 1 << 30
	default:
		return 0, fmt.Errorf("%q is not a size (write 1048576, 512KiB, 32MiB or 1GiB)", s)
	}
	v := n * mult
	if v < 1 || v > 1<<40 {
		return 0, fmt.Errorf("%q is out of range (1 byte to 1TiB)", s)
	}
	return int64(v), nil
}
