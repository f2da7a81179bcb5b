package main

import (
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shelfai/shelf/lib/fitness"
	"github.com/shelfai/shelf/lib/scripttest"
	"github.com/shelfai/shelf/lib/tool"
)

var update = flag.Bool("update", false, "rewrite the golden parts of scripts and the man page")

// tools is a folder with the other tools built, for the scripts' PATH:
// the check runs them as programs, as a user's shell would, and they are
// main packages of their own that a test cannot link in.
var tools string

func TestMain(m *testing.M) {
	testscript.Main(mainWithTools{m}, map[string]func(){
		"fitness": func() { os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// mainWithTools builds the tools once before the tests run (not in the
// subprocesses testscript starts as commands).
type mainWithTools struct{ m *testing.M }

func (w mainWithTools) Run() int {
	dir, err := os.MkdirTemp("", "fitness-tools-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	{
		cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "../summarize", "../tasks", "../file", "../remember", "../transcribe")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building the tools:", err)
			return 1
		}
		// The filer is found on PATH as shelf-file only.
		if err := os.Rename(filepath.Join(dir, "file"), filepath.Join(dir, "shelf-file")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	tools = dir
	return w.m.Run()
}

func TestScript(t *testing.T) {
	fixtures, err := filepath.Abs(filepath.Join("..", "..", "testdata", "fitness"))
	if err != nil {
		t.Fatal(err)
	}
	p := scripttest.ToolParams("testdata/script", *update, "fitness", "", func(env *testscript.Env) error {
		env.Setenv("FITNESS_FIXTURES", fixtures)
		env.Setenv("TOOLS", tools)
		// No fixtures installed on this machine are found.
		env.Setenv("XDG_DATA_DIRS", filepath.Join(env.WorkDir, "data-dirs"))
		// PROGRAMS is where testscript put this package's own programs
		// (fitness), for a script that narrows PATH.
		for _, dir := range filepath.SplitList(env.Getenv("PATH")) {
			if _, err := os.Stat(filepath.Join(dir, "fitness")); err == nil {
				env.Setenv("PROGRAMS", dir)
				break
			}
		}
		env.Setenv("PATH", tools+string(os.PathListSeparator)+env.Getenv("PATH"))
		return nil
	})
	p.Condition = func(cond string) (bool, error) {
		if cond == "espeak" {
			return haveEspeak()
		}
		return scripttest.Condition(cond)
	}
	p.Cmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){}
	for k, v := range scripttest.Cmds {
		p.Cmds[k] = v
	}
	p.Cmds["report"] = checkReport
	testscript.Run(t, p)
}

// haveEspeak is the script condition [espeak]: espeak-ng, which speaks
// the memos of the transcription check, is installed. Without it the
// scripts that need it skip, unless SHELF_NEED_ESPEAK is set (as CI
// does, having installed it), when they fail.
func haveEspeak() (bool, error) {
	if _, err := exec.LookPath(fitness.Speaker); err != nil {
		if os.Getenv("SHELF_NEED_ESPEAK") != "" {
			return false, fmt.Errorf("%s is not installed, and SHELF_NEED_ESPEAK is set: %v", fitness.Speaker, err)
		}
		return false, nil
	}
	return true, nil
}

// checkReport DIR MODEL...: the report folder holds a results.json that
// parses with a result for each model, a well-formed SVG, a Markdown table
// with a column for each model, and wrong.md.
func checkReport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: report DIR MODEL...")
	}
	dir := ts.MkAbs(args[0])
	models := args[1:]
	var rep fitness.Report
	if err := json.Unmarshal([]byte(ts.ReadFile(filepath.Join(dir, "results.json"))), &rep); err != nil {
		ts.Fatalf("results.json: %v", err)
	}
	if len(rep.Models) != len(models) {
		ts.Fatalf("results.json has %d models, want %d", len(rep.Models), len(models))
	}
	for i, m := range models {
		if rep.Models[i].Model != m {
			ts.Fatalf("results.json: model %d is %q, want %q", i, rep.Models[i].Model, m)
		}
	}
	svg, err := os.Open(filepath.Join(dir, "quality-vs-seconds.svg"))
	if err != nil {
		ts.Fatalf("%v", err)
	}
	defer svg.Close()
	dec := xml.NewDecoder(svg)
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			ts.Fatalf("quality-vs-seconds.svg is not well formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		ts.Fatalf("quality-vs-seconds.svg: root element %q, want svg", root)
	}
	md := ts.ReadFile(filepath.Join(dir, "table.md"))
	header, _, _ := strings.Cut(md, "\n")
	for _, m := range models {
		if !strings.Contains(header, "| "+m+" |") {
			ts.Fatalf("table.md's header %q has no column for %s", header, m)
		}
	}
	if !strings.Contains(md, "\n|---|") {
		ts.Fatalf("table.md has no Markdown table")
	}
	if ts.ReadFile(filepath.Join(dir, "wrong.md")) == "" {
		ts.Fatalf("wrong.md is empty")
	}
}

// TestManPage keeps man/man1/shelf-fitness.1 in step with the app; make
// man (go test -run TestManPage -update) rewrites it.
func TestManPage(t *testing.T) {
	if err := tool.CheckKeys(spec()); err != nil {
		t.Error(err)
	}
	page, err := tool.ManPage(spec())
	if err != nil {
		t.Fatal(err)
	}
	scripttest.Golden(t, page, filepath.Join("..", "..", "man", "man1", "fitness.1"), *update)
}
