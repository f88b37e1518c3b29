// Package timeline is the dashboard's sequence diagram of the messages the
// launcher's link proxies decoded: one column per server, one arrow per
// message in time order, notifications labelled with their vote and Zab
// packets with their type. Routine broadcast traffic (PROPOSAL, ACK,
// COMMIT, PING) at high rates is folded into counts per second, so that an
// election or a sync stays readable under load.
//
// It follows the bubbles component contract: Update returns the concrete
// Model, View renders it, SetSize sizes it; all I/O happens in Fetch's Cmd.
package timeline

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/zkctl/zkctl/launcher"
)

// maxMessages bounds the messages the panel keeps.
const maxMessages = 5000

// foldAbove is the number of routine messages in one second above which
// they are shown as one line of counts instead of arrows.
const foldAbove = 6

// MessagesMsg carries the answer of one Fetch.
type MessagesMsg struct {
	Resp launcher.MessagesResponse
	Err  error
}

// LineMsg asks the dashboard to run a chaos line (hold, step, release),
// so that it is recorded like every other key.
type LineMsg struct{ Line string }

// KeyMap holds the panel's own keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Newest key.Binding
	Election, Zab, All, Server         key.Binding
	Hold, Step, Release                key.Binding
}

// DefaultKeyMap returns the panel's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "older")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "newer")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page older")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page newer")),
		Newest:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "follow newest")),
		Election: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "election only")),
		Zab:      key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "zab only")),
		All:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all kinds")),
		Server:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "one server / all")),
		Hold:     key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "hold election")),
		Step:     key.NewBinding(key.WithKeys("."), key.WithHelp(".", "step")),
		Release:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "release")),
	}
}

// Model is the timeline panel.
type Model struct {
	keys    KeyMap
	servers []int
	msgs    []launcher.Message
	last    uint64
	dropped int64
	err     error
	width   int
	height  int
	// scroll is how many rows the view is scrolled up from the newest.
	scroll int
	// kind filters by message kind ("" for all).
	kind string
	// server, when nonzero, keeps only messages to or from it.
	server int
	// holding and waiting are the held kinds and held messages.
	holding []string
	waiting int
	loc     *time.Location
}

// New returns a panel with one column per server id.
func New(servers []int) Model {
	s := slices.Clone(servers)
	sort.Ints(s)
	return Model{keys: DefaultKeyMap(), servers: s, width: 80, height: 20, loc: time.Local}
}

// SetSize sets the panel's size in cells.
func (m Model) SetSize(w, h int) Model {
	m.width, m.height = max(w, 40), max(h, 5)
	return m
}

// Since is the newest message seq the panel holds, for the next Fetch.
func (m Model) Since() uint64 { return m.last }

// Fetch reads the messages after since from src.
func Fetch(src launcher.MessageSource, since uint64, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		resp, err := src.Messages(ctx, since, "", 0)
		return MessagesMsg{Resp: resp, Err: err}
	}
}

// Handles reports whether k is one of the panel's keys.
func (m Model) Handles(k tea.KeyMsg) bool {
	for _, b := range []key.Binding{m.keys.Up, m.keys.Down, m.keys.PageUp, m.keys.PageDown, m.keys.Newest,
		m.keys.Election, m.keys.Zab, m.keys.All, m.keys.Server, m.keys.Hold, m.keys.Step, m.keys.Release} {
		if key.Matches(k, b) {
			return true
		}
	}
	return false
}

// Update applies fetched messages and the panel's keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case MessagesMsg:
		m.err = msg.Err
		if msg.Err != nil {
			return m, nil
		}
		m.dropped = msg.Resp.Dropped
		m.holding, m.waiting = msg.Resp.Holding, msg.Resp.Waiting
		for _, x := range msg.Resp.Messages {
			if x.Seq > m.last {
				m.msgs = append(m.msgs, x)
				m.last = x.Seq
			}
		}
		if len(m.msgs) > maxMessages {
			m.msgs = slices.Clone(m.msgs[len(m.msgs)-maxMessages:])
		}
	case tea.KeyMsg:
		line := ""
		switch {
		case key.Matches(msg, m.keys.Up):
			m.scroll++
		case key.Matches(msg, m.keys.Down):
			m.scroll = max(m.scroll-1, 0)
		case key.Matches(msg, m.keys.PageUp):
			m.scroll += max(m.height-4, 1)
		case key.Matches(msg, m.keys.PageDown):
			m.scroll = max(m.scroll-max(m.height-4, 1), 0)
		case key.Matches(msg, m.keys.Newest):
			m.scroll = 0
		case key.Matches(msg, m.keys.Election):
			m.kind = launcher.MsgElection
		case key.Matches(msg, m.keys.Zab):
			m.kind = launcher.MsgZab
		case key.Matches(msg, m.keys.All):
			m.kind = ""
		case key.Matches(msg, m.keys.Server):
			m.server = nextServer(m.servers, m.server)
		case key.Matches(msg, m.keys.Hold):
			line = "hold election"
		case key.Matches(msg, m.keys.Step):
			line = "step"
		case key.Matches(msg, m.keys.Release):
			line = "release"
		}
		if line != "" {
			return m, func() tea.Msg { return LineMsg{Line: line} }
		}
	}
	return m, nil
}

// nextServer cycles all (0) → each server → all.
func nextServer(servers []int, cur int) int {
	if cur == 0 {
		if len(servers) == 0 {
			return 0
		}
		return servers[0]
	}
	i := slices.Index(servers, cur)
	if i < 0 || i+1 >= len(servers) {
		return 0
	}
	return servers[i+1]
}

// routine reports message types folded into counts at high rates.
func routine(t string) bool {
	switch t {
	case "PROPOSAL", "ACK", "COMMIT", "PING", "REQUEST", "INFORM":
		return true
	}
	return false
}

// row is one line of the diagram: an arrow, or folded counts.
type row struct {
	at     time.Time
	msg    *launcher.Message
	counts map[string]int
}

// rows turns the filtered messages into diagram rows, folding runs of more
// than foldAbove routine messages within one second.
func (m Model) rows() []row {
	var out []row
	var run []*launcher.Message
	flush := func() {
		if len(run) > foldAbove {
			counts := map[string]int{}
			for _, x := range run {
				counts[x.Type]++
			}
			out = append(out, row{at: time.Unix(0, run[0].TimeNs), counts: counts})
		} else {
			for _, x := range run {
				out = append(out, row{at: time.Unix(0, x.TimeNs), msg: x})
			}
		}
		run = run[:0]
	}
	for i := range m.msgs {
		x := &m.msgs[i]
		if m.kind != "" && x.Kind != m.kind || m.server != 0 && x.From != m.server && x.To != m.server {
			continue
		}
		if !routine(x.Type) {
			flush()
			out = append(out, row{at: time.Unix(0, x.TimeNs), msg: x})
			continue
		}
		if len(run) > 0 && time.Unix(0, x.TimeNs).Truncate(time.Second) != time.Unix(0, run[0].TimeNs).Truncate(time.Second) {
			flush()
		}
		run = append(run, x)
	}
	flush()
	return out
}

const timeW = 13 // "15:04:05.000 "

// laneWidth is the width of one server's column.
func (m Model) laneWidth() int {
	n := max(len(m.servers), 1)
	return min(max((m.width-timeW-45)/n, 5), 12)
}

// lanes draws one row's lanes: a bar per server and, for a message, an
// arrow from its sender to its receiver.
func (m Model) lanes(x *launcher.Message) string {
	lw := m.laneWidth()
	cells := []rune(strings.Repeat(" ", lw*len(m.servers)))
	center := map[int]int{}
	for i, id := range m.servers {
		c := i*lw + lw/2
		center[id] = c
		cells[c] = '│'
	}
	if x != nil {
		a, okA := center[x.From]
		b, okB := center[x.To]
		if okA && okB && a != b {
			lo, hi := min(a, b), max(a, b)
			for i := lo + 1; i < hi; i++ {
				if cells[i] == '│' {
					cells[i] = '┼'
				} else {
					cells[i] = '─'
				}
			}
			cells[a] = '●'
			head := '▶'
			at := b - 1
			if b < a {
				head, at = '◀', b+1
			}
			switch x.Fault {
			case "dropped":
				head = '✗'
			case "duplicated":
				if b > a && at-1 > a {
					cells[at-1] = '▶'
				} else if b < a && at+1 < a {
					cells[at+1] = '◀'
				}
			}
			cells[at] = head
		}
	}
	return string(cells)
}

// View renders the panel: a title, a header of server columns and the
// newest rows that fit (or older ones when scrolled).
func (m Model) View() string {
	var b strings.Builder
	filter := "all messages"
	if m.kind != "" {
		filter = m.kind + " only"
	}
	if m.server != 0 {
		filter += fmt.Sprintf(" to/from zk%d", m.server)
	}
	title := fmt.Sprintf("timeline · %s · %d logged", filter, len(m.msgs))
	if m.dropped > 0 {
		title += fmt.Sprintf(" · %d not decoded (decoder behind)", m.dropped)
	}
	if len(m.holding) > 0 {
		title += fmt.Sprintf(" · HOLDING %s: %d waiting", strings.Join(m.holding, "+"), m.waiting)
	}
	if m.scroll > 0 {
		title += fmt.Sprintf(" · scrolled up %d (G: newest)", m.scroll)
	}
	b.WriteString(ansi.Truncate(title, m.width, "…") + "\n")
	hint := "e/z/a f filter · ↑↓ scroll · H hold election · . step · R release · when held, timeouts keep running"
	if m.err != nil {
		hint = "message log: " + m.err.Error()
	}
	b.WriteString(ansi.Truncate(hint, m.width, "…") + "\n")
	lw := m.laneWidth()
	head := []rune(strings.Repeat(" ", lw*len(m.servers)))
	for i, id := range m.servers {
		name := []rune(fmt.Sprintf("zk%d", id))
		start := min(max(i*lw+lw/2-len(name)/2, 0), len(head)-len(name))
		copy(head[start:], name)
	}
	b.WriteString(strings.Repeat(" ", timeW) + string(head) + "\n")
	rows := m.rows()
	avail := m.height - 4 // title, hint, header, detail
	end := max(len(rows)-m.scroll, 0)
	start := max(end-avail, 0)
	for _, r := range rows[start:end] {
		line := r.at.In(m.loc).Format("15:04:05.000") + " " + m.lanes(r.msg) + " "
		if r.msg != nil {
			line += r.msg.Label()
		} else {
			keys := make([]string, 0, len(r.counts))
			for k := range r.counts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = fmt.Sprintf("%d %s", r.counts[k], k)
			}
			line += "⋯ " + strings.Join(parts, ", ") + " in this second"
		}
		b.WriteString(ansi.Truncate(line, m.width, "…") + "\n")
	}
	for i := end - start; i < avail; i++ {
		b.WriteString(strings.Repeat(" ", timeW) + m.lanes(nil) + "\n")
	}
	// The newest row shown is the selected one: scrolling moves it.
	if end > 0 && rows[end-1].msg != nil {
		b.WriteString(ansi.Truncate("▸ "+detail(rows[end-1].msg), m.width, "…"))
	}
	return strings.TrimRight(b.String(), "\n")
}

// detail lists every field of a message on one line.
func detail(x *launcher.Message) string {
	keys := make([]string, 0, len(x.Fields))
	for k := range x.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{fmt.Sprintf("#%d %s %s %d->%d conn %d %s, %d bytes", x.Seq, x.Kind, x.Type, x.From, x.To, x.Conn, x.Direction, x.Size)}
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%v", k, x.Fields[k]))
	}
	if x.Fault != "" {
		parts = append(parts, "fault="+x.Fault)
	}
	return strings.Join(parts, " ")
}
