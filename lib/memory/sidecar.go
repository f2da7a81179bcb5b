package memory

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
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
// rebuilding it if it is missing or older than the store. When the file
// cannot be written (a store the user may only read), the codes just read
// from the store serve instead. release unmaps.
func (s *Store) codes(ctx context.Context, model string, words int) (rowids, bits []byte, release func(), err error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	path := s.sidecarPath(model)
	if data, unmap, err := mapFile(path); err == nil {
		if ids, bits, ok := sidecarParts(data, gen, words); ok {
			return ids, bits, unmap, nil
		}
		unmap()
	}
	rowids, bits, err = s.storedCodes(ctx, model, words)
	if err != nil {
		return nil, nil, nil, err
	}
	head := []byte(sidecarMagic)
	head = binary.LittleEndian.AppendUint64(head, gen)
	head = binary.LittleEndian.AppendUint64(head, uint64(words))
	head = binary.LittleEndian.AppendUint64(head, uint64(len(rowids)/8))
	writeSidecar(path, head, rowids, bits) // a cache: the codes in hand serve without it
	return rowids, bits, func() {}, nil
}

// sidecarParts checks a sidecar's header against the store and returns its
// rowids and bits.
func sidecarParts(data []byte, gen uint64, words int) (rowids, bits []byte, ok bool) {
	if len(data) < 32 || string(data[:8]) != sidecarMagic ||
		binary.LittleEndian.Uint64(data[8:]) != gen || int(binary.LittleEndian.Uint64(data[16:])) != words {
		return nil, nil, false
	}
	n := int(binary.LittleEndian.Uint64(data[24:]))
	if 32+n*8+n*words*8 != len(data) {
		return nil, nil, false
	}
	return data[32 : 32+n*8], data[32+n*8:], true
}

// storedCodes reads the model's live codes from the store: their rowids
// and sign bits, as the sidecar holds them.
func (s *Store) storedCodes(ctx context.Context, model string, words int) (rowids, bits []byte, err error) {
	rows, err := s.db.QueryContext(ctx, "SELECT n, rowids, bits FROM codes WHERE model = ? AND words = ? ORDER BY chunk", model, words)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var n int
		var r, b []byte
		if err := rows.Scan(&n, &r, &b); err != nil {
			rows.Close()
			return nil, nil, err
		}
		for i := range n {
			if binary.LittleEndian.Uint64(r[i*8:]) == 0 {
				continue // forgotten or superseded
			}
			rowids = append(rowids, r[i*8:i*8+8]...)
			bits = append(bits, b[i*words*8:(i+1)*words*8]...)
		}
	}
	rows.Close()
	return rowids, bits, rows.Err()
}

// writeSidecar puts a sidecar file in place whole (a temporary file
// renamed), so that a reader never maps half of one.
func writeSidecar(path string, parts ...[]byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".codes-*")
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range parts {
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

// dropSidecars removes the code files (after forgetting, at once rather
// than at the next search).
func (s *Store) dropSidecars() {
	matches, _ := filepath.Glob(s.Path + ".codes-*")
	for _, m := range matches {
		os.Remove(m)
	}
}
