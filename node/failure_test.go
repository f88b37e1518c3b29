package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/zkconfig"
	"github.com/zkctl/zkctl/store"
)

// memDB is an in-memory Database whose Commit can be made to fail, as a
// full disk would.
type memDB struct {
	tree    *store.DataTree
	mu      sync.Mutex
	fail    error
	last    int64
	delay   time.Duration // simulated fsync time
	commits int
	appends int
}

func (m *memDB) Tree() *store.DataTree     { return m.tree }
func (m *memDB) Sessions() map[int64]int32 { return nil }
func (m *memDB) Append(txn *jute.Txn) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last = txn.Hdr.Zxid
	m.appends++
	return nil
}
func (m *memDB) Commit() error {
	m.mu.Lock()
	d := m.delay
	m.mu.Unlock()
	time.Sleep(d)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.commits++
	return m.fail
}
func (m *memDB) Apply(txn *jute.Txn) store.Result { return m.tree.Apply(txn) }
func (m *memDB) LastLoggedZxid() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}
func (m *memDB) Close() error { return nil }

func inProcessConfig(t *testing.T) *zkconfig.Config {
	cfg := zkconfig.Default(t.TempDir())
	cfg.TickTime = 200
	cfg.ClientPortAddress = "127.0.0.1"
	cfg.AdminEnableServer = false
	return cfg
}

func startInProcess(t *testing.T, db Database) *Server {
	t.Helper()
	cfg := inProcessConfig(t)
	s, err := NewServer(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.openDB = func() (Database, error) { return db, nil }
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

func TestServer_CommitFailureAcknowledgesNothing(t *testing.T) {
	db := &memDB{tree: store.NewDataTree()}
	s := startInProcess(t, db)
	c, _ := connect(t, s.ClientAddr().String(), 4*time.Second)
	if _, err := c.Create("/before", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	db.mu.Lock()
	db.fail = syscall.ENOSPC
	db.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		_, err := c.Create("/after", nil, 0, zk.WorldACL(zk.PermAll))
		done <- err
	}()
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("server did not fail after a commit error")
	}
	if !errors.Is(s.Err(), syscall.ENOSPC) {
		t.Errorf("Err() = %v, want ENOSPC wrapped", s.Err())
	}
	c.Close()
	if err := <-done; err == nil {
		t.Error("a write was acknowledged although its commit failed")
	}
	if _, ok := db.tree.Get("/after"); ok {
		t.Error("an uncommitted write was applied")
	}
	if _, ok := db.tree.Get("/before"); !ok {
		t.Error("the committed write is missing")
	}
}

func TestServer_ReaperAndConnectionLimit(t *testing.T) {
	p := startServer(t, "", "znode.container.checkIntervalMs=100", "maxClientCnxns=3")
	c, _ := connect(t, p.addr, 4*time.Second)
	if _, err := c.CreateContainer("/box", nil, zk.FlagTTL&0|4, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create("/box/item", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTTL("/ttl", nil, zk.FlagTTL, zk.WorldACL(zk.PermAll), 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("/box/item", -1); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		box, _, _ := c.Exists("/box")
		ttl, _, _ := c.Exists("/ttl")
		if !box && !ttl {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reaper left container=%v ttl=%v", box, ttl)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// One connection is open (c); two more fit, the fourth is refused.
	a := dialRaw(t, p.addr)
	a.handshake(0, nil, 4000)
	b := dialRaw(t, p.addr)
	b.handshake(0, nil, 4000)
	extra := dialRaw(t, p.addr)
	expectClosed(t, extra.c)
}

func TestServer_SetWatchesCatchesUp(t *testing.T) {
	p := startServer(t, "")
	c, _ := connect(t, p.addr, 4*time.Second)
	if _, err := c.Create("/sw", []byte("a"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	_, st, _ := c.Get("/sw")
	if _, err := c.Set("/sw", []byte("b"), -1); err != nil {
		t.Fatal(err)
	}
	r := dialRaw(t, p.addr)
	r.handshake(0, nil, 4000)
	h, _ := r.call(jute.OpSetWatches, &jute.SetWatches{RelativeZxid: st.Mzxid,
		DataWatches: []string{"/sw", "/gone"}, ExistWatches: []string{"/sw", "/later"}, ChildWatches: []string{"/"}})
	if h.Err != jute.ErrOK {
		t.Fatal(h.Err)
	}
	if _, err := c.Create("/later", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	r.call(jute.OpPing, nil)
	var got []string
	for _, e := range r.evts {
		got = append(got, e.Path+":"+map[int32]string{1: "created", 2: "deleted", 3: "changed", 4: "children"}[e.Type])
	}
	// Missed changes are notified at once; /later's exist watch and the
	// root child watch fire on the later create.
	want := "[/sw:changed /gone:deleted /sw:created /later:created /:children]"
	if s := fmtList(got); s != want {
		t.Errorf("events %s, want %s", s, want)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

func TestServer_GroupCommitSharesFsyncs(t *testing.T) {
	db := &memDB{tree: store.NewDataTree(), delay: 3 * time.Millisecond}
	s := startInProcess(t, db)
	c, _ := connect(t, s.ClientAddr().String(), 4*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := c.Create(fmt.Sprintf("/g%d-%d", w, i), nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	// 400 creates + createSession; with 8 writers in flight, fsyncs are shared.
	if db.appends < 401 || db.commits*2 > db.appends {
		t.Errorf("%d txns took %d fsyncs; group commit should share them", db.appends, db.commits)
	}
	t.Logf("%d txns, %d fsyncs", db.appends, db.commits)
}
