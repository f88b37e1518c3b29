package bench_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/zkctl/zkctl/bench"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestRun_AgainstApache runs each op briefly and checks that operations
// succeed and land in the server (not a timing assertion).
func TestRun_AgainstApache(t *testing.T) {
	srv := oracle.StartStandalone(t, zkproc.Options{NoFsync: true})
	for _, op := range []string{bench.OpCreate, bench.OpSet, bench.OpGet} {
		res, err := bench.Run(context.Background(), bench.Config{Servers: []string{srv.ClientAddr()}, Op: op,
			Clients: 2, Size: 100, Duration: 300 * time.Millisecond, Root: "/b-" + op})
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		t.Log(res)
		if res.Ops == 0 || res.Errors != 0 || res.P50 <= 0 || res.Max < res.P99 || res.P99 < res.P50 {
			t.Fatalf("%s: implausible result %+v", op, res)
		}
	}
	out, err := zkproc.FourLetter(srv.ClientAddr(), "mntr", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n := zkproc.ParseMntr(out)["zk_znode_count"]; n == "" || n == "5" {
		t.Fatalf("znode count after create bench = %q", n)
	}
}

func TestRun_UnreachableServerFails(t *testing.T) {
	ports, err := zkproc.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = bench.Run(ctx, bench.Config{Servers: []string{"127.0.0.1:" + strconv.Itoa(ports[0])}, Op: bench.OpGet,
		Clients: 1, Duration: time.Second})
	if err == nil {
		t.Fatal("bench against a closed port succeeded")
	}
}
