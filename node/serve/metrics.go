package serve

import (
	"strings"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/metrics"
	"github.com/zkctl/zkctl/node/status"
)

// This file holds the client path's calls into 3.8's ServerMetrics
// (docs/metrics.md): each stage makes one call here, so the stage files keep
// a single line each and the metric logic stays in one place.

// Server implements status.MetricsSource: mntr and the /metrics pages read
// the metrics this server updates, not the process's default set.
var _ status.MetricsSource = (*Server)(nil)

// ServerMetrics implements status.MetricsSource.
func (s *Server) ServerMetrics() *metrics.Server { return s.metrics }

// observeConnect counts a ConnectRequest and its frame (3.8
// ZooKeeperServer.processConnectRequest and ServerCnxn.packetReceived).
func (s *Server) observeConnect(frameLen int) {
	s.metrics.IncConnectionRequest()
	s.metrics.AddBytesReceived(int64(frameLen) + 4)
}

// metricsOrDefault is the server's metrics: its own when node passes
// one, else the process's.
func metricsOrDefault(m *metrics.Server) *metrics.Server {
	if m == nil {
		return metrics.Default()
	}
	return m
}

// timedPrep wraps a prepare step with observePrep; the learner's step is
// not wrapped, as a 3.8 follower runs no PrepRequestProcessor.
func (s *Server) timedPrep(prepare func(*Request)) func(*Request) {
	return func(r *Request) {
		start := time.Now()
		prepare(r)
		s.observePrep(r, start)
	}
}

// observePrep records prep's time for one request (3.8
// PrepRequestProcessor.pRequest: prep_process_time; pRequest2Txn:
// close_session_prep_time for a closeSession).
func (s *Server) observePrep(r *Request, start time.Time) {
	d := time.Since(start)
	s.metrics.PrepProcessTime.ObserveDuration(d)
	if r.Type == jute.OpCloseSession {
		s.metrics.CloseSessionPrepTime.ObserveDuration(d)
	}
}

// observeReply records a finished client request, as 3.8's
// FinalRequestProcessor does once it has sent the reply: the latency
// from receipt (ServerStats.updateLatency: updatelatency for a request
// with a txn, readlatency otherwise, pings included), the bytes per
// namespace of a getData (DataTree.updateReadStat) and response_bytes.
// Requests the server issued itself (no receive time) count only their
// bytes.
func (s *Server) observeReply(r *Request, body jute.Record, respLen int) {
	m := s.metrics
	if r.recvNano != 0 {
		m.ObserveRequest(r.Txn != nil, time.Duration(time.Now().UnixNano()-r.recvNano))
	}
	m.ResponseBytes.Add(int64(respLen))
	// NB: a failed getData carries a typed nil response.
	if resp, ok := body.(*jute.GetDataResponse); ok && resp != nil {
		if req, ok := r.rec.(*jute.PathWatchRequest); ok {
			observeNamespace(m.ObserveRead, req.Path, len(resp.Data))
		}
	}
}

// observeApplied records the bytes a create or setData wrote, per
// namespace, on every server that applies it, as 3.8's
// DataTree.updateWriteStat (the ops inside a multi are not counted yet).
func (s *Server) observeApplied(txn *jute.Txn) {
	switch t := txn.Body.(type) {
	case *jute.CreateTxn:
		observeNamespace(s.metrics.ObserveWrite, t.Path, len(t.Data))
	case *jute.CreateContainerTxn:
		observeNamespace(s.metrics.ObserveWrite, t.Path, len(t.Data))
	case *jute.CreateTTLTxn:
		observeNamespace(s.metrics.ObserveWrite, t.Path, len(t.Data))
	case *jute.SetDataTxn:
		observeNamespace(s.metrics.ObserveWrite, t.Path, len(t.Data))
	}
}

// observeNamespace calls f with the top-level namespace of path (3.8
// PathUtils.getTopNamespace: "a" for /a/b); the root has none.
func observeNamespace(f func(string, int64), path string, n int) {
	ns := strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(ns, '/'); i >= 0 {
		ns = ns[:i]
	}
	if ns != "" {
		f(ns, int64(n))
	}
}

// observeRejected counts a client connection refused for a limit (3.8
// NIOServerCnxnFactory.AcceptThread.doAccept: connection_rejected).
func (s *Server) observeRejected() { s.metrics.IncConnectionRejected() }

// observeFrame counts a request frame's bytes, length prefix included
// (ServerCnxn.packetReceived: bytes_received_count).
func (s *Server) observeFrame(frameLen int) { s.metrics.AddBytesReceived(int64(frameLen) + 4) }
