//go:build !linux

package store

import "os"

// fdatasync falls back to a full fsync where fdatasync is unavailable.
func fdatasync(f *os.File) error { return f.Sync() }
