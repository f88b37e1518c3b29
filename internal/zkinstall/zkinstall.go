// Package zkinstall finds an Apache ZooKeeper installation to run: Debian's
// zookeeper package or an unpacked apache-zookeeper-3.x.y-bin release. It
// is shared by the launcher (zkctl up --impl apache) and the test oracle, so
// that both run the same class path; it imports nothing from testing.
package zkinstall

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// DebianJavaDir is where Debian installs jars.
const DebianJavaDir = "/usr/share/java"

// Debian package hints, named in errors so that a missing piece says what to install.
const (
	// JavaPackage provides a java binary.
	JavaPackage = "default-jre-headless"
	// ZooKeeperPackage provides zookeeper.jar and its dependencies.
	ZooKeeperPackage = "zookeeper"
	// JettyPackage provides the Jetty jars of the AdminServer.
	JettyPackage = "libjetty9-java"
)

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

// adminJars enable the Jetty AdminServer, which the dashboard reads.
var adminJars = []string{
	"jetty9-server.jar", "jetty9-servlet.jar", "jetty9-http.jar", "jetty9-util.jar",
	"jetty9-io.jar", "jetty9-security.jar", "servlet-api.jar",
	"jackson-databind.jar", "jackson-core.jar", "jackson-annotations.jar",
}

// Install is one ZooKeeper installation the launcher can run.
type Install struct {
	// Home is the release directory, or "" for Debian's package.
	Home string
	// Version is the server version from the jar name, e.g. "3.8.0".
	Version string
	// Classpath lists the jars to run QuorumPeerMain with.
	Classpath []string
	// Admin is true when the AdminServer's Jetty jars are on Classpath, so
	// the admin port answers /commands.
	Admin bool
}

// Where names the installation for messages: the release directory or
// "Debian's zookeeper package".
func (in Install) Where() string {
	if in.Home == "" {
		return "Debian's zookeeper package"
	}
	return in.Home
}

// Java returns the java binary to run, or an error naming the package to install.
func Java() (string, error) {
	p, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("no java on PATH: install a Java runtime (apt-get install %s)", JavaPackage)
	}
	return p, nil
}

// DebianAdmin reports whether every jar the AdminServer needs is installed.
func DebianAdmin() bool {
	for _, j := range adminJars {
		if _, err := os.Stat(filepath.Join(DebianJavaDir, j)); err != nil {
			return false
		}
	}
	return true
}

// DebianMissing returns "" when Debian's core ZooKeeper jars are installed,
// else what is missing and the package to install.
func DebianMissing() string {
	for _, j := range coreJars {
		if _, err := os.Stat(filepath.Join(DebianJavaDir, j)); err != nil {
			return fmt.Sprintf("%s missing (apt-get install %s)", filepath.Join(DebianJavaDir, j), ZooKeeperPackage)
		}
	}
	return ""
}

// DebianClasspath lists the installed Debian jars of the server, with the
// AdminServer jars when admin is true and all of them are installed.
func DebianClasspath(admin bool) []string {
	var cp []string
	add := func(names []string) {
		for _, n := range names {
			p := filepath.Join(DebianJavaDir, n)
			if _, err := os.Stat(p); err == nil {
				cp = append(cp, p)
			}
		}
	}
	add(coreJars)
	add(runtimeJars)
	if admin && DebianAdmin() {
		add(adminJars)
	}
	return cp
}

// Debian returns Debian's zookeeper package, with the AdminServer when the
// Jetty jars are installed.
func Debian() (Install, error) {
	if why := DebianMissing(); why != "" {
		return Install{}, fmt.Errorf("Apache ZooKeeper not installed: %s, or pass --zookeeper-home DIR of an unpacked apache-zookeeper-3.x.y-bin release", why)
	}
	v := versionIn(DebianJavaDir)
	if v == "" {
		v = "unknown"
	} else if err := checkVersion(v, "Debian's zookeeper package"); err != nil {
		return Install{}, err
	}
	return Install{Version: v, Classpath: DebianClasspath(true), Admin: DebianAdmin()}, nil
}

// jarRE matches the server jar of a release, zookeeper-3.8.4.jar, and not
// zookeeper-jute-3.8.4.jar or zookeeper-prometheus-metrics-3.8.4.jar.
var jarRE = regexp.MustCompile(`^zookeeper-(\d+\.\d+\.\d+)\.jar$`)

// versionIn returns the newest version of a zookeeper-X.Y.Z.jar in dir.
func versionIn(dir string) string {
	ents, _ := os.ReadDir(dir)
	newest := ""
	for _, e := range ents {
		if m := jarRE.FindStringSubmatch(e.Name()); m != nil && (newest == "" || less(newest, m[1])) {
			newest = m[1]
		}
	}
	return newest
}

// FromHome returns the unpacked release in dir (apache-zookeeper-3.x.y-bin):
// its lib/*.jar as class path and the version from lib/zookeeper-X.Y.Z.jar.
// A directory that is not a release, or one older than 3.5, is an error.
func FromHome(dir string) (Install, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Install{}, fmt.Errorf("--zookeeper-home %s: %w", dir, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return Install{}, fmt.Errorf("--zookeeper-home %s: not a directory", dir)
	}
	lib := filepath.Join(abs, "lib")
	v := versionIn(lib)
	if v == "" {
		// 3.4 releases keep their jar at the top, their dependencies in lib/.
		if old := versionIn(abs); old != "" {
			return Install{}, checkVersion(old, abs)
		}
		return Install{}, fmt.Errorf("--zookeeper-home %s is not a ZooKeeper release: no lib/zookeeper-X.Y.Z.jar (want an unpacked apache-zookeeper-3.x.y-bin, not the source release)", dir)
	}
	if err := checkVersion(v, abs); err != nil {
		return Install{}, err
	}
	jars, _ := filepath.Glob(filepath.Join(lib, "*.jar"))
	sort.Strings(jars)
	in := Install{Home: abs, Version: v, Classpath: jars}
	for _, j := range jars {
		if strings.HasPrefix(filepath.Base(j), "jetty-server-") {
			in.Admin = true
		}
	}
	return in, nil
}

// MinVersion is the oldest release zkctl runs: 3.5 brought the
// "server.N=host:q:e:role;client" syntax the launcher writes and the AdminServer.
const MinVersion = "3.5.0"

func checkVersion(v, where string) error {
	if less(v, MinVersion) {
		return fmt.Errorf("ZooKeeper %s in %s is too old: zkctl runs %s or newer (the server.N ...;client syntax and the AdminServer)", v, where, MinVersion)
	}
	return nil
}

// less compares dotted versions numerically.
func less(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

// log4jProperties sends everything at INFO and above to the console
// (Debian's 3.8 and releases up to 3.7 log through log4j 1.2).
const log4jProperties = `log4j.rootLogger=${zookeeper.root.logger}
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.Threshold=INFO
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
`

// logbackXML does the same for releases from 3.8 on, which log through logback.
const logbackXML = `<configuration>
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="CONSOLE"/></root>
</configuration>
`

// LogFlags writes log4j.properties and logback.xml into dir and returns the
// JVM flags that make the server log INFO and above to its stdout, which
// the launcher appends to server.log, whichever logging library it uses.
func LogFlags(dir string) ([]string, error) {
	props, xml := filepath.Join(dir, "log4j.properties"), filepath.Join(dir, "logback.xml")
	if err := os.WriteFile(props, []byte(log4jProperties), 0o644); err != nil {
		return nil, fmt.Errorf("write log4j.properties: %w", err)
	}
	if err := os.WriteFile(xml, []byte(logbackXML), 0o644); err != nil {
		return nil, fmt.Errorf("write logback.xml: %w", err)
	}
	return []string{"-Dzookeeper.root.logger=INFO,CONSOLE", "-Dlog4j.configuration=file:" + props,
		"-Dlogback.configurationFile=" + xml}, nil
}

// MainClass is the server's entry point, for both standalone and quorum configs.
const MainClass = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
