package bench_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/bench"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/launcher"
)

// startupSample is one cold start of a 5-server ensemble.
type startupSample struct {
	formed   time.Duration // start -> srvr shows one leader, four followers
	events   time.Duration // start -> the launcher's events show it (zkctl only)
	rssKiB   []int64       // per server, after the idle wait
	launcher int64         // RSS of the `zkctl up` process itself (zkctl only)
}

// TestStartup_Ensemble5 brings up five servers ZKCTL_BENCH_RUNS times
// (default 5) per implementation and times "one leader and four synced
// followers", srvr polled on every client port every 10 ms:
//   - zkctl: `zkctl up 5 --headless --clean` in a fresh directory, timed from
//     the exec of zkctl up (so it includes the launcher, its link proxies and
//     five `zkctl server` processes); the launcher's own event stream is
//     parsed as a second opinion;
//   - Apache ZooKeeper 3.8: five java QuorumPeerMain processes started back
//     to back with the zoo.cfg keys zkctl up writes (tickTime 500,
//     initLimit 10, syncLimit 5, cnxTimeout 1000, preAllocSize 4096,
//     AdminServer on), timed from the first exec.
//
// After ZKCTL_BENCH_IDLE (default 3s) of idling it reads every server's VmRSS.
// The goal for zkctl is under 1 s; nothing is asserted.
//
//	ZKCTL_BENCH=1 go test -run TestStartup_Ensemble5 -v -timeout 30m ./bench
func TestStartup_Ensemble5(t *testing.T) {
	requireBench(t)
	runs := envInt(t, "ZKCTL_BENCH_RUNS", 5)
	idle := envDuration(t, "ZKCTL_BENCH_IDLE", 3*time.Second)
	samples := map[string][]startupSample{}
	skipped := map[string]string{}

	t.Run("apache", func(t *testing.T) {
		im := apacheImpl(t)
		opts := zkproc.Options{TickTime: 500, Extra: map[string]string{
			"preAllocSize": "4096", "cnxTimeout": "1000", "electionPortBindRetry": "10"}}
		for r := range runs {
			c := launch(t, im, 5, opts)
			formed, err := c.waitFormed(90 * time.Second)
			if err != nil {
				t.Fatalf("run %d: %v", r+1, err)
			}
			time.Sleep(idle)
			s := startupSample{formed: formed, rssKiB: rssAll(t, c.pids())}
			t.Logf("apache run %d: formed %v, RSS KiB %v", r+1, formed.Round(time.Millisecond), s.rssKiB)
			samples["apache"] = append(samples["apache"], s)
			c.killAll()
		}
	})

	t.Run("zkctl", func(t *testing.T) {
		bin, err := zkproc.BuildE()
		if err != nil {
			skipped["zkctl"] = "zkctl does not build: " + firstLine(err.Error())
			t.Skipf("zkctl does not build: %v", err)
		}
		for r := range runs {
			s, err := upOnce(t, bin, idle, formTimeout(t))
			if err != nil {
				skipped["zkctl"] = firstLine(err.Error())
				t.Skipf("zkctl half skipped at run %d: %v", r+1, err)
			}
			t.Logf("zkctl run %d: formed %v (launcher events %v), server RSS KiB %v, launcher RSS KiB %d", r+1,
				s.formed.Round(time.Millisecond), s.events.Round(time.Millisecond), s.rssKiB, s.launcher)
			samples["zkctl"] = append(samples["zkctl"], s)
		}
	})

	a, z := samples["apache"], samples["zkctl"]
	pick := func(ss []startupSample, f func(startupSample) time.Duration) []time.Duration {
		out := make([]time.Duration, len(ss))
		for i, s := range ss {
			out[i] = f(s)
		}
		return out
	}
	formed := func(s startupSample) time.Duration { return s.formed }
	events := func(s startupSample) time.Duration { return s.events }
	am, zm := bench.Median(pick(a, formed)), bench.Median(pick(z, formed))
	fmt.Printf("\n5 servers started at once -> one leader, four followers (srvr every 10 ms); %d runs, medians in ms\n", runs)
	fmt.Printf("%-28s %8s %8s %6s   %s\n", "", "apache", "zkctl", "ratio", "samples apache | zkctl")
	fmt.Printf("%-28s %8s %8s %6s   %s | %s\n", "start -> formed (srvr)", msStr(am), msStr(zm), ratio(float64(zm), float64(am)),
		joinMs(pick(a, formed)), joinMs(pick(z, formed)))
	fmt.Printf("%-28s %8s %8s %6s   %s\n", "start -> formed (up events)", "-", msStr(bench.Median(pick(z, events))), "",
		joinMs(pick(z, events)))
	ar, zr := medianRSS(a), medianRSS(z)
	fmt.Printf("%-28s %8s %8s %6s\n", fmt.Sprintf("idle RSS per server (MiB)"), mib(ar), mib(zr), ratio(float64(zr), float64(ar)))
	var lr []int64
	for _, s := range z {
		lr = append(lr, s.launcher)
	}
	fmt.Printf("%-28s %8s %8s\n", "zkctl up launcher RSS (MiB)", "-", mib(medianInt(lr)))
	for name, why := range skipped {
		fmt.Printf("%s: not measured: %s\n", name, why)
	}
	fmt.Println("ratio = zkctl / apache; RSS is VmRSS after the idle wait, median over all servers of all runs")
}

// upOnce runs `zkctl up 5 --headless` in a fresh directory on a free port
// range, times formation, reads RSS, then stops it with SIGTERM.
func upOnce(t *testing.T, bin string, idle, timeout time.Duration) (startupSample, error) {
	t.Helper()
	base, err := freeBase()
	if err != nil {
		return startupSample{}, err
	}
	dir := t.TempDir()
	lay := launcher.Layout{Base: base}
	addrs := make([]string, 5)
	for i := range addrs {
		addrs[i] = "127.0.0.1:" + strconv.Itoa(lay.Node(i+1).Client)
	}
	logPath := filepath.Join(dir, "up.log")
	start := time.Now()
	p, err := zkproc.StartProcess(bin, []string{"up", "5", "--headless", "--clean", "--name", "bench", "--dir", dir,
		"--base-port", strconv.Itoa(base)}, nil, dir, logPath)
	if err != nil {
		return startupSample{}, err
	}
	defer func() {
		if err := p.Stop(15 * time.Second); err != nil {
			t.Errorf("stop zkctl up (pid %d): %v", p.Pid(), err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tl := newTimeline(start, len(addrs))
	at, modes, err := bench.WaitModes(ctx, addrs, 10*time.Millisecond, tl.wrap(bench.Formed))
	if err != nil {
		up, _ := os.ReadFile(logPath)
		// The servers still run (in whatever mode): their RSS is worth a line.
		rss, _ := upRSS(t, dir)
		return startupSample{}, fmt.Errorf("zkctl up 5 did not form one leader and four followers within %v: modes %q (server RSS KiB %v); zkctl up output tail:\n%s",
			timeout, modes, rss, lastLines(string(up), 15))
	}
	s := startupSample{formed: at.Sub(start)}
	if s.formed > 2*time.Second {
		t.Logf("slow formation (%v); srvr timeline: %s", s.formed.Round(time.Millisecond), tl)
	}
	time.Sleep(idle)
	if s.rssKiB, err = upRSS(t, dir); err != nil {
		return s, err
	}
	s.launcher, _ = bench.RSSKiB(p.Pid())
	up, _ := os.ReadFile(logPath)
	if ev, ok := formedInEvents(string(up), 5, start); ok {
		s.events = ev.Sub(start)
	}
	return s, nil
}

// upRSS reads the VmRSS of every server listed in the cluster.json of the
// cluster "bench" under dir.
func upRSS(t *testing.T, dir string) ([]int64, error) {
	cf, err := launcher.ReadClusterFile(filepath.Join(dir, "bench"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, n := range cf.Nodes {
		pids = append(pids, n.PID)
	}
	return rssAll(t, pids), nil
}

// formedInEvents finds, in `zkctl up --headless` output, the first event
// after which the last known state of n servers is one LEADING and the rest
// FOLLOWING. Event lines start with a local wall-clock time HH:MM:SS.mmm;
// day supplies the date.
func formedInEvents(out string, n int, day time.Time) (time.Time, bool) {
	state := map[string]string{}
	for line := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[1] != "state" || !strings.HasPrefix(f[2], "zk") || f[4] != "->" {
			continue
		}
		state[f[2]] = f[5]
		leaders, followers := 0, 0
		for _, s := range state {
			switch s {
			case "LEADING":
				leaders++
			case "FOLLOWING":
				followers++
			}
		}
		if leaders == 1 && followers == n-1 {
			clock, err := time.ParseInLocation("15:04:05.000", f[0], day.Location())
			if err != nil {
				return time.Time{}, false
			}
			y, m, d := day.Date()
			at := time.Date(y, m, d, clock.Hour(), clock.Minute(), clock.Second(), clock.Nanosecond(), day.Location())
			if at.Before(day.Add(-time.Hour)) { // crossed midnight
				at = at.Add(24 * time.Hour)
			}
			return at, true
		}
	}
	return time.Time{}, false
}

// freeBase picks a base port whose whole zkctl up layout is free now.
func freeBase() (int, error) {
	for range 20 {
		base := 20000 + rand.IntN(30000)
		if rangeFree(base, launcher.PortSpan) {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no free range of %d ports found", launcher.PortSpan)
}

func rangeFree(base, span int) bool {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for p := base; p <= base+span; p++ {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			return false
		}
		ls = append(ls, l)
	}
	return true
}

func rssAll(t *testing.T, pids []int) []int64 {
	t.Helper()
	out := make([]int64, 0, len(pids))
	for _, pid := range pids {
		kib, err := bench.RSSKiB(pid)
		if err != nil {
			t.Logf("rss of pid %d: %v", pid, err)
			continue
		}
		out = append(out, kib)
	}
	return out
}

func medianRSS(ss []startupSample) int64 {
	var all []int64
	for _, s := range ss {
		all = append(all, s.rssKiB...)
	}
	return medianInt(all)
}

func medianInt(xs []int64) int64 {
	ds := make([]time.Duration, len(xs))
	for i, x := range xs {
		ds[i] = time.Duration(x)
	}
	return int64(bench.Median(ds))
}

func mib(kib int64) string {
	if kib <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(kib)/1024)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
