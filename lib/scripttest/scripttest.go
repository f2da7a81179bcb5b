// Package scripttest provides what the testscript tests of every shelf
// command share: a fresh OpenAI-compatible test server per script (its URL
// in SHELF_BASE_URL, its root in TESTSERVER, its request log in
// $WORK/requests.jsonl, its scripted answers in $WORK/answers.jsonl), a hermetic XDG environment under $WORK, and the
// script commands "exits" (run a program and check its exit status) and
// "requests" (check how many requests the server had).
package scripttest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/prompt"
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
		Condition:           Condition,
	}
}

// Condition adds the script condition [root]: running as root, where file
// permissions do not stop a write.
func Condition(cond string) (bool, error) {
	if cond == "root" {
		return os.Geteuid() == 0, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// ToolParams is Params for the scripts of one tool: provenance times fixed
// at 2026-11-26T09:00:00Z (SOURCE_DATE_EPOCH), the hash of the tool's
// built-in prompt in $PROMPT, and extra, if not nil, to set more.
func ToolParams(dir string, update bool, tool, builtinPrompt string, extra func(*testscript.Env) error) testscript.Params {
	p := Params(dir, update)
	p.Setup = func(env *testscript.Env) error {
		env.Setenv("SOURCE_DATE_EPOCH", "1795683600")
		pr, err := prompt.Load(tool, "", builtinPrompt)
		if err != nil {
			return err
		}
		env.Setenv("PROMPT", pr.Hash)
		if extra != nil {
			if err := extra(env); err != nil {
				return err
			}
		}
		return Setup(env)
	}
	return p
}

// Setup starts the test server and sets the environment. A script whose
// environment names FITNESS_FIXTURES (set by its Params' Setup) gets a
// server whose fitness modes answer from those fixtures.
func Setup(env *testscript.Env) error {
	srv, err := testserver.New(testserver.Options{
		LogFile:     filepath.Join(env.WorkDir, "requests.jsonl"),
		AnswersFile: filepath.Join(env.WorkDir, "answers.jsonl"),
		Delay:       100 * time.Millisecond,
		Fixtures:    env.Getenv("FITNESS_FIXTURES"),
	})
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

// Golden compares got with the file at path, or rewrites the file when
// update is set (make man).
func Golden(t testing.TB, got, path string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != got {
		t.Fatalf("%s is stale: run 'make man'", path)
	}
}
