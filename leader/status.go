package leader

import "slices"

// Status is the leader's state for the admin port.
type Status struct {
	// Phase is the leader's Zab phase.
	Phase Phase
	// Epoch is the epoch being established or led (-1 before it is chosen).
	Epoch int64
	// LastProposed and LastCommitted are zxids.
	LastProposed  int64
	LastCommitted int64
	// Outstanding is the number of proposals waiting for a quorum.
	Outstanding int
	// PendingSyncs is the number of learners' syncs waiting for the
	// proposals before them to commit (3.8's getNumPendingSyncs).
	PendingSyncs int
	// Learners has one row per learner connection, by sid.
	Learners []LearnerStatus
}

// LearnerStatus is the leader's view of one learner connection. The
// driver maps it to the admin port's JSON; the state machine knows nothing
// of that format.
type LearnerStatus struct {
	// ID is the learner's sid.
	ID int64
	// Observer is true for an observer, false for a follower.
	Observer bool
	// Phase is PhaseDiscovery, PhaseSync or PhaseBroadcast: how far this
	// learner has come, not the leader's own phase.
	Phase Phase
	// SyncMode is the sync chosen for the learner (SyncNone before the choice).
	SyncMode SyncMode
	// PacketsSent and PacketsTotal count sync packets handed to the learner.
	PacketsSent, PacketsTotal int64
	// BytesSent and BytesTotal count sync bytes (snapshot or diff).
	BytesSent, BytesTotal int64
	// AckedZxid is the last zxid the learner acknowledged.
	AckedZxid int64
	// Queued is the number of packets handed out but not yet sent.
	Queued int
	// Synced is true once the learner has acknowledged NEWLEADER.
	Synced bool
}

// Status returns the leader's state and one row per learner. PingRTTMs is
// left to the driver, which owns the clock.
func (l *Leader) Status() Status {
	s := Status{Phase: l.phase, Epoch: l.epoch, LastProposed: l.lastProposed, LastCommitted: l.lastCommitted, Outstanding: len(l.outstanding), PendingSyncs: len(l.pendingSyncs)}
	for _, c := range l.order {
		h := l.handlers[c]
		row := LearnerStatus{
			ID:           h.sid,
			Observer:     h.observer,
			SyncMode:     h.mode,
			PacketsTotal: h.syncPackets,
			PacketsSent:  min(h.sentPackets, h.syncPackets),
			BytesTotal:   h.syncBytes,
			BytesSent:    min(h.sentBytes, h.syncBytes),
			AckedZxid:    h.acked,
			Queued:       int(max(0, h.handedOut-h.sentPackets)),
			Synced:       h.phase >= lpUpToDate,
		}
		switch {
		case h.phase >= lpUpToDate && l.phase == PhaseBroadcast:
			row.Phase = PhaseBroadcast
		case h.phase >= lpSync:
			row.Phase = PhaseSync
		default:
			row.Phase = PhaseDiscovery
		}
		s.Learners = append(s.Learners, row)
	}
	slices.SortStableFunc(s.Learners, func(a, b LearnerStatus) int { return int(a.ID - b.ID) })
	return s
}
