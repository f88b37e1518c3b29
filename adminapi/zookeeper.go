package adminapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// commandError is the error envelope every 3.8 admin command carries.
type commandError struct {
	Error *string `json:"error"`
}

// PeerOrZooKeeper fetches /commands/peer, and when the server does not know
// that command (Apache ZooKeeper 3.8 answers HTTP 200 with an "Unknown
// command" error) assembles a Peer from 3.8's own zabstate, leader and
// monitor commands: state, epochs, zxid, leader, counts and synced followers.
func (c *Client) PeerOrZooKeeper(ctx context.Context) (*Peer, error) {
	var raw json.RawMessage
	if err := c.get(ctx, "/commands/peer", &raw); err != nil {
		return nil, err
	}
	var ce commandError
	_ = json.Unmarshal(raw, &ce)
	if ce.Error == nil {
		var p Peer
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("admin %s/commands/peer: decode: %w", c.Base, err)
		}
		if p.Implementation == "" {
			p.Implementation = "zkctl"
		}
		return &p, nil
	}
	return c.peerFromZooKeeper(ctx)
}

func (c *Client) peerFromZooKeeper(ctx context.Context) (*Peer, error) {
	var zab struct {
		MyID      int64   `json:"myid"`
		IsLeader  bool    `json:"is_leader"`
		LastZxid  string  `json:"last_zxid"`
		ZabEpoch  int64   `json:"zab_epoch"`
		ZabState  string  `json:"zabstate"`
		Voting    bool    `json:"voting"`
		ErrorText *string `json:"error"`
	}
	if err := c.Command(ctx, "zabstate", &zab); err != nil {
		return nil, err
	}
	var mon map[string]any
	if err := c.Command(ctx, "monitor", &mon); err != nil {
		return nil, err
	}
	var lead struct {
		LeaderID int64 `json:"leader_id"`
	}
	lead.LeaderID = -1
	_ = c.Command(ctx, "leader", &lead) // standalone answers with an error: keep -1
	num := func(k string) int {
		if v, ok := mon[k].(float64); ok {
			return int(v)
		}
		return 0
	}
	zxid, _ := strconv.ParseInt(strings.TrimPrefix(zab.LastZxid, "0x"), 16, 64)
	p := &Peer{
		MyID:            zab.MyID,
		ZabPhase:        zab.ZabState,
		CurrentEpoch:    zab.ZabEpoch,
		AcceptedEpoch:   zab.ZabEpoch,
		LastLoggedZxid:  zxid,
		CommittedZxid:   zxid,
		AppliedZxid:     zxid,
		LeaderID:        lead.LeaderID,
		Sessions:        num("global_sessions"),
		Connections:     num("num_alive_connections"),
		Outstanding:     num("outstanding_requests"),
		Znodes:          num("znode_count"),
		Watches:         num("watch_count"),
		UptimeMs:        int64(num("uptime")),
		SyncedFollowers: num("synced_followers"),
		Voters:          num("quorum_size"),
		Implementation:  "zookeeper",
		Source:          SourceAdmin,
		// 3.8's admin commands carry no pid, no accepted epoch (zab_epoch is
		// derived from the last zxid), no committed/applied split, no votes,
		// no per-learner rows and no request rates.
		Unknown: []string{"pid", "accepted_epoch", "election", "leader_heard_ago_ms", "learners",
			"reads_per_sec", "writes_per_sec", "last_event_seq"},
	}
	if v, ok := mon["version"].(string); ok {
		p.Version = v
	}
	state, _ := mon["server_state"].(string)
	p.State, p.ReadOnly = stateOfMode(state)
	if zab.ZabState == "election" {
		p.State = StateLooking
	}
	p.Election.Vote = Vote{Leader: lead.LeaderID, Zxid: zxid, PeerEpoch: zab.ZabEpoch}
	return p, nil
}

// stateOfMode maps a server mode as 3.8 prints it (srvr's Mode, mntr's
// server_state) to the dashboard's state; a read-only server is LOOKING
// for a quorum and serving read-only clients meanwhile.
func stateOfMode(mode string) (state string, readOnly bool) {
	switch mode {
	case "leader":
		return StateLeading, false
	case "follower":
		return StateFollowing, false
	case "observer":
		return StateObserving, false
	case "standalone":
		return StateStandalone, false
	case "read-only":
		return StateLooking, true
	}
	return StateLooking, false
}
