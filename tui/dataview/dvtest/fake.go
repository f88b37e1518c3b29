// Package dvtest is an in-memory ZooKeeper client for the data view's
// tests: a tree with Stats, ACLs and one-shot watches, so Update and View
// can be driven without a server.
package dvtest

import (
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// Fake is an in-memory tree that satisfies dataview.Client.
type Fake struct {
	mu      sync.Mutex
	nodes   map[string]*fnode
	watches map[string][]chan zk.Event
	zxid    int64
	// Session is the id SessionID returns.
	Session int64
	// Now stamps ctime and mtime.
	Now time.Time
}

type fnode struct {
	data []byte
	stat zk.Stat
	acl  []zk.ACL
}

// New returns a tree holding / and /zookeeper.
func New(now time.Time) *Fake {
	f := &Fake{nodes: map[string]*fnode{}, watches: map[string][]chan zk.Event{}, Session: 0x100000abc, Now: now}
	f.nodes["/"] = &fnode{acl: zk.WorldACL(zk.PermAll)}
	f.nodes["/zookeeper"] = &fnode{acl: zk.WorldACL(zk.PermAll)}
	return f
}

// Put creates or overwrites p (and missing parents) with data; owner
// non-zero makes it ephemeral.
func (f *Fake) Put(p string, data string, owner int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d := path.Dir(p); f.nodes[d] == nil {
		f.mu.Unlock()
		f.Put(d, "", 0)
		f.mu.Lock()
	}
	f.zxid++
	n := f.nodes[p]
	if n == nil {
		n = &fnode{acl: zk.WorldACL(zk.PermAll)}
		n.stat.Czxid, n.stat.Ctime = f.zxid, f.Now.UnixMilli()
		f.nodes[p] = n
	} else {
		n.stat.Version++
	}
	n.data = []byte(data)
	n.stat.Mzxid, n.stat.Mtime, n.stat.EphemeralOwner = f.zxid, f.Now.UnixMilli(), owner
	f.refresh()
}

// Lock gives p an ACL that only user u may read.
func (f *Fake) Lock(p, u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nodes[p].acl = zk.DigestACL(zk.PermAll, u, "pw")
}

func (f *Fake) refresh() {
	for p, n := range f.nodes {
		n.stat.NumChildren = int32(len(f.kids(p)))
		n.stat.DataLength = int32(len(n.data))
	}
}

func (f *Fake) kids(p string) []string {
	var out []string
	for q := range f.nodes {
		if q != "/" && path.Dir(q) == p {
			out = append(out, path.Base(q))
		}
	}
	sort.Strings(out)
	return out
}

func (f *Fake) watch(key string) <-chan zk.Event {
	ch := make(chan zk.Event, 1)
	f.watches[key] = append(f.watches[key], ch)
	return ch
}

func (f *Fake) fire(key string, ev zk.Event) {
	for _, ch := range f.watches[key] {
		ch <- ev
	}
	delete(f.watches, key)
}

func (f *Fake) get(p string) (*fnode, error) {
	n := f.nodes[p]
	if n == nil {
		return nil, zk.ErrNoNode
	}
	if n.acl[0].Scheme == "digest" {
		return n, zk.ErrNoAuth
	}
	return n, nil
}

// Children implements dataview.Client.
func (f *Fake) Children(p string) ([]string, *zk.Stat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.get(p)
	if err != nil {
		return nil, nil, err
	}
	st := n.stat
	return f.kids(p), &st, nil
}

// ChildrenW implements dataview.Client.
func (f *Fake) ChildrenW(p string) ([]string, *zk.Stat, <-chan zk.Event, error) {
	k, st, err := f.Children(p)
	if err != nil {
		return nil, nil, nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return k, st, f.watch("c" + p), nil
}

// Get implements dataview.Client.
func (f *Fake) Get(p string) ([]byte, *zk.Stat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.get(p)
	if err != nil {
		return nil, nil, err
	}
	st := n.stat
	return n.data, &st, nil
}

// GetW implements dataview.Client.
func (f *Fake) GetW(p string) ([]byte, *zk.Stat, <-chan zk.Event, error) {
	d, st, err := f.Get(p)
	if err != nil {
		return nil, nil, nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return d, st, f.watch("d" + p), nil
}

// Exists implements dataview.Client (no ACL check, as ZooKeeper).
func (f *Fake) Exists(p string) (bool, *zk.Stat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.nodes[p]
	if n == nil {
		return false, nil, nil
	}
	st := n.stat
	return true, &st, nil
}

// ExistsW implements dataview.Client.
func (f *Fake) ExistsW(p string) (bool, *zk.Stat, <-chan zk.Event, error) {
	ok, st, err := f.Exists(p)
	f.mu.Lock()
	defer f.mu.Unlock()
	return ok, st, f.watch("d" + p), err
}

// GetACL implements dataview.Client.
func (f *Fake) GetACL(p string) ([]zk.ACL, *zk.Stat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.nodes[p]
	if n == nil {
		return nil, nil, zk.ErrNoNode
	}
	st := n.stat
	return n.acl, &st, nil
}

// Create implements chaos.DataConn (persistent and ephemeral only).
func (f *Fake) Create(p string, data []byte, flags int32, _ []zk.ACL) (string, error) {
	f.mu.Lock()
	if f.nodes[p] != nil {
		f.mu.Unlock()
		return "", zk.ErrNodeExists
	}
	if f.nodes[path.Dir(p)] == nil {
		f.mu.Unlock()
		return "", zk.ErrNoNode
	}
	f.mu.Unlock()
	var owner int64
	if flags&zk.FlagEphemeral != 0 {
		owner = f.Session
	}
	f.Put(p, string(data), owner)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fire("d"+p, zk.Event{Type: zk.EventNodeCreated, Path: p})
	f.fire("c"+path.Dir(p), zk.Event{Type: zk.EventNodeChildrenChanged, Path: path.Dir(p)})
	return p, nil
}

// CreateContainer implements chaos.DataConn.
func (f *Fake) CreateContainer(p string, data []byte, _ int32, acl []zk.ACL) (string, error) {
	return f.Create(p, data, 0, acl)
}

// CreateTTL implements chaos.DataConn.
func (f *Fake) CreateTTL(p string, data []byte, _ int32, acl []zk.ACL, _ time.Duration) (string, error) {
	return f.Create(p, data, 0, acl)
}

// Set implements chaos.DataConn and fires the data watch.
func (f *Fake) Set(p string, data []byte, version int32) (*zk.Stat, error) {
	f.mu.Lock()
	n := f.nodes[p]
	if n == nil {
		f.mu.Unlock()
		return nil, zk.ErrNoNode
	}
	if version >= 0 && version != n.stat.Version {
		f.mu.Unlock()
		return nil, zk.ErrBadVersion
	}
	f.mu.Unlock()
	f.Put(p, string(data), n.stat.EphemeralOwner)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fire("d"+p, zk.Event{Type: zk.EventNodeDataChanged, Path: p})
	st := n.stat
	return &st, nil
}

// Delete implements chaos.DataConn and fires the watches.
func (f *Fake) Delete(p string, _ int32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.nodes[p] == nil {
		return zk.ErrNoNode
	}
	if len(f.kids(p)) > 0 {
		return zk.ErrNotEmpty
	}
	delete(f.nodes, p)
	f.refresh()
	f.fire("d"+p, zk.Event{Type: zk.EventNodeDeleted, Path: p})
	f.fire("c"+path.Dir(p), zk.Event{Type: zk.EventNodeChildrenChanged, Path: path.Dir(p)})
	return nil
}

// Sync implements chaos.DataConn.
func (f *Fake) Sync(p string) (string, error) { return p, nil }

// AddAuth implements dataview.Client.
func (f *Fake) AddAuth(string, []byte) error { return nil }

// SessionID implements dataview.Client.
func (f *Fake) SessionID() int64 { return f.Session }

// Close implements dataview.Client.
func (f *Fake) Close() {}

// Dialer returns a dataview.Dialer-shaped function serving f for every
// address, with a session event already delivered.
func (f *Fake) Dialer() func(addr string, timeout time.Duration) (*Fake, <-chan zk.Event, error) {
	return func(string, time.Duration) (*Fake, <-chan zk.Event, error) {
		ev := make(chan zk.Event, 1)
		ev <- zk.Event{Type: zk.EventSession, State: zk.StateHasSession}
		return f, ev, nil
	}
}

// Paths lists every path, for assertions.
func (f *Fake) Paths() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for p := range f.nodes {
		out = append(out, p)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// SetACL implements chaos.DataConn.
func (f *Fake) SetACL(p string, acl []zk.ACL, _ int32) (*zk.Stat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.nodes[p]
	if n == nil {
		return nil, zk.ErrNoNode
	}
	n.acl = acl
	n.stat.Aversion++
	st := n.stat
	return &st, nil
}
