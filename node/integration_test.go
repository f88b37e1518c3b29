package node

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/serve"
)

func TestServer_CreateModesAndStat(t *testing.T) {
	p := startServer(t, "")
	c, _ := connect(t, p.addr, 4*time.Second)

	_, root, err := c.Get("/")
	if err != nil {
		t.Fatal(err)
	}
	if root.Cversion != -1 || root.NumChildren != 1 {
		t.Errorf("fresh / stat: cversion=%d numChildren=%d, want -1 and 1", root.Cversion, root.NumChildren)
	}
	if _, err := c.Create("/app", []byte("v0"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	data, st, err := c.Get("/app")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "v0" || st.Version != 0 || st.Czxid != st.Mzxid || st.Czxid != st.Pzxid || st.DataLength != 2 || st.EphemeralOwner != 0 {
		t.Errorf("new node stat %+v data %q", st, data)
	}
	for i := 0; i < 3; i++ {
		name, err := c.Create("/app/job-", nil, zk.FlagSequence, zk.WorldACL(zk.PermAll))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("/app/job-%010d", i); name != want {
			t.Errorf("sequential name %q, want %q", name, want)
		}
	}
	eph, err := c.Create("/app/e", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
	if err != nil {
		t.Fatal(err)
	}
	_, est, _ := c.Get(eph)
	if est.EphemeralOwner != c.SessionID() {
		t.Errorf("ephemeralOwner 0x%x, want session 0x%x", est.EphemeralOwner, c.SessionID())
	}
	if _, err := c.Create("/app/e/child", nil, 0, zk.WorldACL(zk.PermAll)); !errors.Is(err, zk.ErrNoChildrenForEphemerals) {
		t.Errorf("child of ephemeral: %v", err)
	}
	if _, err := c.Create("/app", nil, 0, zk.WorldACL(zk.PermAll)); !errors.Is(err, zk.ErrNodeExists) {
		t.Errorf("duplicate create: %v", err)
	}
	if _, err := c.Create("/missing/x", nil, 0, zk.WorldACL(zk.PermAll)); !errors.Is(err, zk.ErrNoNode) {
		t.Errorf("create under missing parent: %v", err)
	}
	if err := c.Delete("/app/job-0000000000", 0); err != nil {
		t.Fatal(err)
	}
	_, pst, _ := c.Get("/app")
	// 4 creations, 3 children left: 2*4-3.
	if pst.Cversion != 5 || pst.NumChildren != 3 {
		t.Errorf("/app cversion=%d numChildren=%d, want 5 and 3", pst.Cversion, pst.NumChildren)
	}
	st2, err := c.Set("/app", []byte("v1"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if st2.Version != 1 || st2.Mzxid <= st2.Czxid {
		t.Errorf("after set: %+v", st2)
	}
	if _, err := c.Set("/app", nil, 0); !errors.Is(err, zk.ErrBadVersion) {
		t.Errorf("stale version: %v", err)
	}
	if err := c.Delete("/app", -1); !errors.Is(err, zk.ErrNotEmpty) {
		t.Errorf("delete non-empty: %v", err)
	}
	if err := c.Delete("/zookeeper", -1); !errors.Is(err, zk.ErrBadArguments) {
		t.Errorf("delete /zookeeper: %v", err)
	}
	cont, err := c.CreateContainer("/box", nil, zk.FlagTTL&0|4, zk.WorldACL(zk.PermAll))
	if err != nil || cont != "/box" {
		t.Fatalf("container: %q %v", cont, err)
	}
	ttl, err := c.CreateTTL("/ttl", nil, zk.FlagTTL, zk.WorldACL(zk.PermAll), time.Minute)
	if err != nil || ttl != "/ttl" {
		t.Fatalf("ttl: %q %v", ttl, err)
	}
	_, tst, _ := c.Get("/ttl")
	if tst.EphemeralOwner != 0 {
		t.Errorf("TTL node shows ephemeralOwner 0x%x, want 0", tst.EphemeralOwner)
	}
	kids, _, err := c.Children("/app")
	sort.Strings(kids)
	if err != nil || fmt.Sprint(kids) != "[e job-0000000001 job-0000000002]" {
		t.Errorf("children %v %v", kids, err)
	}
}

func waitEvent(t *testing.T, ch <-chan zk.Event) zk.Event {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event within 5s")
	}
	return zk.Event{}
}

func TestServer_OneShotWatches(t *testing.T) {
	p := startServer(t, "")
	c, _ := connect(t, p.addr, 4*time.Second)
	other, _ := connect(t, p.addr, 4*time.Second)

	ok, _, exCh, err := c.ExistsW("/w")
	if err != nil || ok {
		t.Fatalf("exists: %v %v", ok, err)
	}
	if _, err := other.Create("/w", []byte("a"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, exCh); e.Type != zk.EventNodeCreated || e.Path != "/w" {
		t.Errorf("exists watch: %+v", e)
	}
	_, _, dataCh, _ := c.GetW("/w")
	_, _, childCh, _ := c.ChildrenW("/w")
	if _, err := other.Set("/w", []byte("b"), -1); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, dataCh); e.Type != zk.EventNodeDataChanged {
		t.Errorf("data watch: %+v", e)
	}
	if _, err := other.Create("/w/k", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if e := waitEvent(t, childCh); e.Type != zk.EventNodeChildrenChanged || e.Path != "/w" {
		t.Errorf("child watch: %+v", e)
	}
	// One-shot: a second change sends nothing more to the same registration.
	if _, err := other.Set("/w", []byte("c"), -1); err != nil {
		t.Fatal(err)
	}
	out, _ := zkproc.FourLetter(p.addr, "wchs", 3*time.Second)
	if out == "" {
		t.Error("wchs answered nothing")
	}
}

func TestServer_PersistentAndRecursiveWatches(t *testing.T) {
	p := startServer(t, "")
	w := dialRaw(t, p.addr)
	w.handshake(0, nil, 4000)
	for path, mode := range map[string]int32{"/p": jute.AddWatchPersistent, "/r": jute.AddWatchPersistentRecursive} {
		if h, _ := w.call(jute.OpAddWatch, &jute.PathModeRequest{Path: path, Mode: mode}); h.Err != jute.ErrOK {
			t.Fatalf("addWatch %s: %v", path, h.Err)
		}
	}
	c, _ := connect(t, p.addr, 4*time.Second)
	mustCreate := func(path string) {
		if _, err := c.Create(path, nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatal(err)
		}
	}
	mustCreate("/p")
	mustCreate("/p/a")
	if _, err := c.Set("/p", []byte("x"), -1); err != nil {
		t.Fatal(err)
	}
	mustCreate("/r")
	mustCreate("/r/a")
	mustCreate("/r/a/b")
	if _, err := c.Set("/r/a/b", []byte("x"), -1); err != nil {
		t.Fatal(err)
	}
	// A ping flushes: every notification precedes its reply.
	w.call(jute.OpExists, &jute.PathWatchRequest{Path: "/"})
	var got []string
	for _, e := range w.evts {
		got = append(got, fmt.Sprintf("%d:%s", e.Type, e.Path))
	}
	want := []string{"1:/p", "4:/p", "3:/p", "1:/r", "1:/r/a", "1:/r/a/b", "3:/r/a/b"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if h, _ := w.call(jute.OpRemoveWatches, &jute.PathModeRequest{Path: "/p", Mode: jute.WatcherTypeAny}); h.Err != jute.ErrOK {
		t.Errorf("removeWatches: %v", h.Err)
	}
	if h, _ := w.call(jute.OpCheckWatches, &jute.PathModeRequest{Path: "/p", Mode: jute.WatcherTypeAny}); h.Err != jute.ErrNoWatcher {
		t.Errorf("checkWatches after remove: %v", h.Err)
	}
}

func TestServer_Multi(t *testing.T) {
	p := startServer(t, "")
	c, _ := connect(t, p.addr, 4*time.Second)
	res, err := c.Multi(
		&zk.CreateRequest{Path: "/m", Data: []byte("x"), Acl: zk.WorldACL(zk.PermAll)},
		&zk.CreateRequest{Path: "/m/s-", Acl: zk.WorldACL(zk.PermAll), Flags: zk.FlagSequence},
		&zk.SetDataRequest{Path: "/m", Data: []byte("y"), Version: 0},
		&zk.CheckVersionRequest{Path: "/m", Version: 1},
	)
	if err != nil {
		t.Fatalf("multi: %v", err)
	}
	if res[0].String != "/m" || res[1].String != "/m/s-0000000000" || res[2].Stat == nil || res[2].Stat.Version != 1 {
		t.Errorf("multi results %+v", res)
	}
	res, err = c.Multi(
		&zk.CreateRequest{Path: "/n", Acl: zk.WorldACL(zk.PermAll)},
		&zk.DeleteRequest{Path: "/nope", Version: -1},
		&zk.SetDataRequest{Path: "/m", Data: nil, Version: -1},
	)
	if !errors.Is(err, zk.ErrNoNode) {
		t.Errorf("failed multi error %v", err)
	}
	if len(res) != 3 || res[0].Error != nil || !errors.Is(res[1].Error, zk.ErrNoNode) || !errors.Is(res[2].Error, zk.ErrAPIError) && res[2].Error == nil {
		t.Errorf("failed multi results %+v", res)
	}
	if ok, _, _ := c.Exists("/n"); ok {
		t.Error("failed multi left /n behind")
	}
	if _, st, _ := c.Get("/m"); st.Version != 1 {
		t.Errorf("failed multi changed /m: version %d", st.Version)
	}
}

func TestServer_ACLAndDigestAuth(t *testing.T) {
	super := serve.DigestID("super:admin")
	p := startServer(t, "", "DigestAuthenticationProvider.superDigest="+super)
	alice, _ := connect(t, p.addr, 4*time.Second)
	if err := alice.AddAuth("digest", []byte("alice:secret")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Create("/priv", []byte("s"), 0, zk.AuthACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	acl, _, err := alice.GetACL("/priv")
	if err != nil || len(acl) != 1 || acl[0].ID != "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=" {
		t.Errorf("acl %+v %v", acl, err)
	}
	anon, _ := connect(t, p.addr, 4*time.Second)
	if _, _, err := anon.Get("/priv"); !errors.Is(err, zk.ErrNoAuth) {
		t.Errorf("anonymous read: %v", err)
	}
	if _, err := anon.Create("/x", nil, 0, zk.AuthACL(zk.PermAll)); !errors.Is(err, zk.ErrInvalidACL) {
		t.Errorf("auth ACL without identity: %v", err)
	}
	if _, err := anon.Create("/ip", nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "10.0.0.0/8"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := anon.Set("/ip", nil, -1); !errors.Is(err, zk.ErrNoAuth) {
		t.Errorf("ip ACL from 127.0.0.1: %v", err)
	}
	root, _ := connect(t, p.addr, 4*time.Second)
	if err := root.AddAuth("digest", []byte("super:admin")); err != nil {
		t.Fatal(err)
	}
	if d, _, err := root.Get("/priv"); err != nil || string(d) != "s" {
		t.Errorf("super read: %q %v", d, err)
	}
	if _, err := root.Set("/ip", []byte("ok"), -1); err != nil {
		t.Errorf("super write: %v", err)
	}
}

func TestServer_SessionExpiryRemovesEphemerals(t *testing.T) {
	p := startServer(t, "")
	w := dialRaw(t, p.addr)
	resp := w.handshake(0, nil, 400)
	if resp.TimeOut != 400 || resp.SessionID == 0 || len(resp.Passwd) != 16 {
		t.Fatalf("connect response %+v", resp)
	}
	h, _ := w.call(jute.OpCreate, &jute.CreateRequest{Path: "/eph", ACL: jute.OpenACLUnsafe(), Flags: jute.FlagEphemeral, TTL: -1})
	if h.Err != jute.ErrOK {
		t.Fatalf("create ephemeral: %v", h.Err)
	}
	c, _ := connect(t, p.addr, 4*time.Second)
	_, _, ch, err := c.ExistsW("/eph")
	if err != nil {
		t.Fatal(err)
	}
	// The raw client goes silent: no pings, so the session expires.
	if e := waitEvent(t, ch); e.Type != zk.EventNodeDeleted {
		t.Errorf("event %+v, want NodeDeleted", e)
	}
	expectClosed(t, w.c)
	// Reconnecting to the expired session gets timeOut=0 and a close.
	again := dialRaw(t, p.addr)
	if r := again.handshake(resp.SessionID, resp.Passwd, 4000); r.TimeOut != 0 || r.SessionID != 0 {
		t.Errorf("expired session reconnect: %+v", r)
	}
	expectClosed(t, again.c)
}

func TestServer_ReconnectWithSessionID(t *testing.T) {
	p := startServer(t, "")
	a := dialRaw(t, p.addr)
	resp := a.handshake(0, nil, 4000)
	if resp.TimeOut != 4000 {
		t.Errorf("negotiated %d, want 4000 (max is 20 ticks)", resp.TimeOut)
	}
	if h, _ := a.call(jute.OpCreate, &jute.CreateRequest{Path: "/mine", ACL: jute.OpenACLUnsafe(), Flags: jute.FlagEphemeral, TTL: -1}); h.Err != jute.ErrOK {
		t.Fatal(h.Err)
	}
	b := dialRaw(t, p.addr)
	r := b.handshake(resp.SessionID, resp.Passwd, 100000)
	if r.SessionID != resp.SessionID || r.TimeOut != 4000 {
		t.Fatalf("reconnect response %+v", r)
	}
	expectClosed(t, a.c) // the old connection is closed on reconnect
	h, d := b.call(jute.OpGetEphemerals, &jute.PathRequest{Path: "/"})
	var eph jute.ChildrenResponse
	eph.Decode(d)
	if h.Err != jute.ErrOK || fmt.Sprint(eph.Children) != "[/mine]" {
		t.Errorf("getEphemerals after reconnect: %v %v", h.Err, eph.Children)
	}
	bad := dialRaw(t, p.addr)
	wrong := append([]byte(nil), resp.Passwd...)
	wrong[0] ^= 0xff
	if r := bad.handshake(resp.SessionID, wrong, 4000); r.TimeOut != 0 {
		t.Errorf("wrong password accepted: %+v", r)
	}
	expectClosed(t, bad.c)
	// closeSession removes the ephemeral and closes the socket after the reply.
	if h, _ := b.call(jute.OpCloseSession, nil); h.Err != jute.ErrOK {
		t.Errorf("closeSession: %v", h.Err)
	}
	expectClosed(t, b.c)
	c, _ := connect(t, p.addr, 4*time.Second)
	if ok, _, _ := c.Exists("/mine"); ok {
		t.Error("ephemeral survived closeSession")
	}
}

func TestServer_Kill9KeepsAcknowledgedWrites(t *testing.T) {
	p := startServer(t, "")
	c, _ := connect(t, p.addr, 4*time.Second)
	if _, err := c.Create("/burst", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 5000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				path := fmt.Sprintf("/burst/w%d-%d", w, i)
				if _, err := c.Create(path, []byte("x"), 0, zk.WorldACL(zk.PermAll)); err != nil {
					return
				}
				mu.Lock()
				acked = append(acked, path)
				mu.Unlock()
			}
		}(w)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.kill() // mid-burst
	close(stop)
	c.Close()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	p.start()
	c2, _ := connect(t, p.addr, 4*time.Second)
	kids, _, err := c2.Children("/burst")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, k := range kids {
		have["/burst/"+k] = true
	}
	for _, a := range acked {
		if !have[a] {
			t.Errorf("acknowledged write %s lost after kill -9", a)
		}
	}
	t.Logf("%d acknowledged, %d present after restart", len(acked), len(kids))
}

func TestServer_SessionsSurviveRestart(t *testing.T) {
	p := startServer(t, "")
	a, events := connect(t, p.addr, 4*time.Second)
	sid := a.SessionID()
	if _, err := a.Create("/a", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	b := dialRaw(t, p.addr)
	b.handshake(0, nil, 400)
	if h, _ := b.call(jute.OpCreate, &jute.CreateRequest{Path: "/b", ACL: jute.OpenACLUnsafe(), Flags: jute.FlagEphemeral, TTL: -1}); h.Err != jute.ErrOK {
		t.Fatal(h.Err)
	}
	p.kill()
	p.start()
	// go-zookeeper reconnects on its own with the same session.
	deadline := time.After(10 * time.Second)
	for reconnected := false; !reconnected; {
		select {
		case e := <-events:
			if e.State == zk.StateExpired {
				t.Fatal("session expired across a quick restart")
			}
			reconnected = e.State == zk.StateHasSession
		case <-deadline:
			t.Fatal("client did not reconnect after restart")
		}
	}
	if a.SessionID() != sid {
		t.Errorf("session changed from 0x%x to 0x%x", sid, a.SessionID())
	}
	if ok, _, err := a.Exists("/a"); err != nil || !ok {
		t.Errorf("ephemeral of the live session lost: %v %v", ok, err)
	}
	// b's session was restored from the log, then expires without a client.
	for end := time.Now().Add(10 * time.Second); ; {
		ok, _, err := a.Exists("/b")
		if err == nil && !ok {
			break
		}
		if time.Now().After(end) {
			t.Fatal("ephemeral of the dead session survived its timeout after restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
