package serve

import (
	"sync"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// rateBucket is the width of one bucket of the request-rate window.
const rateBucket = 100 * time.Millisecond

// rateWindow is how far back the request rates look.
const rateWindow = 2 * time.Second

// rateMeter counts answered reads and writes in 100 ms buckets over the
// last two seconds, for /commands/peer's reads and writes per second. The
// zero value is ready to use.
type rateMeter struct {
	mu      sync.Mutex
	buckets [rateWindow / rateBucket]struct {
		slot          int64 // time slot number of this bucket's counts
		reads, writes int64
	}
}

// countsAsRead reports whether op is a client read (pings, auth and watch
// bookkeeping are neither reads nor writes).
func countsAsRead(op jute.Op) bool {
	switch op {
	case jute.OpExists, jute.OpGetData, jute.OpGetACL, jute.OpGetChildren, jute.OpGetChildren2,
		jute.OpGetAllChildrenNumber, jute.OpGetEphemerals, jute.OpMultiRead, jute.OpSync:
		return true
	}
	return false
}

// mark counts one answered request of type op at time now.
func (m *rateMeter) mark(op jute.Op, now time.Time) {
	write := op.IsWrite() && op != jute.OpCreateSession && op != jute.OpCloseSession
	if !write && !countsAsRead(op) {
		return
	}
	slot := now.UnixNano() / int64(rateBucket)
	m.mu.Lock()
	b := &m.buckets[slot%int64(len(m.buckets))]
	if b.slot != slot {
		b.slot, b.reads, b.writes = slot, 0, 0
	}
	if write {
		b.writes++
	} else {
		b.reads++
	}
	m.mu.Unlock()
}

// perSec returns the read and write rates over the window ending at now.
func (m *rateMeter) perSec(now time.Time) (reads, writes float64) {
	slot := now.UnixNano() / int64(rateBucket)
	oldest := slot - int64(len(m.buckets)) + 1
	var r, w int64
	m.mu.Lock()
	for _, b := range m.buckets {
		if b.slot >= oldest && b.slot <= slot {
			r += b.reads
			w += b.writes
		}
	}
	m.mu.Unlock()
	secs := rateWindow.Seconds()
	return float64(r) / secs, float64(w) / secs
}
