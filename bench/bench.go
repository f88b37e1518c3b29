package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// Operations a benchmark can run.
const (
	OpCreate = "create" // create a persistent sequential node under the client's parent
	OpSet    = "set"    // setData on the client's own node, any version
	OpGet    = "get"    // getData of the client's own node
)

// Config describes one benchmark run.
type Config struct {
	Servers  []string      // host:port client addresses; clients are spread round-robin
	Op       string        // OpCreate, OpSet or OpGet
	Clients  int           // concurrent clients, each with its own connection
	Size     int           // payload bytes for create and set (and the node read by get)
	Duration time.Duration // measured window
	// Root is the parent path; "" means /zkctl-bench-<random>. Nodes are
	// left in place.
	Root string
	// SessionTimeout for each connection; 0 means 30 s.
	SessionTimeout time.Duration
}

// Validate checks the config and explains what is wrong.
func (c Config) Validate() error {
	var errs []error
	if len(c.Servers) == 0 {
		errs = append(errs, errors.New("no servers given"))
	}
	switch c.Op {
	case OpCreate, OpSet, OpGet:
	default:
		errs = append(errs, fmt.Errorf("unknown op %q (want create, set or get)", c.Op))
	}
	if c.Clients < 1 || c.Clients > 10000 {
		errs = append(errs, fmt.Errorf("clients = %d, want 1..10000", c.Clients))
	}
	if c.Size < 0 || c.Size > 1<<20-1024 {
		errs = append(errs, fmt.Errorf("size = %d, want 0..%d bytes", c.Size, 1<<20-1024))
	}
	if c.Duration <= 0 {
		errs = append(errs, fmt.Errorf("duration = %v, want > 0", c.Duration))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

// client is one connection and its own node.
type client struct {
	conn *zk.Conn
	node string // parent for create, target for set/get
}

// Run connects the clients, prepares their nodes, runs the operation in a
// closed loop for cfg.Duration and returns the summary. Cancelling ctx ends
// the measured window early.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	if cfg.Root == "" {
		cfg.Root = "/zkctl-bench-" + rand.Text()[:10]
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 30 * time.Second
	}
	payload := make([]byte, cfg.Size)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	clients, err := connectAll(ctx, cfg)
	defer func() {
		for _, c := range clients {
			c.conn.Close()
		}
	}()
	if err != nil {
		return Result{}, err
	}
	if err := prepare(clients, cfg, payload); err != nil {
		return Result{}, err
	}
	slog.Debug("bench start", "op", cfg.Op, "clients", cfg.Clients, "size", cfg.Size, "root", cfg.Root)

	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	type partial struct {
		lat      []time.Duration
		errs     int
		firstErr error
	}
	parts := make([]partial, len(clients))
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range clients {
		wg.Go(func() {
			p := &parts[i]
			p.lat = make([]time.Duration, 0, 4096)
			for runCtx.Err() == nil {
				t0 := time.Now()
				err := do(c, cfg.Op, payload)
				d := time.Since(t0)
				if err != nil {
					p.errs++
					if p.firstErr == nil {
						p.firstErr = err
					}
					continue
				}
				p.lat = append(p.lat, d)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	errs := 0
	var firstErr error
	for _, p := range parts {
		all = append(all, p.lat...)
		errs += p.errs
		if firstErr == nil {
			firstErr = p.firstErr
		}
	}
	r := Summarize(all, errs, elapsed)
	r.Op, r.Clients, r.Size = cfg.Op, cfg.Clients, cfg.Size
	if firstErr != nil {
		r.FirstErr = firstErr.Error()
	}
	return r, nil
}

func do(c client, op string, payload []byte) error {
	var err error
	switch op {
	case OpCreate:
		_, err = c.conn.Create(c.node+"/n-", payload, zk.FlagSequence, zk.WorldACL(zk.PermAll))
	case OpSet:
		_, err = c.conn.Set(c.node, payload, -1)
	case OpGet:
		_, _, err = c.conn.Get(c.node)
	}
	return err
}

func connectAll(ctx context.Context, cfg Config) ([]client, error) {
	clients := make([]client, 0, cfg.Clients)
	for i := range cfg.Clients {
		addr := cfg.Servers[i%len(cfg.Servers)]
		conn, events, err := zk.Connect([]string{addr}, cfg.SessionTimeout, zk.WithLogger(quiet{}))
		if err != nil {
			return clients, fmt.Errorf("bench: connect client %d to %s: %w", i, addr, err)
		}
		clients = append(clients, client{conn: conn, node: fmt.Sprintf("%s/c%d", cfg.Root, i)})
		if err := waitSession(ctx, events, 15*time.Second); err != nil {
			return clients, fmt.Errorf("bench: client %d to %s: %w", i, addr, err)
		}
	}
	return clients, nil
}

func waitSession(ctx context.Context, events <-chan zk.Event, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				go func() { // keep go-zk's event channel drained
					for range events {
					}
				}()
				return nil
			}
		case <-t.C:
			return fmt.Errorf("no session after %v", timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func prepare(clients []client, cfg Config, payload []byte) error {
	acl := zk.WorldACL(zk.PermAll)
	if _, err := clients[0].conn.Create(cfg.Root, nil, zk.FlagPersistent, acl); err != nil && !errors.Is(err, zk.ErrNodeExists) {
		return fmt.Errorf("bench: create %s: %w", cfg.Root, err)
	}
	for _, c := range clients {
		if _, err := c.conn.Create(c.node, payload, zk.FlagPersistent, acl); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("bench: create %s: %w", c.node, err)
		}
	}
	return nil
}
