package tests

import (
	"fmt"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// waitModes waits until one server says leader and the rest follower
// (srvr's Mode line, which both implementations answer).
func waitModes(t *testing.T, srvs []*zkproc.Instance, within time.Duration) *zkproc.Instance {
	t.Helper()
	lead, modes := waitSrvrModes(srvs, within)
	if lead == nil {
		t.Fatalf("no leader with all followers within %v: %v", within, modes)
	}
	return lead
}

// Mixed ensembles of Apache ZooKeeper 3.8 and zkctl elect a leader and
// replicate writes made through any server to every server, also after
// the leader is killed.
func TestEnsembleMixed_ApacheAndZkctl(t *testing.T) {
	oracle.RequireOrSkip(t)
	zkproc.Build(t)
	a, z := oracle.Launcher(), zkproc.ZkctlLauncher()
	for _, tc := range []struct {
		name string
		ls   []zkproc.Launcher
	}{
		// On equal zxids the largest sid that is up first leads; which
		// kind leads depends on start-up timing, so each case logs it.
		{"aaz", []zkproc.Launcher{a, a, z}},
		{"zza", []zkproc.Launcher{z, z, a}},
		{"aza-failover", []zkproc.Launcher{a, z, a}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := zkproc.Options{TickTime: 500, NoFsync: true, StartTimeout: 40 * time.Second}
			srvs, err := zkproc.StartMixed(t, tc.ls, o)
			if err != nil {
				t.Fatal(err)
			}
			lead := waitModes(t, srvs, 30*time.Second)
			t.Logf("leader: %s", lead.Name())
			var acked []string
			for i, s := range srvs {
				c := mustConnect(t, s)
				acked = append(acked, writeN(t, c, fmt.Sprintf("/%s-via%d", tc.name, i+1), 10)...)
				if _, err := c.Set(acked[len(acked)-1], []byte("changed"), -1); err != nil {
					t.Fatalf("%s: set: %v", s.Name(), err)
				}
				c.Close()
			}
			checkAll(t, srvs, acked)
			readAll(t, srvs, acked[len(acked)-1], "changed")
			if tc.name != "aza-failover" {
				return
			}
			lead.Kill9()
			rest := others(srvs, lead)
			newLead := waitModes(t, rest, 40*time.Second)
			t.Logf("after kill -9 %s: leader %s", lead.Name(), newLead.Name())
			c := mustConnect(t, rest[len(rest)-1])
			acked = append(acked, writeN(t, c, "/after-kill", 5)...)
			c.Close()
			checkAll(t, rest, acked)
		})
	}
}
