package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/scripttest"
	"github.com/shelfai/shelf/lib/tool"
)

var update = flag.Bool("update", false, "rewrite the golden parts of scripts and the man page")

func TestMain(m *testing.M) {
	testscript.Main(withCluster{m}, map[string]func(){
		"remember": func() { os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestScript(t *testing.T) {
	testscript.Run(t, scripttest.ToolParams("testdata/script", *update, "remember", "", nil))
}

func TestManPage(t *testing.T) {
	if err := tool.CheckKeys(spec()); err != nil {
		t.Error(err)
	}
	page, err := tool.ManPage(spec())
	if err != nil {
		t.Fatal(err)
	}
	scripttest.Golden(t, page, filepath.Join("..", "..", "man", "man1", "remember.1"), *update)
}
