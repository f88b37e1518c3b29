package leader

import (
	"errors"
	"fmt"

	"github.com/zkctl/zkctl/internal/protolog"
	"github.com/zkctl/zkctl/jute"
)

// Errors returned by the state machines. Each is wrapped with context (the
// connection, the zxid) where it is returned.
var (
	// ErrBadPacket means a packet or its payload could not be parsed.
	ErrBadPacket = errors.New("leader: malformed packet")
	// ErrUnexpectedPacket means a packet arrived in a phase that does not allow it.
	ErrUnexpectedPacket = errors.New("leader: unexpected packet")
	// ErrNotServing means a proposal was made before the leader started serving.
	ErrNotServing = errors.New("leader: not serving")
	// ErrZxidGap means a proposal's zxid is not lastProposed+1 in the current epoch.
	ErrZxidGap = errors.New("leader: proposal zxid out of sequence")
	// ErrZxidExhausted means the epoch's 32-bit counter would overflow (ZOOKEEPER-1277).
	ErrZxidExhausted = errors.New("leader: zxid counter exhausted")
	// ErrFollowerAhead means a learner's (currentEpoch, lastZxid) is more recent than the leader's.
	ErrFollowerAhead = errors.New("leader: follower is ahead of the leader")
	// ErrEpochRejected means a learner's accepted epoch is above the epoch the leader proposes.
	ErrEpochRejected = errors.New("leader: epoch rejected")
	// ErrTimeout means a Zab phase did not complete within its tick limit.
	ErrTimeout = errors.New("leader: timed out")
	// ErrQuorumLost means fewer than a quorum of voters stayed synced.
	ErrQuorumLost = errors.New("leader: not sufficient followers synced")
	// ErrCommitMismatch means a COMMIT does not match the oldest pending proposal.
	ErrCommitMismatch = errors.New("leader: commit does not match pending proposal")
	// ErrStopped means the state machine has already given up and must be discarded.
	ErrStopped = errors.New("leader: state machine stopped")
)

// Proposal is one transaction as Zab carries it: its zxid and the bytes of a
// PROPOSAL's data (TxnHeader, txn record, optional TxnDigest), which are also
// the payload of the transaction's log record.
type Proposal struct {
	// Zxid is the transaction id, equal to the zxid in the TxnHeader.
	Zxid int64
	// Data is the encoded txn: header + body + optional digest.
	Data []byte
}

// String renders the proposal for logs.
func (p Proposal) String() string { return fmt.Sprintf("0x%x(%dB)", p.Zxid, len(p.Data)) }

// ProposalFromTxn reads the zxid out of an encoded txn (bytes 12..19 of its
// TxnHeader) and returns the proposal carrying it.
func ProposalFromTxn(data []byte) (Proposal, error) {
	var h jute.TxnHeader
	if err := jute.Decode(data, &h); err != nil {
		return Proposal{}, fmt.Errorf("%w: txn header: %w", ErrBadPacket, err)
	}
	return Proposal{Zxid: h.Zxid, Data: data}, nil
}

// ProposalsFromTxns converts a list of encoded txns (for example the
// committed log of a database) into proposals.
func ProposalsFromTxns(txns [][]byte) ([]Proposal, error) {
	out := make([]Proposal, 0, len(txns))
	for i, t := range txns {
		p, err := ProposalFromTxn(t)
		if err != nil {
			return nil, fmt.Errorf("txn %d: %w", i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Message is a packet for one learner connection.
type Message struct {
	// To is the connection the packet goes to.
	To int64
	// Packet is the packet. NB: a SNAP packet must be followed on the same
	// stream by the snapshot body and the "BenWasHere" trailer (see SyncPlan).
	Packet jute.QuorumPacket
}

// String renders the message for logs and transcripts.
func (m Message) String() string { return fmt.Sprintf("->%d %s", m.To, pktString(m.Packet)) }

func pktString(p jute.QuorumPacket) string {
	s := fmt.Sprintf("%v 0x%x", p.Type, p.Zxid)
	if p.Data != nil {
		s += fmt.Sprintf(" %dB", len(p.Data))
	}
	return s
}

// Epochs are persisted epoch values; a field is -1 when it did not change.
// Both must be written durably before any Message of the same Ready is sent.
type Epochs struct {
	// AcceptedEpoch is the new value of the acceptedEpoch file, or -1.
	AcceptedEpoch int64
	// CurrentEpoch is the new value of the currentEpoch file, or -1.
	CurrentEpoch int64
}

// SessionTouch is a session that a learner reports as active (PING reply).
type SessionTouch struct {
	// SessionID is the session.
	SessionID int64
	// Timeout is the session timeout in milliseconds.
	Timeout int32
}

// Logger receives the state machines' log lines; it is the one interface
// shared with election/ (internal/protolog). The driver adapts it to
// log/slog; tests capture the lines.
type Logger = protolog.Logger

// hexz formats a zxid as ZooKeeper logs it.
func hexz(z int64) string { return fmt.Sprintf("0x%x", z) }
