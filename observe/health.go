package observe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/zkctl/zkctl/adminapi"
)

// Health is the exit status of `zkctl top --once`, for monitoring checks.
type Health int

// Health values, worst last but one: a check treats anything non-zero as a problem.
const (
	// Healthy: one leader, every voter serving and in sync, every server up.
	Healthy Health = 0
	// Degraded: a quorum serves, but a server is down, looking, lagging or read-only.
	Degraded Health = 1
	// NoQuorum: no leader with a serving majority, or two servers claim to lead.
	NoQuorum Health = 2
	// Unreachable: no server answered at all.
	Unreachable Health = 3
)

// String names the status as the JSON's health_name does.
func (h Health) String() string {
	switch h {
	case Healthy:
		return "healthy"
	case Degraded:
		return "degraded"
	case NoQuorum:
		return "no-quorum"
	case Unreachable:
		return "unreachable"
	}
	return fmt.Sprintf("health(%d)", int(h))
}

// Thresholds say when a follower counts as lagging.
type Thresholds struct {
	// MaxLagZxids is how many transactions behind the leader a follower may be.
	MaxLagZxids int64
	// MaxLagSeconds is how long a follower may stay behind the leader's zxid
	// of one poll (see LagTracker).
	MaxLagSeconds float64
}

// DefaultThresholds tolerate the normal gap of a loaded ensemble: a
// follower applies a commit a moment after the leader does.
func DefaultThresholds() Thresholds { return Thresholds{MaxLagZxids: 1000, MaxLagSeconds: 5} }

// View is one server as the health decision sees it.
type View struct {
	// ID is the myid (0 when unknown).
	ID int64
	// Reachable is false when the server did not answer; Err says why.
	Reachable bool
	Err       string
	// State is LEADING, FOLLOWING, OBSERVING, LOOKING or STANDALONE.
	State string
	// Observer is true for non-voting members.
	Observer bool
	// LeaderID is whom a follower follows; LeaderKnown is false when the
	// source cannot tell (four-letter words never name a follower's leader).
	LeaderID    int64
	LeaderKnown bool
	// Epoch is the epoch of the server's last zxid, to pick the real one of two leaders.
	Epoch int64
	// LagZxids and LagSeconds measure how far behind the leader it is;
	// nil when unknown.
	LagZxids   *int64
	LagSeconds *float64
	// ReadOnly is true for a server in read-only mode.
	ReadOnly bool
}

// Verdict is the outcome of Assess.
type Verdict struct {
	// Health is the status; Reasons explain every non-healthy finding.
	Health  Health
	Reasons []string
	// Leader is the single leader's id, -1 when there is none (or two).
	Leader int64
	// Serving counts voters that lead or follow the leader; Voters is the
	// configuration's voter count.
	Serving, Voters int
}

// Assess judges an ensemble from its servers' views. voters is the number
// of voting members in the configuration (0: count the non-observer views).
// Pure: the table test in health_test.go pins every rule.
func Assess(views []View, voters int, th Thresholds) Verdict {
	v := Verdict{Leader: -1, Voters: voters}
	if v.Voters <= 0 {
		for _, s := range views {
			if !s.Observer {
				v.Voters++
			}
		}
	}
	name := func(s View) string {
		if s.ID > 0 {
			return fmt.Sprintf("server %d", s.ID)
		}
		return "a server"
	}
	reachable := 0
	var leaders []View
	for _, s := range views {
		if !s.Reachable {
			continue
		}
		reachable++
		if s.State == adminapi.StateLeading {
			leaders = append(leaders, s)
		}
	}
	if reachable == 0 {
		v.Health = Unreachable
		v.Reasons = append(v.Reasons, "no server answered")
		return v
	}
	if len(leaders) > 1 {
		ids := make([]string, len(leaders))
		for i, l := range leaders {
			ids[i] = fmt.Sprint(l.ID)
		}
		v.Health = NoQuorum
		v.Reasons = append(v.Reasons, "more than one server claims to lead: "+strings.Join(ids, ", "))
		return v
	}
	standalone := false
	if len(leaders) == 1 {
		v.Leader = leaders[0].ID
	}
	for _, s := range views {
		if !s.Reachable || s.Observer {
			continue
		}
		switch s.State {
		case adminapi.StateLeading:
			v.Serving++
		case adminapi.StateFollowing:
			// A follower whose leader the source cannot name follows the
			// only leader there is: Zab's broadcast phase has one leader.
			if len(leaders) == 1 && (!s.LeaderKnown || s.LeaderID == v.Leader) {
				v.Serving++
			}
		case adminapi.StateStandalone:
			standalone = true
			v.Serving++
			v.Leader = s.ID
		}
	}
	if standalone && v.Voters <= 1 {
		v.Voters = 1
	}
	var degraded []string
	for _, s := range views {
		switch {
		case !s.Reachable:
			degraded = append(degraded, fmt.Sprintf("%s down: %s", name(s), s.Err))
			continue
		case s.ReadOnly:
			degraded = append(degraded, name(s)+" is read-only")
		case s.State == adminapi.StateLooking:
			degraded = append(degraded, name(s)+" is not serving (looking for a leader)")
		case s.State == adminapi.StateFollowing && s.LeaderKnown && s.LeaderID != v.Leader:
			degraded = append(degraded, fmt.Sprintf("%s follows %d, not the leader", name(s), s.LeaderID))
		}
		if s.LagZxids != nil && *s.LagZxids > th.MaxLagZxids {
			degraded = append(degraded, fmt.Sprintf("%s lags %d zxids behind the leader", name(s), *s.LagZxids))
		}
		if s.LagSeconds != nil && *s.LagSeconds > th.MaxLagSeconds {
			degraded = append(degraded, fmt.Sprintf("%s has been behind the leader for %.1fs", name(s), *s.LagSeconds))
		}
	}
	if v.Leader < 0 || v.Serving <= v.Voters/2 {
		v.Health = NoQuorum
		v.Reasons = append(v.Reasons, fmt.Sprintf("no quorum: %d of %d voters serving a leader", v.Serving, v.Voters))
		v.Reasons = append(v.Reasons, degraded...)
		if v.Serving == 0 {
			v.Leader = -1
		}
		return v
	}
	if len(degraded) > 0 {
		v.Health = Degraded
		v.Reasons = degraded
	}
	slices.Sort(v.Reasons)
	return v
}
