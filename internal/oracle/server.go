package oracle

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/zkctl/zkctl/internal/zkproc"
)

// Server is one Apache ZooKeeper process; it implements zkproc.Target.
type Server = zkproc.Instance

// log4jProperties sends everything at INFO and above to the console.
const log4jProperties = `log4j.rootLogger=${zookeeper.root.logger}
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.Threshold=INFO
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
`

// Launcher runs QuorumPeerMain from the Debian jars.
func Launcher() zkproc.Launcher { return launcher(Classpath) }

// LauncherWithoutJetty runs QuorumPeerMain without the AdminServer jars, as
// Debian's package does: the config may enable the AdminServer on a port,
// but nothing answers there (tools must fall back to four-letter words).
func LauncherWithoutJetty() zkproc.Launcher { return launcher(ClasspathWithoutJetty) }

func launcher(classpath func() string) zkproc.Launcher {
	return zkproc.Launcher{Kind: "apache", Command: func(cfgPath, dir string) (string, []string, []string, error) {
		if ok, why := Available(); !ok {
			return "", nil, nil, fmt.Errorf("oracle: %s", why)
		}
		props := filepath.Join(dir, "log4j.properties")
		if err := os.WriteFile(props, []byte(log4jProperties), 0o644); err != nil {
			return "", nil, nil, fmt.Errorf("oracle: write log4j.properties: %w", err)
		}
		args := []string{
			"-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
			"-Dzookeeper.root.logger=INFO,CONSOLE",
			"-Dlog4j.configuration=file:" + props,
			"-cp", classpath(),
			"org.apache.zookeeper.server.quorum.QuorumPeerMain", cfgPath,
		}
		return "java", args, nil, nil
	}}
}

// adjust switches the admin server off when Jetty is not installed.
func adjust(o zkproc.Options) zkproc.Options {
	if !AdminAvailable() {
		o.NoAdmin = true
	}
	return o
}

// StartStandalone starts one standalone Apache ZooKeeper and waits until
// srvr answers. It skips or fails the test per RequireOrSkip when ZooKeeper
// is not installed.
func StartStandalone(t testing.TB, o zkproc.Options) *Server {
	t.Helper()
	RequireOrSkip(t)
	insts, err := zkproc.Start(t, Launcher(), 1, adjust(o))
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	return insts[0]
}

// StartEnsemble starts n Apache ZooKeeper servers forming one ensemble and
// waits until each is leader or follower.
func StartEnsemble(t testing.TB, n int, o zkproc.Options) []*Server {
	t.Helper()
	RequireOrSkip(t)
	insts, err := zkproc.Start(t, Launcher(), n, adjust(o))
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	return insts
}

// Leader returns the server whose srvr Mode is leader, or nil.
func Leader(servers []*Server) *Server {
	for _, s := range servers {
		if s.Mode() == "leader" {
			return s
		}
	}
	return nil
}
