package quorumpeer

import (
	"cmp"
	"slices"

	"github.com/zkctl/zkctl/election"
)

// lateVotes keeps, per sender, the newest LOOKING notification that
// arrived while this peer was not LOOKING itself, to replay right after the
// peer starts its own election.
//
// NB: when a leader dies, its followers go LOOKING a few milliseconds
// apart, and the first one's notification reaches the others while they
// still follow: FLE answers it with their old vote but does not keep it.
// Without the replay each side waits a notification timeout before hearing
// the other. Replaying the kept notification is the same as receiving it a
// little later, which FLE must tolerate anyway.
type lateVotes struct {
	bySid map[int64]election.Notification
}

// keep records n if it is a LOOKING notification (the newest per sender wins).
func (v *lateVotes) keep(n election.Notification) {
	if n.State != election.Looking {
		return
	}
	if v.bySid == nil {
		v.bySid = map[int64]election.Notification{}
	}
	if old, ok := v.bySid[n.Sid]; ok && old.ElectionEpoch > n.ElectionEpoch {
		return
	}
	v.bySid[n.Sid] = n
}

// take returns the kept notifications of rounds >= round, in sid order,
// and forgets all of them.
func (v *lateVotes) take(round int64) []election.Notification {
	var out []election.Notification
	for _, n := range v.bySid {
		if n.ElectionEpoch >= round {
			out = append(out, n)
		}
	}
	v.bySid = nil
	slices.SortFunc(out, func(a, b election.Notification) int { return cmp.Compare(a.Sid, b.Sid) })
	return out
}
