package store

import (
	"os"
	"syscall"
)

// fdatasync flushes a file's data (not all metadata), like FileChannel.force(false).
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
