// Package logging provides the stderr side of a shelf tool: one logger
// prefixed with the tool's name (text with colour only on a terminal, or
// JSON and logfmt for cron), and a progress line for long runs.
package logging

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/log"
	"github.com/mattn/go-isatty"
	"github.com/muesli/termenv"
)

// Options choose the logger's level and format.
type Options struct {
	Tool    string
	Format  string // text, json or logfmt
	Verbose bool
	Quiet   bool
}

// New returns a logger that writes to w. Whether it colours is decided
// here, from the environment and whether w is a terminal (ColorProfile),
// and the terminal is never queried: a terminal that does not answer a
// query (under script(1), in some editors, on a serial console) would
// stall every run for seconds.
func New(w io.Writer, opt Options) (*log.Logger, error) {
	profile := ColorProfile(os.Getenv, IsTerminal(w))
	// The library sees a plain writer, never the terminal, so it has no
	// way to send a query.
	l := log.NewWithOptions(plainWriter{w}, log.Options{Prefix: opt.Tool, Level: log.InfoLevel})
	l.SetColorProfile(profile)
	switch strings.ToLower(opt.Format) {
	case "", "text":
	case "json":
		l.SetFormatter(log.JSONFormatter)
		l.SetReportTimestamp(true)
		l.SetTimeFormat(time.RFC3339)
		l.SetTimeFunction(log.NowUTC)
	case "logfmt":
		l.SetFormatter(log.LogfmtFormatter)
		l.SetReportTimestamp(true)
		l.SetTimeFormat(time.RFC3339)
		l.SetTimeFunction(log.NowUTC)
	default:
		return nil, fmt.Errorf("unknown log format %q (want text, json or logfmt)", opt.Format)
	}
	switch {
	case opt.Verbose:
		l.SetLevel(log.DebugLevel)
	case opt.Quiet:
		l.SetLevel(log.ErrorLevel)
	}
	return l, nil
}

// IsTerminal reports whether v is a terminal (an *os.File, or a writer
// around one that tells its Fd).
func IsTerminal(v any) bool {
	f, ok := v.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// plainWriter hides everything of a writer but Write.
type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }

// ColorProfile decides how to colour output for a writer, from the
// environment alone: NO_COLOR set (not empty) means none; CLICOLOR_FORCE
// set (not "0") means colour even when not a terminal; otherwise colour
// only on a terminal, never with CLICOLOR=0 or TERM=dumb (or unset), and
// as many colours as TERM and COLORTERM say.
func ColorProfile(getenv func(string) string, terminal bool) termenv.Profile {
	if getenv("NO_COLOR") != "" {
		return termenv.Ascii
	}
	force := getenv("CLICOLOR_FORCE")
	if force == "" || force == "0" {
		if !terminal || getenv("CLICOLOR") == "0" {
			return termenv.Ascii
		}
	}
	term := strings.ToLower(getenv("TERM"))
	switch ct := strings.ToLower(getenv("COLORTERM")); {
	case ct == "truecolor" || ct == "24bit":
		return termenv.TrueColor
	case term == "" || term == "dumb":
		if force == "" || force == "0" {
			return termenv.Ascii
		}
		return termenv.ANSI
	case strings.Contains(term, "256color"):
		return termenv.ANSI256
	}
	return termenv.ANSI
}

// Progress draws one self-erasing status line on a terminal, at most a few
// times a second, and only once a run has taken a moment.
type Progress struct {
	w     io.Writer
	tool  string
	start time.Time
	last  time.Time
	mu    sync.Mutex
	shown bool
}

// NewProgress returns a progress line on w, or nil when w is not a
// terminal (a nil *Progress does nothing).
func NewProgress(w io.Writer, tool string) *Progress {
	if !IsTerminal(w) {
		return nil
	}
	return &Progress{w: w, tool: tool, start: time.Now()}
}

// Update shows the line.
func (p *Progress) Update(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < 250*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[K%s: %s (%s)", p.tool, fmt.Sprintf(format, args...), now.Sub(p.start).Round(time.Second))
}

// Done erases the line.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}
