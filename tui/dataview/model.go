// Package dataview is the dashboard's data view: a ZooKeeper client of its
// own, separate from the workload's, pointed at one server the person
// chooses, showing the znode tree (tui/znode) with live watches, and
// running edits as chaos-language lines. It follows the bubbles component
// contract: Update returns the concrete Model, View renders at SetSize.
package dataview

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/tui/znode"
)

// Server is one server the view can read from.
type Server struct {
	// ID is the server id shown (zk<ID>).
	ID int
	// Addr is its client address host:port.
	Addr string
}

// Config configures the data view.
type Config struct {
	// Servers are the servers the view can read from; s cycles them.
	Servers []Server
	// Auth are credentials added to the session, scheme:credentials, e.g.
	// "digest:user:password", for trees protected by ACLs.
	Auth []string
	// Run runs a data line through the launcher, which records it in the
	// session script; nil runs it through the view's own session (zkctl
	// top, where there is no launcher and nothing is recorded).
	Run func(ctx context.Context, line string) (string, error)
	// Dial opens a session to one server; nil means DialZK.
	Dial Dialer
	// SessionTimeout is the view's session timeout (default 10s).
	SessionTimeout time.Duration
	// Location is where Stat times are shown (default time.Local).
	Location *time.Location
}

// Styles are the data view's colours, passed down by the dashboard.
type Styles struct {
	Title, Dim, Bold, Selected, Error, Warn, OK lipgloss.Style
}

// eventMark is how long a row stays marked with its last event.
const eventMark = 10 * time.Second

// Model is the data view.
type Model struct {
	cfg    Config
	keys   KeyMap
	styles Styles
	now    func() time.Time

	tree    *znode.Tree
	cur     int // index into cfg.Servers
	syncOn  bool
	mode    string
	sess    *session
	gen     int
	state   string // session state, e.g. "connecting", "StateHasSession"
	connErr string

	// watchedData / watchedKids are the armed watches (one per node and
	// kind: go-zookeeper would deliver one event per extra registration).
	watchedData map[string]bool
	watchedKids map[string]bool
	asked       map[string]bool // stat reads in flight or done for rows

	top          int // first tree row on screen
	detailScroll int
	width        int
	height       int

	input     textinput.Model
	searching bool
	confirm   string // the line awaiting y, "" when none
	confirmQ  string // its question
	status    string
	statusErr bool

	// sessions is the sessions panel's last answer (sessions.go), shown
	// instead of the selected node while showSessions.
	sessions     *sessionsMsg
	showSessions bool
}

// New returns a data view; it connects on Open.
func New(cfg Config, styles Styles) Model {
	if cfg.Dial == nil {
		cfg.Dial = DialZK
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 10 * time.Second
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	ti := textinput.New()
	ti.CharLimit = 1024
	ti.Prompt = "go to: "
	return Model{cfg: cfg, keys: DefaultKeyMap(), styles: styles, now: time.Now, tree: znode.New(), mode: znode.ModeAuto,
		watchedData: map[string]bool{}, watchedKids: map[string]bool{}, asked: map[string]bool{},
		input: ti, width: 80, height: 20}
}

// Keys returns the view's key map, for the dashboard's help.
func (m Model) Keys() KeyMap { return m.keys }

// SetSize sets the area the view draws in.
func (m Model) SetSize(w, h int) Model {
	m.width, m.height = w, h
	return m
}

// SetClock replaces the clock (tests).
func (m Model) SetClock(now func() time.Time) Model {
	m.now = now
	return m
}

// Connected says whether the view has a session (or is making one).
func (m Model) Connected() bool { return m.sess != nil }

// Open connects to the current server if not connected yet.
func (m Model) Open() (Model, tea.Cmd) {
	if m.sess != nil || m.state == "connecting" {
		return m, nil
	}
	return m.dial()
}

// Close ends the view's session.
func (m Model) Close() Model {
	if m.sess != nil {
		m.sess.close()
		m.sess = nil
	}
	m.gen++
	m.state = ""
	return m
}

// Modal says whether the view is asking something (search or a
// confirmation), so the dashboard passes every key here.
func (m Model) Modal() bool { return m.searching || m.confirm != "" }

func (m Model) dial() (Model, tea.Cmd) {
	if len(m.cfg.Servers) == 0 {
		m.connErr = "no server with a client port to read from"
		return m, nil
	}
	if m.sess != nil {
		m.sess.close()
		m.sess = nil
	}
	m.gen++
	m.state, m.connErr = "connecting", ""
	m.watchedData, m.watchedKids, m.asked = map[string]bool{}, map[string]bool{}, map[string]bool{}
	s := m.cfg.Servers[m.cur]
	return m, connect(m.cfg.Dial, m.gen, s.Addr, m.cfg.Auth, m.cfg.SessionTimeout)
}

// Run runs a data line (from the dashboard's prompt in zkctl top, or a
// confirmed key) and reports it as a LineDoneMsg.
func (m Model) Run(line string) (Model, tea.Cmd) {
	m.status, m.statusErr = "▶ "+line, false
	return m, runLine(m.cfg.Run, m.sess, line)
}

// Update handles the view's messages and keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case connectedMsg:
		if msg.gen != m.gen {
			if msg.sess != nil {
				msg.sess.close()
			}
			return m, nil
		}
		if msg.err != nil {
			m.state, m.connErr = "", msg.err.Error()
			return m, nil
		}
		m.sess = msg.sess
		fs := m.tree.Invalidate()
		return m, tea.Batch(append(m.fetches(fs), waitEvent(m.sess))...)
	case eventMsg:
		if m.sess == nil || msg.gen != m.sess.gen {
			return m, nil
		}
		return m.applyEvent(msg.ev)
	case childrenMsg:
		if m.sess == nil || msg.gen != m.sess.gen {
			return m, nil
		}
		if msg.watched {
			m.watchedKids[msg.path] = true
		}
		if msg.err != nil {
			m.tree.SetError(msg.path, errText(msg.err))
			return m, nil
		}
		fs := m.tree.SetChildren(msg.path, msg.names, msg.stat)
		if e := m.tree.TakeGotoError(); e != "" {
			m.status, m.statusErr = e, true
		}
		return m.follow(fs)
	case nodeMsg:
		if m.sess == nil || msg.gen != m.sess.gen {
			return m, nil
		}
		if msg.watched {
			m.watchedData[msg.path] = true
		}
		if msg.err != nil {
			m.tree.SetError(msg.path, errText(msg.err))
			return m, nil
		}
		acl := msg.acl
		m.tree.SetNode(msg.path, msg.data, msg.stat, acl)
		if msg.aclErr != nil {
			m.tree.Node(msg.path).Err = "ACL: " + errText(msg.aclErr)
		}
		return m, nil
	case statMsg:
		if m.sess == nil || msg.gen != m.sess.gen {
			return m, nil
		}
		if msg.watched {
			m.watchedData[msg.path] = true
		}
		if msg.err != nil {
			m.tree.SetError(msg.path, errText(msg.err))
			return m, nil
		}
		m.tree.SetStat(msg.path, msg.stat)
		return m, nil
	case sessionsMsg:
		m.sessions = &msg
		return m, nil
	case countMsg:
		if msg.err != nil {
			m.status, m.statusErr = "delete -r "+msg.path+": "+msg.err.Error(), true
			return m, nil
		}
		if msg.n <= 1 {
			m.confirm, m.confirmQ = "delete "+quote(msg.path), fmt.Sprintf("delete %s? [y/N]", msg.path)
		} else {
			m.confirm, m.confirmQ = "delete -r "+quote(msg.path), fmt.Sprintf("delete -r %s: %d znodes? [y/N]", msg.path, msg.n)
		}
		return m, nil
	case LineDoneMsg:
		if msg.Err != nil {
			m.status, m.statusErr = "✗ "+msg.Line+": "+msg.Err.Error(), true
		} else {
			m.status, m.statusErr = "✓ "+msg.Line, false
			if msg.Output != "" {
				m.status += " → " + firstLine(msg.Output)
			}
		}
		// Watches show the change; a re-read covers a node without one.
		return m, m.refresh()
	case tea.KeyMsg:
		return m.handleKey(msg)
	}
	if m.searching {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// quote prints a path as the chaos language reads it back.
func quote(p string) string {
	if strings.ContainsAny(p, " \t;\"\\#") {
		return strconv.Quote(p)
	}
	return p
}

func (m Model) applyEvent(ev zk.Event) (Model, tea.Cmd) {
	next := waitEvent(m.sess)
	if ev.Type == zk.EventSession {
		prev := m.state
		m.state = ev.State.String()
		if ev.State == zk.StateExpired {
			// The server dropped every watch with the session.
			m.watchedData, m.watchedKids, m.asked = map[string]bool{}, map[string]bool{}, map[string]bool{}
		}
		if ev.State == zk.StateHasSession && prev == zk.StateExpired.String() {
			return m, tea.Batch(append(m.fetches(m.tree.Invalidate()), next)...)
		}
		return m, next
	}
	if ev.Type == zk.EventNotWatching {
		return m, next
	}
	name := znode.EventName(ev.Type)
	switch ev.Type {
	case zk.EventNodeChildrenChanged:
		delete(m.watchedKids, ev.Path)
	default:
		delete(m.watchedData, ev.Path)
		delete(m.asked, ev.Path)
	}
	fs := m.tree.Apply(name, ev.Path, m.now())
	return m, tea.Batch(append(m.fetches(fs), next)...)
}

// follow issues fs and the stat reads of rows that came on screen.
func (m Model) follow(fs []znode.Fetch) (Model, tea.Cmd) {
	m.scrollToCursor()
	return m, tea.Batch(m.fetches(append(fs, m.onScreen()...))...)
}

// fetches turns reads into commands, arming a watch where none is armed.
func (m Model) fetches(fs []znode.Fetch) []tea.Cmd {
	if m.sess == nil {
		return nil
	}
	var cmds []tea.Cmd
	for _, f := range fs {
		watch := !m.watchedData[f.Path]
		if f.Kind == znode.FetchChildren {
			watch = !m.watchedKids[f.Path]
		}
		if f.Kind == znode.FetchStat {
			m.asked[f.Path] = true
		}
		cmds = append(cmds, fetch(m.sess, f, m.syncOn, watch))
	}
	return cmds
}

// treeHeight is the number of tree rows on screen.
func (m Model) treeHeight() int { return max(m.height-2, 1) }

// onScreen lists Stat reads for rows on screen not read yet: the child
// counts and ephemeral owners, with a watch each, only for what is shown.
func (m Model) onScreen() []znode.Fetch {
	rows := m.tree.Rows()
	var out []znode.Fetch
	for i := m.top; i < len(rows) && i < m.top+m.treeHeight(); i++ {
		r := rows[i]
		if r.Node == nil || r.Node.Stat != nil || r.Node.Gone || m.asked[r.Path] || m.watchedData[r.Path] {
			continue
		}
		out = append(out, znode.Fetch{Path: r.Path, Kind: znode.FetchStat})
	}
	return out
}

func (m *Model) scrollToCursor() {
	c, h := m.tree.Cursor(), m.treeHeight()
	if c < m.top {
		m.top = c
	}
	if c >= m.top+h {
		m.top = c - h + 1
	}
	if n := len(m.tree.Rows()); m.top > max(n-h, 0) {
		m.top = max(n-h, 0)
	}
}

// refresh re-reads the selected node and its children.
func (m Model) refresh() tea.Cmd {
	sel := m.tree.Selected()
	fs := []znode.Fetch{{Path: sel, Kind: znode.FetchNode}}
	if m.tree.Expanded(sel) {
		fs = append(fs, znode.Fetch{Path: sel, Kind: znode.FetchChildren})
	}
	if sel != "/" && m.tree.Node(path.Dir(sel)) != nil {
		fs = append(fs, znode.Fetch{Path: path.Dir(sel), Kind: znode.FetchChildren})
	}
	return tea.Batch(m.fetches(fs)...)
}

func (m Model) handleKey(k tea.KeyMsg) (Model, tea.Cmd) {
	if m.searching {
		switch k.String() {
		case "esc":
			m.searching = false
			m.input.Blur()
			return m, nil
		case "enter":
			m.searching = false
			m.input.Blur()
			p := strings.TrimSpace(m.input.Value())
			if p == "" {
				return m, nil
			}
			if !strings.HasPrefix(p, "/") {
				p = "/" + p
			}
			m.detailScroll = 0
			return m.follow(m.tree.Goto(p))
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(k)
		return m, cmd
	}
	if m.confirm != "" {
		line := m.confirm
		m.confirm, m.confirmQ = "", ""
		if k.String() == "y" || k.String() == "Y" {
			return m.Run(line)
		}
		m.status, m.statusErr = "cancelled: "+line, false
		return m, nil
	}
	sel := m.tree.Selected()
	move := func(d int) (Model, tea.Cmd) {
		m.detailScroll = 0
		return m.follow(m.tree.Move(d))
	}
	switch {
	case key.Matches(k, m.keys.Up):
		return move(-1)
	case key.Matches(k, m.keys.Down):
		return move(1)
	case key.Matches(k, m.keys.PageUp):
		return move(-m.treeHeight())
	case key.Matches(k, m.keys.PageDown):
		return move(m.treeHeight())
	case key.Matches(k, m.keys.Top):
		return move(-len(m.tree.Rows()))
	case key.Matches(k, m.keys.Bottom):
		return move(len(m.tree.Rows()))
	case key.Matches(k, m.keys.Expand):
		return m.follow(m.tree.Expand(sel))
	case key.Matches(k, m.keys.Collapse):
		return m.follow(m.tree.Collapse(sel))
	case key.Matches(k, m.keys.Toggle):
		return m.follow(m.tree.Toggle(sel))
	case key.Matches(k, m.keys.Goto):
		m.searching = true
		m.input.SetValue(sel)
		m.input.CursorEnd()
		return m, m.input.Focus()
	case key.Matches(k, m.keys.Mode):
		for i, md := range znode.Modes {
			if md == m.mode {
				m.mode = znode.Modes[(i+1)%len(znode.Modes)]
				break
			}
		}
		return m, nil
	case key.Matches(k, m.keys.Server):
		if len(m.cfg.Servers) > 0 {
			m.cur = (m.cur + 1) % len(m.cfg.Servers)
		}
		return m.dial()
	case key.Matches(k, m.keys.Sync):
		m.syncOn = !m.syncOn
		return m, m.refresh()
	case key.Matches(k, m.keys.Refresh):
		if m.showSessions {
			return m, tea.Batch(m.refresh(), fetchSessions(m.cfg.Servers))
		}
		return m, m.refresh()
	case key.Matches(k, m.keys.Sessions):
		m.showSessions = !m.showSessions
		if m.showSessions {
			return m, fetchSessions(m.cfg.Servers)
		}
		return m, nil
	case key.Matches(k, m.keys.DetailUp):
		m.detailScroll = max(m.detailScroll-5, 0)
		return m, nil
	case key.Matches(k, m.keys.DetailDown):
		m.detailScroll += 5
		return m, nil
	case key.Matches(k, m.keys.Stream):
		if m.tree.StreamRoot() == sel {
			m.tree.Stream("")
			m.status, m.statusErr = "stopped watching "+sel, false
			return m, nil
		}
		m.tree.Stream(sel)
		m.status, m.statusErr = "watching "+sel+": events of the loaded nodes below it (go-zookeeper v1.0.4 has no persistent recursive watch)", false
		return m.follow(m.tree.Expand(sel))
	case key.Matches(k, m.keys.New):
		prefix := sel + "/"
		if sel == "/" {
			prefix = "/"
		}
		return m, func() tea.Msg { return PromptMsg{Text: "create " + prefix} }
	case key.Matches(k, m.keys.Edit):
		n := m.tree.Node(sel)
		text := "set " + quote(sel) + ` ""`
		if n != nil && n.DataLoaded {
			text = "set " + quote(sel) + " " + strconv.Quote(string(n.Data))
			if n.Stat != nil {
				text += " -v " + strconv.Itoa(int(n.Stat.Version))
			}
		}
		return m, func() tea.Msg { return PromptMsg{Text: text} }
	case key.Matches(k, m.keys.ACL):
		n := m.tree.Node(sel)
		text := "setacl " + quote(sel) + ` "world:anyone:cdrwa"`
		if n != nil && n.DataLoaded && len(n.ACL) > 0 {
			text = "setacl " + quote(sel)
			for _, a := range n.ACL {
				text += " " + strconv.Quote(a.Scheme+":"+a.ID+":"+znode.Perms(a.Perms))
			}
			if n.Stat != nil {
				text += " -v " + strconv.Itoa(int(n.Stat.Aversion))
			}
		}
		return m, func() tea.Msg { return PromptMsg{Text: text} }
	case key.Matches(k, m.keys.Delete):
		switch {
		case sel == "/":
			m.status, m.statusErr = "the root cannot be deleted", true
			return m, nil
		case sel == "/zookeeper" || strings.HasPrefix(sel, "/zookeeper/"):
			m.status, m.statusErr = sel+" is ZooKeeper's own subtree (quotas, config): not deleted from here", true
			return m, nil
		case m.sess == nil:
			m.status, m.statusErr = "not connected", true
			return m, nil
		}
		m.status = "counting " + sel + " …"
		return m, countSubtree(m.sess, sel)
	}
	return m, nil
}
