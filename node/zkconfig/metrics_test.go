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

// FuzzParse_MetricsProvider: whatever the metricsProvider.* values, Parse
// either refuses with ErrConfig or yields one of the two providers and a
// port in range.
func FuzzParse_MetricsProvider(f *testing.F) {
	f.Add("org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider", "0.0.0.0", "7000", "true")
	f.Add("org.apache.zookeeper.metrics.impl.DefaultMetricsProvider", "", "-1", "TRUE")
	f.Add("x", "::1", "65536", "no")
	f.Fuzz(func(t *testing.T, class, host, port, jvm string) {
		text := "dataDir=/d\nclientPort=2181\nmetricsProvider.className=" + class + "\nmetricsProvider.httpHost=" + host +
			"\nmetricsProvider.httpPort=" + port + "\nmetricsProvider.exportJvmInfo=" + jvm + "\n"
		c, err := Parse("zoo.cfg", []byte(text))
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			return
		}
		if c.MetricsProviderClassName != DefaultMetricsProvider && c.MetricsProviderClassName != PrometheusMetricsProvider {
			t.Fatalf("accepted class %q", c.MetricsProviderClassName)
		}
		if c.MetricsProviderHTTPPort < 0 || c.MetricsProviderHTTPPort > 65535 {
			t.Fatalf("accepted port %d", c.MetricsProviderHTTPPort)
		}
	})
}
