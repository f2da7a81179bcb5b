package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/scripttest"
	"github.com/shelfai/shelf/lib/tasks"
	"github.com/shelfai/shelf/lib/tool"
)

var update = flag.Bool("update", false, "rewrite the golden parts of scripts and the man page")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tasks": func() { os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestScript(t *testing.T) {
	// The templates of the old layout, which a person may keep.
	old, err := filepath.Abs(filepath.Join("..", "..", "testdata", "cache", "old"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, scripttest.ToolParams("testdata/script", *update, "tasks", tasks.Prompt, func(env *testscript.Env) error {
		env.Setenv("TZ", "Europe/Berlin")
		env.Setenv("OLD_PROMPTS", old)
		return nil
	}))
}

func TestManPage(t *testing.T) {
	if err := tool.CheckKeys(spec()); err != nil {
		t.Error(err)
	}
	page, err := tool.ManPage(spec())
	if err != nil {
		t.Fatal(err)
	}
	scripttest.Golden(t, page, filepath.Join("..", "..", "man", "man1", "tasks.1"), *update)
}
