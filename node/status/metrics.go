package status

import (
	"os"
	"sort"
	"strings"
	"syscall"

	"github.com/zkctl/zkctl/node/metrics"
)

// metric is one mntr value: int64, float64 or string.
type metric struct {
	Key   string
	Value any
}

// MetricsSource is implemented by a Source that carries its own 3.8
// ServerMetrics (one per server, so that several servers in one process
// keep their numbers apart). A Source without it reports
// metrics.Default(), the process's, as 3.8 reports its JVM-wide
// ServerMetrics.
type MetricsSource interface {
	ServerMetrics() *metrics.Server
}

// serverMetrics is src's ServerMetrics.
func serverMetrics(src Source) *metrics.Server {
	if ms, ok := src.(MetricsSource); ok {
		if m := ms.ServerMetrics(); m != nil {
			return m
		}
	}
	return metrics.Default()
}

// resetStats is srst and /commands/stat_reset: the server's counters and,
// as 3.8's ServerStats.reset calls ServerMetrics.resetAll, the
// ServerMetrics, which only the default provider resets (3.8's Prometheus
// provider ignores it).
func resetStats(src Source) {
	src.ResetStats()
	if cfg := src.Config(); cfg == nil || !cfg.PrometheusEnabled() {
		serverMetrics(src).Reset()
	}
}

// monitorValues lists mntr's values (4lw and /commands/monitor): the
// classic gauges of classicValues, then every 3.8 ServerMetrics key in the
// forms 3.8's default metrics provider prints (avg_X, min_X, max_X, cnt_X,
// sum_X, p50_X…), as 3.8's MonitorCommand appends the provider's dump.
func monitorValues(src Source) []metric {
	m := classicValues(src)
	serverMetrics(src).Dump(func(k string, v any) { m = append(m, metric{k, v}) })
	return m
}

// classicValues lists mntr's gauges in a fixed order: version,
// server_state, peer_state and observer_master_id first (as 3.8 does),
// then the gauges. Everything comes from src; the file descriptor counts
// are this process's.
func classicValues(src Source) []metric {
	st := src.ServerStats()
	q := src.QuorumInfo()
	cfg := src.Config()
	quorum := cfg != nil && cfg.IsQuorum()
	m := []metric{
		{"version", st.version()},
		{"server_state", st.Mode},
	}
	if quorum {
		m = append(m, metric{"peer_state", peerState(q)})
		if st.Mode == ModeObserver {
			m = append(m, metric{"observer_master_id", q.ObserverMasterID})
		}
	}
	m = append(m,
		metric{"avg_latency", round4(st.AvgLatencyMs)},
		metric{"max_latency", st.MaxLatencyMs},
		metric{"min_latency", st.MinLatencyMs},
		metric{"packets_received", st.PacketsReceived},
		metric{"packets_sent", st.PacketsSent},
		metric{"num_alive_connections", int64(st.AliveConnections)},
		metric{"outstanding_requests", st.Outstanding},
		metric{"uptime", st.Uptime.Milliseconds()},
		metric{"znode_count", int64(st.NodeCount)},
		metric{"watch_count", int64(st.WatchCount)},
		metric{"ephemerals_count", int64(st.EphemeralsCount)},
		metric{"approximate_data_size", st.ApproximateDataSize},
	)
	if open, max, ok := fileDescriptors(); ok {
		m = append(m, metric{"open_file_descriptor_count", open}, metric{"max_file_descriptor_count", max})
	}
	m = append(m,
		metric{"global_sessions", int64(st.GlobalSessions)},
		metric{"local_sessions", int64(st.LocalSessions)},
		metric{"connection_drop_probability", 0.0},
		metric{"last_client_response_size", st.ClientResponse.Last},
		metric{"max_client_response_size", st.ClientResponse.Max},
		metric{"min_client_response_size", st.ClientResponse.Min},
		metric{"outstanding_tls_handshake", int64(0)},
		metric{"auth_failed_count", st.AuthFailedCount},
		metric{"non_mtls_remote_conn_count", int64(0)},
		metric{"non_mtls_local_conn_count", int64(0)},
	)
	for _, k := range sortedQuotaKeys(st.QuotaMetrics) { // 3.8's quota gauge sets, only when quotas exist
		m = append(m, metric{k, st.QuotaMetrics[k]})
	}
	if quorum {
		m = append(m, metric{"quorum_size", int64(q.QuorumSize)})
	}
	switch st.Mode {
	case ModeLeader:
		m = append(m,
			metric{"learners", int64(q.Learners)},
			metric{"synced_followers", int64(q.SyncedFollowers)},
			metric{"synced_non_voting_followers", int64(q.SyncedNonVotingFollowers)},
			metric{"synced_observers", int64(q.SyncedObservers)},
			metric{"pending_syncs", int64(q.PendingSyncs)},
			metric{"leader_uptime", q.LeaderUptime.Milliseconds()},
			metric{"last_proposal_size", st.Proposal.Last},
			metric{"max_proposal_size", st.Proposal.Max},
			metric{"min_proposal_size", st.Proposal.Min},
		)
	case ModeFollower:
		m = append(m, metric{"synced_observers", int64(q.SyncedObservers)})
	}
	return m
}

// peerState is QuorumPeer.getDetailedPeerState: "following - broadcast",
// "following - synchronization - diff", "looking".
func peerState(q QuorumInfo) string {
	s := strings.ToLower(q.State)
	if q.ZabPhase != "" && q.ZabPhase != "election" {
		s += " - " + strings.ToLower(q.ZabPhase)
		if q.SyncMode != "" && !strings.EqualFold(q.SyncMode, "NONE") {
			s += " - " + strings.ToLower(q.SyncMode)
		}
	}
	return s
}

// fileDescriptors returns the open and maximum descriptor counts of this
// process (Linux /proc; ok=false elsewhere).
func fileDescriptors() (open, max int64, ok bool) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, 0, false
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, false
	}
	return int64(len(entries)), int64(lim.Cur), true
}

// sortedQuotaKeys orders the quota gauges so mntr output is stable.
func sortedQuotaKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
