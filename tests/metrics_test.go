package tests

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/node/metrics"
)

// Issue 10, metrics: mntr key sets against Apache ZooKeeper 3.8 and the
// Prometheus provider's /metrics of a real zkctl process. docs/metrics.md
// lists the documented differences.

// setInstanceKey matches the mntr keys of one summary-set member
// (avg_<key>_<set>…, e.g. zk_avg_1_learner_handler_qp_size or
// zk_cnt_zookeeper_write_per_namespace): they appear only once the
// pipeline has observed that key, in 3.8 as in zkctl, so the key-set
// judges compare them apart.
var setInstanceKey = func() *regexp.Regexp {
	var sets []string
	for _, m := range metrics.Table() {
		if m.Kind == metrics.KindSummarySet || m.Kind == metrics.KindAdvancedSummarySet || m.Kind == metrics.KindCounterSet {
			sets = append(sets, regexp.QuoteMeta(m.Name))
		}
	}
	return regexp.MustCompile(`^zk_((avg|min|max|cnt|sum|p50|p95|p99|p999)_)?.+_(` + strings.Join(sets, "|") + `)$`)
}()

// compareMntrKeys reports Apache's keys zkctl lacks (set-instance keys
// apart) and logs the rest of the comparison.
func compareMntrKeys(t *testing.T, role string, apache, zk map[string]bool) (lacks []string) {
	t.Helper()
	var extra, setOnly []string
	for _, k := range slices.Sorted(maps.Keys(apache)) {
		switch {
		case zk[k]:
		case setInstanceKey.MatchString(k):
			setOnly = append(setOnly, k)
		default:
			lacks = append(lacks, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(zk)) {
		if !apache[k] {
			extra = append(extra, k)
		}
	}
	t.Logf("%s mntr: Apache %d keys, zkctl %d; zkctl lacks %d plain keys %v and %d summary-set instance keys %v; zkctl only: %v",
		role, len(apache), len(zk), len(lacks), lacks, len(setOnly), setOnly, extra)
	return lacks
}

func mntrKeySet(t *testing.T, s *zkproc.Instance) map[string]bool {
	t.Helper()
	out, err := zkproc.FourLetter(s.ClientAddr(), "mntr", 5*time.Second)
	if err != nil {
		t.Fatalf("%s: mntr: %v", s.Name(), err)
	}
	m := map[string]bool{}
	for k := range zkproc.ParseMntr(out) {
		m[k] = true
	}
	return m
}

// TestMetrics_StandaloneMntrKeys: a zkctl standalone server's mntr has
// every key Apache 3.8's standalone mntr has (summary-set instances apart).
func TestMetrics_StandaloneMntrKeys(t *testing.T) {
	oracle.RequireOrSkip(t)
	apache := mntrKeySet(t, oracle.StartStandalone(t, fidelityOptions))
	z, err := zkproc.TryStartStandalone(t, fidelityOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range compareMntrKeys(t, "standalone", apache, mntrKeySet(t, z)) {
		t.Errorf("zkctl standalone mntr lacks %s", k)
	}
}

// TestMetrics_PrometheusProviderEndpoint runs zkctl with 3.8's Prometheus
// provider keys and scrapes /metrics on metricsProvider.httpHost:httpPort:
// unprefixed names with 3.8's types, the ones the monitoring guide's alert
// rules query. Debian's ZooKeeper 3.8 ships no Prometheus provider jar, so
// the expected names come from 3.8's ServerMetrics and the gauges it
// registers (metrics.Table and mntr), not from a running Apache.
func TestMetrics_PrometheusProviderEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a zkctl process")
	}
	ports, err := zkproc.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	o := fidelityOptions
	o.Extra = map[string]string{
		"metricsProvider.className": "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
		"metricsProvider.httpHost":  "127.0.0.1",
		"metricsProvider.httpPort":  strconv.Itoa(ports[0]),
	}
	z, err := zkproc.TryStartStandalone(t, o)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[0]))
	if err != nil {
		t.Fatalf("metrics provider endpoint: %v\n%s", err, z.Log())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	types := map[string]string{}
	for _, l := range strings.Split(string(body), "\n") {
		if f := strings.Fields(l); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			types[f[2]] = f[3]
		}
	}
	want := map[string]string{}
	for _, m := range metrics.Table() {
		switch m.Kind {
		case metrics.KindCounter:
			want[m.Name] = "counter"
		case metrics.KindSummary, metrics.KindAdvancedSummary:
			want[m.Name] = "summary"
		}
	}
	for k := range mntrKeySet(t, z) {
		name := strings.TrimPrefix(k, "zk_")
		if _, ok := want[name]; !ok && !strings.Contains(k, "_state") && k != "zk_version" && !derivedSummaryKey(name) {
			want[name] = "gauge"
		}
	}
	var missing []string
	for name, typ := range want {
		if types[name] != typ {
			missing = append(missing, name+" "+typ+" (got "+types[name]+")")
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("%d of %d names missing or mistyped: %v", len(missing), len(want), missing)
	}
	for _, rule := range []string{"znode_count", "election_time_count", "fsynctime_sum", "approximate_data_size", "open_file_descriptor_count"} {
		if !regexp.MustCompile(`(?m)^` + rule + ` `).Match(body) {
			t.Errorf("no %s sample for the monitoring guide's rules", rule)
		}
	}
	t.Logf("provider /metrics: %d families, %d expected from 3.8 (counters, summaries, gauges)", len(types), len(want))
}

// derivedSummaryKey reports whether an mntr key is one of a summary's
// forms (avg_X, p99_X…), which Prometheus shows as the summary X.
func derivedSummaryKey(name string) bool {
	for _, m := range metrics.Table() {
		for _, p := range []string{"avg_", "min_", "max_", "cnt_", "sum_", "p50_", "p95_", "p99_", "p999_"} {
			if name == p+m.Name {
				return true
			}
		}
	}
	return false
}
