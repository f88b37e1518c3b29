package metrics

import "time"

// The hooks below are the calls the server pipeline makes, named after
// what happened rather than after the metric, so a call site reads as the
// event 3.8 counts there. Each is a field update (see servermetrics.go for
// the rest, all usable directly); docs/metrics.md maps every metric to its
// 3.8 update site and to the zkctl stage that should call it.

// ObserveFsync records one txn log fsync (3.8 FileTxnLog.commit: fsynctime,
// in ms).
func (s *Server) ObserveFsync(d time.Duration) { s.FsyncTime.ObserveDuration(d) }

// ObserveSnapshot records one snapshot write (ZooKeeperServer.takeSnapshot:
// snapshottime).
func (s *Server) ObserveSnapshot(d time.Duration) { s.SnapshotTime.ObserveDuration(d) }

// ObserveDBInit records the database load at start (ZKDatabase.loadDataBase:
// dbinittime).
func (s *Server) ObserveDBInit(d time.Duration) { s.DBInitTime.ObserveDuration(d) }

// ObserveRequest records a finished client request's latency, from receipt
// to reply (ServerStats.updateLatency): updatelatency for a write (any txn
// type, including createSession and closeSession), readlatency otherwise.
func (s *Server) ObserveRequest(write bool, d time.Duration) {
	if write {
		s.UpdateLatency.ObserveDuration(d)
	} else {
		s.ReadLatency.ObserveDuration(d)
	}
}

// IncProposal counts one proposal the leader sends (Leader.propose:
// proposal_count).
func (s *Server) IncProposal() { s.ProposalCount.Inc() }

// IncCommit counts one commit the leader sends (Leader.commit:
// commit_count).
func (s *Server) IncCommit() { s.CommitCount.Inc() }

// IncLooking counts one entry into LOOKING (QuorumPeer.run: looking_count).
func (s *Server) IncLooking() { s.LookingCount.Inc() }

// ObserveElection records the time from entering LOOKING to starting to
// lead or follow (Leader.lead, Follower.followLeader: election_time).
func (s *Server) ObserveElection(d time.Duration) { s.ElectionTime.ObserveDuration(d) }

// LearnerSync is how the leader brought a learner up to date.
type LearnerSync int

// The LearnerHandler.run sync modes 3.8 counts.
const (
	// SyncDiff is DIFF or TRUNC (diff_count).
	SyncDiff LearnerSync = iota
	// SyncSnap is a full SNAP (snap_count).
	SyncSnap
)

// IncLearnerSync counts one learner sync by mode (LearnerHandler.run:
// diff_count or snap_count).
func (s *Server) IncLearnerSync(mode LearnerSync) {
	if mode == SyncSnap {
		s.SnapCount.Inc()
	} else {
		s.DiffCount.Inc()
	}
}

// ObserveFollowerSync records how long a follower's sync with the leader
// took (Follower.followLeader: follower_sync_time); observer=true records
// observer_sync_time (Observer.observeLeader).
func (s *Server) ObserveFollowerSync(observer bool, d time.Duration) {
	if observer {
		s.ObserverSyncTime.ObserveDuration(d)
	} else {
		s.FollowerSyncTime.ObserveDuration(d)
	}
}

// IncConnectionRejected counts a client connection refused for a limit
// (maxClientCnxns per host, maxCnxns, or a server not running:
// NIOServerCnxnFactory and NIOServerCnxn.doIO: connection_rejected).
func (s *Server) IncConnectionRejected() { s.ConnectionRejected.Inc() }

// IncConnectionRequest counts one ConnectRequest handled
// (ZooKeeperServer.processConnectRequest: connection_request_count).
func (s *Server) IncConnectionRequest() { s.ConnectionRequestCount.Inc() }

// AddBytesReceived counts bytes of client packets received
// (ServerCnxn.packetReceived: bytes_received_count).
func (s *Server) AddBytesReceived(n int64) { s.BytesReceivedCount.Add(n) }

// IncLearnerProposal counts a PROPOSAL a learner received
// (Follower.processPacket: learner_proposal_received_count).
func (s *Server) IncLearnerProposal() { s.LearnerProposalReceivedCount.Inc() }

// IncLearnerCommit counts a COMMIT a learner received
// (Follower/Observer.processPacket: learner_commit_received_count).
func (s *Server) IncLearnerCommit() { s.LearnerCommitReceivedCount.Inc() }

// ObserveQuorumAck records the time from proposal to quorum ack on the
// leader (Leader.tryToCommit: quorum_ack_latency).
func (s *Server) ObserveQuorumAck(d time.Duration) { s.QuorumAckLatency.ObserveDuration(d) }

// ObserveAck records one learner's ack latency, keyed by its sid
// (Leader.processAck: ack_latency).
func (s *Server) ObserveAck(sid string, d time.Duration) { s.AckLatency.ObserveDuration(sid, d) }

// ObserveWrite records the bytes a write carried, keyed by its top-level
// namespace (DataTree.updateWriteStat: write_per_namespace).
func (s *Server) ObserveWrite(namespace string, bytes int64) {
	s.WritePerNamespace.Observe(namespace, bytes)
}

// ObserveRead records the bytes a read returned, keyed by its top-level
// namespace (DataTree.updateReadStat: read_per_namespace).
func (s *Server) ObserveRead(namespace string, bytes int64) {
	s.ReadPerNamespace.Observe(namespace, bytes)
}

// ObserveUnavailable records how long the server served no clients
// (QuorumPeer.setZabState: unavailable_time; leader=true also
// leader_unavailable_time).
func (s *Server) ObserveUnavailable(leader bool, d time.Duration) {
	s.UnavailableTime.ObserveDuration(d)
	if leader {
		s.LeaderUnavailableTime.ObserveDuration(d)
	}
}
