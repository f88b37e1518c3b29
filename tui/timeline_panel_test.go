package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/zkctl/zkctl/launcher"
	"github.com/zkctl/zkctl/tui/timeline"
)

// t shows the timeline in place of the detail and event panels; its keys
// scroll and step (running chaos lines like every key), t hides it again.
func TestTimelinePanel_ToggleFeedAndStep(t *testing.T) {
	m := goldenModel(t)
	key := func(m Model, s string) (Model, tea.Cmd) {
		mm, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
		return mm.(Model), cmd
	}
	m, _ = key(m, "t")
	if !m.showTimeline {
		t.Fatal("t did not show the timeline")
	}
	mm, _ := m.Update(timeline.MessagesMsg{Resp: launcher.MessagesResponse{Last: 1, Messages: []launcher.Message{
		{Seq: 1, TimeNs: t0.UnixNano(), From: 3, To: 1, Kind: launcher.MsgElection, Type: "notification",
			Fields: map[string]any{"leader": 3, "zxid": "0x0", "round": "0x1", "state": "LOOKING"}}}}})
	m = mm.(Model)
	out := viewAt(t, m, 100, 30)
	if !strings.Contains(out, "timeline · all messages · 1 logged") || !strings.Contains(out, "vote 3 zxid 0x0 round 0x1 LOOKING") {
		t.Fatalf("view without the timeline:\n%s", out)
	}
	_, cmd := key(m, ".")
	if cmd == nil {
		t.Fatal(". ran nothing")
	}
	mm, _ = m.Update(cmd())
	if got := mm.(Model).log[len(mm.(Model).log)-1].text; got != "▶ step" {
		t.Fatalf("last log line %q, want the step", got)
	}
	m, _ = key(m, "t")
	if m.showTimeline || strings.Contains(viewAt(t, m, 100, 30), "timeline ·") {
		t.Fatal("t did not hide the timeline")
	}
}
