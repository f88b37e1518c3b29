package timeline

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/zkctl/zkctl/launcher"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from golden (go test ./tui/timeline -update, then review):\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// election is a short election among three servers, a sync, a burst of
// broadcast traffic (folded) and one write shown as arrows.
func election() []launcher.Message {
	base := time.Date(2026, 12, 7, 16, 33, 58, 0, time.UTC)
	at := func(ms int) int64 { return base.Add(time.Duration(ms) * time.Millisecond).UnixNano() }
	vote := func(ms, from, to int, leader int64, state, fault string) launcher.Message {
		return launcher.Message{TimeNs: at(ms), From: from, To: to, Kind: launcher.MsgElection, Type: "notification", Fault: fault,
			Fields: map[string]any{"leader": leader, "zxid": "0x0", "round": "0x1", "state": state}}
	}
	zab := func(ms, from, to int, typ, summary string) launcher.Message {
		return launcher.Message{TimeNs: at(ms), From: from, To: to, Kind: launcher.MsgZab, Type: typ, Summary: summary}
	}
	msgs := []launcher.Message{
		{TimeNs: at(0), From: 3, To: 1, Kind: launcher.MsgElection, Type: "handshake", Fields: map[string]any{"sid": 3}},
		vote(1, 3, 1, 3, "LOOKING", ""),
		vote(2, 1, 3, 1, "LOOKING", "dropped"),
		vote(3, 2, 1, 3, "LOOKING", "duplicated"),
		vote(200, 1, 2, 3, "FOLLOWING", ""),
		zab(400, 1, 3, "FOLLOWERINFO", "FOLLOWERINFO 0x0 sid=1 acceptedEpoch=0x0"),
		zab(402, 3, 1, "LEADERINFO", "LEADERINFO 0x100000000 newEpoch=0x1"),
		zab(405, 1, 3, "ACKEPOCH", "ACKEPOCH 0x0 currentEpoch=0x0"),
		zab(406, 3, 1, "DIFF", "DIFF 0x0"),
		zab(407, 3, 1, "NEWLEADER", "NEWLEADER 0x100000000"),
		zab(410, 3, 1, "UPTODATE", "UPTODATE 0xffffffffffffffff"),
	}
	for i := range 20 {
		msgs = append(msgs, zab(1000+i*10, 3, 1+i%2, "PROPOSAL", "PROPOSAL"), zab(1001+i*10, 1+i%2, 3, "ACK", "ACK"), zab(1002+i*10, 3, 1+i%2, "COMMIT", "COMMIT"))
	}
	msgs = append(msgs, zab(2500, 3, 2, "PROPOSAL", "PROPOSAL 0x100000015 create /a"), zab(2501, 2, 3, "ACK", "ACK 0x100000015"), zab(2502, 3, 2, "COMMIT", "COMMIT 0x100000015 create /a"))
	for i := range msgs {
		msgs[i].Seq = uint64(i + 1)
	}
	return msgs
}

func loaded(w, h int) Model {
	m := New([]int{3, 1, 2}).SetSize(w, h)
	m.loc = time.UTC
	m, _ = m.Update(MessagesMsg{Resp: launcher.MessagesResponse{Messages: election(), Last: 100, Holding: []string{"election"}, Waiting: 2}})
	return m
}

func TestView_Golden(t *testing.T) {
	golden(t, "timeline_100x24", loaded(100, 24).View())
	m := loaded(100, 12)
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("e")})
	golden(t, "timeline_election_100x12", m.View())
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")})
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")})
	golden(t, "timeline_election_zk2_100x12", m.View())
}

func TestUpdate_KeysScrollFilterAndRunLines(t *testing.T) {
	m := loaded(100, 10)
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("k")})
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("k")})
	if m.scroll != 2 {
		t.Fatalf("scroll %d after two k", m.scroll)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")})
	if m.scroll != 0 {
		t.Fatalf("scroll %d after G", m.scroll)
	}
	for k, want := range map[string]string{"H": "hold election", ".": "step", "R": "release"} {
		km := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		if !m.Handles(km) {
			t.Fatalf("%s not handled", k)
		}
		_, cmd := m.Update(km)
		if got := cmd().(LineMsg).Line; got != want {
			t.Fatalf("%s ran %q, want %q", k, got, want)
		}
	}
	if m.Handles(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}) {
		t.Fatal("x is the dashboard's kill key, not the timeline's")
	}
	// A repeated answer adds nothing.
	n := len(m.msgs)
	m, _ = m.Update(MessagesMsg{Resp: launcher.MessagesResponse{Messages: election()}})
	if len(m.msgs) != n {
		t.Fatalf("%d messages after a repeated answer, want %d", len(m.msgs), n)
	}
}
