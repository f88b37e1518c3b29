package launcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zkctl/zkctl/launcher/linkproxy"
)

// nodeInfo is the static description of one node.
type nodeInfo struct {
	id       int
	observer bool
	ports    Ports
	dir      string // <cluster>/node-<id>
	cfgPath  string
	logPath  string
	dataDir  string
}

// Launcher runs one cluster. Create it with New, then Start; it implements
// Controller.
type Launcher struct {
	cfg    Config
	log    *slog.Logger
	dir    string // <Dir>/<Name>
	layout Layout
	nodes  []nodeInfo

	events *eventLog
	trace  *tracer
	sup    *supervisor
	supCtx context.CancelFunc

	linkMu sync.Mutex
	links  map[[2]int]*linkproxy.Direction // direction from->to
	// clientLinks are the directions between the clients and each server
	// (only with ProxyClients); see clientlinks.go.
	clientLinks map[int]clientLink

	proxies []*linkproxy.Proxy
	control net.Listener
	httpSrv *http.Server
	lock    *os.File

	runnerMu sync.Mutex
	runner   LineRunner

	poll *poller

	pending []pendingProxy

	// implMu guards impls, node id's implementation at impls[id-1], which
	// an upgrade changes while the supervisor, poller and Status read it.
	implMu sync.Mutex
	impls  []Impl

	wg       sync.WaitGroup
	downOnce sync.Once
	downCh   chan struct{}
	closed   sync.Once
	cf       *ClusterFile
	cfMu     sync.Mutex
}

var _ Controller = (*Launcher)(nil)

// New validates cfg and returns a launcher that has touched nothing yet.
func New(cfg Config) (*Launcher, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Join(cfg.Dir, cfg.Name))
	if err != nil {
		return nil, fmt.Errorf("launcher: cluster directory: %w", err)
	}
	l := &Launcher{
		cfg:    cfg,
		log:    cfg.Logger,
		dir:    dir,
		layout: Layout{Base: cfg.BasePort},
		events: newEventLog(),
		trace:  newTracer(cfg.TraceRaw),
		links:  map[[2]int]*linkproxy.Direction{},
		downCh: make(chan struct{}),
	}
	for _, id := range cfg.ids() {
		var im Impl = zkctlImpl{}
		if id <= len(cfg.Impls) && cfg.Impls[id-1] != nil {
			im = cfg.Impls[id-1]
		}
		l.impls = append(l.impls, im)
	}
	for _, id := range cfg.ids() {
		nd := filepath.Join(dir, "node-"+strconv.Itoa(id))
		l.nodes = append(l.nodes, nodeInfo{
			id: id, observer: cfg.isObserver(id), ports: l.layout.Node(id), dir: nd,
			cfgPath: filepath.Join(nd, "zoo.cfg"), logPath: filepath.Join(nd, "server.log"),
			dataDir: filepath.Join(nd, "data"),
		})
	}
	rng := rand.New(rand.NewSource(cfg.Seed))
	for _, i := range cfg.ids() {
		for _, j := range cfg.ids() {
			if i != j {
				l.links[[2]int{i, j}] = linkproxy.NewDirection(rand.New(rand.NewSource(rng.Int63())))
			}
		}
	}
	if cfg.ProxyClients {
		l.clientLinks = newClientLinks(cfg.ids(), rng)
	}
	return l, nil
}

// Dir is the cluster directory <dir>/<name>.
func (l *Launcher) Dir() string { return l.dir }

// ControlAddr is the control API address once started.
func (l *Launcher) ControlAddr() string {
	if l.control == nil {
		return ""
	}
	return l.control.Addr().String()
}

// SetLineRunner injects the chaos-language runner used by RunLine.
func (l *Launcher) SetLineRunner(r LineRunner) {
	l.runnerMu.Lock()
	l.runner = r
	l.runnerMu.Unlock()
}

// DownRequested is closed when a client asked the launcher to shut down
// (POST /down); the owner then calls Shutdown.
func (l *Launcher) DownRequested() <-chan struct{} { return l.downCh }

func (l *Launcher) requestDown() { l.downOnce.Do(func() { close(l.downCh) }) }

// Events returns the launcher events after seq, waiting up to wait for one.
func (l *Launcher) Events(ctx context.Context, since uint64, wait time.Duration) ([]Event, uint64) {
	return l.events.wait(ctx, since, wait)
}

// EventsSince implements EventSource.
func (l *Launcher) EventsSince(ctx context.Context, since uint64, wait time.Duration) ([]Event, uint64, error) {
	evs, last := l.events.wait(ctx, since, wait)
	return evs, last, nil
}

// supervisorEmit adds what the supervisor does not know to its events: a
// started server's ports, a crashed server's last log lines.
func (l *Launcher) supervisorEmit(kind string, node int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if n := l.node(node); n != nil {
		switch kind {
		case "started":
			if l.poll != nil {
				l.poll.started(node)
			}
			if l.cfg.ProxyClients {
				msg += fmt.Sprintf(" (clients through proxy %d to client %d, admin %d, quorum %d, election %d)", n.ports.ClientProxy, n.ports.Client, n.ports.Admin, n.ports.Quorum, n.ports.Election)
			} else {
				msg += fmt.Sprintf(" (client %d, admin %d, quorum %d, election %d)", n.ports.Client, n.ports.Admin, n.ports.Quorum, n.ports.Election)
			}
		case "crashed":
			if tail := tailLines(n.logPath, 5); len(tail) > 0 {
				msg += "; last lines of " + n.logPath + ":\n    " + strings.Join(tail, "\n    ")
			}
		}
	}
	l.emit(kind, node, "%s", msg)
}

func (l *Launcher) emit(kind string, node int, format string, args ...any) {
	e := l.events.add(kind, node, format, args...)
	l.log.Debug("launcher event", "kind", e.Kind, "node", e.Node, "msg", e.Message)
}

// Start prepares the cluster directory, checks every port, writes the
// configs, starts proxies, the control API and every server. On error
// nothing is left running and, when the failure came before the directory
// was touched, nothing was wiped or written.
func (l *Launcher) Start(ctx context.Context) (err error) {
	if err := l.prepareDir(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			l.teardown(context.Background(), true)
		}
	}()
	if err := l.bindPorts(); err != nil {
		return err
	}
	if l.cfg.Clean {
		if err := l.wipe(); err != nil {
			return err
		}
	}
	if err := l.writeNodeFiles(); err != nil {
		return err
	}
	if err := l.trace.start(l.dir); err != nil {
		return err
	}
	l.startProxies()
	l.startControl()

	supCtx, cancel := context.WithCancel(context.Background())
	l.supCtx = cancel
	l.sup = newSupervisor(l.cfg.ids(), l.cfg.Grace, l.spawn, l.supervisorEmit)
	l.wg.Add(1)
	go func() { defer l.wg.Done(); l.sup.run(supCtx) }()

	for _, n := range l.nodes {
		if err := l.sup.do(ctx, opStart, n.id); err != nil {
			return err
		}
	}
	if err := l.writeClusterFile(ctx); err != nil {
		return err
	}
	l.poll = newPoller(l)
	l.wg.Add(1)
	go func() { defer l.wg.Done(); l.poll.run() }()
	l.emit("info", 0, "cluster %s up in %s: %d voters, %d observers, control API %s",
		l.cfg.Name, l.dir, l.cfg.Voters, l.cfg.Observers, l.ControlAddr())
	return nil
}

// prepareDir creates and locks the cluster directory; it fails when another
// launcher runs this cluster or the directory is not writable.
func (l *Launcher) prepareDir() error {
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return fmt.Errorf("launcher: cluster directory %s is not usable: %w", l.dir, err)
	}
	probe, err := os.CreateTemp(l.dir, ".probe-*")
	if err != nil {
		return fmt.Errorf("launcher: cluster directory %s is not writable: %w", l.dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	lf, err := os.OpenFile(filepath.Join(l.dir, "launcher.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("launcher: lock %s: %w", l.dir, err)
	}
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lf.Close()
		who := ""
		if cf, err := ReadClusterFile(l.dir); err == nil && pidAlive(cf.LauncherPID) {
			who = fmt.Sprintf(" (launcher pid %d, control API %s)", cf.LauncherPID, cf.ControlAddr)
		}
		return fmt.Errorf("launcher: a cluster named %s is already running in %s%s; stop it with `zkctl down --name %s` or pick another --name", l.cfg.Name, filepath.Dir(l.dir), who, l.cfg.Name)
	}
	l.lock = lf
	return nil
}

// bindPorts checks every port: proxies and the control API are bound now
// and kept; server ports are probed and released for the servers.
func (l *Launcher) bindPorts() error {
	var errs []error
	type bound struct {
		ln net.Listener
		u  portUse
	}
	var held []bound
	for _, u := range l.cfg.portUses() {
		if u.kind == kindServer {
			if err := checkFree(u.port, u.use); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		ln, err := listenOn(u.port, u.use)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		held = append(held, bound{ln, u})
	}
	if len(errs) > 0 {
		for _, b := range held {
			b.ln.Close()
		}
		return fmt.Errorf("launcher: %w", errPortsBusy(errs))
	}
	for _, b := range held {
		switch b.u.kind {
		case kindControl:
			l.control = b.ln
		default:
			l.pending = append(l.pending, pendingProxy{ln: b.ln, u: b.u})
		}
	}
	return nil
}

// pendingProxy is a bound proxy listener waiting for startProxies.
type pendingProxy struct {
	ln net.Listener
	u  portUse
}

// wipe removes every node directory (data and logs) for --clean.
func (l *Launcher) wipe() error {
	matches, _ := filepath.Glob(filepath.Join(l.dir, "node-*"))
	for _, m := range append(matches, filepath.Join(l.dir, "sessions"), filepath.Join(l.dir, "trace")) {
		if err := os.RemoveAll(m); err != nil {
			return fmt.Errorf("launcher: --clean: %w", err)
		}
	}
	l.emit("info", 0, "wiped data and logs of cluster %s", l.cfg.Name)
	return nil
}

// writeNodeFiles writes zoo.cfg and myid for every node.
func (l *Launcher) writeNodeFiles() error {
	for _, n := range l.nodes {
		if err := os.MkdirAll(n.dataDir, 0o755); err != nil {
			return fmt.Errorf("launcher: node %d: %w", n.id, err)
		}
		if err := os.WriteFile(n.cfgPath, []byte(l.cfg.zooCfg(n.id, n.dataDir)), 0o644); err != nil {
			return fmt.Errorf("launcher: node %d: write zoo.cfg: %w", n.id, err)
		}
		if err := os.WriteFile(filepath.Join(n.dataDir, "myid"), []byte(strconv.Itoa(n.id)+"\n"), 0o644); err != nil {
			return fmt.Errorf("launcher: node %d: write myid: %w", n.id, err)
		}
	}
	return nil
}

// startProxies starts every bound proxy listener.
func (l *Launcher) startProxies() {
	for _, pp := range l.pending {
		u := pp.u
		var cfg linkproxy.Config
		switch u.kind {
		case kindQuorumProxy:
			cfg = linkproxy.Config{
				Name:    fmt.Sprintf("quorum %d->%d", u.from, u.to),
				Target:  fmt.Sprintf("127.0.0.1:%d", l.layout.Node(u.to).Quorum),
				Forward: l.links[[2]int{u.from, u.to}], Back: l.links[[2]int{u.to, u.from}],
			}
			if !l.cfg.NoMessages {
				cfg.Messages = l.trace.messages(cfg.Name, MsgZab, u.from, u.to)
			}
		case kindElectionProxy:
			cfg = linkproxy.Config{
				Name:    fmt.Sprintf("election %d->%d", u.from, u.to),
				Target:  fmt.Sprintf("127.0.0.1:%d", l.layout.Node(u.to).Election),
				Forward: l.links[[2]int{u.from, u.to}], Back: l.links[[2]int{u.to, u.from}],
				// Rewrite the handshake's own address so that a connect-back
				// from u.to goes through the proxy of the link to->from.
				Prefix: electionHandshakePrefix(fmt.Sprintf("127.0.0.1:%d", l.layout.ElectionProxy(u.to, u.from))),
			}
			if !l.cfg.NoMessages {
				cfg.Messages = l.trace.messages(cfg.Name, MsgElection, u.from, u.to)
			}
		case kindClientProxy:
			cl, ok := l.clientLinks[u.from]
			if !ok {
				pp.ln.Close()
				continue
			}
			cfg = linkproxy.Config{
				Name:    fmt.Sprintf("client %d", u.from),
				Target:  fmt.Sprintf("127.0.0.1:%d", l.layout.Node(u.from).Client),
				Forward: cl.toServer, Back: cl.toClients,
			}
		default:
			pp.ln.Close()
			continue
		}
		cfg.Logger = l.log
		p, err := linkproxy.New(pp.ln, cfg)
		if err != nil {
			pp.ln.Close()
			l.emit("info", 0, "proxy %s not started: %v", cfg.Name, err)
			continue
		}
		l.proxies = append(l.proxies, p)
	}
	l.pending = nil
}

// spawn starts node id's server process.
func (l *Launcher) spawn(id int) (Process, error) {
	n := l.node(id)
	if n == nil {
		return nil, fmt.Errorf("node %d: %w", id, ErrUnknownNode)
	}
	argv, env, err := l.command(n)
	if err != nil {
		return nil, err
	}
	p, err := startProcess(argv, env, n.dir, n.logPath)
	if err != nil {
		return nil, err
	}
	l.log.Info("server started", "node", id, "pid", p.Pid(), "client_port", n.ports.Client, "admin_port", n.ports.Admin)
	return p, nil
}

func (l *Launcher) command(n *nodeInfo) ([]string, []string, error) {
	if l.cfg.Command != nil {
		return l.cfg.Command(n.id, n.cfgPath), nil, nil
	}
	return l.impl(n.id).Command(n.id, n.cfgPath, n.dir)
}

// impl is node id's implementation (zkctl unless Config.Impls says otherwise).
func (l *Launcher) impl(id int) Impl {
	l.implMu.Lock()
	defer l.implMu.Unlock()
	if id >= 1 && id <= len(l.impls) {
		return l.impls[id-1]
	}
	return zkctlImpl{}
}

// upgrade stops node id (if running), switches it to implementation name
// and starts it on the same data directory: both implementations read and
// write the same dataDir/version-2 files. Waiting until it has synced is
// the caller's (the chaos runner waits for synced).
func (l *Launcher) upgrade(ctx context.Context, id int, name string) error {
	if cur := l.impl(id); cur.Name() == name {
		return fmt.Errorf("upgrade %d: node %d already runs %s %s: %w", id, id, cur.Name(), cur.Version(), ErrConflict)
	}
	if l.cfg.Command != nil || l.cfg.ResolveImpl == nil {
		return fmt.Errorf("upgrade %d: this launcher runs a fixed server command: %w", id, ErrBadAction)
	}
	next, err := l.cfg.ResolveImpl(name)
	if err != nil {
		return fmt.Errorf("upgrade %d: %v: %w", id, err, ErrBadAction)
	}
	if err := l.sup.do(ctx, opStop, id); err != nil && !errors.Is(err, ErrConflict) {
		return err
	}
	l.implMu.Lock()
	l.impls[id-1] = next
	l.implMu.Unlock()
	l.emit("info", id, "upgrade: now %s %s on the same data directory", next.Name(), next.Version())
	if err := l.sup.do(ctx, opStart, id); err != nil {
		return err
	}
	return l.writeClusterFile(ctx)
}

// hasApache reports whether any node runs a JVM, whose admin port answers
// slower and whose start and elections take longer.
func (l *Launcher) hasApache() bool {
	for _, n := range l.nodes {
		if l.impl(n.id).Name() == ImplApache {
			return true
		}
	}
	return false
}

// clientPort is the port clients are given for node n: its client proxy
// with ProxyClients, else its own client port.
func (l *Launcher) clientPort(n *nodeInfo) int {
	if l.cfg.ProxyClients {
		return n.ports.ClientProxy
	}
	return n.ports.Client
}

func (l *Launcher) node(id int) *nodeInfo {
	for i := range l.nodes {
		if l.nodes[i].id == id {
			return &l.nodes[i]
		}
	}
	return nil
}

// writeClusterFile records ports, pids and the control address.
func (l *Launcher) writeClusterFile(ctx context.Context) error {
	rows, err := l.sup.snapshot(ctx)
	if err != nil {
		return err
	}
	pids := map[int]int{}
	for _, r := range rows {
		if r.Running {
			pids[r.ID] = r.PID
		}
	}
	l.cfMu.Lock()
	defer l.cfMu.Unlock()
	if l.cf == nil {
		l.cf = &ClusterFile{Name: l.cfg.Name, Dir: l.dir, ControlAddr: l.ControlAddr(), LauncherPID: os.Getpid(), BasePort: l.cfg.BasePort, StartedAt: time.Now()}
	}
	l.cf.Nodes = l.cf.Nodes[:0]
	for _, n := range l.nodes {
		nf := NodeFile{ID: n.id, Observer: n.observer, PID: pids[n.id], ClientPort: l.clientPort(&n), ServerClientPort: n.ports.Client,
			AdminPort: n.ports.Admin, QuorumPort: n.ports.Quorum, ElectionPort: n.ports.Election, Config: n.cfgPath, Log: n.logPath,
			Impl: l.impl(n.id).Name(), Version: l.impl(n.id).Version()}
		if l.cfg.ProxyClients {
			nf.ClientProxyPort = n.ports.ClientProxy
		}
		l.cf.Nodes = append(l.cf.Nodes, nf)
	}
	return writeClusterFile(l.cf)
}

// Shutdown stops every server (SIGTERM, grace, SIGKILL; at once when ctx
// is cancelled, e.g. by a second Ctrl-C), then the proxies and the control
// API, removes cluster.json and releases the lock. It is idempotent.
func (l *Launcher) Shutdown(ctx context.Context) error {
	var err error
	l.closed.Do(func() { err = l.teardown(ctx, false) })
	return err
}

func (l *Launcher) teardown(ctx context.Context, force bool) error {
	var errs []error
	if l.poll != nil {
		l.poll.stop()
	}
	if l.sup != nil {
		if force {
			errs = append(errs, l.sup.stopAll(context.Background(), true))
		} else if err := l.sup.stopAll(ctx, false); err != nil {
			l.emit("info", 0, "grace period skipped: killing every server")
			errs = append(errs, l.sup.stopAll(context.Background(), true))
		}
		l.supCtx()
		<-l.sup.stopped
	}
	l.trace.gate.releaseAll()
	for _, p := range l.proxies {
		errs = append(errs, p.Close())
	}
	l.trace.close()
	for _, pp := range l.pending {
		pp.ln.Close()
	}
	if l.httpSrv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := l.httpSrv.Shutdown(sctx); err != nil {
			l.httpSrv.Close()
		}
		cancel()
	} else if l.control != nil {
		l.control.Close()
	}
	l.wg.Wait()
	if l.lock != nil {
		if l.cf != nil {
			errs = append(errs, removeClusterFile(l.dir))
		}
		l.lock.Close()
	}
	l.emit("info", 0, "cluster %s is down", l.cfg.Name)
	return errors.Join(errs...)
}

// Status implements Controller.
func (l *Launcher) Status(ctx context.Context) (ClusterStatus, error) {
	if l.sup == nil {
		return ClusterStatus{}, fmt.Errorf("launcher: not started: %w", ErrClosed)
	}
	rows, err := l.sup.snapshot(ctx)
	if err != nil {
		return ClusterStatus{}, err
	}
	links, clientLinks := l.linkStates(), l.clientLinkStates()
	st := ClusterStatus{Name: l.cfg.Name, Dir: l.dir, Links: links, ClientLinks: clientLinks}
	now := time.Now()
	for _, r := range rows {
		n := l.node(r.ID)
		ns := NodeStatus{ID: r.ID, Observer: n.observer, PID: r.PID, Running: r.Running, Paused: r.Paused, ExitCode: r.ExitCode,
			ClientPort: l.clientPort(n), ServerClientPort: n.ports.Client, AdminPort: n.ports.Admin, QuorumPort: n.ports.Quorum, ElectionPort: n.ports.Election,
			LastSeenMs: -1, LeaderID: -1, Impl: l.impl(r.ID).Name(), Version: l.impl(r.ID).Version()}
		if l.poll != nil {
			if ps, ok := l.poll.get(r.ID); ok && r.Running {
				ns.State, ns.Zxid, ns.Epoch, ns.LeaderID = ps.state, ps.zxid, ps.epoch, ps.leader
				ns.Unknown = ps.unknown
				if ns.Version == "" && ps.version != "" {
					// 3.8's monitor says "3.8.0-<git>, built on <date>".
					ns.Version, _, _ = strings.Cut(ps.version, "-")
				}
				if !ps.seen.IsZero() {
					ns.LastSeenMs = now.Sub(ps.seen).Milliseconds()
				}
			}
		}
		if !r.Running && r.ExitCode != nil {
			ns.LogTail = tailLines(n.logPath, 10)
		}
		ns.Faults = nodeFaults(r.ID, r.Paused, links, clientLinks)
		st.Nodes = append(st.Nodes, ns)
	}
	if l.poll != nil {
		st.Leader = l.poll.leader()
	}
	return st, nil
}

// Do implements Controller.
func (l *Launcher) Do(ctx context.Context, a Action) error {
	if l.sup == nil {
		return fmt.Errorf("launcher: not started: %w", ErrClosed)
	}
	if err := l.validateAction(a); err != nil {
		return err
	}
	src := a.Source
	if src == "" {
		src = "api"
	}
	l.emit("action", 0, "%s (from %s)", a.String(), src)
	if l.poll != nil {
		l.poll.actionApplied(a)
	}
	op, isProc := map[string]procOp{ActKill: opKill, ActStop: opStop, ActStart: opStart, ActRestart: opRestart, ActPause: opPause, ActResume: opResume}[a.Kind]
	if isProc {
		var errs []error
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, id := range a.Nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := l.sup.do(ctx, op, id); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if a.Kind == ActStart || a.Kind == ActRestart {
			if err := l.writeClusterFile(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	switch a.Kind {
	case ActUpgrade:
		return l.upgrade(ctx, a.Nodes[0], a.Impl)
	case ActHold, ActStep, ActRelease, ActDrop, ActDuplicate, ActDelay:
		if l.cfg.NoMessages {
			return fmt.Errorf("%s: the proxies forward bytes, not messages (started with NoMessages): %w", a.Kind, ErrBadAction)
		}
		if out := l.applyMessages(a); out != "" {
			l.emit("info", 0, "%s", out)
		}
		return nil
	case ActHeal:
		// Heal ends message faults and holds as well as link faults.
		l.trace.gate.clearRules()
		l.trace.gate.releaseAll()
	}
	l.applyLinks(a)
	return nil
}

// RunLine implements Controller through the injected LineRunner.
func (l *Launcher) RunLine(ctx context.Context, line string) (string, error) {
	l.runnerMu.Lock()
	r := l.runner
	l.runnerMu.Unlock()
	if r == nil {
		return "", ErrNoRunner
	}
	return r.RunLine(ctx, l, line)
}

// ErrNoRunner means no chaos-language runner was injected (HTTP 501).
var ErrNoRunner = errors.New("launcher: the chaos language is not available in this launcher")

// tailLines returns up to n last lines of a file.
func tailLines(path string, n int) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	const max = 16 << 10
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	off := fi.Size() - max
	if off < 0 {
		off = 0
	}
	buf := make([]byte, fi.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil {
		return nil
	}
	lines := strings.Split(strings.TrimRight(string(buf), "\n"), "\n")
	if off > 0 && len(lines) > 0 {
		lines = lines[1:]
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}
