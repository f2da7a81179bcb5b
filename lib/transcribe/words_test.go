package transcribe

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// commandWords are the words of transcribe's command line: its flags, its
// environment variables, its subcommands.
var commandWords = regexp.MustCompile(`(^|[^-\w])--[a-z]|\bSHELF_[A-Z]|'transcribe |\btranscribe models\b`)

// The package speaks in types; the command puts its errors in the words of
// its command line. No message or hint here names a flag, a variable or a
// subcommand (in any build: whisper's files too).
func TestNoCommandWords(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && commandWords.MatchString(s) {
				t.Errorf("%s: %q names the command line", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
}
