package observe

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/adminapi"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestParseConnectString(t *testing.T) {
	for _, tc := range []struct {
		in     string
		addrs  []string
		chroot string
		bad    string
	}{
		{in: "127.0.0.1:2181", addrs: []string{"127.0.0.1:2181"}},
		{in: "zk1:2181,zk2:2182,zk1:2181/app/x", addrs: []string{"zk1:2181", "zk2:2182"}, chroot: "/app/x"},
		{in: "zk1, zk2:2888", addrs: []string{"zk1:2181", "zk2:2888"}},
		{in: "[::1]:2181,[fe80::1]", addrs: []string{"[::1]:2181", "[fe80::1]:2181"}},
		{in: "zk1:2181/", addrs: []string{"zk1:2181"}},
		{in: "", bad: "empty"},
		{in: "zk1:2181,,zk2", bad: "empty host"},
		{in: "zk1:99999", bad: "not 1-65535"},
		{in: "zk1:abc", bad: "not 1-65535"},
		{in: ":2181", bad: "bad host"},
		{in: "::1:2181", bad: "brackets"},
		{in: "zk1:2181/app/", bad: "chroot"},
		{in: "http://zk1:2181", bad: "not a valid path"},
		{in: "zk1@x:2181", bad: "bad host"},
	} {
		addrs, chroot, err := ParseConnectString(tc.in)
		if tc.bad != "" {
			if !errors.Is(err, ErrBadConnectString) || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("%q: want error with %q, got %v", tc.in, tc.bad, err)
			}
			continue
		}
		if err != nil || !slices.Equal(addrs, tc.addrs) || chroot != tc.chroot {
			t.Errorf("%q: got %v %q %v, want %v %q", tc.in, addrs, chroot, err, tc.addrs, tc.chroot)
		}
	}
}

func FuzzParseConnectString(f *testing.F) {
	f.Add("zk1:2181,[::1]:2182/chroot")
	f.Fuzz(func(t *testing.T, s string) {
		addrs, _, err := ParseConnectString(s)
		if err != nil {
			return
		}
		if len(addrs) == 0 {
			t.Fatal("no error and no address")
		}
		for _, a := range addrs {
			// Every address must parse again as a one-server connect string.
			if again, _, err := ParseConnectString(a); err != nil || len(again) != 1 || again[0] != a {
				t.Fatalf("%q does not round-trip: %v %v", a, again, err)
			}
		}
	})
}

func i64(n int64) *int64     { return &n }
func f64(n float64) *float64 { return &n }

func TestAssess(t *testing.T) {
	up := func(id int64, state string) View {
		return View{ID: id, Reachable: true, State: state, LeaderID: 3, LeaderKnown: state != adminapi.StateLooking}
	}
	down := func(id int64) View { return View{ID: id, Err: "connection refused"} }
	noLeaderID := func(v View) View { v.LeaderKnown = false; return v }
	lagging := func(v View, z int64, s float64) View { v.LagZxids, v.LagSeconds = i64(z), f64(s); return v }
	ro := func(v View) View { v.ReadOnly = true; return v }
	th := DefaultThresholds()
	L, F, O, K := adminapi.StateLeading, adminapi.StateFollowing, adminapi.StateObserving, adminapi.StateLooking
	for _, tc := range []struct {
		name   string
		views  []View
		voters int
		want   Health
		reason string
	}{
		{"three up", []View{up(1, F), up(2, F), up(3, L)}, 3, Healthy, ""},
		{"4lw followers without leader id", []View{noLeaderID(up(1, F)), noLeaderID(up(2, F)), up(3, L)}, 3, Healthy, ""},
		{"small lag is fine", []View{lagging(up(1, F), 3, 0.5), up(2, F), up(3, L)}, 3, Healthy, ""},
		{"one down", []View{down(1), up(2, F), up(3, L)}, 3, Degraded, "server 1 down"},
		{"one looking", []View{up(1, K), up(2, F), up(3, L)}, 3, Degraded, "not serving"},
		{"read-only", []View{ro(up(1, F)), up(2, F), up(3, L)}, 3, Degraded, "read-only"},
		{"lag in zxids", []View{lagging(up(1, F), 5000, 0.1), up(2, F), up(3, L)}, 3, Degraded, "lags 5000 zxids"},
		{"lag in seconds", []View{lagging(up(1, F), 2, 9), up(2, F), up(3, L)}, 3, Degraded, "behind the leader for 9.0s"},
		{"follows another", []View{{ID: 1, Reachable: true, State: F, LeaderID: 2, LeaderKnown: true}, up(2, F), up(3, L)}, 3, Degraded, "follows 2"},
		{"observer down", []View{up(1, F), up(2, F), up(3, L), {ID: 4, Observer: true, Err: "x"}}, 3, Degraded, "server 4 down"},
		{"two down", []View{down(1), down(2), up(3, K)}, 3, NoQuorum, "0 of 3"},
		{"leader alone", []View{down(1), down(2), up(3, L)}, 3, NoQuorum, "1 of 3"},
		{"observers do not make quorum", []View{down(1), down(2), up(3, L), up(4, O)}, 3, NoQuorum, "1 of 3"},
		{"two leaders", []View{up(1, L), up(2, F), up(3, L)}, 3, NoQuorum, "claims to lead: 1, 3"},
		{"members unseen count as voters", []View{up(3, L), up(2, F)}, 5, NoQuorum, "2 of 5"},
		{"all down", []View{down(1), down(2), down(3)}, 3, Unreachable, "no server answered"},
		{"nothing", nil, 0, Unreachable, ""},
		{"standalone", []View{{ID: 0, Reachable: true, State: adminapi.StateStandalone}}, 0, Healthy, ""},
	} {
		v := Assess(tc.views, tc.voters, th)
		if v.Health != tc.want || !strings.Contains(strings.Join(v.Reasons, "|"), tc.reason) {
			t.Errorf("%s: got %v %q, want %v with %q", tc.name, v.Health, v.Reasons, tc.want, tc.reason)
		}
		if tc.want == Healthy && len(v.Reasons) > 0 {
			t.Errorf("%s: healthy with reasons %q", tc.name, v.Reasons)
		}
	}
}

func TestLagTracker(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	var tr LagTracker
	if _, ok := tr.Behind(t0, 5); ok {
		t.Fatal("no samples: unknown")
	}
	tr.Observe(at(0), 10)
	if _, ok := tr.Behind(at(0), 9); ok {
		t.Fatal("behind at the only poll: no duration observed")
	}
	if d, ok := tr.Behind(at(0), 10); !ok || d != 0 {
		t.Fatalf("in sync: %v %v", d, ok)
	}
	tr.Observe(at(1), 10) // same zxid: the earliest time counts
	tr.Observe(at(2), 12)
	tr.Observe(at(3), 15)
	for _, tc := range []struct {
		z    int64
		want float64
	}{{9, 3}, {10, 1}, {11, 1}, {12, 0}, {14, 0}, {15, 0}} {
		if d, ok := tr.Behind(at(3), tc.z); !ok || d.Seconds() != tc.want {
			t.Errorf("zxid %d: %v %v, want %vs", tc.z, d, ok, tc.want)
		}
	}
	tr.Observe(at(4), 0x200000000) // a new epoch keeps growing
	tr.Observe(at(5), 3)           // a smaller zxid restarts the history
	if d, ok := tr.Behind(at(6), 2); !ok || d.Seconds() != 1 {
		t.Fatalf("after restart: %v %v", d, ok)
	}
	if LagZxids(0x200000005, 0x100000009) != 5 || LagZxids(0x100000009, 0x100000004) != 5 || LagZxids(1, 2) != 0 {
		t.Fatal("LagZxids")
	}
}

// goldenResults are one round as three 4lw servers answer it, one of them
// refusing mntr, plus one that is down.
func goldenResults() []Result {
	all := []string{"accepted_epoch", "election", "last_event_seq", "leader_heard_ago_ms", "learners", "pid", "reads_per_sec", "writes_per_sec", "zab_phase"}
	return []Result{
		{Server: Server{ID: 1, Client: "127.0.0.1:2181", Seed: true}, Peer: &adminapi.Peer{MyID: 1, State: adminapi.StateFollowing, LeaderID: -1,
			LastLoggedZxid: 0x100000004, Connections: 1, Znodes: 5, Voters: 3, Source: adminapi.SourceFourLW, Version: "3.8.0",
			Unknown: append(slices.Clone(all), "leader_id", "uptime_ms", "watches"), Refused: []string{"mntr"}}},
		{Server: Server{ID: 2, Client: "127.0.0.1:2182"}, Err: errors.New("4lw srvr to 127.0.0.1:2182: connection refused")},
		{Server: Server{ID: 3, Client: "127.0.0.1:2183"}, Peer: &adminapi.Peer{MyID: 3, State: adminapi.StateLeading, LeaderID: 3,
			LastLoggedZxid: 0x100000007, Connections: 2, Sessions: 2, Znodes: 5, Watches: 1, Voters: 3, SyncedFollowers: 1,
			Source: adminapi.SourceFourLW, Version: "3.8.0", Unknown: slices.Clone(all)}},
	}
}

func TestSnapshot_Golden(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var tr LagTracker
	tr.Observe(t0, 0x100000004)
	tr.Observe(t0.Add(time.Second), 0x100000007)
	snap := Build("127.0.0.1:2181", goldenResults(), &tr, t0.Add(1500*time.Millisecond), DefaultThresholds())
	if snap.Health != Degraded || *snap.Leader != 3 || snap.Serving != 2 {
		t.Fatalf("verdict: %+v", snap)
	}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"snapshot.json.golden", func(b *bytes.Buffer) error { return WriteJSON(b, snap) }},
		{"snapshot.txt.golden", func(b *bytes.Buffer) error { return WriteTable(b, snap) }},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			t.Fatal(err)
		}
		path := "testdata/" + f.name
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if b.String() != string(want) {
			t.Errorf("%s differs (rerun with -update and review):\n%s", path, b.String())
		}
	}
}

// A follower still at the old epoch while the new leader has logged nothing
// in its epoch (zxid 0x100000000, counter 0) lacks no transaction: not behind.
func TestLagTracker_EpochStartIsNoTransaction(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var tr LagTracker
	tr.Observe(t0, 0x100000000)
	if d, ok := tr.Behind(t0.Add(time.Second), 0); !ok || d != 0 {
		t.Fatalf("behind %v %v, want in sync", d, ok)
	}
}
