package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/prompt"
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
	p := scripttest.Params("testdata/script", *update)
	p.Setup = func(env *testscript.Env) error {
		env.Setenv("SOURCE_DATE_EPOCH", "1795683600") // 2026-11-26T09:00:00Z
		pr, err := prompt.Load("summarize", "", summarize.Prompt)
		if err != nil {
			return err
		}
		env.Setenv("PROMPT", pr.Hash)
		demo, err := filepath.Abs(filepath.Join("..", "..", "examples", "demo.sh"))
		if err != nil {
			return err
		}
		env.Setenv("DEMO", demo)
		return scripttest.Setup(env)
	}
	testscript.Run(t, p)
}

// TestManPage keeps man/man1/summarize.1 in step with the app; make man
// (go test -run TestManPage -update) rewrites it.
func TestManPage(t *testing.T) {
	got, err := tool.ManPage(spec())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "man", "man1", "summarize.1")
	if *update {
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
