package serve

import (
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/status"
	"github.com/zkctl/zkctl/store"
)

// finalLoop is the FinalRequestProcessor thread: it applies txns, fires
// watches, runs reads and writes replies, one request at a time.
func (s *Server) finalLoop() {
	for {
		select {
		case r := <-s.finalCh:
			s.finish(r)
		case <-s.ctx.Done():
			return
		}
	}
}

// finish applies or executes one request and replies to its connection.
func (s *Server) finish(r *Request) {
	hdr := jute.ReplyHeader{Xid: r.Cxid}
	var body jute.Record
	switch {
	case r.Txn != nil:
		res := s.db.Apply(r.Txn)
		s.observeApplied(r.Txn)
		s.prep.applied(r.Txn.Hdr.Zxid)
		for _, ev := range res.Events {
			s.watches.Trigger(ev.Type, ev.Path)
		}
		hdr.Zxid = r.Txn.Hdr.Zxid
		s.afterApply(r, res)
		if r.Type == jute.OpCreateSession {
			return // answered with a ConnectResponse by afterApply
		}
		hdr.Err, body = s.writeReply(r, res)
	case r.Err != jute.ErrOK:
		hdr.Zxid, hdr.Err = s.tree.LastProcessedZxid(), r.Err
		if r.Type == jute.OpAuth {
			hdr.Zxid = 0
		}
		if r.Err == jute.ErrUnimplemented {
			hdr.Zxid = -1
		}
	default:
		hdr.Zxid = s.tree.LastProcessedZxid()
		hdr.Err, body = s.read(r)
		if r.Type == jute.OpAuth {
			hdr.Zxid = 0
		}
	}
	if r.Type == jute.OpPing {
		hdr.Xid = jute.XidPing
	}
	s.reply(r, &hdr, body)
}

// afterApply updates sessions and connections for session txns.
func (s *Server) afterApply(r *Request, res store.Result) {
	sid := r.Txn.Hdr.ClientID
	switch r.Txn.Hdr.Type {
	case jute.OpCreateSession:
		c := r.conn
		if c == nil {
			return
		}
		s.log.Info("session established", "session", hexID(sid), "timeout", r.timeout, "zxid", hexID(r.Txn.Hdr.Zxid))
		c.send(outFrame{b: jute.Encode(&jute.ConnectResponse{
			TimeOut: r.timeout, SessionID: sid, Passwd: SessionPassword(sid),
			HasReadOnly: c.hasReadOnly,
		})})
		close(c.handshake)
	case jute.OpCloseSession:
		s.sessions.remove(sid)
		s.log.Info("session closed", "session", hexID(sid), "zxid", hexID(r.Txn.Hdr.Zxid), "ephemerals", len(res.Events)/2)
		// A client's own closeSession carries CloseAfter from its reader;
		// otherwise (expiry, forwarded) close whatever connection is bound.
		if r.conn == nil {
			if c := s.connOf(sid); c != nil {
				c.close("session closed")
			}
		}
	}
}

// reply writes the reply frame and releases the request's slot.
func (s *Server) reply(r *Request, hdr *jute.ReplyHeader, body jute.Record) {
	c := r.conn
	if c == nil {
		return
	}
	var b []byte
	if hdr.Err == jute.ErrOK && body != nil {
		b = jute.EncodeAll(hdr, body)
	} else {
		b = jute.Encode(hdr)
	}
	c.send(outFrame{b: b, closeAfter: r.CloseAfter})
	select {
	case <-c.slots:
	default:
	}
	s.stats.sent.Add(1)
	s.observeReply(r, body, len(b)+4)
	s.stats.rates.mark(r.Type, time.Now())
	lat := (time.Now().UnixNano() - r.recvNano) / int64(time.Millisecond)
	s.stats.mu.Lock()
	if s.stats.cnt == 0 || lat < s.stats.minLat {
		s.stats.minLat = lat
	}
	if lat > s.stats.maxLat {
		s.stats.maxLat = lat
	}
	s.stats.cnt++
	s.stats.totLat += lat
	n := int64(len(b) + 4)
	s.stats.lastResp = n
	if s.stats.minResp < 0 || n < s.stats.minResp {
		s.stats.minResp = n
	}
	if n > s.stats.maxResp {
		s.stats.maxResp = n
	}
	s.stats.mu.Unlock()
	cs := &c.stats
	cs.mu.Lock()
	cs.sent++
	cs.lastOp = status.OpName(r.Type)
	if r.Cxid >= 0 {
		cs.lastCxid = int64(r.Cxid)
	}
	cs.lastZxid = hdr.Zxid
	cs.lastResp = time.Now().UnixMilli()
	cs.lastLat = lat
	if cs.cnt == 0 || lat < cs.minLat {
		cs.minLat = lat
	}
	if lat > cs.maxLat {
		cs.maxLat = lat
	}
	cs.cnt++
	cs.totLat += lat
	cs.mu.Unlock()
}

// writeReply builds the reply of an applied write.
func (s *Server) writeReply(r *Request, res store.Result) (jute.Err, jute.Record) {
	if r.Txn.Hdr.Type == jute.OpError {
		return res.Err, nil
	}
	switch r.Type {
	case jute.OpCreate:
		if res.Err != jute.ErrOK {
			return res.Err, nil
		}
		return jute.ErrOK, &jute.PathResponse{Path: res.Path}
	case jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL:
		if res.Err != jute.ErrOK {
			return res.Err, nil
		}
		return jute.ErrOK, &jute.Create2Response{Path: res.Path, Stat: res.Stat}
	case jute.OpSetData, jute.OpSetACL:
		if res.Err != jute.ErrOK {
			return res.Err, nil
		}
		return jute.ErrOK, &jute.StatResponse{Stat: res.Stat}
	case jute.OpMulti:
		m, _ := r.rec.(*multiRequest)
		return jute.ErrOK, multiResponse(m, res)
	case jute.OpCloseSession, jute.OpDelete, jute.OpDeleteContainer:
		return res.Err, nil
	}
	return res.Err, nil
}

// multiResult is one entry of a MultiResponse.
type multiResult struct {
	typ  jute.Op
	err  jute.Err
	body jute.Record
}

// multiResponseRecord encodes a MultiResponse.
type multiResponseRecord struct{ results []multiResult }

// Encode implements jute.Record.
func (m *multiResponseRecord) Encode(e *jute.Encoder) {
	for _, r := range m.results {
		h := jute.MultiHeader{Type: r.typ, Done: false, Err: r.err}
		h.Encode(e)
		if r.typ == jute.OpError {
			(&jute.IntResponse{Value: int32(r.err)}).Encode(e)
		} else if r.body != nil {
			r.body.Encode(e)
		}
	}
	end := jute.MultiHeader{Type: -1, Done: true, Err: -1}
	end.Encode(e)
}

// Decode implements jute.Record (results are never decoded by the server).
func (m *multiResponseRecord) Decode(d *jute.Decoder) {}

// multiResponse builds the per-op results of an applied multi, echoing the
// op type the client sent (create → 1, other creates → 15).
func multiResponse(m *multiRequest, res store.Result) *multiResponseRecord {
	out := &multiResponseRecord{}
	for i, sr := range res.Multi {
		op := jute.OpError
		if m != nil && i < len(m.Ops) {
			op = m.Ops[i].Type
		}
		if sr.Type == jute.OpError || sr.Err != jute.ErrOK {
			out.results = append(out.results, multiResult{typ: jute.OpError, err: sr.Err})
			continue
		}
		switch op {
		case jute.OpCreate:
			out.results = append(out.results, multiResult{typ: jute.OpCreate, body: &jute.PathResponse{Path: sr.Path}})
		case jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL:
			out.results = append(out.results, multiResult{typ: jute.OpCreate2, body: &jute.Create2Response{Path: sr.Path, Stat: sr.Stat}})
		case jute.OpSetData:
			out.results = append(out.results, multiResult{typ: jute.OpSetData, body: &jute.StatResponse{Stat: sr.Stat}})
		default:
			out.results = append(out.results, multiResult{typ: op})
		}
	}
	return out
}
