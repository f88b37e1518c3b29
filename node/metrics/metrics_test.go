package metrics

import (
	"bufio"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// readKeys reads a captured Apache 3.8.0 mntr key list (testdata), one
// zk_-prefixed key a line.
func readKeys(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k := strings.TrimSpace(sc.Text()); k != "" {
			m[strings.TrimPrefix(k, "zk_")] = true
		}
	}
	return m
}

// TestDump_MatchesApacheStandalone: a fresh Server dumps exactly the
// ServerMetrics keys Apache 3.8.0's standalone mntr printed (captured in
// testdata), i.e. every key of that capture that is not a classic gauge.
func TestDump_MatchesApacheStandalone(t *testing.T) {
	apache := readKeys(t, "testdata/apache-3.8.0-standalone.mntr-keys")
	got := map[string]bool{}
	New().Dump(func(k string, _ any) {
		if got[k] {
			t.Errorf("duplicate key %s", k)
		}
		got[k] = true
	})
	for k := range got {
		if !apache[k] {
			t.Errorf("zkctl dumps %s, Apache 3.8.0 does not", k)
		}
	}
	missing := 0
	for k := range apache {
		if !got[k] {
			missing++
		}
	}
	// What is left are the 26 classic gauges and version/server_state,
	// which node/status prints.
	if missing != 26 {
		t.Errorf("Apache has %d keys zkctl's ServerMetrics lack, want 26 (the classic gauges)", missing)
	}
	t.Logf("ServerMetrics keys: %d; Apache standalone mntr keys: %d", len(got), len(apache))
}

// TestSummary_Forms checks 3.8's AvgMinMaxCounter arithmetic (avg rounded
// to 4 places, min/max 0 before any value) and the percentile forms.
func TestSummary_Forms(t *testing.T) {
	s := New()
	vals := map[string]any{}
	s.Dump(func(k string, v any) { vals[k] = v })
	if vals["min_fsynctime"] != int64(0) || vals["max_fsynctime"] != int64(0) || vals["avg_fsynctime"] != 0.0 || vals["p99_readlatency"] != int64(0) {
		t.Fatalf("empty summary: %v %v %v %v", vals["min_fsynctime"], vals["max_fsynctime"], vals["avg_fsynctime"], vals["p99_readlatency"])
	}
	for _, v := range []int64{1, 2, 2} {
		s.FsyncTime.Observe(v)
	}
	for i := int64(1); i <= 100; i++ {
		s.ObserveRequest(false, time.Duration(i)*time.Millisecond)
	}
	s.IncProposal()
	s.WritePerNamespace.Observe("zookeeper", 7)
	s.Dump(func(k string, v any) { vals[k] = v })
	want := map[string]any{
		"avg_fsynctime": 1.6667, "min_fsynctime": int64(1), "max_fsynctime": int64(2), "cnt_fsynctime": int64(3), "sum_fsynctime": int64(5),
		"proposal_count": int64(1), "cnt_readlatency": int64(100), "sum_readlatency": int64(5050),
		"avg_zookeeper_write_per_namespace": 7.0, "cnt_zookeeper_write_per_namespace": int64(1),
	}
	for k, w := range want {
		if vals[k] != w {
			t.Errorf("%s = %v (%T), want %v", k, vals[k], vals[k], w)
		}
	}
	if p := vals["p50_readlatency"].(int64); math.Abs(float64(p-50)) > 5 {
		t.Errorf("p50_readlatency = %d, want about 50", p)
	}
	if p := vals["p99_readlatency"].(int64); p < 95 {
		t.Errorf("p99_readlatency = %d, want about 99", p)
	}
}

// TestCollector_PrometheusNamesAndTypes: the collector exposes 3.8's
// unprefixed names with 3.8's types and quantiles.
func TestCollector_PrometheusNamesAndTypes(t *testing.T) {
	s := New()
	s.ObserveFsync(3 * time.Millisecond)
	s.ObserveElection(200 * time.Millisecond)
	s.AckLatency.Observe("2", 1)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(s.Collector())
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	quant := map[string]int{}
	for _, f := range fams {
		types[f.GetName()] = f.GetType().String()
		if len(f.Metric) > 0 && f.Metric[0].Summary != nil {
			quant[f.GetName()] = len(f.Metric[0].Summary.Quantile)
		}
	}
	for name, typ := range map[string]string{"proposal_count": "COUNTER", "election_time": "SUMMARY", "fsynctime": "SUMMARY", "readlatency": "SUMMARY", "ack_latency": "SUMMARY", "connection_rejected": "COUNTER"} {
		if types[name] != typ {
			t.Errorf("%s: type %q, want %s", name, types[name], typ)
		}
	}
	if quant["fsynctime"] != 1 || quant["readlatency"] != 3 || quant["ack_latency"] != 3 {
		t.Errorf("quantiles: %v", quant)
	}
	if n := testutil.CollectAndCount(s.Collector(), "fsynctime"); n != 1 {
		t.Errorf("fsynctime samples %d", n)
	}
	want := "# HELP election_time election_time\n# TYPE election_time summary\nelection_time{quantile=\"0.5\"} 200\nelection_time_sum 200\nelection_time_count 1\n"
	if err := testutil.CollectAndCompare(s.Collector(), strings.NewReader(want), "election_time"); err != nil {
		t.Error(err)
	}
}

// TestConcurrentObserve is for -race: updates from many goroutines while
// mntr and /metrics read.
func TestConcurrentObserve(t *testing.T) {
	s := New()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				s.ObserveRequest(i%2 == 0, time.Duration(i)*time.Microsecond)
				s.IncCommit()
				s.ObserveWrite(string(rune('a'+g)), int64(i))
				s.QuotaExceededErrorPerNamespace.Add("q", 1)
			}
		}(g)
	}
	for i := 0; i < 20; i++ {
		s.Dump(func(string, any) {})
		_ = testutil.CollectAndCount(s.Collector())
	}
	wg.Wait()
	if s.CommitCount.Value() != 8000 || s.UpdateLatency.Count()+s.ReadLatency.Count() != 8000 {
		t.Fatalf("commit %d latency %d", s.CommitCount.Value(), s.UpdateLatency.Count()+s.ReadLatency.Count())
	}
}

// BenchmarkObserveRequest is the per-request cost: one latency summary
// observation (readlatency or updatelatency).
func BenchmarkObserveRequest(b *testing.B) {
	s := New()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.ObserveRequest(i&1 == 0, time.Duration(i&1023)*time.Microsecond)
	}
}

// BenchmarkObserveRequestParallel is the same from every core at once.
func BenchmarkObserveRequestParallel(b *testing.B) {
	s := New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.ObserveRequest(i&1 == 0, time.Duration(i&1023)*time.Microsecond)
			i++
		}
	})
}

// BenchmarkIncCounter is a counter hook (proposal_count, commit_count).
func BenchmarkIncCounter(b *testing.B) {
	s := New()
	for b.Loop() {
		s.IncCommit()
	}
}

// BenchmarkObserveWriteNamespace is a summary-set hook (a sync.Map load
// plus a summary observation).
func BenchmarkObserveWriteNamespace(b *testing.B) {
	s := New()
	for i := 0; b.Loop(); i++ {
		s.ObserveWrite("app", int64(i&255))
	}
}
