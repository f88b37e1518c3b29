package status

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// adminCommand is one AdminServer command.
type adminCommand struct {
	names       []string // primary first, then aliases
	needsServer bool
	run         func(src Source, r *http.Request) obj
}

// adminCommands lists ZooKeeper 3.8's commands that zkctl serves.
var adminCommands = []adminCommand{
	{[]string{"configuration", "conf", "config"}, true, cmdConfiguration},
	{[]string{"connection_stat_reset", "crst"}, true, func(src Source, _ *http.Request) obj { src.ResetConnStats(); return obj{} }},
	{[]string{"connections", "cons"}, true, func(src Source, _ *http.Request) obj {
		return obj{{"connections", connObjects(src.Connections(), false)}, {"secure_connections", []any{}}}
	}},
	{[]string{"dirs"}, true, func(src Source, _ *http.Request) obj {
		st := src.ServerStats()
		return obj{{"datadir_size", st.DataDirSize}, {"logdir_size", st.LogDirSize}}
	}},
	{[]string{"dump"}, true, cmdDump},
	{[]string{"environment", "env", "envi"}, false, func(src Source, _ *http.Request) obj {
		var o obj
		for _, e := range environment(src) {
			o.put(e.Key, e.Value)
		}
		return o
	}},
	{[]string{"get_trace_mask", "gtmk"}, false, func(src Source, _ *http.Request) obj { return obj{{"tracemask", src.TraceMask()}} }},
	{[]string{"hash"}, true, cmdHash},
	{[]string{"initial_configuration", "icfg"}, true, func(src Source, _ *http.Request) obj {
		text := ""
		if cfg := src.Config(); cfg != nil {
			text = cfg.Text
		}
		return obj{{"initial_configuration", text}}
	}},
	{[]string{"is_read_only", "isro"}, true, func(src Source, _ *http.Request) obj { return obj{{"read_only", src.ServerStats().ReadOnly}} }},
	{[]string{"last_snapshot", "lsnp"}, true, func(src Source, _ *http.Request) obj {
		st := src.ServerStats()
		ts := int64(0)
		if !st.LastSnapshotTime.IsZero() {
			ts = st.LastSnapshotTime.Unix()
		}
		return obj{{"zxid", javaHex(st.LastSnapshotZxid)}, {"timestamp", ts}}
	}},
	{[]string{"leader", "lead"}, true, cmdLeader},
	{[]string{"monitor", "mntr"}, false, func(src Source, _ *http.Request) obj {
		var o obj
		for _, m := range monitorValues(src) {
			o.put(m.Key, m.Value)
		}
		return o
	}},
	{[]string{"observers", "obsr"}, true, cmdObservers},
	{[]string{"ruok"}, true, func(Source, *http.Request) obj { return obj{} }},
	{[]string{"server_stats", "srvr"}, true, func(src Source, _ *http.Request) obj { return statsObject(src, false) }},
	{[]string{"set_trace_mask", "stmk"}, false, cmdSetTraceMask},
	{[]string{"stat_reset", "srst"}, true, func(src Source, _ *http.Request) obj { resetStats(src); return obj{} }},
	{[]string{"stats", "stat"}, true, func(src Source, _ *http.Request) obj { return statsObject(src, true) }},
	{[]string{"system_properties", "sysp"}, false, func(src Source, _ *http.Request) obj { return sortedMap(systemProperties(src)) }},
	{[]string{"voting_view"}, true, cmdVotingView},
	{[]string{"watch_summary", "wchs"}, true, func(src Source, _ *http.Request) obj {
		ix := indexWatches(src.Watches())
		return obj{{"num_connections", len(ix.sessions)}, {"num_paths", len(ix.paths)}, {"num_total_watches", ix.total}}
	}},
	{[]string{"watches", "wchc"}, true, func(src Source, _ *http.Request) obj {
		ix := indexWatches(src.Watches())
		m := obj{}
		for _, s := range ix.sessions {
			m.put(strconv.FormatInt(s, 10), ix.bySess[s])
		}
		return obj{{"session_id_to_watched_paths", m}}
	}},
	{[]string{"watches_by_path", "wchp"}, true, func(src Source, _ *http.Request) obj {
		ix := indexWatches(src.Watches())
		m := obj{}
		for _, p := range ix.paths {
			m.put(p, ix.byPath[p])
		}
		return obj{{"path_to_session_ids", m}}
	}},
	{[]string{"zabstate"}, false, cmdZabState},
}

// adminIndex maps every name and alias to its command.
func adminIndex() map[string]*adminCommand {
	ix := map[string]*adminCommand{}
	for i := range adminCommands {
		for _, n := range adminCommands[i].names {
			ix[n] = &adminCommands[i]
		}
	}
	return ix
}

// adminHandler serves the AdminServer URL space.
type adminHandler struct {
	src    Source
	log    *slog.Logger
	prefix string
	cmds   map[string]*adminCommand
	prom   http.Handler
}

// NewAdminHandler returns the AdminServer: GET <commandURL> (an HTML list),
// <commandURL>/<name or alias> with ZooKeeper 3.8's JSON (HTTP 200 even for
// errors), zkctl's <commandURL>/peer and <commandURL>/events?since=N, and
// GET /metrics in Prometheus text format. commandURL is the config's
// admin.commandURL, /commands by default. logger may be nil.
func NewAdminHandler(src Source, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	prefix := "/commands"
	if cfg := src.Config(); cfg != nil && cfg.AdminCommandURL != "" {
		prefix = strings.TrimSuffix(cfg.AdminCommandURL, "/")
	}
	return &adminHandler{src: src, log: logger, prefix: prefix, cmds: adminIndex(), prom: adminMetricsHandler(src)}
}

// ServeHTTP implements http.Handler: one /commands/<name> request.
func (h *adminHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/metrics":
		h.prom.ServeHTTP(w, r)
	case path == h.prefix || path == h.prefix+"/":
		h.serveList(w)
	case strings.HasPrefix(path, h.prefix+"/"):
		h.serveCommand(w, r, strings.TrimPrefix(path, h.prefix+"/"))
	default:
		http.NotFound(w, r)
	}
}

func (h *adminHandler) serveList(w http.ResponseWriter) {
	names := []string{"events", "peer"}
	for _, c := range adminCommands {
		names = append(names, c.names[0])
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "<a href=\"%s/%s\">%s</a>\n<br/>\n", h.prefix, n, n)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

func (h *adminHandler) serveCommand(w http.ResponseWriter, r *http.Request, name string) {
	switch name {
	case "peer":
		h.writePlainJSON(w, name, h.src.Peer())
		return
	case "events":
		var since uint64
		if s := r.URL.Query().Get("since"); s != "" {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				h.writeJSON(w, obj{{"command", name}, {"error", fmt.Sprintf("since: %q is not a sequence number", s)}})
				return
			}
			since = n
		}
		h.writePlainJSON(w, name, h.src.Events(since))
		return
	}
	cmd, ok := h.cmds[name]
	if !ok {
		h.writeJSON(w, obj{{"command", name}, {"error", "Unknown command: " + name}})
		return
	}
	if cmd.needsServer && !h.src.Serving() {
		h.writeJSON(w, obj{{"command", name}, {"error", NotServing}})
		return
	}
	out := cmd.run(h.src, r)
	if !out.has("error") {
		out.put("command", cmd.names[0])
		out.put("error", nil)
	} else {
		out = append(obj{{"command", cmd.names[0]}}, out...)
	}
	h.writeJSON(w, out)
}

func (o obj) has(k string) bool {
	for _, f := range o {
		if f.K == k {
			return true
		}
	}
	return false
}

func (h *adminHandler) writeJSON(w http.ResponseWriter, o obj) {
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write([]byte(jacksonJSON(o))); err != nil {
		h.log.Debug("admin: write response", "err", err)
	}
}

func (h *adminHandler) writePlainJSON(w http.ResponseWriter, name string, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		h.log.Warn("admin: encode response", "command", name, "err", err)
		h.writeJSON(w, obj{{"command", name}, {"error", "encode: " + err.Error()}})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

func cmdConfiguration(src Source, _ *http.Request) obj {
	cfg := src.Config()
	if cfg == nil {
		return obj{{"error", "no configuration"}}
	}
	port := cfg.ClientPort
	if port == 0 {
		port = -1
	}
	return obj{
		{"client_port", port},
		{"data_dir", absPath(cfg.DataDir) + "/version-2"},
		{"data_log_dir", absPath(cfg.DataLogDir) + "/version-2"},
		{"tick_time", cfg.TickTime},
		{"max_client_cnxns", cfg.MaxClientCnxns},
		{"min_session_timeout", cfg.MinSessionTimeoutMs()},
		{"max_session_timeout", cfg.MaxSessionTimeoutMs()},
		{"server_id", cfg.MyID},
		{"client_port_listen_backlog", cfg.ClientPortListenBacklog},
	}
}

// connObjects renders connections as getConnectionInfo does (brief or full).
func connObjects(cs []ConnInfo, brief bool) []any {
	out := []any{}
	for _, c := range cs {
		o := obj{
			{"remote_socket_address", c.RemoteAddr},
			{"interest_ops", c.InterestOps},
			{"outstanding_requests", c.Outstanding},
			{"packets_received", c.PacketsReceived},
			{"packets_sent", c.PacketsSent},
		}
		if !brief {
			lop := c.LastOp
			if lop == "" {
				lop = "NA"
			}
			est := int64(0)
			if !c.Established.IsZero() {
				est = c.Established.UnixMilli()
			}
			o = append(o,
				field{"session_id", c.SessionID},
				field{"last_operation", lop},
				field{"established", est},
				field{"session_timeout", c.SessionTimeoutMs},
				field{"last_cxid", c.LastCxid},
				field{"last_zxid", c.LastZxid},
				field{"last_response_time", c.LastResponseMs},
				field{"last_latency", c.LastLatencyMs},
				field{"min_latency", c.MinLatencyMs},
				field{"avg_latency", c.AvgLatencyMs},
				field{"max_latency", c.MaxLatencyMs},
			)
		}
		out = append(out, o)
	}
	return out
}

func bufferStats(b BufferStats) obj {
	return obj{{"last_buffer_size", b.Last}, {"min_buffer_size", b.Min}, {"max_buffer_size", b.Max}}
}

// statsObject is server_stats, or stats with its brief connections.
func statsObject(src Source, withConns bool) obj {
	st := src.ServerStats()
	ss := obj{
		{"packets_sent", st.PacketsSent},
		{"packets_received", st.PacketsReceived},
		{"fsync_threshold_exceed_count", st.FsyncThresholdExceedCount},
		{"client_response_stats", bufferStats(st.ClientResponse)},
		{"uptime", st.Uptime.Milliseconds()},
		{"server_state", st.Mode},
		{"provider_null", false},
		{"data_dir_size", st.DataDirSize},
		{"log_dir_size", st.LogDirSize},
		{"last_processed_zxid", st.LastZxid},
		{"outstanding_requests", st.Outstanding},
		{"avg_latency", round4(st.AvgLatencyMs)},
		{"max_latency", st.MaxLatencyMs},
		{"min_latency", st.MinLatencyMs},
		{"num_alive_client_connections", st.AliveConnections},
		{"auth_failed_count", st.AuthFailedCount},
		{"non_mtlsremote_conn_count", int64(0)},
		{"non_mtlslocal_conn_count", int64(0)},
	}
	o := obj{
		{"version", st.version()},
		{"read_only", st.ReadOnly},
		{"server_stats", ss},
		{"client_response", bufferStats(st.ClientResponse)},
	}
	if st.Mode == ModeLeader {
		o.put("proposal_stats", bufferStats(st.Proposal))
	}
	o.put("node_count", st.NodeCount)
	if withConns {
		o.put("connections", connObjects(src.Connections(), true))
		o.put("secure_connections", []any{})
	}
	return o
}

func cmdDump(src Source, _ *http.Request) obj {
	sessions := src.Sessions()
	times, byTime := expiryBuckets(sessions)
	expiry := obj{}
	for _, t := range times {
		expiry.put(strconv.FormatInt(t.UnixMilli(), 10), byTime[t])
	}
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].ID < sessions[j].ID })
	eph := obj{}
	for _, s := range sessions {
		if len(s.Ephemerals) > 0 {
			paths := append([]string(nil), s.Ephemerals...)
			sort.Strings(paths)
			eph.put(strconv.FormatInt(s.ID, 10), paths)
		}
	}
	return obj{{"expiry_time_to_session_ids", expiry}, {"session_id_to_ephemeral_paths", eph}}
}

func cmdLeader(src Source, _ *http.Request) obj {
	cfg := src.Config()
	if cfg == nil || !cfg.IsQuorum() {
		return obj{{"error", "server is not initialized"}}
	}
	q := src.QuorumInfo()
	ip := ""
	if q.LeaderID >= 0 {
		if s, ok := cfg.Server(q.LeaderID); ok {
			var hosts []string
			for _, a := range s.Addrs {
				hosts = append(hosts, a.Host)
			}
			ip = strings.Join(hosts, "|")
		}
	}
	return obj{{"is_leader", q.IsLeader}, {"leader_id", q.LeaderID}, {"leader_ip", ip}}
}

func cmdObservers(src Source, _ *http.Request) obj {
	q := src.QuorumInfo()
	list := []any{}
	for _, o := range q.Observers {
		est := int64(0)
		if !o.Established.IsZero() {
			est = o.Established.UnixMilli()
		}
		list = append(list, obj{
			{"remote_socket_address", o.Addr},
			{"sid", o.ID},
			{"established", est},
			{"queued_packets", o.QueuedPackets},
			{"last_zxid", "0x" + javaHex(o.LastZxid)},
		})
	}
	return obj{{"synced_observers", q.SyncedObservers}, {"observers", list}}
}

func cmdSetTraceMask(src Source, r *http.Request) obj {
	s := r.URL.Query().Get("traceMask")
	if s == "" {
		return obj{{"error", "setTraceMask requires long traceMask paramter"}}
	}
	mask, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return obj{{"error", "setTraceMask requires long traceMask paramter"}}
	}
	src.SetTraceMask(mask)
	return obj{{"tracemask", src.TraceMask()}}
}

func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

func cmdVotingView(src Source, _ *http.Request) obj {
	cfg := src.Config()
	view := obj{}
	if cfg == nil || !cfg.IsQuorum() {
		return obj{{"current_config", view}}
	}
	for _, s := range cfg.Voters() {
		var qa, ea []string
		for _, a := range s.Addrs {
			qa = append(qa, hostPort(a.Host, a.QuorumPort))
			ea = append(ea, hostPort(a.Host, a.ElectionPort))
		}
		var client any
		if s.HasClientAddr {
			client = hostPort(s.ClientHost, s.ClientPort)
		} else if s.ID == cfg.MyID && cfg.ClientPort != 0 {
			client = hostPort(orAny(cfg.ClientPortAddress), cfg.ClientPort)
		}
		view.put(strconv.FormatInt(s.ID, 10), obj{
			{"server_addresses", qa},
			{"election_addresses", ea},
			{"client_address", client},
			{"learner_type", s.Type.String()},
		})
	}
	return obj{{"current_config", view}}
}

func orAny(h string) string {
	if h == "" {
		return "0.0.0.0"
	}
	return h
}

func cmdZabState(src Source, _ *http.Request) obj {
	cfg := src.Config()
	if cfg == nil || !cfg.IsQuorum() {
		return obj{{"voting", false}, {"zabstate", ""}}
	}
	q := src.QuorumInfo()
	me, _ := cfg.Me()
	var qa, ea []hostAndPort
	for _, a := range me.Addrs {
		qa = append(qa, hostAndPort{a.Host, a.QuorumPort})
		ea = append(ea, hostAndPort{a.Host, a.ElectionPort})
	}
	client := ""
	if cfg.ClientPort != 0 {
		client = hostPort(orAny(cfg.ClientPortAddress), cfg.ClientPort)
	}
	return obj{
		{"myid", cfg.MyID},
		{"is_leader", q.IsLeader},
		{"quorum_address", multipleAddresses(qa)},
		{"election_address", multipleAddresses(ea)},
		{"client_address", client},
		{"voting", q.Voting},
		{"last_zxid", "0x" + javaHex(q.LastZxid)},
		{"zab_epoch", q.LastZxid >> 32},
		{"zab_counter", q.LastZxid & 0xffffffff},
		{"zabstate", strings.ToLower(q.ZabPhase)},
	}
}

// hostAndPort is one configured address of a server.
type hostAndPort struct {
	host string
	port int
}

// multipleAddresses renders a server's addresses as 3.8.0's zabstate does:
// Jackson serializes the MultipleAddresses bean through its getters, so the
// value is an object, not a string. Every configured address is taken as
// reachable.
func multipleAddresses(as []hostAndPort) obj {
	all, hosts, ports, wild := []string{}, []string{}, []int{}, []string{}
	for _, a := range as {
		all = append(all, hostPort(a.host, a.port))
		hosts = append(hosts, a.host)
		ports = append(ports, a.port)
		wild = append(wild, hostPort("0.0.0.0", a.port))
	}
	var one any
	if len(all) > 0 {
		one = all[0]
	}
	return obj{
		{"all_addresses", all},
		{"all_host_strings", hosts},
		{"all_ports", ports},
		{"all_reachable_addresses", all},
		{"all_reachable_addresses_or_all", all},
		{"empty", len(as) == 0},
		{"one", one},
		{"reachable_address", one},
		{"reachable_or_one", one},
		{"wildcard_addresses", wild},
	}
}
