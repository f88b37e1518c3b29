package bench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zkctl/zkctl/bench"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestThroughput_Ensemble3 measures a 3-server ensemble of Apache ZooKeeper
// 3.8 and of zkctl in the same run: tickTime 2000, initLimit 10, syncLimit 5,
// forceSync=yes for both; 32 clients (ZKCTL_BENCH_CLIENTS) spread round-robin
// over the three servers, 100 B payloads, create then set then get for
// ZKCTL_BENCH_DURATION each (default 10s). One ensemble runs at a time. It
// prints ops/s, p50/p99 and the zkctl/Apache ratios; it never asserts on
// timing.
//
//	ZKCTL_BENCH=1 go test -run TestThroughput_Ensemble3 -v -timeout 30m ./bench
func TestThroughput_Ensemble3(t *testing.T) {
	requireBench(t)
	dur := envDuration(t, "ZKCTL_BENCH_DURATION", 10*time.Second)
	clients := envInt(t, "ZKCTL_BENCH_CLIENTS", 32)
	ops := []string{bench.OpCreate, bench.OpSet, bench.OpGet}
	opts := zkproc.Options{TickTime: 2000, NoAdmin: true}
	results := map[string]map[string]bench.Result{}
	skipped := map[string]string{}

	for _, name := range []string{"apache", "zkctl"} {
		t.Run(name, func(t *testing.T) {
			im, timeout := implFor(t, name, skipped)
			c := launch(t, im, 3, opts)
			took, err := c.waitFormed(timeout)
			if err != nil {
				skipUnformed(t, name, err, skipped)
			}
			t.Logf("%s ensemble formed %v after launch", name, took.Round(time.Millisecond))
			results[name] = map[string]bench.Result{}
			for _, op := range ops {
				r, err := bench.Run(context.Background(), bench.Config{Servers: c.addrs(), Op: op, Clients: clients,
					Size: 100, Duration: dur, SessionTimeout: 20 * time.Second})
				if err != nil {
					t.Fatalf("%s %s: %v", name, op, err)
				}
				t.Logf("%s %v", name, r)
				results[name][op] = r
			}
			c.killAll()
		})
	}

	fmt.Printf("\n3-server ensemble, tickTime=2000 initLimit=10 syncLimit=5 forceSync=yes, %d clients over 3 servers, 100 B, %v per op\n", clients, dur)
	fmt.Printf("%-7s %12s %12s %7s %11s %10s %11s %10s %12s\n", "op", "apache op/s", "zkctl op/s", "ratio",
		"apache p50", "zkctl p50", "apache p99", "zkctl p99", "errors a/z")
	for _, op := range ops {
		a, z := results["apache"][op], results["zkctl"][op]
		fmt.Printf("%-7s %12.0f %12.0f %7s %11.3f %10.3f %11.3f %10.3f %12s\n", op, a.OpsPerSec, z.OpsPerSec,
			ratio(z.OpsPerSec, a.OpsPerSec), a.P50Ms, z.P50Ms, a.P99Ms, z.P99Ms, fmt.Sprintf("%d/%d", a.Errors, z.Errors))
	}
	for name, why := range skipped {
		fmt.Printf("%s: not measured: %s\n", name, why)
	}
	fmt.Println("ratio = zkctl ops/s / apache ops/s; latencies in ms")
}
