package store

import (
	"reflect"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

// txn helpers shared by the tests of this package.

func mkTxn(zxid int64, session int64, typ jute.Op, body jute.Record) *jute.Txn {
	return &jute.Txn{Hdr: jute.TxnHeader{ClientID: session, Cxid: 1, Zxid: zxid, Time: 1000 + zxid, Type: typ}, Body: body}
}

func createTxn(zxid int64, path string, data string, parentCV int32) *jute.Txn {
	return mkTxn(zxid, 0x10, jute.OpCreate, &jute.CreateTxn{Path: path, Data: []byte(data), ACL: jute.OpenACLUnsafe(), ParentCVersion: parentCV})
}

func ephTxn(zxid, session int64, path string) *jute.Txn {
	return mkTxn(zxid, session, jute.OpCreate2, &jute.CreateTxn{Path: path, Data: []byte("e"), ACL: jute.OpenACLUnsafe(), Ephemeral: true, ParentCVersion: -1})
}

func mustOK(t *testing.T, r Result) Result {
	t.Helper()
	if r.Err != jute.ErrOK {
		t.Fatalf("apply %v %s: err %v", r.Type, r.Path, r.Err)
	}
	return r
}

// recomputeDigest sums node digests from scratch.
func recomputeDigest(tr *DataTree) int64 {
	tr.mu.RLock()
	defer tr.mu.RUnlock()
	var d int64
	for p, n := range tr.nodes {
		d += NodeDigest(p, n.data, &n.stat)
	}
	return d
}

func TestDataTree_BuiltinNodes(t *testing.T) {
	tr := NewDataTree()
	if got := tr.NodeCount(); got != 5 {
		t.Fatalf("NodeCount = %d, want 5", got)
	}
	root, _ := tr.Get("/")
	if root.Stat.Cversion != -1 || root.Stat.NumChildren != 1 || !reflect.DeepEqual(root.Children, []string{"zookeeper"}) {
		t.Fatalf("root stat %+v children %v", root.Stat, root.Children)
	}
	zk, _ := tr.Get("/zookeeper")
	if zk.Stat.Cversion != -2 || zk.Stat.NumChildren != 2 {
		t.Fatalf("/zookeeper stat %+v", zk.Stat)
	}
	cfg, ok := tr.Get("/zookeeper/config")
	if !ok || cfg.Stat.Aversion != -1 || !reflect.DeepEqual(cfg.ACL, jute.ReadACLUnsafe()) || cfg.Data == nil || len(cfg.Data) != 0 {
		t.Fatalf("config %+v", cfg)
	}
	q, _ := tr.Get("/zookeeper/quota")
	if q.Stat != (jute.Stat{}) || !reflect.DeepEqual(q.ACL, jute.OpenACLUnsafe()) {
		t.Fatalf("quota %+v", q)
	}
	if got := tr.AllChildrenNumber("/"); got != 3 {
		t.Fatalf("AllChildrenNumber(/) = %d, want 3", got)
	}
	if got := tr.ApproximateDataSize(); got != 44 {
		t.Fatalf("ApproximateDataSize = %d, want 44", got)
	}
	if tr.Digest() != recomputeDigest(tr) || tr.Digest() == 0 {
		t.Fatalf("digest %d vs %d", tr.Digest(), recomputeDigest(tr))
	}
}

func TestDataTree_CreateStatAndCversion(t *testing.T) {
	tr := NewDataTree()
	r := mustOK(t, tr.Apply(createTxn(1, "/a", "hello", 1)))
	if len(r.Events) != 2 || r.Events[0] != (WatchEvent{jute.EventNodeCreated, "/a"}) || r.Events[1] != (WatchEvent{jute.EventNodeChildrenChanged, "/"}) {
		t.Fatalf("events %v", r.Events)
	}
	want := jute.Stat{Czxid: 1, Mzxid: 1, Ctime: 1001, Mtime: 1001, DataLength: 5, Pzxid: 1}
	if r.Stat != want {
		t.Fatalf("stat %+v want %+v", r.Stat, want)
	}
	mustOK(t, tr.Apply(createTxn(2, "/a/x", "", 1)))
	mustOK(t, tr.Apply(createTxn(3, "/a/y", "", 2)))
	mustOK(t, tr.Apply(mkTxn(4, 0x10, jute.OpDelete, &jute.DeleteTxn{Path: "/a/x"})))
	a, _ := tr.Get("/a")
	// C=2 creations, 1 child left: visible cversion 2*2-1 = 3 (two creates + one delete).
	if a.ChildCounter != 2 || a.Stat.Cversion != 3 || a.Stat.NumChildren != 1 || a.Stat.Pzxid != 4 {
		t.Fatalf("/a %+v counter %d", a.Stat, a.ChildCounter)
	}
	r = mustOK(t, tr.Apply(mkTxn(5, 0x10, jute.OpSetData, &jute.SetDataTxn{Path: "/a", Data: []byte("xy"), Version: 1})))
	if r.Stat.Version != 1 || r.Stat.Mzxid != 5 || r.Stat.Mtime != 1005 || r.Stat.Czxid != 1 || r.Stat.DataLength != 2 {
		t.Fatalf("setData stat %+v", r.Stat)
	}
	if len(r.Events) != 1 || r.Events[0] != (WatchEvent{jute.EventNodeDataChanged, "/a"}) {
		t.Fatalf("setData events %v", r.Events)
	}
	acl := []jute.ACL{{Perms: jute.PermRead, ID: jute.Id{Scheme: "digest", ID: "u:x"}}}
	r = mustOK(t, tr.Apply(mkTxn(6, 0x10, jute.OpSetACL, &jute.SetACLTxn{Path: "/a", ACL: acl, Version: 1})))
	if r.Stat.Aversion != 1 || r.Stat.Mzxid != 5 || len(r.Events) != 0 {
		t.Fatalf("setACL %+v %v", r.Stat, r.Events)
	}
	if v, _ := tr.Get("/a"); !reflect.DeepEqual(v.ACL, acl) {
		t.Fatalf("acl %v", v.ACL)
	}
	r = tr.Apply(mkTxn(7, 0x10, jute.OpDelete, &jute.DeleteTxn{Path: "/a/y"}))
	if r.Events[0] != (WatchEvent{jute.EventNodeDeleted, "/a/y"}) || r.Events[1] != (WatchEvent{jute.EventNodeChildrenChanged, "/a"}) {
		t.Fatalf("delete events %v", r.Events)
	}
	if tr.LastProcessedZxid() != 7 {
		t.Fatalf("lastProcessedZxid %x", tr.LastProcessedZxid())
	}
	if tr.Digest() != recomputeDigest(tr) {
		t.Fatal("incremental digest differs from recomputed")
	}
	if got := tr.ApproximateDataSize(); got != 44+2+2 {
		t.Fatalf("ApproximateDataSize = %d", got)
	}
}

func TestDataTree_Errors(t *testing.T) {
	tr := NewDataTree()
	mustOK(t, tr.Apply(createTxn(1, "/a", "", -1)))
	mustOK(t, tr.Apply(createTxn(2, "/a/b", "", -1)))
	cases := []struct {
		txn  *jute.Txn
		want jute.Err
	}{
		{createTxn(3, "/a", "", -1), jute.ErrNodeExists},
		{createTxn(3, "/nope/x", "", -1), jute.ErrNoNode},
		{createTxn(3, "/", "", -1), jute.ErrNodeExists},
		{createTxn(3, "bad", "", -1), jute.ErrNoNode},
		{mkTxn(3, 1, jute.OpDelete, &jute.DeleteTxn{Path: "/a"}), jute.ErrNotEmpty},
		{mkTxn(3, 1, jute.OpDelete, &jute.DeleteTxn{Path: "/"}), jute.ErrBadArguments},
		{mkTxn(3, 1, jute.OpDelete, &jute.DeleteTxn{Path: "/zz"}), jute.ErrNoNode},
		{mkTxn(3, 1, jute.OpSetData, &jute.SetDataTxn{Path: "/zz"}), jute.ErrNoNode},
		{mkTxn(3, 1, jute.OpSetData, &jute.DeleteTxn{Path: "/a"}), jute.ErrMarshallingError},
		{mkTxn(3, 1, jute.OpCreate, nil), jute.ErrMarshallingError},
		{mkTxn(3, 1, jute.Op(77), nil), jute.ErrMarshallingError},
		{mkTxn(3, 1, jute.OpError, &jute.ErrorTxn{Err: jute.ErrBadVersion}), jute.ErrBadVersion},
	}
	for i, c := range cases {
		if r := tr.Apply(c.txn); r.Err != c.want {
			t.Errorf("case %d (%v): err %v, want %v", i, c.txn.Hdr.Type, r.Err, c.want)
		}
	}
	if r := tr.Apply(nil); r.Err != jute.ErrMarshallingError {
		t.Errorf("nil txn: %v", r.Err)
	}
	if tr.NodeCount() != 7 {
		t.Fatalf("node count %d", tr.NodeCount())
	}
}

func TestDataTree_SequentialCounterSurvivesDeletes(t *testing.T) {
	tr := NewDataTree()
	mustOK(t, tr.Apply(createTxn(1, "/q", "", -1)))
	mustOK(t, tr.Apply(createTxn(2, "/q/a", "", -1)))
	mustOK(t, tr.Apply(mkTxn(3, 1, jute.OpDelete, &jute.DeleteTxn{Path: "/q/a"})))
	mustOK(t, tr.Apply(createTxn(4, "/q/b", "", -1)))
	q, _ := tr.Get("/q")
	if q.ChildCounter != 2 {
		t.Fatalf("counter %d, want 2 (creations, deletes do not lower it)", q.ChildCounter)
	}
	// A replayed create over a fuzzy snapshot (NodeExists) still raises cversion.
	r := tr.Apply(createTxn(5, "/q/b", "", 7))
	if r.Err != jute.ErrNodeExists {
		t.Fatalf("err %v", r.Err)
	}
	q, _ = tr.Get("/q")
	if q.ChildCounter != 7 || q.Persisted.Pzxid != 5 {
		t.Fatalf("after replayed create: counter %d pzxid %x", q.ChildCounter, q.Persisted.Pzxid)
	}
}

func TestDataTree_EphemeralsContainersTTL(t *testing.T) {
	tr := NewDataTree()
	const s1, s2 = int64(0x1000000aa), int64(0x1000000bb)
	mustOK(t, tr.Apply(mkTxn(1, s1, jute.OpCreateSession, &jute.CreateSessionTxn{TimeOut: 30000})))
	mustOK(t, tr.Apply(ephTxn(2, s1, "/e1")))
	mustOK(t, tr.Apply(ephTxn(3, s1, "/e2")))
	mustOK(t, tr.Apply(ephTxn(4, s2, "/f1")))
	r := mustOK(t, tr.Apply(mkTxn(5, 0x10, jute.OpCreateContainer, &jute.CreateContainerTxn{Path: "/c", ACL: jute.OpenACLUnsafe(), ParentCVersion: -1})))
	if r.Stat.EphemeralOwner != 0 {
		t.Fatalf("container owner visible: %x", r.Stat.EphemeralOwner)
	}
	r = mustOK(t, tr.Apply(mkTxn(6, 0x10, jute.OpCreateTTL, &jute.CreateTTLTxn{Path: "/t", ACL: jute.OpenACLUnsafe(), ParentCVersion: -1, TTL: 500})))
	if r.Stat.EphemeralOwner != 0 {
		t.Fatalf("ttl owner visible: %x", r.Stat.EphemeralOwner)
	}
	c, _ := tr.Get("/c")
	tt, _ := tr.Get("/t")
	e1, _ := tr.Get("/e1")
	if c.EphemeralOwner != -0x8000000000000000 || uint64(tt.EphemeralOwner) != 0xff000000000001f4 || e1.Stat.EphemeralOwner != s1 {
		t.Fatalf("owners %x %x %x", c.EphemeralOwner, tt.EphemeralOwner, e1.Stat.EphemeralOwner)
	}
	if got := tr.Ephemerals(s1); !reflect.DeepEqual(got, []string{"/e1", "/e2"}) {
		t.Fatalf("ephemerals %v", got)
	}
	if got := tr.EphemeralSessions(); len(got) != 2 || !reflect.DeepEqual(got[s2], []string{"/f1"}) {
		t.Fatalf("sessions %v", got)
	}
	// Reaper: the container never had a child, the TTL node is young.
	if got := tr.ContainerAndTTLCandidates(1006+100, 0); len(got) != 0 {
		t.Fatalf("candidates too early %v", got)
	}
	if got := tr.ContainerAndTTLCandidates(1006+501, 0); !reflect.DeepEqual(got, []string{"/t"}) {
		t.Fatalf("ttl candidates %v", got)
	}
	if got := tr.ContainerAndTTLCandidates(1006+501, 100); !reflect.DeepEqual(got, []string{"/c", "/t"}) {
		t.Fatalf("never-used candidates %v", got)
	}
	mustOK(t, tr.Apply(createTxn(7, "/c/x", "", -1)))
	mustOK(t, tr.Apply(mkTxn(8, 1, jute.OpDelete, &jute.DeleteTxn{Path: "/c/x"})))
	if got := tr.ContainerAndTTLCandidates(0, 0); !reflect.DeepEqual(got, []string{"/c"}) {
		t.Fatalf("used container candidates %v", got)
	}
	r = mustOK(t, tr.Apply(mkTxn(9, s1, jute.OpCloseSession, &jute.CloseSessionTxn{Paths2Delete: []string{"/e2"}})))
	want := []WatchEvent{{jute.EventNodeDeleted, "/e2"}, {jute.EventNodeChildrenChanged, "/"}, {jute.EventNodeDeleted, "/e1"}, {jute.EventNodeChildrenChanged, "/"}}
	if !reflect.DeepEqual(r.Events, want) {
		t.Fatalf("close events %v", r.Events)
	}
	if tr.Exists("/e1") || tr.Exists("/e2") || !tr.Exists("/f1") || len(tr.Ephemerals(s1)) != 0 {
		t.Fatal("closeSession did not delete exactly the session's ephemerals")
	}
	if tr.Digest() != recomputeDigest(tr) {
		t.Fatal("digest mismatch")
	}
}

func subTxn(typ jute.Op, r jute.Record) jute.SubTxn {
	return jute.SubTxn{Type: typ, Data: jute.Encode(r)}
}

func TestDataTree_Multi(t *testing.T) {
	tr := NewDataTree()
	mustOK(t, tr.Apply(createTxn(1, "/m", "", -1)))
	ok := &jute.MultiTxn{Txns: []jute.SubTxn{
		subTxn(jute.OpCreate, &jute.CreateTxn{Path: "/m/a", ACL: jute.OpenACLUnsafe(), ParentCVersion: 1}),
		subTxn(jute.OpSetData, &jute.SetDataTxn{Path: "/m", Data: []byte("d"), Version: 1}),
		subTxn(jute.OpCheck, &jute.CheckVersionTxn{Path: "/m", Version: 1}),
		subTxn(jute.OpDelete, &jute.DeleteTxn{Path: "/m/a"}),
	}}
	r := mustOK(t, tr.Apply(mkTxn(2, 1, jute.OpMulti, ok)))
	if len(r.Multi) != 4 || r.Multi[0].Path != "/m/a" || r.Multi[1].Stat.Version != 1 || r.Multi[3].Type != jute.OpDelete {
		t.Fatalf("multi results %+v", r.Multi)
	}
	if len(r.Events) != 5 || r.Events[2] != (WatchEvent{jute.EventNodeDataChanged, "/m"}) {
		t.Fatalf("multi events %v", r.Events)
	}
	before := tr.Digest()
	bad := &jute.MultiTxn{Txns: []jute.SubTxn{
		subTxn(jute.OpCreate, &jute.CreateTxn{Path: "/m/b", ACL: jute.OpenACLUnsafe(), ParentCVersion: 2}),
		subTxn(jute.OpError, &jute.ErrorTxn{Err: jute.ErrBadVersion}),
		subTxn(jute.OpDelete, &jute.DeleteTxn{Path: "/m"}),
	}}
	r = tr.Apply(mkTxn(3, 1, jute.OpMulti, bad))
	if r.Err != jute.ErrBadVersion || len(r.Events) != 0 {
		t.Fatalf("failed multi err %v events %v", r.Err, r.Events)
	}
	codes := []jute.Err{r.Multi[0].Err, r.Multi[1].Err, r.Multi[2].Err}
	if !reflect.DeepEqual(codes, []jute.Err{jute.ErrOK, jute.ErrBadVersion, jute.ErrRuntimeInconsistency}) {
		t.Fatalf("sub codes %v", codes)
	}
	if tr.Exists("/m/b") || !tr.Exists("/m") || tr.Digest() != before || tr.LastProcessedZxid() != 3 {
		t.Fatal("failed multi changed the tree")
	}
	garbled := &jute.MultiTxn{Txns: []jute.SubTxn{
		subTxn(jute.OpCreate, &jute.CreateTxn{Path: "/m/c", ACL: jute.OpenACLUnsafe(), ParentCVersion: -1}),
		{Type: jute.OpSetData, Data: []byte{0, 0}},
	}}
	if r := tr.Apply(mkTxn(4, 1, jute.OpMulti, garbled)); r.Err != jute.ErrMarshallingError || tr.Exists("/m/c") {
		t.Fatalf("garbled multi: %v", r.Err)
	}
}

func TestDataTree_SetConfigData(t *testing.T) {
	tr := NewDataTree()
	d0 := tr.Digest()
	tr.SetConfigData([]byte("server.1=127.0.0.1:2888:3888:participant\nversion=100000000"))
	v, _ := tr.Get(ConfigPath)
	if string(v.Data) != "server.1=127.0.0.1:2888:3888:participant\nversion=100000000" || v.Stat.Version != -1 {
		t.Fatalf("config %+v", v)
	}
	if tr.Digest() != d0 {
		t.Fatal("/zookeeper/ nodes must not change the digest")
	}
}
