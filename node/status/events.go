package status

import (
	"sync"
	"time"

	"github.com/zkctl/zkctl/adminapi"
)

// DefaultEventRingSize is the number of events a server keeps.
const DefaultEventRingSize = 1024

// EventRing is a bounded ring of adminapi.Event with sequence numbers that
// increase by one per event, starting at 1. It is safe for concurrent use.
type EventRing struct {
	mu   sync.Mutex
	buf  []adminapi.Event // len == capacity once full
	next int              // index the next event goes to
	full bool
	last uint64 // Seq of the newest event, 0 when none
	now  func() time.Time
}

// NewEventRing returns a ring holding at most size events (size < 1 means
// DefaultEventRingSize).
func NewEventRing(size int) *EventRing {
	if size < 1 {
		size = DefaultEventRingSize
	}
	return &EventRing{buf: make([]adminapi.Event, size), now: time.Now}
}

// SetClock replaces the clock used to stamp events (for tests).
func (r *EventRing) SetClock(now func() time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.now = now
}

// Add appends an event and returns it with its sequence number; the oldest
// event is dropped when the ring is full.
func (r *EventRing) Add(kind, state, msg string) adminapi.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last++
	ev := adminapi.Event{Seq: r.last, TimeUnixMs: r.now().UnixMilli(), Kind: kind, State: state, Message: msg}
	r.buf[r.next] = ev
	r.next++
	if r.next == len(r.buf) {
		r.next = 0
		r.full = true
	}
	return ev
}

// Last returns the newest sequence number (0 before any event).
func (r *EventRing) Last() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// Since returns the held events with Seq > since, oldest first, with the
// oldest held and the newest sequence numbers. A caller whose since is
// below Oldest-1 has missed events; a since at or beyond Last gets none.
func (r *EventRing) Since(since uint64) adminapi.Events {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.buf)
	}
	out := adminapi.Events{Events: []adminapi.Event{}, Last: r.last}
	if n == 0 {
		return out
	}
	oldest := r.last - uint64(n) + 1
	out.Oldest = oldest
	if since >= r.last {
		return out
	}
	from := oldest
	if since >= oldest {
		from = since + 1
	}
	count := int(r.last - from + 1)
	start := r.next - count // index of seq "from"
	if start < 0 {
		start += len(r.buf)
	}
	out.Events = make([]adminapi.Event, 0, count)
	for i := 0; i < count; i++ {
		out.Events = append(out.Events, r.buf[(start+i)%len(r.buf)])
	}
	return out
}
