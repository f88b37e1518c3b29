// Package adminapi holds the typed JSON a zkctl server serves on its admin
// port for the dashboard (/commands/peer, /commands/events) and a small
// client for it. Servers fill these types; tui and launcher read them.
package adminapi

// Server states as ZooKeeper names them (QuorumPeer.ServerState), plus
// STANDALONE for a server without an ensemble.
const (
	StateLooking    = "LOOKING"
	StateFollowing  = "FOLLOWING"
	StateLeading    = "LEADING"
	StateObserving  = "OBSERVING"
	StateStandalone = "STANDALONE"
)

// Zab phases of a server or of one learner as the leader sees it.
const (
	PhaseElection  = "election"
	PhaseDiscovery = "discovery"
	PhaseSync      = "synchronization"
	PhaseBroadcast = "broadcast"
)

// Vote is an FLE vote: the proposed leader and its last zxid and epoch.
type Vote struct {
	// Leader is the proposed leader's sid.
	Leader int64 `json:"leader"`
	// Zxid is the proposed leader's last logged zxid.
	Zxid int64 `json:"zxid"`
	// PeerEpoch is the proposed leader's epoch.
	PeerEpoch int64 `json:"peer_epoch"`
	// ElectionEpoch is the round (logical clock) the vote was cast in.
	ElectionEpoch int64 `json:"election_epoch"`
}

// ReceivedVote is a notification this server received in the current or
// last election round.
type ReceivedVote struct {
	// From is the sender's sid.
	From int64 `json:"from"`
	// State is the sender's state when it sent the vote.
	State string `json:"state"`
	// Vote is what the sender voted for.
	Vote Vote `json:"vote"`
	// AgeMs is how long ago it arrived, in milliseconds.
	AgeMs int64 `json:"age_ms"`
}

// Election describes this server's view of leader election.
type Election struct {
	// Round is the logical clock (electionEpoch).
	Round int64 `json:"round"`
	// Vote is this server's current vote.
	Vote Vote `json:"vote"`
	// Received holds the latest vote from each peer in the current or last round.
	Received []ReceivedVote `json:"received"`
	// LastDurationMs is how long the last completed election took.
	LastDurationMs int64 `json:"last_duration_ms"`
}

// Learner is one follower or observer as the leader sees it.
type Learner struct {
	// ID is the learner's sid.
	ID int64 `json:"id"`
	// Role is "follower" or "observer".
	Role string `json:"role"`
	// Phase is discovery, synchronization or broadcast.
	Phase string `json:"phase"`
	// SyncMode is DIFF, TRUNC or SNAP (empty before the choice is made).
	SyncMode string `json:"sync_mode"`
	// PacketsSent and PacketsTotal count sync packets queued for the learner.
	PacketsSent  int64 `json:"packets_sent"`
	PacketsTotal int64 `json:"packets_total"`
	// BytesSent and BytesTotal count sync bytes (snapshot or diff).
	BytesSent  int64 `json:"bytes_sent"`
	BytesTotal int64 `json:"bytes_total"`
	// AckedZxid is the last zxid the learner acknowledged.
	AckedZxid int64 `json:"acked_zxid"`
	// Queued is the number of packets waiting in the learner's send queue.
	Queued int `json:"queued"`
	// PingRTTMs is the round trip of the last PING, in milliseconds.
	PingRTTMs float64 `json:"ping_rtt_ms"`
	// Synced is true once the learner has acknowledged NEWLEADER.
	Synced bool `json:"synced"`
}

// Peer is the whole picture of one server, answered by /commands/peer.
type Peer struct {
	// MyID is the server id (0 standalone).
	MyID int64 `json:"myid"`
	// PID is the server's process id.
	PID int `json:"pid"`
	// State is LOOKING, FOLLOWING, LEADING, OBSERVING or STANDALONE.
	State string `json:"state"`
	// ZabPhase is election, discovery, synchronization or broadcast.
	ZabPhase string `json:"zab_phase"`
	// UptimeMs is how long the process has run.
	UptimeMs int64 `json:"uptime_ms"`
	// AcceptedEpoch and CurrentEpoch are the persisted Zab epochs.
	AcceptedEpoch int64 `json:"accepted_epoch"`
	CurrentEpoch  int64 `json:"current_epoch"`
	// LastLoggedZxid, CommittedZxid and AppliedZxid trace the log's progress.
	LastLoggedZxid int64 `json:"last_logged_zxid"`
	CommittedZxid  int64 `json:"committed_zxid"`
	AppliedZxid    int64 `json:"applied_zxid"`
	// Election is this server's election view.
	Election Election `json:"election"`
	// LeaderID is the leader this server follows or is (-1 when unknown).
	LeaderID int64 `json:"leader_id"`
	// LeaderHeardAgoMs is how long since the leader was last heard (learners).
	LeaderHeardAgoMs int64 `json:"leader_heard_ago_ms"`
	// Learners is filled on the leader only.
	Learners []Learner `json:"learners,omitempty"`
	// Sessions, Connections, Outstanding, Znodes and Watches count live objects.
	Sessions    int `json:"sessions"`
	Connections int `json:"connections"`
	Outstanding int `json:"outstanding"`
	Znodes      int `json:"znodes"`
	Watches     int `json:"watches"`
	// ReadsPerSec and WritesPerSec are recent request rates.
	ReadsPerSec  float64 `json:"reads_per_sec"`
	WritesPerSec float64 `json:"writes_per_sec"`
	// LastEventSeq is the newest event sequence number.
	LastEventSeq uint64 `json:"last_event_seq"`
	// Voters is the number of voting members in the configuration (0 standalone).
	Voters int `json:"voters"`
	// SyncedFollowers counts learners in broadcast (leader only).
	SyncedFollowers int `json:"synced_followers"`
	// Implementation is "zkctl", or "zookeeper" when the Peer was assembled
	// from Apache ZooKeeper 3.8's own admin commands.
	Implementation string `json:"implementation,omitempty"`
	// Source is how this picture was read: SourceAdmin (the admin port's
	// /commands) or SourceFourLW (four-letter words on the client port).
	// Empty means zkctl's own /commands/peer, which tells everything.
	Source string `json:"source,omitempty"`
	// Unknown lists the JSON names of the fields this source cannot tell;
	// their zero values are placeholders, not values (see Known).
	Unknown []string `json:"unknown,omitempty"`
	// Refused lists the four-letter words the server refused because they
	// are not in its 4lw.commands.whitelist.
	Refused []string `json:"refused,omitempty"`
	// ReadOnly is true when the server serves in read-only mode (isro "ro").
	ReadOnly bool `json:"read_only,omitempty"`
	// Version is the server's version string where the source tells it.
	Version string `json:"version,omitempty"`
}

// Sources of a Peer picture, for Peer.Source.
const (
	// SourceAdmin is Apache ZooKeeper's AdminServer commands (zabstate, monitor, leader).
	SourceAdmin = "admin"
	// SourceFourLW is the four-letter words on the client port.
	SourceFourLW = "4lw"
)

// Known reports whether field (a JSON name such as "pid" or "leader_id")
// carries a value rather than a placeholder for what the source cannot tell.
func (p *Peer) Known(field string) bool {
	for _, u := range p.Unknown {
		if u == field {
			return false
		}
	}
	return true
}

// Event is one state change of a server, answered by /commands/events.
type Event struct {
	// Seq increases by one per event on a server.
	Seq uint64 `json:"seq"`
	// TimeUnixMs is when it happened.
	TimeUnixMs int64 `json:"time_unix_ms"`
	// Kind is a short machine name: state, vote, elected, sync, epoch, session, error.
	Kind string `json:"kind"`
	// State is the server state after the event, when relevant.
	State string `json:"state,omitempty"`
	// Message is one human line.
	Message string `json:"message"`
}

// Events is the answer of /commands/events?since=SEQ.
type Events struct {
	// Events are those with Seq > since still in the ring, oldest first.
	Events []Event `json:"events"`
	// Oldest is the oldest sequence number still held; a poller that asked
	// for since < Oldest-1 has missed events.
	Oldest uint64 `json:"oldest"`
	// Last is the newest sequence number.
	Last uint64 `json:"last"`
}
