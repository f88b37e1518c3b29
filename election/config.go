package election

import (
	"errors"
	"fmt"
	"slices"

	"github.com/zkctl/zkctl/internal/protolog"
)

// Default FLE timings from 3.8 (FastLeaderElection.java), in milliseconds.
const (
	DefaultFinalizeWaitMs            = 200   // finalizeWait
	DefaultMinNotificationIntervalMs = 200   // zookeeper.fastleader.minNotificationInterval
	DefaultMaxNotificationIntervalMs = 60000 // zookeeper.fastleader.maxNotificationInterval
	DefaultTickMs                    = 50    // how often a driver calls Tick
)

// Config configures one Election. Times are given in milliseconds and turned
// into a number of Tick calls with TickMs (rounded up, at least one tick).
type Config struct {
	// ID is this server's sid (myid).
	ID int64
	// Voters are the sids of the voting members of the current config.
	// A server whose ID is not among them runs as an observer: it proposes
	// (MIN, MIN, MIN), sends to voters only and ends OBSERVING.
	Voters []int64
	// QuorumVerifier is the QV text sent in every notification
	// ("server.1=...\n...\nversion=0"); it must equal the Java peers' text.
	QuorumVerifier string
	// TickMs is the length of one Tick call in milliseconds (default 50).
	TickMs int
	// FinalizeWaitMs is how long a peer waits after seeing a quorum before it
	// decides (default 200). Converted to ticks.
	FinalizeWaitMs int
	// MinNotificationIntervalMs is the first notification timeout (default 200);
	// it doubles on every timeout up to MaxNotificationIntervalMs (default 60000).
	MinNotificationIntervalMs int
	// MaxNotificationIntervalMs caps the notification timeout.
	MaxNotificationIntervalMs int
	// Logger receives the state machine's log lines; nil discards them.
	Logger Logger
}

// DefaultConfig returns a Config for sid id with 3.8's timings and 50 ms ticks.
func DefaultConfig(id int64, voters []int64, qv string) Config {
	return Config{
		ID: id, Voters: slices.Clone(voters), QuorumVerifier: qv,
		TickMs: DefaultTickMs, FinalizeWaitMs: DefaultFinalizeWaitMs,
		MinNotificationIntervalMs: DefaultMinNotificationIntervalMs,
		MaxNotificationIntervalMs: DefaultMaxNotificationIntervalMs,
	}
}

// ErrConfig marks an invalid Config.
var ErrConfig = errors.New("election: invalid config")

// withDefaults fills zero fields and validates the rest.
func (c Config) withDefaults() (Config, error) {
	if c.TickMs == 0 {
		c.TickMs = DefaultTickMs
	}
	if c.FinalizeWaitMs == 0 {
		c.FinalizeWaitMs = DefaultFinalizeWaitMs
	}
	if c.MinNotificationIntervalMs == 0 {
		c.MinNotificationIntervalMs = DefaultMinNotificationIntervalMs
	}
	if c.MaxNotificationIntervalMs == 0 {
		c.MaxNotificationIntervalMs = DefaultMaxNotificationIntervalMs
	}
	switch {
	case c.TickMs < 0:
		return c, fmt.Errorf("%w: TickMs %d < 0", ErrConfig, c.TickMs)
	case c.FinalizeWaitMs < 0:
		return c, fmt.Errorf("%w: FinalizeWaitMs %d < 0", ErrConfig, c.FinalizeWaitMs)
	case c.MinNotificationIntervalMs < 0:
		return c, fmt.Errorf("%w: MinNotificationIntervalMs %d < 0", ErrConfig, c.MinNotificationIntervalMs)
	case c.MaxNotificationIntervalMs < c.MinNotificationIntervalMs:
		return c, fmt.Errorf("%w: MaxNotificationIntervalMs %d < MinNotificationIntervalMs %d", ErrConfig, c.MaxNotificationIntervalMs, c.MinNotificationIntervalMs)
	case len(c.Voters) == 0:
		return c, fmt.Errorf("%w: no voters", ErrConfig)
	}
	if c.Logger == nil {
		c.Logger = protolog.Discard{}
	}
	return c, nil
}

// ticks converts milliseconds to a number of Tick calls, rounding up, at least 1.
func (c Config) ticks(ms int) int {
	t := (ms + c.TickMs - 1) / c.TickMs
	return max(t, 1)
}

// Logger receives the state machine's log lines; it is the one interface
// shared with leader/ (internal/protolog), so the driver needs one adapter.
type Logger = protolog.Logger
