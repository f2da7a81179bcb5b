package vecindex

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
)

// The codes of a model are also kept in a file beside the database,
// rebuilt from the store whenever the store has changed since (the store
// counts its writes: a generation number). A search maps the file into
// memory and scans it, which costs a fraction of reading the codes through
// SQLite. The file holds rowids and sign bits, never text, and is a cache:
// deleting it is always safe.
//
// Layout (little-endian): "SHLFCODE", generation u64, words u64, count u64,
// rowids [count]u64, bits [count*words]u64.

const magic = "SHLFCODE"

// FilePath is the file of the codes of model, beside the database at db.
func FilePath(db, model string) string {
	sum := sha256.Sum256([]byte(model))
	return db + ".codes-" + hex.EncodeToString(sum[:6])
}

// MapFile maps the file at path and returns its codes, if it is whole and
// of generation gen and codes of words words; release unmaps. ok is false
// for a file that is missing, stale or not one of these.
func MapFile(path string, gen uint64, words int) (c Codes, release func(), ok bool) {
	c, g, release, ok := MapAny(path, words)
	if ok && g != gen {
		release()
		return Codes{}, nil, false
	}
	return c, release, ok
}

// MapAny maps the file at path and returns its codes and their
// generation, whatever it is, if it is whole and of codes of words words
// (an older generation of codes that only grew since is their start).
func MapAny(path string, words int) (c Codes, gen uint64, release func(), ok bool) {
	data, unmap, err := mapFile(path)
	if err != nil {
		return Codes{}, 0, nil, false
	}
	if c, gen, ok := parse(data, words); ok {
		return c, gen, unmap, true
	}
	unmap()
	return Codes{}, 0, nil, false
}

// parse checks a file's header and size and returns its codes and their
// generation.
func parse(data []byte, words int) (Codes, uint64, bool) {
	if len(data) < 32 || string(data[:8]) != magic || binary.LittleEndian.Uint64(data[16:]) != uint64(words) {
		return Codes{}, 0, false
	}
	n := binary.LittleEndian.Uint64(data[24:])
	if n > uint64(len(data)) || 32+n*8+n*uint64(words)*8 != uint64(len(data)) {
		return Codes{}, 0, false
	}
	return Codes{Words: words, Rowids: data[32 : 32+n*8], Bits: data[32+n*8:]}, binary.LittleEndian.Uint64(data[8:]), true
}

// WriteFile puts the file of codes c, of generation gen, at path whole (a
// temporary file renamed), so that a reader never maps half of one.
func WriteFile(path string, gen uint64, c Codes) error {
	head := []byte(magic)
	head = binary.LittleEndian.AppendUint64(head, gen)
	head = binary.LittleEndian.AppendUint64(head, uint64(c.Words))
	head = binary.LittleEndian.AppendUint64(head, uint64(c.Len()))
	f, err := os.CreateTemp(filepath.Dir(path), ".codes-*")
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range [][]byte{head, c.Rowids, c.Bits} {
		_, err := f.Write(p)
		errs = append(errs, err)
	}
	errs = append(errs, f.Close())
	if err := errors.Join(errs...); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// RemoveFiles removes the code files of the database at db (after
// forgetting, at once rather than when a search finds them stale).
func RemoveFiles(db string) {
	matches, _ := filepath.Glob(db + ".codes-*")
	for _, m := range matches {
		os.Remove(m)
	}
}
