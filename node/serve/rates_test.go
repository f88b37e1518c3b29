package serve

import (
	"testing"
	"time"

	"github.com/zkctl/zkctl/jute"
)

func TestRateMeter_WindowAndKinds(t *testing.T) {
	var m rateMeter
	t0 := time.Unix(1000, 0)
	for i := 0; i < 40; i++ {
		m.mark(jute.OpGetData, t0.Add(time.Duration(i)*50*time.Millisecond))
	}
	for i := 0; i < 10; i++ {
		m.mark(jute.OpCreate, t0.Add(time.Duration(i)*100*time.Millisecond))
	}
	m.mark(jute.OpPing, t0)
	m.mark(jute.OpCreateSession, t0)
	r, w := m.perSec(t0.Add(1950 * time.Millisecond))
	if r != 20 || w != 5 {
		t.Fatalf("rates = %v reads/s %v writes/s, want 20 and 5", r, w)
	}
	// Two seconds later everything has left the window.
	r, w = m.perSec(t0.Add(4 * time.Second))
	if r != 0 || w != 0 {
		t.Fatalf("stale counts still in the window: %v %v", r, w)
	}
}
