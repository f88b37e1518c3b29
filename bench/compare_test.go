package bench_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/zkctl/zkctl/bench"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestCompare_ApacheVsZkctl prints throughput and latency of Apache
// ZooKeeper and zkctl side by side (standalone, fsync on, same tickTime).
// It only reports; it never asserts on timing. Opt-in:
//
//	ZKCTL_BENCH=1 go test -run TestCompare -v -timeout 20m ./bench
//
// ZKCTL_BENCH_DURATION (default 5s) and ZKCTL_BENCH_CLIENTS (default 16) tune it.
func TestCompare_ApacheVsZkctl(t *testing.T) {
	if os.Getenv("ZKCTL_BENCH") != "1" {
		t.Skip("set ZKCTL_BENCH=1 to run the Apache vs zkctl comparison")
	}
	dur := 5 * time.Second
	if v := os.Getenv("ZKCTL_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("ZKCTL_BENCH_DURATION: %v", err)
		}
		dur = d
	}
	clients := 16
	if v := os.Getenv("ZKCTL_BENCH_CLIENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("ZKCTL_BENCH_CLIENTS: %v", err)
		}
		clients = n
	}
	opts := zkproc.Options{TickTime: 2000} // forceSync=yes
	apache := oracle.StartStandalone(t, opts)
	zkctl, err := zkproc.TryStartStandalone(t, opts)
	if err != nil {
		t.Skipf("zkctl server not usable: %v", err)
	}
	fmt.Printf("%-7s %12s %12s %7s %10s %10s %10s %10s\n", "op", "apache op/s", "zkctl op/s", "ratio", "apache p99", "zkctl p99", "apache p50", "zkctl p50")
	for _, op := range []string{bench.OpCreate, bench.OpSet, bench.OpGet} {
		var res [2]bench.Result
		for i, tgt := range []zkproc.Target{apache, zkctl} {
			r, err := bench.Run(context.Background(), bench.Config{Servers: []string{tgt.ClientAddr()}, Op: op,
				Clients: clients, Size: 100, Duration: dur})
			if err != nil {
				t.Fatalf("%s %s: %v", tgt.Name(), op, err)
			}
			t.Logf("%s %v", tgt.Name(), r)
			res[i] = r
		}
		ratio := 0.0
		if res[0].OpsPerSec > 0 {
			ratio = res[1].OpsPerSec / res[0].OpsPerSec
		}
		fmt.Printf("%-7s %12.0f %12.0f %7.2f %10.3f %10.3f %10.3f %10.3f\n", op, res[0].OpsPerSec, res[1].OpsPerSec, ratio,
			res[0].P99Ms, res[1].P99Ms, res[0].P50Ms, res[1].P50Ms)
	}
}
