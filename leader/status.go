package leader

import (
	"slices"

	"github.com/zkctl/zkctl/adminapi"
)

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
	Learners []adminapi.Learner
}

// ZabPhase maps the phase to adminapi's names.
func (p Phase) ZabPhase() string {
	switch p {
	case PhaseDiscovery, PhaseEpochAck:
		return adminapi.PhaseDiscovery
	case PhaseSync:
		return adminapi.PhaseSync
	case PhaseBroadcast:
		return adminapi.PhaseBroadcast
	}
	return adminapi.PhaseElection
}

// Status returns the leader's state and one row per learner. PingRTTMs is
// left to the driver, which owns the clock.
func (l *Leader) Status() Status {
	s := Status{Phase: l.phase, Epoch: l.epoch, LastProposed: l.lastProposed, LastCommitted: l.lastCommitted, Outstanding: len(l.outstanding), PendingSyncs: len(l.pendingSyncs)}
	for _, c := range l.order {
		h := l.handlers[c]
		row := adminapi.Learner{
			ID:           h.sid,
			Role:         "follower",
			PacketsTotal: h.syncPackets,
			PacketsSent:  min(h.sentPackets, h.syncPackets),
			BytesTotal:   h.syncBytes,
			BytesSent:    min(h.sentBytes, h.syncBytes),
			AckedZxid:    h.acked,
			Queued:       int(max(0, h.handedOut-h.sentPackets)),
			Synced:       h.phase >= lpUpToDate,
		}
		if h.observer {
			row.Role = "observer"
		}
		if h.mode != SyncNone {
			row.SyncMode = h.mode.String()
		}
		switch {
		case h.phase >= lpUpToDate && l.phase == PhaseBroadcast:
			row.Phase = adminapi.PhaseBroadcast
		case h.phase >= lpSync:
			row.Phase = adminapi.PhaseSync
		default:
			row.Phase = adminapi.PhaseDiscovery
		}
		s.Learners = append(s.Learners, row)
	}
	slices.SortStableFunc(s.Learners, func(a, b adminapi.Learner) int { return int(a.ID - b.ID) })
	return s
}
