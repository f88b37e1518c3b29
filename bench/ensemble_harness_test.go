package bench_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/bench"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// The side-by-side measurements are opt-in: they start many processes and
// take minutes. Each prints a table; none asserts on timing.
func requireBench(t *testing.T) {
	t.Helper()
	if os.Getenv("ZKCTL_BENCH") != "1" {
		t.Skip("set ZKCTL_BENCH=1 to run the side-by-side measurements (see docs/benchmarks.md)")
	}
}

// envDuration reads a duration knob, falling back to def.
func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration like 10s", name, v)
	}
	return d
}

// envInt reads an integer knob, falling back to def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// formTimeout bounds how long a zkctl ensemble may take to elect before its
// half of a measurement is skipped (ZKCTL_BENCH_FORM_TIMEOUT, default 20s).
func formTimeout(t *testing.T) time.Duration {
	return envDuration(t, "ZKCTL_BENCH_FORM_TIMEOUT", 20*time.Second)
}

// impl is one implementation under measurement.
type impl struct {
	name     string
	launcher zkproc.Launcher
}

const log4jProps = `log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
`

// apacheImpl runs QuorumPeerMain from the Debian jars with the JVM settings
// zkServer.sh uses by default (-Xmx1000m, the JVM's own GC and JIT), not the
// lighter test flags of internal/oracle, so throughput is not handicapped.
func apacheImpl(t *testing.T) impl {
	t.Helper()
	oracle.RequireOrSkip(t)
	return impl{name: "apache", launcher: zkproc.Launcher{Kind: "apache", Command: func(cfgPath, dir string) (string, []string, []string, error) {
		props := filepath.Join(dir, "log4j.properties")
		if err := os.WriteFile(props, []byte(log4jProps), 0o644); err != nil {
			return "", nil, nil, fmt.Errorf("write log4j.properties: %w", err)
		}
		return "java", []string{"-Xmx1000m", "-Dlog4j.configuration=file:" + props,
			"-cp", oracle.Classpath(), "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfgPath}, nil, nil
	}}}
}

// zkctlImpl builds cmd/zkctl once (or takes $ZKCTL_BIN) and runs `zkctl
// server --config`; it skips the test when the build fails.
func zkctlImpl(t *testing.T) impl {
	t.Helper()
	if _, err := zkproc.BuildE(); err != nil {
		t.Skipf("zkctl does not build: %v", err)
	}
	return impl{name: "zkctl", launcher: zkproc.ZkctlLauncher()}
}

// implFor returns the implementation called name and how long its ensemble
// may take to form; for zkctl, a build failure is recorded in skipped[name]
// before the test is skipped.
func implFor(t *testing.T, name string, skipped map[string]string) (impl, time.Duration) {
	t.Helper()
	if name == "apache" {
		return apacheImpl(t), 60 * time.Second
	}
	if _, err := zkproc.BuildE(); err != nil {
		skipped[name] = "zkctl does not build: " + firstLine(err.Error())
	}
	return zkctlImpl(t), formTimeout(t)
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// skipUnformed records why a zkctl ensemble is not measured and skips; for
// Apache a formation failure fails the test.
func skipUnformed(t *testing.T, name string, err error, skipped map[string]string) {
	t.Helper()
	if name == "zkctl" {
		skipped[name] = firstLine(err.Error())
		t.Skipf("zkctl half skipped: %v", err)
	}
	t.Fatal(err)
}

// cluster is an ensemble whose processes were all started at once, without
// waiting in between, so its formation can be timed.
type cluster struct {
	t       *testing.T
	impl    impl
	members []zkproc.Member
	dirs    []string
	cfgs    []string
	procs   []*zkproc.Process
	started time.Time // just before the first process was started
}

// launch writes n zoo.cfg files (tickTime etc. from o, plus extra) and
// starts n servers of im back to back. Cleanup kills them by pid.
func launch(t *testing.T, im impl, n int, o zkproc.Options) *cluster {
	t.Helper()
	ports, err := zkproc.FreePorts(n * 4)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, impl: im, members: make([]zkproc.Member, n), dirs: make([]string, n), cfgs: make([]string, n),
		procs: make([]*zkproc.Process, n)}
	for i := range n {
		p := ports[i*4:]
		c.members[i] = zkproc.Member{ID: i + 1, ClientPort: p[0], QuorumPort: p[1], ElectionPort: p[2]}
		if !o.NoAdmin && (im.name != "apache" || oracle.AdminAvailable()) {
			c.members[i].AdminPort = p[3]
		}
	}
	root := t.TempDir()
	for i, m := range c.members {
		c.dirs[i] = filepath.Join(root, fmt.Sprintf("%s-%d", im.name, m.ID))
		c.cfgs[i] = filepath.Join(c.dirs[i], "zoo.cfg")
		if err := os.MkdirAll(c.dirs[i], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := zkproc.WriteConfig(c.cfgs[i], zkproc.Config(o, filepath.Join(c.dirs[i], "data"), m, c.members), m.ID); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(c.killAll)
	c.started = time.Now()
	for i := range c.members {
		c.start(i)
	}
	return c
}

func (c *cluster) start(i int) {
	c.t.Helper()
	bin, args, env, err := c.impl.launcher.Command(c.cfgs[i], c.dirs[i])
	if err != nil {
		c.t.Fatalf("%s-%d: %v", c.impl.name, i+1, err)
	}
	p, err := zkproc.StartProcess(bin, args, env, c.dirs[i], filepath.Join(c.dirs[i], "server.log"))
	if err != nil {
		c.t.Fatalf("%s-%d: %v", c.impl.name, i+1, err)
	}
	c.procs[i] = p
}

func (c *cluster) killAll() {
	for _, p := range c.procs {
		if p != nil {
			_ = p.Kill9()
		}
	}
}

// addrs returns the client addresses of the servers whose index is not in skip.
func (c *cluster) addrs(skip ...int) []string {
	var out []string
	for i, m := range c.members {
		if !contains(skip, i) {
			out = append(out, "127.0.0.1:"+strconv.Itoa(m.ClientPort))
		}
	}
	return out
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// waitFormed polls srvr every 10 ms until one leader and followers only,
// returning the time elapsed since launch, or an error naming the modes.
func (c *cluster) waitFormed(timeout time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	at, modes, err := bench.WaitModes(ctx, c.addrs(), 10*time.Millisecond, bench.Formed)
	if err != nil {
		for i, p := range c.procs {
			if !p.Running() {
				return 0, fmt.Errorf("%s-%d exited (%v); log tail:\n%s", c.impl.name, i+1, p.ExitErr(), c.logTail(i, 20))
			}
		}
		return 0, fmt.Errorf("%s ensemble of %d not formed within %v: modes %q", c.impl.name, len(c.members), timeout, modes)
	}
	return at.Sub(c.started), nil
}

// leader returns the index of the server whose srvr Mode is leader, or -1.
func (c *cluster) leader() int {
	for i, m := range bench.Modes(c.addrs(), time.Second) {
		if m == "leader" {
			return i
		}
	}
	return -1
}

func (c *cluster) pids() []int {
	out := make([]int, len(c.procs))
	for i, p := range c.procs {
		out[i] = p.Pid()
	}
	return out
}

func (c *cluster) logTail(i int, n int) string {
	b, _ := os.ReadFile(filepath.Join(c.dirs[i], "server.log"))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ratio formats z/a, or "-" when either is missing.
func ratio(z, a float64) string {
	if a <= 0 || z <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", z/a)
}

// msStr formats a duration in milliseconds, "-" for zero.
func msStr(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond))
}

// timeline records, per server, each srvr Mode change seen by a WaitModes
// poll, so a slow formation can be explained (which server was late, and in
// which mode it sat).
type timeline struct {
	t0    time.Time
	last  []string
	lines []string
}

func newTimeline(t0 time.Time, n int) *timeline {
	tl := &timeline{t0: t0, last: make([]string, n)}
	for i := range tl.last {
		tl.last[i] = "?"
	}
	return tl
}

// wrap returns a WaitModes predicate that records changes and then asks done.
func (tl *timeline) wrap(done func([]string) bool) func([]string) bool {
	return func(modes []string) bool {
		at := time.Since(tl.t0).Round(time.Millisecond)
		for i, m := range modes {
			if i < len(tl.last) && m != tl.last[i] {
				shown := m
				if shown == "" {
					shown = "not serving"
				}
				tl.lines = append(tl.lines, fmt.Sprintf("+%v server %d: %s", at, i+1, shown))
				tl.last[i] = m
			}
		}
		return done(modes)
	}
}

func (tl *timeline) String() string { return strings.Join(tl.lines, "; ") }
