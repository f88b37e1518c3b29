package node

import (
	"github.com/zkctl/zkctl/node/metrics"
	"github.com/zkctl/zkctl/store"
)

// newServerMetrics is the server's 3.8 ServerMetrics. Each Server has its
// own set: a zkctl process runs one server, so this is what 3.8's JVM-wide
// ServerMetrics is, while tests that run an ensemble in one process still
// read each member's own values through mntr (serve.Server implements
// status.MetricsSource).
func newServerMetrics() *metrics.Server { return metrics.New() }

// storeObserver passes the store's timings to the metrics: fsynctime,
// snapshottime and dbinittime, as 3.8's FileTxnLog.commit,
// ZooKeeperServer.takeSnapshot and ZKDatabase.loadDataBase record them.
func storeObserver(m *metrics.Server) store.Observer {
	if m == nil {
		return store.Observer{}
	}
	return store.Observer{Fsync: m.ObserveFsync, Snapshot: m.ObserveSnapshot, Restore: m.ObserveDBInit}
}
