package zkconfig

import (
	"errors"
	"strings"
	"testing"
)

// TestParse_MetricsProvider: 3.8's defaults, the Prometheus provider's
// keys, Boolean.parseBoolean for exportJvmInfo, and an unknown class
// refused by name.
func TestParse_MetricsProvider(t *testing.T) {
	c, err := Parse("zoo.cfg", []byte("dataDir=/d\nclientPort=2181\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.PrometheusEnabled() || c.MetricsProviderHTTPHost != "0.0.0.0" || c.MetricsProviderHTTPPort != 7000 || !c.MetricsProviderExportJvmInfo {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = Parse("zoo.cfg", []byte("dataDir=/d\nclientPort=2181\n"+
		"metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\n"+
		"metricsProvider.httpHost=127.0.0.1\nmetricsProvider.httpPort=7001\nmetricsProvider.exportJvmInfo=yes\n"+
		"metricsProvider.numWorkerThreads=2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.PrometheusEnabled() || c.MetricsProviderHTTPHost != "127.0.0.1" || c.MetricsProviderHTTPPort != 7001 || c.MetricsProviderExportJvmInfo {
		t.Fatalf("prometheus: %+v", c)
	}
	if len(c.Extra) != 0 {
		t.Errorf("metricsProvider keys leaked into Extra: %v", c.Extra)
	}
	for _, bad := range []string{"metricsProvider.className=com.example.Nope", "metricsProvider.httpPort=x", "metricsProvider.maxQueueSize=big"} {
		_, err := Parse("zoo.cfg", []byte("dataDir=/d\nclientPort=2181\n"+bad+"\n"))
		key, _, _ := strings.Cut(bad, "=")
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %v must name %s", bad, err, key)
		}
	}
}
