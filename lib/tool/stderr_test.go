package tool

import (
	"bytes"
	"encoding/json"
	"errors"
	stdlog "log"
	"os"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/sysexits"
)

// hermetic sets every variable a tool reads, so that the caller's
// environment plays no part.
func hermetic(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{"CLICOLOR", "CLICOLOR_FORCE", "OPENAI_API_KEY", "OPENAI_BASE_URL", "SHELF_API_KEY",
		"SHELF_BASE_URL", "SHELF_CONFIG", "SHELF_CONTEXT_LENGTH", "SHELF_DB", "SHELF_JOBS", "SHELF_LOG_FORMAT",
		"SHELF_MAX_ANSWER", "SHELF_MODEL", "SHELF_NO_CACHE", "SHELF_RETRIES", "SHELF_TEMPERATURE", "SHELF_TIMEOUT",
		"SHELF_TRANSCRIBE_BASE_URL", "SHELF_TRANSCRIBE_MODEL"} {
		t.Setenv(v, "")
	}
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", dir+"/config")
	t.Setenv("XDG_CACHE_HOME", dir+"/cache")
	t.Setenv("XDG_DATA_HOME", dir+"/data")
	t.Setenv("NO_COLOR", "1")
	t.Cleanup(func() { stdlog.SetOutput(os.Stderr); stdlog.SetFlags(stdlog.LstdFlags) })
}

// hostileRun runs a tool whose action does what a hostile server makes
// happen: net/http logs through the standard logger, and an error quotes
// the server's words, with terminal escapes and the key in them.
func hostileRun(t *testing.T, args ...string) (stderr string, code int) {
	t.Helper()
	hermetic(t)
	spec := Spec{Name: "demo", UsesModel: true, Action: func(env *Env) error {
		stdlog.Printf("Unsolicited response received on idle HTTP channel starting with %q; err=%v", "Bearer sk-test-key-0123", nil)
		env.Log.Warn("record 1 failed", "err", "the server said \x1b]0;owned\x07\x1b[2J")
		return sysexits.New(sysexits.Failure, "", errors.New("chat: answered 400: \x1b]0;owned\x07\x1b[2J\u202eevil\nsecond line sk-test-key-0123"))
	}}
	var out, errb bytes.Buffer
	code = Main(spec, append([]string{"demo", "--api-key", "sk-test-key-0123"}, args...), strings.NewReader(""), &out, &errb)
	if out.Len() != 0 {
		t.Errorf("stdout: %q", out.String())
	}
	if strings.Contains(errb.String(), "sk-test-key-0123") {
		t.Errorf("the key reached stderr:\n%s", errb.String())
	}
	for _, r := range errb.String() {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Errorf("stderr holds %U:\n%q", r, errb.String())
			break
		}
	}
	return errb.String(), code
}

// With --log-format json every line on stderr is a JSON log entry, the
// standard logger's (net/http's) too, with the keys of the tool's own.
func TestStderrJSON(t *testing.T) {
	stderr, code := hostileRun(t, "--log-format", "json")
	if code != sysexits.Failure {
		t.Errorf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, got:\n%s", stderr)
	}
	levels := []string{}
	for _, l := range lines {
		var entry map[string]any
		if err := json.Unmarshal([]byte(l), &entry); err != nil {
			t.Errorf("not JSON: %s", l)
			continue
		}
		for _, k := range []string{"time", "level", "prefix", "msg"} {
			if _, ok := entry[k]; !ok {
				t.Errorf("no %q in %s", k, l)
			}
		}
		levels = append(levels, entry["level"].(string))
	}
	if strings.Join(levels, " ") != "warn warn error" {
		t.Errorf("levels %v", levels)
	}
	if !strings.Contains(lines[0], `"msg":"Unsolicited response received on idle HTTP channel starting with \"Bearer [redacted]\"; err=\u003cnil\u003e"`) &&
		!strings.Contains(lines[0], `"msg":"Unsolicited response received on idle HTTP channel starting with \"Bearer [redacted]\"; err=<nil>"`) {
		t.Errorf("standard log line: %s", lines[0])
	}
}

// In text, the error line is one line that shows the escapes.
func TestStderrText(t *testing.T) {
	stderr, _ := hostileRun(t)
	want := `demo: error: chat: answered 400: \x1b]0;owned\x07\x1b[2J\u202eevil second line [redacted]` + "\n"
	if !strings.HasSuffix(stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to end in:\n%s", stderr, want)
	}
}
