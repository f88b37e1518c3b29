package tests

import (
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/jute"
	zknode "github.com/zkctl/zkctl/node"
)

// In a mixed ensemble (two zkctl, one Apache ZooKeeper 3.8) a session moves
// between every server: each reconnect to a follower is revalidated with
// the leader over the quorum protocol, the ephemeral stays, and closing
// the session removes it everywhere. When a zkctl server leads first, it
// is killed so that Apache (the largest sid) leads a zkctl follower too.
func TestEnsembleMixed_SessionMovesBetweenServers(t *testing.T) {
	oracle.RequireOrSkip(t)
	zkproc.Build(t)
	a, z := oracle.Launcher(), zkproc.ZkctlLauncher()
	o := zkproc.Options{TickTime: 500, NoFsync: true, StartTimeout: 40 * time.Second}
	srvs, err := zkproc.StartMixed(t, []zkproc.Launcher{z, z, a}, o)
	if err != nil {
		t.Fatal(err)
	}
	lead := waitModes(t, srvs, 30*time.Second)
	t.Logf("leader: %s", lead.Name())
	s1 := rawResume(t, srvs[0].ClientAddr(), 0)
	if _, code, err := s1.call(jute.OpCreate, &jute.CreateRequest{Path: "/moving", Data: []byte("x"), ACL: jute.OpenACLUnsafe(), Flags: jute.FlagEphemeral}, nil); err != nil || code != jute.ErrOK {
		t.Fatalf("create ephemeral on %s: %v %v", srvs[0].Name(), code, err)
	}
	sid := s1.sessionID
	// Wait until the other zkctl server has applied the session's txns.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := mustConnect(t, srvs[1])
		ok, _, _ := c.Exists("/moving")
		c.Close()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never saw /moving", srvs[1].Name())
		}
		time.Sleep(50 * time.Millisecond)
	}
	move := func(s *zkproc.Instance) {
		t.Helper()
		r := rawResume(t, s.ClientAddr(), sid)
		var st jute.StatResponse
		if _, code, err := r.call(jute.OpExists, &jute.PathWatchRequest{Path: "/moving"}, &st); err != nil || code != jute.ErrOK || st.Stat.EphemeralOwner != sid {
			t.Fatalf("%s: session 0x%x: exists /moving: %v %v owner 0x%x", s.Name(), uint64(sid), code, err, uint64(st.Stat.EphemeralOwner))
		}
		if _, code, err := r.call(jute.OpSetData, &jute.SetDataRequest{Path: "/moving", Data: []byte(s.Name()), Version: -1}, &jute.StatResponse{}); err != nil || code != jute.ErrOK {
			t.Fatalf("%s: setData with the moved session: %v %v", s.Name(), code, err)
		}
		s1 = r
	}
	for _, s := range []*zkproc.Instance{srvs[1], srvs[2], srvs[0]} {
		move(s)
	}
	if lead.Name() != srvs[2].Name() {
		// Make Apache (largest sid) lead: kill the zkctl leader.
		lead.Kill9()
		rest := others(srvs, lead)
		lead = waitModes(t, rest, 30*time.Second)
		t.Logf("after kill -9: leader %s", lead.Name())
		for _, s := range rest {
			if s != lead {
				move(s)
			}
		}
		move(lead)
		srvs = rest
	}
	s1.close()
	for _, s := range srvs {
		c := mustConnect(t, s)
		_, _ = c.Sync("/")
		if ok, _, err := c.Exists("/moving"); err != nil || ok {
			t.Fatalf("%s: /moving after closeSession: exists=%v err=%v", s.Name(), ok, err)
		}
		c.Close()
	}
	// A reconnect with the closed session is refused by every server.
	for _, s := range srvs {
		if _, err := dialRawSession(s.ClientAddr(), sid, zknode.SessionPassword(sid), 20000); err == nil {
			t.Fatalf("%s accepted closed session 0x%x", s.Name(), uint64(sid))
		} else {
			t.Logf("%s: %v", s.Name(), err)
		}
	}
}
