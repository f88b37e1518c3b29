package oracle

import (
	"os"
	"strings"

	"github.com/zkctl/zkctl/internal/zkinstall"
)

// JavaDir is where Debian installs jars.
const JavaDir = zkinstall.DebianJavaDir

// RequireEnv names the environment variable that turns a missing oracle from
// a skip into a failure.
const RequireEnv = "ZKCTL_REQUIRE_ORACLE"

// Available reports whether Apache ZooKeeper can be run here: a java binary
// and the Debian zookeeper jars. why explains a false answer.
func Available() (ok bool, why string) {
	if _, err := zkinstall.Java(); err != nil {
		return false, err.Error()
	}
	if why := zkinstall.DebianMissing(); why != "" {
		return false, why
	}
	return true, ""
}

// AdminAvailable reports whether every jar the AdminServer needs is present.
func AdminAvailable() bool { return zkinstall.DebianAdmin() }

// Classpath returns the java classpath for the server: the zookeeper jars,
// the runtime jars that exist, and the AdminServer jars when all of them exist.
func Classpath() string { return classpath(true) }

// ClasspathWithoutJetty is Classpath without the AdminServer jars: the
// server Debian's package runs by default, which keeps admin.enableServer
// (and its port in the config) but serves nothing there.
func ClasspathWithoutJetty() string { return classpath(false) }

func classpath(admin bool) string {
	return strings.Join(zkinstall.DebianClasspath(admin), string(os.PathListSeparator))
}

// TB is the part of testing.TB RequireOrSkip needs.
type TB interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// RequireOrSkip skips the test when Apache ZooKeeper is not installed, or
// fails it instead when ZKCTL_REQUIRE_ORACLE=1.
func RequireOrSkip(t TB) {
	t.Helper()
	if ok, why := Available(); !ok {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("oracle: Apache ZooKeeper required (%s=1) but unavailable: %s", RequireEnv, why)
		}
		t.Skipf("oracle: Apache ZooKeeper unavailable, skipping: %s", why)
	}
}
