package serve

import (
	"fmt"
	"sort"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

func TestValidatePath(t *testing.T) {
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{"/", true}, {"/a", true}, {"/a/b-c_d.e", true}, {"/q/0000000005", true}, {"/a/.b", true}, {"/é", true},
		{"", false}, {"a", false}, {"/a/", false}, {"//", false}, {"/a//b", false}, {"/.", false}, {"/a/..", false},
		{"/a/./b", false}, {"/a\x00b", false}, {"/a\x1fb", false}, {"/a\u007fb", false}, {"/a\u0085", false},
		{"/a\ud7ffb", true}, {"/a\ue000", false}, {"/a\ufff0", false}, {"/a\xff", false},
	} {
		err := ValidatePath(tc.path)
		if (err == nil) != tc.ok {
			t.Errorf("ValidatePath(%q) = %v, want ok=%v", tc.path, err, tc.ok)
		}
	}
}

func TestParentPath(t *testing.T) {
	for in, want := range map[string]string{"/a": "/", "/a/b": "/a", "/a/b/c": "/a/b"} {
		if got, ok := parentPath(in); !ok || got != want {
			t.Errorf("parentPath(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := parentPath("/"); ok {
		t.Error("/ has a parent")
	}
}

// fakeWatcher records notifications.
type fakeWatcher struct {
	sid int64
	got []string
}

func (f *fakeWatcher) Notify(ev jute.WatcherEvent) {
	f.got = append(f.got, fmt.Sprintf("%d:%s", ev.Type, ev.Path))
}
func (f *fakeWatcher) WatcherSession() int64 { return f.sid }

func TestWatchManager_StandardWatchesFireOnce(t *testing.T) {
	m := NewWatchManager()
	w := &fakeWatcher{sid: 1}
	m.AddDataWatch("/a", w)
	m.AddChildWatch("/a", w)
	if n := m.Trigger(jute.EventNodeDataChanged, "/a"); n != 1 {
		t.Errorf("first trigger reached %d", n)
	}
	if n := m.Trigger(jute.EventNodeDataChanged, "/a"); n != 0 {
		t.Errorf("one-shot watch fired twice")
	}
	// Delete: data table then child table, one notification per watcher.
	m.AddDataWatch("/a", w)
	m.Trigger(jute.EventNodeDeleted, "/a")
	if fmt.Sprint(w.got) != "[3:/a 2:/a]" {
		t.Errorf("events %v", w.got)
	}
	if s := m.Summary(); s.Total != 0 {
		t.Errorf("watches left after firing: %+v", s)
	}
}

func TestWatchManager_PersistentAndRecursive(t *testing.T) {
	m := NewWatchManager()
	p := &fakeWatcher{sid: 1}
	r := &fakeWatcher{sid: 2}
	m.AddPersistent("/p", p, false)
	m.AddPersistent("/r", r, true)
	for _, ev := range []struct {
		typ  int32
		path string
	}{
		{jute.EventNodeCreated, "/p"}, {jute.EventNodeChildrenChanged, "/p"}, {jute.EventNodeCreated, "/p/x"},
		{jute.EventNodeDataChanged, "/p"}, {jute.EventNodeCreated, "/r"}, {jute.EventNodeChildrenChanged, "/r"},
		{jute.EventNodeCreated, "/r/a/b"}, {jute.EventNodeDeleted, "/r/a/b"}, {jute.EventNodeChildrenChanged, "/r/a"},
		{jute.EventNodeDataChanged, "/rx"},
	} {
		m.Trigger(ev.typ, ev.path)
	}
	if want := "[1:/p 4:/p 3:/p]"; fmt.Sprint(p.got) != want {
		t.Errorf("persistent got %v, want %s", p.got, want)
	}
	if want := "[1:/r 1:/r/a/b 2:/r/a/b]"; fmt.Sprint(r.got) != want {
		t.Errorf("recursive got %v, want %s", r.got, want)
	}
	// 3.8 quirk: a standard watch on the same path downgrades the data table.
	m.AddDataWatch("/p", p)
	m.Trigger(jute.EventNodeDataChanged, "/p")
	m.Trigger(jute.EventNodeDataChanged, "/p")
	if n := len(p.got); n != 4 {
		t.Errorf("downgraded watch fired %d times in total, want 4", n)
	}
	if !m.Contains("/p", jute.WatcherTypeChildren, p) || m.Contains("/p", jute.WatcherTypeData, p) {
		t.Error("child registration should stay, data registration should be gone")
	}
	if !m.Remove("/r", jute.WatcherTypeAny, r) || m.Remove("/r", jute.WatcherTypeAny, r) {
		t.Error("remove should succeed once")
	}
	m.RemoveWatcher(p)
	if s := m.Summary(); s.Total != 0 {
		t.Errorf("left %+v", s)
	}
}

func TestWatchManager_Dumps(t *testing.T) {
	m := NewWatchManager()
	a, b := &fakeWatcher{sid: 0xa}, &fakeWatcher{sid: 0xb}
	m.AddDataWatch("/x", a)
	m.AddDataWatch("/y", a)
	m.AddDataWatch("/x", b)
	m.AddChildWatch("/z", b)
	s := m.Summary()
	if s.Connections != 2 || s.Paths != 2 || s.DataWatches != 3 || s.Total != 4 {
		t.Errorf("summary %+v", s)
	}
	if got := fmt.Sprint(m.BySession()[0xa]); got != "[/x /y]" {
		t.Errorf("by session %s", got)
	}
	ids := m.ByPath()["/x"]
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if fmt.Sprint(ids) != "[10 11]" {
		t.Errorf("by path %v", ids)
	}
}

func TestACL_CheckAndFixup(t *testing.T) {
	alice := DigestID("alice:secret")
	if alice != "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=" {
		t.Fatalf("digest %s", alice)
	}
	ids := []jute.Id{{Scheme: "ip", ID: "127.0.0.1"}, {Scheme: "digest", ID: alice}}
	acl, code := fixupACL([]jute.ACL{{Perms: jute.PermRead, ID: jute.Id{Scheme: "auth"}}, {Perms: jute.PermRead, ID: jute.Id{Scheme: "auth"}}}, ids)
	if code != jute.ErrOK || len(acl) != 1 || acl[0].ID.ID != alice {
		t.Errorf("auth expansion %+v %v", acl, code)
	}
	for _, bad := range [][]jute.ACL{nil, {{Perms: 1, ID: jute.Id{Scheme: "world", ID: "someone"}}},
		{{Perms: 1, ID: jute.Id{Scheme: "ip", ID: "::1"}}}, {{Perms: 1, ID: jute.Id{Scheme: "nope", ID: "x"}}},
		{{Perms: 1, ID: jute.Id{Scheme: "digest", ID: "nocolon"}}}} {
		if _, code := fixupACL(bad, ids); code != jute.ErrInvalidACL {
			t.Errorf("fixupACL(%+v) = %v, want InvalidACL", bad, code)
		}
	}
	if _, code := fixupACL([]jute.ACL{{Perms: 1, ID: jute.Id{Scheme: "auth"}}}, ids[:1]); code != jute.ErrInvalidACL {
		t.Error("auth with only an ip identity must be InvalidACL")
	}
	net := []jute.ACL{{Perms: jute.PermRead, ID: jute.Id{Scheme: "ip", ID: "127.0.0.0/8"}}}
	if checkACL(net, jute.PermRead, ids) != jute.ErrOK || checkACL(net, jute.PermWrite, ids) != jute.ErrNoAuth {
		t.Error("ip range ACL")
	}
	if checkACL(net, jute.PermWrite, []jute.Id{{Scheme: "super"}}) != jute.ErrOK {
		t.Error("super bypasses ACLs")
	}
	if checkACL(nil, jute.PermAll, nil) != jute.ErrOK {
		t.Error("empty ACL allows everything")
	}
	if got := maskDigests([]jute.ACL{{Perms: 1, ID: jute.Id{Scheme: "digest", ID: alice}}}); got[0].ID.ID != "alice:x" {
		t.Errorf("mask %v", got)
	}
}

func TestSessionTracker_Buckets(t *testing.T) {
	st := newSessionTracker(100, 1, 1_000_000)
	id := st.newID()
	if id>>56 != 1 {
		t.Errorf("session id 0x%x lacks the server id byte", id)
	}
	st.add(id, 400, 1000)
	if got := st.expire(1400); len(got) != 0 {
		t.Errorf("expired early: %v", got)
	}
	st.touch(id, 1450) // deadline moves to roundUp(1850) = 1900
	if got := st.expire(1899); len(got) != 0 {
		t.Errorf("expired before its bucket: %v", got)
	}
	if got := st.expire(1900); len(got) != 1 || got[0] != id {
		t.Errorf("expire = %v", got)
	}
	if st.valid(id) || st.touch(id, 2000) || st.revalidate(id, 400, 2000) {
		t.Error("an expiring session must not be revived")
	}
}

// TestSessionTracker_TouchedSincePing pins what a learner reports on a
// PING: only sessions that sent something since the last report
// (LearnerSessionTracker.snapshot in 3.8), never every known session.
func TestSessionTracker_TouchedSincePing(t *testing.T) {
	st := newSessionTracker(100, 1, 1_000_000)
	st.add(1, 4000, 0)
	st.add(2, 6000, 0)
	st.touch(1, 10)
	if got := st.takeTouched(); got != nil {
		t.Fatalf("touches recorded outside a learner role: %v", got)
	}
	st.recordTouches(true)
	st.touch(1, 20)
	st.touch(3, 20) // unknown: not reported
	if got := st.takeTouched(); len(got) != 1 || got[1] != 4000 {
		t.Fatalf("first PING reports %v, want only session 1 (4000 ms)", got)
	}
	if got := st.takeTouched(); len(got) != 0 {
		t.Fatalf("a silent session is reported again: %v", got)
	}
	st.touch(2, 30)
	st.recordTouches(false)
	if got := st.takeTouched(); got != nil {
		t.Fatalf("touches kept after the role ended: %v", got)
	}
}

// TestDigestID_AnyString pins 3.8's generateDigest: the id's user part is
// the text before the first colon, or the whole string without one. The
// expected ids are what Apache 3.8 prints for the same strings
// (java -cp zookeeper.jar org.apache.zookeeper.server.auth.DigestAuthenticationProvider ...).
func TestDigestID_AnyString(t *testing.T) {
	for in, want := range map[string]string{
		"alice:secret": "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=",
		"blah":         "blah:W/H9kn37hnlJai5s8Ay+UMHIcUU=",
		"a:b:c":        "a:cLzgnoJ6mP5qz3w+mwvPE2vDgu0=",
	} {
		if got := DigestID(in); got != want {
			t.Errorf("DigestID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSessionPassword_JavaRandom(t *testing.T) {
	// java.util.Random(42).nextInt() is -1170105035.
	if got := newJavaRandom(42).next(32); got != -1170105035 {
		t.Errorf("java Random(42).nextInt() = %d", got)
	}
	a, b := SessionPassword(0x100000001), SessionPassword(0x100000002)
	if len(a) != 16 || string(a) == string(b) || string(a) != string(SessionPassword(0x100000001)) {
		t.Error("passwords must be 16 bytes, deterministic and per session")
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add(int32(jute.OpCreate), jute.Encode(&jute.CreateRequest{Path: "/a", ACL: jute.OpenACLUnsafe(), TTL: -1}))
	f.Add(int32(jute.OpMulti), jute.Encode(&multiRequest{Ops: []multiOp{{Type: jute.OpDelete, Rec: &jute.PathVersionRequest{Path: "/a", Version: -1}}}}))
	f.Add(int32(jute.OpMultiRead), []byte{0, 0, 0, 4, 0, 0, 0, 0, 0})
	f.Add(int32(jute.OpSetWatches2), jute.Encode(&jute.SetWatches{V2: true, DataWatches: []string{"/x"}}))
	f.Add(int32(jute.OpAuth), jute.Encode(&jute.AuthPacket{Scheme: "digest", Auth: []byte("a:b")}))
	f.Add(int32(jute.OpCreateTTL), []byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, op int32, data []byte) {
		rec, err := DecodeRequest(jute.Op(op), data)
		if err == nil && rec == nil {
			t.Fatal("nil record without error")
		}
		if err != nil {
			return
		}
		// What decodes must re-encode and decode again to the same bytes.
		again, err := DecodeRequest(jute.Op(op), jute.Encode(rec))
		if err != nil {
			t.Fatalf("re-decode of %T: %v", rec, err)
		}
		if string(jute.Encode(again)) != string(jute.Encode(rec)) {
			t.Fatalf("round trip changed %T", rec)
		}
	})
}
