package tool

import (
	"github.com/shelfai/shelf/lib/prompt"
	"github.com/urfave/cli/v2"
)

// promptFlags are the flags of a tool with a prompt template (Spec.Prompt).
func promptFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "prompt", Usage: "use the prompt template in `FILE`"},
		&cli.BoolFlag{Name: "print-prompt", Usage: "print the built-in prompt template and exit"},
	}
}

// LoadPrompt loads the tool's prompt template: --prompt, else the person's
// override, else the built-in one (Spec.Prompt).
func (e *Env) LoadPrompt() (*prompt.Prompt, error) {
	return prompt.Load(e.Name, e.CLI.String("prompt"), e.prompt)
}
