package main

import (
	"flag"
	"os"
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
		return scripttest.Setup(env)
	}
	testscript.Run(t, p)
}
