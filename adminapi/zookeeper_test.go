package adminapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fake38 answers like Apache ZooKeeper 3.8's AdminServer for a follower.
func fake38() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/commands/")
		w.Header().Set("Content-Type", "application/json")
		switch name {
		case "zabstate":
			fmt.Fprint(w, `{"myid" : 2, "is_leader" : false, "last_zxid" : "0x300000007", "zab_epoch" : 3, "zab_counter" : 7, "zabstate" : "broadcast", "voting" : true, "command" : "zabstate", "error" : null}`)
		case "monitor":
			fmt.Fprint(w, `{"server_state" : "follower", "znode_count" : 9, "watch_count" : 2, "num_alive_connections" : 1, "outstanding_requests" : 0, "global_sessions" : 4, "quorum_size" : 3, "uptime" : 5000, "command" : "monitor", "error" : null}`)
		case "leader":
			fmt.Fprint(w, `{"is_leader" : false, "leader_id" : 3, "leader_ip" : "127.0.0.1", "command" : "leader", "error" : null}`)
		default:
			fmt.Fprintf(w, `{"command" : %q, "error" : "Unknown command: %s"}`, name, name)
		}
	})
}

func TestPeerOrZooKeeper_FallsBackTo38Commands(t *testing.T) {
	srv := httptest.NewServer(fake38())
	defer srv.Close()
	c := &Client{Base: srv.URL, HTTP: &http.Client{Timeout: time.Second}}
	p, err := c.PeerOrZooKeeper(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.Implementation != "zookeeper" || p.State != StateFollowing || p.MyID != 2 || p.LeaderID != 3 ||
		p.CurrentEpoch != 3 || p.LastLoggedZxid != 0x300000007 || p.Znodes != 9 || p.Sessions != 4 || p.Voters != 3 {
		t.Fatalf("assembled peer wrong: %+v", p)
	}
}

func TestPeerOrZooKeeper_ZkctlPeer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"myid": 1, "state": "LEADING", "current_epoch": 2, "leader_id": 1}`)
	}))
	defer srv.Close()
	c := &Client{Base: srv.URL}
	p, err := c.PeerOrZooKeeper(context.Background())
	if err != nil || p.State != StateLeading || p.Implementation != "zkctl" {
		t.Fatalf("zkctl peer: %+v %v", p, err)
	}
}

func TestClient_HTTPErrorAndGarbage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/commands/peer" {
			http.Error(w, "nope", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "not json")
	}))
	defer srv.Close()
	c := &Client{Base: srv.URL}
	if _, err := c.Peer(context.Background()); err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("want HTTP 500 error, got %v", err)
	}
	if _, err := c.Events(context.Background(), 0); err == nil || !strings.Contains(err.Error(), "decode") {
		t.Fatalf("want decode error, got %v", err)
	}
}
