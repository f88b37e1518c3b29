package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/zkctl/zkctl/chaos"
	"github.com/zkctl/zkctl/launcher"
	"github.com/zkctl/zkctl/tui/dataview"
)

// The data view (key d): the dashboard's side of tui/dataview. It owns
// the routing; the view owns its session, tree and keys.

// newDataView builds the data view over the targets' client addresses.
// With a launcher, edits run through it (recorded, replayable); without
// one (zkctl top) they run through the view's own session.
func newDataView(cfg Config, st Styles) dataview.Model {
	dc := dataview.Config{Auth: cfg.DataAuth, Dial: cfg.DataDial, Location: cfg.Location}
	for _, t := range cfg.Targets {
		if t.Client != "" {
			dc.Servers = append(dc.Servers, dataview.Server{ID: t.ID, Addr: t.Client})
		}
	}
	if ctl := cfg.Controller; ctl != nil {
		dc.Run = func(ctx context.Context, line string) (string, error) {
			return ctl.RunLine(launcher.WithSource(ctx, launcher.SourceKey), line)
		}
	}
	return dataview.New(dc, dataview.Styles{Title: st.Title, Dim: st.Dim, Bold: st.Bold, Selected: st.Selected,
		Error: st.Error, Warn: st.Warn, OK: st.OK})
}

// dataSize is the area under the node table the data view draws in.
func (m Model) dataSize() (int, int) {
	used := 2 + 1 + len(m.nodes) + 2 // header, table, footer
	return max(m.width, 40), max(m.height-used, 6)
}

// updateData routes a data view message, logging the lines it ran and
// opening the prompt it asks for.
func (m Model) updateData(msg dataview.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case dataview.PromptMsg:
		m.inputMode = "prompt"
		m.input.Prompt = ": "
		m.input.SetValue(msg.Text)
		m.input.CursorEnd()
		m.histPos = len(m.history)
		return m, m.input.Focus()
	case dataview.LineDoneMsg:
		if msg.Err != nil {
			m.addLog(logLine{at: m.now(), source: "data", text: msg.Line + ": " + msg.Err.Error(), err: true})
		} else {
			m.addLog(logLine{at: m.now(), source: "data", text: msg.Line + " → " + firstLine(msg.Output)})
		}
	}
	var cmd tea.Cmd
	m.data, cmd = m.data.Update(msg)
	return m, cmd
}

// dataKey handles d (open/close the view) and, while it is open, every
// key but the dashboard's own prompt, help and quit.
func (m Model) dataKey(k tea.KeyMsg) (tea.Model, tea.Cmd, bool) {
	if !m.dataOn {
		if key.Matches(k, m.keys.Data) {
			m.dataOn = true
			m.data = m.data.SetSize(m.dataSize())
			var cmd tea.Cmd
			m.data, cmd = m.data.Open()
			return m, cmd, true
		}
		return m, nil, false
	}
	if !m.data.Modal() {
		switch {
		case key.Matches(k, m.keys.Data), k.String() == "esc":
			m.dataOn = false
			return m, nil, true
		case key.Matches(k, m.keys.Prompt), key.Matches(k, m.keys.Help), key.Matches(k, m.keys.Quit):
			return m, nil, false
		}
	}
	m.data = m.data.SetSize(m.dataSize())
	var cmd tea.Cmd
	m.data, cmd = m.data.Update(k)
	return m, cmd, true
}

// isDataLine says whether every command of line is a data command.
func isDataLine(line string) bool {
	p, err := chaos.ParseLine(line)
	if err != nil || len(p.Stmts) == 0 {
		return false
	}
	for _, s := range p.Stmts {
		if _, ok := s.(chaos.DataStmt); !ok {
			return false
		}
	}
	return true
}

// startData runs a data line through the data view when there is no
// launcher (zkctl top); with one, start sends it to the launcher as any
// other line, so it is recorded.
func (m Model) startData(line string) (tea.Model, tea.Cmd, bool) {
	if m.cfg.Controller != nil || !isDataLine(line) {
		return m, nil, false
	}
	if !m.data.Connected() {
		m.dataOn = true
		m.data = m.data.SetSize(m.dataSize())
		var open tea.Cmd
		m.data, open = m.data.Open()
		m2, flash := m.setFlash("connecting the data view first: run "+line+" again once it shows the tree", true)
		return m2, tea.Batch(open, flash), true
	}
	m.addLog(logLine{at: m.now(), source: "prompt", text: "▶ " + line})
	var cmd tea.Cmd
	m.data, cmd = m.data.Run(line)
	return m, cmd, true
}

// viewWithData draws the header and node table (so a lagging follower is
// in sight), the data view under them, and the footer with its keys.
func (m Model) viewWithData(header, table string, w, h int) string {
	dw, dh := m.dataSize()
	foot := m.viewFooter(w)
	if i := strings.IndexByte(foot, '\n'); i >= 0 {
		foot = foot[:i]
	}
	if strings.TrimSpace(ansi.Strip(foot)) == "" || foot == m.styles.Dim.Render("read-only: attached with zkctl top") {
		foot, dh = "", dh+1 // the data view's own last line says what it needs
	} else {
		foot += "\n"
	}
	body := header + "\n" + table + "\n" + m.data.SetSize(dw, dh).View()
	foot += clip(m.help.ShortHelpView(append(m.data.Keys().ShortHelp(), m.keys.Data, m.keys.Help)), w, 1)
	if pad := h - lines(body) - lines(foot); pad > 0 {
		body += strings.Repeat("\n", pad)
	}
	return clip(body, w, h-lines(foot)) + "\n" + foot
}

// viewDataHelp is the data view's part of the ? screen.
func (m Model) viewDataHelp(w int) []string {
	st := m.styles
	out := []string{st.Title.Render("data view (d) — edits are chaos lines: create PATH \"DATA\" [-e|-s|-c|-t TTL] · set PATH \"DATA\" [-v N] · delete [-r] PATH")}
	groups := m.data.Keys().FullHelp()
	colW := max(18, (w-2)/len(groups))
	var cols []string
	for _, col := range groups {
		var parts []string
		for _, b := range col {
			parts = append(parts, trunc(b.Help().Key+" "+b.Help().Desc, colW-1))
		}
		cols = append(cols, lipgloss.NewStyle().Width(colW).Render(strings.Join(parts, "\n")))
	}
	return append(out, lipgloss.JoinHorizontal(lipgloss.Top, cols...))
}
