package store

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/jute"
)

// freePort returns a currently free TCP port on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects a child's output; safe to read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// connectZK connects go-zookeeper and waits for the session, bounded in time.
func connectZK(t *testing.T, addr string) *zk.Conn {
	t.Helper()
	c, events, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogger(quietLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return c
			}
		case <-deadline:
			c.Close()
			t.Fatalf("no session with %s within 30s", addr)
		}
	}
}

// apacheView is what a client of Apache ZooKeeper saw for one node.
type apacheView struct {
	data []byte
	stat zk.Stat
	acl  []zk.ACL
}

// walkZK reads every node below "/" (except /zookeeper) through the client.
func walkZK(t *testing.T, c *zk.Conn, path string, out map[string]apacheView) {
	t.Helper()
	data, st, err := c.Get(path)
	if err != nil {
		t.Fatalf("get %s: %v", path, err)
	}
	acl, _, err := c.GetACL(path)
	if err != nil {
		t.Fatalf("getACL %s: %v", path, err)
	}
	out[path] = apacheView{data, *st, acl}
	kids, _, err := c.Children(path)
	if err != nil {
		t.Fatalf("children %s: %v", path, err)
	}
	sort.Strings(kids)
	for _, k := range kids {
		child := path + "/" + k
		if path == "/" {
			child = "/" + k
		}
		if child == "/zookeeper" {
			continue
		}
		walkZK(t, c, child, out)
	}
}

// TestOracle_OpenApacheDataDir lets Apache ZooKeeper 3.8 write a data dir
// (log, its own fuzzy snapshots with digests), kills it with SIGKILL and
// checks that Open rebuilds exactly the tree clients saw.
func TestOracle_OpenApacheDataDir(t *testing.T) {
	cp := oracleClasspath(t)
	dataDir := t.TempDir()
	port := freePort(t)
	cmd := exec.Command("java", "-cp", cp,
		"-Dzookeeper.admin.enableServer=false", "-Dzookeeper.snapCount=20",
		"-Dzookeeper.extendedTypesEnabled=true", "-Dzookeeper.preAllocSize=64",
		"-Dzookeeper.4lw.commands.whitelist=*",
		"org.apache.zookeeper.server.ZooKeeperServerMain", fmt.Sprint(port), dataDir)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Apache ZooKeeper: %v", err)
	}
	pid := cmd.Process.Pid
	killed := false
	kill := func() {
		if !killed {
			killed = true
			cmd.Process.Kill() // only the process this test started
			cmd.Wait()
		}
	}
	t.Cleanup(kill)
	addr := fmt.Sprintf("127.0.0.1:%d", port)

	a := connectZK(t, addr)
	acl := zk.WorldACL(zk.PermAll)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("pid %d: %v\n%s", pid, err, out.String())
		}
	}
	_, err := a.Create("/app", []byte("top"), 0, acl)
	must(err)
	for i := 0; i < 30; i++ {
		_, err = a.Create(fmt.Sprintf("/app/n%02d", i), []byte(fmt.Sprint(i)), 0, acl)
		must(err)
	}
	for i := 0; i < 10; i++ {
		_, err = a.Set("/app/n03", []byte(fmt.Sprint("v", i)), -1)
		must(err)
	}
	_, err = a.Create("/app/seq-", nil, zk.FlagSequence, acl)
	must(err)
	_, err = a.Create("/app/eph", []byte("gone with a"), zk.FlagEphemeral, acl)
	must(err)
	_, err = a.CreateContainer("/cont", nil, zk.FlagContainer, acl)
	must(err)
	_, err = a.Create("/cont/child", nil, 0, acl)
	must(err)
	_, err = a.CreateTTL("/ttl", []byte("t"), zk.FlagTTL, acl, time.Hour)
	must(err)
	_, err = a.SetACL("/ttl", append(zk.WorldACL(zk.PermRead), zk.DigestACL(zk.PermAll, "bob", "secret")...), -1)
	must(err)
	must(a.Delete("/app/n07", -1))
	_, err = a.Multi(
		&zk.CreateRequest{Path: "/app/m1", Data: []byte("m"), Acl: acl},
		&zk.SetDataRequest{Path: "/app", Data: []byte("top2"), Version: -1},
		&zk.DeleteRequest{Path: "/app/n08", Version: -1},
	)
	must(err)
	// A failing multi logs an error txn and changes nothing.
	if _, err := a.Multi(&zk.CreateRequest{Path: "/app/m2", Acl: acl}, &zk.DeleteRequest{Path: "/nope", Version: -1}); err == nil {
		t.Fatal("failing multi succeeded")
	}
	if _, err := a.Create("/app", nil, 0, acl); err == nil {
		t.Fatal("duplicate create succeeded")
	}
	a.Close() // closeSession deletes /app/eph

	b := connectZK(t, addr)
	_, err = b.Create("/b-eph", []byte("alive"), zk.FlagEphemeral, acl)
	must(err)
	bSession := b.SessionID()
	seen := map[string]apacheView{}
	walkZK(t, b, "/", seen)
	kill() // SIGKILL with b's session still open
	b.Close()

	db := openT(t, testOpts(dataDir))
	defer db.Close()
	tr := db.Tree()
	var ours []string
	for _, p := range tr.Paths() {
		if p != "/zookeeper" && !strings.HasPrefix(p, "/zookeeper/") {
			ours = append(ours, p)
		}
	}
	var theirs []string
	for p := range seen {
		theirs = append(theirs, p)
	}
	sort.Strings(theirs)
	if !reflect.DeepEqual(ours, theirs) {
		t.Fatalf("paths differ:\nours   %v\ntheirs %v", ours, theirs)
	}
	for p, v := range seen {
		got, _ := tr.Get(p)
		s := v.stat
		want := jute.Stat{Czxid: s.Czxid, Mzxid: s.Mzxid, Ctime: s.Ctime, Mtime: s.Mtime, Version: s.Version,
			Cversion: s.Cversion, Aversion: s.Aversion, EphemeralOwner: s.EphemeralOwner,
			DataLength: s.DataLength, NumChildren: s.NumChildren, Pzxid: s.Pzxid}
		if got.Stat != want {
			t.Errorf("%s: stat\nours   %+v\ntheirs %+v", p, got.Stat, want)
		}
		if string(got.Data) != string(v.data) {
			t.Errorf("%s: data %q vs %q", p, got.Data, v.data)
		}
		var wantACL []jute.ACL
		for _, x := range v.acl {
			wantACL = append(wantACL, jute.ACL{Perms: x.Perms, ID: jute.Id{Scheme: x.Scheme, ID: x.ID}})
		}
		for i := range got.ACL { // without ADMIN, getACL masks digest ids to user:x
			if got.ACL[i].ID.Scheme == "digest" {
				got.ACL[i].ID.ID = strings.SplitN(got.ACL[i].ID.ID, ":", 2)[0] + ":x"
			}
		}
		if !reflect.DeepEqual(got.ACL, wantACL) {
			t.Errorf("%s: acl %v vs %v", p, got.ACL, wantACL)
		}
	}
	if !tr.Exists("/b-eph") || tr.Exists("/app/eph") {
		t.Error("ephemerals after restore are wrong")
	}
	if to, ok := db.Sessions()[bSession]; !ok || to <= 0 {
		t.Errorf("session %#x missing from %v", bSession, db.Sessions())
	}
	// Apache wrote a TxnDigest after each txn: our tree digest must equal
	// the digest logged with the last txn.
	it, err := db.LogIterator(0)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var last []byte
	n := 0
	for {
		p, _, ok, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		last, n = p, n+1
	}
	txn, err := jute.DecodeTxn(last)
	if err != nil {
		t.Fatal(err)
	}
	if txn.Digest == nil || txn.Digest.TreeDigest != tr.Digest() {
		t.Errorf("tree digest %d, Apache logged %+v after the last of %d txns", tr.Digest(), txn.Digest, n)
	}
	// Replay compared every logged TxnDigest (and the snapshot's digest)
	// with our tree after the txn, as 3.8's compareDigest does.
	if m := tr.DigestMismatches(); m != 0 {
		t.Errorf("%d digest mismatches replaying Apache's data dir", m)
	}
	snaps, _ := listFiles(filepath.Join(dataDir, "version-2"), snapPrefix)
	if len(snaps) < 2 {
		t.Logf("Apache wrote only %d snapshots", len(snaps))
	}
}

// TestOracle_ApacheServesOurDataDir writes a data dir with our code (log,
// a snapshot in the middle, more log) and starts Apache ZooKeeper 3.8 on it:
// it must start, report no digest mismatch, and serve the same tree.
func TestOracle_ApacheServesOurDataDir(t *testing.T) {
	cp := strings.Replace(oracleClasspath(t), "slf4j-nop.jar", "slf4j-simple.jar", 1)
	dataDir := t.TempDir()
	db := openT(t, testOpts(dataDir))
	txns := richWorkload()
	shadow := NewDataTree()
	for _, x := range txns {
		shadow.Apply(x)
		x.Digest = &jute.TxnDigest{Version: DigestVersion, TreeDigest: shadow.Digest()}
	}
	logAndApply(t, db, txns[:5]...)
	if err := db.RollLog(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TakeSnapshot(false); err != nil {
		t.Fatal(err)
	}
	logAndApply(t, db, txns[5:]...)
	want := treeState(db.Tree())
	db.Close()

	port := freePort(t)
	cmd := exec.Command("java", "-cp", cp, "-Dzookeeper.admin.enableServer=false",
		"-Dzookeeper.extendedTypesEnabled=true",
		"org.apache.zookeeper.server.ZooKeeperServerMain", fmt.Sprint(port), dataDir)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Apache ZooKeeper: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) // only the process this test started
	c := connectZK(t, fmt.Sprintf("127.0.0.1:%d", port))
	defer c.Close()
	seen := map[string]apacheView{}
	walkZK(t, c, "/", seen)
	for p, v := range want {
		if p == "/zookeeper" || strings.HasPrefix(p, "/zookeeper/") {
			continue
		}
		got, ok := seen[p]
		if !ok {
			t.Errorf("Apache lacks %s", p)
			continue
		}
		s := got.stat
		st := jute.Stat{Czxid: s.Czxid, Mzxid: s.Mzxid, Ctime: s.Ctime, Mtime: s.Mtime, Version: s.Version,
			Cversion: s.Cversion, Aversion: s.Aversion, EphemeralOwner: s.EphemeralOwner,
			DataLength: s.DataLength, NumChildren: s.NumChildren, Pzxid: s.Pzxid}
		if st != v.Stat || string(got.data) != string(v.Data) {
			t.Errorf("%s: Apache serves %+v %q, we have %+v %q", p, st, got.data, v.Stat, v.Data)
		}
	}
	if len(seen) != len(want)-3 {
		t.Errorf("Apache serves %d nodes, we have %d", len(seen), len(want)-3)
	}
	if !strings.Contains(out.String(), "Snapshot loaded") && !strings.Contains(out.String(), "Reading snapshot") {
		t.Logf("Apache output lacks its snapshot-loading lines:\n%s", out.String())
	}
	if strings.Contains(strings.ToLower(out.String()), "digests are not matching") || strings.Contains(out.String(), "Digest mismatch") {
		t.Errorf("Apache reports a digest mismatch:\n%s", out.String())
	}
}
