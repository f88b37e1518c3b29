package launcher

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config configures a launcher. Build it with DefaultConfig and change fields.
type Config struct {
	// Name of the cluster; its directory is Dir/Name.
	Name string
	// Dir holds clusters (default DefaultDir()).
	Dir string
	// Voters is the number of voting servers (ids 1..Voters).
	Voters int
	// Observers follow ids Voters+1..Voters+Observers.
	Observers int
	// BasePort is the base of the port layout (see Layout).
	BasePort int
	// Clean wipes the nodes' data and logs before starting.
	Clean bool
	// TickMs is zoo.cfg's tickTime in milliseconds.
	TickMs int
	// Overrides are zoo.cfg key=value lines applied to every node last.
	Overrides []string
	// ProxyClients puts a proxy in front of every client port too.
	ProxyClients bool
	// NoMessages makes the server-to-server proxies forward bytes as they
	// come, without framing them into messages: no message log, no
	// stepping, no message faults. It exists to measure what they cost.
	NoMessages bool
	// TraceRaw keeps each logged message's bytes in Message.Raw, so that
	// tests can store frames captured from real servers as fixtures.
	TraceRaw bool
	// Grace is how long stop waits after SIGTERM before SIGKILL.
	Grace time.Duration
	// PollEvery is the admin-port poll period.
	PollEvery time.Duration
	// Seed seeds the link proxies' jitter.
	Seed int64
	// Command returns the argv that runs node id with its zoo.cfg; when
	// set it overrides Impls (tests use it to run a freshly built binary).
	Command func(id int, cfgPath string) []string
	// Impls gives node id's implementation at Impls[id-1]; missing or nil
	// entries run this binary as `zkctl server` (ZkctlImpl).
	Impls []Impl
	// ResolveImpl returns the implementation named ImplZkctl or ImplApache
	// for an upgrade; nil refuses upgrades. It runs before anything stops,
	// so a missing install stops nothing.
	ResolveImpl func(name string) (Impl, error)
	// Logger receives the launcher's own log lines (default slog.Default()).
	Logger *slog.Logger
}

// DefaultConfig returns a three-voter cluster named "local" with fast but
// realistic timeouts for one machine.
func DefaultConfig() Config {
	return Config{
		Name:      "local",
		Dir:       DefaultDir(),
		Voters:    3,
		BasePort:  DefaultBasePort,
		TickMs:    500,
		Grace:     5 * time.Second,
		PollEvery: 250 * time.Millisecond,
		Seed:      1,
	}
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// Validate checks the configuration and explains what is wrong.
func (c Config) Validate() error {
	var errs []error
	if !nameRE.MatchString(c.Name) {
		errs = append(errs, fmt.Errorf("cluster name %q: use 1-64 letters, digits, '-', '_' or '.'", c.Name))
	}
	if c.Dir == "" {
		errs = append(errs, errors.New("empty cluster directory"))
	}
	if c.Voters < 1 || c.Voters > MaxNodes {
		errs = append(errs, fmt.Errorf("%d voters: want 1 to %d", c.Voters, MaxNodes))
	}
	if c.Observers < 0 || c.Voters+c.Observers > MaxNodes {
		errs = append(errs, fmt.Errorf("%d observers with %d voters: at most %d servers in all", c.Observers, c.Voters, MaxNodes))
	}
	if c.Observers > 0 && c.Voters < 2 {
		errs = append(errs, errors.New("observers need an ensemble of at least 2 voters"))
	}
	if err := validateBase(c.BasePort); err != nil {
		errs = append(errs, err)
	}
	if c.TickMs < 10 || c.TickMs > 60000 {
		errs = append(errs, fmt.Errorf("tick %dms: want 10ms to 60s", c.TickMs))
	}
	if _, err := parseOverrides(c.Overrides); err != nil {
		errs = append(errs, err)
	}
	if c.Grace < 0 {
		errs = append(errs, fmt.Errorf("negative grace period %v", c.Grace))
	}
	if c.PollEvery < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("poll period %v: want at least 10ms", c.PollEvery))
	}
	if len(errs) > 0 {
		return fmt.Errorf("launcher: invalid configuration: %w", errors.Join(errs...))
	}
	return nil
}

// parseOverrides splits key=value overrides.
func parseOverrides(kv []string) ([][2]string, error) {
	var out [][2]string
	for _, s := range kv {
		k, v, ok := strings.Cut(s, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || strings.ContainsAny(k, " \t\n#!") || strings.ContainsAny(v, "\n") {
			return nil, fmt.Errorf("--set %q: want key=value", s)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// ids returns every node id, voters first.
func (c Config) ids() []int {
	out := make([]int, 0, c.Voters+c.Observers)
	for id := 1; id <= c.Voters+c.Observers; id++ {
		out = append(out, id)
	}
	return out
}

func (c Config) isObserver(id int) bool { return id > c.Voters }

// ensemble reports whether nodes run in quorum mode (server.N lines).
func (c Config) ensemble() bool { return c.Voters+c.Observers > 1 }

// zooCfg renders node id's zoo.cfg. In node i's file, server.j for j != i
// points at the launcher's proxies for the link i->j; its own line has its
// real ports, which it binds.
func (c Config) zooCfg(id int, dataDir string) string {
	lay := Layout{Base: c.BasePort}
	p := lay.Node(id)
	type kv struct{ k, v string }
	lines := []kv{
		{"tickTime", strconv.Itoa(c.TickMs)},
		{"initLimit", "10"},
		{"syncLimit", "5"},
		{"dataDir", dataDir},
		{"clientPort", strconv.Itoa(p.Client)},
		{"clientPortAddress", "127.0.0.1"},
		{"admin.enableServer", "true"},
		{"admin.serverAddress", "127.0.0.1"},
		{"admin.serverPort", strconv.Itoa(p.Admin)},
		{"4lw.commands.whitelist", "*"},
		{"maxClientCnxns", "0"},
		{"preAllocSize", "4096"},
		{"cnxTimeout", "1000"},
		{"electionPortBindRetry", "10"},
	}
	if c.ensemble() {
		if c.isObserver(id) {
			lines = append(lines, kv{"peerType", "observer"})
		}
		for _, j := range c.ids() {
			q, e := lay.QuorumProxy(id, j), lay.ElectionProxy(id, j)
			if j == id {
				q, e = lay.Node(j).Quorum, lay.Node(j).Election
			}
			role := "participant"
			if c.isObserver(j) {
				role = "observer"
			}
			// A server's own ";client" part must be the port it binds; the
			// others name what clients are given (their client proxies
			// with ProxyClients), e.g. in the /zookeeper/config znode.
			cp := lay.Node(j).Client
			if c.ProxyClients && j != id {
				cp = lay.Node(j).ClientProxy
			}
			lines = append(lines, kv{"server." + strconv.Itoa(j),
				fmt.Sprintf("127.0.0.1:%d:%d:%s;127.0.0.1:%d", q, e, role, cp)})
		}
	}
	ov, _ := parseOverrides(c.Overrides)
	for _, o := range ov {
		replaced := false
		for i := range lines {
			if lines[i].k == o[0] {
				lines[i].v, replaced = o[1], true
			}
		}
		if !replaced {
			lines = append(lines, kv{o[0], o[1]})
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# zoo.cfg of node %d in cluster %s, written by zkctl up; rewritten at every start.\n", id, c.Name)
	fmt.Fprintf(&b, "# server.N lines other than this node's point at zkctl's link proxies for %d->N.\n", id)
	if c.ProxyClients && c.ensemble() {
		fmt.Fprintf(&b, "# With --proxy-clients their ;client parts name zkctl's client proxies.\n")
	}
	for _, l := range lines {
		fmt.Fprintf(&b, "%s=%s\n", l.k, l.v)
	}
	return b.String()
}

// portUses lists every port the cluster needs with what it is for, in
// ascending order.
func (c Config) portUses() []portUse {
	lay := Layout{Base: c.BasePort}
	out := []portUse{{lay.Control(), "control API", kindControl, 0, 0}}
	for _, id := range c.ids() {
		p := lay.Node(id)
		out = append(out,
			portUse{p.Client, fmt.Sprintf("client port of node %d", id), kindServer, id, 0},
			portUse{p.Admin, fmt.Sprintf("admin port of node %d", id), kindServer, id, 0})
		if c.ensemble() {
			out = append(out,
				portUse{p.Quorum, fmt.Sprintf("quorum port of node %d", id), kindServer, id, 0},
				portUse{p.Election, fmt.Sprintf("election port of node %d", id), kindServer, id, 0})
		}
		if c.ProxyClients {
			out = append(out, portUse{p.ClientProxy, fmt.Sprintf("client proxy of node %d", id), kindClientProxy, id, 0})
		}
	}
	if c.ensemble() {
		for _, i := range c.ids() {
			for _, j := range c.ids() {
				if i == j {
					continue
				}
				out = append(out,
					portUse{lay.QuorumProxy(i, j), fmt.Sprintf("quorum proxy %d->%d", i, j), kindQuorumProxy, i, j},
					portUse{lay.ElectionProxy(i, j), fmt.Sprintf("election proxy %d->%d", i, j), kindElectionProxy, i, j})
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].port < out[b].port })
	return out
}

type portKind int

const (
	kindControl portKind = iota
	kindServer
	kindClientProxy
	kindQuorumProxy
	kindElectionProxy
)

// portUse is one port of the layout and its purpose; from/to name the link
// of a proxy (from is the node of a client proxy).
type portUse struct {
	port     int
	use      string
	kind     portKind
	from, to int
}
