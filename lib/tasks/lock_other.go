//go:build !unix

package tasks

import "os"

// Elsewhere there is no advisory lock; the append is still one write.
func lock(*os.File) error   { return nil }
func unlock(*os.File) error { return nil }
