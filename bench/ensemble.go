package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
)

// Median returns the median of ds (the mean of the two middle values for an
// even count), or 0 for an empty slice. ds is not modified.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Srvr sends the four-letter word srvr to addr and returns the value of its
// "Mode:" line ("leader", "follower", "standalone", ...), or "" when the
// server answers without one (not serving). A connection failure is an error.
func Srvr(addr string, timeout time.Duration) (string, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return "", fmt.Errorf("bench: srvr to %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "", fmt.Errorf("bench: srvr to %s: %w", addr, err)
	}
	if _, err := io.WriteString(c, "srvr"); err != nil {
		return "", fmt.Errorf("bench: srvr to %s: %w", addr, err)
	}
	b, err := io.ReadAll(io.LimitReader(c, 64<<10))
	if err != nil && len(b) == 0 {
		return "", fmt.Errorf("bench: srvr to %s: read: %w", addr, err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Mode: "); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", nil
}

// Modes asks every address for its srvr Mode in parallel; an unreachable or
// non-serving server gets "".
func Modes(addrs []string, timeout time.Duration) []string {
	out := make([]string, len(addrs))
	var wg sync.WaitGroup
	for i, a := range addrs {
		wg.Go(func() { out[i], _ = Srvr(a, timeout) })
	}
	wg.Wait()
	return out
}

// Formed reports whether modes show exactly one leader and every other
// server following (observers count as following).
func Formed(modes []string) bool {
	leaders := 0
	for _, m := range modes {
		switch m {
		case "leader":
			leaders++
		case "follower", "observer":
		default:
			return false
		}
	}
	return leaders == 1
}

// WaitModes polls srvr on every address each `every` until done(modes) is
// true, and returns the time of the first poll round that satisfied it and
// its modes. On ctx's end it returns the last modes seen and the error.
func WaitModes(ctx context.Context, addrs []string, every time.Duration, done func([]string) bool) (time.Time, []string, error) {
	timeout := max(every*5, 200*time.Millisecond)
	var last []string
	for {
		last = Modes(addrs, timeout)
		// The moment the round finished is when the state was known; the
		// round takes a few ms at most on loopback.
		if done(last) {
			return time.Now(), last, nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, last, fmt.Errorf("bench: modes %v after waiting: %w", last, ctx.Err())
		case <-time.After(every):
		}
	}
}
