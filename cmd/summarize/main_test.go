package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/scripttest"
	"github.com/shelfai/shelf/lib/summarize"
	"github.com/shelfai/shelf/lib/tool"
)

var update = flag.Bool("update", false, "rewrite the golden parts of scripts and the man page")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"summarize": func() { os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestScript(t *testing.T) {
	// The templates of the old layout, which a person may keep.
	old, err := filepath.Abs(filepath.Join("..", "..", "testdata", "cache", "old"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, scripttest.ToolParams("testdata/script", *update, "summarize", summarize.Prompt, func(env *testscript.Env) error {
		env.Setenv("OLD_PROMPTS", old)
		return nil
	}))
}

// TestManPage keeps man/man1/summarize.1 in step with the app; make man
// (go test -run TestManPage -update) rewrites it.
func TestManPage(t *testing.T) {
	if err := tool.CheckKeys(spec()); err != nil {
		t.Error(err)
	}
	page, err := tool.ManPage(spec())
	if err != nil {
		t.Fatal(err)
	}
	scripttest.Golden(t, page, filepath.Join("..", "..", "man", "man1", "summarize.1"), *update)
}
