package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkinstall"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/launcher"
)

// TestUpApache_FailoverScript: `zkctl up 3 --impl apache --headless
// --script examples/failover.chaos` runs Debian's Apache ZooKeeper 3.8
// behind the link proxies and passes, the check included (issue 13).
func TestUpApache_FailoverScript(t *testing.T) {
	out, code := runApacheScript(t, 3, "failover.chaos", "--impl", "apache")
	if code != 0 || !strings.Contains(out, "linearizable: yes") {
		t.Fatalf("zkctl up 3 --impl apache --script failover.chaos: exit %d, want 0 and linearizable\n%s", code, out)
	}
	if !strings.Contains(out, "zkctl up: servers 1 apache 3.") || !strings.Contains(out, "elected leader") {
		t.Fatalf("no servers line with Apache's version, or no election derived from polling its admin port\n%s", out)
	}
}

// runApacheScript runs `zkctl up N --headless --script examples/SCRIPT`
// with fast ticks when Apache ZooKeeper is installed, and returns the output
// and exit status.
func runApacheScript(t *testing.T, n int, script string, extra ...string) (string, int) {
	t.Helper()
	if testing.Short() {
		t.Skip("real-process test: skipped with -short")
	}
	oracle.RequireOrSkip(t)
	abs, err := filepath.Abs(filepath.Join("../examples", script))
	if err != nil {
		t.Fatal(err)
	}
	out, code, took := runUpScript(t, zkproc.Build(t), n, abs, append([]string{"--tick", "200ms"}, extra...)...)
	t.Logf("exit %d after %s", code, took.Round(time.Second))
	return out, code
}

// TestUpApache_Mixed: `zkctl up 3 --apache 1` runs node 3 as Apache: status
// shows each server's implementation and version and marks what Apache's
// admin port cannot tell; the JVM's output is in its server.log; pause
// stops the JVM itself; and the failover script passes against the mixed
// ensemble; then upgrade moves servers between the implementations.
func TestUpApache_Mixed(t *testing.T) {
	if testing.Short() {
		t.Skip("real-process test: skipped with -short")
	}
	oracle.RequireOrSkip(t)
	u := startUpCluster(t, 3, "--apache", "1")
	u.waitStable(60 * time.Second)
	st := u.status()
	for id, want := range map[int]string{1: launcher.ImplZkctl, 2: launcher.ImplZkctl, 3: launcher.ImplApache} {
		if n := node(st, id); n.Impl != want || n.Version == "" {
			t.Errorf("node %d: impl %q version %q, want %s and a version", id, n.Impl, n.Version, want)
		}
	}
	if n := node(st, 3); !strings.HasPrefix(n.Version, "3.") || !slices.Contains(n.Unknown, "pid") {
		t.Errorf("node 3: version %q unknown %q: want 3.x and pid marked unknown", n.Version, n.Unknown)
	}
	table, _ := u.zkctl("status")
	if !strings.Contains(table, "IMPL") || !strings.Contains(table, "apache 3.") || !strings.Contains(table, "zkctl ") {
		t.Errorf("zkctl status lacks the IMPL column:\n%s", table)
	}
	if logs, _ := u.zkctl("logs", "3"); !strings.Contains(logs, "QuorumPeer") {
		t.Errorf("zkctl logs 3 lacks the JVM's output:\n%s", firstLines(logs, 20))
	}
	// pause reaches the JVM: the java process itself is stopped.
	pid := node(st, 3).PID
	if exe, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); !strings.Contains(exe, "java") {
		t.Errorf("node 3's pid %d runs %q, want java itself as the child", pid, exe)
	}
	u.do("pause 3")
	if s := procState(pid); s != "T" {
		t.Errorf("after pause 3 the JVM's state is %q, want T (stopped)", s)
	}
	u.do("resume 3")
	script, _ := filepath.Abs("../examples/failover.chaos")
	out, code := u.zkctl("chaos", "run", script)
	if code != 0 || !strings.Contains(out, "linearizable: yes") {
		t.Fatalf("failover.chaos on zkctl,zkctl,apache: exit %d\n%s", code, out)
	}
	// upgrade moves node 3 back to zkctl on its data directory, and node 1
	// to Apache, each rejoining and syncing; upgrading to what a node
	// already runs is refused and stops nothing.
	pid = node(u.status(), 3).PID
	if out, code := u.zkctl("do", "upgrade 3 --impl apache"); code == 0 || !strings.Contains(out, "already runs apache") {
		t.Fatalf("upgrade 3 --impl apache on an Apache node: exit %d\n%s", code, out)
	}
	if pidNow := node(u.status(), 3).PID; pidNow != pid {
		t.Fatalf("a refused upgrade restarted node 3 (pid %d -> %d)", pid, pidNow)
	}
	// Upgrading the leader to Apache is the hard case: the others elect a
	// new leader without it, and the JVM rejoins by an empty DIFF, keeping
	// its old zxid; its persisted currentEpoch tells that it has synced.
	if out, code := u.zkctl("upgrade", "3", "--impl", "zkctl"); code != 0 || !strings.Contains(out, "wait synced: met") {
		t.Fatalf("zkctl upgrade 3 --impl zkctl: exit %d, want 0 after waiting until synced:\n%s", code, out)
	}
	leader, _ := u.waitStable(30 * time.Second)
	if out := u.do("upgrade " + strconv.Itoa(leader) + " --impl apache"); !strings.Contains(out, "wait synced: met") {
		t.Fatalf("upgrade of leader %d to apache did not wait until synced:\n%s", leader, out)
	}
	st = u.status()
	if node(st, leader).Impl != launcher.ImplApache || leader != 3 && node(st, 3).Impl != launcher.ImplZkctl {
		t.Fatalf("after the upgrades: node %d %s, node 3 %s", leader, node(st, leader).Impl, node(st, 3).Impl)
	}
	u.down()
}

// procState is the state letter of /proc/PID/stat (R, S, T...).
func procState(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	if i := strings.LastIndex(s, ") "); i >= 0 && i+2 < len(s) {
		return s[i+2 : i+3]
	}
	return ""
}

// TestUpApache_BadInput: a wrong --impl count or name, --apache out of
// range, a --zookeeper-home that is not a release or is older than 3.5, and
// a missing java are clear errors (exit 2) that start nothing.
func TestUpApache_BadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("real-process test: skipped with -short")
	}
	bin := zkproc.Build(t)
	notRelease := t.TempDir()
	old := t.TempDir()
	if err := os.WriteFile(filepath.Join(old, "zookeeper-3.4.14.jar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"impl count", []string{"--impl", "zkctl,apache"}, nil, "names 2 implementations for 3 servers"},
		{"impl name", []string{"--impl", "zkctl,zookeepr,apache"}, nil, `unknown implementation "zookeepr" for server 2`},
		{"apache count", []string{"--apache", "4"}, nil, "--apache 4: want 0 to 3"},
		{"both", []string{"--apache", "1", "--impl", "apache"}, nil, "give one of them"},
		{"bad home without apache", []string{"--zookeeper-home", notRelease}, nil, "is not a ZooKeeper release"},
		{"not a release", []string{"--impl", "apache", "--zookeeper-home", notRelease}, nil, "is not a ZooKeeper release"},
		{"too old", []string{"--apache", "1", "--zookeeper-home", old}, nil, "ZooKeeper 3.4.14 in " + old + " is too old"},
	}
	if ok, _ := oracle.Available(); ok {
		cases = append(cases, struct {
			name string
			args []string
			env  []string
			want string
		}{"no java", []string{"--impl", "apache"}, []string{"PATH=/nonexistent"}, "apt-get install default-jre-headless"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"up", "3", "--headless", "--dir", dir, "--base-port", strconv.Itoa(freeBasePort(t))}, tc.args...)
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), tc.env...)
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != 2 || !strings.Contains(string(out), tc.want) {
				t.Fatalf("zkctl %s: exit %d, want 2 and %q\n%s", strings.Join(args, " "), code, tc.want, out)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("a failed start left %d entries in %s", len(ents), dir)
			}
		})
	}
}

// TestUpApache_RollingUpgrade: examples/long/rolling-upgrade.chaos rolls a
// 5-server zkctl ensemble to Apache ZooKeeper one server at a time and back
// under load; every upgrade waits until synced and the check passes.
func TestUpApache_RollingUpgrade(t *testing.T) {
	out, code := runApacheScript(t, 5, "long/rolling-upgrade.chaos")
	if code != 0 || !strings.Contains(out, "linearizable: yes") || strings.Count(out, "wait synced: met") < 10 {
		t.Fatalf("rolling upgrade: exit %d, want 0, ten synced upgrades and linearizable\n%s", code, out)
	}
}

// TestUpApache_ReleaseHomeWithoutJetty: --zookeeper-home takes a release
// laid out as lib/*.jar (here Debian's jars linked into one, without the
// Jetty jars); the version comes from lib/zookeeper-X.Y.Z.jar, and with no
// AdminServer the launcher reads the servers through four-letter words.
func TestUpApache_ReleaseHomeWithoutJetty(t *testing.T) {
	if testing.Short() {
		t.Skip("real-process test: skipped with -short")
	}
	oracle.RequireOrSkip(t)
	home := t.TempDir()
	lib := filepath.Join(home, "lib")
	if err := os.Mkdir(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, jar := range zkinstall.DebianClasspath(false) {
		name := filepath.Base(jar)
		if name == "zookeeper.jar" {
			name = "zookeeper-3.8.0.jar"
		}
		if err := os.Symlink(jar, filepath.Join(lib, name)); err != nil {
			t.Fatal(err)
		}
	}
	u := startUpCluster(t, 3, "--impl", "apache", "--zookeeper-home", home)
	u.waitStable(60 * time.Second)
	st := u.status()
	for _, n := range st.Nodes {
		if n.Impl != launcher.ImplApache || n.Version != "3.8.0" {
			t.Errorf("node %d: %s %s, want apache 3.8.0", n.ID, n.Impl, n.Version)
		}
	}
	u.down()
}
