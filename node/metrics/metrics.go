// Package metrics holds zkctl's copy of ZooKeeper 3.8's ServerMetrics: every
// counter, summary and summary set 3.8 defines, under 3.8's names, with the
// two renderings 3.8 has for them. Dump gives mntr's forms (the default
// metrics provider: a counter as its value, a summary as avg_X, min_X,
// max_X, cnt_X, sum_X, plus p50_X, p95_X, p99_X, p999_X for the advanced
// ones); Collector gives the same values as a client_golang collector for
// the Prometheus provider's /metrics (unprefixed names, counters and
// summaries with 3.8's quantiles).
//
// The package imports nothing of zkctl, so any layer may update it; the
// cores (election, leader, store, jute) must not import it, the server
// layers (node/serve, node/quorumpeer, node/status) call its hooks.
package metrics

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is how 3.8 declares a metric (MetricsContext getCounter, getSummary
// with DetailLevel BASIC or ADVANCED, getSummarySet, getCounterSet); it
// decides both renderings.
type Kind int

// The kinds of 3.8's ServerMetrics.
const (
	// KindCounter is a monotonically increasing long: mntr prints its
	// value, Prometheus a counter.
	KindCounter Kind = iota
	// KindSummary is a DetailLevel.BASIC summary: mntr prints
	// avg/min/max/cnt/sum, Prometheus a summary with quantile 0.5.
	KindSummary
	// KindAdvancedSummary is a DetailLevel.ADVANCED summary: mntr adds
	// p50/p95/p99/p999, Prometheus has quantiles 0.5, 0.9 and 0.99.
	KindAdvancedSummary
	// KindSummarySet is a BASIC summary per key: mntr prints
	// avg_<key>_<name>…, Prometheus a summary labelled key="…".
	KindSummarySet
	// KindAdvancedSummarySet is an ADVANCED summary per key.
	KindAdvancedSummarySet
	// KindCounterSet is a counter per key: mntr prints <key>_<name>,
	// Prometheus a counter labelled key="…".
	KindCounterSet
)

// def is one row of the ServerMetrics table (servermetrics.go).
type def struct {
	name  string
	kind  Kind
	java  string // 3.8 ServerMetrics constant
	sites string // 3.8 class.method that updates it
	field func(*Server) any
}

// entry is a created metric in table order.
type entry struct {
	def
	counter    *Counter
	summary    *Summary
	summarySet *SummarySet
	counterSet *CounterSet
}

// New makes a Server with every 3.8 ServerMetrics metric at zero.
func New() *Server {
	s := &Server{}
	for _, d := range defs {
		e := &entry{def: d}
		switch p := d.field(s).(type) {
		case **Counter:
			e.counter = &Counter{}
			*p = e.counter
		case **Summary:
			e.summary = newSummary(d.name, d.kind == KindAdvancedSummary)
			*p = e.summary
		case **SummarySet:
			e.summarySet = &SummarySet{name: d.name, advanced: d.kind == KindAdvancedSummarySet}
			*p = e.summarySet
		case **CounterSet:
			e.counterSet = &CounterSet{name: d.name}
			*p = e.counterSet
		}
		s.defs = append(s.defs, e)
	}
	s.reg = newRegistry(s)
	return s
}

var (
	defaultOnce   sync.Once
	defaultServer *Server
)

// Default is the process's Server, as 3.8's ServerMetrics.getMetrics() is
// the JVM's: status uses it for a Source that does not carry its own
// (status.MetricsSource), and pipeline code without a handle may update it.
// A process that runs several servers should give each its own New().
func Default() *Server {
	defaultOnce.Do(func() { defaultServer = New() })
	return defaultServer
}

// Info describes one metric for documentation and tests.
type Info struct {
	Name  string // 3.8's name, unprefixed
	Kind  Kind
	Java  string // ServerMetrics constant
	Sites string // where 3.8 updates it
}

// Table lists every metric in table order.
func Table() []Info {
	out := make([]Info, len(defs))
	for i, d := range defs {
		out[i] = Info{Name: d.name, Kind: d.kind, Java: d.java, Sites: d.sites}
	}
	return out
}

// Dump calls emit with every metric in 3.8's mntr forms (without mntr's
// zk_ prefix), in table order: counters as int64, summary averages as
// float64 rounded to 4 places, the rest as int64. Summary and counter
// sets emit only the keys seen so far, as 3.8 does.
func (s *Server) Dump(emit func(key string, value any)) {
	for _, e := range s.defs {
		switch {
		case e.counter != nil:
			emit(e.name, e.counter.Value())
		case e.summary != nil:
			e.summary.dump("", emit)
		case e.summarySet != nil:
			e.summarySet.each(func(key string, sm *Summary) { sm.dump(key+"_", emit) })
		case e.counterSet != nil:
			e.counterSet.each(func(key string, c *Counter) { emit(key+"_"+e.name, c.Value()) })
		}
	}
}

// Counter is a 3.8 Counter: one atomic add per update.
type Counter struct{ v atomic.Int64 }

// Add adds delta (3.8 logs and ignores a negative delta; so does Add).
func (c *Counter) Add(delta int64) {
	if delta >= 0 {
		c.v.Add(delta)
	}
}

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Value is the current count.
func (c *Counter) Value() int64 { return c.v.Load() }

// Summary is a 3.8 Summary: 3.8's AvgMinMaxCounter (count, sum, min, max
// as atomics) for mntr, and a windowed histogram (quantiles.go) for the
// quantiles of /metrics and of mntr's p50…p999. Observing is lock-free.
type Summary struct {
	name       string
	advanced   bool
	count, sum atomic.Int64
	min, max   atomic.Int64
	ring       atomic.Pointer[quantileRing] // made on first Observe
}

// The quantiles 3.8's Prometheus provider exposes (basic summaries: the
// median; advanced ones: 0.5, 0.9, 0.99) and the ones mntr prints for
// advanced summaries (p50, p95, p99, p999).
var (
	basicExposed    = []float64{0.5}
	advancedExposed = []float64{0.5, 0.9, 0.99}
	mntrPercentiles = []float64{0.5, 0.95, 0.99, 0.999}
)

func newSummary(name string, advanced bool) *Summary {
	s := &Summary{name: name, advanced: advanced}
	s.min.Store(math.MaxInt64)
	s.max.Store(math.MinInt64)
	return s
}

// Observe records one value in the metric's unit (3.8 uses milliseconds
// for times, plain numbers for sizes and counts).
func (s *Summary) Observe(v int64) {
	s.count.Add(1)
	s.sum.Add(v)
	for cur := s.min.Load(); v < cur && !s.min.CompareAndSwap(cur, v); cur = s.min.Load() {
	}
	for cur := s.max.Load(); v > cur && !s.max.CompareAndSwap(cur, v); cur = s.max.Load() {
	}
	r := s.ring.Load()
	if r == nil {
		s.ring.CompareAndSwap(nil, newQuantileRing(time.Now()))
		r = s.ring.Load()
	}
	r.observe(v)
}

// ObserveDuration records d in whole milliseconds, 3.8's unit for times.
func (s *Summary) ObserveDuration(d time.Duration) { s.Observe(d.Milliseconds()) }

// Count is the number of observations.
func (s *Summary) Count() int64 { return s.count.Load() }

// Sum is the total of the observations.
func (s *Summary) Sum() int64 { return s.sum.Load() }

// Min is the least observation, 0 before any (as 3.8's getMin).
func (s *Summary) Min() int64 {
	if v := s.min.Load(); v != math.MaxInt64 {
		return v
	}
	return 0
}

// Max is the greatest observation, 0 before any (as 3.8's getMax).
func (s *Summary) Max() int64 {
	if v := s.max.Load(); v != math.MinInt64 {
		return v
	}
	return 0
}

// Avg is sum/count rounded half-up to 4 places, 0 before any observation
// (as 3.8's getAvg).
func (s *Summary) Avg() float64 {
	c, t := s.count.Load(), s.sum.Load()
	if c <= 0 {
		return 0
	}
	return math.Floor(float64(t)/float64(c)*1e4+0.5) / 1e4
}

// quantiles returns the value at each q over the last 10 minutes (NaN
// when nothing was observed), clamped to the least and greatest value
// observed so that a bucket's midpoint never lies outside them.
func (s *Summary) quantiles(qs []float64) []float64 {
	r := s.ring.Load()
	if r == nil {
		out := make([]float64, len(qs))
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	out := r.quantiles(time.Now(), qs)
	lo, hi := float64(s.Min()), float64(s.Max())
	for i, v := range out {
		if !math.IsNaN(v) {
			out[i] = math.Min(math.Max(v, lo), hi)
		}
	}
	return out
}

// dump emits the mntr forms, each name being <form>_<prefix><name>.
func (s *Summary) dump(prefix string, emit func(string, any)) {
	n := prefix + s.name
	emit("avg_"+n, s.Avg())
	emit("min_"+n, s.Min())
	emit("max_"+n, s.Max())
	emit("cnt_"+n, s.Count())
	emit("sum_"+n, s.Sum())
	if !s.advanced {
		return
	}
	for i, v := range s.quantiles(mntrPercentiles) {
		if math.IsNaN(v) {
			v = 0 // an empty Dropwizard snapshot reads 0
		}
		emit([]string{"p50_", "p95_", "p99_", "p999_"}[i]+n, int64(math.Round(v)))
	}
}

// keyed is the member map of a summary or counter set: lock-free lookup
// of existing keys, a mutex only to add one, creation order kept for a
// stable dump.
type keyed[T any] struct {
	m    sync.Map // key → *T
	mu   sync.Mutex
	keys []string
}

// load returns key's member if it exists: the hot path, no allocation.
func (k *keyed[T]) load(key string) (*T, bool) {
	v, ok := k.m.Load(key)
	if !ok {
		return nil, false
	}
	return v.(*T), true
}

// get returns key's member, made by mk on first use.
func (k *keyed[T]) get(key string, mk func() *T) *T {
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := k.m.Load(key); ok {
		return v.(*T)
	}
	v := mk()
	k.m.Store(key, v)
	k.keys = append(k.keys, key)
	return v
}

// each calls f for every member in creation order.
func (k *keyed[T]) each(f func(key string, v *T)) {
	k.mu.Lock()
	keys := append([]string(nil), k.keys...)
	k.mu.Unlock()
	for _, key := range keys {
		v, _ := k.m.Load(key)
		f(key, v.(*T))
	}
}

// SummarySet is a 3.8 SummarySet: one Summary per key (a learner sid, a
// top-level namespace), created on first use.
type SummarySet struct {
	name     string
	advanced bool
	keyed[Summary]
}

// Observe records v under key.
func (s *SummarySet) Observe(key string, v int64) { s.member(key).Observe(v) }

// ObserveDuration records d in milliseconds under key.
func (s *SummarySet) ObserveDuration(key string, d time.Duration) {
	s.member(key).Observe(d.Milliseconds())
}

func (s *SummarySet) member(key string) *Summary {
	if sm, ok := s.load(key); ok {
		return sm
	}
	return s.get(key, func() *Summary { return newSummary(s.name, s.advanced) })
}

// CounterSet is a 3.8 CounterSet: one Counter per key.
type CounterSet struct {
	name string
	keyed[Counter]
}

// Add adds delta to key's counter.
func (c *CounterSet) Add(key string, delta int64) {
	ctr, ok := c.load(key)
	if !ok {
		ctr = c.get(key, func() *Counter { return &Counter{} })
	}
	ctr.Add(delta)
}

// Reset zeroes every metric, as 3.8's srst does through
// DefaultMetricsProvider.resetAllValues (sets keep their keys). 3.8's
// Prometheus provider ignores resets, so that its counters stay monotonic;
// the caller decides (status resets only under the default provider).
func (s *Server) Reset() {
	for _, e := range s.defs {
		switch {
		case e.counter != nil:
			e.counter.v.Store(0)
		case e.summary != nil:
			e.summary.reset()
		case e.summarySet != nil:
			e.summarySet.each(func(_ string, sm *Summary) { sm.reset() })
		case e.counterSet != nil:
			e.counterSet.each(func(_ string, c *Counter) { c.v.Store(0) })
		}
	}
}

// reset zeroes the summary; observations racing with it may land on
// either side.
func (s *Summary) reset() {
	s.count.Store(0)
	s.sum.Store(0)
	s.min.Store(math.MaxInt64)
	s.max.Store(math.MinInt64)
	s.ring.Store(nil)
}
