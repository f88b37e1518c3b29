package oracle

import (
	"fmt"
	"testing"

	"github.com/zkctl/zkctl/internal/zkinstall"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// Server is one Apache ZooKeeper process; it implements zkproc.Target.
type Server = zkproc.Instance

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
		logFlags, err := zkinstall.LogFlags(dir)
		if err != nil {
			return "", nil, nil, fmt.Errorf("oracle: %w", err)
		}
		args := append([]string{"-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"}, logFlags...)
		args = append(args, "-cp", classpath(), zkinstall.MainClass, cfgPath)
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
