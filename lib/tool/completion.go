package tool

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/llm"
	"github.com/urfave/cli/v2"
)

// Completion scripts ask the tool itself for candidates (urfave/cli's
// hidden --generate-bash-completion flag), so they stay right as flags and
// subcommands change. NAME stands for the name the tool is installed as.
var completions = map[string]string{
	"bash": `# bash completion for NAME (a shelf tool)
_shelf_complete_NAME() {
	local cur="${COMP_WORDS[COMP_CWORD]}"
	local words=("${COMP_WORDS[@]:0:COMP_CWORD}")
	if [[ "$cur" == -* ]]; then words+=(-); fi
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$("${words[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o bashdefault -o default -F _shelf_complete_NAME NAME
`,
	"zsh": `#compdef NAME
# zsh completion for NAME (a shelf tool). Installed as _NAME in a folder of
# $fpath, or sourced after compinit.
_NAME() {
	local -a args opts
	args=(${words[1,CURRENT-1]})
	[[ ${words[CURRENT]} == -* ]] && args+=(-)
	opts=(${(f)"$(${args[@]} --generate-bash-completion 2>/dev/null)"})
	if (( ${#opts} )); then
		compadd -a opts
	else
		_files
	fi
}
# Autoloaded, this file's body is the first call of _NAME: it has just
# defined the real _NAME above, so it completes with it. Sourced, it
# registers _NAME.
if [[ ${funcstack[1]} == _NAME ]]; then
	_NAME "$@"
else
	compdef _NAME NAME
fi
`,
	"fish": `# fish completion for NAME (a shelf tool)
function __shelf_complete_NAME
	set -l args (commandline -opc)
	set -l cur (commandline -ct)
	if string match -q -- '-*' $cur
		$args - --generate-bash-completion 2>/dev/null
	else
		$args --generate-bash-completion 2>/dev/null
	end
end
complete -c NAME -a '(__shelf_complete_NAME)'
`,
}

// writeCompletion prints the completion script of shell for the tool as
// it is named.
func writeCompletion(w io.Writer, shell, name string) error {
	script, ok := completions[shell]
	if !ok {
		return fmt.Errorf("no completion for %q (bash, zsh or fish)", shell)
	}
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
	script = strings.ReplaceAll(script, "_shelf_complete_NAME", "_shelf_complete_"+safe)
	if shell == "zsh" {
		// zsh's autoloading wants the function named as its file, _NAME.
		script = strings.ReplaceAll(script, "_NAME", "_"+name)
	}
	script = strings.ReplaceAll(script, "__shelf_complete_NAME", "__shelf_complete_"+safe)
	_, err := io.WriteString(w, strings.ReplaceAll(script, "NAME", name))
	return err
}

// flagValues returns the values to offer for the flag that args end in
// (before --generate-bash-completion), and whether that word is a flag
// that takes a value: the spec's choices, the shells for --completion,
// the log formats, and for --model and --embed-model the models the
// configured server lists (within a second or two; nothing when it does
// not answer).
func flagValues(ctx context.Context, spec Spec, app *cli.App, args []string) ([]string, bool) {
	word := args[len(args)-2]
	if !strings.HasPrefix(word, "-") || strings.Contains(word, "=") {
		return nil, false
	}
	name := strings.TrimLeft(word, "-")
	flags := slices.Clone(app.Flags)
	for _, c := range app.Commands {
		flags = append(flags, c.Flags...)
	}
	var flag cli.Flag
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			flag = f
			break
		}
	}
	if flag == nil {
		return nil, false
	}
	if _, isBool := flag.(*cli.BoolFlag); isBool {
		return nil, false
	}
	name = flag.Names()[0]
	switch {
	case spec.Choices[name] != nil:
		return spec.Choices[name], true
	case name == "completion":
		return []string{"bash", "fish", "zsh"}, true
	case name == "log-format":
		return []string{"json", "logfmt", "text"}, true
	case name == "model" && spec.OwnModel:
		return nil, true // a speech model: a name or a file
	case name == "model" || name == "embed-model":
		return serverModels(ctx, spec, args), true
	}
	return nil, true // a value of its own (a file, a number): the shell's default
}

// serverModels lists the models of the server the command line, the
// environment or the configuration names, or nothing.
func serverModels(ctx context.Context, spec Spec, args []string) []string {
	url := ""
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--base-url="); ok {
			url = v
		} else if a == "--base-url" && i+1 < len(args) {
			url = args[i+1]
		}
	}
	if url == "" {
		url = cmp.Or(os.Getenv(cmp.Or(spec.BaseURLEnv, "SHELF_BASE_URL")), os.Getenv("SHELF_BASE_URL"), os.Getenv("OPENAI_BASE_URL"))
	}
	if url == "" {
		if f, err := config.Load(config.DefaultPath(), false); err == nil {
			if v, ok := f.Lookup(spec.Name, "base-url"); ok {
				url, _ = config.String(v)
			}
		}
	}
	if CheckBaseURL(cmp.Or(url, llm.DefaultBaseURL)) != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c := llm.New(llm.Config{BaseURL: url, APIKey: cmp.Or(os.Getenv("SHELF_API_KEY"), os.Getenv("OPENAI_API_KEY")),
		Timeout: 2 * time.Second, ConnectTimeout: time.Second, Retries: 0, MaxAnswer: 4 << 20})
	ids, err := c.Models(ctx)
	if err != nil {
		return nil
	}
	slices.Sort(ids)
	return ids
}
