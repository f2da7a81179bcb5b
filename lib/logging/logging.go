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
)

// Options choose the logger's level and format.
type Options struct {
	Tool    string
	Format  string // text, json or logfmt
	Verbose bool
	Quiet   bool
}

// New returns a logger that writes to w.
func New(w io.Writer, opt Options) (*log.Logger, error) {
	l := log.NewWithOptions(w, log.Options{Prefix: opt.Tool, Level: log.InfoLevel})
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

// IsTerminal reports whether v is a terminal.
func IsTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
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
