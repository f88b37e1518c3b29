package tests

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// quietLogger drops go-zookeeper's log lines.
type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// eventLog collects watch events of one connection in arrival order.
type eventLog struct {
	mu     sync.Mutex
	events []zk.Event
}

func (l *eventLog) add(ev zk.Event) {
	if ev.Type == zk.EventSession {
		return
	}
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
}

// take waits (at most 5 s) for n events, then 150 ms more for stragglers,
// and returns and clears everything received.
func (l *eventLog) take(n int) []zk.Event {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		got := len(l.events)
		l.mu.Unlock()
		if got >= n {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

// connect opens a go-zookeeper connection and waits until it has a session.
func connect(t testing.TB, addr string, events *eventLog) (*zk.Conn, error) {
	t.Helper()
	if events == nil {
		events = &eventLog{}
	}
	c, ch, err := zk.Connect([]string{addr}, 20*time.Second, zk.WithLogger(quietLogger{}), zk.WithEventCallback(events.add))
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev.State == zk.StateHasSession {
				go func() { // keep draining so go-zk never blocks
					for range ch {
					}
				}()
				return c, nil
			}
		case <-timeout:
			c.Close()
			return nil, fmt.Errorf("connect %s: no session after 15s", addr)
		}
	}
}
