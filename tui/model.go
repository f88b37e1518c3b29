package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/launcher"
	"github.com/zkctl/zkctl/tui/dataview"
	"github.com/zkctl/zkctl/tui/timeline"
)

// panels that tab cycles through.
const (
	panelTable = iota
	panelDetail
	panelEvents
	panelCount
)

// maxLogLines bounds the merged event log.
const maxLogLines = 2000

// sparkWidth is how many one-second samples the throughput sparkline keeps.
const sparkWidth = 40

// logLine is one entry of the merged event log.
type logLine struct {
	at     time.Time
	node   int    // 0 for actions and cluster-wide lines
	source string // server event kind, or key/prompt/binding for actions
	text   string
	err    bool
}

// menuItem is one entry of the partition menu.
type menuItem struct{ label, line string }

// Model is the root Bubble Tea model of the dashboard.
type Model struct {
	cfg     Config
	keys    KeyMap
	styles  Styles
	help    help.Model
	clients []*adminapi.Client // nil for a server read through four-letter words
	sources []peerSource
	nodes   []nodeState
	now     func() time.Time

	gen      int
	every    time.Duration
	selected int
	focus    int
	width    int
	height   int

	log        []logLine
	logScroll  int // lines scrolled up from the newest
	search     string
	input      textinput.Model
	inputMode  string // "", "prompt", "search"
	history    []string
	histPos    int
	confirm    *menuItem
	menu       []menuItem
	menuCursor int
	showHelp   bool
	askQuit    bool

	flash    string
	flashErr bool
	flashID  int

	cluster     launcher.ClusterStatus
	launcherSeq uint64 // newest launcher event merged into the log
	clusterErr  error
	workloadOn  bool

	spark      []float64
	lastSample time.Time

	electionStart time.Time
	lastElection  time.Duration
	prevStates    map[int]string
	eventsOK      map[int]bool

	quitChoice QuitChoice
	quitting   bool

	// data is the data view (key d, tui/data.go); dataOn while it shows.
	data         dataview.Model
	dataOn       bool
	timeline     timeline.Model // the message timeline (key t)
	showTimeline bool
}

// New builds the dashboard model from a validated configuration.
func New(cfg Config) (Model, error) {
	if err := cfg.Validate(); err != nil {
		return Model{}, err
	}
	ti := textinput.New()
	ti.CharLimit = 512
	m := Model{
		cfg:        cfg,
		keys:       DefaultKeyMap(),
		styles:     DefaultStyles(),
		help:       help.New(),
		now:        time.Now,
		every:      cfg.Every,
		input:      ti,
		width:      80,
		height:     24,
		prevStates: map[int]string{},
		eventsOK:   map[int]bool{},
	}
	// Multi-character key names (F5, Ctrl+X) match Bubble Tea's lower-case
	// names; single characters stay case-sensitive (x kills, X kills the leader).
	if len(cfg.Bindings) > 0 {
		norm := make(map[string]string, len(cfg.Bindings))
		for k, line := range cfg.Bindings {
			if len([]rune(k)) > 1 {
				k = strings.ToLower(k)
			}
			norm[k] = line
		}
		m.cfg.Bindings = norm
	}
	var ids []int
	for _, t := range cfg.Targets {
		addr := t.Admin
		if t.Admin == "" {
			addr = t.Client
			flw := adminapi.NewFourLW(t.Client, cfg.RequestTimeout)
			m.clients = append(m.clients, nil)
			m.sources = append(m.sources, flw.Peer)
		} else {
			c := adminapi.NewClient(t.Admin, cfg.RequestTimeout)
			m.clients = append(m.clients, c)
			m.sources = append(m.sources, c.PeerOrZooKeeper)
		}
		m.nodes = append(m.nodes, nodeState{id: t.ID, admin: addr})
		ids = append(ids, t.ID)
	}
	m.data = newDataView(m.cfg, m.styles)
	m.timeline = timeline.New(ids)
	return m, nil
}

// QuitChoice tells the caller, after the program ends, whether the user
// asked to stop the cluster or leave it running.
func (m Model) QuitChoice() QuitChoice { return m.quitChoice }

// Init starts the poll chain.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.pollNow()...)
}

// pollNow returns the fetches of one poll round plus the next tick of the
// current generation. It bumps each node's sequence number.
func (m *Model) pollNow() []tea.Cmd {
	fetches := m.fetches()
	return []tea.Cmd{gather(fetches...), pollTick(m.gen, m.every)}
}

// fetches returns the requests of one poll round; it bumps each node's
// sequence number so that late answers of older rounds can be dropped.
func (m *Model) fetches() []tea.Cmd {
	cmds := make([]tea.Cmd, 0, 2*len(m.nodes)+2)
	for i := range m.nodes {
		m.nodes[i].seq++
		cmds = append(cmds, fetchStatus(m.sources[i], i, m.nodes[i].seq, m.cfg.RequestTimeout))
		if ok, tried := m.eventsOK[m.nodes[i].id]; m.clients[i] != nil && (ok || !tried) {
			cmds = append(cmds, fetchEvents(m.clients[i], i, m.nodes[i].eventSeq, m.cfg.RequestTimeout))
		}
	}
	if m.cfg.Controller != nil {
		cmds = append(cmds, fetchCluster(m.cfg.Controller, m.cfg.RequestTimeout))
		if feed, ok := m.cfg.Controller.(eventFeed); ok {
			cmds = append(cmds, fetchLauncherEvents(feed, m.launcherSeq, m.cfg.RequestTimeout))
		}
		if src, ok := m.cfg.Controller.(launcher.MessageSource); ok && m.showTimeline {
			cmds = append(cmds, timeline.Fetch(src, m.timeline.Since(), m.cfg.RequestTimeout))
		}
	}
	return cmds
}

// Update handles one message. It does no I/O itself.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		return m, nil
	case pollTickMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.sample()
		cmds := m.pollNow()
		return m, tea.Batch(cmds...)
	case roundMsg:
		// One Update (and one View) per poll round instead of one per answer.
		var mm tea.Model = m
		for _, sub := range msg.msgs {
			mm, _ = mm.Update(sub)
		}
		return mm, nil
	case statusMsg:
		m.applyStatus(msg)
		return m, nil
	case eventsMsg:
		m.applyEvents(msg)
		return m, nil
	case clusterMsg:
		m.applyCluster(msg)
		return m, nil
	case launcherEventsMsg:
		m.applyLauncherEvents(msg)
		return m, nil
	case actionDoneMsg:
		return m.applyActionDone(msg)
	case timeline.MessagesMsg:
		m.timeline, _ = m.timeline.Update(msg)
		return m, nil
	case timeline.LineMsg:
		return m.start(msg.Line, "key timeline", true)
	case clearFlashMsg:
		if msg.id == m.flashID {
			m.flash = ""
		}
		return m, nil
	case tea.KeyMsg:
		return m.handleKey(msg)
	case dataview.Msg:
		return m.updateData(msg)
	}
	if m.inputMode != "" {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) applyStatus(msg statusMsg) {
	if msg.node < 0 || msg.node >= len(m.nodes) {
		return
	}
	n := &m.nodes[msg.node]
	if msg.seq <= n.applied {
		return // a late answer to an older poll
	}
	n.applied = msg.seq
	if msg.err != nil {
		n.lastErr = msg.err
	} else {
		n.last, n.lastErr, n.fetchedAt = msg.peer, nil, msg.at
	}
	m.trackStates()
}

// trackStates notes state changes (for servers without an event feed, such
// as Apache ZooKeeper) and times elections: from the first voter going
// LOOKING to a leader served by a quorum.
func (m *Model) trackStates() {
	now := m.now()
	anyLooking := false
	for _, n := range m.nodes {
		st := n.displayState(now)
		if prev, ok := m.prevStates[n.id]; (!ok || prev != st) && !m.eventsOK[n.id] {
			if ok && prev != stateNoData {
				m.addLog(logLine{at: now, node: n.id, source: "state", text: prev + " → " + st})
			}
		}
		m.prevStates[n.id] = st
		if st == adminapi.StateLooking {
			anyLooking = true
		}
	}
	s := summarize(m.nodes, now)
	if anyLooking && m.electionStart.IsZero() {
		m.electionStart = now
	}
	if !m.electionStart.IsZero() && !anyLooking && s.leader >= 0 && s.quorum {
		m.lastElection = now.Sub(m.electionStart)
		m.electionStart = time.Time{}
		m.addLog(logLine{at: now, source: "elect", text: fmt.Sprintf("leader zk%d epoch %d, quorum %d/%d, election took %s", s.leader, s.epoch, s.serving, s.voters, m.lastElection.Round(time.Millisecond))})
	}
}

func (m *Model) applyEvents(msg eventsMsg) {
	if msg.node < 0 || msg.node >= len(m.nodes) {
		return
	}
	n := &m.nodes[msg.node]
	if msg.err != nil {
		if _, tried := m.eventsOK[n.id]; !tried && n.last == nil {
			// Unknown yet: keep trying until the peer endpoint answers.
			return
		}
		if n.last != nil && !m.eventsOK[n.id] {
			m.eventsOK[n.id] = false // e.g. Apache ZooKeeper: no event feed
		}
		return
	}
	m.eventsOK[n.id] = true
	for _, e := range msg.events {
		if e.Seq <= n.eventSeq {
			continue
		}
		n.eventSeq = e.Seq
		m.addLog(logLine{at: time.UnixMilli(e.TimeUnixMs), node: n.id, source: e.Kind, text: e.Message})
	}
}

// launcherKinds are the launcher events worth a line in the log; state
// changes come from the servers' own feeds.
var launcherKinds = map[string]bool{"action": true, "started": true, "exited": true, "crashed": true,
	"paused": true, "resumed": true, "info": true, "noleader": true}

func (m *Model) applyLauncherEvents(msg launcherEventsMsg) {
	for _, e := range msg.events {
		if e.Seq <= m.launcherSeq {
			continue
		}
		m.launcherSeq = e.Seq
		if !launcherKinds[e.Kind] {
			continue
		}
		m.addLog(logLine{at: e.Time, node: e.Node, source: e.Kind, text: e.Message, err: e.Kind == "crashed"})
	}
}

func (m *Model) applyCluster(msg clusterMsg) {
	m.clusterErr = msg.err
	if msg.err != nil {
		return
	}
	m.cluster = msg.status
	for i := range m.nodes {
		for _, ns := range msg.status.Nodes {
			if ns.ID != m.nodes[i].id {
				continue
			}
			m.nodes[i].proc = procInfo{known: true, pid: ns.PID, running: ns.Running, paused: ns.Paused,
				exitCode: ns.ExitCode, faults: ns.Faults, observer: ns.Observer,
				impl: strings.TrimSpace(ns.Impl + " " + ns.Version), epoch: ns.Epoch}
		}
	}
}

func (m Model) applyActionDone(msg actionDoneMsg) (tea.Model, tea.Cmd) {
	now := m.now()
	text := msg.line
	if msg.err != nil {
		m.addLog(logLine{at: now, source: msg.source, text: text + ": " + msg.err.Error(), err: true})
		return m.setFlash("✗ "+msg.line+": "+msg.err.Error(), true)
	}
	out := strings.TrimSpace(msg.output)
	if out != "" {
		text += " → " + firstLine(out)
	}
	m.addLog(logLine{at: now, source: msg.source, text: text})
	return m.setFlash("✓ "+msg.line+" ("+msg.took.Round(time.Millisecond).String()+")", false)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func (m Model) setFlash(text string, isErr bool) (tea.Model, tea.Cmd) {
	m.flashID++
	m.flash, m.flashErr = text, isErr
	return m, clearFlashAfter(m.flashID, 4*time.Second)
}

func (m *Model) addLog(l logLine) {
	m.log = append(m.log, l)
	if len(m.log) > maxLogLines {
		m.log = append([]logLine(nil), m.log[len(m.log)-maxLogLines:]...)
	}
	// Server events can arrive slightly out of order across servers.
	sort.SliceStable(m.log, func(i, j int) bool { return m.log[i].at.Before(m.log[j].at) })
}

// sample pushes one throughput sample per second into the sparkline.
func (m *Model) sample() {
	now := m.now()
	if now.Sub(m.lastSample) < time.Second {
		return
	}
	m.lastSample = now
	s := summarize(m.nodes, now)
	m.spark = append(m.spark, s.writesPerSec+s.readsPerSec)
	if len(m.spark) > sparkWidth {
		m.spark = m.spark[len(m.spark)-sparkWidth:]
	}
}

// selectedID is the server id of the selected row.
func (m Model) selectedID() int {
	if m.selected < 0 || m.selected >= len(m.nodes) {
		return 0
	}
	return m.nodes[m.selected].id
}

// actionLine maps an action key to its chaos-language line.
func (m Model) actionLine(k tea.KeyMsg) (line string, ok bool) {
	id := strconv.Itoa(m.selectedID())
	switch {
	case key.Matches(k, m.keys.Kill):
		return "kill " + id, true
	case key.Matches(k, m.keys.Stop):
		return "stop " + id, true
	case key.Matches(k, m.keys.Start):
		return "start " + id, true
	case key.Matches(k, m.keys.Restart):
		return "restart " + id, true
	case key.Matches(k, m.keys.Pause):
		if m.selected < len(m.nodes) && m.nodes[m.selected].proc.paused {
			return "resume " + id, true
		}
		return "pause " + id, true
	case key.Matches(k, m.keys.Isolate):
		return "isolate " + id, true
	case key.Matches(k, m.keys.Heal):
		return "heal", true
	case key.Matches(k, m.keys.KillLeader):
		return "kill leader", true
	case key.Matches(k, m.keys.Workload):
		if m.workloadOn {
			return "load off", true
		}
		return fmt.Sprintf("load %d/s", m.cfg.WorkloadRate), true
	}
	return "", false
}

// partitionMenu lists the partition shapes for the selected server.
func (m Model) partitionMenu() []menuItem {
	id := m.selectedID()
	return []menuItem{
		{"halves", "partition halves"},
		{"leader alone", "partition leader"},
		{"ring", "partition ring"},
		{"bridge", "partition bridge"},
		{fmt.Sprintf("one-way: cut leader -> %d", id), fmt.Sprintf("cut leader -> %d", id)},
		{fmt.Sprintf("one-way: cut %d -> leader", id), fmt.Sprintf("cut %d -> leader", id)},
	}
}

// start runs a chaos line (after confirmation for destructive ones).
func (m Model) start(line, source string, confirmed bool) (tea.Model, tea.Cmd) {
	if mm, cmd, ok := m.startData(line); ok {
		return mm, cmd
	}
	if m.cfg.Controller == nil {
		return m.setFlash("read-only dashboard (zkctl top): no launcher to run "+strconv.Quote(line), true)
	}
	if !confirmed && destructive(line) {
		m.confirm = &menuItem{label: source, line: line}
		return m, nil
	}
	if strings.HasPrefix(line, "load ") {
		m.workloadOn = line != "load off"
	}
	m.addLog(logLine{at: m.now(), source: source, text: "▶ " + line})
	return m, runLine(m.cfg.Controller, line, source)
}
