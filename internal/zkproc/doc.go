// Package zkproc starts ZooKeeper-compatible servers as real OS processes for
// tests: the zkctl binary itself (Build, TryStartStandalone, StartEnsemble)
// and the shared plumbing the oracle package reuses to run Apache ZooKeeper
// (Launcher, Start, Options, FourLetter). The child processes themselves are
// internal/proc's, which the launcher uses too.
//
// Every server a test starts is bound to 127.0.0.1 on free ports, keeps its
// data under t.TempDir(), captures its output in a log file, and is killed by
// pid in t.Cleanup. Both implementations satisfy Target, so one test body can
// run against either:
//
//	zk, err := zkproc.TryStartStandalone(t, opts)
//	...
//	for _, tgt := range []zkproc.Target{oracle.StartStandalone(t, opts), zk} {
//		conn := dial(t, tgt.ClientAddr())
//		...
//	}
package zkproc
