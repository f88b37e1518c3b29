package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/launcher"
)

// viewDetail shows the selected server: counters, the votes it received in
// the current or last round, and on a leader one progress bar per learner.
func (m Model) viewDetail(s clusterSummary, now time.Time) string {
	st := m.styles
	if len(m.nodes) == 0 {
		return ""
	}
	n := m.nodes[m.selected]
	title := st.Title.Render(fmt.Sprintf("── zk%d ", n.id)) + st.state(n.displayState(now))
	if n.lastErr != nil {
		title += "  " + st.Error.Render(trunc(n.lastErr.Error(), 60))
	}
	out := []string{title}
	p := n.last
	if p == nil {
		if n.proc.exitCode != nil {
			out = append(out, st.Error.Render(fmt.Sprintf("exited with code %d", *n.proc.exitCode)))
		}
		out = append(out, st.Dim.Render("no answer from "+n.admin+" yet"))
		return strings.Join(out, "\n")
	}
	out = append(out, fmt.Sprintf("zxid %s committed %s applied %s  znodes %s watches %s sess %s conn %s out %s",
		hexZxid(p.LastLoggedZxid), hexZxid(p.CommittedZxid), hexZxid(p.AppliedZxid), known(p, "znodes", p.Znodes),
		known(p, "watches", p.Watches), known(p, "sessions", p.Sessions), known(p, "connections", p.Connections), known(p, "outstanding", p.Outstanding)))
	if p.Source != "" {
		line := "source " + p.Source + " " + n.admin
		if len(p.Refused) > 0 {
			line += "  whitelist refuses " + strings.Join(p.Refused, ",")
		}
		if len(p.Unknown) > 0 {
			line += "  cannot tell: " + strings.Join(p.Unknown, ",")
		}
		out = append(out, st.Dim.Render(line))
	}
	if p.State != adminapi.StateStandalone && p.Known("election") {
		leader := "leader ?"
		if p.LeaderID >= 0 {
			leader = fmt.Sprintf("leader zk%d heard %s ago", p.LeaderID, shortAge(time.Duration(p.LeaderHeardAgoMs)*time.Millisecond))
		}
		out = append(out, fmt.Sprintf("round %d  vote zk%d %s e%d  %s  zab %s", p.Election.Round, p.Election.Vote.Leader,
			hexZxid(p.Election.Vote.Zxid), p.Election.Vote.PeerEpoch, leader, p.ZabPhase))
		if len(p.Election.Received) > 0 {
			// One vote per sender: the freshest.
			latest := map[int64]adminapi.ReceivedVote{}
			for _, v := range p.Election.Received {
				if old, ok := latest[v.From]; !ok || v.AgeMs < old.AgeMs {
					latest[v.From] = v
				}
			}
			votes := make([]adminapi.ReceivedVote, 0, len(latest))
			for _, v := range latest {
				votes = append(votes, v)
			}
			sort.Slice(votes, func(i, j int) bool { return votes[i].From < votes[j].From })
			parts := make([]string, 0, len(votes))
			for _, v := range votes {
				parts = append(parts, fmt.Sprintf("%d→%d %s", v.From, v.Vote.Leader, abbrevState(v.State)))
			}
			out = append(out, "votes "+strings.Join(parts, "  "))
		}
	}
	if p.State != adminapi.StateStandalone && !p.Known("election") {
		line := "leader " + known(p, "leader_id", "zk"+fmt.Sprint(p.LeaderID))
		if p.LeaderID < 0 && p.Known("leader_id") {
			line = "leader none"
		}
		out = append(out, line+"  zab "+known(p, "zab_phase", p.ZabPhase))
	}
	for _, l := range p.Learners {
		out = append(out, m.viewLearner(l))
	}
	return strings.Join(out, "\n")
}

func abbrevState(s string) string {
	switch s {
	case adminapi.StateLooking:
		return "LOOK"
	case adminapi.StateFollowing:
		return "FOLL"
	case adminapi.StateLeading:
		return "LEAD"
	case adminapi.StateObserving:
		return "OBS"
	}
	return s
}

// viewLearner renders one learner's sync progress as a bar.
func (m Model) viewLearner(l adminapi.Learner) string {
	frac := 1.0
	switch {
	case l.BytesTotal > 0:
		frac = float64(l.BytesSent) / float64(l.BytesTotal)
	case l.PacketsTotal > 0:
		frac = float64(l.PacketsSent) / float64(l.PacketsTotal)
	case !l.Synced:
		frac = 0
	}
	mode := l.SyncMode
	if mode == "" {
		mode = "-"
	}
	role := "F"
	if l.Role == "observer" {
		role = "O"
	}
	return fmt.Sprintf(" %s%-2d %-5s %-5s %s %d/%d pk %s acked %s q%d rtt %.1fms",
		role, l.ID, shortPhase(l.Phase), mode, progressBar(frac, 10), l.PacketsSent, l.PacketsTotal,
		humanBytes(l.BytesSent), hexZxid(l.AckedZxid), l.Queued, l.PingRTTMs)
}

func shortPhase(p string) string {
	switch p {
	case adminapi.PhaseDiscovery:
		return "disc"
	case adminapi.PhaseSync:
		return "sync"
	case adminapi.PhaseBroadcast:
		return "bcast"
	}
	return p
}

// progressBar draws a w-cell bar for frac in [0,1].
func progressBar(frac float64, w int) string {
	frac = min(max(frac, 0), 1)
	full := int(frac*float64(w) + 0.5)
	return "[" + strings.Repeat("█", full) + strings.Repeat("░", w-full) + "]"
}

func humanBytes(b int64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.1fMB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1fKB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%dB", b)
}

// viewLinks renders the N×N matrix of directed links: row = from, column = to.
func (m Model) viewLinks() string {
	if m.cfg.Controller == nil || len(m.nodes) == 0 {
		return ""
	}
	st := m.styles
	modes := map[[2]int]launcher.LinkState{}
	for _, l := range m.cluster.Links {
		modes[[2]int{l.From, l.To}] = l
	}
	head := "→  "
	for _, n := range m.nodes {
		head += fmt.Sprintf("%-2d", n.id)
	}
	out := []string{st.Title.Render("links"), st.Dim.Render(head)}
	for _, from := range m.nodes {
		row := fmt.Sprintf("%-3d", from.id)
		for _, to := range m.nodes {
			if from.id == to.id {
				row += st.Dim.Render("· ")
				continue
			}
			l, ok := modes[[2]int{from.id, to.id}]
			switch {
			case !ok || l.Mode == launcher.ModeOK:
				row += st.LinkOK.Render("o ")
			case l.Mode == launcher.ModeCut:
				row += st.LinkCut.Render("X ")
			case l.Mode == launcher.ModeSlow:
				row += st.LinkSlow.Render("~ ")
			case l.Mode == launcher.ModeReject:
				row += st.LinkReject.Render("R ")
			default:
				row += "? "
			}
		}
		out = append(out, row)
	}
	out = append(out, st.Dim.Render("o ok X cut ~ slow R rej"))
	return strings.Join(out, "\n")
}

// viewEvents renders the newest events that fit in h lines, filtered by the
// search string, scrolled by logScroll.
func (m Model) viewEvents(w, h int) string {
	if h < 2 {
		return ""
	}
	st := m.styles
	title := "── events"
	if m.search != "" {
		title += fmt.Sprintf(" matching %q", m.search)
	}
	if m.logScroll > 0 {
		title += fmt.Sprintf(" (scrolled %d)", m.logScroll)
	}
	if m.focus == panelEvents {
		title += " ◂"
	}
	var matched []logLine
	for _, l := range m.log {
		if m.search == "" || strings.Contains(strings.ToLower(l.text+" "+l.source), strings.ToLower(m.search)) {
			matched = append(matched, l)
		}
	}
	end := len(matched) - m.logScroll
	if end < 0 {
		end = 0
	}
	start := max(0, end-(h-1))
	out := []string{st.Title.Render(title)}
	for _, l := range matched[start:end] {
		who := "     "
		if l.node != 0 {
			who = fmt.Sprintf("zk%-3d", l.node)
		}
		text := fmt.Sprintf("%s %s %-8s %s", l.at.Format("15:04:05.000"), who, trunc(l.source, 8), l.text)
		if l.err {
			text = st.Error.Render(text)
		}
		out = append(out, clip(text, w, 1))
	}
	return strings.Join(out, "\n")
}

// viewFooter shows whatever modal layer is active, else the flash message,
// and always the short help.
func (m Model) viewFooter(w int) string {
	st := m.styles
	var top string
	switch {
	case m.inputMode != "":
		top = m.input.View()
	case m.confirm != nil:
		top = st.Warn.Render(confirmQuestion(m.confirm.line))
	case m.menu != nil:
		items := make([]string, len(m.menu))
		for i, it := range m.menu {
			label := fmt.Sprintf("%d %s", i+1, it.label)
			if i == m.menuCursor {
				label = st.Selected.Render(label)
			}
			items[i] = label
		}
		top = st.Prompt.Render("partition: ") + strings.Join(items, "  ")
	case m.askQuit:
		top = st.Warn.Render("quit: [y] stop the cluster  [n] leave it running (zkctl status / zkctl down)  [esc] stay")
	case m.flash != "":
		if m.flashErr {
			top = st.Error.Render(m.flash)
		} else {
			top = st.Flash.Render(m.flash)
		}
	default:
		if m.cfg.Controller == nil {
			top = st.Dim.Render("read-only: attached with zkctl top")
		}
	}
	return clip(top, w, 1) + "\n" + clip(m.help.ShortHelpView(m.keys.ShortHelp()), w, 1)
}

// viewFullHelp is the `?` screen: every key, plus custom bindings.
func (m Model) viewFullHelp(w, h int) string {
	st := m.styles
	out := []string{st.Title.Render("keys — every action key runs a line of the chaos language (shown in the event log)")}
	colW := max(18, (w-2)/len(m.keys.FullHelp()))
	var cols []string
	for _, col := range m.keys.FullHelp() {
		var parts []string
		for _, b := range col {
			parts = append(parts, trunc(fmt.Sprintf("%-6s %s", b.Help().Key, b.Help().Desc), colW-1))
		}
		cols = append(cols, lipgloss.NewStyle().Width(colW).Render(strings.Join(parts, "\n")))
	}
	out = append(out, lipgloss.JoinHorizontal(lipgloss.Top, cols...))
	out = append(out, m.viewDataHelp(w)...)
	if len(m.cfg.Bindings) > 0 {
		keys := make([]string, 0, len(m.cfg.Bindings))
		for k := range m.cfg.Bindings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out = append(out, st.Title.Render("bindings (zkctl.yaml)"))
		for _, k := range keys {
			out = append(out, fmt.Sprintf("  %-8s %s", k, m.cfg.Bindings[k]))
		}
	}
	out = append(out, st.Dim.Render("any key closes this help"))
	return clip(strings.Join(out, "\n"), w, h)
}
