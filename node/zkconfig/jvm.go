package zkconfig

import (
	"strconv"
	"strings"
)

// Option changes how Parse and Load read a configuration.
type Option func(*options)

type options struct {
	lookupEnv func(string) (string, bool)
}

// WithEnv makes Parse read -D flags from the SERVER_JVMFLAGS and JVMFLAGS
// variables of lookup (os.LookupEnv for the process environment; Load uses
// it by default). Tests pass a map lookup instead of touching the process
// environment.
//
// Precedence, highest first: a zoo.cfg line, then JVMFLAGS, then
// SERVER_JVMFLAGS (zkServer.sh runs java with "$SERVER_JVMFLAGS $JVMFLAGS",
// and for a repeated -D the JVM keeps the last). zoo.cfg wins because 3.8's
// QuorumPeerConfig copies each zoo.cfg key k into the system property
// zookeeper.k after the JVM started, overwriting a -Dzookeeper.k flag.
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(o *options) { o.lookupEnv = lookup }
}

// jvmOnly are the JVM system properties 3.8 reads without the zookeeper.
// prefix that zkctl maps to zoo.cfg keys of the same name.
var jvmOnly = map[string]bool{
	"jute.maxbuffer": true, "readonlymode.enabled": true, "fsync.warningthresholdms": true,
	"znode.container.checkintervalms": true, "znode.container.maxperminute": true,
	"znode.container.maxneverusedintervalms": true, "java.security.auth.login.config": true,
}

// cfgOnly are keys QuorumPeerConfig reads from zoo.cfg only: 3.8 ignores a
// -Dzookeeper.<key> flag for them, and so does zkctl (with a warning).
var cfgOnly = map[string]bool{}

func init() {
	for _, k := range []string{
		"dataDir", "dataLogDir", "clientPort", "clientPortAddress", "localSessionsEnabled",
		"localSessionsUpgradingEnabled", "observerMasterPort", "clientPortListenBacklog", "tickTime",
		"maxClientCnxns", "minSessionTimeout", "maxSessionTimeout", "initLimit", "syncLimit",
		"connectToLearnerMasterLimit", "electionAlg", "quorumListenOnAllIPs", "peerType", "syncEnabled",
		"dynamicConfigFile", "autopurge.snapRetainCount", "autopurge.purgeInterval", "standaloneEnabled",
		"reconfigEnabled", "multiAddress.enabled", "oraclePath", "metricsProvider.className",
	} {
		cfgOnly[strings.ToLower(k)] = true
	}
}

// cfgOnlyKey reports whether lk (lower-cased) is read from zoo.cfg only.
func cfgOnlyKey(lk string) bool {
	return cfgOnly[lk] || strings.HasPrefix(lk, "server.") || strings.HasPrefix(lk, "group") ||
		strings.HasPrefix(lk, "weight")
}

// jvmFlags splits a JVMFLAGS value into its -D settings, in order. The shell
// word-splits the unquoted $JVMFLAGS of zkServer.sh without interpreting
// quotes, so splitting on white space is exact. "-Dk" alone sets k to "".
func jvmFlags(s string) [][2]string {
	var out [][2]string
	for _, w := range strings.Fields(s) {
		if !strings.HasPrefix(w, "-D") || len(w) == 2 {
			continue
		}
		k, v, _ := strings.Cut(w[2:], "=")
		out = append(out, [2]string{k, v})
	}
	return out
}

// addJVMFlags adds the -D settings of SERVER_JVMFLAGS then JVMFLAGS as keys
// after the file's, skipping keys the file sets (precedence: WithEnv).
func (p *parser) addJVMFlags(lookup func(string) (string, bool)) {
	type setting struct{ key, value, src string }
	var order []string
	got := map[string]setting{}
	for _, env := range []string{"SERVER_JVMFLAGS", "JVMFLAGS"} {
		text, ok := lookup(env)
		if !ok {
			continue
		}
		for _, kv := range jvmFlags(text) {
			prop, value := kv[0], kv[1]
			lp := strings.ToLower(prop)
			var key string
			switch {
			case jvmOnly[lp]:
				key = prop
			case strings.HasPrefix(lp, "zookeeper."):
				key = prop[len("zookeeper."):]
			default:
				continue // a JVM or logging flag, not a ZooKeeper setting
			}
			lk := strings.ToLower(key)
			src := env + " -D" + prop
			if s, ok := lookupKey(key); !(ok && s.outcome == Security) && cfgOnlyKey(lk) {
				p.cfg.Warnings = append(p.cfg.Warnings, src+": ignored: 3.8 reads "+key+" from zoo.cfg only")
				continue
			}
			if _, ok := got[lk]; !ok {
				order = append(order, lk)
			}
			got[lk] = setting{key: key, value: strings.TrimSpace(value), src: src}
		}
	}
	for _, lk := range order {
		if _, inFile := p.values[lk]; inFile {
			continue
		}
		s := got[lk]
		p.values[lk] = s.value
		p.source[lk] = s.src
		p.order = append(p.order, s.key)
		if strings.HasPrefix(lk, "znode.container.") {
			// node reads these from Extra, where a zoo.cfg line puts them.
			p.cfg.Extra[s.key] = s.value
		}
	}
}

// jvmKeys reads the settings 3.8 takes as JVM system properties into their
// typed fields.
func (p *parser) jvmKeys() {
	c := p.cfg
	const maxInt = 1<<31 - 1
	if p.intKey("jute.maxbuffer", &c.JuteMaxBuffer, -1<<31, maxInt) && c.JuteMaxBuffer <= 0 {
		p.fail("%s: %q must be positive (bytes); 3.8 would refuse every request", p.name("jute.maxbuffer"), p.values["jute.maxbuffer"])
	}
	if p.intKey("jute.maxbuffer.extrasize", &c.JuteMaxBufferExtraSize, -1<<31, maxInt) && c.JuteMaxBufferExtraSize < 1024 {
		c.JuteMaxBufferExtraSize = 1024 // 3.8's floor (its old fixed value)
	}
	if s, ok := p.values["readonlymode.enabled"]; ok {
		c.ReadOnlyModeEnabled = strings.EqualFold(strings.TrimSpace(s), "true") // Boolean.getBoolean
	}
	if s, ok := p.values["enforcequota"]; ok {
		c.EnforceQuota = strings.EqualFold(s, "true") // 3.8's Boolean.getBoolean
	}
	p.boolKey("digest.enabled", &c.DigestEnabled)
	p.boolKey("snapshot.trust.empty", &c.SnapshotTrustEmpty)
	p.longKey("fsync.warningthresholdms", &c.FsyncWarningThresholdMs, 0)
	if p.intKey("commitLogCount", &c.CommitLogCount, -1<<31, maxInt) && c.CommitLogCount < 500 {
		c.CommitLogCount = 500 // 3.8's ZKDatabase raises it to the default
	}
	if s, ok := p.values["snapshotsizefactor"]; ok {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			p.fail("%s: %q is not a number", p.name("snapshotSizeFactor"), s)
		}
		if f > 1 {
			f = 0.33 // 3.8's ZKDatabase falls back to the default
		}
		c.SnapshotSizeFactor = f // negative: disk (log) DIFFs disabled
	}
	var n int
	p.intKey("znode.container.checkIntervalMs", &n, 1, maxInt)
	p.intKey("znode.container.maxPerMinute", &n, 1, maxInt)
	var l int64
	p.longKey("znode.container.maxNeverUsedIntervalMs", &l, 0)
}
