package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// registry renders a Server for client_golang: one Desc per metric, built
// once; values are read at scrape time from the same atomics mntr reads.
type registry struct {
	s     *Server
	descs []*prometheus.Desc
}

func newRegistry(s *Server) *registry {
	r := &registry{s: s}
	for _, e := range s.defs {
		var labels []string
		if e.summarySet != nil || e.counterSet != nil {
			labels = []string{"key"} // 3.8's PrometheusMetricsProvider LABEL
		}
		// 3.8 builds every collector as build(name, name): help = name.
		r.descs = append(r.descs, prometheus.NewDesc(e.name, e.name, labels, nil))
	}
	return r
}

// Collector is the Server as a client_golang Collector: counters as
// counters, summaries as summaries with 3.8's quantiles (0.5 for basic
// ones; 0.5, 0.9, 0.99 for advanced ones), sets labelled key. It is
// unchecked (Describe sends nothing) because sets grow keys at run time.
func (s *Server) Collector() prometheus.Collector { return s.reg }

// Describe implements prometheus.Collector (unchecked).
func (r *registry) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (r *registry) Collect(ch chan<- prometheus.Metric) {
	for i, e := range r.s.defs {
		d := r.descs[i]
		switch {
		case e.counter != nil:
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(e.counter.Value()))
		case e.summary != nil:
			ch <- constSummary(d, e.summary)
		case e.summarySet != nil:
			e.summarySet.each(func(key string, sm *Summary) { ch <- constSummary(d, sm, key) })
		case e.counterSet != nil:
			e.counterSet.each(func(key string, c *Counter) {
				ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(c.Value()), key)
			})
		}
	}
}

// constSummary exposes sm with the quantiles 3.8's provider declares.
func constSummary(d *prometheus.Desc, sm *Summary, labels ...string) prometheus.Metric {
	exposed := basicExposed
	if sm.advanced {
		exposed = advancedExposed
	}
	q := make(map[float64]float64, len(exposed))
	for i, v := range sm.quantiles(exposed) {
		q[exposed[i]] = v
	}
	return prometheus.MustNewConstSummary(d, uint64(sm.Count()), float64(sm.Sum()), q, labels...)
}
