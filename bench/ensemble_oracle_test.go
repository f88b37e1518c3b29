package bench_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/bench"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestProbes_AgainstApache checks the failover probes on a real server: a
// create is acknowledged once, the same path again is refused (so the probe
// really reports the server's answer), FirstWrite returns the server that
// took the write, and srvr reports standalone.
func TestProbes_AgainstApache(t *testing.T) {
	srv := oracle.StartStandalone(t, zkproc.Options{NoFsync: true, NoAdmin: true})
	ctx := context.Background()
	if err := bench.ProbeCreate(ctx, srv.ClientAddr(), "/probe", 5*time.Second); err != nil {
		t.Fatalf("first create: %v", err)
	}
	err := bench.ProbeCreate(ctx, srv.ClientAddr(), "/probe", 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "/probe") {
		t.Fatalf("second create of /probe = %v, want a node-exists error", err)
	}
	at, addr, err := bench.FirstWrite(ctx, []string{srv.ClientAddr()}, "/fw", 10*time.Millisecond, 5*time.Second)
	if err != nil || addr != srv.ClientAddr() || at.IsZero() {
		t.Fatalf("FirstWrite = %v %q %v", at, addr, err)
	}
	if m, err := bench.Srvr(srv.ClientAddr(), 5*time.Second); err != nil || m != "standalone" {
		t.Fatalf("Srvr = %q, %v", m, err)
	}
	if _, err := bench.RSSKiB(srv.Pid()); err != nil {
		t.Fatal(err)
	}
}
