package store

import (
	"sort"

	"github.com/zkctl/zkctl/jute"
)

// WatchEvent is one watch trigger caused by applying a txn.
type WatchEvent struct {
	// Type is jute.EventNodeCreated, EventNodeDeleted, EventNodeDataChanged
	// or EventNodeChildrenChanged.
	Type int32
	// Path is the node the event is about ("/" for the root).
	Path string
}

// Result is the outcome of applying one txn to the tree.
type Result struct {
	// Type is the txn type (for a multi's sub-results, the sub-txn type).
	Type jute.Op
	// Err is the ZooKeeper error code (ErrOK on success). For a multi it is
	// the first non-OK sub-result code.
	Err jute.Err
	// Path is the path the txn names (the created path for creates).
	Path string
	// Stat is the node's client Stat after create/setData/setACL.
	Stat jute.Stat
	// Multi holds one result per sub-txn of a multi.
	Multi []Result
	// Events are the watch triggers, in order. For a multi every event of
	// every sub-txn is here, in order; sub-results carry none.
	Events []WatchEvent
}

// Apply applies one txn of any type: creates of every kind, delete, setData,
// setACL, reconfig, check, multi, error, createSession and closeSession
// (which deletes the session's ephemerals). It never panics: a malformed txn
// yields Err = MarshallingError and changes nothing. lastProcessedZxid is
// raised only after the whole txn has been applied.
func (t *DataTree) Apply(txn *jute.Txn) Result {
	if txn == nil {
		return Result{Err: jute.ErrMarshallingError}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var events []WatchEvent
	r := t.apply(&txn.Hdr, txn.Body, &events)
	r.Events = events
	if txn.Hdr.Zxid > t.lastZxid {
		t.lastZxid = txn.Hdr.Zxid
	}
	t.afterTxn(txn.Hdr.Zxid, txn.Digest)
	return r
}

// apply dispatches on the txn type. The caller holds the write lock.
func (t *DataTree) apply(h *jute.TxnHeader, body jute.Record, ev *[]WatchEvent) Result {
	r := Result{Type: h.Type}
	bad := func() Result { r.Err = jute.ErrMarshallingError; return r }
	switch h.Type {
	case jute.OpCreate, jute.OpCreate2:
		b, ok := body.(*jute.CreateTxn)
		if !ok {
			return bad()
		}
		owner := int64(0)
		if b.Ephemeral {
			owner = h.ClientID
		}
		r.Path = b.Path
		r.Stat, r.Err = t.createNode(b.Path, b.Data, b.ACL, owner, b.ParentCVersion, h.Zxid, h.Time, ev)
		if h.Type == jute.OpCreate && r.Err == jute.ErrNodeExists {
			// 3.8: a create replayed over a fuzzy snapshot still moves the
			// parent's cversion and pzxid forward.
			if p, _, ok := parentOf(b.Path); ok {
				if err := t.setCversionPzxid(p, b.ParentCVersion, h.Zxid); err != jute.ErrOK {
					r.Err = err
				}
			}
		}
	case jute.OpCreateTTL:
		b, ok := body.(*jute.CreateTTLTxn)
		if !ok {
			return bad()
		}
		r.Path = b.Path
		r.Stat, r.Err = t.createNode(b.Path, b.Data, b.ACL, TTLOwner(b.TTL), b.ParentCVersion, h.Zxid, h.Time, ev)
	case jute.OpCreateContainer:
		b, ok := body.(*jute.CreateContainerTxn)
		if !ok {
			return bad()
		}
		r.Path = b.Path
		r.Stat, r.Err = t.createNode(b.Path, b.Data, b.ACL, ContainerOwner, b.ParentCVersion, h.Zxid, h.Time, ev)
	case jute.OpDelete, jute.OpDeleteContainer:
		b, ok := body.(*jute.DeleteTxn)
		if !ok {
			return bad()
		}
		r.Path = b.Path
		r.Err = t.deleteNode(b.Path, h.Zxid, ev)
	case jute.OpSetData, jute.OpReconfig:
		b, ok := body.(*jute.SetDataTxn)
		if !ok {
			return bad()
		}
		r.Path = b.Path
		r.Stat, r.Err = t.setData(b.Path, b.Data, b.Version, h.Zxid, h.Time, ev)
	case jute.OpSetACL:
		b, ok := body.(*jute.SetACLTxn)
		if !ok {
			return bad()
		}
		r.Path = b.Path
		r.Stat, r.Err = t.setACL(b.Path, b.ACL, b.Version)
	case jute.OpCreateSession:
		if _, ok := body.(*jute.CreateSessionTxn); !ok && body != nil {
			return bad()
		}
	case jute.OpCloseSession:
		var paths []string
		switch b := body.(type) {
		case nil:
		case *jute.CloseSessionTxn:
			paths = b.Paths2Delete
		default:
			return bad()
		}
		t.killSession(h.ClientID, h.Zxid, paths, ev)
	case jute.OpError:
		b, ok := body.(*jute.ErrorTxn)
		if !ok {
			return bad()
		}
		r.Err = b.Err
	case jute.OpCheck:
		b, ok := body.(*jute.CheckVersionTxn)
		if !ok {
			return bad()
		}
		r.Path = b.Path
	case jute.OpMulti:
		b, ok := body.(*jute.MultiTxn)
		if !ok {
			return bad()
		}
		return t.applyMulti(h, b, ev)
	default:
		return bad()
	}
	return r
}

// applyMulti applies a MultiTxn as 3.8 does: if any sub-txn is an error txn,
// every sub-txn becomes an error (OK before the failed one, RuntimeInconsistency
// after it) and nothing changes. Sub-records are all decoded first, so a
// malformed one fails the whole multi with MarshallingError and no change.
func (t *DataTree) applyMulti(h *jute.TxnHeader, m *jute.MultiTxn, ev *[]WatchEvent) Result {
	r := Result{Type: jute.OpMulti}
	failed := false
	recs := make([]jute.Record, len(m.Txns))
	for i, st := range m.Txns {
		if st.Type == jute.OpError {
			failed = true
		}
		switch st.Type {
		case jute.OpMulti, jute.OpCreateSession, jute.OpCloseSession:
			r.Err = jute.ErrMarshallingError
			return r
		}
		rec, err := jute.NewTxnRecord(st.Type)
		if err != nil {
			r.Err = jute.ErrMarshallingError
			return r
		}
		if err := jute.Decode(st.Data, rec); err != nil {
			r.Err = jute.ErrMarshallingError
			return r
		}
		recs[i] = rec
	}
	postFailed := false
	for i, st := range m.Txns {
		typ, rec := st.Type, recs[i]
		if st.Type == jute.OpError {
			postFailed = true
		}
		if failed && st.Type != jute.OpError {
			code := jute.ErrOK
			if postFailed {
				code = jute.ErrRuntimeInconsistency
			}
			typ, rec = jute.OpError, &jute.ErrorTxn{Err: code}
		}
		sh := jute.TxnHeader{ClientID: h.ClientID, Cxid: h.Cxid, Zxid: h.Zxid, Time: h.Time, Type: typ}
		sr := t.apply(&sh, rec, ev)
		r.Multi = append(r.Multi, sr)
		if sr.Err != jute.ErrOK && r.Err == jute.ErrOK {
			r.Err = sr.Err
		}
	}
	return r
}

// createNode is 3.8 DataTree.createNode. parentCVersion -1 means "one more
// than now"; the parent's cversion/pzxid only move forward.
func (t *DataTree) createNode(path string, data []byte, acl []jute.ACL, owner int64, parentCVersion int32, zxid, time int64, ev *[]WatchEvent) (jute.Stat, jute.Err) {
	if path == "/" {
		return jute.Stat{}, jute.ErrNodeExists
	}
	parent, child, ok := parentOf(path)
	if !ok {
		return jute.Stat{}, jute.ErrNoNode
	}
	if child == "" {
		return jute.Stat{}, jute.ErrBadArguments
	}
	pn := t.nodes[parent]
	if pn == nil {
		return jute.Stat{}, jute.ErrNoNode
	}
	if _, exists := pn.children[child]; exists {
		return jute.Stat{}, jute.ErrNodeExists
	}
	t.preChange(pn)
	if parentCVersion == -1 {
		parentCVersion = pn.stat.Cversion + 1
	}
	if parentCVersion > pn.stat.Cversion {
		pn.stat.Cversion = parentCVersion
		pn.stat.Pzxid = zxid
	}
	n := &node{acl: t.acls.convert(acl)}
	if data != nil {
		n.data = append([]byte{}, data...)
	}
	n.stat = jute.StatPersisted{Czxid: zxid, Mzxid: zxid, Pzxid: zxid, Ctime: time, Mtime: time, EphemeralOwner: owner}
	t.putNode(path, n)
	t.postChange(parent, pn)
	t.quotaOnCreate(path, parent, child, n.data)
	*ev = append(*ev, WatchEvent{jute.EventNodeCreated, path}, WatchEvent{jute.EventNodeChildrenChanged, parent})
	return clientStat(n), jute.ErrOK
}

// deleteNode is 3.8 DataTree.deleteNode: the parent's pzxid moves forward even
// when the child is already gone (fuzzy-snapshot replay). Deleting a node that
// still has children is refused with NotEmpty and changes nothing.
func (t *DataTree) deleteNode(path string, zxid int64, ev *[]WatchEvent) jute.Err {
	parent, child, ok := parentOf(path)
	if !ok {
		if path == "/" {
			return jute.ErrBadArguments
		}
		return jute.ErrNoNode
	}
	pn := t.nodes[parent]
	if pn == nil {
		return jute.ErrNoNode
	}
	n := t.nodes[path]
	if n != nil && len(n.children) > 0 {
		return jute.ErrNotEmpty
	}
	t.preChange(pn)
	delete(pn.children, child)
	if zxid > pn.stat.Pzxid {
		pn.stat.Pzxid = zxid
	}
	t.postChange(parent, pn)
	if n == nil {
		return jute.ErrNoNode
	}
	delete(t.nodes, path)
	t.digest -= n.digest
	t.dataSize -= nodeSize(path, n.data)
	t.acls.removeUsage(n.acl)
	switch owner := n.stat.EphemeralOwner; KindOf(owner) {
	case KindContainer:
		delete(t.conts, path)
	case KindTTL:
		delete(t.ttls, path)
	case KindEphemeral:
		if s := t.ephems[owner]; s != nil {
			delete(s, path)
			if len(s) == 0 {
				delete(t.ephems, owner)
			}
		}
	}
	t.quotaOnDelete(path, parent, child, n.data)
	*ev = append(*ev, WatchEvent{jute.EventNodeDeleted, path}, WatchEvent{jute.EventNodeChildrenChanged, parent})
	return jute.ErrOK
}

// setData is 3.8 DataTree.setData; version is the new version from the txn.
func (t *DataTree) setData(path string, data []byte, version int32, zxid, time int64, ev *[]WatchEvent) (jute.Stat, jute.Err) {
	n := t.nodes[path]
	if n == nil {
		return jute.Stat{}, jute.ErrNoNode
	}
	t.preChange(n)
	var nd []byte
	if data != nil {
		nd = append([]byte{}, data...)
	}
	t.dataSize += nodeSize(path, nd) - nodeSize(path, n.data)
	t.quotaOnSetData(path, n.data, nd)
	n.data = nd
	n.stat.Mtime = time
	n.stat.Mzxid = zxid
	n.stat.Version = version
	t.postChange(path, n)
	*ev = append(*ev, WatchEvent{jute.EventNodeDataChanged, path})
	return clientStat(n), jute.ErrOK
}

// setACL is 3.8 DataTree.setACL; version is the new aversion. No watches fire.
func (t *DataTree) setACL(path string, acl []jute.ACL, version int32) (jute.Stat, jute.Err) {
	n := t.nodes[path]
	if n == nil {
		return jute.Stat{}, jute.ErrNoNode
	}
	t.acls.removeUsage(n.acl)
	t.preChange(n)
	n.stat.Aversion = version
	n.acl = t.acls.convert(acl)
	t.postChange(path, n)
	return clientStat(n), jute.ErrOK
}

// setCversionPzxid raises a node's internal cversion (and pzxid) if larger.
func (t *DataTree) setCversionPzxid(path string, cv int32, zxid int64) jute.Err {
	n := t.nodes[path]
	if n == nil {
		return jute.ErrNoNode
	}
	if cv == -1 {
		cv = n.stat.Cversion + 1
	}
	if cv > n.stat.Cversion {
		t.preChange(n)
		n.stat.Cversion = cv
		n.stat.Pzxid = zxid
		t.postChange(path, n)
	}
	return jute.ErrOK
}

// killSession deletes the paths listed in a closeSession txn, then whatever
// other ephemerals the session still owns (sorted). Missing nodes are skipped.
func (t *DataTree) killSession(session, zxid int64, listed []string, ev *[]WatchEvent) {
	for _, p := range listed {
		t.deleteNode(p, zxid, ev)
	}
	rest := sortedKeys(t.ephems[session])
	sort.Strings(rest)
	for _, p := range rest {
		t.deleteNode(p, zxid, ev)
	}
	delete(t.ephems, session)
}
