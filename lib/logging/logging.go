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
	now   func() time.Time
	start time.Time
	last  time.Time
	mu    sync.Mutex
	shown bool
}

// NewProgress returns a progress line on w, or nil when w is not a
// terminal or quiet is set (a nil *Progress does nothing).
func NewProgress(w io.Writer, tool string, quiet bool) *Progress {
	if quiet || !IsTerminal(w) {
		return nil
	}
	return newProgress(w, tool, time.Now)
}

func newProgress(w io.Writer, tool string, now func() time.Time) *Progress {
	return &Progress{w: w, tool: tool, now: now, start: now()}
}

// Count shows how far a run over records is: done of total when the total
// is known (else the fraction of the input read, when known: 0 to 1, or
// -1), the rate, the time left and the failures.
func (p *Progress) Count(done, total, failed int, fraction float64) {
	if p == nil {
		return
	}
	elapsed := p.now().Sub(p.start)
	var b strings.Builder
	if total > 0 {
		fraction = float64(done) / float64(total)
		fmt.Fprintf(&b, "%d of %d (%.0f%%)", done, total, 100*fraction)
	} else if fraction >= 0 {
		fmt.Fprintf(&b, "%d records (%.0f%% of the input)", done, 100*fraction)
	} else {
		fmt.Fprintf(&b, "%d records", done)
	}
	if secs := elapsed.Seconds(); secs > 0 && done > 0 {
		fmt.Fprintf(&b, ", %.1f/s", float64(done)/secs)
		if fraction > 0 && fraction < 1 {
			left := time.Duration(float64(elapsed) * (1 - fraction) / fraction)
			fmt.Fprintf(&b, ", about %s left", roundLeft(left))
		}
	}
	if failed > 0 {
		fmt.Fprintf(&b, ", %d failed", failed)
	}
	p.Update("%s", b.String())
}

// roundLeft rounds a time left to what a person reads: seconds under a
// minute, then minutes.
func roundLeft(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(time.Minute)
}

// Update shows the line.
func (p *Progress) Update(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
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
