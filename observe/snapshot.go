package observe

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zkctl/zkctl/adminapi"
)

// SchemaVersion is the "schema" of the JSON snapshot. It changes only when
// a field changes meaning or goes away; new fields may appear without it.
const SchemaVersion = 1

// Snapshot is one look at the ensemble: `zkctl top --once --json` prints it.
type Snapshot struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema"`
	// Connect is the connect string (or --servers list) asked for.
	Connect string `json:"connect"`
	// Health is the exit status; HealthName names it; Reasons explain it.
	Health     Health   `json:"health"`
	HealthName string   `json:"health_name"`
	Reasons    []string `json:"reasons"`
	// Leader is the single leader's myid, null when there is none.
	Leader *int64 `json:"leader"`
	// Voters is the configuration's voter count; Serving how many serve the leader.
	Voters  int `json:"voters"`
	Serving int `json:"serving"`
	// Servers are the members in discovery order.
	Servers []ServerStatus `json:"servers"`
}

// ServerStatus is one server in a Snapshot. A null field is one the source
// cannot tell (listed in Unknown as well), never a zero posing as a value.
type ServerStatus struct {
	// ID is the myid, null when unknown.
	ID *int64 `json:"id"`
	// Address is the client port; Admin the AdminServer when it was used.
	Address string `json:"address"`
	Admin   string `json:"admin,omitempty"`
	// Source is "admin" or "4lw".
	Source string `json:"source"`
	// Reachable is false when the server did not answer; Error says why.
	Reachable bool   `json:"reachable"`
	Error     string `json:"error,omitempty"`
	// State is LEADING, FOLLOWING, OBSERVING, LOOKING, STANDALONE or DOWN.
	State string `json:"state"`
	// Observer is true for a non-voting member.
	Observer bool `json:"observer"`
	// LeaderID is whom the server follows (itself on the leader).
	LeaderID *int64 `json:"leader_id"`
	// Zxid is the last zxid in hex; Epoch its high half.
	Zxid  *string `json:"zxid"`
	Epoch *int64  `json:"epoch"`
	// LagZxids and LagSeconds measure how far behind the leader it is.
	LagZxids   *int64   `json:"lag_zxids"`
	LagSeconds *float64 `json:"lag_seconds"`
	// ReadOnly is true in read-only mode.
	ReadOnly bool `json:"read_only"`
	// Version is the server's version string.
	Version string `json:"version,omitempty"`
	// Counts of live objects on this server.
	Connections *int `json:"connections"`
	Sessions    *int `json:"sessions"`
	Znodes      *int `json:"znodes"`
	Watches     *int `json:"watches"`
	// SyncedFollowers is the leader's count of synced followers.
	SyncedFollowers *int `json:"synced_followers,omitempty"`
	// Unknown lists what the source cannot tell; Refused the four-letter
	// words the server's whitelist refused.
	Unknown []string `json:"unknown"`
	Refused []string `json:"refused"`
}

// Result is one poll of one server.
type Result struct {
	// Server is who was polled.
	Server Server
	// Peer is the answer, nil on error.
	Peer *adminapi.Peer
	// Err is why there is no answer.
	Err error
}

// Poll reads every server once, concurrently, each through its source.
func Poll(ctx context.Context, servers []Server, o Options) []Result {
	out := make([]Result, len(servers))
	forEach(len(servers), func(i int) {
		s := servers[i]
		pctx, cancel := context.WithTimeout(ctx, o.timeout()*3)
		defer cancel()
		var p *adminapi.Peer
		var err error
		if s.Admin != "" {
			p, err = adminapi.NewClient(s.Admin, o.timeout()).PeerOrZooKeeper(pctx)
			if err == nil && p.Source == "" {
				p.Source = adminapi.SourceAdmin
			}
		} else {
			p, err = adminapi.NewFourLW(s.Client, o.timeout()).Peer(pctx)
		}
		out[i] = Result{Server: s, Peer: p, Err: err}
	})
	return out
}

// ObserveRound feeds one round of results to the tracker: the leader's zxid,
// when exactly one server leads.
func (t *LagTracker) ObserveRound(at time.Time, rs []Result) {
	var lz int64
	leaders := 0
	for _, r := range rs {
		if r.Peer != nil && r.Peer.State == adminapi.StateLeading && r.Peer.Known("last_logged_zxid") {
			lz = r.Peer.LastLoggedZxid
			leaders++
		}
	}
	if leaders == 1 {
		t.Observe(at, lz)
	}
}

// Build turns one round of results into a Snapshot judged against th;
// tracker (may be nil) gives the seconds of lag as of now.
func Build(connect string, rs []Result, tracker *LagTracker, now time.Time, th Thresholds) Snapshot {
	snap := Snapshot{Schema: SchemaVersion, Connect: connect, Reasons: []string{}, Servers: []ServerStatus{}}
	var leaderZxid int64
	leaders := 0
	voters := 0
	for _, r := range rs {
		if p := r.Peer; p != nil && p.State == adminapi.StateLeading {
			leaders++
			if p.Known("last_logged_zxid") {
				leaderZxid = p.LastLoggedZxid
			}
		}
		if p := r.Peer; p != nil && p.Known("voters") && p.Voters > voters {
			voters = p.Voters
		}
	}
	views := make([]View, 0, len(rs))
	for _, r := range rs {
		st, v := status(r, leaders == 1, leaderZxid, tracker, now)
		snap.Servers = append(snap.Servers, st)
		views = append(views, v)
	}
	verdict := Assess(views, voters, th)
	snap.Health, snap.HealthName, snap.Voters, snap.Serving = verdict.Health, verdict.Health.String(), verdict.Voters, verdict.Serving
	if verdict.Reasons != nil {
		snap.Reasons = verdict.Reasons
	}
	if verdict.Leader >= 0 && verdict.Health != Unreachable {
		l := verdict.Leader
		snap.Leader = &l
	}
	return snap
}

func status(r Result, oneLeader bool, leaderZxid int64, tracker *LagTracker, now time.Time) (ServerStatus, View) {
	s := r.Server
	st := ServerStatus{Address: cmp.Or(s.Client, s.Admin), Admin: s.Admin, Source: s.Source(), Observer: s.Observer,
		Unknown: []string{}, Refused: []string{}, State: "DOWN"}
	if s.ID > 0 {
		id := s.ID
		st.ID = &id
	}
	v := View{ID: s.ID, Observer: s.Observer}
	if r.Err != nil || r.Peer == nil {
		st.Error = fmt.Sprint(r.Err)
		v.Err = st.Error
		return st, v
	}
	p := r.Peer
	st.Reachable, v.Reachable = true, true
	st.State, v.State = p.State, p.State
	if p.State == adminapi.StateObserving {
		st.Observer, v.Observer = true, true
	}
	st.ReadOnly, v.ReadOnly = p.ReadOnly, p.ReadOnly
	st.Version = p.Version
	st.Unknown = append(st.Unknown, p.Unknown...)
	slices.Sort(st.Unknown)
	st.Refused = append(st.Refused, p.Refused...)
	if p.Known("myid") && (p.MyID > 0 || st.ID == nil) {
		id := p.MyID
		st.ID, v.ID = &id, id
	}
	if p.Known("leader_id") && p.LeaderID >= 0 {
		l := p.LeaderID
		st.LeaderID = &l
		v.LeaderID, v.LeaderKnown = l, true
	}
	if p.Known("last_logged_zxid") {
		z, e := fmt.Sprintf("0x%x", p.LastLoggedZxid), p.LastLoggedZxid>>32
		st.Zxid, st.Epoch = &z, &e
		v.Epoch = e
		if oneLeader && (p.State == adminapi.StateFollowing || p.State == adminapi.StateObserving || p.State == adminapi.StateLeading) {
			lag := LagZxids(leaderZxid, p.LastLoggedZxid)
			st.LagZxids, v.LagZxids = &lag, &lag
			if tracker != nil {
				if d, ok := tracker.Behind(now, p.LastLoggedZxid); ok {
					sec := d.Round(time.Millisecond).Seconds()
					st.LagSeconds, v.LagSeconds = &sec, &sec
				}
			}
		}
	}
	intp := func(field string, n int) *int {
		if !p.Known(field) {
			return nil
		}
		return &n
	}
	st.Connections, st.Sessions = intp("connections", p.Connections), intp("sessions", p.Sessions)
	st.Znodes, st.Watches = intp("znodes", p.Znodes), intp("watches", p.Watches)
	if p.State == adminapi.StateLeading {
		st.SyncedFollowers = intp("synced_followers", p.SyncedFollowers)
	}
	return st, v
}

// WriteJSON prints the snapshot as indented JSON.
func WriteJSON(w io.Writer, s Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteTable prints the snapshot as a plain table for people and for logs
// (no colour: callers print it when stdout is not a terminal, or on --once).
func WriteTable(w io.Writer, s Snapshot) error {
	leader := "none"
	if s.Leader != nil {
		leader = fmt.Sprint(*s.Leader)
	}
	fmt.Fprintf(w, "%s: %s, leader %s, %d of %d voters serving\n", s.Connect, s.HealthName, leader, s.Serving, s.Voters)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tADDRESS\tSOURCE\tSTATE\tZXID\tLAG\tLAG(s)\tCONNS\tNOTES")
	q := "?" // what the source cannot tell
	for _, sv := range s.Servers {
		id, zxid, lag, lagS, conns := q, q, q, q, q
		if sv.ID != nil {
			id = fmt.Sprint(*sv.ID)
		}
		if sv.Observer {
			id += "o"
		}
		if sv.Zxid != nil {
			zxid = *sv.Zxid
		}
		if sv.LagZxids != nil {
			lag = fmt.Sprint(*sv.LagZxids)
		}
		if sv.LagSeconds != nil {
			lagS = fmt.Sprintf("%.1f", *sv.LagSeconds)
		}
		if sv.Connections != nil {
			conns = fmt.Sprint(*sv.Connections)
		}
		var notes []string
		if sv.Error != "" {
			notes = append(notes, sv.Error)
			zxid, lag, lagS, conns = "-", "-", "-", "-"
		}
		if sv.ReadOnly {
			notes = append(notes, "read-only")
		}
		if len(sv.Refused) > 0 {
			notes = append(notes, "whitelist refuses "+strings.Join(sv.Refused, ","))
		}
		if len(notes) == 0 {
			notes = append(notes, "-")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, sv.Address, sv.Source, sv.State, zxid, lag, lagS, conns, strings.Join(notes, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range s.Reasons {
		fmt.Fprintln(w, "  "+r)
	}
	return nil
}
