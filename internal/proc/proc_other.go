//go:build unix && !linux

package proc

import "syscall"

// sysProcAttr puts the child in its own process group. Only Linux has
// Pdeathsig; elsewhere a child outlives a parent that dies without stopping
// it.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
