package status

import (
	"os"
	"os/user"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/zkctl/zkctl/node/zkconfig"
)

// envEntry is one line of envi.
type envEntry struct {
	Key, Value string
}

const notAvailable = "<NA>"

// environment lists envi's keys in ZooKeeper's order (Environment.list),
// with the Go process's equivalents of the Java properties.
func environment(src Source) []envEntry {
	host, err := os.Hostname()
	if err != nil {
		host = notAvailable
	}
	exe, err := os.Executable()
	if err != nil {
		exe = notAvailable
	}
	userName, userHome := notAvailable, notAvailable
	if u, err := user.Current(); err == nil {
		userName, userHome = u.Username, u.HomeDir
	}
	cwd, err := os.Getwd()
	if err != nil {
		cwd = notAvailable
	}
	osVersion := notAvailable
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		osVersion = strings.TrimSpace(string(b))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mb := func(b uint64) string { return strconv.FormatUint(b/(1024*1024), 10) + "MB" }
	osName := runtime.GOOS
	if osName == "linux" {
		osName = "Linux"
	}
	return []envEntry{
		{"zookeeper.version", src.ServerStats().version()},
		{"host.name", host},
		{"java.version", runtime.Version()},
		{"java.vendor", "zkctl (Go " + runtime.Compiler + ")"},
		{"java.home", notAvailable},
		{"java.class.path", exe},
		{"java.library.path", notAvailable},
		{"java.io.tmpdir", os.TempDir()},
		{"java.compiler", notAvailable},
		{"os.name", osName},
		{"os.arch", runtime.GOARCH},
		{"os.version", osVersion},
		{"user.name", userName},
		{"user.home", userHome},
		{"user.dir", cwd},
		{"os.memory.free", mb(ms.HeapIdle)},
		{"os.memory.max", mb(ms.Sys)},
		{"os.memory.total", mb(ms.HeapSys)},
	}
}

// systemProperties is the sensible subset of a JVM's system properties a
// Go server has: the environment entries plus every zoo.cfg key as
// ZooKeeper turns it into "zookeeper.<key>", sorted by key.
func systemProperties(src Source) map[string]string {
	props := map[string]string{}
	for _, e := range environment(src) {
		if e.Value != notAvailable && !strings.HasPrefix(e.Key, "os.memory.") {
			props[e.Key] = e.Value
		}
	}
	if cfg := src.Config(); cfg != nil {
		for k, v := range cfg.Extra {
			props["zookeeper."+k] = v
		}
		props["zookeeper.4lw.commands.whitelist"] = whitelistText(cfg.FourLetterWords)
		props["zookeeper.admin.serverPort"] = strconv.Itoa(cfg.AdminServerPort)
		props["zookeeper.admin.serverAddress"] = cfg.AdminServerAddress
		props["zookeeper.admin.enableServer"] = strconv.FormatBool(cfg.AdminEnableServer)
		props["zookeeper.snapCount"] = strconv.Itoa(cfg.SnapCount)
		props["zookeeper.preAllocSize"] = strconv.FormatInt(cfg.PreAllocSizeKB, 10)
		props["zookeeper.forceSync"] = map[bool]string{true: "yes", false: "no"}[cfg.ForceSync]
		props["zookeeper.globalOutstandingLimit"] = strconv.Itoa(cfg.GlobalOutstandingLimit)
		props["zookeeper.extendedTypesEnabled"] = strconv.FormatBool(cfg.ExtendedTypesEnabled)
		props["zookeeper.cnxTimeout"] = strconv.Itoa(cfg.CnxTimeout)
		props["zookeeper.electionPortBindRetry"] = strconv.Itoa(cfg.ElectionPortBindRetry)
		if cfg.SuperDigest != "" {
			props["zookeeper.DigestAuthenticationProvider.superDigest"] = "<hidden>"
		}
	}
	return props
}

func whitelistText(w zkconfig.Whitelist) string {
	if w.All() {
		return "*"
	}
	words := w.Words()
	sort.Strings(words)
	return strings.Join(words, ",")
}
