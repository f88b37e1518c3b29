package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/zkctl/zkctl/adminapi"
)

// View renders the whole screen, sized to the terminal (80×24 and up).
func (m Model) View() string {
	if m.quitting {
		return ""
	}
	w, h := m.width, m.height
	if w < 40 {
		w = 40
	}
	if h < 12 {
		h = 12
	}
	now := m.now()
	s := summarize(m.nodes, now)

	header := m.viewHeader(s, w)
	table := m.viewTable(s, now, w)
	if m.dataOn && !m.showHelp {
		return m.viewWithData(header, table, w, h)
	}
	footer := m.viewFooter(w)
	used := lines(header) + lines(table) + lines(footer)
	rest := h - used
	var middle, events string
	if m.showHelp {
		middle = m.viewFullHelp(w, rest)
	} else if m.showTimeline {
		middle = m.timeline.SetSize(w, rest).View()
	} else {
		detail := m.viewDetail(s, now)
		links := m.viewLinks()
		midH := max(lines(detail), lines(links))
		if maxMid := rest - 4; midH > maxMid {
			midH = max(maxMid, 2)
		}
		linksW := lipgloss.Width(links)
		detailW := w - linksW - 2
		if linksW == 0 {
			detailW = w
		}
		detail = clip(detail, detailW, midH)
		if linksW > 0 {
			middle = lipgloss.JoinHorizontal(lipgloss.Top, lipgloss.NewStyle().Width(detailW).Render(detail), "  ", clip(links, linksW, midH))
		} else {
			middle = detail
		}
		events = m.viewEvents(w, rest-lines(middle))
	}
	parts := []string{header, table, middle}
	if events != "" {
		parts = append(parts, events)
	}
	body := strings.Join(parts, "\n")
	// Pad so the footer sits on the last lines.
	if pad := h - lines(body) - lines(footer); pad > 0 {
		body += strings.Repeat("\n", pad)
	}
	return clip(body, w, h-lines(footer)) + "\n" + footer
}

func lines(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}

// clip cuts s to at most w columns and h lines.
func clip(s string, w, h int) string {
	ls := strings.Split(s, "\n")
	if h >= 0 && len(ls) > h {
		ls = ls[:h]
	}
	for i, l := range ls {
		if lipgloss.Width(l) > w {
			ls[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(ls, "\n")
}

func (m Model) viewHeader(s clusterSummary, w int) string {
	st := m.styles
	leader := st.Error.Render("no leader")
	if s.leader >= 0 {
		leader = "leader " + st.Bold.Render(fmt.Sprintf("zk%d", s.leader)) + fmt.Sprintf(" epoch %d", s.epoch)
	}
	if s.splitBrain() {
		leader = st.Error.Render(fmt.Sprintf("SPLIT BRAIN %v", s.leaders))
	}
	quorum := st.OK.Render(fmt.Sprintf("quorum %d/%d", s.serving, s.voters))
	if !s.quorum {
		quorum = st.Error.Render(fmt.Sprintf("NO QUORUM %d/%d", s.serving, s.voters))
	}
	elect := "election —"
	if !m.electionStart.IsZero() {
		elect = st.Warn.Render("electing " + m.now().Sub(m.electionStart).Round(100*time.Millisecond).String())
	} else if m.lastElection > 0 {
		elect = "last election " + m.lastElection.Round(time.Millisecond).String()
	}
	title := st.Title.Render("zkctl "+m.cfg.Name) + "  " + leader + "  " + quorum + "  " + elect
	load := ""
	if m.workloadOn {
		load = st.Warn.Render(" load on")
	}
	rate := fmt.Sprintf("writes %.0f/s reads %.0f/s ", s.writesPerSec, s.readsPerSec)
	sparkW := w - lipgloss.Width(rate) - lipgloss.Width(load) - 12
	line2 := rate + st.OK.Render(sparkline(m.spark, sparkW)) + load + st.Dim.Render(fmt.Sprintf("  poll %s", m.every))
	return clip(title, w, 1) + "\n" + clip(line2, w, 1)
}

// sparkline renders the last w samples with block characters.
func sparkline(samples []float64, w int) string {
	if w <= 0 {
		return ""
	}
	if len(samples) > w {
		samples = samples[len(samples)-w:]
	}
	blocks := []rune("▁▂▃▄▅▆▇█")
	var maxV float64
	for _, v := range samples {
		maxV = max(maxV, v)
	}
	var b strings.Builder
	for _, v := range samples {
		i := 0
		if maxV > 0 {
			i = int(v / maxV * float64(len(blocks)-1))
		}
		b.WriteRune(blocks[i])
	}
	return b.String()
}

func hexZxid(z int64) string {
	if z < 0 {
		return "-"
	}
	return fmt.Sprintf("0x%x", z)
}

func (m Model) viewTable(s clusterSummary, now time.Time, w int) string {
	st := m.styles
	wide := w >= 110
	// Narrow rows abbreviate IMPL to "zk" or "ap" (zkctl, Apache).
	const narrowRow = "%s%-2v %-2s %-7s %-10s %-7s %-3s %-5s %-11s %-4s %-3s %-8s %s"
	const wideRow = "%s%-3v %-13s %-7s %-10s %-24s %-4s %-10s %-13s %-6s %-5s %-5s %-20s %s"
	cols := fmt.Sprintf(narrowRow, "  ", "ID", "IM", "PID", "STATE", "VOTE", "RND", "EPOCH", "ZXID", "LAG", "SES", "FAULTS", "AGE")
	if wide {
		cols = fmt.Sprintf(wideRow, "  ", "ID", "IMPL", "PID", "STATE", "VOTE (leader zxid epoch)", "RND", "EPOCH a/c", "ZXID", "LAG", "SESS", "CONN", "FAULTS", "AGE")
	}
	out := []string{st.Dim.Render(clip(cols, w, 1))}
	for i, n := range m.nodes {
		state := n.displayState(now)
		pid, vote, round, epochs, zxid, lagS, sess, conns := "-", "-", "-", "-", "-", "-", "-", "-"
		if n.proc.known && n.proc.pid > 0 {
			pid = fmt.Sprint(n.proc.pid)
		} else if n.last != nil && n.last.PID > 0 {
			pid = fmt.Sprint(n.last.PID)
		}
		if p := n.last; p != nil {
			v := p.Election.Vote
			if wide {
				vote = fmt.Sprintf("%d %s e%d", v.Leader, hexZxid(v.Zxid), v.PeerEpoch)
			} else {
				vote = fmt.Sprintf("%d e%d", v.Leader, v.PeerEpoch)
			}
			if v.Leader == 0 && v.Zxid == 0 && p.State == adminapi.StateStandalone {
				vote = "-"
			}
			round = fmt.Sprint(p.Election.Round)
			cur := unknownCell
			if e, ok := n.currentEpoch(); ok {
				cur = fmt.Sprint(e)
			}
			epochs = known(p, "accepted_epoch", p.AcceptedEpoch) + "/" + cur
			zxid = hexZxid(p.LastLoggedZxid)
			lagS = fmt.Sprint(lag(n, s))
			sess = known(p, "sessions", p.Sessions)
			conns = known(p, "connections", p.Connections)
			// What the source (4lw, 3.8's admin commands) cannot tell shows as "?".
			if !p.Known("election") {
				vote, round = unknownCell, unknownCell
			}
			if !p.Known("last_logged_zxid") {
				zxid, lagS = unknownCell, unknownCell
			}
			if pid == "-" && !p.Known("pid") {
				pid = unknownCell
			}
		}
		faults := strings.Join(n.proc.faults, ",")
		if n.proc.exitCode != nil {
			faults = strings.TrimPrefix(faults+fmt.Sprintf(",exit %d", *n.proc.exitCode), ",")
		}
		if faults == "" {
			faults = "-"
		}
		age := "-"
		if !n.fetchedAt.IsZero() {
			age = shortAge(now.Sub(n.fetchedAt))
		}
		sel := "  "
		if i == m.selected {
			sel = "▸ "
		}
		impl := n.implLabel()
		// Pad the state before colouring it so escape codes don't break alignment.
		stateCell := st.state(state) + strings.Repeat(" ", max(0, 10-len(state)))
		var row string
		if wide {
			row = fmt.Sprintf(strings.Replace(wideRow, "%-10s", "%s", 1),
				sel, n.id, trunc(impl, 13), pid, stateCell, vote, round, epochs, zxid, lagS, sess, conns, trunc(faults, 20), age)
		} else {
			row = fmt.Sprintf(strings.Replace(narrowRow, "%-10s", "%s", 1),
				sel, n.id, impl[:min(2, len(impl))], pid, stateCell, trunc(vote, 7), round, trunc(epochs, 5), trunc(zxid, 11), trunc(lagS, 4), sess, trunc(faults, 8), age)
		}
		out = append(out, clip(row, w, 1))
	}
	return strings.Join(out, "\n")
}

// unknownCell marks a value the server's source cannot tell.
const unknownCell = "?"

// known formats v, or unknownCell when p's source cannot tell field.
func known[T any](p *adminapi.Peer, field string, v T) string {
	if !p.Known(field) {
		return unknownCell
	}
	return fmt.Sprint(v)
}

func trunc(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func shortAge(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}

// implLabel is the IMPL cell: the launcher's "apache 3.8.0" or "zkctl
// 0.1.0", else what the admin port says (zkctl top has no launcher), else "-".
func (n nodeState) implLabel() string {
	if n.proc.impl != "" {
		return n.proc.impl
	}
	if p := n.last; p != nil && p.Implementation != "" {
		impl := p.Implementation
		if impl == "zookeeper" {
			impl = "apache"
		}
		v, _, _ := strings.Cut(p.Version, "-") // 3.8's monitor: "3.8.0-<git>, built on <date>"
		return strings.TrimSpace(impl + " " + v)
	}
	return "-"
}
