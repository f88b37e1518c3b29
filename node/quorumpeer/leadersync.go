package quorumpeer

import (
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/serve"
)

// leaderSyncs makes a client's sync on the leader linearizable. 3.8
// answers it locally at once, so a deposed leader (paused, partitioned)
// answers sync+read with stale data until it notices the lost quorum. Here
// a sync is answered at once only while a quorum of voters has answered a
// PING sent less than half of syncLimit ticks ago (no follower of that
// quorum can have abandoned this leader yet, so no newer leader exists);
// otherwise it waits until a quorum answers a PING sent after the sync
// arrived, or the leadership ends and the connection is closed.
type leaderSyncs struct {
	myid   int64
	voters []int64
	lease  time.Duration
	acked  map[int64]time.Time // voter sid -> send time of the newest PING it answered
	held   []time.Time         // arrival times of held syncs, oldest first
}

func newLeaderSyncs(myid int64, voters []int64, lease time.Duration) *leaderSyncs {
	return &leaderSyncs{myid: myid, voters: voters, lease: lease, acked: map[int64]time.Time{}}
}

// pingAnswered records that learner sid answered a PING sent at sent.
func (ls *leaderSyncs) pingAnswered(sid int64, sent time.Time) {
	if sent.After(ls.acked[sid]) {
		ls.acked[sid] = sent
	}
}

// quorumSince reports whether a quorum of voters (this leader included)
// answered PINGs sent at or after t.
func (ls *leaderSyncs) quorumSince(t time.Time) bool {
	n := 0
	for _, v := range ls.voters {
		if v == ls.myid || !ls.acked[v].Before(t) {
			n++
		}
	}
	return n > len(ls.voters)/2
}

// admit queues a local sync in seq: released at once under the lease,
// held otherwise.
func (ls *leaderSyncs) admit(r *serve.Request, seq *serve.Sequencer, now time.Time) {
	if r.Type != jute.OpSync || r.Err != jute.ErrOK || ls.quorumSince(now.Add(-ls.lease)) {
		seq.Add(r, serve.SeqRead)
		return
	}
	seq.Add(r, serve.SeqSync)
	ls.held = append(ls.held, now)
}

// release answers the held syncs that a quorum has confirmed since.
func (ls *leaderSyncs) release(seq *serve.Sequencer) {
	for len(ls.held) > 0 && ls.quorumSince(ls.held[0]) {
		ls.held = ls.held[1:]
		seq.Synced()
	}
}
