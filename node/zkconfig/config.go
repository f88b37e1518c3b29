// Package zkconfig reads a ZooKeeper 3.8 zoo.cfg (a Java properties file)
// with ZooKeeper's defaults and validation, the myid file of quorum members,
// and renders the canonical quorum-verifier text ZooKeeper puts in
// /zookeeper/config and in FLE notifications.
//
//	cfg, err := zkconfig.Load("node-1/zoo.cfg")
//	if err != nil { return err }            // "zoo.cfg: tickTime: \"abc\" is not a number"
//	if cfg.IsQuorum() { peers := cfg.Voters(); ... }
package zkconfig

import (
	"sort"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// LearnerType is a member's role in the ensemble.
type LearnerType int

// Learner types, as QuorumPeer.LearnerType names them.
const (
	Participant LearnerType = iota
	Observer
)

// String returns "participant" or "observer", the spelling of server.N lines.
func (t LearnerType) String() string {
	if t == Observer {
		return "observer"
	}
	return "participant"
}

// QuorumAddr is one host with its quorum and election ports.
type QuorumAddr struct {
	// Host is the host as written, without IPv6 brackets.
	Host string
	// QuorumPort is the port followers connect to (2888 in the samples).
	QuorumPort int
	// ElectionPort is the FLE port (3888 in the samples).
	ElectionPort int
}

// Server is one server.N line.
type Server struct {
	// ID is the sid N (matches the member's myid).
	ID int64
	// Addrs holds one address, or several with multiAddress.enabled=true.
	Addrs []QuorumAddr
	// Type is participant (voter) or observer.
	Type LearnerType
	// ClientHost and ClientPort come from the optional ";[host:]port" part;
	// ClientHost is "0.0.0.0" when only a port was given.
	ClientHost string
	ClientPort int
	// HasClientAddr is true when the line had a ";" client part; only then
	// does the quorum verifier text show it.
	HasClientAddr bool
}

// Whitelist is the set of four-letter words a server answers.
type Whitelist struct {
	all   bool
	words map[string]bool
}

// Allows reports whether word may be executed.
func (w Whitelist) Allows(word string) bool {
	return w.all || w.words[word]
}

// All reports whether the whitelist is "*".
func (w Whitelist) All() bool { return w.all }

// Words returns the explicitly listed words, sorted (nil when All).
func (w Whitelist) Words() []string {
	if w.all {
		return nil
	}
	out := make([]string, 0, len(w.words))
	for k := range w.words {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Config is a parsed zoo.cfg. Durations are in milliseconds and limits in
// ticks, as in zoo.cfg itself.
type Config struct {
	// Path is the file Load read; Text its content (initial_configuration).
	Path string
	Text string

	// TickTime is the base time unit in ms (default 3000).
	TickTime int
	// InitLimit, SyncLimit and ConnectToLearnerMasterLimit are in ticks.
	// InitLimit and SyncLimit are required in quorum mode;
	// ConnectToLearnerMasterLimit defaults to InitLimit.
	InitLimit                   int
	SyncLimit                   int
	ConnectToLearnerMasterLimit int

	// DataDir holds snapshots (under version-2) and myid; DataLogDir holds
	// txn logs and defaults to DataDir. Both as written in the file.
	DataDir    string
	DataLogDir string

	// ClientPort is the plaintext client port, 0 when none is configured.
	// ClientPortAddress is the host to bind ("" = all interfaces).
	ClientPort        int
	ClientPortAddress string
	// SecureClientPort is the TLS client port: always 0, since zkctl does
	// not serve TLS and refuses secureClientPort (keys.go).
	SecureClientPort int
	// ClientPortListenBacklog is the listen backlog, -1 for the default.
	ClientPortListenBacklog int

	// AdminEnableServer turns the AdminServer on (default true).
	AdminEnableServer bool
	// AdminServerAddress is the admin bind address. Default "0.0.0.0" for
	// compatibility with ZooKeeper; zkctl's generated configs set 127.0.0.1.
	AdminServerAddress string
	// AdminServerPort is the admin HTTP port (default 8080).
	AdminServerPort int
	// AdminIdleTimeout is the admin connection idle timeout in ms (default 30000).
	AdminIdleTimeout int
	// AdminCommandURL is the command prefix (default "/commands").
	AdminCommandURL string

	// FourLetterWords is 4lw.commands.whitelist (default: srvr only; srvr
	// is always allowed).
	FourLetterWords Whitelist

	// MaxClientCnxns limits connections per client IP (default 60, 0 = none).
	MaxClientCnxns int
	// MaxCnxns limits the client listener's connections in total (default
	// 0 = none).
	MaxCnxns int
	// minSessionTimeout and maxSessionTimeout are -1 when unset; see the
	// methods of the same name.
	minSessionTimeout int
	maxSessionTimeout int

	// SnapCount is the txn count between snapshots (default 100000, min 2).
	SnapCount int
	// SnapSizeLimitInKb bounds log size between snapshots (≤0 disables).
	SnapSizeLimitInKb int64
	// PreAllocSizeKB is the txn log preallocation in KB (default 65536).
	PreAllocSizeKB int64
	// ForceSync is false only for forceSync=no.
	ForceSync bool
	// AutopurgeSnapRetainCount is at least 3; AutopurgePurgeInterval is in
	// hours, 0 = disabled.
	AutopurgeSnapRetainCount int
	AutopurgePurgeInterval   int
	// GlobalOutstandingLimit bounds queued requests (default 1000).
	GlobalOutstandingLimit int

	// ExtendedTypesEnabled enables TTL nodes (myid must then be ≤ 254).
	ExtendedTypesEnabled bool
	// StandaloneEnabled false makes even one server.N line run quorum code.
	StandaloneEnabled bool
	// ReconfigEnabled enables the reconfig operation (default false).
	ReconfigEnabled bool
	// PeerType is this server's role from peerType; the server.N line of
	// this server wins on conflict.
	PeerType LearnerType
	// CnxTimeout is the election connection timeout in ms (default 5000).
	CnxTimeout int
	// ElectionPortBindRetry is the bind retry count (default 3, 0 = forever).
	ElectionPortBindRetry int
	// ElectionAlg is always 3.
	ElectionAlg int
	// QuorumListenOnAllIPs binds quorum/election ports on all interfaces.
	QuorumListenOnAllIPs bool
	// LocalSessionsEnabled and LocalSessionsUpgradingEnabled, default false.
	LocalSessionsEnabled          bool
	LocalSessionsUpgradingEnabled bool
	// SyncEnabled makes observers log to disk (default true).
	SyncEnabled bool
	// LeaderServes lets the leader accept clients (default true).
	LeaderServes bool

	// MetricsProviderClassName is metricsProvider.className: 3.8's
	// DefaultMetricsProvider (mntr only, the default) or its
	// PrometheusMetricsProvider, which also serves /metrics on
	// MetricsProviderHTTPHost:MetricsProviderHTTPPort. Other classes are
	// refused.
	MetricsProviderClassName string
	// MetricsProviderHTTPHost is metricsProvider.httpHost (default "0.0.0.0").
	MetricsProviderHTTPHost string
	// MetricsProviderHTTPPort is metricsProvider.httpPort (default 7000).
	MetricsProviderHTTPPort int
	// MetricsProviderExportJvmInfo is metricsProvider.exportJvmInfo
	// (default true): zkctl exports the Go runtime and process collectors
	// in place of the JVM's.
	MetricsProviderExportJvmInfo bool
	// MultiAddressEnabled allows several '|'-separated addresses per server.
	MultiAddressEnabled bool
	// SuperDigest is DigestAuthenticationProvider.superDigest
	// ("super:<base64 sha1>"), empty when unset.
	SuperDigest string

	// JuteMaxBuffer is jute.maxbuffer: the largest client frame, in bytes
	// (default 0xfffff). Zero or negative is refused at load; a Config built
	// in code with 0 means the default (see MaxFrameLen).
	JuteMaxBuffer int
	// JuteMaxBufferExtraSize is jute.maxbuffer.extrasize: the slack 3.8 adds
	// to jute.maxbuffer for records it reads back (log records, snapshot
	// fields, proposals). -1 = unset, i.e. equal to JuteMaxBuffer; values
	// below 1024 count as 1024, as in 3.8 (see MaxRecordLen).
	JuteMaxBufferExtraSize int
	// ReadOnlyModeEnabled is 3.8's readonlymode.enabled system property
	// (a zoo.cfg line or -Dreadonlymode.enabled in SERVER_JVMFLAGS/JVMFLAGS):
	// an ensemble member without a quorum serves read-only clients
	// (docs/readonly.md). Like Java's Boolean.getBoolean, only "true".
	ReadOnlyModeEnabled bool
	// EnforceQuota is enforceQuota (zookeeper.enforceQuota): creates and
	// setData past a hard quota fail with QuotaExceeded. As Java's
	// Boolean.parseBoolean, only "true" (any case) turns it on.
	EnforceQuota bool
	// DigestEnabled is digest.enabled (zookeeper.digest.enabled, default
	// true): whether txns carry the tree digest.
	DigestEnabled bool
	// SnapshotTrustEmpty is snapshot.trust.empty (refused when true).
	SnapshotTrustEmpty bool
	// FsyncWarningThresholdMs is fsync.warningthresholdms (default 1000): an
	// fsync slower than this is logged.
	FsyncWarningThresholdMs int64
	// CommitLogCount is commitLogCount (default and minimum 500): how many
	// recent txns the committed log keeps for DIFF syncs.
	CommitLogCount int
	// SnapshotSizeFactor is snapshotSizeFactor (default 0.33; above 1 reset
	// to 0.33, negative disables DIFFs from the on-disk log): a DIFF sync may
	// replay at most this fraction of the snapshot size from the log.
	SnapshotSizeFactor float64

	// Warnings are startup warnings about keys accepted without effect
	// (Tuning keys) and -D flags 3.8 would not read; the server logs them.
	Warnings []string

	// Servers are the server.N lines sorted by ID.
	Servers []Server
	// MyID is read from <DataDir>/myid in quorum mode; 0 in standalone.
	MyID int64

	// Extra holds keys zkctl does not interpret, as ZooKeeper turns them into
	// system properties "zookeeper.<key>" (shown by system_properties).
	Extra map[string]string
}

// Default returns the configuration of an empty zoo.cfg with dataDir set:
// ZooKeeper 3.8's defaults.
func Default(dataDir string) *Config {
	return &Config{
		TickTime:                     3000,
		DataDir:                      dataDir,
		DataLogDir:                   dataDir,
		ClientPortListenBacklog:      -1,
		AdminEnableServer:            true,
		AdminServerAddress:           "0.0.0.0",
		AdminServerPort:              8080,
		AdminIdleTimeout:             30000,
		AdminCommandURL:              "/commands",
		FourLetterWords:              Whitelist{words: map[string]bool{"srvr": true}},
		MaxClientCnxns:               60,
		minSessionTimeout:            -1,
		maxSessionTimeout:            -1,
		SnapCount:                    100000,
		SnapSizeLimitInKb:            4194304,
		PreAllocSizeKB:               65536,
		ForceSync:                    true,
		AutopurgeSnapRetainCount:     3,
		GlobalOutstandingLimit:       1000,
		StandaloneEnabled:            true,
		CnxTimeout:                   5000,
		ElectionPortBindRetry:        3,
		ElectionAlg:                  3,
		SyncEnabled:                  true,
		LeaderServes:                 true,
		MetricsProviderClassName:     DefaultMetricsProvider,
		MetricsProviderHTTPHost:      "0.0.0.0",
		MetricsProviderHTTPPort:      7000,
		MetricsProviderExportJvmInfo: true,
		JuteMaxBuffer:                DefaultJuteMaxBuffer,
		JuteMaxBufferExtraSize:       -1,
		DigestEnabled:                true,
		FsyncWarningThresholdMs:      1000,
		CommitLogCount:               500,
		SnapshotSizeFactor:           0.33,
		Extra:                        map[string]string{},
	}
}

// The metricsProvider.className values zkctl implements.
const (
	// DefaultMetricsProvider is 3.8's default: ServerMetrics in mntr only.
	DefaultMetricsProvider = "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider"
	// PrometheusMetricsProvider adds the /metrics HTTP endpoint.
	PrometheusMetricsProvider = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider"
)

// PrometheusEnabled reports whether the Prometheus /metrics endpoint is
// configured.
func (c *Config) PrometheusEnabled() bool {
	return c.MetricsProviderClassName == PrometheusMetricsProvider
}

// DefaultJuteMaxBuffer is 3.8's jute.maxbuffer default, 0xfffff bytes.
const DefaultJuteMaxBuffer = 0xfffff

// MaxFrameLen is the largest client frame the server accepts:
// jute.maxbuffer (the default when the Config was built in code with 0).
func (c *Config) MaxFrameLen() int {
	if c.JuteMaxBuffer <= 0 {
		return DefaultJuteMaxBuffer
	}
	return c.JuteMaxBuffer
}

// MaxRecordLen is the largest record read back from disk or a peer (a txn
// log record, a snapshot field, a proposal's txn): jute.maxbuffer plus
// jute.maxbuffer.extrasize (extrasize unset = jute.maxbuffer, floor 1024),
// capped at 2^31-1, as 3.8's BinaryInputArchive. Every txn written is
// checked against it up front, so nothing is acknowledged that recovery
// would refuse.
func (c *Config) MaxRecordLen() int {
	return jute.MaxRecordLen(c.MaxFrameLen(), c.JuteMaxBufferExtraSize)
}

// FsyncWarning is fsync.warningthresholdms as a duration (one second for
// a Config built in code without it).
func (c *Config) FsyncWarning() time.Duration {
	if c.FsyncWarningThresholdMs <= 0 {
		return time.Second
	}
	return time.Duration(c.FsyncWarningThresholdMs) * time.Millisecond
}

// ConnectLimitTicks is connectToLearnerMasterLimit, or initLimit when it is
// unset (0, as in a Config built in code).
func (c *Config) ConnectLimitTicks() int {
	if c.ConnectToLearnerMasterLimit > 0 {
		return c.ConnectToLearnerMasterLimit
	}
	return c.InitLimit
}

// MinSessionTimeoutMs is minSessionTimeout, or 2 × tickTime when unset.
func (c *Config) MinSessionTimeoutMs() int {
	if c.minSessionTimeout < 0 {
		return 2 * c.TickTime
	}
	return c.minSessionTimeout
}

// MaxSessionTimeoutMs is maxSessionTimeout, or 20 × tickTime when unset.
func (c *Config) MaxSessionTimeoutMs() int {
	if c.maxSessionTimeout < 0 {
		return 20 * c.TickTime
	}
	return c.maxSessionTimeout
}

// SetSessionTimeouts sets min and max session timeouts in ms (-1 = default
// from tickTime); for callers building a Config in code.
func (c *Config) SetSessionTimeouts(minMs, maxMs int) {
	c.minSessionTimeout, c.maxSessionTimeout = minMs, maxMs
}

// Voters returns the participant servers, sorted by ID.
func (c *Config) Voters() []Server {
	return c.byType(Participant)
}

// Observers returns the observer servers, sorted by ID.
func (c *Config) Observers() []Server {
	return c.byType(Observer)
}

func (c *Config) byType(t LearnerType) []Server {
	var out []Server
	for _, s := range c.Servers {
		if s.Type == t {
			out = append(out, s)
		}
	}
	return out
}

// Server returns the server.N line with the given id.
func (c *Config) Server(id int64) (Server, bool) {
	for _, s := range c.Servers {
		if s.ID == id {
			return s, true
		}
	}
	return Server{}, false
}

// IsQuorum reports whether the process runs quorum code (ZooKeeper's
// QuorumPeerConfig.isDistributed): a membership exists and either
// standaloneEnabled=false or there are at least two voters.
func (c *Config) IsQuorum() bool {
	if len(c.Servers) == 0 {
		return false
	}
	return !c.StandaloneEnabled || len(c.Voters()) > 1
}

// Me returns this server's own server.N line in quorum mode.
func (c *Config) Me() (Server, bool) {
	if !c.IsQuorum() {
		return Server{}, false
	}
	return c.Server(c.MyID)
}

// LearnerType returns this server's effective role: its server.N line wins
// over peerType.
func (c *Config) LearnerType() LearnerType {
	if me, ok := c.Me(); ok {
		return me.Type
	}
	return c.PeerType
}
