package tool

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/sysexits"
	"github.com/urfave/cli/v2"
)

// TestDBPasswordRedacted: the password of a --db URL given as a flag (a
// collective's PostgreSQL store) is masked in what reaches stderr, even
// where a message quotes it bare.
func TestDBPasswordRedacted(t *testing.T) {
	hermetic(t)
	const pass = "s3cr3t-pass-w0rd"
	spec := Spec{Name: "demo", Flags: []cli.Flag{&cli.StringFlag{Name: "db"}}, Action: func(env *Env) error {
		env.Log.Warn("the server said: password " + pass + " rejected")
		return sysexits.New(sysexits.NoInput, "", errors.New("connect with "+pass+": refused"))
	}}
	var out, errb bytes.Buffer
	Main(spec, []string{"demo", "--db", "postgres://ana:" + pass + "@db.example.org/collective"}, strings.NewReader(""), &out, &errb)
	if strings.Contains(errb.String(), pass) || !strings.Contains(errb.String(), "[redacted]") {
		t.Fatalf("stderr:\n%s", errb.String())
	}
}
