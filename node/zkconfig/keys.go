package zkconfig

import (
	"sort"
	"strings"
)

// Outcome is what zkctl does with a key ZooKeeper 3.8 accepts. Every key
// 3.8 reads (from zoo.cfg or as a system property) has one, so that no
// setting an operator wrote is silently dropped: docs/configuration.md is
// the prose form of keyTable.
type Outcome int

// Outcomes, from "does what 3.8 does" to "the server will not start".
const (
	// Works: zkctl implements the key as 3.8 does.
	Works Outcome = iota
	// Tuning: a performance knob of a 3.8 mechanism zkctl does not have
	// (thread pools, caches, socket tweaks); no client can tell it apart.
	// Accepted, with a startup warning naming it (Config.Warnings).
	Tuning
	// Refused: 3.8 changes behaviour a client can see with this key and zkctl
	// does not implement it yet; the server refuses to start. Values equal
	// to 3.8's default (what zkctl does anyway) are accepted.
	Refused
	// Security: TLS, SASL, Kerberos and authentication-provider keys. Refused
	// whatever the value until TLS/SASL land (a TLS-only config must never
	// come up with a plaintext listener).
	Security
)

// String names the outcome as docs/configuration.md does.
func (o Outcome) String() string {
	switch o {
	case Works:
		return "works"
	case Tuning:
		return "accepted, no effect (tuning)"
	case Refused:
		return "refused"
	}
	return "refused (security)"
}

// keySpec is one row of keyTable.
type keySpec struct {
	// key as 3.8 spells it; a trailing '.' makes it a prefix.
	key     string
	outcome Outcome
	// accept, for Refused keys, reports whether the value is 3.8's default,
	// i.e. what zkctl does anyway, so the line is harmless.
	accept func(v string) bool
	// why is the reason given in the refusal or warning.
	why string
}

func isFalse(v string) bool { s := strings.ToLower(v); return s == "false" || s == "no" }
func isTrue(v string) bool  { s := strings.ToLower(v); return s == "true" || s == "yes" }
func isEmpty(v string) bool { return strings.TrimSpace(v) == "" }
func isOneOf(vals ...string) func(string) bool {
	return func(v string) bool {
		for _, x := range vals {
			if strings.EqualFold(strings.TrimSpace(v), x) {
				return true
			}
		}
		return false
	}
}

const (
	whySecurity = "TLS, SASL and authentication providers are not implemented (remove the key, or run Apache ZooKeeper)"
	whyTuning   = "tunes a 3.8 mechanism zkctl does not have; it has no effect"
)

// keyTable is the decision for every key ZooKeeper 3.8 reads: the keys of
// QuorumPeerConfig.parseProperties, the zookeeper.* system properties zoo.cfg
// sets, and the JVM-only properties of the admin guide. Keys not listed (and
// matching no prefix) are passed through to Config.Extra, as 3.8 turns them
// into system properties nothing reads.
var keyTable = []keySpec{
	// QuorumPeerConfig keys and system properties zkctl implements.
	{key: "tickTime"}, {key: "initLimit"}, {key: "syncLimit"}, {key: "connectToLearnerMasterLimit"},
	{key: "dataDir"}, {key: "dataLogDir"}, {key: "clientPort"}, {key: "clientPortAddress"},
	{key: "maxClientCnxns"}, {key: "maxCnxns"}, {key: "minSessionTimeout"}, {key: "maxSessionTimeout"},
	{key: "snapCount"}, {key: "snapSizeLimitInKb"}, {key: "preAllocSize"}, {key: "forceSync"},
	{key: "autopurge.snapRetainCount"}, {key: "autopurge.purgeInterval"}, {key: "globalOutstandingLimit"},
	{key: "extendedTypesEnabled"}, {key: "standaloneEnabled"}, {key: "reconfigEnabled"}, {key: "peerType"},
	{key: "electionAlg"}, {key: "quorumListenOnAllIPs"}, {key: "syncEnabled"},
	{key: "multiAddress.enabled"}, {key: "DigestAuthenticationProvider.superDigest"},
	{key: "server."},
	{key: "dynamicConfigFile", outcome: Refused, why: "dynamic config files are not supported; put the server.N lines in zoo.cfg"},
	{key: "group", outcome: Refused, why: "hierarchical quorums (group/weight)"},
	{key: "weight", outcome: Refused, why: "hierarchical quorums (group/weight)"},
	{key: "admin.enableServer"}, {key: "admin.serverAddress"}, {key: "admin.serverPort"}, {key: "admin.commandURL"},
	{key: "4lw.commands.whitelist"},
	{key: "znode.container.checkIntervalMs"}, {key: "znode.container.maxPerMinute"},
	{key: "znode.container.maxNeverUsedIntervalMs"},
	// JVM-property settings zkctl also reads from zoo.cfg (typed fields).
	{key: "jute.maxbuffer"}, {key: "jute.maxbuffer.extrasize"}, {key: "commitLogCount"},
	{key: "snapshotSizeFactor"}, {key: "fsync.warningthresholdms"}, {key: "digest.enabled"},
	{key: "enforceQuota"}, // quota enforcement in prep (node/serve/quota_prep.go)

	// Behaviour zkctl lacks: refused unless the value is 3.8's default.
	{key: "leaderServes", outcome: Refused, accept: isTrue, why: "leaderServes=no (a leader that refuses clients) is not implemented"},
	{key: "readonlymode.enabled"}, // read-only mode (node/serve/readonly.go, docs/readonly.md)
	// Local sessions: read-only clients get them as in 3.8; read-write
	// sessions stay global, which Config.localSessionWarnings says at start.
	{key: "localSessionsEnabled"}, {key: "localSessionsUpgradingEnabled"},
	{key: "snapshot.trust.empty", outcome: Refused, accept: isFalse, why: "starting from logs without a snapshot is not implemented"},
	{key: "snapshot.compression.method", outcome: Refused, accept: isEmpty, why: "compressed snapshots are not implemented"},
	{key: "emulate353TTLNodes", outcome: Refused, accept: isFalse, why: "3.5.3 TTL node ids are not implemented"},
	{key: "enableEagerACLCheck", outcome: Refused, accept: isFalse, why: "eager ACL checks are not implemented"},
	{key: "skipACL", outcome: Refused, accept: isFalse, why: "skipping ACL checks is not implemented"},
	{key: "audit.enable", outcome: Refused, accept: isFalse, why: "audit logging is not implemented"},
	{key: "audit.impl.class", outcome: Refused, why: "audit logging is not implemented"},
	{key: "requestThrottleLimit", outcome: Refused, accept: isOneOf("0"), why: "the request throttler is not implemented"},
	{key: "throttledOpWaitTime", outcome: Refused, accept: isOneOf("0"), why: "throttled ops are not implemented"},
	{key: "largeRequestThreshold", outcome: Refused, accept: isOneOf("-1"), why: "large-request throttling is not implemented"},
	{key: "largeRequestMaxBytes", outcome: Refused, why: "large-request throttling is not implemented"},
	{key: "connectionMaxTokens", outcome: Refused, accept: isOneOf("0"), why: "the connection throttle is not implemented"},
	{key: "observerMasterPort", outcome: Refused, why: "observer masters are not implemented"},
	{key: "oraclePath", outcome: Refused, why: "the quorum oracle is not implemented"},
	// The metrics providers zkctl has: 3.8's default and its Prometheus
	// provider (/metrics, node/status); the Prometheus provider's keys work.
	{key: "metricsProvider.className", outcome: Refused,
		accept: isOneOf(DefaultMetricsProvider, PrometheusMetricsProvider),
		why:    "metrics providers other than the default and PrometheusMetricsProvider are not implemented"},
	{key: "metricsProvider.httpHost"}, {key: "metricsProvider.httpPort"}, {key: "metricsProvider.exportJvmInfo"},
	{key: "metricsProvider.numWorkerThreads"}, {key: "metricsProvider.maxQueueSize"},
	{key: "metricsProvider.workerShutdownTimeoutMs"},
	{key: "metricsProvider.", outcome: Refused, why: "metrics provider keys other than PrometheusMetricsProvider's are not implemented"},
	{key: "watchManagerName", outcome: Refused, accept: isOneOf("org.apache.zookeeper.server.watch.WatchManager"),
		why: "only the default watch manager exists"},
	{key: "txnLogSizeLimitInKb", outcome: Refused, accept: isOneOf("-1"), why: "log rolling by size is not implemented"},

	// Security: refused whatever the value.
	{key: "secureClientPort", outcome: Security}, {key: "secureClientPortAddress", outcome: Security},
	{key: "ssl.", outcome: Security}, {key: "zookeeper.ssl.", outcome: Security},
	{key: "sslQuorum", outcome: Security}, {key: "sslQuorumReloadCertFiles", outcome: Security},
	{key: "portUnification", outcome: Security}, {key: "client.portUnification", outcome: Security},
	{key: "client.certReload", outcome: Security}, {key: "client.secure", outcome: Security},
	{key: "quorum.auth.", outcome: Security}, {key: "quorum.cnxn.threads.size", outcome: Security},
	{key: "authProvider.", outcome: Security}, {key: "zookeeper.authProvider.", outcome: Security},
	{key: "java.security.auth.login.config", outcome: Security}, {key: "kerberos.", outcome: Security},
	{key: "sessionRequireClientSASLAuth", outcome: Security}, {key: "enforce.auth.", outcome: Security},
	{key: "X509AuthenticationProvider.superUser", outcome: Security}, {key: "superUser", outcome: Security},
	{key: "ensembleAuthName", outcome: Security}, {key: "fips-mode", outcome: Security},
	{key: "DigestAuthenticationProvider.enabled", outcome: Security},
	{key: "DigestAuthenticationProvider.digestAlg", outcome: Security},
	{key: "admin.forceHttps", outcome: Security}, {key: "admin.portUnification", outcome: Security},
	{key: "netty.server.earlyDropSecureConnectionHandshakes", outcome: Security},
	{key: "sasl.", outcome: Security},
	// serverCnxnFactory: NIO is what zkctl is; Netty is how 3.8 serves TLS.
	{key: "serverCnxnFactory", outcome: Security, accept: isOneOf("org.apache.zookeeper.server.NIOServerCnxnFactory")},

	// Tuning of 3.8 internals: accepted with a warning.
	{key: "cnxTimeout", outcome: Tuning}, {key: "electionPortBindRetry", outcome: Tuning},
	{key: "clientPortListenBacklog", outcome: Tuning}, {key: "admin.idleTimeout", outcome: Tuning},
	{key: "maxResponseCacheSize", outcome: Tuning}, {key: "maxGetChildrenResponseCacheSize", outcome: Tuning},
	{key: "watcherCleanThreadsNum", outcome: Tuning}, {key: "watcherCleanThreshold", outcome: Tuning},
	{key: "watcherCleanIntervalInSeconds", outcome: Tuning}, {key: "maxInProcessingDeadWatchers", outcome: Tuning},
	{key: "bitHashCacheSize", outcome: Tuning},
	{key: "fastleader.minNotificationInterval", outcome: Tuning}, {key: "fastleader.maxNotificationInterval", outcome: Tuning},
	{key: "connectionTokenFillTime", outcome: Tuning}, {key: "connectionTokenFillCount", outcome: Tuning},
	{key: "connectionFreezeTime", outcome: Tuning}, {key: "connectionDropIncrease", outcome: Tuning},
	{key: "connectionDropDecrease", outcome: Tuning}, {key: "connectionDecreaseRatio", outcome: Tuning},
	{key: "connection_throttle_", outcome: Tuning},
	{key: "flushDelay", outcome: Tuning}, {key: "maxWriteQueuePollTime", outcome: Tuning}, {key: "maxBatchSize", outcome: Tuning},
	{key: "requestThrottleStallTime", outcome: Tuning}, {key: "requestThrottleDropStale", outcome: Tuning},
	{key: "requestStaleLatencyCheck", outcome: Tuning}, {key: "requestStaleConnectionCheck", outcome: Tuning},
	{key: "request_throttler.", outcome: Tuning}, {key: "advancedFlowControlEnabled", outcome: Tuning},
	{key: "maxConcurrentSnapSyncs", outcome: Tuning}, {key: "maxConcurrentDiffSyncs", outcome: Tuning},
	{key: "outstandingHandshake.limit", outcome: Tuning},
	{key: "learner.closeSocketAsync", outcome: Tuning}, {key: "leader.closeSocketAsync", outcome: Tuning},
	{key: "learner.asyncSending", outcome: Tuning}, {key: "forward_learner_requests_to_commit_processor_disabled", outcome: Tuning},
	{key: "maxTimeToWaitForEpoch", outcome: Tuning}, {key: "quorumCnxnTimeoutMs", outcome: Tuning},
	{key: "tcpKeepAlive", outcome: Tuning}, {key: "clientTcpKeepAlive", outcome: Tuning},
	{key: "observer.reconnectDelayMs", outcome: Tuning}, {key: "observer.election.DelayMs", outcome: Tuning},
	{key: "multiAddress.reachabilityCheckTimeoutMs", outcome: Tuning},
	{key: "multiAddress.reachabilityCheckEnabled", outcome: Tuning},
	{key: "follower.skipLearnerRequestToNextProcessor", outcome: Tuning},
	{key: "nio.", outcome: Tuning}, {key: "commitProcessor.", outcome: Tuning},
	{key: "messageTracker.", outcome: Tuning}, {key: "jvm.pause.", outcome: Tuning},
}

var (
	exactKeys  = map[string]keySpec{}
	prefixKeys []keySpec // longest first
)

func init() {
	for _, s := range keyTable {
		if strings.HasSuffix(s.key, ".") || strings.HasSuffix(s.key, "_") || s.key == "group" || s.key == "weight" {
			prefixKeys = append(prefixKeys, s)
			continue
		}
		exactKeys[strings.ToLower(s.key)] = s
	}
	sort.SliceStable(prefixKeys, func(i, j int) bool { return len(prefixKeys[i].key) > len(prefixKeys[j].key) })
}

// lookupKey finds the spec of key (case-insensitive, exact before prefix).
func lookupKey(key string) (keySpec, bool) {
	lk := strings.ToLower(key)
	if s, ok := exactKeys[lk]; ok {
		return s, true
	}
	for _, s := range prefixKeys {
		if strings.HasPrefix(lk, strings.ToLower(s.key)) {
			return s, true
		}
	}
	return keySpec{}, false
}

// KeyOutcome reports what zkctl does with key=value: the key table's
// outcome, with Refused and Security keys whose value is 3.8's default
// (what zkctl does anyway) reported as Works. known is false for keys 3.8
// does not read either (they go to Config.Extra).
func KeyOutcome(key, value string) (o Outcome, known bool) {
	s, ok := lookupKey(key)
	if !ok {
		return Works, false
	}
	if (s.outcome == Refused || s.outcome == Security) && s.accept != nil && s.accept(value) {
		return Works, true
	}
	return s.outcome, true
}

// checkKeys refuses unsupported keys and records warnings for tuning keys,
// in file order (then JVM flags).
func (p *parser) checkKeys() {
	for _, key := range p.order {
		lk := strings.ToLower(key)
		s, ok := lookupKey(key)
		if !ok {
			continue
		}
		o, _ := KeyOutcome(key, p.values[lk])
		switch o {
		case Refused:
			p.fail("%s: not supported yet by zkctl: %s", p.name(key), s.why)
		case Security:
			p.fail("%s: not supported yet by zkctl: %s", p.name(key), whySecurity)
		case Tuning:
			p.cfg.Warnings = append(p.cfg.Warnings, p.name(key)+": accepted but ignored: "+whyTuning)
		}
	}
}
