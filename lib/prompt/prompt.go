// Package prompt provides the prompt templates of the shelf tools: each
// tool's built-in text/template, which the person can replace with
// $XDG_CONFIG_HOME/shelf/prompts/<tool>.tmpl or --prompt FILE, and a hash
// of the template in use for the records' provenance.
//
// The tools that send a record's text (summarize, tasks) share the start
// of their prompts, Shared: the same system message, then a user message
// that starts with the text and the related memories; what each tool asks
// follows the text. A server's prompt cache evaluates that start once for
// the whole pipeline. A template that defines the shared "text" block is of
// that layout (SharesPrefix); one that does not (each tool's system message
// first, the text last, as the built-in ones once were) keeps working as it
// always did.
package prompt

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/sysexits"
)

// Shared is the shared part of the built-in templates of the tools that
// send a record's text: the templates "system" (the system message) and
// "text" (the text block that starts each user message).
//
//go:embed shared.tmpl
var Shared string

// Builtin is a tool's built-in template: Shared, then the tool's own
// templates, which start each user message with the "text" block.
func Builtin(own string) string { return Shared + "\n" + own }

// Prompt is a loaded template.
type Prompt struct {
	t *template.Template
	// Hash identifies the template's text (12 hex digits of its SHA-256).
	Hash string
	// Origin is "built-in" or the file it came from.
	Origin string
	// Text is the template's source.
	Text string
}

// Load returns the template for tool: file when given, else the person's
// override in the configuration directory when it exists, else builtin.
func Load(tool, file, builtin string) (*Prompt, error) {
	text, origin := builtin, "built-in"
	explicit := file != ""
	if !explicit {
		file = filepath.Join(config.ConfigDir(), "prompts", tool+".tmpl")
	}
	b, err := os.ReadFile(file)
	switch {
	case err == nil:
		text, origin = string(b), file
	case explicit || !errors.Is(err, fs.ErrNotExist):
		return nil, sysexits.New(sysexits.Config, "", fmt.Errorf("prompt: %w", err))
	}
	return Parse(tool, origin, text)
}

// Parse returns the template text for tool, read from origin ("built-in"
// or a file's name, for messages).
func Parse(tool, origin, text string) (*Prompt, error) {
	t, err := template.New(tool).Option("missingkey=error").Funcs(template.FuncMap{
		"trim":    strings.TrimSpace,
		"intext":  Block,
		"oneline": Line,
	}).Parse(text)
	if err != nil {
		return nil, sysexits.New(sysexits.Config, fmt.Sprintf("'%s --print-prompt' shows the built-in template to start from", tool), fmt.Errorf("prompt %s: %w", origin, err))

	}
	sum := sha256.Sum256([]byte(text))
	return &Prompt{t: t, Hash: hex.EncodeToString(sum[:6]), Origin: origin, Text: text}, nil
}

// Has reports whether the template defines name.
func (p *Prompt) Has(name string) bool { return p.t.Lookup(name) != nil }

// SharesPrefix reports whether the template is of the shared layout: it
// defines the "text" block that starts each user message.
func (p *Prompt) SharesPrefix() bool { return p.Has("text") }

// Render executes the named template.
func (p *Prompt) Render(name string, data any) (string, error) {
	var b strings.Builder
	if err := p.t.ExecuteTemplate(&b, name, data); err != nil {
		return "", sysexits.New(sysexits.Config, "", fmt.Errorf("prompt %s: %w", p.Origin, err))
	}
	return strings.TrimSpace(b.String()), nil
}

// tags are the text block's own tags, in any case and spacing.
var tags = regexp.MustCompile(`(?i)<\s*(/?)\s*text\s*>`)

// Block is s as the inside of a <text> block: the block's own tags in it
// ("</text>", "<text>") get a space ("</ text>"), so that a text cannot
// close its block and have what follows read as the tool's instruction
// after the text. Templates use it as {{intext .Text}}.
func Block(s string) string {
	return tags.ReplaceAllStringFunc(s, func(m string) string {
		sub := tags.FindStringSubmatch(m)
		return "<" + sub[1] + " text>"
	})
}

// Line is s as one line of a list in a prompt: its line ends (and other
// white space runs) one space each, and the block's tags as Block leaves
// them. Templates use it for a memory's title and snippet, and the
// summary given for orientation.
func Line(s string) string { return Block(strings.Join(strings.Fields(s), " ")) }
