package serve

import (
	"fmt"
	"strings"
	"sync"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/store"
)

// changeRecord is a pending change to one path made by a prepped but not yet
// applied txn (ZooKeeper's ChangeRecord). deleted marks a pending delete.
type changeRecord struct {
	zxid        int64
	path        string
	deleted     bool
	stat        jute.StatPersisted // Cversion is the internal counter, EphemeralOwner raw
	numChildren int32
	acl         []jute.ACL
	dataLen     int64 // data length, for setData's quota check (0 for a pending create, as 3.8)
}

func (c *changeRecord) dup(zxid int64) *changeRecord {
	d := *c
	d.zxid = zxid
	return &d
}

// prepOptions are the settings prep validates against.
type prepOptions struct {
	extendedTypes   bool
	reconfigEnabled bool
	quorum          bool
	// maxTxnLen is jute.maxbuffer + extrasize: the longest log record
	// recovery reads back (0: no check).
	maxTxnLen int
	// quota is nil when zookeeper.enforceQuota is off (quota_prep.go).
	quota *quotaEnforcer
}

// prepper is PrepRequestProcessor: it validates requests in 3.8's order,
// checks ACLs against the state as modified by earlier outstanding txns and
// turns writes into txns with fresh zxids. One goroutine calls prepare; the
// apply side calls applied concurrently.
type prepper struct {
	opts     prepOptions
	tree     *store.DataTree
	sessions *sessionTracker
	now      func() int64 // wall clock, ms

	lastZxid int64 // last zxid handed out (prep goroutine only)

	mu      sync.Mutex
	changes []*changeRecord
	byPath  map[string]*changeRecord
}

func newPrepper(opts prepOptions, tree *store.DataTree, sessions *sessionTracker, lastZxid int64, now func() int64) *prepper {
	return &prepper{opts: opts, tree: tree, sessions: sessions, now: now, lastZxid: lastZxid, byPath: make(map[string]*changeRecord)}
}

// record returns the state of path including outstanding changes, or nil.
func (p *prepper) record(path string) *changeRecord {
	if path == "" {
		path = "/"
	}
	p.mu.Lock()
	c, ok := p.byPath[path]
	p.mu.Unlock()
	if ok {
		if c.deleted {
			return nil
		}
		return c
	}
	v, ok := p.tree.Lookup(path)
	if !ok {
		return nil
	}
	return &changeRecord{zxid: -1, path: path, stat: v.Persisted, numChildren: v.Stat.NumChildren, acl: v.ACL, dataLen: int64(len(v.Data))}
}

func (p *prepper) addChange(c *changeRecord) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.changes = append(p.changes, c)
	p.byPath[c.path] = c
}

// rollback removes the change records of zxid (a failed multi).
func (p *prepper) rollback(zxid int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	touched := map[string]bool{}
	for len(p.changes) > 0 && p.changes[len(p.changes)-1].zxid == zxid {
		touched[p.changes[len(p.changes)-1].path] = true
		p.changes = p.changes[:len(p.changes)-1]
	}
	for path := range touched {
		delete(p.byPath, path)
	}
	for _, c := range p.changes {
		if touched[c.path] {
			p.byPath[c.path] = c
		}
	}
}

// applied drops the change records of txns up to zxid, which the tree now
// reflects.
func (p *prepper) applied(zxid int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := 0
	for i < len(p.changes) && p.changes[i].zxid <= zxid {
		c := p.changes[i]
		if p.byPath[c.path] == c {
			delete(p.byPath, c.path)
		}
		i++
	}
	p.changes = p.changes[i:]
}

// prepare validates r and, for a write, sets r.Txn. Reads only get their
// session checked; they are executed by the apply side.
func (p *prepper) prepare(r *Request) {
	if !r.Type.IsWrite() {
		if !r.internal && r.Type != jute.OpPing && !p.sessions.valid(r.SessionID) {
			r.Err = jute.ErrSessionExpired
		}
		return
	}
	if r.Type == jute.OpCheck {
		// A standalone check is not an operation 3.8 serves.
		r.Err, r.CloseAfter = jute.ErrUnimplemented, true
		return
	}
	if r.Type == jute.OpCloseSession && !r.internal && !p.sessions.valid(r.SessionID) {
		r.Err = jute.ErrSessionExpired
		return
	}
	p.lastZxid++
	zxid := p.lastZxid
	hdr := jute.TxnHeader{ClientID: r.SessionID, Cxid: r.Cxid, Zxid: zxid, Time: p.now(), Type: r.Type}
	body, code := p.txn(r, &hdr)
	if code != jute.ErrOK {
		hdr.Type = jute.OpError
		body = &jute.ErrorTxn{Err: code}
	}
	r.Txn = &jute.Txn{Hdr: hdr, Body: body}
	// Nothing is acknowledged that recovery will refuse: a txn longer than
	// the log record limit (12 bytes kept for a TxnDigest) is refused here.
	if n := len(jute.Encode(r.Txn)); p.opts.maxTxnLen > 0 && n+12 > p.opts.maxTxnLen {
		p.rollback(zxid)
		hdr.Type = jute.OpError
		r.Txn = &jute.Txn{Hdr: hdr, Body: &jute.ErrorTxn{Err: jute.ErrMarshallingError}}
	}
}

// txn builds the body of a write txn or returns the error code that makes
// it an error txn.
func (p *prepper) txn(r *Request, hdr *jute.TxnHeader) (jute.Record, jute.Err) {
	if r.rec == nil {
		rec, err := DecodeRequest(r.Type, r.Data)
		if err != nil {
			return nil, jute.ErrMarshallingError
		}
		r.rec = rec
	}
	switch r.Type {
	case jute.OpCreateSession:
		cs, _ := r.rec.(*jute.CreateSessionTxn)
		if cs == nil {
			return nil, jute.ErrMarshallingError
		}
		if !p.sessions.valid(r.SessionID) {
			// A session created on a learner: track it here too.
			p.sessions.add(r.SessionID, cs.TimeOut, p.now())
		}
		return &jute.CreateSessionTxn{TimeOut: cs.TimeOut}, jute.ErrOK
	case jute.OpCloseSession:
		return p.closeSession(r.SessionID, hdr.Zxid), jute.ErrOK
	case jute.OpReconfig:
		if !p.opts.reconfigEnabled {
			return nil, jute.ErrReconfigDisabled
		}
		return nil, jute.ErrUnimplemented
	case jute.OpCreate, jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL:
		c, _ := r.rec.(*jute.CreateRequest)
		if c == nil {
			return nil, jute.ErrMarshallingError
		}
		if !validCreateFlags(c.Flags) {
			return nil, jute.ErrBadArguments
		}
		if code := p.checkTTL(c); code != jute.ErrOK {
			return nil, code
		}
	}
	if !r.internal && !p.sessions.valid(r.SessionID) {
		return nil, jute.ErrSessionExpired
	}
	if r.Type == jute.OpMulti {
		m, _ := r.rec.(*multiRequest)
		if m == nil {
			return nil, jute.ErrMarshallingError
		}
		return p.multi(r, hdr, m), jute.ErrOK
	}
	return p.op(r.Type, r.rec, r, hdr)
}

// checkTTL is step 2 of create validation.
func (p *prepper) checkTTL(c *jute.CreateRequest) jute.Err {
	ttlMode := c.Flags == jute.FlagPersistentWithTTL || c.Flags == jute.FlagPersistentSequentialWithTTL
	if ttlMode && !p.opts.extendedTypes {
		return jute.ErrUnimplemented
	}
	if ttlMode {
		if c.TTL <= 0 || c.TTL > store.MaxTTL {
			return jute.ErrBadArguments
		}
	} else if c.TTL >= 0 {
		return jute.ErrBadArguments
	}
	return jute.ErrOK
}

// multi preps each op against the state left by the previous ones, all under
// one zxid. On the first failure the tentative changes are rolled back, the
// failing op becomes its error and later ops RuntimeInconsistency.
func (p *prepper) multi(r *Request, hdr *jute.TxnHeader, m *multiRequest) *jute.MultiTxn {
	out := &jute.MultiTxn{}
	failed := false
	for _, op := range m.Ops {
		if failed {
			out.Txns = append(out.Txns, jute.SubTxn{Type: jute.OpError, Data: jute.Encode(&jute.ErrorTxn{Err: jute.ErrRuntimeInconsistency})})
			continue
		}
		if c, ok := op.Rec.(*jute.CreateRequest); ok {
			if code := p.checkTTL(c); code != jute.ErrOK {
				failed = true
				p.rollback(hdr.Zxid)
				out.Txns = append(out.Txns, jute.SubTxn{Type: jute.OpError, Data: jute.Encode(&jute.ErrorTxn{Err: code})})
				continue
			}
		}
		body, code := p.op(op.Type, op.Rec, r, hdr)
		if code != jute.ErrOK {
			failed = true
			p.rollback(hdr.Zxid)
			out.Txns = append(out.Txns, jute.SubTxn{Type: jute.OpError, Data: jute.Encode(&jute.ErrorTxn{Err: code})})
			continue
		}
		out.Txns = append(out.Txns, jute.SubTxn{Type: op.Type, Data: jute.Encode(body)})
	}
	return out
}

// specialPaths may not be deleted.
var specialPaths = map[string]bool{"/": true, "/zookeeper": true, "/zookeeper/quota": true, "/zookeeper/config": true}

// checkVersion returns the next version or BadVersion.
func checkVersion(current, expected int32) (int32, jute.Err) {
	if expected != -1 && expected != current {
		return 0, jute.ErrBadVersion
	}
	return current + 1, jute.ErrOK
}

// dataVersion and aclVersion pick the version a request's expected version
// is checked against.
func dataVersion(st *jute.StatPersisted) int32 { return st.Version }
func aclVersion(st *jute.StatPersisted) int32  { return st.Aversion }

// checked is the common start of setData, setACL and check, in
// PrepRequestProcessor's order: the node (pending changes included) must
// exist, ids must hold perm on it, and expected must be -1 or the version
// which picks; it returns the record and the next version.
func (p *prepper) checked(path string, perm int32, ids []jute.Id, which func(*jute.StatPersisted) int32, expected int32) (*changeRecord, int32, jute.Err) {
	n := p.record(path)
	if n == nil {
		return nil, 0, jute.ErrNoNode
	}
	if code := checkACL(n.acl, perm, ids); code != jute.ErrOK {
		return nil, 0, code
	}
	v, code := checkVersion(which(&n.stat), expected)
	if code != jute.ErrOK {
		return nil, 0, code
	}
	return n, v, jute.ErrOK
}

// op preps one write (also used for each op of a multi).
func (p *prepper) op(typ jute.Op, rec jute.Record, r *Request, hdr *jute.TxnHeader) (jute.Record, jute.Err) {
	zxid := hdr.Zxid
	switch typ {
	case jute.OpCreate, jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL:
		c, _ := rec.(*jute.CreateRequest)
		if c == nil {
			return nil, jute.ErrMarshallingError
		}
		return p.create(typ, c, r, hdr)
	case jute.OpDelete:
		d, _ := rec.(*jute.PathVersionRequest)
		if d == nil {
			return nil, jute.ErrMarshallingError
		}
		path := d.Path
		last := strings.LastIndexByte(path, '/')
		if last < 0 || strings.IndexByte(path, 0) >= 0 || specialPaths[path] {
			return nil, jute.ErrBadArguments
		}
		parent := p.record(path[:last])
		if parent == nil {
			return nil, jute.ErrNoNode
		}
		if code := checkACL(parent.acl, jute.PermDelete, r.AuthInfo); code != jute.ErrOK {
			return nil, code
		}
		n := p.record(path)
		if n == nil {
			return nil, jute.ErrNoNode
		}
		if _, code := checkVersion(n.stat.Version, d.Version); code != jute.ErrOK {
			return nil, code
		}
		if n.numChildren > 0 {
			return nil, jute.ErrNotEmpty
		}
		p.removeChild(parent, path, zxid)
		return &jute.DeleteTxn{Path: path}, jute.ErrOK
	case jute.OpDeleteContainer:
		d, _ := rec.(*rawPath)
		if d == nil {
			return nil, jute.ErrMarshallingError
		}
		path := d.Path
		last := strings.LastIndexByte(path, '/')
		if last < 0 || strings.IndexByte(path, 0) >= 0 || specialPaths[path] {
			return nil, jute.ErrBadArguments
		}
		n := p.record(path)
		if n == nil {
			return nil, jute.ErrNoNode
		}
		if n.numChildren > 0 {
			return nil, jute.ErrNotEmpty
		}
		if store.KindOf(n.stat.EphemeralOwner) == store.KindEphemeral {
			return nil, jute.ErrBadVersion
		}
		parent := p.record(path[:last])
		if parent == nil {
			return nil, jute.ErrNoNode
		}
		p.removeChild(parent, path, zxid)
		return &jute.DeleteTxn{Path: path}, jute.ErrOK
	case jute.OpSetData:
		s, _ := rec.(*jute.SetDataRequest)
		if s == nil {
			return nil, jute.ErrMarshallingError
		}
		if ValidatePath(s.Path) != nil {
			return nil, jute.ErrBadArguments
		}
		if code := p.checkSetDataQuota(s.Path, s.Data, r.AuthInfo); code != jute.ErrOK {
			return nil, code
		}
		n, v, code := p.checked(s.Path, jute.PermWrite, r.AuthInfo, dataVersion, s.Version)
		if code != jute.ErrOK {
			return nil, code
		}
		c := n.dup(zxid)
		c.stat.Version, c.stat.Mzxid, c.stat.Mtime = v, zxid, hdr.Time
		c.dataLen = int64(len(s.Data))
		p.addChange(c)
		return &jute.SetDataTxn{Path: s.Path, Data: s.Data, Version: v}, jute.ErrOK
	case jute.OpSetACL:
		s, _ := rec.(*jute.SetACLRequest)
		if s == nil {
			return nil, jute.ErrMarshallingError
		}
		if ValidatePath(s.Path) != nil {
			return nil, jute.ErrBadArguments
		}
		acl, code := fixupACL(s.ACL, r.AuthInfo)
		if code != jute.ErrOK {
			return nil, code
		}
		n, v, code := p.checked(s.Path, jute.PermAdmin, r.AuthInfo, aclVersion, s.Version)
		if code != jute.ErrOK {
			return nil, code
		}
		c := n.dup(zxid)
		c.stat.Aversion, c.acl = v, acl
		p.addChange(c)
		return &jute.SetACLTxn{Path: s.Path, ACL: acl, Version: v}, jute.ErrOK
	case jute.OpCheck:
		s, _ := rec.(*jute.PathVersionRequest)
		if s == nil {
			return nil, jute.ErrMarshallingError
		}
		if ValidatePath(s.Path) != nil {
			return nil, jute.ErrBadArguments
		}
		_, v, code := p.checked(s.Path, jute.PermRead, r.AuthInfo, dataVersion, s.Version)
		if code != jute.ErrOK {
			return nil, code
		}
		return &jute.CheckVersionTxn{Path: s.Path, Version: v}, jute.ErrOK
	}
	return nil, jute.ErrUnimplemented
}

// removeChild records a pending delete of path under parent.
func (p *prepper) removeChild(parent *changeRecord, path string, zxid int64) {
	pc := parent.dup(zxid)
	pc.numChildren--
	if zxid > pc.stat.Pzxid {
		pc.stat.Pzxid = zxid
	}
	p.addChange(pc)
	p.addChange(&changeRecord{zxid: zxid, path: path, deleted: true})
}

// create follows 3.8's create validation order (docs/client-reference.md §3.6).
func (p *prepper) create(typ jute.Op, c *jute.CreateRequest, r *Request, hdr *jute.TxnHeader) (jute.Record, jute.Err) {
	zxid := hdr.Zxid
	path := c.Path
	last := strings.LastIndexByte(path, '/')
	if last < 0 || strings.IndexByte(path, 0) >= 0 {
		return nil, jute.ErrBadArguments
	}
	acl, code := fixupACL(c.ACL, r.AuthInfo)
	if code != jute.ErrOK {
		return nil, code
	}
	parentPath := path[:last]
	parent := p.record(parentPath)
	if parent == nil {
		return nil, jute.ErrNoNode
	}
	if code := checkACL(parent.acl, jute.PermCreate, r.AuthInfo); code != jute.ErrOK {
		return nil, code
	}
	cversion := parent.stat.Cversion
	if c.Flags == jute.FlagPersistentSequential || c.Flags == jute.FlagEphemeralSequential || c.Flags == jute.FlagPersistentSequentialWithTTL {
		path += fmt.Sprintf("%010d", cversion)
	}
	if ValidatePath(path) != nil {
		return nil, jute.ErrBadArguments
	}
	if p.record(path) != nil {
		return nil, jute.ErrNodeExists
	}
	if store.KindOf(parent.stat.EphemeralOwner) == store.KindEphemeral {
		return nil, jute.ErrNoChildrenForEphemerals
	}
	newCversion := cversion + 1
	if code := p.checkQuota(path, 1, int64(len(c.Data))); code != jute.ErrOK {
		return nil, code
	}
	var owner int64
	switch {
	case typ == jute.OpCreateContainer || c.Flags == jute.FlagContainer:
		owner = store.ContainerOwner
	case typ == jute.OpCreateTTL:
		owner = store.TTLOwner(c.TTL)
	case c.Flags == jute.FlagEphemeral || c.Flags == jute.FlagEphemeralSequential:
		owner = r.SessionID
	}
	pc := parent.dup(zxid)
	pc.stat.Cversion = newCversion
	pc.stat.Pzxid = zxid
	pc.numChildren++
	if pc.path == "" {
		pc.path = "/"
	}
	p.addChange(pc)
	p.addChange(&changeRecord{zxid: zxid, path: path, acl: acl, stat: jute.StatPersisted{
		Czxid: zxid, Mzxid: zxid, Pzxid: zxid, Ctime: hdr.Time, Mtime: hdr.Time, EphemeralOwner: owner,
	}})
	ephemeral := c.Flags == jute.FlagEphemeral || c.Flags == jute.FlagEphemeralSequential
	switch typ {
	case jute.OpCreateContainer:
		return &jute.CreateContainerTxn{Path: path, Data: c.Data, ACL: acl, ParentCVersion: newCversion}, jute.ErrOK
	case jute.OpCreateTTL:
		return &jute.CreateTTLTxn{Path: path, Data: c.Data, ACL: acl, ParentCVersion: newCversion, TTL: c.TTL}, jute.ErrOK
	}
	return &jute.CreateTxn{Path: path, Data: c.Data, ACL: acl, Ephemeral: ephemeral, ParentCVersion: newCversion}, jute.ErrOK
}

// closeSession lists the session's ephemerals (tree plus outstanding
// changes), records their pending deletes and marks the session closing.
func (p *prepper) closeSession(sid int64, zxid int64) *jute.CloseSessionTxn {
	paths := map[string]bool{}
	for _, e := range p.tree.Ephemerals(sid) {
		paths[e] = true
	}
	p.mu.Lock()
	for _, c := range p.changes {
		if c.deleted {
			delete(paths, c.path)
		} else if c.stat.EphemeralOwner == sid {
			paths[c.path] = true
		}
	}
	p.mu.Unlock()
	list := make([]string, 0, len(paths))
	for e := range paths {
		list = append(list, e)
	}
	sortStrings(list)
	for _, e := range list {
		if parentPath, ok := parentPath(e); ok {
			if parent := p.record(parentPath); parent != nil {
				p.removeChild(parent, e, zxid)
				continue
			}
		}
		p.addChange(&changeRecord{zxid: zxid, path: e, deleted: true})
	}
	p.sessions.setClosing(sid)
	return &jute.CloseSessionTxn{Paths2Delete: list}
}

// reset forgets outstanding changes and restarts zxids after lastZxid.
// Only call it while no prep goroutine runs.
func (p *prepper) reset(lastZxid int64) {
	p.lastZxid = lastZxid
	p.mu.Lock()
	p.changes = nil
	p.byPath = make(map[string]*changeRecord)
	p.mu.Unlock()
}

// errorTxn gives a refused request an error txn with the next zxid.
func (p *prepper) errorTxn(r *Request, code jute.Err) {
	p.lastZxid++
	r.Txn = &jute.Txn{
		Hdr:  jute.TxnHeader{ClientID: r.SessionID, Cxid: r.Cxid, Zxid: p.lastZxid, Time: p.now(), Type: jute.OpError},
		Body: &jute.ErrorTxn{Err: code},
	}
	r.Err = jute.ErrOK
}
