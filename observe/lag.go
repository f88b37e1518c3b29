package observe

import "time"

// LagZxids is how many transactions a server whose last zxid is z is behind
// a leader at lz. Within one epoch it is the difference of the counters; a
// server still on an older epoch lacks all of the new epoch's transactions,
// i.e. the leader's counter (the dashboard's node table counts the same way).
func LagZxids(lz, z int64) int64 {
	switch {
	case z >= lz:
		return 0
	case lz>>32 != z>>32:
		return lz & 0xffffffff
	}
	return (lz & 0xffffffff) - (z & 0xffffffff)
}

// LagTracker measures lag in seconds across polls. No four-letter word or
// admin command says how old a follower's state is, so the tracker keeps the
// leader's zxid of each poll; a follower at zxid z has been behind since the
// earliest kept poll whose leader zxid it lacks transactions of (LagZxids > 0). That is a lower bound when
// that poll is the first one kept (the follower may have been behind before
// watching began), and it is only as fine as the poll interval.
type LagTracker struct {
	// Keep bounds how far back samples are kept (default 10 minutes).
	Keep    time.Duration
	samples []lagSample
}

type lagSample struct {
	at         time.Time
	leaderZxid int64
}

// Observe records the leader's zxid at time at. Zxids only grow within a
// leader's reign; a smaller one (a new leader that has not yet committed in
// its epoch, or a truncation) starts the history again.
func (t *LagTracker) Observe(at time.Time, leaderZxid int64) {
	if n := len(t.samples); n > 0 && leaderZxid < t.samples[n-1].leaderZxid {
		t.samples = t.samples[:0]
	}
	if n := len(t.samples); n > 0 && leaderZxid == t.samples[n-1].leaderZxid {
		return // the earliest time a zxid was seen is what matters
	}
	t.samples = append(t.samples, lagSample{at: at, leaderZxid: leaderZxid})
	keep := t.Keep
	if keep <= 0 {
		keep = 10 * time.Minute
	}
	i := 0
	for i < len(t.samples)-1 && at.Sub(t.samples[i].at) > keep {
		i++
	}
	t.samples = t.samples[i:]
}

// Behind returns how long a server at zxid z has been behind the leader as
// of time now: zero when it has every zxid of the latest poll. known is
// false when the server is behind but only one poll saw the leader, so no
// duration has been observed.
func (t *LagTracker) Behind(now time.Time, z int64) (d time.Duration, known bool) {
	if len(t.samples) == 0 {
		return 0, false
	}
	for i, s := range t.samples {
		// LagZxids, not >: an epoch's first zxid (counter 0) is no
		// transaction, so a follower at the old epoch's end lacks nothing.
		if LagZxids(s.leaderZxid, z) > 0 {
			if i == 0 && now.Equal(s.at) {
				return 0, false
			}
			return now.Sub(s.at), true
		}
	}
	return 0, true
}
