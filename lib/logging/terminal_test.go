//go:build linux || darwin || freebsd

package logging

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"
	"github.com/muesli/termenv"
)

// TestMain lets the test binary play a tool whose stderr is its
// controlling terminal (see runOnTerminal).
func TestMain(m *testing.M) {
	if os.Getenv("SHELF_LOGGING_TEST_CHILD") == "1" {
		l, err := New(os.Stderr, Options{Tool: "t"})
		if err != nil {
			os.Exit(2)
		}
		l.Warn("the server is slow", "attempt", 2)
		l.Error("gave up")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runOnTerminal runs the test binary as a child whose controlling terminal
// is a new pseudo-terminal that never answers, and returns what it wrote.
func runOnTerminal(t *testing.T, env []string) []byte {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skip("no pseudo-terminal:", err)
	}
	defer master.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append([]string{"SHELF_LOGGING_TEST_CHILD=1", "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	got := make(chan []byte)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, master) // ends when the child's side is closed
		got <- b.Bytes()
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	return <-got
}

// TestNoTerminalQueries: on a terminal that never answers, the logger
// sends no query (OSC 10/11, cursor position) and colours as the
// environment says.
func TestNoTerminalQueries(t *testing.T) {
	for _, tt := range []struct {
		name   string
		env    []string
		colour bool
	}{
		{"colour", []string{"TERM=xterm-256color"}, true},
		{"NO_COLOR", []string{"TERM=xterm-256color", "NO_COLOR=1"}, false},
		{"dumb", []string{"TERM=dumb"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := runOnTerminal(t, tt.env)
			for _, q := range []string{"\x1b]10;?", "\x1b]11;?", "\x1b[6n", "\x1b]"} {
				if bytes.Contains(out, []byte(q)) {
					t.Errorf("the logger queried the terminal (%q): %q", q, out)
				}
			}
			if !strings.Contains(string(out), "the server is slow") {
				t.Errorf("no log line: %q", out)
			}
			if hasColour := bytes.Contains(out, []byte("\x1b[")); hasColour != tt.colour {
				t.Errorf("colour %v, want %v: %q", hasColour, tt.colour, out)
			}
		})
	}
}

func TestColorProfile(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name string
		get  func(string) string
		tty  bool
		want termenv.Profile
	}{
		{"not a terminal", env("TERM", "xterm"), false, termenv.Ascii},
		{"terminal", env("TERM", "xterm"), true, termenv.ANSI},
		{"256", env("TERM", "xterm-256color"), true, termenv.ANSI256},
		{"truecolor", env("TERM", "xterm", "COLORTERM", "truecolor"), true, termenv.TrueColor},
		{"NO_COLOR wins", env("TERM", "xterm", "NO_COLOR", "1", "CLICOLOR_FORCE", "1"), true, termenv.Ascii},
		{"CLICOLOR=0", env("TERM", "xterm", "CLICOLOR", "0"), true, termenv.Ascii},
		{"CLICOLOR_FORCE", env("TERM", "xterm"), false, termenv.ANSI},
		{"CLICOLOR_FORCE=0", env("TERM", "xterm", "CLICOLOR_FORCE", "0"), false, termenv.Ascii},
		{"dumb", env("TERM", "dumb"), true, termenv.Ascii},
		{"no TERM", env(), true, termenv.Ascii},
	}
	tests[6].get = env("TERM", "xterm", "CLICOLOR_FORCE", "1")
	for _, tt := range tests {
		if got := ColorProfile(tt.get, tt.tty); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
