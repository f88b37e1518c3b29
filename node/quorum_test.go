package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/node/zabconn"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// startInProcessEnsemble runs n ensemble members (the last `observers` of
// them observers) in this process, so -race sees the drivers.
func startInProcessEnsemble(t *testing.T, n, observers int, opts ...func(*zkconfig.Config)) []*Server {
	t.Helper()
	return startEnsembleOver(t, nil, n, observers, opts...)
}

// startEnsembleOver is startInProcessEnsemble with the Zab transport zab
// (nil: TCP on loopback).
func startEnsembleOver(t *testing.T, zab zabconn.Network, n, observers int, opts ...func(*zkconfig.Config)) []*Server {
	t.Helper()
	var servers []zkconfig.Server
	for i := 1; i <= n; i++ {
		typ := zkconfig.Participant
		if i > n-observers {
			typ = zkconfig.Observer
		}
		servers = append(servers, zkconfig.Server{ID: int64(i), Type: typ,
			Addrs: []zkconfig.QuorumAddr{{Host: "127.0.0.1", QuorumPort: freePort(t), ElectionPort: freePort(t)}}})
	}
	out := make([]*Server, n)
	for i := range n {
		cfg := zkconfig.Default(t.TempDir())
		cfg.TickTime, cfg.InitLimit, cfg.SyncLimit = 100, 10, 5
		cfg.ClientPortAddress, cfg.ClientPort = "127.0.0.1", 0
		cfg.AdminEnableServer = false
		cfg.ForceSync = false
		cfg.Servers = servers
		cfg.MyID = int64(i + 1)
		for _, o := range opts {
			o(cfg)
		}
		s, err := NewServer(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		s.zabNet = zab
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Stop)
		out[i] = s
	}
	return out
}

func waitInProcessRoles(t *testing.T, srvs []*Server) *Server {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var lead *Server
		ok := true
		for _, s := range srvs {
			if s.quorum == nil {
				continue
			}
			p := s.Peer()
			if p.ZabPhase != adminapi.PhaseBroadcast {
				ok = false
			}
			if p.State == adminapi.StateLeading {
				lead = s
			}
		}
		if ok && lead != nil {
			return lead
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, s := range srvs {
		p := s.Peer()
		t.Logf("myid %d: %s/%s leader %d", p.MyID, p.State, p.ZabPhase, p.LeaderID)
	}
	t.Fatal("no synced ensemble within 20s")
	return nil
}

// Three voters and one observer in one process elect, sync and replicate
// writes made through a follower and the observer (run with -race).
func TestQuorum_InProcessEnsembleWithObserver(t *testing.T) {
	srvs := startInProcessEnsemble(t, 4, 1)
	lead := waitInProcessRoles(t, srvs)
	obs := srvs[3]
	if st := obs.Peer().State; st != adminapi.StateObserving {
		t.Fatalf("server 4 is %s, want OBSERVING", st)
	}
	for i, s := range srvs {
		c, _ := connect(t, s.ClientAddr().String(), 10*time.Second)
		for j := range 5 {
			path := fmt.Sprintf("/n%d-%d", i, j)
			if _, err := c.Create(path, []byte("x"), 0, zk.WorldACL(zk.PermAll)); err != nil {
				t.Fatalf("myid %d: create %s: %v", i+1, path, err)
			}
		}
		c.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, s := range srvs {
		for s.srv.Tree().NodeCount() < lead.srv.Tree().NodeCount() || lead.srv.Tree().NodeCount() < 21 {
			if time.Now().After(deadline) {
				t.Fatalf("myid %d has %d nodes, leader %d", s.cfg.MyID, s.srv.Tree().NodeCount(), lead.srv.Tree().NodeCount())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
