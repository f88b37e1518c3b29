package status

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/zkctl/zkctl/adminapi"
)

// Two Prometheus pages, both rendered by client_golang:
//
//   - the AdminServer's /metrics (zkctl's own, since before issue 10):
//     every numeric mntr gauge as zk_<name>, zk_info, zk_server_state,
//     zk_peer_state, the zk_quorum_* gauges and zk_last_zxid, plus the 3.8
//     ServerMetrics under zk_ (zk_fsynctime summary, zk_proposal_count…);
//   - the metrics provider's /metrics (ServeMetricsProvider), as 3.8's
//     PrometheusMetricsProvider serves it: unprefixed gauge and
//     ServerMetrics names, which the monitoring guide's alert rules query.

// gaugeCollector exposes src's numeric classic mntr values as gauges named
// prefix+key, sampled at scrape time as 3.8's provider samples its
// registered gauges.
type gaugeCollector struct {
	src    Source
	prefix string
}

// Describe implements prometheus.Collector (unchecked: the gauge set
// follows the server's role).
func (gaugeCollector) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (g gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range classicValues(g.src) {
		var v float64
		switch x := m.Value.(type) {
		case int64:
			v = float64(x)
		case float64:
			v = x
		default:
			continue
		}
		name := g.prefix + m.Key
		help := name // 3.8's provider: build(name, name)
		if g.prefix != "" {
			help = "ZooKeeper mntr value " + m.Key + "."
		}
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, help, nil, nil), prometheus.GaugeValue, v)
	}
}

// adminExtras are the zkctl-only gauges of the admin page.
type adminExtras struct{ src Source }

// Describe implements prometheus.Collector (unchecked).
func (adminExtras) Describe(chan<- *prometheus.Desc) {}

var (
	descInfo        = prometheus.NewDesc("zk_info", "Server version.", []string{"version"}, nil)
	descServerState = prometheus.NewDesc("zk_server_state", "1 for the server's current mode.", []string{"state"}, nil)
	descPeerState   = prometheus.NewDesc("zk_peer_state", "1 for the peer's current quorum state.", []string{"state"}, nil)
	descIsLeader    = prometheus.NewDesc("zk_quorum_is_leader", "1 on the leader.", nil, nil)
	descLeaderID    = prometheus.NewDesc("zk_quorum_leader_id", "Sid of the current leader, -1 unknown, 0 standalone.", nil, nil)
	descEpoch       = prometheus.NewDesc("zk_quorum_epoch", "Current Zab epoch.", nil, nil)
	descMyID        = prometheus.NewDesc("zk_quorum_myid", "This server's sid (0 standalone).", nil, nil)
	descLastZxid    = prometheus.NewDesc("zk_last_zxid", "Last processed zxid.", nil, nil)
)

// Collect implements prometheus.Collector.
func (a adminExtras) Collect(ch chan<- prometheus.Metric) {
	st := a.src.ServerStats()
	q := a.src.QuorumInfo()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	gauge(descInfo, 1, st.version())
	for _, m := range []string{ModeStandalone, ModeLeader, ModeFollower, ModeObserver, ModeReadOnly} {
		gauge(descServerState, b2f(m == st.Mode), m)
	}
	cur := q.State
	if cur == "" {
		cur = adminapi.StateStandalone
	}
	for _, s := range []string{adminapi.StateLooking, adminapi.StateFollowing, adminapi.StateLeading, adminapi.StateObserving, adminapi.StateStandalone} {
		gauge(descPeerState, b2f(s == cur), strings.ToLower(s))
	}
	gauge(descIsLeader, b2f(q.IsLeader))
	gauge(descLeaderID, float64(q.LeaderID))
	gauge(descEpoch, float64(q.Epoch))
	gauge(descMyID, float64(q.MyID))
	gauge(descLastZxid, float64(st.LastZxid))
}

// adminMetricsHandler serves the AdminServer's /metrics for src.
func adminMetricsHandler(src Source) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(gaugeCollector{src: src, prefix: "zk_"}, adminExtras{src},
		prometheus.WrapCollectorWithPrefix("zk_", serverMetrics(src).Collector()))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
