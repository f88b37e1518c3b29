package zkconfig

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/viper"
)

// ErrConfig is wrapped by every validation error Load and Parse return.
var ErrConfig = errors.New("zkconfig: invalid configuration")

// configError names the file, and usually the key and value, at fault.
type configError struct {
	file string
	msg  string
}

// Error implements error: the file, then what is wrong in it.
func (e *configError) Error() string { return e.file + ": " + e.msg }

// Unwrap makes every config error match errors.Is(err, ErrConfig).
func (e *configError) Unwrap() error { return ErrConfig }

// Load reads the zoo.cfg at path through viper, applies ZooKeeper 3.8's
// defaults and validation and, in quorum mode, reads <dataDir>/myid.
// Errors name the key and the value, e.g.
// `zoo.cfg: tickTime: "abc" is not a number`.
//
// Unless WithEnv says otherwise, -D flags are read from the process's
// SERVER_JVMFLAGS and JVMFLAGS (see WithEnv for the precedence).
func Load(path string, opts ...Option) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("zkconfig: read %s: %w", path, err)
	}
	cfg, err := Parse(path, data, append([]Option{WithEnv(os.LookupEnv)}, opts...)...)
	if err != nil {
		return nil, err
	}
	if cfg.IsQuorum() {
		id, err := ReadMyID(cfg.DataDir)
		if err != nil {
			return nil, &configError{file: path, msg: err.Error()}
		}
		if err := cfg.setMyID(id); err != nil {
			return nil, &configError{file: path, msg: err.Error()}
		}
	}
	return cfg, nil
}

// ReadMyID reads <dataDir>/myid: its first line as a decimal long (the line
// end is fine, stray spaces are not).
func ReadMyID(dataDir string) (int64, error) {
	p := filepath.Join(dataDir, "myid")
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("myid file is missing: %s", p)
	}
	if err != nil {
		return 0, fmt.Errorf("read myid: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSuffix(line, "\r")
	id, err := strconv.ParseInt(line, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("myid %s: %q is not a number", p, line)
	}
	return id, nil
}

// setMyID records id as this server's sid and checks it against the
// membership.
func (c *Config) setMyID(id int64) error {
	if _, ok := c.Server(id); !ok {
		return fmt.Errorf("myid %d is not in the peer list (server.N lines)", id)
	}
	if c.ExtendedTypesEnabled && id > 254 {
		return fmt.Errorf("myid %d: must be <= 254 when extendedTypesEnabled=true", id)
	}
	c.MyID = id
	return c.setupClientPort()
}

// SetMyID sets this server's sid and validates it against the membership,
// for callers that obtain myid otherwise than from the file.
func (c *Config) SetMyID(id int64) error {
	if err := c.setMyID(id); err != nil {
		return &configError{file: c.Path, msg: err.Error()}
	}
	return nil
}

// recordingCodec is the properties codec plus the original spelling of keys
// (viper lower-cases them).
type recordingCodec struct {
	propertiesCodec
	original map[string]string
	lines    map[string]int
}

// Decode implements the viper codec: it records the keys as read.
func (r *recordingCodec) Decode(b []byte, v map[string]any) error {
	props, err := parseProperties(b)
	if err != nil {
		return err
	}
	for _, p := range props {
		lk := strings.ToLower(p.Key)
		r.original[lk] = p.Key
		r.lines[lk] = p.Line
		v[p.Key] = p.Value
	}
	return nil
}

// Parse reads zoo.cfg text; name is used in error messages. It does not
// read myid, so a quorum Config from Parse has MyID 0 until SetMyID. It
// reads no environment unless given WithEnv.
func Parse(name string, data []byte, opts ...Option) (*Config, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	codec := &recordingCodec{original: map[string]string{}, lines: map[string]int{}}
	reg := viper.NewCodecRegistry()
	if err := reg.RegisterCodec("properties", codec); err != nil {
		return nil, fmt.Errorf("zkconfig: register codec: %w", err)
	}
	v := viper.NewWithOptions(viper.WithCodecRegistry(reg))
	v.SetConfigType("properties")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, &configError{file: name, msg: fmt.Sprintf("not a properties file: %v", err)}
	}
	keys := v.AllKeys()
	sort.Slice(keys, func(i, j int) bool { return codec.lines[keys[i]] < codec.lines[keys[j]] })
	p := &parser{file: name, cfg: Default(""), values: map[string]string{}, source: map[string]string{}}
	p.cfg.Path = name
	p.cfg.Text = string(data)
	for _, k := range keys {
		orig := codec.original[k]
		if orig == "" {
			orig = k
		}
		p.values[k] = strings.TrimSpace(v.GetString(k))
		p.order = append(p.order, orig)
	}
	p.fileKeys = len(p.order)
	if o.lookupEnv != nil {
		p.addJVMFlags(o.lookupEnv)
	}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.cfg, nil
}

// parser turns the flat key/value pairs into a Config.
type parser struct {
	file   string
	cfg    *Config
	values map[string]string // lower-cased key → trimmed value
	order  []string          // original keys in file order, then -D keys
	// fileKeys is how many of order come from the file (the rest come from
	// -D flags and never go to Extra).
	fileKeys int
	// source names the -D flag a key came from (lower-cased key → text).
	source map[string]string
	err    error
	setMin bool
}

// name is key as error messages show it: with the -D flag it came from.
func (p *parser) name(key string) string {
	if src, ok := p.source[strings.ToLower(key)]; ok {
		return key + " (from " + src + ")"
	}
	return key
}

func (p *parser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = &configError{file: p.file, msg: fmt.Sprintf(format, args...)}
	}
}

// intKey parses key as a 32-bit decimal integer (Java Integer.parseInt).
func (p *parser) intKey(key string, dst *int, lo, hi int64) bool {
	s, ok := p.values[strings.ToLower(key)]
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		p.fail("%s: %q is not a number", p.name(key), s)
		return false
	}
	if n < lo || n > hi {
		p.fail("%s: %q is out of range [%d, %d]", p.name(key), s, lo, hi)
		return false
	}
	*dst = int(n)
	return true
}

// longKey parses key as a 64-bit decimal integer.
func (p *parser) longKey(key string, dst *int64, lo int64) bool {
	s, ok := p.values[strings.ToLower(key)]
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.fail("%s: %q is not a number", p.name(key), s)
		return false
	}
	if n < lo {
		p.fail("%s: %q must be at least %d", p.name(key), s, lo)
		return false
	}
	*dst = n
	return true
}

// boolKey accepts true/false/yes/no in any case.
func (p *parser) boolKey(key string, dst *bool) bool {
	s, ok := p.values[strings.ToLower(key)]
	if !ok {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "yes":
		*dst = true
	case "false", "no":
		*dst = false
	default:
		p.fail("%s: %q is not a boolean (true/false or yes/no)", p.name(key), s)
		return false
	}
	return true
}

func (p *parser) strKey(key string, dst *string) bool {
	s, ok := p.values[strings.ToLower(key)]
	if ok {
		*dst = s
	}
	return ok
}

// known lists the keys zkctl interprets (lower-cased); others go to Extra.
var known = map[string]bool{}

func init() {
	for _, k := range []string{
		"tickTime", "initLimit", "syncLimit", "connectToLearnerMasterLimit", "dataDir", "dataLogDir",
		"clientPort", "clientPortAddress", "secureClientPort", "secureClientPortAddress", "clientPortListenBacklog",
		"admin.enableServer", "admin.serverAddress", "admin.serverPort", "admin.idleTimeout", "admin.commandURL",
		"4lw.commands.whitelist", "maxClientCnxns", "maxCnxns", "minSessionTimeout", "maxSessionTimeout",
		"snapCount", "snapSizeLimitInKb", "preAllocSize", "forceSync", "autopurge.snapRetainCount",
		"autopurge.purgeInterval", "globalOutstandingLimit", "extendedTypesEnabled", "standaloneEnabled",
		"reconfigEnabled", "peerType", "cnxTimeout", "electionPortBindRetry", "electionAlg",
		"quorumListenOnAllIPs", "localSessionsEnabled", "localSessionsUpgradingEnabled", "syncEnabled",
		"leaderServes", "multiAddress.enabled",
		"metricsProvider.className", "metricsProvider.httpHost", "metricsProvider.httpPort", "metricsProvider.exportJvmInfo",
		"metricsProvider.numWorkerThreads", "metricsProvider.maxQueueSize", "metricsProvider.workerShutdownTimeoutMs", "DigestAuthenticationProvider.superDigest", "dynamicConfigFile",
	} {
		known[strings.ToLower(k)] = true
	}
}

func (p *parser) run() error {
	c := p.cfg
	const maxInt = 1<<31 - 1
	if p.intKey("tickTime", &c.TickTime, -1<<31, maxInt) && c.TickTime <= 0 {
		p.fail("tickTime: %q must be positive", p.values["ticktime"])
	}
	p.intKey("initLimit", &c.InitLimit, 0, maxInt)
	p.intKey("syncLimit", &c.SyncLimit, 0, maxInt)
	if !p.intKey("connectToLearnerMasterLimit", &c.ConnectToLearnerMasterLimit, 0, maxInt) {
		c.ConnectToLearnerMasterLimit = c.InitLimit
	}
	if !p.strKey("dataDir", &c.DataDir) || c.DataDir == "" {
		p.fail("dataDir is not set")
	}
	if !p.strKey("dataLogDir", &c.DataLogDir) || c.DataLogDir == "" {
		c.DataLogDir = c.DataDir
	}
	p.intKey("clientPort", &c.ClientPort, 0, 65535)
	if p.strKey("clientPortAddress", &c.ClientPortAddress) && c.ClientPort == 0 {
		p.fail("clientPortAddress is set (%q) but clientPort is not set", c.ClientPortAddress)
	}
	p.intKey("secureClientPort", &c.SecureClientPort, 0, 65535)
	p.intKey("clientPortListenBacklog", &c.ClientPortListenBacklog, -1, maxInt)

	p.boolKey("admin.enableServer", &c.AdminEnableServer)
	if p.strKey("admin.serverAddress", &c.AdminServerAddress) && c.AdminServerAddress == "" {
		p.fail("admin.serverAddress: empty value")
	}
	p.intKey("admin.serverPort", &c.AdminServerPort, 0, 65535)
	p.intKey("admin.idleTimeout", &c.AdminIdleTimeout, 0, maxInt)
	if p.strKey("admin.commandURL", &c.AdminCommandURL) && !strings.HasPrefix(c.AdminCommandURL, "/") {
		p.fail("admin.commandURL: %q must start with /", c.AdminCommandURL)
	}
	if s, ok := p.values["4lw.commands.whitelist"]; ok {
		c.FourLetterWords = ParseWhitelist(s)
	}

	p.intKey("maxClientCnxns", &c.MaxClientCnxns, 0, maxInt)
	p.intKey("maxCnxns", &c.MaxCnxns, 0, maxInt)
	p.intKey("minSessionTimeout", &c.minSessionTimeout, -1, maxInt)
	p.intKey("maxSessionTimeout", &c.maxSessionTimeout, -1, maxInt)

	if p.intKey("snapCount", &c.SnapCount, -1<<31, maxInt) && c.SnapCount < 2 {
		c.SnapCount = 2 // ZooKeeper raises it to 2 with a warning
	}
	p.longKey("snapSizeLimitInKb", &c.SnapSizeLimitInKb, -1<<63)
	if p.longKey("preAllocSize", &c.PreAllocSizeKB, 0) && c.PreAllocSizeKB == 0 {
		p.fail("preAllocSize: %q must be positive (KB)", p.values["preallocsize"])
	}
	if s, ok := p.values["forcesync"]; ok {
		switch strings.ToLower(s) {
		case "yes", "true":
			c.ForceSync = true
		case "no", "false":
			c.ForceSync = false
		default:
			p.fail("forceSync: %q is not yes or no", s)
		}
	}
	if p.intKey("autopurge.snapRetainCount", &c.AutopurgeSnapRetainCount, -1<<31, maxInt) && c.AutopurgeSnapRetainCount < 3 {
		c.AutopurgeSnapRetainCount = 3 // ZooKeeper's minimum
	}
	p.intKey("autopurge.purgeInterval", &c.AutopurgePurgeInterval, 0, maxInt)
	p.intKey("globalOutstandingLimit", &c.GlobalOutstandingLimit, 1, maxInt)
	p.boolKey("extendedTypesEnabled", &c.ExtendedTypesEnabled)
	p.boolKey("standaloneEnabled", &c.StandaloneEnabled)
	p.boolKey("reconfigEnabled", &c.ReconfigEnabled)
	if s, ok := p.values["peertype"]; ok {
		t, err := parseLearnerType(s)
		if err != nil {
			p.fail("peerType: %v", err)
		}
		c.PeerType = t
	}
	p.intKey("cnxTimeout", &c.CnxTimeout, 1, maxInt)
	p.intKey("electionPortBindRetry", &c.ElectionPortBindRetry, 0, maxInt)
	if p.intKey("electionAlg", &c.ElectionAlg, -1<<31, maxInt) && c.ElectionAlg != 3 {
		p.fail("electionAlg: %q is not supported, only 3", p.values["electionalg"])
	}
	p.boolKey("quorumListenOnAllIPs", &c.QuorumListenOnAllIPs)
	p.boolKey("localSessionsEnabled", &c.LocalSessionsEnabled)
	p.boolKey("localSessionsUpgradingEnabled", &c.LocalSessionsUpgradingEnabled)
	if c.LocalSessionsEnabled {
		// Never silent: 3.8 makes every session a follower creates local
		// until it needs to be global; zkctl does that for read-only
		// clients only.
		c.Warnings = append(c.Warnings, "localSessionsEnabled: read-only clients get local sessions; read-write sessions stay global in zkctl (they can move between servers)")
	}
	p.boolKey("syncEnabled", &c.SyncEnabled)
	p.boolKey("leaderServes", &c.LeaderServes)
	p.metricsProvider()
	p.boolKey("multiAddress.enabled", &c.MultiAddressEnabled)
	if p.strKey("DigestAuthenticationProvider.superDigest", &c.SuperDigest) {
		if user, digest, ok := strings.Cut(c.SuperDigest, ":"); !ok || user == "" || digest == "" {
			p.fail("DigestAuthenticationProvider.superDigest: %q is not of the form user:base64digest", c.SuperDigest)
		}
	}
	if s, ok := p.values["dynamicconfigfile"]; ok {
		p.fail("dynamicConfigFile: %q: dynamic config files are not supported yet by zkctl; put the server.N lines in zoo.cfg", s)
	}

	p.jvmKeys()
	p.checkKeys()
	for i, key := range p.order {
		lk := strings.ToLower(key)
		switch {
		case i >= p.fileKeys:
			// -D flags are not zoo.cfg lines: typed fields only.
		case strings.HasPrefix(lk, "server."):
			p.serverLine(key, p.values[lk])
		case strings.HasPrefix(lk, "group.") || strings.HasPrefix(lk, "weight."):
			p.fail("%s: not supported yet by zkctl: hierarchical quorums (group/weight)", key)
		case !known[lk]:
			c.Extra[key] = p.values[lk]
		}
	}
	if p.err != nil {
		return p.err
	}
	for _, sv := range c.Servers {
		if len(sv.Addrs) > 1 {
			p.fail("server.%d: several addresses (multiAddress): not supported yet by zkctl: only one address per server is used", sv.ID)
		}
	}
	sort.Slice(c.Servers, func(i, j int) bool { return c.Servers[i].ID < c.Servers[j].ID })
	for i := 1; i < len(c.Servers); i++ {
		if c.Servers[i].ID == c.Servers[i-1].ID {
			p.fail("server.%d: defined twice", c.Servers[i].ID)
		}
	}
	if c.MinSessionTimeoutMs() > c.MaxSessionTimeoutMs() {
		p.fail("minSessionTimeout (%d) must not be larger than maxSessionTimeout (%d)",
			c.MinSessionTimeoutMs(), c.MaxSessionTimeoutMs())
	}
	p.checkMembership()
	return p.err
}

// checkMembership applies QuorumPeerConfig's rules on the number of voters
// and observers, and the quorum-only required keys.
func (p *parser) checkMembership() {
	c := p.cfg
	if len(c.Servers) == 0 {
		return
	}
	voters, observers := len(c.Voters()), len(c.Observers())
	switch {
	case voters == 0 && !c.StandaloneEnabled:
		p.fail("standaloneEnabled=false needs at least one participant server.N line")
	case voters == 0 && observers > 0:
		p.fail("observers without participants is an invalid configuration")
	case voters == 1 && c.StandaloneEnabled && observers > 0:
		p.fail("observers without a quorum (a single participant and standaloneEnabled=true) is an invalid configuration")
	}
	if !c.IsQuorum() {
		return
	}
	if c.InitLimit == 0 {
		p.fail("initLimit is not set (required with server.N lines)")
	}
	if c.SyncLimit == 0 {
		p.fail("syncLimit is not set (required with server.N lines)")
	}
}

// setupClientPort reconciles clientPort with this server's ";client" part
// (QuorumPeerConfig.setupClientPort).
func (c *Config) setupClientPort() error {
	me, ok := c.Server(c.MyID)
	if !ok || !me.HasClientAddr {
		return nil
	}
	if c.ClientPort == 0 {
		c.ClientPort = me.ClientPort
		if me.ClientHost != "0.0.0.0" {
			c.ClientPortAddress = me.ClientHost
		}
		return nil
	}
	if c.ClientPort != me.ClientPort ||
		(c.ClientPortAddress != "" && c.ClientPortAddress != "0.0.0.0" && c.ClientPortAddress != me.ClientHost) {
		return fmt.Errorf("client address for server.%d is %s:%d in its server line but clientPort/clientPortAddress say %s:%d",
			c.MyID, me.ClientHost, me.ClientPort, c.ClientPortAddress, c.ClientPort)
	}
	return nil
}

// ParseWhitelist parses 4lw.commands.whitelist: comma separated, spaces
// trimmed, "*" for every word. srvr is always allowed.
func ParseWhitelist(s string) Whitelist {
	w := Whitelist{words: map[string]bool{}}
	for _, word := range strings.Split(s, ",") {
		word = strings.TrimSpace(word)
		if word == "*" {
			w.all = true
			break
		}
		if word != "" {
			w.words[word] = true
		}
	}
	w.words["srvr"] = true
	return w
}

// metricsProvider reads the metricsProvider.* keys as 3.8's
// PrometheusMetricsProvider.configure does: httpPort is an int,
// exportJvmInfo is Boolean.parseBoolean (only "true", any case, is true).
// The worker-pool keys tune Java's summary reporting thread; zkctl checks
// that they are numbers and has no such pool.
func (p *parser) metricsProvider() {
	c := p.cfg
	// Other classes are refused by keyTable (checkKeys).
	p.strKey("metricsProvider.className", &c.MetricsProviderClassName)
	p.strKey("metricsProvider.httpHost", &c.MetricsProviderHTTPHost)
	p.intKey("metricsProvider.httpPort", &c.MetricsProviderHTTPPort, 0, 65535)
	if s, ok := p.values["metricsprovider.exportjvminfo"]; ok {
		c.MetricsProviderExportJvmInfo = strings.EqualFold(s, "true")
	}
	var n int
	p.intKey("metricsProvider.numWorkerThreads", &n, -1<<31, 1<<31-1)
	p.intKey("metricsProvider.maxQueueSize", &n, -1<<31, 1<<31-1)
	var l int64
	p.longKey("metricsProvider.workerShutdownTimeoutMs", &l, -1<<63)
}
