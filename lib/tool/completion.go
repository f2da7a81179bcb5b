package tool

import (
	"fmt"
	"io"
	"strings"
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
