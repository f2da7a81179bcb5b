// Package config provides shelf's configuration file and its XDG
// directories.
//
// The file is TOML at $XDG_CONFIG_HOME/shelf/config.toml (or --config, env
// SHELF_CONFIG). Keys at the top level apply to every tool; a table named
// after a tool ([summarize]) applies to that tool and wins over the top
// level. Keys are the long flag names, with "-" or "_":
//
//	base-url = "http://localhost:11434/v1"
//	model = "llama3.2"
//
//	[summarize]
//	model = "qwen2.5:7b"
//	style = "bullets"
//
// Flags beat environment variables beat the file beat defaults.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/shelfai/shelf/lib/sysexits"
)

// File is a loaded configuration file.
type File struct {
	Path     string
	global   map[string]any
	sections map[string]map[string]any
}

// Load reads the file at path. A missing file is an empty configuration
// unless explicit (the user named it). A malformed file is an error with
// exit status 78 that names the line.
func Load(path string, explicit bool) (*File, error) {
	f := &File{Path: path, global: map[string]any{}, sections: map[string]map[string]any{}}
	if path == "" {
		return f, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return f, nil
		}
		return nil, sysexits.New(sysexits.Config, fmt.Errorf("config: %w", err), "check --config or SHELF_CONFIG")
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ := de.Position()
			return nil, sysexits.New(sysexits.Config,
				fmt.Errorf("%s:%d: %s", path, line, err),
				"the file is TOML: key = \"value\" lines, and [tool] tables")
		}
		return nil, sysexits.New(sysexits.Config, fmt.Errorf("%s: %w", path, err), "")
	}
	for k, v := range raw {
		if t, ok := v.(map[string]any); ok {
			sec := map[string]any{}
			for sk, sv := range t {
				sec[normalize(sk)] = sv
			}
			f.sections[k] = sec
			continue
		}
		f.global[normalize(k)] = v
	}
	return f, nil
}

func normalize(k string) string { return strings.ReplaceAll(strings.ToLower(k), "_", "-") }

// Lookup returns the value of key for tool: the tool's table first, then
// the top level.
func (f *File) Lookup(tool, key string) (any, bool) {
	key = normalize(key)
	if v, ok := f.sections[tool][key]; ok {
		return v, true
	}
	v, ok := f.global[key]
	return v, ok
}

// Keys returns the keys of tool's own table, to check them against the
// tool's flags.
func (f *File) Keys(tool string) []string {
	var out []string
	for k := range f.sections[tool] {
		out = append(out, k)
	}
	return out
}

// String renders a value as a flag would take it.
func String(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool, int64, float64:
		return fmt.Sprint(x), nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, err := String(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("unsupported value %v", v)
}

// Dir returns an XDG base directory: the variable's value when it is an
// absolute path, else fallback under $HOME.
func dir(env, fallback string) string {
	if d := os.Getenv(env); filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = os.TempDir()
	}
	return filepath.Join(home, fallback)
}

// ConfigDir is $XDG_CONFIG_HOME/shelf.
func ConfigDir() string { return filepath.Join(dir("XDG_CONFIG_HOME", ".config"), "shelf") }

// DataDir is $XDG_DATA_HOME/shelf.
func DataDir() string { return filepath.Join(dir("XDG_DATA_HOME", ".local/share"), "shelf") }

// CacheDir is $XDG_CACHE_HOME/shelf.
func CacheDir() string { return filepath.Join(dir("XDG_CACHE_HOME", ".cache"), "shelf") }

// DefaultPath is the configuration file used when none is named.
func DefaultPath() string { return filepath.Join(ConfigDir(), "config.toml") }
