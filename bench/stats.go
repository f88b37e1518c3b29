package bench

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Result summarises one benchmark run.
type Result struct {
	Op        string        `json:"op"`
	Clients   int           `json:"clients"`
	Size      int           `json:"size"`
	Ops       int           `json:"ops"`    // successful operations
	Errors    int           `json:"errors"` // failed operations
	Elapsed   time.Duration `json:"-"`
	ElapsedS  float64       `json:"elapsed_s"`
	OpsPerSec float64       `json:"ops_per_sec"` // successful operations per second
	Mean      time.Duration `json:"-"`
	P50       time.Duration `json:"-"`
	P90       time.Duration `json:"-"`
	P99       time.Duration `json:"-"`
	Max       time.Duration `json:"-"`
	MeanMs    float64       `json:"mean_ms"`
	P50Ms     float64       `json:"p50_ms"`
	P90Ms     float64       `json:"p90_ms"`
	P99Ms     float64       `json:"p99_ms"`
	MaxMs     float64       `json:"max_ms"`
	FirstErr  string        `json:"first_error,omitempty"`
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, the smallest value with at least p% of the values at or below it;
// 0 for an empty slice.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Summarize computes a Result from successful-operation latencies, the error
// count and the wall time of the measured window. lat is sorted in place.
func Summarize(lat []time.Duration, errors int, elapsed time.Duration) Result {
	slices.Sort(lat)
	r := Result{Ops: len(lat), Errors: errors, Elapsed: elapsed}
	if elapsed > 0 {
		r.OpsPerSec = float64(len(lat)) / elapsed.Seconds()
	}
	if len(lat) > 0 {
		var sum time.Duration
		for _, d := range lat {
			sum += d
		}
		r.Mean = sum / time.Duration(len(lat))
		r.P50, r.P90, r.P99 = Percentile(lat, 50), Percentile(lat, 90), Percentile(lat, 99)
		r.Max = lat[len(lat)-1]
	}
	r.ElapsedS = elapsed.Seconds()
	r.MeanMs, r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs = ms(r.Mean), ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max)
	return r
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

// String renders the result as one human-readable line.
func (r Result) String() string {
	s := fmt.Sprintf("%s: %d clients, %d B: %d ops in %.1fs = %.0f ops/s; latency ms p50 %.3f p90 %.3f p99 %.3f max %.3f (mean %.3f); errors %d",
		r.Op, r.Clients, r.Size, r.Ops, r.Elapsed.Seconds(), r.OpsPerSec, r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs, r.MeanMs, r.Errors)
	if r.FirstErr != "" {
		s += " (first: " + r.FirstErr + ")"
	}
	return s
}
