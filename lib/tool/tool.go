// Package tool provides what every shelf command shares: the urfave/cli
// app with the common flags, configuration (flags beat environment beat
// file beat defaults), the stderr logger, signal handling, the model
// client, running records through the pipeline, and printing an error once
// as "tool: error: ..." with a "tool: hint: ..." line and the right exit
// status.
package tool

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/log"
	"github.com/shelfai/shelf/lib/config"
	"github.com/shelfai/shelf/lib/logging"
	"github.com/shelfai/shelf/lib/pipeline"
	"github.com/shelfai/shelf/lib/redact"
	"github.com/shelfai/shelf/lib/safetext"
	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/urfave/cli/v2"
)

// version is set at build time with -ldflags "-X github.com/shelfai/shelf/lib/tool.version=...".
var version string

// Version returns the build's version.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "devel-" + s.Value[:12]
			}
		}
	}
	return "devel"
}

// Now is the time recorded in provenance: the current time, or
// SOURCE_DATE_EPOCH (seconds since 1970) when set, for reproducible output.
func Now() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now()
}

// Spec describes one tool.
type Spec struct {
	Name        string
	Usage       string
	UsageText   string
	Description string
	Flags       []cli.Flag
	UsesModel   bool // add the model flags
	// OwnModel leaves out --model and --context-length: the tool has its
	// own model flag (transcribe's speech model is not the chat model).
	OwnModel bool
	// BaseURLEnv, if set, is an environment variable that names the
	// tool's endpoint ahead of SHELF_BASE_URL (transcribe's speech server
	// is often not the chat server).
	BaseURLEnv string
	// Prompt, if set, is the tool's built-in prompt template: the tool
	// gets --prompt and --print-prompt, which prints Prompt and ends the
	// run, and Env.LoadPrompt loads the template the person chose.
	Prompt string
	// Choices are the values a flag takes, offered by completion.
	Choices map[string][]string
	// Action does the tool's work; env.CLI holds its command line.
	Action func(env *Env) error
	// Commands, if set, gives the tool subcommands. Their actions too
	// find their command line in env.CLI.
	Commands func(env *Env) []*cli.Command
}

// Env is what a tool's action works with: its streams, logger and
// configuration.
type Env struct {
	Name   string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *log.Logger
	Config *config.File
	// CLI is the command line of the command running (the tool, or
	// one of its subcommands): the action reads its own flags from it
	// once, into its options; Env's methods read the common ones.
	CLI    *cli.Context
	format string
	// prompt is the tool's built-in prompt template (Spec.Prompt).
	prompt string
	watch  func()
	// urlEnv is the environment variable that names the endpoint.
	urlEnv string
	// Total, when known (files named on the command line), shows the
	// progress line as "n of Total".
	Total int
	// display is the name the person ran the tool by (shelf-file for
	// file): messages use it; records and configuration use Name.
	display string
	// redact masks the API key and URL passwords in every message.
	redact *redact.Redactor
	// sources says where settings came from (see Source).
	sources map[string]string
	// args are the command line (to tell a flag from its variable).
	args []string
}

// InstalledName is the name a tool is installed under (without a
// PROGRAM_PREFIX): the note filer is shelf-file, so as not to shadow
// file(1), and the model check shelf-fitness, a name too general to
// take; the others keep their names.
func InstalledName(name string) string {
	if name == "file" || name == "fitness" {
		return "shelf-" + name
	}
	return name
}

// Redact returns s with the API key and URL passwords masked: every
// message that leaves the process goes through it.
func (e *Env) Redact(s string) string { return e.redact.String(s) }

// Safe is Redact for a one-line message that may quote a server or a file:
// its control characters show as escapes (safetext.Visible), so they can
// do nothing to the terminal.
func (e *Env) Safe(s string) string { return safetext.Visible(e.redact.String(s)) }

func init() {
	// -v is --verbose in shelf, so --version gets no short alias.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version and exit", DisableDefaultText: true}
}

// NewApp builds the cli app of a tool around env.
func NewApp(spec Spec, env *Env) *cli.App {
	env.Name = spec.Name
	env.urlEnv = cmp.Or(spec.BaseURLEnv, "SHELF_BASE_URL")
	env.prompt = spec.Prompt
	if env.display == "" {
		env.display = spec.Name
	}
	var flags []cli.Flag
	if spec.Prompt != "" {
		flags = promptFlags()
	}
	flags = append(flags, spec.Flags...)
	if spec.UsesModel {
		for _, f := range modelFlags() {
			if spec.OwnModel && (f.Names()[0] == "model" || f.Names()[0] == "context-length") {
				continue
			}
			if sf, ok := f.(*cli.StringFlag); ok && sf.Name == "base-url" && spec.BaseURLEnv != "" {
				sf.EnvVars = append([]string{spec.BaseURLEnv}, sf.EnvVars...)
			}
			flags = append(flags, f)
		}
	}
	flags = append(flags, commonFlags()...)
	app := &cli.App{
		Name:                   env.display,
		Usage:                  spec.Usage,
		UsageText:              spec.UsageText,
		Description:            spec.Description,
		Version:                Version(),
		Flags:                  flags,
		HideHelpCommand:        true,
		UseShortOptionHandling: true,
		EnableBashCompletion:   true,
		Reader:                 env.Stdin,
		Writer:                 env.Stdout,
		ErrWriter:              env.Stderr,
		ExitErrHandler:         func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError(c.App.Flags, err, env.display)
		},
		Before: func(c *cli.Context) error {
			env.CLI = c
			if c.String("completion") != "" {
				// Printing a script needs no configuration: a
				// broken file must not stop an install.
				return nil
			}
			return env.setup(c)
		},
		Action: func(c *cli.Context) error {
			env.CLI = c
			if shell := c.String("completion"); shell != "" {
				if err := writeCompletion(env.Stdout, shell, env.display); err != nil {
					if _, known := completions[shell]; known {
						return &pipeline.WriteError{Err: err}
					}
					return sysexits.New(sysexits.Usage, "", err)
				}
				return nil
			}
			if spec.Prompt != "" && c.Bool("print-prompt") {
				if _, err := io.WriteString(env.Stdout, spec.Prompt); err != nil {
					return &pipeline.WriteError{Err: err}
				}
				return nil
			}
			if spec.Action == nil {
				return nil
			}
			return spec.Action(env)
		},
	}
	if spec.Commands != nil {
		app.Commands = spec.Commands(env)
		var each func(cmds []*cli.Command, path string)
		each = func(cmds []*cli.Command, path string) {
			for _, cmd := range cmds {
				// --help is enough; a "help" subcommand would also be
				// offered as a completion.
				cmd.HideHelpCommand = true
				// A usage error in a subcommand is one at the top: exit
				// 64, the message on stderr, no help on stdout.
				name := path + " " + cmd.Name
				flags := cmd.Flags
				cmd.OnUsageError = func(c *cli.Context, err error, _ bool) error {
					return usageError(flags, err, name)
				}
				if action := cmd.Action; action != nil {
					cmd.Action = func(c *cli.Context) error {
						env.CLI = c
						return action(c)
					}
				}
				each(cmd.Subcommands, name)
			}
		}
		each(app.Commands, env.display)
	}
	return app
}

var badValue = regexp.MustCompile(`^invalid value "(.*)" for flag -(\S+): .*$`)

// usageError is the error of a command line that does not parse, in
// words: `-k: "abc" is not a whole number`, with a hint to the command's
// help.
func usageError(flags []cli.Flag, err error, command string) error {
	msg := err.Error()
	if m := badValue.FindStringSubmatch(msg); m != nil {
		for _, f := range flags {
			if slices.Contains(f.Names(), m[2]) {
				dash := "--"
				if len(m[2]) == 1 {
					dash = "-"
				}
				msg = fmt.Sprintf("%s%s: %q is not %s", dash, m[2], m[1], kindOf(f))
				break
			}
		}
	}
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		msg = "unknown flag -" + name
		if len(name) > 1 {
			msg = "unknown flag --" + name
		}
	}
	return sysexits.New(sysexits.Usage, fmt.Sprintf("see '%s --help'", command), errors.New(msg))
}

// setup loads the configuration into the flags that were not given, and
// makes the logger.
func (e *Env) setup(c *cli.Context) error {
	e.sources = map[string]string{}
	for _, f := range c.App.Flags {
		if v := envSource(e.args, f); v != "" {
			e.sources[f.Names()[0]] = v
		}
	}
	path, explicit := config.DefaultPath(), false
	if c.IsSet("config") {
		path, explicit = ExpandHome(c.String("config")), true
	}
	cf, err := config.Load(path, explicit)
	if err != nil {
		return err
	}
	e.Config = cf
	var known []string
	for _, f := range c.App.Flags {
		names := f.Names()
		known = append(known, names...)
		name := names[0]
		if name == "config" || name == "help" || name == "version" || c.IsSet(name) {
			continue
		}
		v, ok := cf.Lookup(e.Name, name)
		if !ok {
			continue
		}
		where := cf.Where(e.Name, name)
		s, err := config.String(v)
		if err == nil {
			err = c.Set(name, s)
			if err != nil {
				err = fmt.Errorf("%q is not %s", s, kindOf(f))
			}
		}
		if err != nil {
			return sysexits.New(sysexits.Config, "", fmt.Errorf("%s: %s: %v", where, name, err))
		}
		e.sources[name] = where
	}
	// A leading ~/ in a file or folder setting is the home folder, as
	// the shell would make it (it does not in a config file, a quoted
	// variable or --vault=~/x).
	for _, f := range c.App.Flags {
		name := f.Names()[0]
		if !isPathFlag(f) {
			continue
		}
		if v := c.String(name); v != ExpandHome(v) {
			if err := c.Set(name, ExpandHome(v)); err != nil {
				return err
			}
		}
	}
	e.redact = redact.New(c.String("api-key"), c.String("base-url"))
	for _, v := range []string{"SHELF_BASE_URL", "OPENAI_BASE_URL", "SHELF_TRANSCRIBE_BASE_URL", "SHELF_DB"} {
		e.redact.AddURL(os.Getenv(v))
	}
	// remember's store may be a PostgreSQL URL with a password, given as
	// a flag too.
	e.redact.AddURL(c.String("db"))
	// net/http logs through the standard logger (an unsolicited answer
	// on an idle connection quotes the server's bytes): mask it too.
	stdlog.SetOutput(e.redact.Writer(e.Stderr))
	e.format = c.String("log-format")
	l, err := logging.New(e.redact.Writer(e.Stderr), logging.Options{Tool: e.display, Format: e.format, Verbose: c.Bool("verbose"), Quiet: c.Bool("quiet")})
	if err != nil {
		return sysexits.New(sysexits.Usage, "", err)
	}
	e.Log = l
	// From here the standard logger's lines are the logger's warnings,
	// in its format (one JSON object a line for --log-format json).
	stdlog.SetFlags(0)
	stdlog.SetPrefix("")
	stdlog.SetOutput(stdlogWriter{e})
	for _, p := range cf.Check(e.Name, known, AllKeys, Tools) {
		l.Warn(p.Message, "file", p.Where)
	}
	return nil
}

// Source says where a setting's value came from, for messages: "" for a
// flag or the default, the environment variable's name, or the
// configuration file and line.
func (e *Env) Source(name string) string { return e.sources[name] }

// BadSetting is the error of a setting whose value is wrong: a usage
// error (64) naming the flag when it was given as one, a configuration
// error (78) naming the variable or the file and line otherwise.
func (e *Env) BadSetting(name string, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	switch src := e.Source(name); {
	case src == "":
		return sysexits.Errorf(sysexits.Usage, "", "--%s %s", name, msg)
	case strings.HasPrefix(src, "$"):
		return sysexits.Errorf(sysexits.Config, "", "%s: %s", src, msg)
	default:
		return sysexits.Errorf(sysexits.Config, "fix it in that file", "%s: %s %s", src, name, msg)
	}
}

// envSource returns "$VAR" when the flag's value came from an environment
// variable (and not the command line, args), else "".
func envSource(args []string, f cli.Flag) string {
	ev, ok := f.(interface{ GetEnvVars() []string })
	if !ok || !f.IsSet() || onCommandLine(args, f.Names()) {
		return ""
	}
	for _, v := range ev.GetEnvVars() {
		if _, set := os.LookupEnv(v); set {
			return "$" + v // the first one set is the one read
		}
	}
	return ""
}

// onCommandLine reports whether args give the flag (by any of its names).
func onCommandLine(args, names []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		for _, n := range names {
			dash := "--"
			if len(n) == 1 {
				dash = "-"
			}
			if a == dash+n || strings.HasPrefix(a, dash+n+"=") || (len(n) > 1 && (a == "-"+n || strings.HasPrefix(a, "-"+n+"="))) {
				return true
			}
		}
	}
	return false
}

// kindOf says what a flag's value must be, for messages.
func kindOf(f cli.Flag) string {
	switch f.(type) {
	case *cli.IntFlag, *cli.Int64Flag, *cli.UintFlag:
		return "a whole number"
	case *cli.Float64Flag:
		return "a number"
	case *cli.BoolFlag:
		return "true or false"
	case *cli.DurationFlag:
		return "a duration such as 30s, 10m or 1h30m"
	}
	return "a valid value"
}

// isPathFlag reports whether a flag names a file or folder (its usage
// says FILE or DIR).
func isPathFlag(f cli.Flag) bool {
	sf, ok := f.(*cli.StringFlag)
	return ok && (strings.Contains(sf.Usage, "`FILE`") || strings.Contains(sf.Usage, "`DIR`"))
}

// ExpandHome replaces a leading "~/" (or a lone "~") with the home folder.
func ExpandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return p
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~"))
}

// unsetEmpty removes the flags' environment variables that are set but
// empty, so that VAR= means "not set" (the next variable, the file or the
// default applies) rather than an empty value.
func unsetEmpty(flags []cli.Flag) {
	for _, f := range flags {
		ev, ok := f.(interface{ GetEnvVars() []string })
		if !ok {
			continue
		}
		for _, name := range ev.GetEnvVars() {
			if v, set := os.LookupEnv(name); set && v == "" {
				os.Unsetenv(name)
			}
		}
	}
}

// Main runs a tool as a program and returns its exit status. Only a
// command's main calls it, with the process's arguments and streams.
func Main(spec Spec, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	// Every write to stdout is checked, also those of --help and
	// --version: a full disk is an error, not a silent success.
	out := &checkedWriter{w: stdout}
	env := &Env{Stdin: stdin, Stdout: out, Stderr: stderr, args: args}
	if len(args) > 0 {
		// Installed under another name (shelf-file, or with a
		// PROGRAM_PREFIX): speak as that name.
		if base := filepath.Base(args[0]); base != spec.Name && strings.HasSuffix(base, spec.Name) {
			env.display = base
		}
	}
	app := NewApp(spec, env)
	unsetEmpty(app.Flags)

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	// Signals are watched only once a tool starts on its records: setting
	// up the handler costs start-up time that --version and --help need not
	// pay.
	sigs := make(chan os.Signal, 1)
	env.watch = sync.OnceFunc(func() {
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
		go func() {
			sig, ok := <-sigs
			if !ok {
				return
			}
			first := time.Now()
			code, name := sysexits.Interrupted, "SIGINT"
			if sig == syscall.SIGTERM {
				code, name = sysexits.Terminated, "SIGTERM"
			}
			cancel(&sysexits.Error{Code: code, Err: fmt.Errorf("interrupted by %s", name)})
			// A second signal ends the process the default way, unless
			// it comes at once: timeout(1) and other wrappers pass a
			// signal on to the tool and to its process group too, so one
			// Ctrl-C arrives twice, and must not cut the tool's cleanup
			// short (a download's .part file, a cut --append).
			for again := range sigs {
				if time.Since(first) < time.Second {
					continue
				}
				signal.Stop(sigs)
				if p, err := os.FindProcess(os.Getpid()); err == nil {
					p.Signal(again)
				}
				return
			}
		}()
	})
	if len(args) > 2 && args[len(args)-1] == "--generate-bash-completion" {
		// The word before is a flag that wants a value: offer its
		// values (urfave/cli would take the request for the value).
		if values, ok := flagValues(ctx, spec, app, args); ok {
			for _, v := range values {
				fmt.Fprintln(out, v)
			}
			return 0
		}
	}
	if len(args) > 1 && args[len(args)-1] == "--generate-bash-completion" {
		// urfave/cli dereferences a nil flag set when the words before
		// the request do not parse (an unknown or half-typed flag);
		// a completion request offers nothing then, and fails quietly.
		defer func() {
			if recover() != nil {
				code = 0
			}
		}()
	}
	err := app.RunContext(ctx, args)
	signal.Stop(sigs)
	close(sigs)
	var we *pipeline.WriteError
	if out.err != nil && !errors.As(err, &we) && (err == nil || errors.Is(err, out.err)) {
		// A failed write to stdout is a write error (exit 74) however
		// it came back: unnoticed, or returned as it was.
		err = &pipeline.WriteError{Err: out.err}
	}
	return env.report(err)
}

// stdlogWriter makes each line of the standard logger a warning of the
// tool's logger.
type stdlogWriter struct{ e *Env }

func (w stdlogWriter) Write(p []byte) (int, error) {
	w.e.Log.Warn(w.e.Safe(string(p)))
	return len(p), nil
}

// checkedWriter keeps the first error of its writer, so that no failed
// write to stdout goes unnoticed. It has no Fd: nothing asks whether
// stdout is a terminal.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// WatchSignals makes SIGINT and SIGTERM cancel the run's context (with an
// error that carries exit status 130 or 143). Run calls it; a tool that
// works outside Run calls it before it starts.
func (e *Env) WatchSignals() {
	if e.watch != nil {
		e.watch()
	}
}

// report prints err once and returns the exit status it carries.
func (e *Env) report(err error) int {
	if err == nil {
		return 0
	}
	var we *pipeline.WriteError
	if errors.As(err, &we) && errors.Is(err, syscall.EPIPE) {
		return 0 // the reader went away (| head): end quietly
	}
	code := sysexits.Code(err)
	var se *sysexits.Error
	if we != nil && !errors.As(err, &se) {
		code = sysexits.IOErr // stdout itself: a full disk, a closed file
	}
	hint := e.Safe(hintFor(err, e.urlEnv))
	msg := e.Safe(err.Error())
	if e.Log != nil && e.format != "" && e.format != "text" {
		kv := []any{"exit", code}
		if hint != "" {
			kv = append(kv, "hint", hint)
		}
		e.Log.Error(msg, kv...)
		return code
	}
	fmt.Fprintf(e.Stderr, "%s: error: %s\n", e.display, msg)
	if hint != "" {
		fmt.Fprintf(e.Stderr, "%s: hint: %s\n", e.display, hint)
	}
	return code
}
