package tui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/launcher"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// fakeController records lines and serves a fixed status.
type fakeController struct {
	mu     sync.Mutex
	lines  []string
	status launcher.ClusterStatus
}

func (f *fakeController) Status(context.Context) (launcher.ClusterStatus, error) {
	return f.status, nil
}
func (f *fakeController) Do(context.Context, launcher.Action) error { return nil }
func (f *fakeController) RunLine(_ context.Context, line string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = append(f.lines, line)
	return "ok", nil
}

func newTestModel(t *testing.T, n int, ctl launcher.Controller) Model {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Name = "local"
	cfg.Controller = ctl
	for i := 1; i <= n; i++ {
		cfg.Targets = append(cfg.Targets, Target{ID: i, Admin: "127.0.0.1:1"})
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.now = func() time.Time { return t0 }
	return m
}

func peer(id int64, state string, leader int64, epoch int64, zxid int64) *adminapi.Peer {
	return &adminapi.Peer{MyID: id, PID: 1000 + int(id), State: state, ZabPhase: adminapi.PhaseBroadcast,
		AcceptedEpoch: epoch, CurrentEpoch: epoch, LastLoggedZxid: zxid, CommittedZxid: zxid, AppliedZxid: zxid,
		LeaderID: leader, Voters: 5, Sessions: 2, Connections: 2, Znodes: 12,
		Election: adminapi.Election{Round: 3, Vote: adminapi.Vote{Leader: leader, Zxid: zxid, PeerEpoch: epoch, ElectionEpoch: 3}}}
}

// fiveHealthy feeds a 5-server ensemble led by 3 into m.
func fiveHealthy(m Model) Model {
	for i := 0; i < 5; i++ {
		id := int64(i + 1)
		st := adminapi.StateFollowing
		if id == 3 {
			st = adminapi.StateLeading
		}
		p := peer(id, st, 3, 2, 0x200000010-int64(i%2))
		if id == 3 {
			for _, l := range []int64{1, 2, 4, 5} {
				p.Learners = append(p.Learners, adminapi.Learner{ID: l, Role: "follower", Phase: adminapi.PhaseBroadcast,
					SyncMode: "DIFF", PacketsSent: 8, PacketsTotal: 8, BytesSent: 2048, BytesTotal: 2048, AckedZxid: 0x200000010, Synced: true, PingRTTMs: 0.4})
			}
			p.Election.Received = []adminapi.ReceivedVote{{From: 1, State: "LOOKING", Vote: adminapi.Vote{Leader: 3}}, {From: 2, State: "LOOKING", Vote: adminapi.Vote{Leader: 3}}}
		}
		mm, _ := m.Update(statusMsg{node: i, seq: 1, peer: p, at: t0})
		m = mm.(Model)
	}
	return m
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func press(t *testing.T, m Model, keys ...string) (Model, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range keys {
		var mm tea.Model
		mm, cmd = m.Update(keyMsg(k))
		m = mm.(Model)
	}
	return m, cmd
}

// runCmd executes a command and returns its message (no batches expected).
func runCmd(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("expected a command")
	}
	return cmd()
}

func TestSummarize(t *testing.T) {
	m := fiveHealthy(newTestModel(t, 5, nil))
	s := summarize(m.nodes, t0)
	if s.leader != 3 || !s.quorum || s.serving != 5 || s.voters != 5 || s.epoch != 2 || s.splitBrain() {
		t.Fatalf("healthy summary wrong: %+v", s)
	}
	// Three servers down: no quorum.
	for _, i := range []int{0, 1, 3} {
		m.nodes[i].proc = procInfo{known: true, running: false}
	}
	s = summarize(m.nodes, t0)
	if s.quorum || s.serving != 2 {
		t.Fatalf("want NO QUORUM with 2 serving, got %+v", s)
	}
	// Two leaders: split brain, the higher epoch wins.
	m = fiveHealthy(newTestModel(t, 5, nil))
	m.nodes[0].last = peer(1, adminapi.StateLeading, 1, 1, 0x100000003)
	s = summarize(m.nodes, t0)
	if !s.splitBrain() || s.leader != 3 {
		t.Fatalf("split brain: %+v", s)
	}
}

func TestStatus_StaleAnswersDroppedAndLastGoodKept(t *testing.T) {
	m := newTestModel(t, 3, nil)
	mm, _ := m.Update(statusMsg{node: 0, seq: 2, peer: peer(1, adminapi.StateLeading, 1, 1, 5), at: t0})
	m = mm.(Model)
	// A late answer to poll 1 must not overwrite poll 2.
	mm, _ = m.Update(statusMsg{node: 0, seq: 1, peer: peer(1, adminapi.StateLooking, 1, 1, 5), at: t0})
	m = mm.(Model)
	if m.nodes[0].last.State != adminapi.StateLeading {
		t.Fatalf("stale answer applied: %s", m.nodes[0].last.State)
	}
	// An error keeps the last good answer; after staleAfter it shows STALE.
	mm, _ = m.Update(statusMsg{node: 0, seq: 3, err: errors.New("connection refused"), at: t0})
	m = mm.(Model)
	if m.nodes[0].last == nil || m.nodes[0].displayState(t0) != adminapi.StateLeading {
		t.Fatalf("last good answer lost: %+v", m.nodes[0])
	}
	if got := m.nodes[0].displayState(t0.Add(3 * time.Second)); got != stateStale {
		t.Fatalf("want STALE, got %s", got)
	}
	// A node that never answered and errors is DOWN, never a crash.
	mm, _ = m.Update(statusMsg{node: 1, seq: 1, err: errors.New("refused"), at: t0})
	m = mm.(Model)
	if got := m.nodes[1].displayState(t0); got != stateDown {
		t.Fatalf("want DOWN, got %s", got)
	}
	_ = m.View()
}

func TestPollTick_GenerationChain(t *testing.T) {
	m := newTestModel(t, 2, nil)
	mm, cmd := m.Update(pollTickMsg{gen: 0})
	m = mm.(Model)
	if cmd == nil || m.nodes[0].seq != 1 || m.nodes[1].seq != 1 {
		t.Fatalf("tick did not poll: seq %d %d", m.nodes[0].seq, m.nodes[1].seq)
	}
	// `+` starts a new generation; the old chain dies on its next tick.
	m, _ = press(t, m, "+")
	if m.gen != 1 || m.every != 125*time.Millisecond {
		t.Fatalf("faster: gen %d every %s", m.gen, m.every)
	}
	mm, cmd = m.Update(pollTickMsg{gen: 0})
	if cmd != nil || mm.(Model).nodes[0].seq != 1 {
		t.Fatal("old generation tick still polls")
	}
}

func TestKeys_AreChaosLines(t *testing.T) {
	ctl := &fakeController{}
	cases := []struct {
		keys []string
		want string
	}{
		{[]string{"j", "x", "y"}, "kill 2"},
		{[]string{"3", "s", "y"}, "stop 3"},
		{[]string{"4", "S"}, "start 4"},
		{[]string{"r", "y"}, "restart 1"},
		{[]string{"5", "p", "y"}, "pause 5"},
		{[]string{"down", "down", "i", "y"}, "isolate 3"},
		{[]string{"h"}, "heal"},
		{[]string{"X", "y"}, "kill leader"},
		{[]string{"w"}, "load 50/s"},
		{[]string{"P", "down", "enter", "y"}, "partition leader"},
		{[]string{"P", "3", "y"}, "partition ring"},
		{[]string{"F5", "y"}, "partition halves; wait 5s; heal"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.keys, " "), func(t *testing.T) {
			m := newTestModel(t, 5, ctl)
			m.cfg.Bindings = map[string]string{"F5": "partition halves; wait 5s; heal"}
			m = fiveHealthy(m)
			m, cmd := press(t, m, c.keys...)
			msg, ok := runCmd(t, cmd).(actionDoneMsg)
			if !ok || msg.line != c.want {
				t.Fatalf("want line %q, got %#v", c.want, msg)
			}
			mm, _ := m.Update(msg)
			last := mm.(Model).log[len(mm.(Model).log)-1]
			if !strings.Contains(last.text, c.want) {
				t.Fatalf("event log does not show the line: %+v", last)
			}
		})
	}
}

func TestBindings_FunctionKeyNamesAnyCase(t *testing.T) {
	ctl := &fakeController{}
	cfg := DefaultConfig()
	cfg.Controller = ctl
	cfg.Targets = []Target{{ID: 1, Admin: "127.0.0.1:1"}}
	cfg.Bindings = map[string]string{"F5": "heal", "X": "kill 1"}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyF5})
	if msg := runCmd(t, cmd).(actionDoneMsg); msg.line != "heal" {
		t.Fatalf("F5 ran %q", msg.line)
	}
}

func TestKeys_DestructiveNeedsConfirmation(t *testing.T) {
	m := fiveHealthy(newTestModel(t, 5, &fakeController{}))
	m, cmd := press(t, m, "x")
	if cmd != nil || m.confirm == nil || m.confirm.line != "kill 1" {
		t.Fatalf("kill ran without confirmation: %+v", m.confirm)
	}
	m, cmd = press(t, m, "n")
	if cmd == nil || m.confirm != nil {
		t.Fatal("n should cancel (with a flash clear command)")
	}
	if _, ok := cmd().(clearFlashMsg); !ok {
		t.Fatal("cancel must not run the action")
	}
}

func TestPrompt_RunsAnyLineAndKeepsHistory(t *testing.T) {
	ctl := &fakeController{}
	m := fiveHealthy(newTestModel(t, 5, ctl))
	m, _ = press(t, m, ":")
	for _, r := range "wait leader within 10s" {
		m, _ = press(t, m, string(r))
	}
	m, cmd := press(t, m, "enter")
	msg := runCmd(t, cmd).(actionDoneMsg)
	if msg.line != "wait leader within 10s" || msg.source != "prompt" {
		t.Fatalf("prompt line: %+v", msg)
	}
	m, _ = press(t, m, ":", "up")
	if m.input.Value() != "wait leader within 10s" {
		t.Fatalf("history: %q", m.input.Value())
	}
}

func TestReadOnly_TopRefusesActionsAndQuitsDirectly(t *testing.T) {
	m := fiveHealthy(newTestModel(t, 5, nil))
	m, _ = press(t, m, "X")
	if !m.flashErr || !strings.Contains(m.flash, "read-only") {
		t.Fatalf("want read-only flash, got %q", m.flash)
	}
	_, cmd := press(t, m, "q")
	if _, ok := runCmd(t, cmd).(tea.QuitMsg); !ok {
		t.Fatal("q should quit a read-only dashboard at once")
	}
}

func TestQuit_AsksStopOrLeave(t *testing.T) {
	m := fiveHealthy(newTestModel(t, 5, &fakeController{}))
	m, cmd := press(t, m, "q")
	if cmd != nil || !m.askQuit {
		t.Fatal("q should ask first")
	}
	m, cmd = press(t, m, "y")
	if _, ok := runCmd(t, cmd).(tea.QuitMsg); !ok || m.QuitChoice() != QuitStopCluster {
		t.Fatal("y should quit and stop the cluster")
	}
}

func TestSearch_FiltersEventLog(t *testing.T) {
	m := fiveHealthy(newTestModel(t, 5, nil))
	m.addLog(logLine{at: t0, node: 2, source: "state", text: "LOOKING → FOLLOWING"})
	m.addLog(logLine{at: t0, node: 4, source: "sync", text: "SNAP from zk3"})
	m, _ = press(t, m, "/", "S", "N", "A", "P", "enter")
	out := ansi.Strip(m.viewEvents(80, 10))
	if !strings.Contains(out, "SNAP from zk3") || strings.Contains(out, "LOOKING → FOLLOWING") {
		t.Fatalf("search did not filter:\n%s", out)
	}
}

func TestLag(t *testing.T) {
	s := clusterSummary{leader: 3, leaderZxid: 0x200000005}
	cases := []struct {
		zxid int64
		want int64
	}{{0x200000005, 0}, {0x200000002, 3}, {0x100000009, 5}, {0x200000007, 0}}
	for _, c := range cases {
		n := nodeState{last: &adminapi.Peer{LastLoggedZxid: c.zxid}}
		if got := lag(n, s); got != c.want {
			t.Errorf("lag(0x%x) = %d, want %d", c.zxid, got, c.want)
		}
	}
}

func TestElectionTiming(t *testing.T) {
	now := t0
	m := newTestModel(t, 3, nil)
	m.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		mm, _ := m.Update(statusMsg{node: i, seq: 1, peer: peer(int64(i+1), adminapi.StateLooking, 3, 1, 0), at: now})
		m = mm.(Model)
	}
	now = now.Add(420 * time.Millisecond)
	states := []string{adminapi.StateFollowing, adminapi.StateFollowing, adminapi.StateLeading}
	for i := 0; i < 3; i++ {
		p := peer(int64(i+1), states[i], 3, 1, 0)
		p.Voters = 3
		mm, _ := m.Update(statusMsg{node: i, seq: 2, peer: p, at: now})
		m = mm.(Model)
	}
	if m.lastElection != 420*time.Millisecond {
		t.Fatalf("election took %s, want 420ms", m.lastElection)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from golden (run go test ./tui -update and review):\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func viewAt(t *testing.T, m Model, w, h int) string {
	t.Helper()
	mm, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	out := ansi.Strip(mm.(Model).View())
	for i, l := range strings.Split(out, "\n") {
		if ansi.StringWidth(l) > w {
			t.Fatalf("line %d is %d wide, over %d: %q", i, ansi.StringWidth(l), w, l)
		}
	}
	if n := strings.Count(out, "\n") + 1; n > h {
		t.Fatalf("view has %d lines, over %d", n, h)
	}
	return out
}

func goldenModel(t *testing.T) Model {
	ctl := &fakeController{}
	m := newTestModel(t, 5, ctl)
	m = fiveHealthy(m)
	code := 137
	mm, _ := m.Update(clusterMsg{status: launcher.ClusterStatus{Name: "local", Leader: 3,
		Nodes: []launcher.NodeStatus{{ID: 1, PID: 1001, Running: true}, {ID: 2, PID: 1002, Running: true, Faults: []string{"isolated"}},
			{ID: 3, PID: 1003, Running: true}, {ID: 4, PID: 1004, Running: true}, {ID: 5, PID: 1005, ExitCode: &code}},
		Links: []launcher.LinkState{{From: 2, To: 1, Mode: launcher.ModeCut}, {From: 1, To: 2, Mode: launcher.ModeCut}, {From: 4, To: 3, Mode: launcher.ModeSlow}}}})
	m = mm.(Model)
	m.selected = 2
	m.addLog(logLine{at: t0.Add(-2 * time.Second), node: 3, source: "state", text: "LOOKING → LEADING"})
	m.addLog(logLine{at: t0.Add(-time.Second), source: "key x", text: "▶ kill 5"})
	m.spark = []float64{10, 40, 80, 120, 60, 0, 100}
	m.lastElection = 312 * time.Millisecond
	return m
}

func TestView_Golden80x24(t *testing.T) {
	golden(t, "view_80x24", viewAt(t, goldenModel(t), 80, 24))
}

func TestView_Golden140x45(t *testing.T) {
	golden(t, "view_140x45", viewAt(t, goldenModel(t), 140, 45))
}

func TestView_HelpAndNoData(t *testing.T) {
	m := newTestModel(t, 3, &fakeController{})
	out := viewAt(t, m, 80, 24)
	if !strings.Contains(out, "no answer from") || !strings.Contains(out, "NO QUORUM") {
		t.Fatalf("empty dashboard should say so:\n%s", out)
	}
	m, _ = press(t, m, "?")
	out = viewAt(t, m, 80, 24)
	if !strings.Contains(out, "kill leader") || !strings.Contains(out, "partition") {
		t.Fatalf("help screen incomplete:\n%s", out)
	}
}

func TestLauncherEvents_MergedOnceAndFiltered(t *testing.T) {
	m := newTestModel(t, 3, &fakeController{})
	evs := []launcher.Event{
		{Seq: 1, Time: t0, Kind: "action", Message: "kill 2 (from do)"},
		{Seq: 2, Time: t0, Kind: "state", Node: 2, Message: "FOLLOWING -> down"},
		{Seq: 3, Time: t0, Kind: "exited", Node: 2, Message: "pid 7 killed"},
	}
	mm, _ := m.Update(launcherEventsMsg{events: evs, last: 3})
	mm, _ = mm.Update(launcherEventsMsg{events: evs, last: 3}) // repeated answer
	got := mm.(Model).log
	if len(got) != 2 || got[0].text != "kill 2 (from do)" || got[1].source != "exited" {
		t.Fatalf("merged launcher events wrong: %+v", got)
	}
}

func TestRoundMsg_AppliesEveryAnswerOnce(t *testing.T) {
	m := newTestModel(t, 2, nil)
	round := roundMsg{msgs: []tea.Msg{
		statusMsg{node: 0, seq: 1, peer: peer(1, adminapi.StateLeading, 1, 1, 3), at: t0},
		statusMsg{node: 1, seq: 1, peer: peer(2, adminapi.StateFollowing, 1, 1, 3), at: t0},
		eventsMsg{node: 1, events: []adminapi.Event{{Seq: 4, TimeUnixMs: t0.UnixMilli(), Kind: "sync", Message: "DIFF"}}},
	}}
	mm, cmd := m.Update(round)
	got := mm.(Model)
	if cmd != nil || got.nodes[0].last == nil || got.nodes[1].last.State != adminapi.StateFollowing || got.nodes[1].eventSeq != 4 {
		t.Fatalf("round not applied: %+v", got.nodes)
	}
}

// A server read through four-letter words shows "?" where its source cannot
// tell (pid, votes, accepted epoch) and names the words its whitelist
// refused; followers without a leader id still count towards the quorum.
func TestFourLW_UnknownsShownAsQuestionMarks(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Name = "top"
	for i := 1; i <= 3; i++ {
		cfg.Targets = append(cfg.Targets, Target{ID: i, Client: fmt.Sprintf("127.0.0.1:%d", 2180+i)})
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.now = func() time.Time { return t0 }
	if n := len(m.fetches()); n != 3 {
		t.Fatalf("%d fetches per round, want 3: 4lw targets have no event feed", n)
	}
	unknown := []string{"accepted_epoch", "election", "leader_id", "pid", "zab_phase"}
	for i := 0; i < 3; i++ {
		p := &adminapi.Peer{MyID: int64(i + 1), State: adminapi.StateFollowing, LeaderID: -1, LastLoggedZxid: 0x100000002, CurrentEpoch: 1,
			Voters: 3, Source: adminapi.SourceFourLW, Unknown: unknown, Refused: []string{"mntr"}}
		if i == 2 {
			p.State, p.LeaderID, p.Unknown = adminapi.StateLeading, 3, unknown[:4:4]
		}
		mm, _ := m.Update(statusMsg{node: i, seq: 1, peer: p, at: t0})
		m = mm.(Model)
	}
	s := summarize(m.nodes, t0)
	if s.leader != 3 || !s.quorum || s.serving != 3 {
		t.Fatalf("summary: %+v", s)
	}
	out := viewAt(t, m, 120, 40)
	for _, want := range []string{"?/1", "whitelist refuses mntr", "source 4lw 127.0.0.1:2181"} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q:\n%s", want, out)
		}
	}
}

// TestImplLabel: the IMPL cell prefers the launcher's implementation and
// version, else names what the admin port says (3.8's "zookeeper" as apache,
// its long monitor version cut to the release).
func TestImplLabel(t *testing.T) {
	n := nodeState{proc: procInfo{impl: "apache 3.8.0"}}
	if got := n.implLabel(); got != "apache 3.8.0" {
		t.Fatalf("launcher's label: got %q", got)
	}
	n = nodeState{last: &adminapi.Peer{Implementation: "zookeeper", Version: "3.8.0-5a02a05eddb59aee6ac762f7ea82e92a68eb9c0f, built on 2022-02-25"}}
	if got := n.implLabel(); got != "apache 3.8.0" {
		t.Fatalf("from the admin port: got %q", got)
	}
	if got := (nodeState{}).implLabel(); got != "-" {
		t.Fatalf("unknown: got %q", got)
	}
}

// An Apache server's EPOCH under `zkctl up` is the launcher's (read from its
// currentEpoch file), the value `zkctl status` shows, not 3.8's zab_epoch,
// which is the last zxid's epoch: a follower synced by an empty DIFF is in
// epoch 2 with a zxid of epoch 1. Without a launcher the admin port's stays.
func TestApacheEpochFromLauncher(t *testing.T) {
	apache := func(id int64, state string) *adminapi.Peer {
		p := peer(id, state, 1, 1, 0x100000005)
		p.AcceptedEpoch, p.Implementation = 0, "zookeeper"
		p.Unknown = []string{"accepted_epoch", "election", "pid"}
		return p
	}
	feed := func(m Model) Model {
		for i := 0; i < 3; i++ {
			st := adminapi.StateFollowing
			if i == 0 {
				st = adminapi.StateLeading
			}
			mm, _ := m.Update(statusMsg{node: i, seq: 1, peer: apache(int64(i+1), st), at: t0})
			m = mm.(Model)
		}
		return m
	}

	top := feed(newTestModel(t, 3, nil))
	if out := viewAt(t, top, 140, 45); !strings.Contains(out, "?/1 ") {
		t.Fatalf("without a launcher the admin port's epoch is shown:\n%s", out)
	}

	m := feed(newTestModel(t, 3, &fakeController{}))
	var nodes []launcher.NodeStatus
	for id := 1; id <= 3; id++ {
		nodes = append(nodes, launcher.NodeStatus{ID: id, PID: 2000 + id, Running: true, Impl: "apache", Version: "3.8.0", Epoch: 2})
	}
	mm, _ := m.Update(clusterMsg{status: launcher.ClusterStatus{Name: "local", Leader: 1, Nodes: nodes}})
	m = mm.(Model)
	out := viewAt(t, m, 140, 45)
	if strings.Count(out, "?/2 ") != 3 || strings.Contains(out, "?/1 ") {
		t.Fatalf("want the launcher's epoch 2 in every EPOCH cell:\n%s", out)
	}
	if s := summarize(m.nodes, t0); s.epoch != 2 || s.leader != 1 {
		t.Fatalf("summary epoch %d leader %d, want 2 and 1", s.epoch, s.leader)
	}
}

// U upgrades the selected server to the implementation it does not run,
// after a confirmation that names the target, as the chaos line `upgrade N
// --impl X`; n cancels; an unknown implementation runs nothing.
func TestKeys_UpgradeToTheOtherImpl(t *testing.T) {
	ctl := &fakeController{}
	m := fiveHealthy(newTestModel(t, 5, ctl))
	mm, _ := m.Update(clusterMsg{status: launcher.ClusterStatus{Name: "local", Leader: 3, Nodes: []launcher.NodeStatus{
		{ID: 1, Running: true, Impl: "zkctl", Version: "0.1.0"}, {ID: 2, Running: true, Impl: "apache", Version: "3.8.0"}}}})
	m = mm.(Model)

	for _, c := range []struct {
		keys      []string
		line, ask string
	}{
		{[]string{"1", "U"}, "upgrade 1 --impl apache", "upgrade 1 to apache? [y/N]"},
		{[]string{"2", "U"}, "upgrade 2 --impl zkctl", "upgrade 2 to zkctl? [y/N]"},
	} {
		got, cmd := press(t, m, c.keys...)
		if cmd != nil || got.confirm == nil || got.confirm.line != c.line {
			t.Fatalf("%v: want a confirmation of %q, got %+v", c.keys, c.line, got.confirm)
		}
		if out := viewAt(t, got, 120, 40); !strings.Contains(out, c.ask) {
			t.Fatalf("%v: footer lacks %q:\n%s", c.keys, c.ask, out)
		}
		if c, _ := press(t, got, "n"); c.confirm != nil || !strings.Contains(c.flash, "cancelled") {
			t.Fatalf("n should cancel: confirm %+v flash %q", c.confirm, c.flash)
		}
		got, cmd = press(t, got, "y")
		msg, ok := runCmd(t, cmd).(actionDoneMsg)
		if !ok || msg.line != c.line || msg.source != "key U" {
			t.Fatalf("y ran %#v, want %q from key U", msg, c.line)
		}
		if last := got.log[len(got.log)-1]; !strings.Contains(last.text, c.line) {
			t.Fatalf("event log does not show the line: %+v", last)
		}
	}

	// Server 3's implementation: fiveHealthy's peers do not say, nor does the launcher.
	got, _ := press(t, m, "3", "U")
	if got.confirm != nil || !got.flashErr || !strings.Contains(got.flash, "not known") {
		t.Fatalf("unknown implementation: confirm %+v flash %q", got.confirm, got.flash)
	}
	if len(ctl.lines) != 2 {
		t.Fatalf("lines run: %v", ctl.lines)
	}
	m, _ = press(t, m, "?")
	if out := viewAt(t, m, 140, 45); !regexp.MustCompile(`U +upgrade to other impl`).MatchString(out) {
		t.Fatalf("? lacks the upgrade key:\n%s", out)
	}
}
