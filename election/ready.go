package election

// Message is a notification to send to one peer. To may be this server's own
// id: 3.8 sends its own vote to itself through the transport's loopback, and
// the driver must hand it back through Step (with Sid = own id).
type Message struct {
	To int64
	N  Notification
}

// Decision is the outcome of one lookForLeader run.
type Decision struct {
	Leader        int64       // the elected leader sid
	State         ServerState // Leading, Following or Observing
	Vote          Vote        // the final vote (leader, zxid, round, peerEpoch)
	DurationTicks int         // Tick calls between Start and the decision
	DurationMs    int64       // DurationTicks * TickMs
}

// ReceivedVote is one vote held for the current round, with its sender.
type ReceivedVote struct {
	Sid  int64
	Vote Vote // Vote.State is the sender's state
}

// Status is what the election exposes to the admin port and the dashboard.
type Status struct {
	ID            int64
	State         ServerState
	LogicalClock  int64          // election round
	Proposal      Vote           // what this peer proposes while LOOKING
	CurrentVote   Vote           // QuorumPeer.currentVote: the last decided vote
	Votes         []ReceivedVote // recvset of this round, by sid
	OutOfElection []ReceivedVote // votes from FOLLOWING/LEADING peers, by sid
	Received      []ReceivedVote // newest notification from each sender since Start, by sid
	TimeoutMs     int            // current notification timeout
	Finalizing    bool           // a quorum was seen; waiting finalizeWait
	ElectionTicks int            // ticks since Start while LOOKING
}

// Ready is what the driver must act on, handed out by Election.Ready.
//
// I/O contract: send every Message (in order; loop back those addressed to
// this server), then apply Decision if non-nil (enter the role), then call
// Advance. Nothing needs to be persisted: FLE keeps no durable state.
type Ready struct {
	// Messages are notifications to queue on the transport, oldest first.
	Messages []Message
	// Decision is set once, when the election ends.
	Decision *Decision
	// LookingPeers lists voters that sent a LOOKING notification while this
	// peer was LEADING (Leader.reportLookingSid, for maxTimeToWaitForEpoch).
	LookingPeers []int64
	// Status is a snapshot of the election state after these outputs.
	Status Status
}
