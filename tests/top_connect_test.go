package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/observe"
)

// runTop runs `zkctl top ARGS` and returns stdout, stderr and the exit status.
func runTop(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(zkproc.Build(t), append([]string{"top"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("zkctl top %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}

// topJSON runs `zkctl top --once --json ARGS` and decodes the snapshot.
func topJSON(t *testing.T, args ...string) (observe.Snapshot, int) {
	t.Helper()
	out, errOut, code := runTop(t, append([]string{"--once", "--json", "--window", "300ms"}, args...)...)
	var snap observe.Snapshot
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("top --json: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	return snap, code
}

func connectString(srvs []*zkproc.Instance) string {
	addrs := make([]string, len(srvs))
	for i, s := range srvs {
		addrs[i] = s.ClientAddr()
	}
	return strings.Join(addrs, ",")
}

// checkTopMatchesSrvr asserts that the snapshot shows every server of srvs
// with the role and zxid its own srvr answers, and the srvr leader as leader.
func checkTopMatchesSrvr(t *testing.T, snap observe.Snapshot, srvs []*zkproc.Instance) {
	t.Helper()
	if len(snap.Servers) != len(srvs) {
		t.Fatalf("top shows %d servers, want %d: %+v", len(snap.Servers), len(srvs), snap.Servers)
	}
	roles := map[string]string{"leader": "LEADING", "follower": "FOLLOWING", "observer": "OBSERVING", "standalone": "STANDALONE"}
	for _, s := range srvs {
		out, err := s.Srvr()
		if err != nil {
			t.Fatalf("%s: srvr: %v", s.Name(), err)
		}
		var zxid string
		for _, l := range strings.Split(out, "\n") {
			if v, ok := strings.CutPrefix(l, "Zxid: "); ok {
				zxid = strings.TrimSpace(v)
			}
		}
		mode := zkproc.ParseMode(out)
		var got *observe.ServerStatus
		for i := range snap.Servers {
			if sv := &snap.Servers[i]; sv.ID != nil && *sv.ID == int64(s.ID()) {
				got = sv
			}
		}
		if got == nil {
			t.Fatalf("%s (myid %d) missing from top: %+v", s.Name(), s.ID(), snap.Servers)
		}
		if got.State != roles[mode] || got.Zxid == nil || *got.Zxid != zxid || got.Address != s.ClientAddr() {
			t.Errorf("%s: top says %s zxid %v at %s; srvr says %s zxid %s at %s", s.Name(), got.State, deref(got.Zxid), got.Address, mode, zxid, s.ClientAddr())
		}
		if mode == "leader" && (snap.Leader == nil || *snap.Leader != int64(s.ID())) {
			t.Errorf("leader: top says %v, srvr says %s", deref(snap.Leader), s.Name())
		}
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// waitTopHealth runs top --once until it exits with want (elections and
// session expiry take a few ticks after a server stops), or fails.
func waitTopHealth(t *testing.T, want observe.Health, within time.Duration, args ...string) observe.Snapshot {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		snap, code := topJSON(t, args...)
		if code == int(want) && snap.Health == want {
			return snap
		}
		if time.Now().After(deadline) {
			t.Fatalf("top exit %d (%s, %q), want %d within %v", code, snap.HealthName, snap.Reasons, want, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Apache ZooKeeper 3.8 as Debian runs it: no Jetty on the class path, so the
// AdminServer configured in zoo.cfg serves nothing, and a whitelist that
// refuses mntr. From one client address top finds all three servers, shows
// the roles, leader and zxids srvr shows, says what the whitelist refused,
// and its --once exit status follows the servers as they stop one by one.
func TestTop_ApacheWithoutAdminServer(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	oracle.RequireOrSkip(t)
	zkproc.Build(t)
	o := zkproc.Options{TickTime: 200, NoFsync: true, StartTimeout: 40 * time.Second,
		Extra: map[string]string{"4lw.commands.whitelist": "srvr,stat,conf,isro,cons,wchs"}}
	srvs, err := zkproc.Start(t, oracle.LauncherWithoutJetty(), 3, o)
	if err != nil {
		t.Fatal(err)
	}
	lead := waitModes(t, srvs, 30*time.Second)
	if a := srvs[0].AdminAddr(); a != "" {
		// The config enables the AdminServer there, but without Jetty
		// nothing listens: the case the issue reports (every server DOWN).
		if _, err := zkproc.FourLetter(a, "srvr", time.Second); err == nil {
			t.Fatalf("something listens on the configured admin address %s; want nothing without Jetty", a)
		}
	}
	snap, code := topJSON(t, srvs[0].ClientAddr())
	if code != 0 || snap.Health != observe.Healthy {
		t.Fatalf("exit %d %s %q, want 0 healthy", code, snap.HealthName, snap.Reasons)
	}
	checkTopMatchesSrvr(t, snap, srvs)
	for _, sv := range snap.Servers {
		if sv.Source != "4lw" || strings.Join(sv.Refused, ",") != "mntr" {
			t.Errorf("server %v: source %s refused %v, want 4lw refusing mntr", deref(sv.ID), sv.Source, sv.Refused)
		}
	}
	table, _, code := runTop(t, "--once", "--window", "0", srvs[1].ClientAddr())
	if code != 0 || !strings.Contains(table, "whitelist refuses mntr") || strings.Contains(table, "\x1b[") {
		t.Fatalf("plain table (exit %d) must name the refused word and carry no colour:\n%s", code, table)
	}

	all := connectString(srvs)
	follower := others(srvs, lead)[0]
	follower.Kill9()
	snap = waitTopHealth(t, observe.Degraded, 15*time.Second, all)
	if !strings.Contains(strings.Join(snap.Reasons, ";"), fmt.Sprintf("server %d down", follower.ID())) {
		t.Errorf("degraded reasons %q do not name server %d", snap.Reasons, follower.ID())
	}
	lead.Kill9()
	waitTopHealth(t, observe.NoQuorum, 15*time.Second, all)
	for _, s := range srvs {
		if s.Pid() != 0 {
			s.Kill9()
		}
	}
	waitTopHealth(t, observe.Unreachable, 5*time.Second, all)
}

// With the AdminServer on (Jetty on the class path), top reads the server
// whose admin port --admin-port names through the AdminServer (its myid
// proves it is that server; the others answer there with another myid and
// are read through 4lw), and reports what srvr reports.
func TestTop_ApacheWithAdminServer(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	oracle.RequireOrSkip(t)
	if !oracle.AdminAvailable() {
		if os.Getenv(oracle.RequireEnv) == "1" {
			t.Fatal("Apache ZooKeeper's AdminServer needs Debian's Jetty jars (apt-get install zookeeper)")
		}
		t.Skip("Jetty jars for Apache ZooKeeper's AdminServer are missing")
	}
	zkproc.Build(t)
	srvs := oracle.StartEnsemble(t, 3, zkproc.Options{TickTime: 200, NoFsync: true, StartTimeout: 40 * time.Second})
	waitModes(t, srvs, 30*time.Second)
	adminPort := strconv.Itoa(srvs[0].Member().AdminPort)
	snap, code := topJSON(t, "--admin-port", adminPort, srvs[2].ClientAddr())
	if code != 0 {
		t.Fatalf("exit %d %s %q, want 0", code, snap.HealthName, snap.Reasons)
	}
	checkTopMatchesSrvr(t, snap, srvs)
	for _, sv := range snap.Servers {
		want := "4lw"
		if *sv.ID == 1 {
			want = "admin"
		}
		if sv.Source != want || len(sv.Refused) != 0 {
			t.Errorf("server %d: source %s refused %v, want %s refusing nothing", *sv.ID, sv.Source, sv.Refused, want)
		}
		if sv.Source == "4lw" && (sv.Watches == nil || sv.Sessions == nil) {
			t.Errorf("server %d: with every word allowed watches and sessions are known", *sv.ID)
		}
	}
}

// A zkctl ensemble answers top as Apache's does; bad parts of a connect
// string (a host that does not resolve, an HTTP server, a closed port) get a
// clear message each while the real servers are shown, and an unparsable
// connect string is an error with exit status 4.
func TestTop_ZkctlEnsembleAndBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	srvs := zkproc.StartEnsemble(t, 3, zkproc.Options{TickTime: 200, NoFsync: true, NoAdmin: true})
	waitModes(t, srvs, 20*time.Second)
	snap, code := topJSON(t, srvs[1].ClientAddr())
	if code != 0 {
		t.Fatalf("exit %d %s %q, want 0", code, snap.HealthName, snap.Reasons)
	}
	checkTopMatchesSrvr(t, snap, srvs)

	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hello") }))
	defer hs.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	httpAddr := strings.TrimPrefix(hs.URL, "http://")
	snap, code = topJSON(t, strings.Join([]string{"no-such-host.invalid:2181", httpAddr, closed, srvs[0].ClientAddr()}, ","))
	if code != int(observe.Degraded) || len(snap.Servers) != 6 || snap.Serving != 3 {
		t.Fatalf("exit %d %s serving %d, %d servers, want 1 degraded with the 3 real ones serving and 3 bad rows: %+v",
			code, snap.HealthName, snap.Serving, len(snap.Servers), snap.Servers)
	}
	want := map[string]string{"no-such-host.invalid:2181": "no such host", httpAddr: "not ZooKeeper", closed: "connection refused"}
	for _, sv := range snap.Servers {
		if w, ok := want[sv.Address]; ok {
			if sv.Reachable || !strings.Contains(sv.Error, w) {
				t.Errorf("%s: reachable %v error %q, want %q", sv.Address, sv.Reachable, sv.Error, w)
			}
			delete(want, sv.Address)
		}
	}
	if len(want) > 0 {
		t.Errorf("no rows for %v", want)
	}
	for _, bad := range []string{"127.0.0.1:2181,,", "127.0.0.1:notaport", "::1:2181"} {
		_, errOut, code := runTop(t, "--once", bad)
		if code != 4 || !strings.Contains(errOut, "bad connect string") {
			t.Errorf("top %q: exit %d, stderr %q; want 4 and a clear message", bad, code, errOut)
		}
	}
}

// In a mixed ensemble (Apache ZooKeeper 3.8 and zkctl) with the whitelist
// ZooKeeper 3.5+ ships by default (srvr only), conf is refused, so top finds
// the members in the Apache server's /zookeeper/config; it reports what srvr
// reports on each server, whichever implementation answers, and names the
// refused words.
func TestTop_MixedEnsemble(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	oracle.RequireOrSkip(t)
	zkproc.Build(t)
	a, z := oracle.LauncherWithoutJetty(), zkproc.ZkctlLauncher()
	srvs, err := zkproc.StartMixed(t, []zkproc.Launcher{a, z, z}, zkproc.Options{TickTime: 200, NoFsync: true, NoAdmin: true,
		StartTimeout: 40 * time.Second, Extra: map[string]string{"4lw.commands.whitelist": "srvr"}})
	if err != nil {
		t.Fatal(err)
	}
	waitModes(t, srvs, 30*time.Second)
	snap, code := topJSON(t, srvs[0].ClientAddr())
	if code != 0 {
		t.Fatalf("exit %d %s %q, want 0", code, snap.HealthName, snap.Reasons)
	}
	checkTopMatchesSrvr(t, snap, srvs)
	for _, sv := range snap.Servers {
		if zk := strings.Contains(sv.Version, "zkctl"); zk != (*sv.ID != 1) {
			t.Errorf("server %d: version %q", *sv.ID, sv.Version)
		}
		if strings.Join(sv.Refused, ",") != "mntr,conf,isro,cons,wchs" || sv.Watches != nil {
			t.Errorf("server %d: refused %v watches %v; want every word but srvr refused and watches unknown", *sv.ID, sv.Refused, deref(sv.Watches))
		}
	}
}

// `zkctl top HOST:PORT` in a real terminal (tmux) against an ensemble
// without an AdminServer shows all three servers from one address, the
// leader and a full quorum, and "?" where four-letter words cannot tell.
func TestTop_ConnectStringDashboardInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv(oracle.RequireEnv) == "1" {
			t.Fatal("tmux is required (apt-get install tmux)")
		}
		t.Skip("tmux not installed")
	}
	srvs := zkproc.StartEnsemble(t, 3, zkproc.Options{TickTime: 200, NoFsync: true, NoAdmin: true})
	lead := waitModes(t, srvs, 20*time.Second)
	x := tmux{t: t, session: fmt.Sprintf("zkctl-top-%d", os.Getpid())}
	x.run("new-session", "-d", "-s", x.session, "-x", "140", "-y", "40",
		fmt.Sprintf("TERM=xterm-256color %s top %s; echo top-exited $?; sleep 30", zkproc.Build(t), srvs[2].ClientAddr()))
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", x.session).Run() })
	want := fmt.Sprintf("leader zk%d", lead.ID())
	s, ok := x.waitScreen(15*time.Second, func(s string) bool {
		return strings.Contains(s, want) && strings.Contains(s, "quorum 3/3") && strings.Count(s, "FOLLOWING") >= 2
	})
	if !ok {
		t.Fatalf("dashboard does not show %s with quorum 3/3 and two followers:\n%s", want, s)
	}
	if !strings.Contains(s, "?/") || !strings.Contains(s, "source 4lw") {
		t.Errorf("unknown accepted epoch and the 4lw source are not shown:\n%s", s)
	}
	x.run("send-keys", "-t", x.session, "q")
	if s, ok := x.waitScreen(5*time.Second, func(s string) bool { return strings.Contains(s, "top-exited 0") }); !ok {
		t.Errorf("q did not end top with status 0:\n%s", s)
	}
}
