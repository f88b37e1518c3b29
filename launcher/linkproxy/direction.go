// Package linkproxy is a small TCP proxy whose two directions can be faulted
// independently, as toxiproxy does, to break links between servers without
// root: a cut freezes a direction (nothing is forwarded, closes included,
// new connections wait) and releases what it held on heal, slow delays each
// chunk, reject resets connections.
//
// A Proxy accepts connections from one side (A) and dials the other (B).
// Its forward Direction carries bytes A→B and its back Direction bytes B→A;
// a Direction is shared by every proxy whose bytes travel that way, so one
// Set changes all of them at once.
package linkproxy

import (
	"fmt"
	"math/rand"
	"sync"
	"time"
)

// Mode is the fault state of one direction.
type Mode int

// Modes of a Direction.
const (
	// OK forwards bytes at once.
	OK Mode = iota
	// Cut forwards nothing, neither data nor FIN/RST, and holds new
	// connections until the mode changes; held bytes then flow in order.
	Cut
	// Slow delays every chunk by Delay ± Jitter.
	Slow
	// Reject resets every connection carrying this direction and each new one.
	Reject
)

// String returns ok, cut, slow or reject.
func (m Mode) String() string {
	switch m {
	case OK:
		return "ok"
	case Cut:
		return "cut"
	case Slow:
		return "slow"
	case Reject:
		return "reject"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode is the inverse of Mode.String.
func ParseMode(s string) (Mode, error) {
	for m := OK; m <= Reject; m++ {
		if m.String() == s {
			return m, nil
		}
	}
	return OK, fmt.Errorf("linkproxy: unknown mode %q (want ok, cut, slow or reject)", s)
}

// State is a Direction's mode and its delay parameters.
type State struct {
	Mode Mode
	// Delay and Jitter apply to Slow: each chunk waits Delay plus a uniform
	// random value in [-Jitter, +Jitter] (never below zero).
	Delay, Jitter time.Duration
}

// Direction is the fault state of one direction of a link. It is safe for
// concurrent use.
type Direction struct {
	mu      sync.Mutex
	st      State
	changed chan struct{} // closed and replaced on every Set
	rng     *rand.Rand    // guarded by mu; seeded by the owner
}

// NewDirection returns a direction in mode OK that draws jitter from rng.
// A nil rng means a fixed seed of 1.
func NewDirection(rng *rand.Rand) *Direction {
	if rng == nil {
		rng = rand.New(rand.NewSource(1))
	}
	return &Direction{changed: make(chan struct{}), rng: rng}
}

// Set changes the state and wakes every connection waiting on it.
func (d *Direction) Set(st State) {
	if st.Delay < 0 {
		st.Delay = 0
	}
	if st.Jitter < 0 {
		st.Jitter = 0
	}
	d.mu.Lock()
	d.st = st
	close(d.changed)
	d.changed = make(chan struct{})
	d.mu.Unlock()
}

// State returns the current state.
func (d *Direction) State() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st
}

// watch returns the current state and a channel closed at the next change.
func (d *Direction) watch() (State, <-chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st, d.changed
}

// delay draws the delay for one chunk under the current state.
func (d *Direction) delay() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.st.Mode != Slow {
		return 0
	}
	v := d.st.Delay
	if d.st.Jitter > 0 {
		v += time.Duration(d.rng.Int63n(int64(2*d.st.Jitter)+1)) - d.st.Jitter
	}
	if v < 0 {
		v = 0
	}
	return v
}
