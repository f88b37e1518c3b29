package status

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/zkctl/zkctl/adminapi"
)

// PrometheusText renders the server's metrics in the Prometheus text
// exposition format (version 0.0.4): every numeric mntr value as a zk_
// gauge, zk_server_state and zk_peer_state as labelled gauges, zk_info with
// the version, and quorum gauges (zk_quorum_is_leader, zk_quorum_leader_id,
// zk_quorum_epoch, zk_quorum_myid).
func PrometheusText(src Source) string {
	var b strings.Builder
	gauge := func(name, help string, value string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, value)
	}
	var version string
	for _, m := range monitorValues(src) {
		switch v := m.Value.(type) {
		case int64:
			gauge("zk_"+m.Key, "ZooKeeper mntr value "+m.Key+".", strconv.FormatInt(v, 10))
		case float64:
			gauge("zk_"+m.Key, "ZooKeeper mntr value "+m.Key+".", strconv.FormatFloat(v, 'g', -1, 64))
		case string:
			if m.Key == "version" {
				version = v
			}
		}
	}
	fmt.Fprintf(&b, "# HELP zk_info Server version.\n# TYPE zk_info gauge\nzk_info{version=%s} 1\n", promLabel(version))

	st := src.ServerStats()
	b.WriteString("# HELP zk_server_state 1 for the server's current mode.\n# TYPE zk_server_state gauge\n")
	modes := []string{ModeStandalone, ModeLeader, ModeFollower, ModeObserver, ModeReadOnly}
	for _, m := range modes {
		v := 0
		if m == st.Mode {
			v = 1
		}
		fmt.Fprintf(&b, "zk_server_state{state=%s} %d\n", promLabel(m), v)
	}
	q := src.QuorumInfo()
	b.WriteString("# HELP zk_peer_state 1 for the peer's current quorum state.\n# TYPE zk_peer_state gauge\n")
	states := []string{adminapi.StateLooking, adminapi.StateFollowing, adminapi.StateLeading, adminapi.StateObserving, adminapi.StateStandalone}
	cur := q.State
	if cur == "" {
		cur = adminapi.StateStandalone
	}
	sort.Strings(states)
	for _, s := range states {
		v := 0
		if s == cur {
			v = 1
		}
		fmt.Fprintf(&b, "zk_peer_state{state=%s} %d\n", promLabel(strings.ToLower(s)), v)
	}
	isLeader := 0
	if q.IsLeader {
		isLeader = 1
	}
	gauge("zk_quorum_is_leader", "1 on the leader.", strconv.Itoa(isLeader))
	gauge("zk_quorum_leader_id", "Sid of the current leader, -1 unknown, 0 standalone.", strconv.FormatInt(q.LeaderID, 10))
	gauge("zk_quorum_epoch", "Current Zab epoch.", strconv.FormatInt(q.Epoch, 10))
	gauge("zk_quorum_myid", "This server's sid (0 standalone).", strconv.FormatInt(q.MyID, 10))
	gauge("zk_last_zxid", "Last processed zxid.", strconv.FormatInt(st.LastZxid, 10))
	return b.String()
}

// promLabel quotes a label value with Prometheus escaping (\\, \", \n).
func promLabel(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
