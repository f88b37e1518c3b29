package chaos

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestWorkload_AgainstApacheZooKeeper runs the workload against a standalone
// Apache ZooKeeper 3.8 and checks the recorded history: a correct server must
// give a linearizable history, and every operation must be in the file.
func TestWorkload_AgainstApacheZooKeeper(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a JVM")
	}
	srv := oracle.StartStandalone(t, zkproc.Options{TickTime: 500, NoFsync: true})
	path := filepath.Join(t.TempDir(), "history.jsonl")
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := StartWorkload(ctx, WorkloadConfig{Servers: []string{srv.ClientAddr()}, Rate: 100, Clients: 4, History: h, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	// A snapshot taken while clients run includes in-flight ops as unknown.
	if snap := w.Snapshot(); len(snap) == 0 {
		t.Fatal("empty snapshot while running")
	}
	stats, err := w.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if stats.OK < 20 { // 200 expected; the bound only tolerates a loaded machine
		t.Fatalf("too few ok operations at 100/s for 2s: %v", stats)
	}
	ops, err := ReadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(ops)) != stats.Total() {
		t.Fatalf("history holds %d ops, stats say %d", len(ops), stats.Total())
	}
	kinds := map[string]int{}
	for _, o := range ops {
		kinds[o.Op+"/"+o.Result]++
	}
	if kinds["read/ok"] == 0 || kinds["write/ok"] == 0 || kinds["cas/ok"] == 0 {
		t.Fatalf("missing op kinds: %v", kinds)
	}
	res, err := Check(ops, CheckOptions{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Linearizable {
		t.Fatalf("Apache ZooKeeper history not linearizable: %v", res)
	}
	t.Logf("%v; %v; kinds %v", stats, res, kinds)

	// Corrupting one read must make the same history fail.
	for i := range ops {
		if ops[i].Op == OpRead && ops[i].Result == ResultOK {
			ops[i].Observed = "never-written"
			break
		}
	}
	if res, _ := Check(ops, CheckOptions{Timeout: 20 * time.Second}); res.Linearizable {
		t.Fatal("corrupted history still linearizable")
	}
}
