package status

import (
	"context"
	"net"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ProviderHandler serves GET /metrics as 3.8's PrometheusMetricsProvider
// does: the registered gauges (znode_count, approximate_data_size,
// avg_latency… the numeric mntr gauges of the server's role) and every
// ServerMetrics counter and summary, unprefixed, so the alert rules of
// ZooKeeper's monitoring guide (znode_count, election_time_count,
// fsynctime_sum…) work unchanged. exportJVMInfo adds client_golang's Go
// runtime and process collectors (go_*, process_*) where 3.8 adds the
// JVM's hotspot ones (jvm_*). Other paths are 404, as the provider's Jetty
// context maps only /metrics.
func ProviderHandler(src Source, exportJVMInfo bool) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(gaugeCollector{src: src}, serverMetrics(src).Collector())
	if exportJVMInfo {
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	return mux
}

// ServeMetricsProvider starts the Prometheus provider's endpoint for src
// when its configuration names PrometheusMetricsProvider: /metrics on
// metricsProvider.httpHost:httpPort (0.0.0.0:7000 by default) until ctx
// ends. It returns nil, nil with the default provider, and an error naming
// the address when the port is busy (3.8 then fails to start).
func ServeMetricsProvider(ctx context.Context, src Source) (net.Addr, error) {
	cfg := src.Config()
	if cfg == nil || !cfg.PrometheusEnabled() {
		return nil, nil
	}
	addr := net.JoinHostPort(cfg.MetricsProviderHTTPHost, strconv.Itoa(cfg.MetricsProviderHTTPPort))
	return serveHTTP(ctx, "metrics provider", addr, ProviderHandler(src, cfg.MetricsProviderExportJvmInfo))
}
