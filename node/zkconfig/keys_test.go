package zkconfig

import (
	"strings"
	"testing"
)

// keyRows is the per-key decision table (docs/configuration.md is its
// prose): one row per key of keyTable, with a value and the outcome a
// zoo.cfg line key=value gets. ctx is extra config the line needs.
var keyRows = []struct {
	key, value string
	want       Outcome
	ctx        string
}{
	{"tickTime", "2000", Works, ""},
	{"initLimit", "10", Works, ""},
	{"syncLimit", "5", Works, ""},
	{"connectToLearnerMasterLimit", "7", Works, ""},
	{"dataDir", "/var/zk2", Works, ""},
	{"dataLogDir", "/var/zklog", Works, ""},
	{"clientPort", "2181", Works, ""},
	{"clientPortAddress", "127.0.0.1", Works, "clientPort=2181\n"},
	{"maxClientCnxns", "10", Works, ""},
	{"maxCnxns", "100", Works, ""},
	{"minSessionTimeout", "4000", Works, ""},
	{"maxSessionTimeout", "40000", Works, ""},
	{"snapCount", "1000", Works, ""},
	{"snapSizeLimitInKb", "1024", Works, ""},
	{"preAllocSize", "1024", Works, ""},
	{"forceSync", "no", Works, ""},
	{"autopurge.snapRetainCount", "5", Works, ""},
	{"autopurge.purgeInterval", "1", Works, ""},
	{"globalOutstandingLimit", "100", Works, ""},
	{"extendedTypesEnabled", "true", Works, ""},
	{"standaloneEnabled", "true", Works, ""},
	{"reconfigEnabled", "true", Works, ""},
	{"peerType", "observer", Works, ""},
	{"electionAlg", "3", Works, ""},
	{"quorumListenOnAllIPs", "true", Works, ""},
	{"syncEnabled", "false", Works, ""},
	{"multiAddress.enabled", "true", Works, ""},
	{"DigestAuthenticationProvider.superDigest", "super:D/InIHSb7yEEbrWz8b9l71RjZJU=", Works, ""},
	{"server.1", "127.0.0.1:2888:3888", Works, ""},
	{"admin.enableServer", "false", Works, ""},
	{"admin.serverAddress", "127.0.0.1", Works, ""},
	{"admin.serverPort", "9090", Works, ""},
	{"admin.commandURL", "/cmds", Works, ""},
	{"4lw.commands.whitelist", "*", Works, ""},
	{"znode.container.checkIntervalMs", "1000", Works, ""},
	{"znode.container.maxPerMinute", "100", Works, ""},
	{"znode.container.maxNeverUsedIntervalMs", "1000", Works, ""},
	{"jute.maxbuffer", "4194304", Works, ""},
	{"jute.maxbuffer.extrasize", "2048", Works, ""},
	{"commitLogCount", "1000", Works, ""},
	{"snapshotSizeFactor", "0.5", Works, ""},
	{"fsync.warningthresholdms", "200", Works, ""},
	{"digest.enabled", "false", Works, ""},

	{"dynamicConfigFile", "/etc/zk.dyn", Refused, ""},
	{"group.1", "1:2", Refused, ""},
	{"weight.1", "1", Refused, ""},
	{"leaderServes", "no", Refused, ""},
	{"leaderServes", "yes", Works, ""},
	{"localSessionsEnabled", "true", Tuning, ""}, // accepted; warns that read-write sessions stay global
	{"localSessionsEnabled", "false", Works, ""},
	{"localSessionsUpgradingEnabled", "true", Works, ""},
	{"readonlymode.enabled", "true", Works, ""},
	{"readonlymode.enabled", "false", Works, ""},
	{"enforceQuota", "true", Works, ""},
	{"enforceQuota", "false", Works, ""},
	{"snapshot.trust.empty", "true", Refused, ""},
	{"snapshot.trust.empty", "false", Works, ""},
	{"snapshot.compression.method", "gz", Refused, ""},
	{"emulate353TTLNodes", "true", Refused, ""},
	{"enableEagerACLCheck", "true", Refused, ""},
	{"skipACL", "yes", Refused, ""},
	{"audit.enable", "true", Refused, ""},
	{"audit.impl.class", "org.apache.zookeeper.audit.Slf4jAuditLogger", Refused, ""},
	{"requestThrottleLimit", "100", Refused, ""},
	{"requestThrottleLimit", "0", Works, ""},
	{"throttledOpWaitTime", "10", Refused, ""},
	{"largeRequestThreshold", "1000", Refused, ""},
	{"largeRequestMaxBytes", "1000", Refused, ""},
	{"connectionMaxTokens", "10", Refused, ""},
	{"observerMasterPort", "2191", Refused, ""},
	{"oraclePath", "/tmp/oracle", Refused, ""},
	{"metricsProvider.className", "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider", Works, ""},
	{"metricsProvider.className", "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider", Works, ""},
	{"metricsProvider.className", "com.example.OtherMetricsProvider", Refused, ""},
	{"metricsProvider.httpHost", "127.0.0.1", Works, ""},
	{"metricsProvider.httpPort", "7001", Works, ""},
	{"metricsProvider.exportJvmInfo", "false", Works, ""},
	{"metricsProvider.numWorkerThreads", "2", Works, ""},
	{"metricsProvider.maxQueueSize", "100", Works, ""},
	{"metricsProvider.workerShutdownTimeoutMs", "500", Works, ""},
	{"metricsProvider.httpsPort", "7443", Refused, ""},
	{"watchManagerName", "org.apache.zookeeper.server.watch.WatchManagerOptimized", Refused, ""},
	{"txnLogSizeLimitInKb", "1024", Refused, ""},

	{"secureClientPort", "2281", Security, ""},
	{"secureClientPortAddress", "127.0.0.1", Security, ""},
	{"ssl.keyStore.location", "/k.jks", Security, ""},
	{"zookeeper.ssl.keyStore.location", "/k.jks", Security, ""},
	{"sslQuorum", "true", Security, ""},
	{"sslQuorum", "false", Security, ""},
	{"sslQuorumReloadCertFiles", "true", Security, ""},
	{"portUnification", "true", Security, ""},
	{"client.portUnification", "true", Security, ""},
	{"client.certReload", "true", Security, ""},
	{"client.secure", "true", Security, ""},
	{"quorum.auth.enableSasl", "true", Security, ""},
	{"quorum.cnxn.threads.size", "20", Security, ""},
	{"authProvider.1", "org.apache.zookeeper.server.auth.SASLAuthenticationProvider", Security, ""},
	{"zookeeper.authProvider.x509", "org.apache.zookeeper.server.auth.X509AuthenticationProvider", Security, ""},
	{"java.security.auth.login.config", "/jaas.conf", Security, ""},
	{"kerberos.removeHostFromPrincipal", "true", Security, ""},
	{"sessionRequireClientSASLAuth", "true", Security, ""},
	{"enforce.auth.enabled", "true", Security, ""},
	{"X509AuthenticationProvider.superUser", "CN=admin", Security, ""},
	{"superUser", "admin", Security, ""},
	{"ensembleAuthName", "zk1", Security, ""},
	{"fips-mode", "false", Security, ""},
	{"DigestAuthenticationProvider.enabled", "false", Security, ""},
	{"DigestAuthenticationProvider.digestAlg", "SHA-256", Security, ""},
	{"admin.forceHttps", "true", Security, ""},
	{"admin.portUnification", "true", Security, ""},
	{"netty.server.earlyDropSecureConnectionHandshakes", "true", Security, ""},
	{"sasl.client", "true", Security, ""},
	{"serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory", Security, ""},
	{"serverCnxnFactory", "org.apache.zookeeper.server.NIOServerCnxnFactory", Works, ""},

	{"cnxTimeout", "2500", Tuning, ""},
	{"electionPortBindRetry", "0", Tuning, ""},
	{"clientPortListenBacklog", "100", Tuning, ""},
	{"admin.idleTimeout", "1000", Tuning, ""},
	{"maxResponseCacheSize", "100", Tuning, ""},
	{"maxGetChildrenResponseCacheSize", "100", Tuning, ""},
	{"watcherCleanThreadsNum", "2", Tuning, ""},
	{"watcherCleanThreshold", "1000", Tuning, ""},
	{"watcherCleanIntervalInSeconds", "600", Tuning, ""},
	{"maxInProcessingDeadWatchers", "100", Tuning, ""},
	{"bitHashCacheSize", "10", Tuning, ""},
	{"fastleader.minNotificationInterval", "200", Tuning, ""},
	{"fastleader.maxNotificationInterval", "60000", Tuning, ""},
	{"connectionTokenFillTime", "1", Tuning, ""},
	{"connectionTokenFillCount", "1", Tuning, ""},
	{"connectionFreezeTime", "-1", Tuning, ""},
	{"connectionDropIncrease", "0.02", Tuning, ""},
	{"connectionDropDecrease", "0.002", Tuning, ""},
	{"connectionDecreaseRatio", "0", Tuning, ""},
	{"connection_throttle_weight_enabled", "true", Tuning, ""},
	{"flushDelay", "10", Tuning, ""},
	{"maxWriteQueuePollTime", "10", Tuning, ""},
	{"maxBatchSize", "100", Tuning, ""},
	{"requestThrottleStallTime", "100", Tuning, ""},
	{"requestThrottleDropStale", "true", Tuning, ""},
	{"requestStaleLatencyCheck", "true", Tuning, ""},
	{"requestStaleConnectionCheck", "true", Tuning, ""},
	{"request_throttler.shutdownTimeout", "10000", Tuning, ""},
	{"advancedFlowControlEnabled", "true", Tuning, ""},
	{"maxConcurrentSnapSyncs", "5", Tuning, ""},
	{"maxConcurrentDiffSyncs", "50", Tuning, ""},
	{"outstandingHandshake.limit", "10", Tuning, ""},
	{"learner.closeSocketAsync", "true", Tuning, ""},
	{"leader.closeSocketAsync", "true", Tuning, ""},
	{"learner.asyncSending", "true", Tuning, ""},
	{"forward_learner_requests_to_commit_processor_disabled", "true", Tuning, ""},
	{"maxTimeToWaitForEpoch", "1000", Tuning, ""},
	{"quorumCnxnTimeoutMs", "1000", Tuning, ""},
	{"tcpKeepAlive", "true", Tuning, ""},
	{"clientTcpKeepAlive", "true", Tuning, ""},
	{"observer.reconnectDelayMs", "1000", Tuning, ""},
	{"observer.election.DelayMs", "200", Tuning, ""},
	{"multiAddress.reachabilityCheckTimeoutMs", "1000", Tuning, ""},
	{"multiAddress.reachabilityCheckEnabled", "true", Tuning, ""},
	{"follower.skipLearnerRequestToNextProcessor", "true", Tuning, ""},
	{"nio.numWorkerThreads", "4", Tuning, ""},
	{"commitProcessor.numWorkerThreads", "4", Tuning, ""},
	{"messageTracker.BufferSize", "10", Tuning, ""},
	{"jvm.pause.monitor", "true", Tuning, ""},
}

// checkOutcome parses text and checks that key got outcome want.
func checkOutcome(t *testing.T, label, key string, want Outcome, text string, opts ...Option) {
	t.Helper()
	c, err := Parse("zoo.cfg", []byte(text), opts...)
	switch want {
	case Works, Tuning:
		if err != nil {
			t.Errorf("%s: want %v, got error %v", label, want, err)
			return
		}
		warned := false
		for _, w := range c.Warnings {
			warned = warned || strings.Contains(w, key)
		}
		if warned != (want == Tuning) {
			t.Errorf("%s: want %v, warnings %q", label, want, c.Warnings)
		}
	default:
		if err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "not supported yet by zkctl") {
			t.Errorf("%s: want refusal naming %s and 'not supported yet by zkctl', got %v", label, key, err)
		}
	}
}

func TestKeys_EveryKeyHasAnOutcome(t *testing.T) {
	for _, r := range keyRows {
		checkOutcome(t, r.key+"="+r.value, r.key, r.want, base+r.ctx+r.key+"="+r.value+"\n")
	}
}

// TestKeys_TableCovered makes sure every row of keyTable has a test row.
func TestKeys_TableCovered(t *testing.T) {
	for _, s := range keyTable {
		found := false
		for _, r := range keyRows {
			if strings.EqualFold(r.key, s.key) || strings.HasPrefix(strings.ToLower(r.key), strings.ToLower(s.key)) {
				if spec, _ := lookupKey(r.key); spec.key == s.key {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("keyTable entry %q has no row in keyRows", s.key)
		}
	}
}

func TestKeys_MultiAddressBeyondFirstRefused(t *testing.T) {
	text := base + "multiAddress.enabled=true\nserver.1=a:1:2|b:3:4\n"
	checkOutcome(t, "two addresses", "server.1", Refused, text)
	checkOutcome(t, "one address", "server.1", Works, base+"multiAddress.enabled=true\nserver.1=a:1:2\n")
}

func envOf(m map[string]string) Option {
	return WithEnv(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

func TestJVMFlags_Precedence(t *testing.T) {
	env := envOf(map[string]string{
		"SERVER_JVMFLAGS": "-Xmx1g -Djute.maxbuffer=3000000 -Dzookeeper.commitLogCount=700 -Dreadonlymode.enabled=false -Dzookeeper.jute.maxbuffer.extrasize=5000",
		"JVMFLAGS":        "-Dzookeeper.commitLogCount=800 -Dlog4j.configuration=x -Dzookeeper.snapshotSizeFactor=0.5 -Dzookeeper.tickTime=10",
	})
	c, err := Parse("zoo.cfg", []byte(base+"jute.maxbuffer=4000000\n"), env)
	if err != nil {
		t.Fatal(err)
	}
	if c.JuteMaxBuffer != 4000000 {
		t.Errorf("zoo.cfg must beat -D: JuteMaxBuffer = %d", c.JuteMaxBuffer)
	}
	if c.CommitLogCount != 800 { // (values below 500 are raised to 500, as 3.8)
		t.Errorf("JVMFLAGS must beat SERVER_JVMFLAGS: CommitLogCount = %d", c.CommitLogCount)
	}
	if c.JuteMaxBufferExtraSize != 5000 || c.MaxRecordLen() != 4005000 {
		t.Errorf("extrasize %d, record limit %d", c.JuteMaxBufferExtraSize, c.MaxRecordLen())
	}
	if c.SnapshotSizeFactor != 0.5 {
		t.Errorf("SnapshotSizeFactor = %v", c.SnapshotSizeFactor)
	}
	if c.TickTime != 3000 {
		t.Errorf("-Dzookeeper.tickTime must be ignored as 3.8 does: %d", c.TickTime)
	}
	if _, ok := c.Extra["commitLogCount"]; ok {
		t.Error("-D settings must not appear as zoo.cfg lines in Extra")
	}
	warned := false
	for _, w := range c.Warnings {
		warned = warned || strings.Contains(w, "-Dzookeeper.tickTime")
	}
	if !warned {
		t.Errorf("ignored -D flag not warned: %q", c.Warnings)
	}
	// Without WithEnv, Parse reads no environment.
	c, err = Parse("zoo.cfg", []byte(base))
	if err != nil || c.JuteMaxBuffer != DefaultJuteMaxBuffer || c.MaxRecordLen() != 2*DefaultJuteMaxBuffer {
		t.Errorf("defaults: %v %d %d", err, c.JuteMaxBuffer, c.MaxRecordLen())
	}
}

func TestJVMFlags_RefusedAndInvalid(t *testing.T) {
	cases := []struct{ env, flags, key string }{
		{"SERVER_JVMFLAGS", "-Dzookeeper.authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider", "authProvider.1"},
		{"JVMFLAGS", "-Djava.security.auth.login.config=/etc/jaas.conf", "java.security.auth.login.config"},
		{"JVMFLAGS", "-Dzookeeper.serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory", "serverCnxnFactory"},
		{"JVMFLAGS", "-Dzookeeper.ssl.keyStore.location=/k.jks", "ssl.keyStore.location"},
		{"JVMFLAGS", "-Dzookeeper.sslQuorum=true", "sslQuorum"},
	}
	for _, c := range cases {
		checkOutcome(t, c.flags, c.key, Refused, base, envOf(map[string]string{c.env: c.flags}))
		_, err := Parse("zoo.cfg", []byte(base), envOf(map[string]string{c.env: c.flags}))
		if err == nil || !strings.Contains(err.Error(), c.env) {
			t.Errorf("%s: error must name the variable: %v", c.flags, err)
		}
	}
	for _, v := range []string{"0", "-1", "x"} {
		_, err := Parse("zoo.cfg", []byte(base+"jute.maxbuffer="+v+"\n"))
		if err == nil || !strings.Contains(err.Error(), "jute.maxbuffer") {
			t.Errorf("jute.maxbuffer=%s: %v", v, err)
		}
		_, err = Parse("zoo.cfg", []byte(base), envOf(map[string]string{"JVMFLAGS": "-Djute.maxbuffer=" + v}))
		if err == nil || !strings.Contains(err.Error(), "-Djute.maxbuffer") {
			t.Errorf("-Djute.maxbuffer=%s: %v", v, err)
		}
	}
}

func TestJVMFlags_Split(t *testing.T) {
	got := jvmFlags("  -Xmx2g -Da=1\t-Db -D -Dc=x=y -XX:+UseG1GC ")
	want := [][2]string{{"a", "1"}, {"b", ""}, {"c", "x=y"}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %q want %q", i, got[i], want[i])
		}
	}
}

func FuzzJVMFlags(f *testing.F) {
	f.Add("-Djute.maxbuffer=5 -Dzookeeper.x=y", "-Dzookeeper.ssl.a=b")
	f.Add("", "-D -Dzookeeper.=1")
	f.Fuzz(func(t *testing.T, server, jvm string) {
		env := envOf(map[string]string{"SERVER_JVMFLAGS": server, "JVMFLAGS": jvm})
		c, err := Parse("zoo.cfg", []byte(base), env)
		if err != nil {
			return
		}
		if c.MaxFrameLen() <= 0 || c.MaxRecordLen() < c.MaxFrameLen() {
			t.Fatalf("limits %d %d", c.MaxFrameLen(), c.MaxRecordLen())
		}
	})
}

// enforceQuota works from zoo.cfg and from -Dzookeeper.enforceQuota, and
// as 3.8's Boolean.getBoolean only "true" (any case) turns it on.
func TestKeys_EnforceQuotaTyped(t *testing.T) {
	for _, c := range []struct {
		text string
		env  map[string]string
		want bool
	}{
		{"enforceQuota=true\n", nil, true},
		{"enforceQuota=TRUE\n", nil, true},
		{"enforceQuota=yes\n", nil, false},
		{"enforceQuota=false\n", nil, false},
		{"", map[string]string{"JVMFLAGS": "-Dzookeeper.enforceQuota=true"}, true},
		{"", nil, false},
	} {
		cfg, err := Parse("zoo.cfg", []byte(base+c.text), envOf(c.env))
		if err != nil {
			t.Fatalf("%q %v: %v", c.text, c.env, err)
		}
		if cfg.EnforceQuota != c.want {
			t.Errorf("%q %v: EnforceQuota %v, want %v", c.text, c.env, cfg.EnforceQuota, c.want)
		}
	}
}
