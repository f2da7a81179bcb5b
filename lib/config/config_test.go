package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/sysexits"
)

func write(t *testing.T, text string) string {
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLookup(t *testing.T) {
	f, err := Load(write(t, "model = \"base\"\nbase_url = \"http://127.0.0.1:1/v1\"\njobs = 2\n\n[summarize]\nmodel = \"sum\"\nno-cache = true\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tool, key, want string
		ok              bool
	}{
		{"summarize", "model", "sum", true},
		{"tasks", "model", "base", true},
		{"summarize", "base-url", "http://127.0.0.1:1/v1", true},
		{"summarize", "jobs", "2", true},
		{"summarize", "no-cache", "true", true},
		{"tasks", "no-cache", "", false},
	}
	for _, tt := range tests {
		v, ok := f.Lookup(tt.tool, tt.key)
		s, _ := String(v)
		if ok != tt.ok || (ok && s != tt.want) {
			t.Errorf("Lookup(%s, %s) = %q %v", tt.tool, tt.key, s, ok)
		}
	}
}

func TestMissingAndMalformed(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.toml")
	if _, err := Load(missing, false); err != nil {
		t.Errorf("missing default file: %v", err)
	}
	if _, err := Load(missing, true); sysexits.Code(err) != sysexits.Config {
		t.Errorf("missing named file: %v", err)
	}
	p := write(t, "model = \"a\"\n\nbase-url = http://x\n")
	_, err := Load(p, false)
	if sysexits.Code(err) != sysexits.Config || !strings.Contains(err.Error(), p+":3:") {
		t.Errorf("malformed: %v", err)
	}
}

func TestDirs(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/x/config")
	t.Setenv("XDG_CACHE_HOME", "relative/ignored")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if ConfigDir() != "/x/config/shelf" || CacheDir() != "/home/u/.cache/shelf" || DataDir() != "/home/u/.local/share/shelf" {
		t.Errorf("%s %s %s", ConfigDir(), CacheDir(), DataDir())
	}
}
