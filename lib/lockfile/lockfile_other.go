//go:build !unix

// Package lockfile provides advisory locks on open files (flock), so that
// two shelf processes (overlapping cron jobs) take turns at a file or a
// vault. Elsewhere than Unix the locks are no-ops.
package lockfile

import "os"

// Lock waits for an exclusive lock on f.
func Lock(*os.File) error { return nil }

// TryLock takes an exclusive lock on f if nobody holds one.
func TryLock(*os.File) (bool, error) { return true, nil }

// Unlock releases the lock.
func Unlock(*os.File) error { return nil }
