package oracle

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// JavaDir is where Debian installs jars.
const JavaDir = "/usr/share/java"

// RequireEnv names the environment variable that turns a missing oracle from
// a skip into a failure.
const RequireEnv = "ZKCTL_REQUIRE_ORACLE"

// coreJars are needed to run the server at all.
var coreJars = []string{"zookeeper.jar", "zookeeper-jute.jar"}

// runtimeJars are the server's runtime dependencies; missing ones are
// skipped (Debian's zookeeper.jar manifest may already list them).
var runtimeJars = []string{
	"slf4j-api.jar", "slf4j-log4j12.jar", "log4j-1.2.jar",
	"netty-handler.jar", "netty-common.jar", "netty-buffer.jar", "netty-transport.jar",
	"netty-codec.jar", "netty-resolver.jar", "netty-transport-native-epoll.jar",
	"netty-transport-native-unix-common.jar",
	"metrics-core.jar", "snappy-java.jar", "commons-cli.jar", "commons-io.jar",
}

// adminJars enable the Jetty AdminServer (docs/oracle.md).
var adminJars = []string{
	"jetty9-server.jar", "jetty9-servlet.jar", "jetty9-http.jar", "jetty9-util.jar",
	"jetty9-io.jar", "jetty9-security.jar", "servlet-api.jar",
	"jackson-databind.jar", "jackson-core.jar", "jackson-annotations.jar",
}

// Available reports whether Apache ZooKeeper can be run here: a java binary
// and the Debian zookeeper jars. why explains a false answer.
func Available() (ok bool, why string) {
	if _, err := exec.LookPath("java"); err != nil {
		return false, "no java on PATH (apt-get install zookeeper zookeeper-bin)"
	}
	for _, j := range coreJars {
		if _, err := os.Stat(filepath.Join(JavaDir, j)); err != nil {
			return false, fmt.Sprintf("%s missing (apt-get install zookeeper): %v", j, err)
		}
	}
	return true, ""
}

// AdminAvailable reports whether every jar the AdminServer needs is present.
func AdminAvailable() bool {
	for _, j := range adminJars {
		if _, err := os.Stat(filepath.Join(JavaDir, j)); err != nil {
			return false
		}
	}
	return true
}

// Classpath returns the java classpath for the server: the zookeeper jars,
// the runtime jars that exist, and the AdminServer jars when all of them exist.
func Classpath() string { return classpath(true) }

// ClasspathWithoutJetty is Classpath without the AdminServer jars: the
// server Debian's package runs by default, which keeps admin.enableServer
// (and its port in the config) but serves nothing there.
func ClasspathWithoutJetty() string { return classpath(false) }

func classpath(admin bool) string {
	var cp []string
	add := func(names []string) {
		for _, n := range names {
			p := filepath.Join(JavaDir, n)
			if _, err := os.Stat(p); err == nil {
				cp = append(cp, p)
			}
		}
	}
	add(coreJars)
	add(runtimeJars)
	if admin && AdminAvailable() {
		add(adminJars)
	}
	return strings.Join(cp, string(os.PathListSeparator))
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
