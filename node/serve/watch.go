package serve

import (
	"sort"
	"sync"

	"github.com/zkctl/zkctl/jute"
)

// WatchMode is how a registration behaves when it fires.
type WatchMode int

// Watch modes, as ZooKeeper's WatcherMode.
const (
	// WatchStandard registrations fire once and are removed.
	WatchStandard WatchMode = iota
	// WatchPersistent registrations stay and match only their own path.
	WatchPersistent
	// WatchPersistentRecursive registrations stay and match the path and
	// every descendant, for every event type except NodeChildrenChanged.
	WatchPersistentRecursive
)

// Watcher receives notifications; in the server it is a client connection.
type Watcher interface {
	// Notify delivers one event. It must not block for long.
	Notify(ev jute.WatcherEvent)
	// WatcherSession is the session id shown in watch dumps.
	WatcherSession() int64
}

// watchTable is one of the two tables (data or child) of registrations.
type watchTable struct {
	byPath    map[string]map[Watcher]WatchMode
	byWatcher map[Watcher]map[string]struct{}
	recursive int // number of recursive registrations, to skip parent walks
}

func newWatchTable() *watchTable {
	return &watchTable{
		byPath:    make(map[string]map[Watcher]WatchMode),
		byWatcher: make(map[Watcher]map[string]struct{}),
	}
}

func (t *watchTable) add(path string, w Watcher, mode WatchMode) {
	ws := t.byPath[path]
	if ws == nil {
		ws = make(map[Watcher]WatchMode)
		t.byPath[path] = ws
	}
	if old, ok := ws[w]; ok && old == WatchPersistentRecursive {
		t.recursive--
	}
	ws[w] = mode // NB: one mode per (watcher, path): a later standard watch downgrades, as 3.8.
	if mode == WatchPersistentRecursive {
		t.recursive++
	}
	ps := t.byWatcher[w]
	if ps == nil {
		ps = make(map[string]struct{})
		t.byWatcher[w] = ps
	}
	ps[path] = struct{}{}
}

func (t *watchTable) remove(path string, w Watcher) bool {
	ws := t.byPath[path]
	mode, ok := ws[w]
	if !ok {
		return false
	}
	if mode == WatchPersistentRecursive {
		t.recursive--
	}
	delete(ws, w)
	if len(ws) == 0 {
		delete(t.byPath, path)
	}
	if ps := t.byWatcher[w]; ps != nil {
		delete(ps, path)
		if len(ps) == 0 {
			delete(t.byWatcher, w)
		}
	}
	return true
}

func (t *watchTable) contains(path string, w Watcher) bool {
	_, ok := t.byPath[path][w]
	return ok
}

func (t *watchTable) removeWatcher(w Watcher) {
	for path := range t.byWatcher[w] {
		ws := t.byPath[path]
		if ws[w] == WatchPersistentRecursive {
			t.recursive--
		}
		delete(ws, w)
		if len(ws) == 0 {
			delete(t.byPath, path)
		}
	}
	delete(t.byWatcher, w)
}

// trigger collects the watchers an event on path reaches and removes the
// one-shot ones, following 3.8's WatchManager.triggerWatch.
func (t *watchTable) trigger(path string, evType int32, into map[Watcher]struct{}) {
	walkParents := t.recursive > 0
	at := path
	first := true
	for {
		for w, mode := range t.byPath[at] {
			switch {
			case mode == WatchPersistentRecursive:
				if evType != jute.EventNodeChildrenChanged {
					into[w] = struct{}{}
				}
			case first:
				into[w] = struct{}{}
				if mode == WatchStandard {
					t.remove(at, w)
				}
			}
		}
		if !walkParents {
			return
		}
		parent, ok := parentPath(at)
		if !ok {
			return
		}
		at, first = parent, false
	}
}

// WatchManager holds the data and child watch tables of a server. It is safe
// for concurrent use.
type WatchManager struct {
	mu    sync.Mutex
	data  *watchTable
	child *watchTable
}

// NewWatchManager returns an empty watch manager.
func NewWatchManager() *WatchManager {
	return &WatchManager{data: newWatchTable(), child: newWatchTable()}
}

// AddDataWatch registers a data watch (getData, exists).
func (m *WatchManager) AddDataWatch(path string, w Watcher) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data.add(path, w, WatchStandard)
}

// AddChildWatch registers a child watch (getChildren).
func (m *WatchManager) AddChildWatch(path string, w Watcher) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.child.add(path, w, WatchStandard)
}

// AddPersistent registers a persistent or persistent-recursive watch in both
// tables (addWatch).
func (m *WatchManager) AddPersistent(path string, w Watcher, recursive bool) {
	mode := WatchPersistent
	if recursive {
		mode = WatchPersistentRecursive
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data.add(path, w, mode)
	m.child.add(path, w, mode)
}

// Trigger fires the watches an event reaches, with 3.8's table rules:
// NodeCreated and NodeDataChanged use the data table, NodeChildrenChanged
// the child table, NodeDeleted the data table then the child table (each
// watcher notified once). It returns how many notifications were sent.
func (m *WatchManager) Trigger(evType int32, path string) int {
	hit := make(map[Watcher]struct{})
	m.mu.Lock()
	switch evType {
	case jute.EventNodeCreated, jute.EventNodeDataChanged:
		m.data.trigger(path, evType, hit)
	case jute.EventNodeChildrenChanged:
		m.child.trigger(path, evType, hit)
	case jute.EventNodeDeleted:
		m.data.trigger(path, evType, hit)
		m.child.trigger(path, evType, hit)
	}
	m.mu.Unlock()
	ev := jute.WatcherEvent{Type: evType, State: jute.StateSyncConnected, Path: path}
	for w := range hit {
		w.Notify(ev)
	}
	return len(hit)
}

// Remove removes w's registration on path of the given watcher type
// (jute.WatcherTypeChildren, Data or Any) and reports whether one existed.
func (m *WatchManager) Remove(path string, typ int32, w Watcher) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	removed := false
	if typ == jute.WatcherTypeChildren || typ == jute.WatcherTypeAny {
		removed = m.child.remove(path, w) || removed
	}
	if typ == jute.WatcherTypeData || typ == jute.WatcherTypeAny {
		removed = m.data.remove(path, w) || removed
	}
	return removed
}

// Contains reports whether w has a registration on path of the given type.
func (m *WatchManager) Contains(path string, typ int32, w Watcher) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch typ {
	case jute.WatcherTypeChildren:
		return m.child.contains(path, w)
	case jute.WatcherTypeData:
		return m.data.contains(path, w)
	case jute.WatcherTypeAny:
		return m.child.contains(path, w) || m.data.contains(path, w)
	}
	return false
}

// RemoveWatcher drops every registration of w (its connection closed).
func (m *WatchManager) RemoveWatcher(w Watcher) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data.removeWatcher(w)
	m.child.removeWatcher(w)
}

// WatchSummary counts registrations: data-table connections and paths (as
// wchs counts them) and the total of both tables.
type WatchSummary struct {
	Connections int
	Paths       int
	DataWatches int
	Total       int
}

// Summary returns the watch counts.
func (m *WatchManager) Summary() WatchSummary {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := WatchSummary{Connections: len(m.data.byWatcher), Paths: len(m.data.byPath)}
	for _, ws := range m.data.byPath {
		s.DataWatches += len(ws)
	}
	s.Total = s.DataWatches
	for _, ws := range m.child.byPath {
		s.Total += len(ws)
	}
	return s
}

// BySession returns the data-watched paths of each session (sorted), as wchc.
func (m *WatchManager) BySession() map[int64][]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[int64][]string)
	for w, ps := range m.data.byWatcher {
		sid := w.WatcherSession()
		for p := range ps {
			out[sid] = append(out[sid], p)
		}
	}
	for sid := range out {
		sort.Strings(out[sid])
	}
	return out
}

// ByPath returns the sessions watching each path's data (sorted), as wchp.
func (m *WatchManager) ByPath() map[string][]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]int64)
	for p, ws := range m.data.byPath {
		for w := range ws {
			out[p] = append(out[p], w.WatcherSession())
		}
		sort.Slice(out[p], func(i, j int) bool { return out[p][i] < out[p][j] })
	}
	return out
}
