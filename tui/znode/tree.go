// Package znode is the data view's model of a ZooKeeper tree, kept free of
// I/O and of Bubble Tea so it can be tested directly: which nodes are
// known, which are expanded, what is selected, what must be fetched next,
// and how a watch event changes the picture. The view (tui/dataview) does
// the fetching and feeds the answers back in.
package znode

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"
)

// MaxStream bounds the event stream of a watched subtree.
const MaxStream = 500

// Node is what is known of one znode.
type Node struct {
	// Path is the znode's full path.
	Path string
	// Stat is the last Stat read (nil until read); it carries the child
	// count and the ephemeral owner shown in the tree.
	Stat *zk.Stat
	// Children are the sorted child names, valid when ChildrenLoaded.
	Children       []string
	ChildrenLoaded bool
	// Data and ACL are read for the selected node only.
	Data       []byte
	DataLoaded bool
	ACL        []zk.ACL
	// Err is the last error reading this node ("no auth", "no node", …),
	// shown in its place instead of stale data.
	Err string
	// Event is the last watch event seen on the node ("data", "children",
	// "created", "deleted") and EventAt when, so the view can mark changes.
	Event   string
	EventAt time.Time
	// Gone marks a node deleted while on screen; it stays until its
	// parent's children are read again.
	Gone bool
}

// StreamEvent is one line of a watched subtree's event stream.
type StreamEvent struct {
	At   time.Time
	Type string
	Path string
}

// Fetch is a read the view must do: Children (with a watch) or Node
// (data, Stat and ACL, with a watch) of Path.
type Fetch struct {
	Path string
	Kind FetchKind
}

// FetchKind says what a Fetch reads.
type FetchKind int

// Fetch kinds.
const (
	// FetchChildren reads the child list (and arms a child watch).
	FetchChildren FetchKind = iota
	// FetchNode reads the data, Stat and ACL (and arms a data watch).
	FetchNode
	// FetchStat reads the Stat only (and arms an exists watch).
	FetchStat
)

// Row is one visible line of the tree.
type Row struct {
	Path     string
	Name     string
	Depth    int
	Expanded bool
	Node     *Node
}

// Tree is the known part of a znode tree plus the view's position in it.
type Tree struct {
	nodes    map[string]*Node
	expanded map[string]bool
	selected string
	// pending is a path searched for whose ancestors are still loading;
	// gotoAsked are the ancestors read for it, gotoErr why it failed.
	pending   string
	gotoAsked map[string]bool
	gotoErr   string
	// streamRoot is the subtree whose events go to the stream ("" = none).
	streamRoot string
	stream     []StreamEvent
	rows       []Row // cache of Rows(); nil when stale
}

// New returns a tree that knows only the root, expanded and selected.
func New() *Tree {
	t := &Tree{nodes: map[string]*Node{}, expanded: map[string]bool{"/": true}, selected: "/"}
	t.node("/")
	return t
}

func (t *Tree) node(p string) *Node {
	n := t.nodes[p]
	if n == nil {
		n = &Node{Path: p}
		t.nodes[p] = n
		t.rows = nil
	}
	return n
}

// Node returns what is known of p, or nil.
func (t *Tree) Node(p string) *Node { return t.nodes[p] }

// Len is the number of known znodes.
func (t *Tree) Len() int { return len(t.nodes) }

// Selected is the selected path.
func (t *Tree) Selected() string { return t.selected }

// Expanded says whether p's children are shown.
func (t *Tree) Expanded(p string) bool { return t.expanded[p] }

// child joins a parent path and a child name.
func child(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// Rows is the flattened visible tree: expanded nodes' loaded children, in
// order. It is cached until the tree changes, so moving the cursor through
// a directory of 100,000 children costs no rebuild.
func (t *Tree) Rows() []Row {
	if t.rows != nil {
		return t.rows
	}
	rows := make([]Row, 0, 64)
	var walk func(p string, depth int)
	walk = func(p string, depth int) {
		n := t.nodes[p]
		name := path.Base(p)
		if p == "/" {
			name = "/"
		}
		rows = append(rows, Row{Path: p, Name: name, Depth: depth, Expanded: t.expanded[p], Node: n})
		if !t.expanded[p] || n == nil || !n.ChildrenLoaded {
			return
		}
		for _, c := range n.Children {
			walk(child(p, c), depth+1)
		}
	}
	walk("/", 0)
	t.rows = rows
	return rows
}

// Cursor is the selected row's index (0 when the selection is not visible).
func (t *Tree) Cursor() int {
	for i, r := range t.Rows() {
		if r.Path == t.selected {
			return i
		}
	}
	return 0
}

// Move moves the selection by delta rows, clamped, and returns what the
// newly selected node needs read.
func (t *Tree) Move(delta int) []Fetch {
	rows := t.Rows()
	i := min(max(t.Cursor()+delta, 0), len(rows)-1)
	return t.Select(rows[i].Path)
}

// Select selects p (known or not) and returns what must be read for it.
func (t *Tree) Select(p string) []Fetch {
	t.selected = p
	n := t.node(p)
	if !n.DataLoaded && n.Err == "" {
		return []Fetch{{Path: p, Kind: FetchNode}}
	}
	return nil
}

// Expand shows p's children, returning a children read when they are not
// loaded yet.
func (t *Tree) Expand(p string) []Fetch {
	if !t.expanded[p] {
		t.expanded[p] = true
		t.rows = nil
	}
	if n := t.node(p); !n.ChildrenLoaded {
		return []Fetch{{Path: p, Kind: FetchChildren}}
	}
	return nil
}

// Collapse hides p's children; on a collapsed or leaf node it selects the
// parent instead, as file browsers do.
func (t *Tree) Collapse(p string) []Fetch {
	if t.expanded[p] {
		delete(t.expanded, p)
		t.rows = nil
		return nil
	}
	if p == "/" {
		return nil
	}
	return t.Select(path.Dir(p))
}

// Toggle expands a collapsed node and collapses an expanded one.
func (t *Tree) Toggle(p string) []Fetch {
	if t.expanded[p] {
		delete(t.expanded, p)
		t.rows = nil
		return nil
	}
	return t.Expand(p)
}

// Goto selects p, expanding its ancestors. An ancestor whose children
// are not loaded, or were loaded before p's branch existed, is returned as
// a read; the selection completes when the reads arrive (SetChildren). A
// path still missing after its parent was read again ends the Goto with
// GotoError set.
func (t *Tree) Goto(p string) []Fetch {
	p = path.Clean("/" + strings.TrimSpace(p))
	if t.pending != p {
		t.pending, t.gotoAsked, t.gotoErr = p, map[string]bool{}, ""
	}
	cur := "/"
	for _, seg := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if seg == "" {
			break
		}
		if !t.expanded[cur] {
			t.expanded[cur] = true
			t.rows = nil
		}
		n := t.node(cur)
		if !n.ChildrenLoaded || !slices.Contains(n.Children, seg) {
			if n.ChildrenLoaded && t.gotoAsked[cur] {
				t.pending, t.gotoErr = "", fmt.Sprintf("%s: no such znode (%s has no child %q)", p, cur, seg)
				return nil
			}
			t.gotoAsked[cur] = true
			return []Fetch{{Path: cur, Kind: FetchChildren}}
		}
		cur = child(cur, seg)
	}
	t.pending = ""
	return t.Select(p)
}

// TakeGotoError says why the last Goto failed ("" when it did not) and
// forgets it, so it is reported once.
func (t *Tree) TakeGotoError() string {
	e := t.gotoErr
	t.gotoErr = ""
	return e
}

// Pending is the searched-for path still waiting for its ancestors.
func (t *Tree) Pending() string { return t.pending }

// SetChildren records p's children (read with a watch) and its Stat. It
// drops what is known of children that are gone, and completes a pending
// Goto. The returned reads are the next step of that Goto.
func (t *Tree) SetChildren(p string, names []string, st *zk.Stat) []Fetch {
	n := t.node(p)
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	keep := make(map[string]bool, len(sorted))
	for _, c := range sorted {
		keep[c] = true
	}
	if n.ChildrenLoaded {
		for _, c := range n.Children {
			if !keep[c] {
				t.forget(child(p, c))
			}
		}
	}
	n.Children, n.ChildrenLoaded, n.Gone, n.Err = sorted, true, false, ""
	if st != nil {
		n.Stat = st
	}
	for _, c := range sorted {
		t.node(child(p, c))
	}
	t.rows = nil
	if t.pending != "" {
		return t.Goto(t.pending)
	}
	return nil
}

// forget drops p and everything known below it.
func (t *Tree) forget(p string) {
	prefix := p + "/"
	for q := range t.nodes {
		if q == p || strings.HasPrefix(q, prefix) {
			delete(t.nodes, q)
			delete(t.expanded, q)
		}
	}
	if t.selected == p || strings.HasPrefix(t.selected, prefix) {
		t.selected = path.Dir(p)
	}
	t.rows = nil
}

// SetStat records p's Stat (read for the rows on screen).
func (t *Tree) SetStat(p string, st *zk.Stat) {
	n := t.node(p)
	n.Stat, n.Gone = st, false
}

// SetNode records p's data, Stat and ACL.
func (t *Tree) SetNode(p string, data []byte, st *zk.Stat, acl []zk.ACL) {
	n := t.node(p)
	n.Data, n.DataLoaded, n.Stat, n.ACL, n.Err, n.Gone = data, true, st, acl, "", false
}

// SetError records that reading p failed (e.g. zk.ErrNoAuth), keeping
// what was known so the view can show both.
func (t *Tree) SetError(p string, err string) {
	n := t.node(p)
	n.Err = err
	if err == "no node" {
		n.Gone = true
	}
}

// Invalidate forgets every read, keeping the expanded set and selection,
// and returns the reads that rebuild the picture: used when the view
// switches to another server, so nothing shown comes from the old one.
func (t *Tree) Invalidate() []Fetch {
	exp := t.expanded
	sel := t.selected
	t.nodes = map[string]*Node{}
	t.rows = nil
	t.node("/")
	var out []Fetch
	t.expanded = map[string]bool{}
	paths := make([]string, 0, len(exp))
	for p := range exp {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		t.expanded[p] = true
		out = append(out, Fetch{Path: p, Kind: FetchChildren})
	}
	t.selected = "/"
	if sel != "/" {
		t.pending, t.gotoAsked, t.gotoErr = sel, map[string]bool{}, ""
	}
	return append(out, Fetch{Path: "/", Kind: FetchNode})
}

// Event types as shown, from go-zookeeper's event types.
const (
	EvCreated  = "created"
	EvDeleted  = "deleted"
	EvData     = "data"
	EvChildren = "children"
)

// EventName maps a go-zookeeper event type to its short name.
func EventName(t zk.EventType) string {
	switch t {
	case zk.EventNodeCreated:
		return EvCreated
	case zk.EventNodeDeleted:
		return EvDeleted
	case zk.EventNodeDataChanged:
		return EvData
	case zk.EventNodeChildrenChanged:
		return EvChildren
	}
	return t.String()
}

// Apply records a watch event on p at time at and returns the reads that
// bring the picture up to date (each re-arms its watch).
func (t *Tree) Apply(typ string, p string, at time.Time) []Fetch {
	if t.streamRoot != "" && (t.streamRoot == "/" || p == t.streamRoot || strings.HasPrefix(p, t.streamRoot+"/")) {
		t.stream = append(t.stream, StreamEvent{At: at, Type: typ, Path: p})
		if len(t.stream) > MaxStream {
			t.stream = append([]StreamEvent(nil), t.stream[len(t.stream)-MaxStream:]...)
		}
	}
	n := t.nodes[p]
	if n == nil {
		return nil // not on screen any more
	}
	n.Event, n.EventAt = typ, at
	switch typ {
	case EvDeleted:
		n.Gone = true
		n.DataLoaded = false
		if parent := t.nodes[path.Dir(p)]; p != "/" && parent != nil && parent.ChildrenLoaded {
			return []Fetch{{Path: path.Dir(p), Kind: FetchChildren}}
		}
		return nil
	case EvChildren:
		return []Fetch{{Path: p, Kind: FetchChildren}}
	default: // data, created
		if p == t.selected {
			return []Fetch{{Path: p, Kind: FetchNode}}
		}
		return []Fetch{{Path: p, Kind: FetchStat}}
	}
}

// Stream sets the subtree whose events are streamed ("" stops it) and
// clears the stream.
func (t *Tree) Stream(root string) {
	t.streamRoot, t.stream = root, nil
}

// StreamRoot is the streamed subtree, "" when none.
func (t *Tree) StreamRoot() string { return t.streamRoot }

// StreamEvents are the streamed events, oldest first.
func (t *Tree) StreamEvents() []StreamEvent { return t.stream }

// LoadedUnder lists the loaded nodes with children under root (root
// included): the nodes whose child watches make up a streamed subtree.
func (t *Tree) LoadedUnder(root string) []string {
	var out []string
	for p, n := range t.nodes {
		if n.ChildrenLoaded && (root == "/" || p == root || strings.HasPrefix(p, root+"/")) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
