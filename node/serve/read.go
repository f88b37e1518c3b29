package serve

import (
	"strings"

	"github.com/zkctl/zkctl/jute"
)

// read executes a request that has no txn: reads, watch management, sync,
// ping, auth replies. It runs on the apply goroutine, so it sees every
// write that preceded it and no write can slip between a read and the watch
// it sets.
func (s *Server) read(r *Request) (jute.Err, jute.Record) {
	switch r.Type {
	case jute.OpPing, jute.OpAuth:
		return jute.ErrOK, nil
	case jute.OpWhoAmI:
		return jute.ErrOK, whoAmI(r.AuthInfo)
	}
	if r.rec == nil {
		rec, err := DecodeRequest(r.Type, r.Data)
		if err != nil {
			if r.conn != nil {
				r.conn.log.Warn("malformed request", "op", r.Type.String(), "err", err, "session", hexID(r.SessionID))
			}
			return jute.ErrMarshallingError, nil
		}
		r.rec = rec
	}
	switch r.Type {
	case jute.OpExists:
		q := r.rec.(*jute.PathWatchRequest)
		if strings.IndexByte(q.Path, 0) >= 0 {
			return jute.ErrBadArguments, nil
		}
		n, ok := s.tree.Lookup(q.Path)
		if q.Watch && r.conn != nil {
			s.addWatch(r.conn, func(w Watcher) { s.watches.AddDataWatch(q.Path, w) })
		}
		if !ok {
			return jute.ErrNoNode, nil
		}
		return jute.ErrOK, &jute.StatResponse{Stat: n.Stat}
	case jute.OpGetData:
		q := r.rec.(*jute.PathWatchRequest)
		code, body := s.getData(q.Path, r.AuthInfo)
		if code == jute.ErrOK && q.Watch && r.conn != nil {
			s.addWatch(r.conn, func(w Watcher) { s.watches.AddDataWatch(q.Path, w) })
		}
		return code, body
	case jute.OpGetChildren, jute.OpGetChildren2:
		q := r.rec.(*jute.PathWatchRequest)
		code, body := s.getChildren(q.Path, r.AuthInfo, r.Type == jute.OpGetChildren2)
		if code == jute.ErrOK && q.Watch && r.conn != nil {
			s.addWatch(r.conn, func(w Watcher) { s.watches.AddChildWatch(q.Path, w) })
		}
		return code, body
	case jute.OpGetACL:
		q := r.rec.(*jute.PathRequest)
		n, ok := s.tree.Lookup(q.Path)
		if !ok {
			return jute.ErrNoNode, nil
		}
		if checkACL(n.ACL, jute.PermRead|jute.PermAdmin, r.AuthInfo) != jute.ErrOK {
			return jute.ErrNoAuth, nil
		}
		acl := n.ACL
		if checkACL(n.ACL, jute.PermAdmin, r.AuthInfo) != jute.ErrOK {
			acl = maskDigests(acl)
		}
		return jute.ErrOK, &jute.GetACLResponse{ACL: acl, Stat: n.Stat}
	case jute.OpGetAllChildrenNumber:
		q := r.rec.(*jute.PathRequest)
		n, ok := s.tree.Get(q.Path)
		if !ok {
			return jute.ErrNoNode, nil
		}
		if code := checkACL(n.ACL, jute.PermRead, r.AuthInfo); code != jute.ErrOK {
			return code, nil
		}
		return jute.ErrOK, &jute.IntResponse{Value: int32(s.tree.AllChildrenNumber(q.Path))}
	case jute.OpGetEphemerals:
		q := r.rec.(*jute.PathRequest)
		prefix := strings.TrimSpace(q.Path)
		var out []string
		for _, p := range s.tree.Ephemerals(r.SessionID) {
			if prefix == "" || prefix == "/" || strings.HasPrefix(p, prefix) {
				out = append(out, p)
			}
		}
		return jute.ErrOK, &jute.ChildrenResponse{Children: out}
	case jute.OpSync:
		return jute.ErrOK, &jute.PathResponse{Path: r.rec.(*jute.PathRequest).Path}
	case jute.OpMultiRead:
		return jute.ErrOK, s.multiRead(r.rec.(*multiReadRequest), r.AuthInfo)
	case jute.OpCheckWatches, jute.OpRemoveWatches:
		q := r.rec.(*jute.PathModeRequest)
		if r.conn == nil {
			return jute.ErrNoWatcher, nil
		}
		var found bool
		if r.Type == jute.OpCheckWatches {
			found = s.watches.Contains(q.Path, q.Mode, r.conn)
		} else {
			found = s.watches.Remove(q.Path, q.Mode, r.conn)
		}
		if !found {
			return jute.ErrNoWatcher, nil
		}
		return jute.ErrOK, nil
	case jute.OpAddWatch:
		q := r.rec.(*jute.PathModeRequest)
		if q.Mode != jute.AddWatchPersistent && q.Mode != jute.AddWatchPersistentRecursive {
			return jute.ErrBadArguments, nil
		}
		if r.conn != nil {
			s.addWatch(r.conn, func(w Watcher) {
				s.watches.AddPersistent(q.Path, w, q.Mode == jute.AddWatchPersistentRecursive)
			})
		}
		return jute.ErrOK, &jute.IntResponse{Value: 0}
	case jute.OpSetWatches, jute.OpSetWatches2:
		if r.conn != nil {
			s.setWatches(r.conn, r.rec.(*jute.SetWatches))
		}
		return jute.ErrOK, nil
	}
	return jute.ErrUnimplemented, nil
}

// addWatch registers a watch unless the connection has closed meanwhile
// (its close already dropped its registrations, so one added now would leak).
func (s *Server) addWatch(c *conn, add func(Watcher)) {
	add(c)
	if c.closed() {
		s.watches.RemoveWatcher(c)
	}
}

func (s *Server) getData(path string, ids []jute.Id) (jute.Err, *jute.GetDataResponse) {
	n, ok := s.tree.Lookup(path)
	if !ok {
		return jute.ErrNoNode, nil
	}
	if code := checkACL(n.ACL, jute.PermRead, ids); code != jute.ErrOK {
		return code, nil
	}
	return jute.ErrOK, &jute.GetDataResponse{Data: n.Data, Stat: n.Stat}
}

func (s *Server) getChildren(path string, ids []jute.Id, withStat bool) (jute.Err, jute.Record) {
	n, ok := s.tree.Get(path)
	if !ok {
		return jute.ErrNoNode, nil
	}
	if code := checkACL(n.ACL, jute.PermRead, ids); code != jute.ErrOK {
		return code, nil
	}
	children := n.Children
	if children == nil {
		children = []string{}
	}
	if withStat {
		return jute.ErrOK, &jute.Children2Response{Children: children, Stat: n.Stat}
	}
	return jute.ErrOK, &jute.ChildrenResponse{Children: children}
}

// multiRead runs each read independently; failures become error results.
func (s *Server) multiRead(m *multiReadRequest, ids []jute.Id) *multiResponseRecord {
	out := &multiResponseRecord{}
	for _, op := range m.Ops {
		q := op.Rec.(*jute.PathWatchRequest)
		var code jute.Err
		var body jute.Record
		if op.Type == jute.OpGetData {
			var gd *jute.GetDataResponse
			code, gd = s.getData(q.Path, ids)
			body = gd
		} else {
			code, body = s.getChildren(q.Path, ids, false)
		}
		if code != jute.ErrOK {
			out.results = append(out.results, multiResult{typ: jute.OpError, err: code})
			continue
		}
		out.results = append(out.results, multiResult{typ: op.Type, body: body})
	}
	return out
}

// setWatches re-arms watches after a reconnect (docs/client-reference.md §4.6):
// a change the client missed is notified at once instead of installing the
// watch.
func (s *Server) setWatches(c *conn, w *jute.SetWatches) {
	rz := w.RelativeZxid
	for _, p := range w.DataWatches {
		n, ok := s.tree.Lookup(p)
		switch {
		case !ok:
			c.Notify(jute.WatcherEvent{Type: jute.EventNodeDeleted, State: jute.StateSyncConnected, Path: p})
		case n.Stat.Mzxid > rz:
			c.Notify(jute.WatcherEvent{Type: jute.EventNodeDataChanged, State: jute.StateSyncConnected, Path: p})
		default:
			s.addWatch(c, func(w Watcher) { s.watches.AddDataWatch(p, w) })
		}
	}
	for _, p := range w.ExistWatches {
		if _, ok := s.tree.Lookup(p); ok {
			c.Notify(jute.WatcherEvent{Type: jute.EventNodeCreated, State: jute.StateSyncConnected, Path: p})
		} else {
			s.addWatch(c, func(w Watcher) { s.watches.AddDataWatch(p, w) })
		}
	}
	for _, p := range w.ChildWatches {
		n, ok := s.tree.Lookup(p)
		switch {
		case !ok:
			c.Notify(jute.WatcherEvent{Type: jute.EventNodeDeleted, State: jute.StateSyncConnected, Path: p})
		case n.Stat.Pzxid > rz:
			c.Notify(jute.WatcherEvent{Type: jute.EventNodeChildrenChanged, State: jute.StateSyncConnected, Path: p})
		default:
			s.addWatch(c, func(w Watcher) { s.watches.AddChildWatch(p, w) })
		}
	}
	for _, p := range w.PersistentWatches {
		s.addWatch(c, func(w Watcher) { s.watches.AddPersistent(p, w, false) })
	}
	for _, p := range w.PersistentRecursiveWatches {
		s.addWatch(c, func(w Watcher) { s.watches.AddPersistent(p, w, true) })
	}
}

// whoAmI lists the connection's identities as ClientInfo.
func whoAmI(ids []jute.Id) *jute.WhoAmIResponse {
	out := &jute.WhoAmIResponse{}
	for _, id := range ids {
		user := id.ID
		switch id.Scheme {
		case "digest":
			user, _, _ = strings.Cut(id.ID, ":")
		case "super":
			user = ""
		}
		out.ClientInfo = append(out.ClientInfo, jute.ClientInfo{AuthScheme: id.Scheme, User: user})
	}
	return out
}
