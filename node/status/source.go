// Package status renders a server's state for operators: the four-letter
// words on the client port, the AdminServer's /commands JSON (ZooKeeper
// 3.8 shapes plus zkctl's /commands/peer and /commands/events) and a
// Prometheus /metrics page. Everything shown comes from a Source, which the
// server implements; this package holds no numbers of its own.
package status

import (
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// Source is what a server exposes to the status renderers. Each method
// returns a fresh copy; implementations must be safe for concurrent use.
type Source interface {
	// Serving reports whether a ZooKeeperServer is running (false during
	// leader election or startup): most commands then answer
	// "This ZooKeeper instance is not currently serving requests".
	Serving() bool
	// ServerStats returns the counters of srvr/stat/mntr.
	ServerStats() ServerStats
	// QuorumInfo returns the quorum view (zero values with Mode standalone).
	QuorumInfo() QuorumInfo
	// Connections returns the open client connections, 4lw probes included.
	Connections() []ConnInfo
	// Watches returns the data watches (one entry per session and path).
	Watches() []Watch
	// Sessions returns the live sessions with their ephemeral nodes.
	Sessions() []SessionInfo
	// Config returns the configuration the server runs with.
	Config() *zkconfig.Config
	// Peer returns the /commands/peer picture.
	Peer() adminapi.Peer
	// Events returns the events with Seq > since (see EventRing.Since).
	Events(since uint64) adminapi.Events
	// ResetStats resets latency and packet counters (srst).
	ResetStats()
	// ResetConnStats resets every connection's counters (crst).
	ResetConnStats()
	// TraceMask and SetTraceMask get and set the trace mask (gtmk/stmk).
	TraceMask() int64
	SetTraceMask(mask int64)
}

// Modes as srvr's "Mode:" line and mntr's zk_server_state print them.
const (
	ModeStandalone = "standalone"
	ModeLeader     = "leader"
	ModeFollower   = "follower"
	ModeObserver   = "observer"
	ModeReadOnly   = "read-only"
)

// BufferStats is ZooKeeper's BufferStats: sizes in bytes, -1 until set.
type BufferStats struct {
	Last int64
	Min  int64
	Max  int64
}

// UnsetBufferStats is BufferStats before the first sample.
var UnsetBufferStats = BufferStats{Last: -1, Min: -1, Max: -1}

// ServerStats are the server-wide counters (ZooKeeper's ServerStats plus
// the DataTree gauges that mntr prints).
type ServerStats struct {
	// Version is the full version string; empty means Version().
	Version string
	// Mode is standalone, leader, follower, observer or read-only.
	Mode string
	// ReadOnly is true in read-only mode.
	ReadOnly bool
	// Uptime is how long the server has been up.
	Uptime time.Duration
	// PacketsReceived and PacketsSent count client packets since reset.
	PacketsReceived int64
	PacketsSent     int64
	// Outstanding is the number of queued requests.
	Outstanding int64
	// MinLatencyMs, AvgLatencyMs and MaxLatencyMs are request latencies
	// since reset (0 before any request).
	MinLatencyMs int64
	AvgLatencyMs float64
	MaxLatencyMs int64
	// LastZxid is the last processed zxid.
	LastZxid int64
	// NodeCount is the number of znodes (5 on a fresh server with /zookeeper/config).
	NodeCount int
	// WatchCount counts data and child watch registrations.
	WatchCount int
	// EphemeralsCount counts ephemeral znodes.
	EphemeralsCount int
	// ApproximateDataSize is Σ(len(path)+len(data)) over all znodes.
	ApproximateDataSize int64
	// QuotaMetrics are 3.8's per-namespace quota gauges keyed as mntr
	// prints them without "zk_" (store.DataTree.QuotaMetrics); empty without quotas.
	QuotaMetrics map[string]int64
	// AliveConnections is the number of open client connections.
	AliveConnections int
	// GlobalSessions and LocalSessions count sessions.
	GlobalSessions int
	LocalSessions  int
	// DataDirSize and LogDirSize are the bytes under dataDir and dataLogDir.
	DataDirSize int64
	LogDirSize  int64
	// FsyncThresholdExceedCount counts fsyncs slower than the warning threshold.
	FsyncThresholdExceedCount int64
	// AuthFailedCount counts failed authentications.
	AuthFailedCount int64
	// ClientResponse tracks the sizes of client responses.
	ClientResponse BufferStats
	// Proposal tracks proposal sizes (meaningful on a leader).
	Proposal BufferStats
	// LastSnapshotZxid and LastSnapshotTime describe the newest snapshot
	// (zero time when none was taken or loaded).
	LastSnapshotZxid int64
	LastSnapshotTime time.Time
}

// QuorumInfo is the quorum side of a server; zero values in standalone.
type QuorumInfo struct {
	// MyID is this server's sid (0 standalone).
	MyID int64
	// State is LOOKING, FOLLOWING, LEADING, OBSERVING or STANDALONE (adminapi.State*).
	State string
	// ZabPhase is election, discovery, synchronization or broadcast (adminapi.Phase*).
	ZabPhase string
	// SyncMode is NONE/"" , DIFF, SNAP or TRUNC while synchronizing.
	SyncMode string
	// IsLeader is true on the leader.
	IsLeader bool
	// LeaderID is the current leader's sid, -1 when unknown.
	LeaderID int64
	// Voting is true for participants.
	Voting bool
	// LastZxid and Epoch are the last logged zxid and the current epoch.
	LastZxid int64
	Epoch    int64
	// QuorumSize is the number of voting members.
	QuorumSize int
	// Learners, SyncedFollowers, SyncedNonVotingFollowers, SyncedObservers
	// and PendingSyncs are leader-side counts (SyncedObservers also on
	// followers serving as observer masters).
	Learners                 int
	SyncedFollowers          int
	SyncedNonVotingFollowers int
	SyncedObservers          int
	PendingSyncs             int
	// LeaderUptime is how long this server has led (leader only).
	LeaderUptime time.Duration
	// ObserverMasterID is the sid an observer is connected to, -1 if none.
	ObserverMasterID int64
	// Observers lists the observers connected to this server (leader).
	Observers []ObserverInfo
}

// ObserverInfo is one observer as its master sees it.
type ObserverInfo struct {
	// ID is the observer's sid.
	ID int64
	// Addr is its remote "host:port".
	Addr string
	// LastZxid is the last zxid sent to it.
	LastZxid int64
	// QueuedPackets is its send queue length.
	QueuedPackets int
	// Established is when it connected.
	Established time.Time
}

// ConnInfo is one client connection (ServerCnxn.getConnectionInfo).
type ConnInfo struct {
	// RemoteAddr is the client's "host:port" (IPv6 as "[::1]:port").
	RemoteAddr string
	// InterestOps is the selector interest set (1 = read; 0 for a 4lw probe).
	InterestOps int
	// Outstanding is the number of queued requests.
	Outstanding int64
	// PacketsReceived and PacketsSent count packets since reset.
	PacketsReceived int64
	PacketsSent     int64
	// SessionID is the session, 0 before a session is established.
	SessionID int64
	// LastOp is ZooKeeper's abbreviation of the last operation (OpName), "NA" before any.
	LastOp string
	// Established is when the connection was accepted.
	Established time.Time
	// SessionTimeoutMs is the negotiated session timeout.
	SessionTimeoutMs int
	// LastCxid is the last client xid (-1 before any); LastZxid the last
	// zxid replied (-1 before any reply).
	LastCxid int64
	LastZxid int64
	// LastResponseMs is a monotonic millisecond clock value of the last reply.
	LastResponseMs int64
	// LastLatencyMs, MinLatencyMs, AvgLatencyMs and MaxLatencyMs are the
	// connection's request latencies.
	LastLatencyMs int64
	MinLatencyMs  int64
	AvgLatencyMs  int64
	MaxLatencyMs  int64
}

// Watch is one data watch: a session watching a path.
type Watch struct {
	SessionID int64
	Path      string
}

// SessionInfo is one live session.
type SessionInfo struct {
	// ID is the session id.
	ID int64
	// TimeoutMs is the negotiated timeout.
	TimeoutMs int
	// ExpiresAt is the expiry bucket time (tickTime-rounded deadline).
	ExpiresAt time.Time
	// Ephemerals are the session's ephemeral paths, sorted.
	Ephemerals []string
}
