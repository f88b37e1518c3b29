package launcher

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// eventRingSize bounds the launcher events kept for /events.
const eventRingSize = 2000

// eventLog is a bounded ring of events with a broadcast on append.
type eventLog struct {
	mu      sync.Mutex
	ring    []Event
	last    uint64
	changed chan struct{}
}

func newEventLog() *eventLog { return &eventLog{changed: make(chan struct{})} }

// add appends an event and wakes every waiter.
func (l *eventLog) add(kind string, node int, format string, args ...any) Event {
	return l.addEvent(Event{Kind: kind, Node: node, Message: fmt.Sprintf(format, args...)})
}

// addEvent appends e, setting its Seq and Time, and wakes every waiter.
func (l *eventLog) addEvent(e Event) Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last++
	e.Seq, e.Time = l.last, time.Now()
	l.ring = append(l.ring, e)
	if len(l.ring) > eventRingSize {
		l.ring = append(l.ring[:0:0], l.ring[len(l.ring)-eventRingSize:]...)
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return e
}

// since returns events with Seq > seq and the newest seq.
func (l *eventLog) since(seq uint64) ([]Event, uint64, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, e := range l.ring {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out, l.last, l.changed
}

// wait returns events after seq, waiting up to max for one to arrive.
func (l *eventLog) wait(ctx context.Context, seq uint64, max time.Duration) ([]Event, uint64) {
	evs, last, ch := l.since(seq)
	if len(evs) > 0 || max <= 0 {
		return evs, last
	}
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
	evs, last, _ = l.since(seq)
	return evs, last
}
