package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestBuckets: exact below linearMax, within 1/32 above, monotonic, and
// every int64 has a bucket.
func TestBuckets(t *testing.T) {
	prev := -1
	for v := int64(-3); v < 1<<16; v++ {
		b := bucketOf(v)
		if b < prev || b >= nBuckets {
			t.Fatalf("bucketOf(%d) = %d after %d", v, b, prev)
		}
		prev = b
		got := bucketValue(b)
		switch {
		case v < 0:
		case v < linearMax && got != float64(v):
			t.Fatalf("bucketValue(bucketOf(%d)) = %v", v, got)
		case math.Abs(got-float64(v))/float64(v) > 1.0/32+1e-9:
			t.Fatalf("bucketValue(bucketOf(%d)) = %v: error over 1/32", v, got)
		}
	}
	if b := bucketOf(math.MaxInt64); b != nBuckets-1 {
		t.Fatalf("bucketOf(MaxInt64) = %d, want %d", b, nBuckets-1)
	}
}

// TestQuantileRing: quantiles of a uniform sample, the window turning
// after maxAge, and an idle ring keeping its current window.
func TestQuantileRing(t *testing.T) {
	t0 := time.Unix(1000, 0)
	r := newQuantileRing(t0)
	for _, v := range rand.Perm(1000) {
		r.observe(int64(v + 1))
	}
	q := r.quantiles(t0, []float64{0.5, 0.99})
	if math.Abs(q[0]-500) > 16 || math.Abs(q[1]-990) > 32 {
		t.Fatalf("quantiles %v", q)
	}
	// 3 minutes on: the values stay (window of 10 minutes).
	if q := r.quantiles(t0.Add(3*time.Minute), []float64{0.5}); math.IsNaN(q[0]) {
		t.Fatal("values dropped before maxAge")
	}
	r.observe(7)
	// 9 more minutes: the first window is gone, the one holding 7 stays.
	if q := r.quantiles(t0.Add(12*time.Minute), []float64{0.5}); q[0] != 7 {
		t.Fatalf("after 12 minutes: %v, want 7", q)
	}
	// Idle for an hour after observing 9: the current window (9) is
	// kept, as its values may be recent; the older one (7) is not.
	r.observe(9)
	if q := r.quantiles(t0.Add(time.Hour), []float64{0, 1}); q[0] != 9 || q[1] != 9 {
		t.Fatalf("after an idle hour: %v, want [9 9]", q)
	}
}
