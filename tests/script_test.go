package tests

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/jute"
)

// recorder turns answers into comparable lines: error text or data, Stats
// without times, session ids replaced by the name of the session (S1, S2...).
type recorder struct {
	lines    []string
	sessions map[int64]string
}

func (r *recorder) add(format string, args ...any) {
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *recorder) session(id int64) string {
	if id == 0 {
		return "0"
	}
	if n, ok := r.sessions[id]; ok {
		return n
	}
	return fmt.Sprintf("unknown-session(%#x)", id)
}

func (r *recorder) stat(s *zk.Stat) string {
	if s == nil {
		return "stat=nil"
	}
	return fmt.Sprintf("stat{czxid=%#x mzxid=%#x pzxid=%#x ver=%d cver=%d aver=%d owner=%s len=%d kids=%d}",
		s.Czxid, s.Mzxid, s.Pzxid, s.Version, s.Cversion, s.Aversion, r.session(s.EphemeralOwner), s.DataLength, s.NumChildren)
}

func (r *recorder) jstat(s jute.Stat) string {
	return r.stat(&zk.Stat{Czxid: s.Czxid, Mzxid: s.Mzxid, Pzxid: s.Pzxid, Version: s.Version, Cversion: s.Cversion,
		Aversion: s.Aversion, EphemeralOwner: s.EphemeralOwner, DataLength: s.DataLength, NumChildren: s.NumChildren})
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return "err=" + err.Error()
}

func data(b []byte) string {
	if b == nil {
		return "data=nil"
	}
	return fmt.Sprintf("data=%q", b)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func acls(a []zk.ACL) string {
	var parts []string
	for _, x := range a {
		parts = append(parts, fmt.Sprintf("%s:%s:%d", x.Scheme, x.ID, x.Perms))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func (r *recorder) events(evs []zk.Event) string {
	var parts []string
	for _, e := range evs {
		parts = append(parts, fmt.Sprintf("%s %s", e.Type, e.Path))
	}
	return "events[" + strings.Join(parts, "; ") + "]"
}

// runScript plays the differential script against addr and returns one line
// per answer. It fails the test only on transport-level trouble; every
// ZooKeeper-level answer (including errors) is data.
func runScript(t *testing.T, addr string) []string {
	t.Helper()
	r := &recorder{sessions: map[int64]string{}}
	ev := &eventLog{}
	c1, err := connect(t, addr, ev)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	r.sessions[c1.SessionID()] = "S1"
	raw, err := dialRaw(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.c.Close()
	r.sessions[raw.sessionID] = "S2"
	open := zk.WorldACL(zk.PermAll)

	create := func(c *zk.Conn, path, d string, flags int32, acl []zk.ACL) {
		p, err := c.Create(path, []byte(d), flags, acl)
		r.add("create %s flags=%d -> %s path=%s", path, flags, errText(err), p)
	}
	get := func(c *zk.Conn, path string) {
		b, s, err := c.Get(path)
		r.add("get %s -> %s %s %s", path, errText(err), data(b), r.stat(s))
	}
	exists := func(path string) {
		ok, s, err := c1.Exists(path)
		r.add("exists %s -> %s %v %s", path, errText(err), ok, r.stat(s))
	}
	set := func(c *zk.Conn, path, d string, v int32) {
		s, err := c.Set(path, []byte(d), v)
		r.add("set %s v=%d -> %s %s", path, v, errText(err), r.stat(s))
	}
	del := func(path string, v int32) {
		err := c1.Delete(path, v)
		r.add("delete %s v=%d -> %s", path, v, errText(err))
	}
	children := func(path string) {
		kids, s, err := c1.Children(path)
		r.add("getChildren2 %s -> %s %v %s", path, errText(err), sorted(kids), r.stat(s))
	}
	getACL := func(c *zk.Conn, path string) {
		a, s, err := c.GetACL(path)
		r.add("getACL %s -> %s %s %s", path, errText(err), acls(a), r.stat(s))
	}
	rawCall := func(label string, op jute.Op, req, resp jute.Record, show func() string) {
		_, code, err := raw.call(op, req, resp)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		out := "ok " + show()
		if code != 0 {
			out = fmt.Sprintf("code=%d", code)
		}
		r.add("%s -> %s", label, out)
	}

	// Plain CRUD, versions and errors.
	create(c1, "/a", "a", zk.FlagPersistent, open)
	create(c1, "/a", "again", zk.FlagPersistent, open)
	create(c1, "/a/b", "", zk.FlagPersistent, open)
	create(c1, "/nonexistent/x", "", zk.FlagPersistent, open)
	exists("/a")
	exists("/missing")
	get(c1, "/a")
	get(c1, "/a/b")
	get(c1, "/missing")
	set(c1, "/a", "a2", 0)
	set(c1, "/a", "a3", 0)
	set(c1, "/a", "a3", -1)
	set(c1, "/missing", "x", -1)
	get(c1, "/a")
	del("/a", -1)
	del("/a/b", 5)
	del("/a/b", 0)
	del("/missing", -1)
	children("/a")
	children("/missing")

	// Every create mode.
	create(c1, "/eph", "e", zk.FlagEphemeral, open)
	exists("/eph")
	create(c1, "/eph/child", "", zk.FlagPersistent, open)
	create(c1, "/seq", "", zk.FlagPersistent, open)
	create(c1, "/seq/n-", "1", zk.FlagSequence, open)
	create(c1, "/seq/n-", "2", zk.FlagSequence, open)
	create(c1, "/seq/e-", "3", zk.FlagEphemeralSequential, open)
	create(c1, "/seq/plain", "", zk.FlagPersistent, open)
	create(c1, "/seq/n-", "4", zk.FlagSequence, open)
	children("/seq")
	del("/seq/plain", -1)
	children("/seq")
	{
		p, err := c1.CreateContainer("/cont", []byte("c"), zk.FlagContainer, open)
		r.add("createContainer /cont -> %s path=%s", errText(err), p)
	}
	create(c1, "/cont/x", "", zk.FlagPersistent, open)
	get(c1, "/cont")
	{
		p, err := c1.CreateTTL("/ttl", []byte("t"), zk.FlagTTL, open, time.Hour)
		r.add("createTTL /ttl -> %s path=%s", errText(err), p)
		p, err = c1.CreateTTL("/ttlseq-", []byte("t"), zk.FlagPersistentSequentialWithTTL, open, time.Hour)
		r.add("createTTL /ttlseq- -> %s path=%s", errText(err), p)
	}
	get(c1, "/ttl")

	// ACLs and digest auth.
	getACL(c1, "/a")
	getACL(c1, "/missing")
	create(c1, "/acl", "secret", zk.FlagPersistent, zk.DigestACL(zk.PermAll, "user", "pw"))
	get(c1, "/acl")
	set(c1, "/acl", "x", -1)
	getACL(c1, "/acl")
	create(c1, "/acl/kid", "", zk.FlagPersistent, open)
	create(c1, "/authacl", "", zk.FlagPersistent, zk.AuthACL(zk.PermAll))
	create(c1, "/emptyacl", "", zk.FlagPersistent, []zk.ACL{})
	c2, err := connect(t, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	r.sessions[c2.SessionID()] = "S3"
	r.add("addAuth digest -> %s", errText(c2.AddAuth("digest", []byte("user:pw"))))
	get(c2, "/acl")
	getACL(c2, "/acl")
	{
		s, err := c2.SetACL("/acl", zk.WorldACL(zk.PermRead), 0)
		r.add("setACL /acl v=0 -> %s %s", errText(err), r.stat(s))
		s, err = c2.SetACL("/acl", zk.WorldACL(zk.PermRead), 0)
		r.add("setACL /acl v=0 -> %s %s", errText(err), r.stat(s))
	}
	get(c1, "/acl")
	set(c1, "/acl", "x", -1)
	create(c2, "/authacl", "", zk.FlagPersistent, zk.AuthACL(zk.PermAll))
	getACL(c2, "/authacl")
	get(c1, "/authacl")
	create(c2, "/eph2", "", zk.FlagEphemeral, open)

	// multi.
	{
		res, err := c1.Multi(
			&zk.CreateRequest{Path: "/m1", Data: []byte("1"), Acl: open},
			&zk.CreateRequest{Path: "/m2", Data: []byte("2"), Acl: open, Flags: zk.FlagSequence},
			&zk.SetDataRequest{Path: "/m1", Data: []byte("1b"), Version: 0},
			&zk.CheckVersionRequest{Path: "/m1", Version: 1},
		)
		r.add("multi ok -> %s %s", errText(err), r.multi(res))
		res, err = c1.Multi(
			&zk.CreateRequest{Path: "/m3", Data: []byte("3"), Acl: open},
			&zk.DeleteRequest{Path: "/missing", Version: -1},
			&zk.SetDataRequest{Path: "/m1", Data: []byte("x"), Version: -1},
		)
		r.add("multi fail -> %s %s", errText(err), r.multi(res))
		res, err = c1.Multi(
			&zk.CheckVersionRequest{Path: "/m1", Version: 7},
			&zk.DeleteRequest{Path: "/m1", Version: -1},
		)
		r.add("multi badversion -> %s %s", errText(err), r.multi(res))
	}
	exists("/m3")
	get(c1, "/m1")
	{
		p, err := c1.Sync("/a")
		r.add("sync /a -> %s %s", errText(err), p)
	}

	// Watches: event types, paths and order.
	{
		_, _, _, err := c1.ExistsW("/w")
		r.add("existsW /w -> %s", errText(err))
		create(c1, "/w", "w", zk.FlagPersistent, open)
		r.add("%s", r.events(ev.take(1)))
		_, _, _, err1 := c1.GetW("/w")
		_, _, _, err2 := c1.ChildrenW("/w")
		_, _, _, err3 := c1.ExistsW("/w/x")
		r.add("getW+childrenW /w, existsW /w/x -> %s %s %s", errText(err1), errText(err2), errText(err3))
		create(c1, "/w/x", "", zk.FlagPersistent, open)
		r.add("%s", r.events(ev.take(2)))
		set(c1, "/w", "w2", -1)
		r.add("%s", r.events(ev.take(1)))
		_, _, _, err1 = c1.GetW("/w/x")
		_, _, _, err2 = c1.ChildrenW("/w")
		_, _, _, err3 = c1.GetW("/w")
		r.add("getW /w/x, childrenW /w, getW /w -> %s %s %s", errText(err1), errText(err2), errText(err3))
		del("/w/x", -1)
		r.add("%s", r.events(ev.take(2)))
		_, _, _, err1 = c1.GetW("/nowatch")
		create(c1, "/nowatch", "", zk.FlagPersistent, open)
		r.add("getW missing, create -> %s %s", errText(err1), r.events(ev.take(0)))
		set(c1, "/w", "w3", -1)
		r.add("%s", r.events(ev.take(1)))
		del("/w", -1) // no watch left on /w: the data watch fired on the last set
		r.add("%s", r.events(ev.take(0)))
	}

	// Raw requests go-zookeeper cannot make.
	{
		var cr jute.Create2Response
		rawCall("create2 /r", jute.OpCreate2, &jute.CreateRequest{Path: "/r", Data: []byte("raw"), ACL: jute.OpenACLUnsafe(), TTL: -1}, &cr,
			func() string { return cr.Path + " " + r.jstat(cr.Stat) })
		rawCall("create2 /r again", jute.OpCreate2, &jute.CreateRequest{Path: "/r", ACL: jute.OpenACLUnsafe(), TTL: -1}, &cr,
			func() string { return cr.Path })
		rawCall("create2 ephemeral /reph", jute.OpCreate2, &jute.CreateRequest{Path: "/reph", ACL: jute.OpenACLUnsafe(), Flags: 1, TTL: -1}, &cr,
			func() string { return cr.Path + " " + r.jstat(cr.Stat) })
		rawCall("create2 ephemeral-seq /reph-", jute.OpCreate2, &jute.CreateRequest{Path: "/seq/reph-", ACL: jute.OpenACLUnsafe(), Flags: 3, TTL: -1}, &cr,
			func() string { return cr.Path + " " + r.jstat(cr.Stat) })
		for _, p := range []string{"/", "/seq", "/missing"} {
			var n jute.IntResponse
			rawCall("getAllChildrenNumber "+p, jute.OpGetAllChildrenNumber, &jute.PathRequest{Path: p}, &n,
				func() string { return fmt.Sprint(n.Value) })
		}
		for _, p := range []string{"/", "", "/seq", "/zzz"} {
			var eph jute.ChildrenResponse
			rawCall(fmt.Sprintf("getEphemerals %q", p), jute.OpGetEphemerals, &jute.PathRequest{Path: p}, &eph,
				func() string { return fmt.Sprint(sorted(eph.Children)) })
		}
		for _, p := range []string{"noslash", "/trailing/", "/dou//ble", "/dot/./x", "/dot/..", "/ctl\x01", "/nul\x00x", "", "/seq/"} {
			rawCall(fmt.Sprintf("create %q", p), jute.OpCreate, &jute.CreateRequest{Path: p, ACL: jute.OpenACLUnsafe(), TTL: -1}, &jute.PathResponse{},
				func() string { return "" })
		}
		rawCall(`create "/seq/" sequential`, jute.OpCreate, &jute.CreateRequest{Path: "/seq/", ACL: jute.OpenACLUnsafe(), Flags: 2, TTL: -1}, &jute.PathResponse{},
			func() string { return "" })
		rawCall("create flags=9", jute.OpCreate, &jute.CreateRequest{Path: "/flags", ACL: jute.OpenACLUnsafe(), Flags: 9, TTL: -1}, &jute.PathResponse{},
			func() string { return "" })
		rawCall("create empty acl", jute.OpCreate, &jute.CreateRequest{Path: "/noacl", ACL: []jute.ACL{}, TTL: -1}, &jute.PathResponse{},
			func() string { return "" })
		rawCall("createTTL ttl=0", jute.OpCreateTTL, &jute.CreateRequest{Path: "/ttl0", ACL: jute.OpenACLUnsafe(), Flags: 5, TTL: 0, HasTTL: true}, &cr,
			func() string { return "" })
		for _, p := range []string{"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"} {
			rawCall("delete "+p, jute.OpDelete, &jute.PathVersionRequest{Path: p, Version: -1}, nil, func() string { return "" })
		}
		var ex jute.StatResponse
		rawCall(`exists "/a\x00"`, jute.OpExists, &jute.PathWatchRequest{Path: "/a\x00"}, &ex, func() string { return r.jstat(ex.Stat) })
		var ch jute.ChildrenResponse
		rawCall("getChildren /seq", jute.OpGetChildren, &jute.PathWatchRequest{Path: "/seq"}, &ch,
			func() string { return fmt.Sprint(sorted(ch.Children)) })
	}

	// The tree at the end, and ephemerals going away with their session.
	children("/")
	children("/zookeeper")
	get(c1, "/")
	get(c1, "/zookeeper/quota")
	c2.Close()
	waitGone(t, c1, "/eph2")
	exists("/eph2")
	raw.close()
	waitGone(t, c1, "/reph")
	exists("/reph")
	children("/seq")
	get(c1, "/seq")
	{
		p, err := c1.Create("/final", nil, zk.FlagPersistent, open)
		r.add("create /final -> %s %s", errText(err), p)
	}
	get(c1, "/final")
	return r.lines
}

func (r *recorder) multi(res []zk.MultiResponse) string {
	var parts []string
	for _, m := range res {
		s := errText(m.Error)
		if m.String != "" {
			s += " " + m.String
		}
		if m.Stat != nil {
			s += " " + r.stat(m.Stat)
		}
		parts = append(parts, s)
	}
	return "[" + strings.Join(parts, " | ") + "]"
}

// waitGone waits (at most 10 s) until path no longer exists, so the
// closeSession of another connection has been applied.
func waitGone(t *testing.T, c *zk.Conn, path string) {
	t.Helper()
	for range 100 {
		ok, _, err := c.Exists(path)
		if err != nil && !errors.Is(err, zk.ErrNoNode) {
			t.Fatalf("exists %s: %v", path, err)
		}
		if !ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s still exists 10s after its session closed", path)
}
