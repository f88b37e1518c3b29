package node

import (
	"errors"

	"github.com/zkctl/zkctl/jute"
)

// The exported pipeline hooks below let an ensemble driver reuse the
// standalone chain: a leader preps REQUEST packets forwarded by learners
// exactly like local requests (Submit), a Proposer replaces the local
// group commit with Zab's proposal + quorum ack, and a learner hands txns
// committed by the leader to the apply side (Commit).

// SetProposer replaces the standalone group-commit proposer. It must be
// called before Start; the proposer must pass every request to Commit in
// the order Propose received it, once its txn (if any) is durable.
func (s *Server) SetProposer(p Proposer) error {
	if s.ctx != nil {
		return errors.New("node: SetProposer after Start")
	}
	s.customProposer = p
	return nil
}

// NewForwardedRequest builds a request from the fields of a forwarded
// REQUEST packet: session, cxid, opcode, the raw request record as the
// client sent it and the client's identities. It has no local connection,
// so no reply is written here.
func NewForwardedRequest(sessionID int64, cxid int32, op jute.Op, data []byte, auth []jute.Id) *Request {
	return &Request{SessionID: sessionID, Cxid: cxid, Type: op, Data: data, AuthInfo: auth}
}

// NewCommittedRequest wraps a txn committed elsewhere (a leader's COMMIT
// or INFORM) for the apply side.
func NewCommittedRequest(txn *jute.Txn) *Request {
	return &Request{SessionID: txn.Hdr.ClientID, Cxid: txn.Hdr.Cxid, Type: txn.Hdr.Type, Txn: txn, internal: true}
}

// Submit queues a request for prep, in order with the local requests.
// It returns false once the server has stopped.
func (s *Server) Submit(r *Request) bool { return s.submit(r) }

// Commit hands a request whose txn is durable (or a read) to the apply
// side: apply, fire watches, reply if the request has a local connection.
// It returns false once the server has stopped.
func (s *Server) Commit(r *Request) bool {
	select {
	case s.finalCh <- r:
		return true
	case <-s.ctx.Done():
		return false
	}
}
