package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/launcher"
)

// Helpers for the real-process launcher and chaos tests: the zkctl binary
// (built once per test process by zkproc.Build) runs `zkctl up --headless`
// on a random free port range; tests drive it with the binary's own
// subcommands and the control API, and stop only the process they started.

// freeBasePort finds a base port whose whole layout (launcher.PortSpan
// ports) is free on 127.0.0.1 right now. It stays below Linux's ephemeral
// range (32768 and up by default), where any outgoing connection of this
// busy machine could take a port between the check and the launcher's bind.
func freeBasePort(t *testing.T) int {
	t.Helper()
	rng := rand.New(rand.NewSource(time.Now().UnixNano() + int64(os.Getpid())))
	const lo, hi = 20000, 32768 - launcher.PortSpan - 1
	for range 50 {
		base := lo + rng.Intn((hi-lo)/10)*10
		ok := true
		for p := base; p <= base+launcher.PortSpan && ok; p++ {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range found")
	return 0
}

// lockedBuffer is a bytes.Buffer safe for the child's two output streams.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// upRun is one background `zkctl up`.
type upRun struct {
	t    *testing.T
	bin  string
	dir  string
	name string
	base int
	n    int
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	err  error // Wait's result, valid once done is closed
	// pids are every server pid seen, for the no-process-left check.
	pids map[int]bool
}

// startUpCluster runs `zkctl up N --headless` with fast ticks and waits
// for cluster.json.
func startUpCluster(t *testing.T, n int, extra ...string) *upRun {
	t.Helper()
	if testing.Short() {
		t.Skip("real-process launcher test: skipped with -short")
	}
	u := &upRun{t: t, bin: zkproc.Build(t), dir: t.TempDir(), name: "e2e", base: freeBasePort(t), n: n,
		out: &lockedBuffer{}, done: make(chan struct{}), pids: map[int]bool{}}
	args := append([]string{"up", strconv.Itoa(n), "--headless", "--dir", u.dir, "--name", u.name,
		"--base-port", strconv.Itoa(u.base), "--tick", "200ms", "--grace", "3s"}, extra...)
	u.cmd = exec.Command(u.bin, args...)
	u.cmd.Stdout, u.cmd.Stderr = u.out, u.out
	if err := u.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { u.err = u.cmd.Wait(); close(u.done) }()
	t.Cleanup(func() {
		select {
		case <-u.done:
		default:
			// Stop only the process this test started, by its pid.
			_ = u.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-u.done:
			case <-time.After(15 * time.Second):
				_ = u.cmd.Process.Kill()
				<-u.done
			}
		}
		if t.Failed() {
			t.Logf("zkctl up output:\n%s", u.out.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(u.dir, u.name, launcher.ClusterFileName)); err == nil {
			break
		}
		select {
		case <-u.done:
			t.Fatalf("zkctl up exited early: %v\n%s", u.err, u.out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no cluster.json within 30s\n%s", u.out.String())
		}
	}
	u.status() // records the pids
	return u
}

// zkctl runs one zkctl subcommand against this cluster and returns its
// combined output and exit status.
func (u *upRun) zkctl(args ...string) (string, int) {
	u.t.Helper()
	args = append(args, "--dir", u.dir, "--name", u.name)
	cmd := exec.Command(u.bin, args...)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			u.t.Fatalf("zkctl %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return string(out), code
}

// do runs `zkctl do LINE` and fails the test unless it exits 0.
func (u *upRun) do(line string) string {
	u.t.Helper()
	out, code := u.zkctl("do", line)
	if code != 0 {
		u.t.Fatalf("zkctl do %q: exit %d\n%s", line, code, out)
	}
	return out
}

// status reads `zkctl status --json` into the launcher's type.
func (u *upRun) status() launcher.ClusterStatus {
	u.t.Helper()
	c, err := launcher.Find(u.dir, u.name)
	if err != nil {
		u.t.Fatalf("find cluster: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.Status(ctx)
	if err != nil {
		u.t.Fatalf("status: %v", err)
	}
	for _, n := range st.Nodes {
		if n.PID > 0 {
			u.pids[n.PID] = true
		}
	}
	return st
}

// node returns node id's row of st.
func node(st launcher.ClusterStatus, id int) launcher.NodeStatus {
	for _, n := range st.Nodes {
		if n.ID == id {
			return n
		}
	}
	return launcher.NodeStatus{}
}

// describeStatus is one line per node for failure messages.
func describeStatus(st launcher.ClusterStatus) string {
	var b strings.Builder
	for _, n := range st.Nodes {
		fmt.Fprintf(&b, "zk%d:%s(leader %d, epoch %d, zxid 0x%x, run %v, paused %v) ", n.ID, n.State, n.LeaderID, n.Epoch, n.Zxid, n.Running, n.Paused)
	}
	return b.String()
}

// waitFor polls status every 100 ms until cond holds or d passes; it
// returns the last status and whether cond held.
func (u *upRun) waitFor(d time.Duration, cond func(launcher.ClusterStatus) bool) (launcher.ClusterStatus, bool) {
	u.t.Helper()
	deadline := time.Now().Add(d)
	for {
		st := u.status()
		if cond(st) {
			return st, true
		}
		if time.Now().After(deadline) {
			return st, false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stableLeader reports the leader when exactly one node among those not
// in skip is LEADING and every other one FOLLOWING it.
func stableLeader(st launcher.ClusterStatus, skip ...int) int {
	leader := 0
	for _, n := range st.Nodes {
		if n.State == adminapi.StateLeading && !contains(skip, n.ID) {
			if leader != 0 {
				return 0
			}
			leader = n.ID
		}
	}
	if leader == 0 {
		return 0
	}
	for _, n := range st.Nodes {
		if n.ID == leader || contains(skip, n.ID) {
			continue
		}
		if n.State != adminapi.StateFollowing || int(n.LeaderID) != leader {
			return 0
		}
	}
	return leader
}

func contains(ids []int, id int) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// waitStable waits for one leader (not in skip) with every other node
// outside skip following it.
func (u *upRun) waitStable(d time.Duration, skip ...int) (int, launcher.ClusterStatus) {
	u.t.Helper()
	st, ok := u.waitFor(d, func(st launcher.ClusterStatus) bool { return stableLeader(st, skip...) != 0 })
	if !ok {
		u.t.Fatalf("no leader followed by every node (skipping %v) within %s: %s", skip, d, describeStatus(st))
	}
	return stableLeader(st, skip...), st
}

// waitCaughtUp waits until node id follows a leader and its last zxid
// equals the leader's.
func (u *upRun) waitCaughtUp(d time.Duration, id int) launcher.ClusterStatus {
	u.t.Helper()
	st, ok := u.waitFor(d, func(st launcher.ClusterStatus) bool {
		n := node(st, id)
		if n.State != adminapi.StateFollowing {
			return false
		}
		l := node(st, int(n.LeaderID))
		return l.State == adminapi.StateLeading && l.Zxid == n.Zxid && n.Zxid != 0
	})
	if !ok {
		u.t.Fatalf("node %d did not follow the leader with an equal zxid within %s: %s", id, d, describeStatus(st))
	}
	return st
}

// write creates count znodes under /e2e-<tag> through the given node's
// client port; every create must succeed.
func (u *upRun) write(id int, tag string, count int) {
	u.t.Helper()
	st := u.status()
	addr := fmt.Sprintf("127.0.0.1:%d", node(st, id).ClientPort)
	conn, _, err := zk.Connect([]string{addr}, 5*time.Second, zk.WithLogInfo(false))
	if err != nil {
		u.t.Fatalf("connect to node %d: %v", id, err)
	}
	defer conn.Close()
	for i := range count {
		var err error
		for range 50 {
			_, err = conn.Create(fmt.Sprintf("/e2e-%s-%d", tag, i), []byte(tag), 0, zk.WorldACL(zk.PermAll))
			if err == nil || err == zk.ErrNodeExists {
				err = nil
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			u.t.Fatalf("create /e2e-%s-%d through node %d: %v", tag, i, id, err)
		}
	}
}

// down runs `zkctl down`, waits for `zkctl up` to exit 0, and checks that
// no server process and no port of the layout is left.
func (u *upRun) down() {
	u.t.Helper()
	u.status()
	if out, code := u.zkctl("down"); code != 0 {
		u.t.Fatalf("zkctl down: exit %d\n%s", code, out)
	}
	select {
	case <-u.done:
		if u.err != nil {
			u.t.Fatalf("zkctl up exited with %v", u.err)
		}
	case <-time.After(30 * time.Second):
		u.t.Fatal("zkctl up still running 30s after zkctl down")
	}
	for pid := range u.pids {
		if pidAlive(pid) {
			u.t.Errorf("server pid %d still alive after down", pid)
		}
	}
	for _, p := range layoutPorts(u.base, u.n) {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			u.t.Errorf("port %d still bound after down: %v", p, err)
			continue
		}
		ln.Close()
	}
	if _, err := os.Stat(filepath.Join(u.dir, u.name, launcher.ClusterFileName)); err == nil {
		u.t.Error("cluster.json left after down")
	}
}

// layoutPorts lists every port the launcher uses for n voters at base.
func layoutPorts(base, n int) []int {
	l := launcher.Layout{Base: base}
	ports := []int{l.Control()}
	for i := 1; i <= n; i++ {
		p := l.Node(i)
		ports = append(ports, p.Client, p.Admin, p.Quorum, p.Election)
		for j := 1; j <= n; j++ {
			if i != j {
				ports = append(ports, l.QuorumProxy(i, j), l.ElectionProxy(i, j))
			}
		}
	}
	return ports
}

// pidAlive reports whether pid exists and is not a zombie.
func pidAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// statusJSON runs `zkctl status --json` and decodes the documented shape.
func (u *upRun) statusJSON() map[string]any {
	u.t.Helper()
	out, code := u.zkctl("status", "--json")
	if code != 0 {
		u.t.Fatalf("zkctl status --json: exit %d\n%s", code, out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		u.t.Fatalf("zkctl status --json: %v\n%s", err, out)
	}
	return m
}
