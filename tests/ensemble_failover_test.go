package tests

import (
	"fmt"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/jute"
	zknode "github.com/zkctl/zkctl/node"
)

// signal sends sig to a running server's process.
func signal(t *testing.T, s *zkproc.Instance, sig syscall.Signal) {
	t.Helper()
	p := s.Process()
	if p == nil {
		t.Fatalf("%s has no process", s.Name())
	}
	if err := p.Signal(sig); err != nil {
		t.Fatalf("%s: signal %v: %v", s.Name(), sig, err)
	}
}

// Five servers started together elect one leader; after the leader's
// kill -9 the four survivors elect another and no acknowledged write is
// lost on any of them, nor on the old leader once it rejoins.
func TestEnsembleZkctl_FiveServersLeaderKill(t *testing.T) {
	start := time.Now()
	srvs := zkproc.StartEnsemble(t, 5, zkctlEnsembleOptions)
	lead := waitRoles(t, srvs, 30*time.Second)
	t.Logf("5 servers: leader %s, all synced %v after start", lead.Name(), time.Since(start))
	var acked []string
	for i, s := range others(srvs, lead)[:2] {
		c := mustConnect(t, s)
		acked = append(acked, writeN(t, c, fmt.Sprintf("/five-%d", i), 20)...)
		c.Close()
	}
	lead.Kill9()
	killed := time.Now()
	rest := others(srvs, lead)
	newLead := waitRoles(t, rest, 30*time.Second)
	elected := time.Since(killed)
	if newLead == lead {
		t.Fatal("the killed server is still the leader")
	}
	c := mustConnect(t, rest[len(rest)-1])
	acked = append(acked, writeN(t, c, "/after", 1)...)
	firstWrite := time.Since(killed)
	acked = append(acked, writeN(t, c, "/after-more", 10)...)
	c.Close()
	t.Logf("kill -9 %s: new leader %s synced after %v, first write acknowledged after %v", lead.Name(), newLead.Name(), elected, firstWrite)
	checkAll(t, rest, acked)
	lead.Restart()
	waitRoles(t, srvs, 30*time.Second)
	checkAll(t, srvs, acked)
}

// An observer (server.4=...:observer, peerType=observer) syncs, serves
// reads and forwards writes, but never votes: it is never elected, and
// with two of three voters gone the remaining voter and the observer do
// not form a quorum.
func TestEnsembleZkctl_ObserverFollowsAndNeverVotes(t *testing.T) {
	o := zkctlEnsembleOptions
	o.Observers = 1
	srvs := zkproc.StartEnsemble(t, 4, o)
	lead := waitRoles(t, srvs, 30*time.Second)
	obs := srvs[3]
	if lead == obs {
		t.Fatal("the observer was elected leader")
	}
	p := peerOf(obs)
	if p == nil || p.State != adminapi.StateObserving {
		t.Fatalf("server 4 is %+v, want OBSERVING", p)
	}
	if m := obs.Mode(); m != "observer" {
		t.Fatalf("srvr Mode of the observer = %q", m)
	}
	lc := mustConnect(t, lead)
	acked := writeN(t, lc, "/via-leader", 10)
	oc := mustConnect(t, obs)
	acked = append(acked, writeN(t, oc, "/via-observer", 10)...)
	// Reads served by the observer itself, without a sync first.
	deadline := time.Now().Add(10 * time.Second)
	for _, path := range acked {
		for {
			ok, _, err := oc.Exists(path)
			if err == nil && ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("observer never shows %s (err %v)", path, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	oc.Close()
	lc.Close()
	if pl := peerOf(lead); pl != nil {
		roles := map[int64]string{}
		for _, l := range pl.Learners {
			roles[l.ID] = l.Role
		}
		if roles[4] != "observer" {
			t.Fatalf("leader lists learner 4 as %q (%v)", roles[4], pl.Learners)
		}
	}
	obsv := adminJSON(t, lead, "observers")
	list, _ := obsv["observers"].([]any)
	if fmt.Sprint(obsv["synced_observers"]) != "1" || len(list) != 1 || fmt.Sprint(list[0].(map[string]any)["sid"]) != "4" {
		t.Fatalf("leader's /commands/observers = %v", obsv)
	}
	if zs := adminJSON(t, obs, "zabstate"); zs["voting"] != false || zs["is_leader"] != false {
		t.Fatalf("observer's zabstate = %v", zs)
	}
	if l := adminJSON(t, obs, "leader"); fmt.Sprint(l["leader_id"]) != fmt.Sprint(lead.ID()) {
		t.Fatalf("observer's /commands/leader = %v, leader is %d", l, lead.ID())
	}
	// Two voters down: voter + observer is no quorum.
	voters := srvs[:3]
	survivor := others(voters, lead)[0]
	for _, s := range voters {
		if s != survivor {
			s.Kill9()
		}
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		ps := peerOf(survivor)
		if ps != nil && ps.State == adminapi.StateLooking {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still %+v after losing two of three voters", survivor.Name(), ps)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Give an election time to (wrongly) succeed with the observer's vote.
	time.Sleep(3 * time.Second)
	for _, s := range []*zkproc.Instance{survivor, obs} {
		if ps := peerOf(s); ps == nil || ps.State == adminapi.StateLeading || ps.State == adminapi.StateFollowing {
			t.Fatalf("%s is %+v with one voter and one observer", s.Name(), ps)
		}
	}
}

// A server that logged a proposal no one else has is TRUNCated when it
// rejoins. Construction: both followers are paused (SIGSTOP) so the
// leader logs a write it can never commit; then the leader and the paused
// followers are killed (kill -9 also drops the PROPOSAL still sitting
// unread in the followers' socket buffers, which SIGCONT would deliver);
// the followers restart and elect a new leader, and the old leader, with
// the extra txn in its log, comes back.
func TestEnsembleZkctl_UncommittedProposalIsTruncated(t *testing.T) {
	srvs := zkproc.StartEnsemble(t, 3, zkctlEnsembleOptions)
	lead := waitRoles(t, srvs, 30*time.Second)
	lc := mustConnect(t, lead)
	acked := writeN(t, lc, "/committed", 5)
	fs := others(srvs, lead)
	for _, f := range fs {
		signal(t, f, syscall.SIGSTOP)
	}
	// NB: SIGSTOP takes effect asynchronously; a follower still running for
	// a moment could ACK the proposal, which is then rightly committed.
	for _, f := range fs {
		waitStopped(t, f)
	}
	lastBefore := peerOf(lead).LastLoggedZxid
	res := make(chan error, 1)
	go func() {
		_, err := lc.Create("/uncommitted", []byte("x"), 0, zk.WorldACL(zk.PermAll))
		res <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	var logged int64
	for {
		if p := peerOf(lead); p != nil && p.LastLoggedZxid > lastBefore {
			logged = p.LastLoggedZxid
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the leader never logged the proposal")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-res:
		t.Fatalf("a write was answered without a quorum: %v", err)
	default:
	}
	lead.Kill9()
	for _, f := range fs {
		f.Kill9()
	}
	restartTogether(t, fs)
	newLead := waitRoles(t, fs, 30*time.Second)
	if p := peerOf(newLead); p == nil || p.LastLoggedZxid >= logged && jute.EpochOf(p.LastLoggedZxid) == jute.EpochOf(logged) {
		t.Fatalf("new leader %s has the uncommitted 0x%x: %+v", newLead.Name(), logged, p)
	}
	lead.Restart()
	waitRoles(t, srvs, 30*time.Second)
	if m := syncModeOf(t, newLead, lead); m != "TRUNC" {
		t.Fatalf("old leader (logged 0x%x) synced by %q, want TRUNC", logged, m)
	}
	checkAll(t, srvs, acked)
	c := mustConnect(t, lead)
	if ok, _, err := c.Exists("/uncommitted"); err != nil || ok {
		t.Fatalf("uncommitted write visible on the old leader after TRUNC (exists=%v err=%v)", ok, err)
	}
	t.Logf("leader logged 0x%x alone; rejoining new leader %s it was truncated", logged, newLead.Name())
}

// rawResume reattaches an existing session (id + 3.8 password) on addr.
func rawResume(t *testing.T, addr string, sid int64) *rawClient {
	t.Helper()
	r, err := dialRawSession(addr, sid, zknode.SessionPassword(sid), 20000)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.c.Close() })
	return r
}

// A session outlives a leader change within its timeout: its ephemeral
// node still exists on every server afterwards, and the same session keeps
// working from another server.
func TestEnsembleZkctl_SessionSurvivesLeaderChange(t *testing.T) {
	o := zkctlEnsembleOptions
	o.Extra = map[string]string{"maxSessionTimeout": "20000"}
	srvs := zkproc.StartEnsemble(t, 3, o)
	lead := waitRoles(t, srvs, 30*time.Second)
	fs := others(srvs, lead)
	a := rawResume(t, fs[0].ClientAddr(), 0)
	if _, code, err := a.call(jute.OpCreate, &jute.CreateRequest{Path: "/eph", Data: []byte("a"), ACL: jute.OpenACLUnsafe(), Flags: jute.FlagEphemeral}, nil); err != nil || code != jute.ErrOK {
		t.Fatalf("create ephemeral: %v %v", code, err)
	}
	sid := a.sessionID
	lead.Kill9()
	killed := time.Now()
	waitRoles(t, fs, 30*time.Second)
	t.Logf("session 0x%x: new leader after %v", uint64(sid), time.Since(killed))
	// The session moves to the other survivor (revalidated by the new leader).
	b := rawResume(t, fs[1].ClientAddr(), sid)
	var st jute.StatResponse
	if _, code, err := b.call(jute.OpExists, &jute.PathWatchRequest{Path: "/eph"}, &st); err != nil || code != jute.ErrOK {
		t.Fatalf("ephemeral gone after the leader change: %v %v", code, err)
	}
	if st.Stat.EphemeralOwner != sid {
		t.Fatalf("ephemeral owner 0x%x, want 0x%x", uint64(st.Stat.EphemeralOwner), uint64(sid))
	}
	if _, code, err := b.call(jute.OpCreate, &jute.CreateRequest{Path: "/eph2", ACL: jute.OpenACLUnsafe(), Flags: jute.FlagEphemeral}, nil); err != nil || code != jute.ErrOK {
		t.Fatalf("the session does not work on %s after the leader change: %v %v", fs[1].Name(), code, err)
	}
	lead.Restart()
	waitRoles(t, srvs, 30*time.Second)
	for _, s := range srvs {
		c := mustConnect(t, s)
		if _, err := c.Sync("/"); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/eph", "/eph2"} {
			_, stat, err := c.Get(p)
			if err != nil || stat.EphemeralOwner != sid {
				t.Fatalf("%s: %s: owner 0x%x err %v, want owner 0x%x", s.Name(), p, uint64(stat.EphemeralOwner), err, uint64(sid))
			}
		}
		c.Close()
	}
	// Closing the session removes its ephemerals everywhere.
	b.close()
	for _, s := range srvs {
		c := mustConnect(t, s)
		_, _ = c.Sync("/")
		if ok, _, _ := c.Exists("/eph"); ok {
			t.Fatalf("%s: /eph survived closeSession", s.Name())
		}
		c.Close()
	}
}

// dialRawSession is dialRaw for an existing session (sid 0: a new one).
func dialRawSession(addr string, sid int64, pw []byte, timeout int32) (*rawClient, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("raw dial %s: %w", addr, err)
	}
	if sid == 0 {
		pw = make([]byte, 16)
	}
	r := &rawClient{c: c}
	if err := r.write(jute.Encode(&jute.ConnectRequest{TimeOut: timeout, SessionID: sid, Passwd: pw})); err != nil {
		c.Close()
		return nil, err
	}
	b, err := r.read()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("raw connect response from %s: %w", addr, err)
	}
	var resp jute.ConnectResponse
	if err := jute.Decode(b, &resp); err != nil {
		c.Close()
		return nil, fmt.Errorf("raw connect response: %w", err)
	}
	if resp.SessionID == 0 || (sid != 0 && resp.SessionID != sid) {
		c.Close()
		return nil, fmt.Errorf("raw connect to %s: session 0x%x refused (got 0x%x, timeout %d)", addr, uint64(sid), uint64(resp.SessionID), resp.TimeOut)
	}
	r.sessionID = resp.SessionID
	return r, nil
}

// A deposed leader never answers sync+read with stale data: the leader is
// paused (SIGSTOP) until the others elect a new leader and change a node;
// a sync and a read sent to the old leader meanwhile are either refused
// (connection closed) or answered with the new value after SIGCONT.
func TestEnsembleZkctl_PausedLeaderSyncNotStale(t *testing.T) {
	srvs := zkproc.StartEnsemble(t, 3, zkctlEnsembleOptions)
	lead := waitRoles(t, srvs, 30*time.Second)
	fs := others(srvs, lead)
	c := mustConnect(t, fs[0])
	if _, err := c.Create("/v", []byte("old"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	r := rawResume(t, lead.ClientAddr(), 0)
	var gd jute.GetDataResponse
	if _, code, err := r.call(jute.OpGetData, &jute.PathWatchRequest{Path: "/v"}, &gd); err != nil || code != jute.ErrOK {
		t.Fatalf("read /v on the leader: %v %v", code, err)
	}
	signal(t, lead, syscall.SIGSTOP)
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			_ = lead.Process().Signal(syscall.SIGCONT)
		}
	})
	waitRoles(t, fs, 30*time.Second)
	if _, err := c.Set("/v", []byte("new"), -1); err != nil {
		t.Fatalf("write through the new leader: %v", err)
	}
	// sync + getData queued in the paused leader's socket.
	if err := r.write(jute.EncodeAll(&jute.RequestHeader{Xid: 100, Type: jute.OpSync}, &jute.PathRequest{Path: "/v"})); err != nil {
		t.Fatal(err)
	}
	if err := r.write(jute.EncodeAll(&jute.RequestHeader{Xid: 101, Type: jute.OpGetData}, &jute.PathWatchRequest{Path: "/v"})); err != nil {
		t.Fatal(err)
	}
	signal(t, lead, syscall.SIGCONT)
	resumed = true
	for {
		b, err := r.read()
		if err != nil {
			t.Logf("old leader closed the connection instead of answering: %v", err)
			return
		}
		d := jute.NewDecoder(b)
		var h jute.ReplyHeader
		h.Decode(d)
		if h.Xid != 101 {
			continue
		}
		if h.Err != jute.ErrOK {
			t.Logf("old leader refused the read: %v", h.Err)
			return
		}
		var resp jute.GetDataResponse
		resp.Decode(d)
		if string(resp.Data) != "new" {
			t.Fatalf("deposed leader answered sync+read with stale %q (zxid 0x%x)", resp.Data, uint64(h.Zxid))
		}
		return
	}
}

// restartTogether restarts servers at the same time: each waits until it
// serves, which needs the others to form a quorum with it.
func restartTogether(t *testing.T, srvs []*zkproc.Instance) {
	t.Helper()
	var wg sync.WaitGroup
	for _, s := range srvs {
		wg.Add(1)
		go func() { defer wg.Done(); s.Restart() }()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}
