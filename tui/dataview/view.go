package dataview

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/zkctl/zkctl/tui/znode"
)

// View renders the data view in its size: a status line (server, sync,
// session), the tree on the left, the selected node on the right, and the
// view's prompt or message on the last line.
func (m Model) View() string {
	w, h := max(m.width, 40), max(m.height, 6)
	st := m.styles
	head := m.viewHead()
	bodyH := h - 2
	treeW := min(max(w*2/5, 24), w-16)
	tree := m.viewTree(treeW, bodyH)
	detail := m.viewDetail(w-treeW-3, bodyH)
	if m.showSessions {
		detail = m.viewSessions(w-treeW-3, bodyH)
	}
	sep := strings.TrimSuffix(strings.Repeat(" "+st.Dim.Render("│")+" \n", bodyH), "\n")
	body := lipgloss.JoinHorizontal(lipgloss.Top, pad(tree, treeW, bodyH), sep, detail)
	var foot string
	switch {
	case m.searching:
		foot = m.input.View()
	case m.confirm != "":
		foot = st.Warn.Render(m.confirmQ)
	case m.status != "" && m.statusErr:
		foot = st.Error.Render(m.status)
	case m.status != "":
		foot = st.OK.Render(m.status)
	default:
		foot = st.Dim.Render(fmt.Sprintf("%d znodes known · watches on %d nodes' data, %d nodes' children · ? all keys · d back",
			m.tree.Len(), len(m.watchedData), len(m.watchedKids)))
	}
	return clip(head, w, 1) + "\n" + clip(body, w, bodyH) + "\n" + clip(foot, w, 1)
}

func (m Model) viewHead() string {
	st := m.styles
	server := st.Error.Render("no server")
	if len(m.cfg.Servers) > 0 {
		s := m.cfg.Servers[m.cur]
		server = st.Bold.Render(fmt.Sprintf("zk%d", s.ID)) + " " + s.Addr
		if len(m.cfg.Servers) > 1 {
			server += st.Dim.Render(fmt.Sprintf(" (%d/%d)", m.cur+1, len(m.cfg.Servers)))
		}
	}
	var conn string
	switch {
	case m.connErr != "":
		conn = st.Error.Render("✗ " + m.connErr)
	case m.sess == nil && m.state == "connecting":
		conn = st.Warn.Render("connecting…")
	case m.sess == nil:
		conn = st.Dim.Render("not connected")
	case m.state == "StateHasSession":
		conn = st.OK.Render(fmt.Sprintf("session 0x%x", uint64(m.sess.client.SessionID())))
	default:
		conn = st.Warn.Render(strings.TrimPrefix(m.state, "State"))
	}
	sync := st.Dim.Render("sync off: reads may be stale")
	if m.syncOn {
		sync = st.OK.Render("sync on")
	}
	stream := ""
	if r := m.tree.StreamRoot(); r != "" {
		stream = "  " + st.Warn.Render("watching "+r)
	}
	return st.Title.Render("data") + " from " + server + "  " + conn + "  " + sync + "  " + st.Dim.Render("view "+m.mode) + stream
}

// viewTree renders the rows on screen, from m.top.
func (m Model) viewTree(w, h int) string {
	st := m.styles
	rows := m.tree.Rows()
	sel := m.tree.Selected()
	now := m.now()
	var out []string
	for i := m.top; i < len(rows) && len(out) < h; i++ {
		r := rows[i]
		n := r.Node
		marker := "▸"
		switch {
		case r.Expanded:
			marker = "▾"
		case n != nil && n.Stat != nil && n.Stat.NumChildren == 0:
			marker = "·"
		}
		line := strings.Repeat("  ", r.Depth) + marker + " " + r.Name
		var tags []string
		if n != nil && n.Stat != nil {
			if n.Stat.NumChildren > 0 {
				tags = append(tags, fmt.Sprintf("(%d)", n.Stat.NumChildren))
			}
			if n.Stat.EphemeralOwner != 0 {
				tags = append(tags, st.Warn.Render(fmt.Sprintf("eph 0x%x", uint64(n.Stat.EphemeralOwner))))
			}
		}
		if n != nil && n.Event != "" && now.Sub(n.EventAt) < eventMark {
			tags = append(tags, st.Warn.Render("● "+n.Event))
		}
		if n != nil && n.Gone {
			tags = append(tags, st.Error.Render("✗ gone"))
		} else if n != nil && n.Err != "" && !strings.HasPrefix(n.Err, "ACL") {
			tags = append(tags, st.Error.Render("! "+firstWord(n.Err)))
		}
		if len(tags) > 0 {
			line += " " + strings.Join(tags, " ")
		}
		line = clip(line, w, 1)
		if r.Path == sel {
			line = st.Selected.Render(ansi.Strip(line) + strings.Repeat(" ", max(0, w-lipgloss.Width(line))))
		}
		out = append(out, line)
	}
	if p := m.tree.Pending(); p != "" && len(out) < h {
		out = append(out, st.Dim.Render("loading "+p+" …"))
	}
	return clip(strings.Join(out, "\n"), w, h)
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ':'); i > 0 {
		return s[:i]
	}
	return s
}

// viewDetail renders the selected node: data, Stat, ACL, and the stream.
func (m Model) viewDetail(w, h int) string {
	st := m.styles
	sel := m.tree.Selected()
	n := m.tree.Node(sel)
	var out []string
	title := st.Title.Render(sel)
	if n != nil && n.Event != "" && m.now().Sub(n.EventAt) < eventMark {
		title += " " + st.Warn.Render("● "+n.Event+" "+m.now().Sub(n.EventAt).Round(100e6).String()+" ago")
	}
	out = append(out, title)
	switch {
	case n == nil || !n.DataLoaded && n.Err == "" && !n.Gone:
		out = append(out, st.Dim.Render("reading…"))
	case n.Gone:
		out = append(out, st.Error.Render("deleted (no node on this server)"))
	case n.Err != "" && !n.DataLoaded:
		out = append(out, st.Error.Render(n.Err))
	default:
		lines, used := znode.FormatData(n.Data, m.mode)
		size := fmt.Sprintf("%d bytes", len(n.Data))
		out = append(out, st.Dim.Render(fmt.Sprintf("── data (%s, %s)", used, size)))
		budget := max(h-len(out)-16, 3)
		if m.tree.StreamRoot() != "" {
			budget = max(budget-6, 3)
		}
		scroll := min(m.detailScroll, max(len(lines)-budget, 0))
		shown := lines[scroll:min(len(lines), scroll+budget)]
		out = append(out, shown...)
		if rest := len(lines) - scroll - len(shown); rest > 0 {
			out = append(out, st.Dim.Render(fmt.Sprintf("… %d more lines (J/K scroll)", rest)))
		}
		out = append(out, st.Dim.Render("── stat"))
		out = append(out, znode.FormatStat(n.Stat, m.cfg.Location)...)
		out = append(out, st.Dim.Render("── acl"))
		if n.Err != "" {
			out = append(out, st.Error.Render(n.Err))
		} else {
			out = append(out, znode.FormatACL(n.ACL)...)
		}
	}
	if root := m.tree.StreamRoot(); root != "" {
		evs := m.tree.StreamEvents()
		out = append(out, st.Dim.Render(fmt.Sprintf("── events under %s (%d)", root, len(evs))))
		for _, e := range evs[max(0, len(evs)-5):] {
			out = append(out, fmt.Sprintf("%s %-8s %s", e.At.Format("15:04:05.000"), e.Type, e.Path))
		}
	}
	return clip(strings.Join(out, "\n"), w, h)
}

// clip cuts s to w columns and h lines.
func clip(s string, w, h int) string {
	ls := strings.Split(s, "\n")
	if len(ls) > h {
		ls = ls[:h]
	}
	for i, l := range ls {
		if lipgloss.Width(l) > w {
			ls[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(ls, "\n")
}

// pad makes s exactly w columns wide and h lines high.
func pad(s string, w, h int) string {
	ls := strings.Split(s, "\n")
	for len(ls) < h {
		ls = append(ls, "")
	}
	for i, l := range ls {
		if d := w - lipgloss.Width(l); d > 0 {
			ls[i] = l + strings.Repeat(" ", d)
		}
	}
	return strings.Join(ls[:h], "\n")
}
