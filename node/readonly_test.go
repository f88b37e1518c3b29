package node

import (
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/status"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// roHandshake sends a ConnectRequest with the readOnly byte set to ro and
// returns the raw answer frame (nil when the server closed the connection).
func roHandshake(t *testing.T, r *rawClient, sid int64, pw []byte, ro bool) []byte {
	t.Helper()
	if pw == nil {
		pw = make([]byte, 16)
	}
	if err := r.writeFrame(jute.Encode(&jute.ConnectRequest{TimeOut: 4000, SessionID: sid, Passwd: pw, ReadOnly: ro, HasReadOnly: true})); err != nil {
		t.Fatal(err)
	}
	b, err := r.readFrame()
	if err != nil {
		return nil
	}
	return b
}

// waitReadOnly stops all but the first server and waits until it serves
// read-only (isro "ro").
func waitReadOnly(t *testing.T, srvs []*Server) *Server {
	t.Helper()
	for _, s := range srvs[1:] {
		s.Stop()
	}
	survivor := srvs[0]
	deadline := time.Now().Add(10 * time.Second)
	for !survivor.srv.ReadOnly() {
		if time.Now().After(deadline) {
			t.Fatalf("survivor not read-only after 10s: %s", survivor.Peer().State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if m := survivor.srv.ServerStats().Mode; m != status.ModeReadOnly {
		t.Errorf("Mode %q, want %q", m, status.ModeReadOnly)
	}
	return survivor
}

// TestReadOnly_SurvivorServesReadOnlyClients: with readonlymode.enabled and
// localSessionsEnabled, the member left without a quorum serves read-only
// clients from its tree as 3.8's ReadOnlyZooKeeperServer (run with -race):
// a client without the readOnly flag and a global session's reconnect are
// refused by closing the connection, a read-only client gets a local
// session with readOnly=true, reads answer, writes, check and sync answer
// NotReadOnly and change nothing, and the local session can reconnect.
func TestReadOnly_SurvivorServesReadOnlyClients(t *testing.T) {
	srvs := startInProcessEnsemble(t, 3, 0, func(c *zkconfig.Config) {
		c.ReadOnlyModeEnabled = true
		c.LocalSessionsEnabled = true
	})
	waitInProcessRoles(t, srvs)
	c, _ := connect(t, srvs[0].ClientAddr().String(), 10*time.Second)
	if _, err := c.Create("/a", []byte("before"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	global := dialRaw(t, srvs[0].ClientAddr().String())
	g := global.handshake(0, nil, 4000)
	if g.ReadOnly {
		t.Errorf("a read-write server answered readOnly=true")
	}
	c.Close()
	global.c.Close()
	survivor := waitReadOnly(t, srvs)
	addr := survivor.ClientAddr().String()

	if b := roHandshake(t, dialRaw(t, addr), 0, nil, false); b != nil {
		t.Errorf("a not-read-only client got an answer: %x", b)
	}
	if b := roHandshake(t, dialRaw(t, addr), g.SessionID, g.Passwd, true); b != nil {
		t.Errorf("a global session's reconnect got an answer: %x", b)
	}

	r := dialRaw(t, addr)
	var resp jute.ConnectResponse
	if err := jute.Decode(roHandshake(t, r, 0, nil, true), &resp); err != nil {
		t.Fatal(err)
	}
	if !resp.ReadOnly || resp.SessionID == 0 || resp.TimeOut == 0 {
		t.Fatalf("read-only connect answered %+v", resp)
	}
	r.sid, r.pw = resp.SessionID, resp.Passwd
	h, d := r.call(jute.OpGetData, &jute.PathWatchRequest{Path: "/a"})
	if h.Err != jute.ErrOK || string(d.Buffer()) != "before" {
		t.Errorf("getData /a: %v", h.Err)
	}
	for _, w := range []struct {
		op  jute.Op
		rec jute.Record
	}{
		{jute.OpCreate, &jute.CreateRequest{Path: "/b", Data: []byte("x"), ACL: []jute.ACL{{Perms: 31, ID: jute.Id{Scheme: "world", ID: "anyone"}}}}},
		{jute.OpSetData, &jute.SetDataRequest{Path: "/a", Data: []byte("changed"), Version: -1}},
		{jute.OpDelete, &jute.PathVersionRequest{Path: "/a", Version: -1}},
		{jute.OpCheck, &jute.PathVersionRequest{Path: "/a", Version: -1}},
		{jute.OpSync, &jute.PathRequest{Path: "/a"}},
	} {
		if h, _ := r.call(w.op, w.rec); h.Err != jute.ErrNotReadOnly {
			t.Errorf("%v answered %v, want NotReadOnly", w.op, h.Err)
		}
	}
	if n, ok := survivor.srv.Tree().Get("/a"); !ok || string(n.Data) != "before" {
		t.Errorf("/a changed by refused writes")
	}
	if _, ok := survivor.srv.Tree().Get("/b"); ok {
		t.Errorf("refused create applied")
	}
	r.c.Close()
	r2 := dialRaw(t, addr)
	var again jute.ConnectResponse
	if err := jute.Decode(roHandshake(t, r2, resp.SessionID, resp.Passwd, true), &again); err != nil {
		t.Fatal(err)
	}
	if again.SessionID != resp.SessionID || !again.ReadOnly {
		t.Errorf("local session reconnect answered %+v", again)
	}
	if h, _ := r2.call(jute.OpCloseSession, nil); h.Err != jute.ErrOK {
		t.Errorf("closeSession of a local session: %v", h.Err)
	}
}

// TestReadOnly_NoLocalSessions: without localSessionsEnabled the
// read-only server cannot create a session; as in 3.8 the client gets a
// NotReadOnly reply header instead of a ConnectResponse.
func TestReadOnly_NoLocalSessions(t *testing.T) {
	srvs := startInProcessEnsemble(t, 3, 0, func(c *zkconfig.Config) { c.ReadOnlyModeEnabled = true })
	waitInProcessRoles(t, srvs)
	survivor := waitReadOnly(t, srvs)
	b := roHandshake(t, dialRaw(t, survivor.ClientAddr().String()), 0, nil, true)
	var h jute.ReplyHeader
	if err := jute.Decode(b, &h); err != nil || h.Err != jute.ErrNotReadOnly {
		t.Errorf("answer %x (%v), want a NotReadOnly reply header", b, err)
	}
}

// TestReadOnly_Disabled: without readonlymode.enabled a member without a
// quorum serves nobody, as before.
func TestReadOnly_Disabled(t *testing.T) {
	srvs := startInProcessEnsemble(t, 3, 0)
	waitInProcessRoles(t, srvs)
	for _, s := range srvs[1:] {
		s.Stop()
	}
	time.Sleep(3 * time.Second) // past the 2 s grace period
	if srvs[0].srv.ReadOnly() || srvs[0].srv.Serving() {
		t.Errorf("read-only %v, serving %v without readonlymode.enabled", srvs[0].srv.ReadOnly(), srvs[0].srv.Serving())
	}
	if b := roHandshake(t, dialRaw(t, srvs[0].ClientAddr().String()), 0, nil, true); b != nil {
		t.Errorf("answered %x", b)
	}
}
