package memory

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The sign codes of a model are also kept in a file beside the database,
// rebuilt from the codes table whenever the store has changed since (a
// generation number in meta counts the writes). A search maps the file
// into memory and scans it, which costs a fraction of reading the codes
// through SQLite. The file holds rowids and sign bits, never text, and is
// a cache: deleting it is always safe.
//
// Layout (little-endian): "SHLFCODE", generation u64, words u64, count u64,
// rowids [count]u64, bits [count*words]u64.

const sidecarMagic = "SHLFCODE"

func (s *Store) sidecarPath(model string) string {
	sum := sha256.Sum256([]byte(model))
	return s.Path + ".codes-" + hex.EncodeToString(sum[:6])
}

// bump records that the store changed (in the writing transaction).
const bumpSQL = `INSERT INTO meta(key, value) VALUES('generation', '1')
	ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`

func (s *Store) generation(ctx context.Context) (uint64, error) {
	var g uint64
	err := s.db.QueryRowContext(ctx, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'").Scan(&g)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return g, nil
}

// codes returns the model's rowids and sign bits from the sidecar file,
// rebuilding it if it is missing or older than the store. release unmaps.
func (s *Store) codes(ctx context.Context, model string, words int) (rowids, bits []byte, release func(), err error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	path := s.sidecarPath(model)
	for try := 0; try < 2; try++ {
		data, unmap, err := mapFile(path)
		if err == nil {
			if len(data) >= 32 && string(data[:8]) == sidecarMagic &&
				binary.LittleEndian.Uint64(data[8:]) == gen && int(binary.LittleEndian.Uint64(data[16:])) == words {
				n := int(binary.LittleEndian.Uint64(data[24:]))
				if 32+n*8+n*words*8 == len(data) {
					return data[32 : 32+n*8], data[32+n*8:], unmap, nil
				}
			}
			unmap()
		}
		if try == 0 {
			if err := s.writeSidecar(ctx, path, model, words, gen); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	return nil, nil, nil, fmt.Errorf("the codes file %s does not match the store", path)
}

func (s *Store) writeSidecar(ctx context.Context, path, model string, words int, gen uint64) error {
	rows, err := s.db.QueryContext(ctx, "SELECT n, rowids, bits FROM codes WHERE model = ? AND words = ? ORDER BY chunk", model, words)
	if err != nil {
		return err
	}
	var ids, bits []byte
	for rows.Next() {
		var n int
		var r, b []byte
		if err := rows.Scan(&n, &r, &b); err != nil {
			rows.Close()
			return err
		}
		for i := range n {
			if binary.LittleEndian.Uint64(r[i*8:]) == 0 {
				continue // forgotten or superseded
			}
			ids = append(ids, r[i*8:i*8+8]...)
			bits = append(bits, b[i*words*8:(i+1)*words*8]...)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	head := []byte(sidecarMagic)
	head = binary.LittleEndian.AppendUint64(head, gen)
	head = binary.LittleEndian.AppendUint64(head, uint64(words))
	head = binary.LittleEndian.AppendUint64(head, uint64(len(ids)/8))
	f, err := os.CreateTemp(filepath.Dir(path), ".codes-*")
	if err != nil {
		return err
	}
	_, err1 := f.Write(head)
	_, err2 := f.Write(ids)
	_, err3 := f.Write(bits)
	err4 := f.Close()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}

// dropSidecars removes the code files (after forgetting, at once rather
// than at the next search).
func (s *Store) dropSidecars() {
	matches, _ := filepath.Glob(s.Path + ".codes-*")
	for _, m := range matches {
		os.Remove(m)
	}
}
