//go:build unix

// Package lockfile provides advisory locks on open files (flock), so that
// two shelf processes (overlapping cron jobs) take turns at a file or a
// vault. Elsewhere than Unix the locks are no-ops.
package lockfile

import (
	"errors"
	"os"
	"syscall"
)

// Lock waits for an exclusive lock on f.
func Lock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

// TryLock takes an exclusive lock on f if nobody holds one.
func TryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// Unlock releases the lock.
func Unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
