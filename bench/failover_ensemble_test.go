package bench_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zkctl/zkctl/bench"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// failoverSample is one kill -9 of a leader.
type failoverSample struct {
	write  time.Duration // SIGKILL sent -> first create acknowledged
	roles  time.Duration // SIGKILL sent -> every survivor leader or follower
	leader int           // myid killed
}

// TestFailover_Ensemble3 kills the leader of a 3-server ensemble with
// SIGKILL, ZKCTL_BENCH_RUNS times (default 5) per implementation and per
// tick configuration (tickTime 2000 as in ZooKeeper's sample config, and a
// fast 200 ms; initLimit 10, syncLimit 5 for both), and measures from the
// moment the signal is sent:
//   - write: until a create is acknowledged, retried every 10 ms on each
//     survivor by a fresh client session (bench.FirstWrite);
//   - roles: until srvr, polled every 10 ms on each survivor, shows one
//     leader and one follower.
//
// The killed server is restarted and the ensemble re-forms between runs.
// Medians and every sample are printed; nothing is asserted on timing.
//
//	ZKCTL_BENCH=1 go test -run TestFailover_Ensemble3 -v -timeout 30m ./bench
func TestFailover_Ensemble3(t *testing.T) {
	requireBench(t)
	runs := envInt(t, "ZKCTL_BENCH_RUNS", 5)
	ticks := []int{2000, 200}
	type key struct {
		tick int
		name string
	}
	samples := map[key][]failoverSample{}
	skipped := map[string]string{}

	for _, tick := range ticks {
		for _, name := range []string{"apache", "zkctl"} {
			t.Run(fmt.Sprintf("tick%d/%s", tick, name), func(t *testing.T) {
				im, timeout := implFor(t, name, skipped)
				c := launch(t, im, 3, zkproc.Options{TickTime: tick, NoAdmin: true})
				if _, err := c.waitFormed(timeout); err != nil {
					skipUnformed(t, name, err, skipped)
				}
				for r := range runs {
					s, err := c.failoverOnce(fmt.Sprintf("/failover-%d-%d", tick, r))
					if err != nil {
						t.Fatalf("%s tick %d run %d: %v", name, tick, r+1, err)
					}
					t.Logf("%s tick %d run %d: killed leader %d: first write %v, roles %v", name, tick, r+1, s.leader,
						s.write.Round(time.Millisecond), s.roles.Round(time.Millisecond))
					samples[key{tick, name}] = append(samples[key{tick, name}], s)
				}
				c.killAll()
			})
		}
	}

	fmt.Printf("\nkill -9 of the leader of a 3-server ensemble, %d runs each; medians in ms (from SIGKILL sent)\n", runs)
	fmt.Printf("%-9s %-16s %8s %8s %6s   %s\n", "tickTime", "to", "apache", "zkctl", "ratio", "samples apache | zkctl")
	for _, tick := range ticks {
		a, z := samples[key{tick, "apache"}], samples[key{tick, "zkctl"}]
		for _, what := range []string{"first write", "leader+follower"} {
			pick := func(s failoverSample) time.Duration { return s.write }
			if what != "first write" {
				pick = func(s failoverSample) time.Duration { return s.roles }
			}
			am, zm := bench.Median(durations(a, pick)), bench.Median(durations(z, pick))
			fmt.Printf("%-9d %-16s %8s %8s %6s   %s | %s\n", tick, what, msStr(am), msStr(zm), ratio(float64(zm), float64(am)),
				joinMs(durations(a, pick)), joinMs(durations(z, pick)))
		}
	}
	for name, why := range skipped {
		fmt.Printf("%s: not measured: %s\n", name, why)
	}
	fmt.Println("ratio = zkctl / apache (lower is faster for zkctl)")
}

// failoverOnce kills the current leader, times the first write and the new
// roles, then restarts the killed server and waits for the ensemble to
// re-form.
func (c *cluster) failoverOnce(prefix string) (failoverSample, error) {
	li := c.leader()
	if li < 0 {
		return failoverSample{}, fmt.Errorf("no leader before the kill: modes %q", bench.Modes(c.addrs(), time.Second))
	}
	survivors := c.addrs(li)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := c.procs[li]
	t0 := time.Now()
	if err := p.Signal(syscall.SIGKILL); err != nil {
		return failoverSample{}, err
	}
	type res struct {
		at  time.Time
		err error
	}
	wch, rch := make(chan res, 1), make(chan res, 1)
	go func() {
		at, _, err := bench.FirstWrite(ctx, survivors, prefix, 10*time.Millisecond, time.Second)
		wch <- res{at, err}
	}()
	tl := newTimeline(t0, len(survivors))
	go func() {
		at, _, err := bench.WaitModes(ctx, survivors, 10*time.Millisecond, tl.wrap(bench.Formed))
		rch <- res{at, err}
	}()
	w, r := <-wch, <-rch
	if r.err == nil && r.at.Sub(t0) > 2*time.Second {
		c.t.Logf("slow failover after killing server %d (%v); survivors' srvr timeline (%v): %s", li+1,
			r.at.Sub(t0).Round(time.Millisecond), survivors, tl)
	}
	if w.err != nil || r.err != nil {
		return failoverSample{}, fmt.Errorf("after killing server %d: write: %v; roles: %v", li+1, w.err, r.err)
	}
	s := failoverSample{write: w.at.Sub(t0), roles: r.at.Sub(t0), leader: li + 1}
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		return s, fmt.Errorf("server %d (pid %d) not reaped 10 s after SIGKILL", li+1, p.Pid())
	}
	c.start(li)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel2()
	if _, modes, err := bench.WaitModes(ctx2, c.addrs(), 20*time.Millisecond, bench.Formed); err != nil {
		return s, fmt.Errorf("server %d did not rejoin: modes %q; its log:\n%s", li+1, modes, c.logTail(li, 20))
	}
	return s, nil
}

func durations(ss []failoverSample, pick func(failoverSample) time.Duration) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = pick(s)
	}
	return out
}

func joinMs(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = msStr(d)
	}
	return strings.Join(parts, " ")
}
