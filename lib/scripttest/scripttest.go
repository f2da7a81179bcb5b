// Package scripttest provides what the testscript tests of every shelf
// command share: a fresh OpenAI-compatible test server per script (its URL
// in SHELF_BASE_URL, its root in TESTSERVER, its request log in
// $WORK/requests.jsonl), a hermetic XDG environment under $WORK, and the
// script commands "exits" (run a program and check its exit status) and
// "requests" (check how many requests the server had).
package scripttest

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/testserver"
)

// Params returns testscript parameters for the scripts in dir.
func Params(dir string, update bool) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		UpdateScripts:       update,
		RequireExplicitExec: true,
		Setup:               Setup,
		Cmds:                Cmds,
	}
}

// Setup starts the test server and sets the environment.
func Setup(env *testscript.Env) error {
	srv, err := testserver.New(testserver.Options{LogFile: filepath.Join(env.WorkDir, "requests.jsonl"), Delay: 100 * time.Millisecond})
	if err != nil {
		return err
	}
	env.Defer(srv.Close)
	env.Setenv("SHELF_BASE_URL", srv.BaseURL())
	env.Setenv("TESTSERVER", srv.URL)
	env.Setenv("HOME", env.WorkDir)
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
	env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
	env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".local", "share"))
	env.Setenv("NO_COLOR", "1")
	return nil
}

// Cmds are the extra script commands.
var Cmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// exits N prog args...: run prog and check that it exits with status N.
	"exits": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 {
			ts.Fatalf("usage: exits N prog [args...]")
		}
		want, err := strconv.Atoi(args[0])
		if err != nil {
			ts.Fatalf("exits: %v", err)
		}
		err = ts.Exec(args[1], args[2:]...)
		got := 0
		if err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				ts.Fatalf("exits: %v", err)
			}
			got = ee.ExitCode()
		}
		if got != want {
			ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
		}
	},
	// requests [-path P] N: the server had N requests (to path P).
	"requests": func(ts *testscript.TestScript, neg bool, args []string) {
		path := ""
		if len(args) == 3 && args[0] == "-path" {
			path, args = args[1], args[2:]
		}
		if len(args) != 1 {
			ts.Fatalf("usage: requests [-path P] N")
		}
		want, _ := strconv.Atoi(args[0])
		log := ts.ReadFile("requests.jsonl")
		got := 0
		for _, l := range strings.Split(log, "\n") {
			if l != "" && (path == "" || strings.Contains(l, `"path":"`+path+`"`)) {
				got++
			}
		}
		if (got == want) == neg {
			ts.Fatalf("%d requests, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
	},
}
