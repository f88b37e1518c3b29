package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/zkctl/zkctl/chaos"
	"github.com/zkctl/zkctl/launcher"
)

// handleKey routes a key press through the modal layers first (prompt,
// search, confirmation, menu, quit question, help) and then the keys.
func (m Model) handleKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case m.inputMode != "":
		return m.handleInputKey(k)
	case m.confirm != nil:
		c := *m.confirm
		m.confirm = nil
		if k.String() == "y" || k.String() == "Y" || k.String() == "enter" {
			return m.start(c.line, c.label, true)
		}
		return m.setFlash("cancelled: "+c.line, false)
	case m.menu != nil:
		return m.handleMenuKey(k)
	case m.askQuit:
		switch k.String() {
		case "y", "Y", "s":
			m.quitChoice, m.quitting = QuitStopCluster, true
			return m, tea.Quit
		case "n", "N", "l":
			m.quitChoice, m.quitting = QuitLeaveRunning, true
			return m, tea.Quit
		}
		m.askQuit = false
		return m, nil
	case m.showHelp:
		m.showHelp = false
		return m, nil
	}

	if mm, cmd, ok := m.dataKey(k); ok {
		return mm, cmd
	}
	// User bindings win over the defaults, so any key can be remapped.
	if line, ok := m.cfg.Bindings[k.String()]; ok {
		return m.start(line, "binding "+k.String(), false)
	}
	if key.Matches(k, m.keys.Timeline) {
		m.showTimeline = !m.showTimeline
		return m, nil
	}
	if m.showTimeline && m.timeline.Handles(k) {
		var cmd tea.Cmd
		m.timeline, cmd = m.timeline.Update(k)
		return m, cmd
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		if m.cfg.Controller == nil || k.String() == "ctrl+c" && m.askQuit {
			m.quitting = true
			return m, tea.Quit
		}
		m.askQuit = true
		return m, nil
	case key.Matches(k, m.keys.Help):
		m.showHelp = true
		return m, nil
	case key.Matches(k, m.keys.Up):
		if m.focus == panelEvents {
			m.logScroll++
		} else if m.selected > 0 {
			m.selected--
		}
		return m, nil
	case key.Matches(k, m.keys.Down):
		if m.focus == panelEvents {
			if m.logScroll > 0 {
				m.logScroll--
			}
		} else if m.selected < len(m.nodes)-1 {
			m.selected++
		}
		return m, nil
	case key.Matches(k, m.keys.PageUp):
		m.logScroll += 5
		return m, nil
	case key.Matches(k, m.keys.PageDown):
		m.logScroll -= 5
		if m.logScroll < 0 {
			m.logScroll = 0
		}
		return m, nil
	case key.Matches(k, m.keys.Jump):
		want := int(k.String()[0] - '0')
		for i, n := range m.nodes {
			if n.id == want {
				m.selected = i
			}
		}
		return m, nil
	case key.Matches(k, m.keys.Tab):
		m.focus = (m.focus + 1) % panelCount
		return m, nil
	case key.Matches(k, m.keys.Faster):
		m.every = m.every / 2
		if m.every < 50e6 {
			m.every = 50e6
		}
		return m.restartPolling()
	case key.Matches(k, m.keys.Slower):
		m.every *= 2
		if m.every > 8e9 {
			m.every = 8e9
		}
		return m.restartPolling()
	case key.Matches(k, m.keys.Prompt):
		m.inputMode = "prompt"
		m.input.Prompt = ": "
		m.input.Placeholder = "kill leader · partition halves · wait leader · load 100/s · heal"
		m.input.SetValue("")
		m.histPos = len(m.history)
		return m, m.input.Focus()
	case key.Matches(k, m.keys.Search):
		m.inputMode = "search"
		m.input.Prompt = "/"
		m.input.Placeholder = "search the event log"
		m.input.SetValue(m.search)
		return m, m.input.Focus()
	case key.Matches(k, m.keys.Upgrade):
		return m.upgradeKey()
	case key.Matches(k, m.keys.Partition):
		m.menu, m.menuCursor = m.partitionMenu(), 0
		return m, nil
	case k.String() == "esc":
		m.search = ""
		m.logScroll = 0
		return m, nil
	}
	if line, ok := m.actionLine(k); ok {
		return m.start(line, "key "+k.String(), false)
	}
	return m, nil
}

// upgradeKey asks to restart the selected server under the implementation
// it does not run — the only other one, so one key and a y suffice — as the
// chaos line `upgrade N --impl X`, which runs and is recorded like any key's.
func (m Model) upgradeKey() (tea.Model, tea.Cmd) {
	id := m.selectedID()
	if id == 0 {
		return m, nil
	}
	impl, _, _ := strings.Cut(m.nodes[m.selected].implLabel(), " ")
	var to string
	switch impl {
	case launcher.ImplZkctl:
		to = launcher.ImplApache
	case launcher.ImplApache:
		to = launcher.ImplZkctl
	default:
		// Guessing could restart a server under the implementation it runs.
		return m.setFlash(fmt.Sprintf("upgrade: server %d's implementation is not known yet", id), true)
	}
	return m.start(fmt.Sprintf("upgrade %d --impl %s", id, to), "key U", false)
}

// confirmQuestion is the confirmation asked before a destructive line runs:
// an upgrade says where to ("upgrade 2 to apache? [y/N]"), since the line
// alone does not show what the server runs now; others quote the line.
func confirmQuestion(line string) string {
	if p, err := chaos.ParseLine(line); err == nil && len(p.Stmts) == 1 {
		if u, ok := p.Stmts[0].(*chaos.UpgradeStmt); ok {
			return fmt.Sprintf("upgrade %d to %s? [y/N]", u.Node, u.Impl)
		}
	}
	return fmt.Sprintf("run %q? [y/N]", line)
}

// restartPolling starts a new tick chain at the new rate; the old chain
// dies at its next tick because its generation no longer matches.
func (m Model) restartPolling() (tea.Model, tea.Cmd) {
	m.gen++
	m2, cmd := m.setFlash("polling every "+m.every.String(), false)
	mm := m2.(Model)
	return mm, tea.Batch(cmd, pollTick(mm.gen, mm.every))
}

func (m Model) handleInputKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch k.String() {
	case "esc":
		m.inputMode = ""
		m.input.Blur()
		return m, nil
	case "enter":
		val := strings.TrimSpace(m.input.Value())
		mode := m.inputMode
		m.inputMode = ""
		m.input.Blur()
		if mode == "search" {
			m.search = val
			m.logScroll = 0
			return m, nil
		}
		if val == "" {
			return m, nil
		}
		m.history = append(m.history, val)
		// A line typed at the prompt is deliberate: no confirmation.
		return m.start(val, "prompt", true)
	case "up":
		if m.inputMode == "prompt" && m.histPos > 0 {
			m.histPos--
			m.input.SetValue(m.history[m.histPos])
			m.input.CursorEnd()
		}
		return m, nil
	case "down":
		if m.inputMode == "prompt" && m.histPos < len(m.history) {
			m.histPos++
			if m.histPos == len(m.history) {
				m.input.SetValue("")
			} else {
				m.input.SetValue(m.history[m.histPos])
			}
			m.input.CursorEnd()
		}
		return m, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	return m, cmd
}

func (m Model) handleMenuKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch k.String() {
	case "esc", "q":
		m.menu = nil
		return m, nil
	case "up", "k":
		if m.menuCursor > 0 {
			m.menuCursor--
		}
		return m, nil
	case "down", "j":
		if m.menuCursor < len(m.menu)-1 {
			m.menuCursor++
		}
		return m, nil
	case "enter":
		item := m.menu[m.menuCursor]
		m.menu = nil
		return m.start(item.line, "key P", false)
	}
	if s := k.String(); len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
		i := int(s[0] - '1')
		if i < len(m.menu) {
			item := m.menu[i]
			m.menu = nil
			return m.start(item.line, "key P", false)
		}
	}
	return m, nil
}
