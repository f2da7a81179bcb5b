package tool

import (
	"io"

	"github.com/shelfai/shelf/lib/prompt"
	"github.com/urfave/cli/v2"
)

// PromptFlags are the flags of a tool with a prompt template.
func PromptFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "prompt", Usage: "use the prompt template in `FILE`"},
		&cli.BoolFlag{Name: "print-prompt", Usage: "print the built-in prompt template and exit"},
	}
}

// LoadPrompt loads the tool's prompt template (--prompt, else the person's
// override, else builtin). With --print-prompt it prints builtin instead
// and reports done.
func (e *Env) LoadPrompt(c *cli.Context, builtin string) (p *prompt.Prompt, done bool, err error) {
	if c.Bool("print-prompt") {
		_, err := io.WriteString(e.Stdout, builtin)
		return nil, true, err
	}
	p, err = prompt.Load(e.Name, c.String("prompt"), builtin)
	return p, false, err
}
