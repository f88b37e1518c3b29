package tests

import (
	"encoding/json"
	"os/exec"
	"testing"
	"time"
)

// zkctl bench --cluster finds a running `zkctl up` cluster by name and
// benches its client addresses, with no --servers to copy from status.
func TestBenchCluster(t *testing.T) {
	u := startUpCluster(t, 3)
	u.waitStable(30 * time.Second)
	// Not u.zkctl: bench names the cluster with --cluster, not --name.
	cmd := exec.Command(u.bin, "bench", "--cluster", u.name, "--dir", u.dir,
		"--op", "set", "--clients", "2", "--duration", "1s", "--json")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zkctl bench --cluster: %v\n%s", err, out)
	}
	var res struct {
		Ops int `json:"ops"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("bench output %q: %v", out, err)
	}
	if res.Ops <= 0 {
		t.Fatalf("bench --cluster did no operations: %s", out)
	}

	// Both ways of naming the servers at once is refused.
	out, err = exec.Command(u.bin, "bench", "--cluster", u.name, "--dir", u.dir, "--servers", "127.0.0.1:1").CombinedOutput()
	if err == nil {
		t.Fatalf("bench --cluster --servers succeeded:\n%s", out)
	}
}
