package node

import (
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// rawSession opens a new session on addr and returns the client.
func rawSession(t *testing.T, addr string) *rawClient {
	t.Helper()
	r := dialRaw(t, addr)
	if resp := r.handshake(0, nil, 10000); resp.SessionID == 0 {
		t.Fatalf("%s refused a new session", addr)
	}
	return r
}

// waitSession waits until every server tracks sid.
func waitSession(t *testing.T, srvs []*Server, sid int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, s := range srvs {
		for !s.srv.SessionTable().Valid(sid) {
			if time.Now().After(deadline) {
				t.Fatalf("myid %d does not know session 0x%x", s.cfg.MyID, sid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// Session handling across an ensemble (in process, under -race):
// reconnects to a learner are decided by the leader (REVALIDATE), requests
// a learner forwards for a session the leader no longer tracks are
// answered instead of hanging, and only the leader reaps containers,
// through proposals that reach every server.
func TestQuorum_SessionsAcrossServers(t *testing.T) {
	srvs := startInProcessEnsemble(t, 3, 0, func(c *zkconfig.Config) {
		c.Extra = map[string]string{"znode.container.checkIntervalMs": "100"}
	})
	lead := waitInProcessRoles(t, srvs)
	var fol []*Server
	for _, s := range srvs {
		if s != lead {
			fol = append(fol, s)
		}
	}

	t.Run("ReconnectIsRevalidatedByTheLeader", func(t *testing.T) {
		a := rawSession(t, fol[0].ClientAddr().String())
		waitSession(t, srvs, a.sid)
		b := dialRaw(t, fol[1].ClientAddr().String())
		if resp := b.handshake(a.sid, a.pw, 10000); resp.SessionID != a.sid || resp.TimeOut == 0 {
			t.Fatalf("live session refused on another follower: %+v", resp)
		}
		// The leader alone decides that the session is gone (expired,
		// closeSession not yet committed); the followers still list it.
		lead.srv.SessionTable().SetClosing(a.sid)
		if !fol[1].srv.SessionTable().Valid(a.sid) {
			t.Fatal("follower already forgot the session")
		}
		c := dialRaw(t, fol[1].ClientAddr().String())
		if resp := c.handshake(a.sid, a.pw, 10000); resp.SessionID != 0 || resp.TimeOut != 0 {
			t.Fatalf("session the leader expired was accepted by a follower: %+v", resp)
		}
		expectClosed(t, c.c)
	})

	t.Run("ForwardedRequestsOfAnUnknownSessionAreAnswered", func(t *testing.T) {
		a := rawSession(t, fol[0].ClientAddr().String())
		waitSession(t, srvs, a.sid)
		lead.srv.SessionTable().Remove(a.sid) // the leader forgot it; the follower did not
		h, _ := a.call(jute.OpCreate, &jute.CreateRequest{Path: "/orphan", ACL: jute.OpenACLUnsafe()})
		if h.Err != jute.ErrSessionExpired {
			t.Fatalf("create by a session unknown to the leader: err %v, want SESSIONEXPIRED", h.Err)
		}
		h, _ = a.call(jute.OpCloseSession, nil)
		if h.Err != jute.ErrOK {
			t.Fatalf("closeSession of a session unknown to the leader: err %v", h.Err)
		}
		expectClosed(t, a.c)
		if fol[0].srv.SessionTable().Valid(a.sid) {
			t.Fatal("follower still tracks the closed session")
		}
	})

	t.Run("OnlyTheLeaderReapsContainers", func(t *testing.T) {
		c, _ := connect(t, fol[0].ClientAddr().String(), 10*time.Second)
		defer c.Close()
		if _, err := c.CreateContainer("/box", nil, zk.FlagContainer, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Create("/box/item", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatal(err)
		}
		if err := c.Delete("/box/item", -1); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for _, s := range srvs {
			for {
				if _, ok := s.srv.Tree().Get("/box"); !ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("myid %d still has the empty container /box", s.cfg.MyID)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		// Same zxid everywhere: one deleteContainer proposal, not one per server.
		z := lead.srv.Tree().LastProcessedZxid()
		for _, s := range fol {
			if got := s.srv.Tree().LastProcessedZxid(); got > z {
				t.Fatalf("myid %d applied 0x%x past the leader's 0x%x", s.cfg.MyID, got, z)
			}
		}
	})
}
