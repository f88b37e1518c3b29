// Package zkproc starts ZooKeeper-compatible servers as real OS processes for
// tests: the zkctl binary itself (Build, StartStandalone) and the shared
// plumbing the oracle package reuses to run Apache ZooKeeper (Process,
// WriteConfig, FreePorts, FourLetter).
//
// Every server a test starts is bound to 127.0.0.1 on free ports, keeps its
// data under t.TempDir(), captures its output in a log file, and is killed by
// pid in t.Cleanup. Both implementations satisfy Target, so one test body can
// run against either:
//
//	for _, tgt := range []zkproc.Target{oracle.StartStandalone(t, opts), zkproc.StartStandalone(t, opts)} {
//		conn := dial(t, tgt.ClientAddr())
//		...
//	}
package zkproc
