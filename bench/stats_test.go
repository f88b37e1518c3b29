package bench

import (
	"strings"
	"testing"
	"time"
)

func ms_(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPercentile_NearestRank(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, ms_(i))
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, ms_(50)}, {90, ms_(90)}, {99, ms_(99)}, {100, ms_(100)}, {0.1, ms_(1)}, {99.5, ms_(100)}} {
		if got := Percentile(lat, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("empty p50 = %v", got)
	}
	if got := Percentile([]time.Duration{ms_(7)}, 99); got != ms_(7) {
		t.Errorf("single p99 = %v", got)
	}
}

func TestSummarize(t *testing.T) {
	lat := []time.Duration{ms_(4), ms_(1), ms_(3), ms_(2), ms_(10)}
	r := Summarize(lat, 2, 2*time.Second)
	if r.Ops != 5 || r.Errors != 2 {
		t.Fatalf("ops/errors = %d/%d", r.Ops, r.Errors)
	}
	if r.OpsPerSec != 2.5 {
		t.Errorf("ops/s = %v, want 2.5", r.OpsPerSec)
	}
	if r.P50 != ms_(3) || r.P90 != ms_(10) || r.P99 != ms_(10) || r.Max != ms_(10) {
		t.Errorf("p50 %v p90 %v p99 %v max %v", r.P50, r.P90, r.P99, r.Max)
	}
	if r.Mean != ms_(4) || r.MeanMs != 4 || r.P50Ms != 3 {
		t.Errorf("mean %v meanMs %v p50Ms %v", r.Mean, r.MeanMs, r.P50Ms)
	}
	if !strings.Contains(r.String(), "2 errors") && !strings.Contains(r.String(), "errors 2") {
		t.Errorf("String() = %s", r.String())
	}
	zero := Summarize(nil, 0, 0)
	if zero.OpsPerSec != 0 || zero.Max != 0 {
		t.Errorf("empty summary = %+v", zero)
	}
}

func TestConfig_Validate(t *testing.T) {
	ok := Config{Servers: []string{"127.0.0.1:2181"}, Op: OpGet, Clients: 1, Size: 100, Duration: time.Second}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Config{Op: "delete", Clients: 0, Size: -1}
	err := bad.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"no servers", `unknown op "delete"`, "clients = 0", "size = -1", "duration"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
