package status

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/adminapi"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func getJSON(t *testing.T, h http.Handler, path string) map[string]any {
	t.Helper()
	code, body := get(t, h, path)
	if code != 200 {
		t.Fatalf("%s: HTTP %d", path, code)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", path, err, body)
	}
	return m
}

func TestAdmin_CommandKeys(t *testing.T) {
	cases := []struct {
		path, command string
		keys          []string
		leader        bool
	}{
		{"/commands/conf", "configuration", []string{"client_port", "data_dir", "data_log_dir", "tick_time", "max_client_cnxns", "min_session_timeout", "max_session_timeout", "server_id", "client_port_listen_backlog"}, false},
		{"/commands/config", "configuration", []string{"client_port"}, false},
		{"/commands/cons", "connections", []string{"connections", "secure_connections"}, false},
		{"/commands/dirs", "dirs", []string{"datadir_size", "logdir_size"}, false},
		{"/commands/dump", "dump", []string{"expiry_time_to_session_ids", "session_id_to_ephemeral_paths"}, false},
		{"/commands/env", "environment", []string{"zookeeper.version", "host.name", "os.name", "user.dir"}, false},
		{"/commands/gtmk", "get_trace_mask", []string{"tracemask"}, false},
		{"/commands/icfg", "initial_configuration", []string{"initial_configuration"}, false},
		{"/commands/isro", "is_read_only", []string{"read_only"}, false},
		{"/commands/lsnp", "last_snapshot", []string{"zxid", "timestamp"}, false},
		{"/commands/lead", "leader", []string{"is_leader", "leader_id", "leader_ip"}, true},
		{"/commands/mntr", "monitor", []string{"version", "server_state", "avg_latency", "znode_count", "watch_count", "num_alive_connections"}, false},
		{"/commands/obsr", "observers", []string{"synced_observers", "observers"}, true},
		{"/commands/ruok", "ruok", nil, false},
		{"/commands/srvr", "server_stats", []string{"version", "read_only", "server_stats", "client_response", "node_count"}, false},
		{"/commands/server_stats", "server_stats", []string{"proposal_stats"}, true},
		{"/commands/stat", "stats", []string{"version", "server_stats", "connections", "secure_connections", "node_count"}, false},
		{"/commands/sysp", "system_properties", []string{"zookeeper.4lw.commands.whitelist", "os.arch"}, false},
		{"/commands/voting_view", "voting_view", []string{"current_config"}, false},
		{"/commands/wchs", "watch_summary", []string{"num_connections", "num_paths", "num_total_watches"}, false},
		{"/commands/wchc", "watches", []string{"session_id_to_watched_paths"}, false},
		{"/commands/wchp", "watches_by_path", []string{"path_to_session_ids"}, false},
		{"/commands/zabstate", "zabstate", []string{"myid", "is_leader", "quorum_address", "election_address", "client_address", "voting", "last_zxid", "zab_epoch", "zab_counter", "zabstate"}, true},
		{"/commands/srst", "stat_reset", nil, false},
		{"/commands/crst", "connection_stat_reset", nil, false},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			f := standaloneFake(t)
			if c.leader {
				f = leaderFake(t)
			}
			m := getJSON(t, NewAdminHandler(f, nil), c.path)
			if m["command"] != c.command {
				t.Errorf("command = %v, want %s", m["command"], c.command)
			}
			if e, ok := m["error"]; !ok || e != nil {
				t.Errorf("error = %v (present %v), want null", e, ok)
			}
			for _, k := range c.keys {
				if _, ok := m[k]; !ok {
					t.Errorf("missing key %q in %v", k, m)
				}
			}
		})
	}
}

func TestAdmin_Values(t *testing.T) {
	f := leaderFake(t)
	h := NewAdminHandler(f, nil)
	ss := getJSON(t, h, "/commands/stats")
	st := ss["server_stats"].(map[string]any)
	if st["server_state"] != "leader" || st["packets_received"] != 10.0 || st["last_processed_zxid"] != float64(0x10000002a) || st["avg_latency"] != 0.2837 {
		t.Errorf("server_stats = %v", st)
	}
	if conns := ss["connections"].([]any); len(conns) != 2 || conns[0].(map[string]any)["remote_socket_address"] != "127.0.0.1:60674" {
		t.Errorf("connections = %v", ss["connections"])
	}
	lead := getJSON(t, h, "/commands/leader")
	if lead["is_leader"] != true || lead["leader_id"] != 2.0 || lead["leader_ip"] != "127.0.0.1" {
		t.Errorf("leader = %v", lead)
	}
	vv := getJSON(t, h, "/commands/voting_view")["current_config"].(map[string]any)
	if len(vv) != 3 {
		t.Fatalf("voting view has %d voters, want 3 (observers excluded): %v", len(vv), vv)
	}
	s2 := vv["2"].(map[string]any)
	if s2["learner_type"] != "participant" || s2["client_address"] != "0.0.0.0:2182" || s2["server_addresses"].([]any)[0] != "127.0.0.1:2889" {
		t.Errorf("voting_view[2] = %v", s2)
	}
	zs := getJSON(t, h, "/commands/zabstate")
	if zs["last_zxid"] != "0x30000000f" || zs["zab_epoch"] != 3.0 || zs["zab_counter"] != 15.0 || zs["zabstate"] != "broadcast" {
		t.Errorf("zabstate = %v", zs)
	}
	w := getJSON(t, h, "/commands/watches")["session_id_to_watched_paths"].(map[string]any)
	if len(w) != 2 || len(w["4294970044"].([]any)) != 2 {
		t.Errorf("watches = %v", w)
	}
	d := getJSON(t, h, "/commands/dump")
	if e := d["session_id_to_ephemeral_paths"].(map[string]any); e["4294970044"].([]any)[0] != "/eph" {
		t.Errorf("dump = %v", d)
	}
	m := getJSON(t, h, "/commands/monitor")
	if m["peer_state"] != "leading - broadcast" || m["quorum_size"] != 3.0 {
		t.Errorf("monitor = %v", m)
	}
	sm := getJSON(t, h, "/commands/stmk?traceMask=42")
	if sm["tracemask"] != 42.0 || f.mask != 42 {
		t.Errorf("stmk = %v", sm)
	}
	if e := getJSON(t, h, "/commands/set_trace_mask")["error"]; e == nil {
		t.Errorf("stmk without traceMask must be an error")
	}
	getJSON(t, h, "/commands/stat_reset")
	getJSON(t, h, "/commands/connection_stat_reset")
	if f.resets != 1 || f.connResets != 1 {
		t.Errorf("resets %d/%d", f.resets, f.connResets)
	}
}

func TestAdmin_StandaloneQuorumCommands(t *testing.T) {
	h := NewAdminHandler(standaloneFake(t), nil)
	if e := getJSON(t, h, "/commands/leader")["error"]; e != "server is not initialized" {
		t.Errorf("leader standalone error = %v", e)
	}
	zs := getJSON(t, h, "/commands/zabstate")
	if zs["voting"] != false || zs["zabstate"] != "" {
		t.Errorf("zabstate standalone = %v", zs)
	}
	if vv := getJSON(t, h, "/commands/voting_view")["current_config"].(map[string]any); len(vv) != 0 {
		t.Errorf("voting_view standalone = %v", vv)
	}
}

func TestAdmin_ErrorShapes(t *testing.T) {
	f := standaloneFake(t)
	h := NewAdminHandler(f, nil)
	code, body := get(t, h, "/commands/nosuch")
	want := "{\n  \"command\" : \"nosuch\",\n  \"error\" : \"Unknown command: nosuch\"\n}"
	if code != 200 || body != want {
		t.Errorf("unknown command: %d %q", code, body)
	}
	f.serving = false
	m := getJSON(t, h, "/commands/srvr")
	if m["command"] != "srvr" || m["error"] != NotServing {
		t.Errorf("not serving: %v", m)
	}
	if m := getJSON(t, h, "/commands/env"); m["error"] != nil {
		t.Errorf("environment must work while not serving: %v", m)
	}
}

func TestAdmin_JacksonLayout(t *testing.T) {
	_, body := get(t, NewAdminHandler(standaloneFake(t), nil), "/commands/ruok")
	if body != "{\n  \"command\" : \"ruok\",\n  \"error\" : null\n}" {
		t.Errorf("ruok body %q", body)
	}
	_, body = get(t, NewAdminHandler(standaloneFake(t), nil), "/commands/dirs")
	if body != "{\n  \"datadir_size\" : 4096,\n  \"logdir_size\" : 67108880,\n  \"command\" : \"dirs\",\n  \"error\" : null\n}" {
		t.Errorf("dirs body %q", body)
	}
	_, body = get(t, NewAdminHandler(standaloneFake(t), nil), "/commands/stats")
	if !strings.Contains(body, "\"secure_connections\" : [ ],") || !strings.Contains(body, "\"client_response\" : {\n    \"last_buffer_size\" : 16,") {
		t.Errorf("stats body layout:\n%s", body)
	}
}

func TestAdmin_List(t *testing.T) {
	code, body := get(t, NewAdminHandler(standaloneFake(t), nil), "/commands")
	if code != 200 || !strings.Contains(body, "<a href=\"/commands/configuration\">configuration</a>\n<br/>\n") ||
		!strings.Contains(body, "/commands/peer") || strings.Contains(body, "/commands/conf\"") {
		t.Errorf("list: %d\n%s", code, body)
	}
	if code, _ := get(t, NewAdminHandler(standaloneFake(t), nil), "/nope"); code != 404 {
		t.Errorf("/nope: %d", code)
	}
}

func TestAdmin_PeerAndEvents(t *testing.T) {
	f := leaderFake(t)
	for i := 0; i < 12; i++ {
		f.events.Add("state", adminapi.StateLeading, "x")
	}
	srv := httptest.NewServer(NewAdminHandler(f, nil))
	defer srv.Close()
	c := adminapi.NewClient(strings.TrimPrefix(srv.URL, "http://"), 2*time.Second)
	ctx := context.Background()
	p, err := c.Peer(ctx)
	if err != nil || p.MyID != 2 || p.State != adminapi.StateLeading || p.Znodes != 7 {
		t.Fatalf("peer = %+v, %v", p, err)
	}
	ev, err := c.Events(ctx, 9)
	if err != nil || len(ev.Events) != 3 || ev.Oldest != 5 || ev.Last != 12 || ev.Events[0].Seq != 10 {
		t.Fatalf("events = %+v, %v", ev, err)
	}
	if m := getJSON(t, NewAdminHandler(f, nil), "/commands/events?since=abc"); m["error"] == nil {
		t.Errorf("bad since must be an error: %v", m)
	}
}

// promLine is one sample line of the text exposition format.
var promLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? -?[0-9.eE+\-]+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (NaN|[+-]Inf)$`)

func TestAdmin_MetricsParse(t *testing.T) {
	for _, f := range []*fakeSource{standaloneFake(t), leaderFake(t)} {
		srv := httptest.NewServer(NewAdminHandler(f, nil))
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("content type %q", ct)
		}
		typed := map[string]bool{}
		samples := map[string]string{}
		for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			switch {
			case strings.HasPrefix(l, "# TYPE "):
				parts := strings.Fields(l)
				if len(parts) != 4 || typed[parts[2]] {
					t.Errorf("bad or repeated TYPE line %q", l)
				}
				typed[parts[2]] = true
			case strings.HasPrefix(l, "# HELP "):
			case promLine.MatchString(l):
				name, val, _ := strings.Cut(l, " ")
				base, _, _ := strings.Cut(name, "{")
				for _, suffix := range []string{"_sum", "_count"} { // a summary's belong to its TYPE
					if b := strings.TrimSuffix(base, suffix); !typed[base] && typed[b] {
						base = b
					}
				}
				if !typed[base] {
					t.Errorf("sample %q before its TYPE", l)
				}
				samples[name] = val
			default:
				t.Errorf("line does not parse: %q", l)
			}
		}
		if samples["zk_znode_count"] != "7" || samples["zk_packets_received"] != "10" || samples["zk_avg_latency"] != "0.2837" {
			t.Errorf("samples: %v", samples)
		}
		if samples[`zk_server_state{state="`+f.stats.Mode+`"}`] != "1" {
			t.Errorf("server_state gauge for %s missing: %v", f.stats.Mode, samples)
		}
		// 3.8's ServerMetrics ride along under zk_: a counter and summaries.
		if samples["zk_proposal_count"] == "" || samples["zk_fsynctime_count"] == "" || samples[`zk_readlatency{quantile="0.99"}`] == "" {
			t.Errorf("ServerMetrics samples missing: zk_proposal_count %q zk_fsynctime_count %q", samples["zk_proposal_count"], samples["zk_fsynctime_count"])
		}
		if f.stats.Mode == ModeLeader && (samples["zk_quorum_is_leader"] != "1" || samples["zk_quorum_size"] != "3") {
			t.Errorf("quorum gauges: %v", samples)
		}
	}
}

func TestServeAdmin_RealSocketAndBusyPort(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := ServeAdmin(ctx, "127.0.0.1:0", NewAdminHandler(standaloneFake(t), nil))
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + addr.String() + "/commands/ruok")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("ruok over TCP: %d", resp.StatusCode)
	}
	_, err = ServeAdmin(ctx, addr.String(), http.NotFoundHandler())
	if err == nil || !strings.Contains(err.Error(), addr.String()) {
		t.Fatalf("busy port error %v must name %s", err, addr)
	}
	cancel()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr.String(), 200*time.Millisecond)
		if err != nil {
			return // closed after ctx ended
		}
		conn.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("admin server still listening after ctx cancel")
}
