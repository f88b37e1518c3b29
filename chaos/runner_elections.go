package chaos

import (
	"context"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

// How the runner times elections: from status polls and the launcher's events.

// leaderWatch turns a stream of statuses into elections: each leader
// change with how long the cluster was without a leader (resolution: the
// time between observed statuses).
type leaderWatch struct {
	leader, lostFrom int
	lostAt, lastSeen time.Time
	pending, started bool
}

// observe feeds one status asked for at now and returns a completed
// election, if any. NB: statuses are fetched by the script and by the
// monitor concurrently, so one asked for earlier can arrive later; it is
// dropped, or an old "no leader" would fake an election (5 → 5).
func (w *leaderWatch) observe(st launcher.ClusterStatus, now time.Time) (Election, bool) {
	if now.Before(w.lastSeen) {
		return Election{}, false
	}
	l := leaderNow(st)
	defer func() { w.lastSeen = now }()
	switch {
	case !w.started:
		w.leader, w.started = l, true
		if l == 0 {
			w.pending, w.lostAt = true, now
		}
	case l == w.leader:
	case l == 0:
		w.pending, w.lostAt, w.lostFrom, w.leader = true, now, w.leader, 0
	default:
		e := Election{From: w.leader, To: l, Lost: w.lastSeen, Took: now.Sub(w.lastSeen)}
		if w.pending {
			e = Election{From: w.lostFrom, To: l, Lost: w.lostAt, Took: now.Sub(w.lostAt)}
		}
		w.pending, w.leader = false, l
		return e, true
	}
	return Election{}, false
}

// observe records a status, asked for at asked, in the leader watch when a
// Run is in progress.
func (r *Runner) observe(st launcher.ClusterStatus, asked time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watch == nil {
		return
	}
	if e, ok := r.watch.observe(st, asked); ok {
		r.elections = append(r.elections, e)
		r.cfg.Logger.Info("chaos: leader change", "from", e.From, "to", e.To, "took", e.Took)
	}
}

// monitor polls the status between statements so elections are timed
// even while the script sleeps, and reads the launcher's events (es may be
// nil) often enough that its bounded ring loses none.
func (r *Runner) monitor(ctx context.Context, c Cluster, es launcher.EventSource) {
	for sleepCtx(ctx, r.cfg.PollEvery) == nil {
		asked := time.Now()
		if st, err := c.Status(ctx); err == nil {
			r.observe(st, asked)
		}
		r.readEvents(ctx, es)
	}
}

// readEvents turns the launcher's leader events since the last read into
// elections.
func (r *Runner) readEvents(ctx context.Context, es launcher.EventSource) {
	if es == nil {
		return
	}
	r.mu.Lock()
	since := r.evSeq
	r.mu.Unlock()
	evs, last, err := es.EventsSince(ctx, since, 0)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if last < r.evSeq {
		return // another reader went further meanwhile
	}
	for _, e := range evs {
		if e.Seq <= r.evSeq || e.Kind != launcher.EventKindLeader {
			continue
		}
		took := time.Duration(e.TookMs) * time.Millisecond
		r.evElections = append(r.evElections, Election{From: e.From, To: e.Node, Lost: e.Time.Add(-took), Took: took})
	}
	r.evSeq = last
}
