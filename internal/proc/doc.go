// Package proc runs one child program the way both the launcher and the test
// helpers need it: in its own process group, killed with its parent on Linux
// (Pdeathsig), output appended to a log file, reaped exactly once. It is the
// one copy of that code; launcher (product) and internal/zkproc (tests) wrap
// it. Signals only ever go to the pid or process group it started, never to
// anything found by name.
package proc
