// Package chaos is zkctl's chaos language: one grammar shared by the
// dashboard's keys and prompt, `zkctl do`, scripts and the CLI shortcuts.
//
// The package holds the parser (Parse → Program, whose String prints
// canonical lines), the Runner that executes statements against a running
// ensemble through the small Cluster interface, the Recorder that appends
// every executed action to a replayable session script, the client
// Workload that records a history of register operations, and Check, the
// linearizability checker built on porcupine.
//
// A session looks like:
//
//	prog, err := chaos.Parse(src)
//	r := chaos.NewRunner(cluster, chaos.RunnerConfig{Seed: 1, Out: os.Stdout})
//	res := r.Run(ctx, prog)   // res.ExitCode(): 0 pass, 1 failed expect/check, 2 script error
package chaos
