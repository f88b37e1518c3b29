// Package tui is zkctl's Bubble Tea dashboard. It polls every server's admin
// port (/commands/peer and /commands/events), keeps the last good answer of
// each, and turns every key into a line of the chaos language that a
// launcher.Controller runs. Without a controller (zkctl top) it only watches.
package tui

import (
	"errors"
	"fmt"
	"time"

	"github.com/zkctl/zkctl/launcher"
	"github.com/zkctl/zkctl/tui/dataview"
)

// Target is one server the dashboard polls.
type Target struct {
	// ID is the server id shown in the table.
	ID int
	// Admin is the admin port address, host:port.
	Admin string
	// Client is the client port address, host:port, read through
	// four-letter words when Admin is empty (ensembles without an
	// AdminServer; see adminapi.FourLW). It is also the server the data
	// view (key d) can read from.
	Client string
}

// Config configures the dashboard. It never sees viper: cmd/zkctl fills it.
type Config struct {
	// Name is the cluster name shown in the header.
	Name string
	// Targets are the servers to poll.
	Targets []Target
	// Controller runs actions; nil makes the dashboard read-only (zkctl top).
	Controller launcher.Controller
	// Every is the poll interval (default 250ms, i.e. 4 Hz).
	Every time.Duration
	// Bindings maps extra keys (or builtin keys to override) to chaos lines,
	// e.g. {"F5": "partition halves; wait 5s; heal"}.
	Bindings map[string]string
	// WorkloadRate is the rate `w` starts (default 50/s).
	WorkloadRate int
	// RequestTimeout bounds one admin request (default: 80% of Every, at least 100ms).
	RequestTimeout time.Duration
	// DataAuth are credentials for the data view's session, e.g.
	// "digest:user:password", to read trees protected by ACLs.
	DataAuth []string
	// DataDial opens the data view's session; nil dials go-zookeeper (tests fake it).
	DataDial dataview.Dialer
	// Location is where the data view shows Stat times; nil means time.Local.
	Location *time.Location
}

// DefaultConfig returns a configuration with the defaults filled in.
func DefaultConfig() Config {
	return Config{Name: "local", Every: 250 * time.Millisecond, WorkloadRate: 50}
}

// Validate checks the configuration and fills remaining defaults.
func (c *Config) Validate() error {
	if len(c.Targets) == 0 {
		return errors.New("tui: no servers to watch")
	}
	seen := map[int]bool{}
	for _, t := range c.Targets {
		if t.Admin == "" && t.Client == "" {
			return fmt.Errorf("tui: server %d has neither an admin nor a client address", t.ID)
		}
		if seen[t.ID] {
			return fmt.Errorf("tui: server id %d listed twice", t.ID)
		}
		seen[t.ID] = true
	}
	if c.Every <= 0 {
		c.Every = 250 * time.Millisecond
	}
	if c.Every < 50*time.Millisecond {
		c.Every = 50 * time.Millisecond
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = c.Every * 8 / 10
		if c.RequestTimeout < 100*time.Millisecond {
			c.RequestTimeout = 100 * time.Millisecond
		}
	}
	if c.WorkloadRate <= 0 {
		c.WorkloadRate = 50
	}
	if c.Name == "" {
		c.Name = "ensemble"
	}
	return nil
}
