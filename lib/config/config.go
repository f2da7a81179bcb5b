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
// Flags beat environment variables beat the file beat defaults. A tool's
// table may also be named after the tool's installed name ([shelf-file]
// for file). Unknown keys and tables are warnings that name the line and
// the nearest known key.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/shelfai/shelf/lib/sysexits"
)

// File is a loaded configuration file.
type File struct {
	Path     string
	global   map[string]any
	sections map[string]map[string]any
	// lines says where each key (and table) is: "table\x00key", or
	// "table\x00" for a table's header; 0 when it cannot be told.
	lines map[string]int
	// arrays are the names given as [[name]] (arrays of tables), which
	// shelf does not use.
	arrays []string
}

// Aliases are other names of a tool's table: the name it is installed
// under.
var Aliases = map[string]string{"shelf-file": "file"}

// Load reads the file at path. A missing file is an empty configuration
// unless explicit (the user named it). A malformed file is an error with
// exit status 78 that names the line.
func Load(path string, explicit bool) (*File, error) {
	f := &File{Path: path, global: map[string]any{}, sections: map[string]map[string]any{}, lines: map[string]int{}}
	if path == "" {
		return f, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return f, nil
		}
		return nil, sysexits.New(sysexits.Config, "check --config or SHELF_CONFIG", fmt.Errorf("config: %w", err))
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ := de.Position()
			return nil, sysexits.New(sysexits.Config,

				"the file is TOML: key = \"value\" lines, and [tool] tables", fmt.Errorf("%s:%d: %s", path, line, err))

		}
		return nil, sysexits.New(sysexits.Config, "", fmt.Errorf("%s: %w", path, err))
	}
	f.lines = keyLines(data)
	for k, v := range raw {
		switch t := v.(type) {
		case map[string]any:
			name := k
			if a, ok := Aliases[k]; ok {
				name = a
			}
			sec := f.sections[name]
			if sec == nil {
				sec = map[string]any{}
				f.sections[name] = sec
			}
			for sk, sv := range t {
				sec[normalize(sk)] = sv
				if name != k {
					f.lines[name+"\x00"+normalize(sk)] = f.lines[k+"\x00"+normalize(sk)]
				}
			}
			if name != k {
				f.lines[name+"\x00"] = f.lines[k+"\x00"]
			}
		case []any:
			if len(t) > 0 {
				if _, ok := t[0].(map[string]any); ok {
					f.arrays = append(f.arrays, k)
					continue
				}
			}
			f.global[normalize(k)] = v
		default:
			f.global[normalize(k)] = v
		}
	}
	slices.Sort(f.arrays)
	return f, nil
}

// keyLines finds the line of each key and table header of a TOML file,
// for messages. It reads the common forms (key = value, "key" = value,
// [table], [[table]]); a key it cannot place gets no line.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	table := ""
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if strings.HasPrefix(l, "[") {
			name := strings.Trim(strings.TrimSpace(strings.SplitN(l, "#", 2)[0]), "[] \t")
			table = strings.Trim(name, `"'`)
			if _, seen := lines[table+"\x00"]; !seen {
				lines[table+"\x00"] = i + 1
			}
			continue
		}
		key, _, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		key = normalize(strings.Trim(strings.TrimSpace(key), `"'`))
		if _, seen := lines[table+"\x00"+key]; !seen {
			lines[table+"\x00"+key] = i + 1
		}
	}
	return lines
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

// Where names the place of key as tool reads it, for messages:
// "config.toml:3", or the file alone when the line is unknown.
func (f *File) Where(tool, key string) string {
	key = normalize(key)
	n := 0
	if _, ok := f.sections[tool][key]; ok {
		n = f.lines[tool+"\x00"+key]
	} else {
		n = f.lines["\x00"+key]
	}
	return f.at(n)
}

func (f *File) at(n int) string {
	if n > 0 {
		return fmt.Sprintf("%s:%d", f.Path, n)
	}
	return f.Path
}

// Problem is something wrong with the file that does not stop a tool: an
// unknown key or table.
type Problem struct {
	Where   string // file:line
	Line    int
	Message string
}

// Check returns the problems of the file for tool, whose keys are known
// (its flags), where every shelf tool's keys are allKeys and the tools'
// names are tools. Keys at the top level and in other tools' tables must
// be known to some tool; keys in tool's own table, to tool.
func (f *File) Check(tool string, known, allKeys, tools []string) []Problem {
	var out []Problem
	add := func(line int, format string, args ...any) {
		out = append(out, Problem{f.at(line), line, fmt.Sprintf(format, args...)})
	}
	for _, k := range sortedKeys(f.global) {
		if !slices.Contains(allKeys, k) {
			add(f.lines["\x00"+k], "unknown key %q%s; ignored", k, suggest(k, allKeys))
		}
	}
	for _, name := range sortedKeys(f.sections) {
		if !slices.Contains(tools, name) {
			add(f.lines[name+"\x00"], "unknown table [%s]%s; ignored", name, suggestTable(name, tools))
			continue
		}
		keys := allKeys
		if name == tool {
			keys = known
		}
		for _, k := range sortedKeys(f.sections[name]) {
			if !slices.Contains(keys, k) {
				add(f.lines[name+"\x00"+k], "unknown key %q in [%s]%s; ignored", k, name, suggest(k, keys))
			}
		}
	}
	for _, name := range f.arrays {
		add(f.lines[name+"\x00"], "[[%s]] is an array of tables, which shelf does not read; write [%s]", name, name)
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return a.Line - b.Line })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// suggest returns ` (did you mean "model"?)` for the known key nearest to
// k, when one is near.
func suggest(k string, known []string) string {
	if best := nearest(k, known); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func suggestTable(k string, known []string) string {
	if best := nearest(k, known); best != "" {
		return fmt.Sprintf(" (did you mean [%s]?)", best)
	}
	return ""
}

// nearest returns the known word within edit distance 2 (1 for short
// words) of k, the closest first, or "".
func nearest(k string, known []string) string {
	best, bestD := "", 3
	if len(k) <= 4 {
		bestD = 2
	}
	for _, w := range known {
		if d := distance(k, w); d < bestD {
			best, bestD = w, d
		}
	}
	return best
}

// distance is the Damerau-Levenshtein (optimal string alignment) distance.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
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

// dir returns an XDG base directory: the variable's value when it is an
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
