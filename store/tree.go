package store

import (
	"sort"
	"strings"
	"sync"

	"github.com/zkctl/zkctl/jute"
)

// Paths of the built-in nodes.
const (
	RootPath   = "/"
	ProcPath   = "/zookeeper"
	QuotaPath  = "/zookeeper/quota"
	ConfigPath = "/zookeeper/config"
)

// node is one znode. Data slices are never modified in place, so readers may
// share them after the lock is released.
type node struct {
	data     []byte // nil = null
	acl      int64  // reference into the ACL cache
	stat     jute.StatPersisted
	children map[string]struct{}
	digest   int64 // cached nodeDigest, part of the tree digest
}

// DataTree is the in-memory znode tree. It is safe for one writer (Apply,
// SetConfigData) and concurrent readers.
type DataTree struct {
	mu       sync.RWMutex
	nodes    map[string]*node // keyed by path, root is "/"
	acls     *aclCache
	ephems   map[int64]map[string]struct{} // session -> paths
	conts    map[string]struct{}           // container paths
	ttls     map[string]struct{}           // TTL node paths
	digest   int64                         // wrapping sum of node digests
	dataSize int64                         // sum of len(path)+len(data), "" and "/" both counted
	quotas   map[string]struct{}           // quota roots (3.8's PathTrie), see quota.go

	lastZxid int64 // lastProcessedZxid; raised only after a whole txn
	// digestZxid/digestAt is the (zxid, tree digest) pair after the last whole txn.
	digestZxid int64
	digestAt   int64
	dg         digestState // digest.enabled, history, pending snapshot digest (digestlog.go)
}

// NewDataTree returns a tree holding "/", "/zookeeper", "/zookeeper/quota" and
// "/zookeeper/config" exactly as a fresh 3.8 server has them.
func NewDataTree() *DataTree {
	t := newEmptyTree()
	t.putNode("/", &node{data: []byte{}, acl: openACLRef})
	t.putNode(ProcPath, &node{data: []byte{}, acl: openACLRef})
	t.putNode(QuotaPath, &node{data: []byte{}, acl: openACLRef})
	cfg := &node{data: []byte{}}
	cfg.acl = t.acls.convert(jute.ReadACLUnsafe())
	cfg.stat.Aversion = -1
	t.putNode(ConfigPath, cfg)
	return t
}

func newEmptyTree() *DataTree {
	return &DataTree{
		nodes:  map[string]*node{},
		acls:   newACLCache(),
		ephems: map[int64]map[string]struct{}{},
		conts:  map[string]struct{}{},
		ttls:   map[string]struct{}{},
	}
}

// parentOf splits a path into parent and last component; ok is false for
// the root and for paths that cannot name a node.
func parentOf(path string) (parent, child string, ok bool) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 || path == "/" || !strings.HasPrefix(path, "/") {
		return "", "", false
	}
	if i == 0 {
		return "/", path[1:], true
	}
	return path[:i], path[i+1:], true
}

// putNode links n under its parent (which must exist, except for the root)
// and registers it in every index. The caller holds the write lock.
func (t *DataTree) putNode(path string, n *node) {
	if n.children == nil {
		n.children = map[string]struct{}{}
	}
	if p, c, ok := parentOf(path); ok {
		if pn := t.nodes[p]; pn != nil {
			pn.children[c] = struct{}{}
		}
	}
	t.nodes[path] = n
	n.digest = t.nodeDigestOf(path, n)
	t.digest += n.digest
	t.dataSize += nodeSize(path, n.data)
	switch KindOf(n.stat.EphemeralOwner) {
	case KindContainer:
		t.conts[path] = struct{}{}
	case KindTTL:
		t.ttls[path] = struct{}{}
	case KindEphemeral:
		s := t.ephems[n.stat.EphemeralOwner]
		if s == nil {
			s = map[string]struct{}{}
			t.ephems[n.stat.EphemeralOwner] = s
		}
		s[path] = struct{}{}
	}
}

// nodeSize is a node's share of ApproximateDataSize; the root also counts
// under its "" alias.
func nodeSize(path string, data []byte) int64 {
	if path == "/" {
		return 1 + 2*int64(len(data))
	}
	return int64(len(path) + len(data))
}

// preChange removes a node's digest before it is modified.
func (t *DataTree) preChange(n *node) { t.digest -= n.digest }

// postChange recomputes a node's digest after it was modified.
func (t *DataTree) postChange(path string, n *node) {
	n.digest = t.nodeDigestOf(path, n)
	t.digest += n.digest
}

// NodeView is a reader's copy of one znode.
type NodeView struct {
	// Data is the node's data; nil means null.
	Data []byte
	// ACL is the node's ACL list.
	ACL []jute.ACL
	// Stat is what a client sees: dataLength, numChildren, visible cversion
	// (2C - numChildren) and ephemeralOwner 0 for containers and TTL nodes.
	Stat jute.Stat
	// Children are the child names, sorted.
	Children []string
	// Persisted is the stat as stored (internal cversion, raw owner).
	Persisted jute.StatPersisted
	// EphemeralOwner is the raw ephemeralOwner (container/TTL encodings included).
	EphemeralOwner int64
	// ChildCounter is the internal cversion C: the number of child creations,
	// which is also the sequential-name counter.
	ChildCounter int32
}

// clientStat builds the Stat clients see (3.8 DataNode.copyStat).
func clientStat(n *node) jute.Stat {
	st := n.stat
	nc := int32(len(n.children))
	return jute.Stat{
		Czxid: st.Czxid, Mzxid: st.Mzxid, Ctime: st.Ctime, Mtime: st.Mtime,
		Version: st.Version, Cversion: st.Cversion*2 - nc, Aversion: st.Aversion,
		EphemeralOwner: ClientEphemeralOwner(st.EphemeralOwner),
		DataLength:     int32(len(n.data)), NumChildren: nc, Pzxid: st.Pzxid,
	}
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Get returns a copy of the node at path, its sorted children included.
func (t *DataTree) Get(path string) (NodeView, bool) {
	return t.view(path, true)
}

// Lookup is Get without the children list (Children is nil), which costs
// O(children log children) to build: for callers that need only the stat,
// ACL or data, such as the checks before a create under a large parent.
func (t *DataTree) Lookup(path string) (NodeView, bool) {
	return t.view(path, false)
}

func (t *DataTree) view(path string, withChildren bool) (NodeView, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := t.nodes[path]
	if n == nil {
		return NodeView{}, false
	}
	v := NodeView{
		Stat:           clientStat(n),
		Persisted:      n.stat,
		EphemeralOwner: n.stat.EphemeralOwner,
		ChildCounter:   n.stat.Cversion,
	}
	if withChildren {
		v.Children = sortedKeys(n.children)
	}
	if n.data != nil {
		v.Data = append([]byte{}, n.data...)
	}
	v.ACL = append([]jute.ACL(nil), t.acls.lookup(n.acl)...)
	return v, true
}

// Exists reports whether a node exists at path.
func (t *DataTree) Exists(path string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.nodes[path] != nil
}

// Stat returns the client Stat of the node at path.
func (t *DataTree) Stat(path string) (jute.Stat, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := t.nodes[path]
	if n == nil {
		return jute.Stat{}, false
	}
	return clientStat(n), true
}

// LastProcessedZxid returns the zxid of the last whole txn applied.
func (t *DataTree) LastProcessedZxid() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.lastZxid
}

// SetLastProcessedZxid sets lastProcessedZxid (a new leader sets it to
// newEpoch<<32; a SNAP load sets it from the packet).
func (t *DataTree) SetLastProcessedZxid(zxid int64) {
	t.mu.Lock()
	t.lastZxid = zxid
	t.mu.Unlock()
}

// NodeCount returns the node count as 3.8 reports it: "/" counts twice
// because the root is also stored under "", so a fresh tree reports 5.
func (t *DataTree) NodeCount() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.nodes) + 1
}

// Ephemerals returns the sorted paths of the ephemerals owned by session.
func (t *DataTree) Ephemerals(session int64) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return sortedKeys(t.ephems[session])
}

// EphemeralSessions returns every session owning ephemerals with its sorted paths.
func (t *DataTree) EphemeralSessions() map[int64][]string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[int64][]string, len(t.ephems))
	for s, m := range t.ephems {
		if len(m) > 0 {
			out[s] = sortedKeys(m)
		}
	}
	return out
}

// AllChildrenNumber counts every descendant of path (for "/" that is the
// node count minus 2, as 3.8 answers getAllChildrenNumber).
func (t *DataTree) AllChildrenNumber(path string) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if path == "/" {
		return len(t.nodes) - 1
	}
	n := t.nodes[path]
	if n == nil {
		return 0
	}
	var count func(p string, n *node) int
	count = func(p string, n *node) int {
		c := 0
		for name := range n.children {
			cp := p + "/" + name
			if cn := t.nodes[cp]; cn != nil {
				c += 1 + count(cp, cn)
			}
		}
		return c
	}
	return count(path, n)
}

// Digest returns the tree digest (docs/quorum-reference.md §7.4): the wrapping sum of node digests.
func (t *DataTree) Digest() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.digest
}

// ContainerAndTTLCandidates lists the nodes the container reaper should
// delete now (3.8 ContainerManager.getCandidates): childless containers that
// ever had a child, or (maxNeverUsedMs > 0) were last modified longer ago than
// that; childless TTL nodes whose mtime is older than their TTL. Sorted.
func (t *DataTree) ContainerAndTTLCandidates(nowMs int64, maxNeverUsedMs int64) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []string
	for p := range t.conts {
		n := t.nodes[p]
		if n == nil || len(n.children) > 0 {
			continue
		}
		if n.stat.Cversion > 0 || (maxNeverUsedMs != 0 && nowMs-n.stat.Mtime > maxNeverUsedMs) {
			out = append(out, p)
		}
	}
	for p := range t.ttls {
		n := t.nodes[p]
		if n == nil || len(n.children) > 0 {
			continue
		}
		if ttl := TTLOf(n.stat.EphemeralOwner); ttl != 0 && nowMs-n.stat.Mtime > ttl {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// SetConfigData replaces the data of /zookeeper/config (the quorum
// membership text), as 3.8's initConfigInZKDatabase does: version -1.
func (t *DataTree) SetConfigData(data []byte) {
	t.SetConfig(data, -1, -1)
}

// SetConfig replaces /zookeeper/config's data and, when configVersion >= 0
// and timeMs >= 0, sets its mzxid to the config version and mtime to timeMs
// (3.8 initConfigInZKDatabase). The node is recreated if missing.
func (t *DataTree) SetConfig(data []byte, configVersion, timeMs int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.nodes[ConfigPath]
	if n == nil {
		n = &node{data: []byte{}, acl: t.acls.convert(jute.ReadACLUnsafe())}
		n.stat.Aversion = -1
		t.putNode(ConfigPath, n)
	}
	t.preChange(n)
	t.dataSize += nodeSize(ConfigPath, data) - nodeSize(ConfigPath, n.data)
	n.data = append([]byte{}, data...)
	n.stat.Version = -1
	if configVersion >= 0 {
		n.stat.Mzxid = configVersion
	}
	if timeMs >= 0 {
		n.stat.Mtime = timeMs
	}
	t.postChange(ConfigPath, n)
}

// ApproximateDataSize is 3.8's approximate data size: the sum over nodes of
// path length plus data length (the root counted under "" and "/").
func (t *DataTree) ApproximateDataSize() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.dataSize
}

// Paths returns every node path, sorted (for tests and diagnostics).
func (t *DataTree) Paths() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]string, 0, len(t.nodes))
	for p := range t.nodes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
