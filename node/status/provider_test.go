package status

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/zkctl/zkctl/node/metrics"
)

// metricsSource is a fakeSource with its own ServerMetrics.
type metricsSource struct {
	*fakeSource
	m *metrics.Server
}

func (s metricsSource) ServerMetrics() *metrics.Server { return s.m }

// scrape GETs url and parses the text exposition.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// TestMetricsProvider_ServesUnprefixed3_8Names starts the provider's
// endpoint from a zoo.cfg naming PrometheusMetricsProvider on 127.0.0.1,
// and checks the names and types the monitoring guide's rules query.
func TestMetricsProvider_ServesUnprefixed3_8Names(t *testing.T) {
	for _, jvm := range []bool{true, false} {
		f := leaderFake(t)
		f.cfg = mustParse(t, quorumCfgText()+"metricsProvider.className="+
			"org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\nmetricsProvider.httpHost=127.0.0.1\nmetricsProvider.httpPort=0\n"+
			"metricsProvider.exportJvmInfo="+map[bool]string{true: "true", false: "false"}[jvm]+"\n")
		if err := f.cfg.SetMyID(2); err != nil {
			t.Fatal(err)
		}
		src := metricsSource{f, metrics.New()}
		src.m.ObserveElection(150 * time.Millisecond)
		src.m.ObserveFsync(2 * time.Millisecond)
		src.m.IncProposal()
		ctx, cancel := context.WithCancel(context.Background())
		addr, err := ServeMetricsProvider(ctx, src)
		if err != nil || addr == nil {
			t.Fatalf("ServeMetricsProvider: %v %v", addr, err)
		}
		fams := scrape(t, "http://"+addr.String()+"/metrics")
		for name, typ := range map[string]dto.MetricType{
			"znode_count": dto.MetricType_GAUGE, "approximate_data_size": dto.MetricType_GAUGE, "learners": dto.MetricType_GAUGE,
			"election_time": dto.MetricType_SUMMARY, "fsynctime": dto.MetricType_SUMMARY, "readlatency": dto.MetricType_SUMMARY,
			"proposal_count": dto.MetricType_COUNTER, "looking_count": dto.MetricType_COUNTER,
		} {
			if fams[name] == nil || fams[name].GetType() != typ {
				t.Errorf("jvm=%v: %s: %v, want %v", jvm, name, fams[name], typ)
			}
		}
		if got := fams["znode_count"].Metric[0].Gauge.GetValue(); got != 7 {
			t.Errorf("znode_count %v, want 7", got)
		}
		et := fams["election_time"].Metric[0].Summary
		if et.GetSampleCount() != 1 || et.GetSampleSum() != 150 || len(et.Quantile) != 1 {
			t.Errorf("election_time: %v", et)
		}
		if n := len(fams["readlatency"].Metric[0].Summary.Quantile); n != 3 {
			t.Errorf("readlatency has %d quantiles, want 3 (0.5, 0.9, 0.99)", n)
		}
		if fams["proposal_count"].Metric[0].Counter.GetValue() != 1 {
			t.Errorf("proposal_count: %v", fams["proposal_count"])
		}
		for name := range fams {
			if strings.HasPrefix(name, "zk_") {
				t.Errorf("prefixed name %s on the provider's endpoint", name)
			}
		}
		if (fams["go_goroutines"] != nil) != jvm {
			t.Errorf("exportJvmInfo=%v but go_goroutines present=%v", jvm, fams["go_goroutines"] != nil)
		}
		// A busy port fails naming the address.
		f.cfg.MetricsProviderHTTPPort = addr.(*net.TCPAddr).Port
		if _, err := ServeMetricsProvider(ctx, src); err == nil || !strings.Contains(err.Error(), addr.String()) {
			t.Errorf("busy port: %v must name %s", err, addr)
		}
		cancel()
	}
}

// TestMetricsProvider_DefaultStartsNothing: with the default provider no
// listener is opened.
func TestMetricsProvider_DefaultStartsNothing(t *testing.T) {
	addr, err := ServeMetricsProvider(context.Background(), standaloneFake(t))
	if addr != nil || err != nil {
		t.Fatalf("default provider: %v %v", addr, err)
	}
}

// TestMntr_ServerMetricsForms: mntr (4lw and /commands/monitor) keeps the
// classic gauges and appends the ServerMetrics in 3.8's default-provider
// forms, from the Source's own metrics.
func TestMntr_ServerMetricsForms(t *testing.T) {
	src := metricsSource{standaloneFake(t), metrics.New()}
	src.m.ObserveElection(150 * time.Millisecond)
	src.m.IncProposal()
	text := mntrText(src)
	for _, line := range []string{"zk_znode_count\t7", "zk_avg_election_time\t150.0", "zk_cnt_election_time\t1", "zk_proposal_count\t1", "zk_p999_readlatency\t0", "zk_min_fsynctime\t0"} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("mntr lacks %q", line)
		}
	}
	m := getJSON(t, NewAdminHandler(src, nil), "/commands/monitor")
	if m["proposal_count"] != 1.0 || m["avg_election_time"] != 150.0 || m["znode_count"] != 7.0 {
		t.Errorf("/commands/monitor: proposal_count %v avg_election_time %v znode_count %v", m["proposal_count"], m["avg_election_time"], m["znode_count"])
	}
}

// TestSrst_ResetsServerMetrics: srst zeroes the ServerMetrics under the
// default provider (3.8's ServerStats.reset → resetAll) and leaves them
// under the Prometheus provider, whose counters must stay monotonic.
func TestSrst_ResetsServerMetrics(t *testing.T) {
	src := metricsSource{standaloneFake(t), metrics.New()}
	src.m.IncProposal()
	src.m.ObserveFsync(5 * time.Millisecond)
	resetStats(src)
	if src.m.ProposalCount.Value() != 0 || src.m.FsyncTime.Count() != 0 || src.m.FsyncTime.Max() != 0 {
		t.Errorf("default provider: srst left proposal_count %d cnt_fsynctime %d", src.m.ProposalCount.Value(), src.m.FsyncTime.Count())
	}
	src.fakeSource.cfg = mustParse(t, "dataDir=/d\nclientPort=2181\nmetricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\n")
	src.m.IncProposal()
	resetStats(src)
	if src.m.ProposalCount.Value() != 1 {
		t.Errorf("Prometheus provider: srst reset proposal_count")
	}
}
