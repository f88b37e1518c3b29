package launcher

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zkctl/zkctl/adminapi"
)

// TestMain lets the test binary act as a fake server: with
// ZKCTL_FAKE_SERVER set it reads the zoo.cfg given as its last argument and
// answers /commands/peer on its admin port, as a zkctl server would.
func TestMain(m *testing.M) {
	if os.Getenv("ZKCTL_FAKE_SERVER") == "1" {
		fakeServer(os.Args[len(os.Args)-1])
		return
	}
	os.Exit(m.Run())
}

func fakeServer(cfgPath string) {
	f, err := os.Open(cfgPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			kv[k] = v
		}
	}
	f.Close()
	id, _ := os.ReadFile(filepath.Join(kv["dataDir"], "myid"))
	myid, _ := strconv.ParseInt(strings.TrimSpace(string(id)), 10, 64)
	mux := http.NewServeMux()
	mux.HandleFunc("/commands/peer", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(adminapi.Peer{MyID: myid, PID: os.Getpid(), State: adminapi.StateLooking, LeaderID: -1})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:"+kv["admin.serverPort"])
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake server:", err)
		os.Exit(3)
	}
	// The client port echoes what it reads, for the client proxy tests.
	if cl, err := net.Listen("tcp", "127.0.0.1:"+kv["clientPort"]); err == nil {
		go func() {
			for {
				c, err := cl.Accept()
				if err != nil {
					return
				}
				go func() { defer c.Close(); io.Copy(c, c) }()
			}
		}()
	}
	fmt.Println("fake server", myid, "listening on", ln.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	go http.Serve(ln, mux)
	<-sig
	fmt.Println("fake server got SIGTERM")
	os.Exit(0)
}

// freeBase finds a base port whose whole layout is free on 127.0.0.1.
func freeBase(t *testing.T) int {
	t.Helper()
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for range 50 {
		base := 30000 + rng.Intn(3000)*10
		ok := true
		for p := base; p <= base+PortSpan && ok; p++ {
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

func testConfig(t *testing.T, voters int) Config {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Dir = t.TempDir()
	cfg.Name = "t"
	cfg.Voters = voters
	cfg.BasePort = freeBase(t)
	cfg.Grace = 2 * time.Second
	cfg.PollEvery = 50 * time.Millisecond
	cfg.Command = func(id int, cfgPath string) []string {
		return []string{"/usr/bin/env", "ZKCTL_FAKE_SERVER=1", exe, "-test.run=^$", cfgPath}
	}
	return cfg
}

func portFree(port int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func TestLauncher_UpActDown(t *testing.T) {
	goroutinesBefore := runtime.NumGoroutine()
	cfg := testConfig(t, 3)
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer l.Shutdown(context.Background())
	if err := l.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}

	// Files: zoo.cfg points other servers at proxies; myid; cluster.json.
	zc, _ := os.ReadFile(filepath.Join(l.Dir(), "node-1", "zoo.cfg"))
	lay := Layout{Base: cfg.BasePort}
	if want := fmt.Sprintf("server.2=127.0.0.1:%d:%d:participant", lay.QuorumProxy(1, 2), lay.ElectionProxy(1, 2)); !strings.Contains(string(zc), want) {
		t.Fatalf("node-1 zoo.cfg lacks %q:\n%s", want, zc)
	}
	if want := fmt.Sprintf("server.1=127.0.0.1:%d:%d:participant", lay.Node(1).Quorum, lay.Node(1).Election); !strings.Contains(string(zc), want) {
		t.Fatalf("node-1 zoo.cfg lacks own line %q", want)
	}
	c, err := Find(cfg.Dir, cfg.Name)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Nodes) != 3 {
		t.Fatalf("status has %d nodes", len(st.Nodes))
	}
	var pids []int
	for _, n := range st.Nodes {
		if !n.Running || n.PID == 0 || n.State != adminapi.StateLooking {
			t.Fatalf("node %+v not running and polled", n)
		}
		pids = append(pids, n.PID)
	}

	// Process faults through the remote client.
	if err := c.Do(ctx, Action{Kind: ActKill, Nodes: []int{2}}); err != nil {
		t.Fatal(err)
	}
	st, _ = c.Status(ctx)
	if n := st.Nodes[1]; n.Running || n.ExitCode == nil || *n.ExitCode != -1 || len(n.LogTail) == 0 {
		t.Fatalf("node 2 after kill: %+v", n)
	}
	var se *StatusError
	if err := c.Do(ctx, Action{Kind: ActKill, Nodes: []int{2}}); !errors.As(err, &se) || se.Code != http.StatusConflict {
		t.Fatalf("second kill: %v, want 409", err)
	}
	if err := c.Do(ctx, Action{Kind: ActKill, Nodes: []int{9}}); !errors.As(err, &se) || se.Code != http.StatusNotFound {
		t.Fatalf("kill 9: %v, want 404", err)
	}
	if err := c.Do(ctx, Action{Kind: "explode", Nodes: []int{1}}); !errors.As(err, &se) || se.Code != http.StatusBadRequest {
		t.Fatalf("explode: %v, want 400", err)
	}
	if _, err := c.RunLine(ctx, "kill 1"); !errors.As(err, &se) || se.Code != http.StatusNotImplemented {
		t.Fatalf("run without runner: %v, want 501", err)
	}
	// A failing line comes back with its output so far and its exit status.
	l.SetLineRunner(LineRunnerFunc(func(_ context.Context, _ Controller, line string) (string, error) {
		switch line {
		case "fail":
			return "step 1: ok\n", exitErr{code: 1, msg: "1:2: expect synced failed: lagging"}
		case "bad":
			return "", errors.New("unknown command")
		}
		return "did " + line + "\n", nil
	}))
	if out, err := c.RunLine(ctx, "heal"); err != nil || out != "did heal\n" {
		t.Fatalf("run heal: %q, %v", out, err)
	}
	out, err := c.RunLine(ctx, "fail")
	if !errors.As(err, &se) || se.Code != http.StatusUnprocessableEntity || se.ExitCode() != 1 || out != "step 1: ok\n" ||
		ExitCodeOf(err, 2) != 1 || !strings.Contains(err.Error(), "expect synced failed") {
		t.Fatalf("run fail: out %q err %v (%+v), want 422, exit 1 and the output", out, err, se)
	}
	if _, err := c.RunLine(ctx, "bad"); !errors.As(err, &se) || se.Code != http.StatusBadRequest || se.ExitCode() != 2 {
		t.Fatalf("run bad: %v, want 400 and exit 2", err)
	}
	l.SetLineRunner(nil)
	if err := c.Do(ctx, Action{Kind: ActStart, Nodes: []int{2}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, Action{Kind: ActStop, Nodes: []int{3}}); err != nil {
		t.Fatal(err)
	}
	st, _ = c.Status(ctx)
	if n := st.Nodes[2]; n.Running || n.ExitCode == nil || *n.ExitCode != 0 {
		t.Fatalf("node 3 after graceful stop: %+v", n)
	}
	if err := c.Do(ctx, Action{Kind: ActRestart, Nodes: []int{3}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, Action{Kind: ActPause, Nodes: []int{1}}); err != nil {
		t.Fatal(err)
	}
	st, _ = c.Status(ctx)
	if !st.Nodes[0].Paused || st.Nodes[0].Faults[0] != "paused" {
		t.Fatalf("node 1 after pause: %+v", st.Nodes[0])
	}
	c.Do(ctx, Action{Kind: ActResume, Nodes: []int{1}})

	// Link faults.
	c.Do(ctx, Action{Kind: ActPartition, Groups: [][]int{{1}, {2, 3}}})
	st, _ = c.Status(ctx)
	modes := map[string]string{}
	for _, ls := range st.Links {
		modes[fmt.Sprintf("%d>%d", ls.From, ls.To)] = ls.Mode
	}
	if modes["1>2"] != ModeCut || modes["3>1"] != ModeCut || modes["2>3"] != ModeOK {
		t.Fatalf("links after partition: %v", modes)
	}
	if f := st.Nodes[0].Faults; len(f) != 1 || f[0] != "isolated" {
		t.Fatalf("node 1 faults %v", f)
	}
	c.Do(ctx, Action{Kind: ActHeal})
	st, _ = c.Status(ctx)
	for _, ls := range st.Links {
		if ls.Mode != ModeOK {
			t.Fatalf("after heal: %+v", ls)
		}
	}
	evs, _, err := c.Events(ctx, 0, 0)
	if err != nil || len(evs) == 0 {
		t.Fatalf("events: %v %v", evs, err)
	}
	started := false
	for _, e := range evs {
		started = started || e.Kind == "started" && strings.Contains(e.Message, "(client ") && strings.Contains(e.Message, ", election ")
	}
	if !started {
		t.Errorf("no started event names the ports: %v", evs)
	}

	// A server that dies unasked is reported as crashed with its log tail.
	st, _ = c.Status(ctx)
	victim := st.Nodes[0]
	if !victim.Running {
		t.Fatalf("node 1 not running: %+v", victim)
	}
	if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	crashed := false
	for i := 0; i < 100 && !crashed; i++ {
		evs, _, _ = c.Events(ctx, 0, 0)
		for _, e := range evs {
			crashed = crashed || e.Kind == "crashed" && e.Node == 1 && strings.Contains(e.Message, "last lines of") && strings.Contains(e.Message, "fake server")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !crashed {
		t.Errorf("no crashed event with the log tail for node 1: %v", evs)
	}

	st, _ = c.Status(ctx)
	for _, n := range st.Nodes {
		pids = append(pids, n.PID)
	}
	if err := l.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("pid %d still alive after shutdown", pid)
		}
	}
	for _, u := range cfg.portUses() {
		if !portFree(u.port) {
			t.Errorf("port %d (%s) still bound after shutdown", u.port, u.use)
		}
	}
	if _, err := os.Stat(filepath.Join(l.Dir(), ClusterFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cluster.json left behind: %v", err)
	}
	if _, err := Find(cfg.Dir, cfg.Name); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Find after shutdown: %v", err)
	}
	http.DefaultClient.CloseIdleConnections()
	c.HTTP.CloseIdleConnections()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > goroutinesBefore+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutinesBefore+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutine leak: %d before, %d after\n%s", goroutinesBefore, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestLauncher_BusyPortIsNamedAndNothingStarts(t *testing.T) {
	cfg := testConfig(t, 3)
	lay := Layout{Base: cfg.BasePort}
	busy := lay.Node(2).Admin
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(busy))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = l.Start(context.Background())
	var pb *PortBusyError
	if !errors.As(err, &pb) || pb.Port != busy {
		t.Fatalf("Start: %v, want port %d busy", err, busy)
	}
	if !strings.Contains(err.Error(), "admin port of node 2") || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("error does not name the use and holder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(l.Dir(), "node-1")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("node dir written despite busy port: %v", err)
	}
	if !portFree(lay.Control()) || !portFree(lay.QuorumProxy(1, 2)) {
		t.Fatal("ports held after failed start")
	}
}

func TestLauncher_SecondLauncherSameNameIsRefused(t *testing.T) {
	cfg := testConfig(t, 1)
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer l.Shutdown(context.Background())
	marker := filepath.Join(l.Dir(), "node-1", "data", "keep")
	os.WriteFile(marker, []byte("x"), 0o644)
	cfg2 := cfg
	cfg2.Clean = true
	cfg2.BasePort = freeBase(t)
	l2, _ := New(cfg2)
	err = l2.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second start: %v", err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("data wiped by refused --clean start: %v", err)
	}
}

func TestConfig_Validate(t *testing.T) {
	for _, tc := range []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.Voters = 0 }, "0 voters"},
		{func(c *Config) { c.Voters = 100 }, "100 voters"},
		{func(c *Config) { c.Voters, c.Observers = 5, 5 }, "at most 9"},
		{func(c *Config) { c.BasePort = 80 }, "--base-port"},
		{func(c *Config) { c.Name = "../x" }, "cluster name"},
		{func(c *Config) { c.Overrides = []string{"novalue"} }, "--set"},
		{func(c *Config) { c.TickMs = 0 }, "tick"},
	} {
		c := DefaultConfig()
		tc.mut(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate: %v, want mention of %q", err, tc.want)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestConfig_ZooCfgOverridesAndObservers(t *testing.T) {
	c := DefaultConfig()
	c.Voters, c.Observers = 3, 1
	c.Overrides = []string{"tickTime=100", "snapCount=1000"}
	s := c.zooCfg(4, "/d")
	for _, want := range []string{"tickTime=100\n", "snapCount=1000\n", "peerType=observer\n", ":observer;127.0.0.1:", "dataDir=/d\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("zoo.cfg lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "tickTime=500") {
		t.Error("override did not replace tickTime")
	}
	one := DefaultConfig()
	one.Voters = 1
	if strings.Contains(one.zooCfg(1, "/d"), "\nserver.") {
		t.Error("a single server must be standalone")
	}
}

func TestAction_String(t *testing.T) {
	for _, tc := range []struct {
		a    Action
		want string
	}{
		{Action{Kind: ActPartition, Groups: [][]int{{1, 2}, {3, 4, 5}}}, "partition 1,2 | 3,4,5"},
		{Action{Kind: ActCut, From: 1, To: 2}, "cut 1 -> 2"},
		{Action{Kind: ActSlow, Nodes: []int{3}, Delay: 200 * time.Millisecond, Jitter: 50 * time.Millisecond}, "slow 3 200ms jitter 50ms"},
		{Action{Kind: ActSlow, Nodes: []int{3}, Delay: 2 * time.Second}, "slow 3 2s"},
		{Action{Kind: ActKill, Nodes: []int{1, 2}}, "kill 1,2"},
		{Action{Kind: ActHeal}, "heal"},
	} {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.a, got, tc.want)
		}
	}
}

// exitErr is an error carrying an exit status, as the chaos runner's
// failed expectations do.
type exitErr struct {
	code int
	msg  string
}

func (e exitErr) Error() string { return e.msg }
func (e exitErr) ExitCode() int { return e.code }
