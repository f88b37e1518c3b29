package chaos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"
)

// LoadRoot is the parent znode of the workload's registers /zkctl-load/r0..rN.
const LoadRoot = "/zkctl-load"

// WorkloadConfig configures a client workload.
type WorkloadConfig struct {
	// Servers are client addresses host:port; each client gets all of them
	// (go-zookeeper shuffles the list, so clients spread over the servers).
	Servers []string
	// Rate is the total number of operations per second (>= 1).
	Rate int
	// Clients is the number of concurrent sessions; zero picks rate/10 in [2,16].
	Clients int
	// Registers is the number of registers; zero means 5.
	Registers int
	// History receives every operation; required.
	History *HistoryWriter
	// OpTimeout bounds one operation; past it the outcome is unknown and the
	// client reconnects as a new client id. Zero means 3 s.
	OpTimeout time.Duration
	// SessionTimeout is the ZooKeeper session timeout; zero means 6 s.
	SessionTimeout time.Duration
	// Seed drives the operation mix.
	Seed int64
	// Logger receives connection-level lines; nil discards them.
	Logger *slog.Logger
}

// LoadStats counts operation outcomes.
type LoadStats struct {
	OK, Failed, Unknown int64
}

// Total is the number of completed operations.
func (s LoadStats) Total() int64 { return s.OK + s.Failed + s.Unknown }

// String is one human line.
func (s LoadStats) String() string {
	return fmt.Sprintf("%d ops: ok %d, failed %d, unknown %d", s.Total(), s.OK, s.Failed, s.Unknown)
}

// Workload runs clients doing sync+read, write and version-checked cas on a
// few registers, recording every operation.
type Workload struct {
	cfg    WorkloadConfig
	prefix string // unique per workload, so written values are unique
	base   time.Time

	cancel context.CancelFunc
	wg     sync.WaitGroup
	tokens chan struct{}

	nextClient atomic.Int64
	ok, failed atomic.Int64
	unknown    atomic.Int64

	mu       sync.Mutex
	ops      []Op
	inflight map[int64]Op
	nextOp   int64
	err      error // first history write error
}

// zkLogger adapts slog to go-zookeeper's Printf logger.
type zkLogger struct{ l *slog.Logger }

func (z zkLogger) Printf(format string, args ...any) {
	if z.l != nil {
		z.l.Debug(fmt.Sprintf(format, args...), "component", "zk-client")
	}
}

// StartWorkload creates the registers, records their initial writes and
// starts the clients. Stop it with Stop.
func StartWorkload(ctx context.Context, cfg WorkloadConfig) (*Workload, error) {
	if len(cfg.Servers) == 0 {
		return nil, errors.New("chaos: load: no servers to connect to")
	}
	if cfg.Rate < 1 {
		return nil, fmt.Errorf("chaos: load: rate %d/s must be at least 1", cfg.Rate)
	}
	if cfg.History == nil {
		return nil, errors.New("chaos: load: no history writer")
	}
	if cfg.Registers <= 0 {
		cfg.Registers = 5
	}
	if cfg.Clients <= 0 {
		cfg.Clients = min(max(cfg.Rate/10, 2), 16)
	}
	if cfg.OpTimeout <= 0 {
		cfg.OpTimeout = 3 * time.Second
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 6 * time.Second
	}
	w := &Workload{
		cfg:      cfg,
		base:     time.Now(),
		inflight: map[int64]Op{},
		tokens:   make(chan struct{}, cfg.Clients),
	}
	w.prefix = strconv.FormatInt(w.base.UnixNano()%(1<<40), 36)
	if err := w.setup(ctx); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.wg.Add(1)
	go w.pace(wctx)
	for i := 0; i < cfg.Clients; i++ {
		w.wg.Add(1)
		go w.client(wctx, cfg.Seed+int64(i)*7919)
	}
	return w, nil
}

// now is nanoseconds on a monotonic clock anchored at the Unix time the
// workload started.
func (w *Workload) now() int64 { return w.base.UnixNano() + int64(time.Since(w.base)) }

func regPath(r int) string { return LoadRoot + "/r" + strconv.Itoa(r) }

// setup creates the registers and gives each a fresh value with a recorded
// blind write, so the model's initial state does not matter.
func (w *Workload) setup(ctx context.Context) error {
	conn, err := w.connect()
	if err != nil {
		return err
	}
	defer conn.Close()
	id := int(w.nextClient.Add(1) - 1)
	deadline := time.Now().Add(3 * w.cfg.OpTimeout)
	create := func(path string) error {
		for {
			_, err := conn.Create(path, nil, 0, zk.WorldACL(zk.PermAll))
			if err == nil || errors.Is(err, zk.ErrNodeExists) {
				return nil
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return fmt.Errorf("chaos: load: create %s: %w", path, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if err := create(LoadRoot); err != nil {
		return err
	}
	for r := 0; r < w.cfg.Registers; r++ {
		if err := create(regPath(r)); err != nil {
			return err
		}
		op := Op{Client: id, Op: OpWrite, Register: r, Value: w.prefix + "-init-" + strconv.Itoa(r)}
		w.runOp(conn, op, func(o *Op) error {
			st, err := conn.Set(regPath(r), []byte(o.Value), -1)
			if err == nil {
				o.Version = st.Version
			}
			return err
		})
	}
	return nil
}

func (w *Workload) connect() (*zk.Conn, error) {
	conn, _, err := zk.Connect(w.cfg.Servers, w.cfg.SessionTimeout,
		zk.WithLogger(zkLogger{w.cfg.Logger}), zk.WithLogInfo(false))
	if err != nil {
		return nil, fmt.Errorf("chaos: load: connect %v: %w", w.cfg.Servers, err)
	}
	return conn, nil
}

// pace hands out one token per 1/Rate seconds; tokens nobody takes are dropped.
func (w *Workload) pace(ctx context.Context) {
	defer w.wg.Done()
	t := time.NewTicker(time.Second / time.Duration(w.cfg.Rate))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			select {
			case w.tokens <- struct{}{}:
			default:
			}
		}
	}
}

// client is one session issuing operations; after an operation times out
// it drops the session and continues as a new client id.
func (w *Workload) client(ctx context.Context, seed int64) {
	defer w.wg.Done()
	rng := rand.New(rand.NewSource(seed))
	var conn *zk.Conn
	var id int
	seq := 0
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.tokens:
		}
		if conn == nil {
			c, err := w.connect()
			if err != nil {
				continue
			}
			conn, id = c, int(w.nextClient.Add(1)-1)
		}
		reg := rng.Intn(w.cfg.Registers)
		path := regPath(reg)
		var timedOut bool
		switch p := rng.Intn(4); {
		case p < 2:
			timedOut = w.runOp(conn, Op{Client: id, Op: OpRead, Register: reg}, func(o *Op) error {
				if _, err := conn.Sync(path); err != nil {
					return fmt.Errorf("sync: %w", err)
				}
				data, st, err := conn.Get(path)
				if err == nil {
					o.Observed, o.Version = string(data), st.Version
				}
				return err
			})
		case p == 2:
			seq++
			v := w.prefix + "-c" + strconv.Itoa(id) + "-" + strconv.Itoa(seq)
			timedOut = w.runOp(conn, Op{Client: id, Op: OpWrite, Register: reg, Value: v}, func(o *Op) error {
				st, err := conn.Set(path, []byte(v), -1)
				if err == nil {
					o.Version = st.Version
				}
				return err
			})
		default:
			// The read before a cas is not part of the checked history.
			data, st, err := getWithTimeout(conn, path, w.cfg.OpTimeout)
			if err != nil {
				timedOut = errors.Is(err, context.DeadlineExceeded)
				break
			}
			seq++
			v := w.prefix + "-c" + strconv.Itoa(id) + "-" + strconv.Itoa(seq)
			op := Op{Client: id, Op: OpCAS, Register: reg, Value: v, Expected: string(data), ExpectedVersion: st.Version}
			timedOut = w.runOp(conn, op, func(o *Op) error {
				st2, err := conn.Set(path, []byte(v), st.Version)
				if err == nil {
					o.Version = st2.Version
				}
				return err
			})
		}
		if timedOut {
			conn.Close()
			conn = nil
		}
	}
}

func getWithTimeout(conn *zk.Conn, path string, d time.Duration) ([]byte, *zk.Stat, error) {
	type res struct {
		data []byte
		st   *zk.Stat
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		data, st, err := conn.Get(path)
		ch <- res{data, st, err}
	}()
	select {
	case r := <-ch:
		return r.data, r.st, r.err
	case <-time.After(d):
		return nil, nil, context.DeadlineExceeded
	}
}

// classify maps an operation's error to its outcome.
func classify(op string, err error) string {
	switch {
	case err == nil:
		return ResultOK
	case op == OpCAS && errors.Is(err, zk.ErrBadVersion):
		return ResultFail
	case op != OpCAS && errors.Is(err, zk.ErrNoNode):
		return ResultFail
	default:
		// Timeouts, connection loss, session expiry, closing: may or may not
		// have happened. A cas NoNode is also left unknown: "fail" for a cas
		// claims the version did not match.
		return ResultUnknown
	}
}

// runOp invokes f with a timeout, records the outcome and reports whether it
// timed out (the caller then abandons the session).
func (w *Workload) runOp(conn *zk.Conn, op Op, f func(*Op) error) (timedOut bool) {
	op.Server = conn.Server()
	op.InvokeNs = w.now()
	w.mu.Lock()
	key := w.nextOp
	w.nextOp++
	w.inflight[key] = op
	w.mu.Unlock()

	done := make(chan struct{})
	result := op
	var err error
	go func() {
		err = f(&result)
		close(done)
	}()
	select {
	case <-done:
		op = result
		op.CompleteNs = w.now()
		op.Result = classify(op.Op, err)
		if err != nil {
			op.Error = err.Error()
		}
	case <-time.After(w.cfg.OpTimeout):
		op.CompleteNs = w.now()
		op.Result = ResultUnknown
		op.Error = fmt.Sprintf("timed out after %s", w.cfg.OpTimeout)
		timedOut = true
	}
	switch op.Result {
	case ResultOK:
		w.ok.Add(1)
	case ResultFail:
		w.failed.Add(1)
	default:
		w.unknown.Add(1)
	}
	herr := w.cfg.History.Append(op)
	w.mu.Lock()
	delete(w.inflight, key)
	w.ops = append(w.ops, op)
	if herr != nil && w.err == nil {
		w.err = herr
	}
	w.mu.Unlock()
	return timedOut
}

// Stats returns the outcome counts so far.
func (w *Workload) Stats() LoadStats {
	return LoadStats{OK: w.ok.Load(), Failed: w.failed.Load(), Unknown: w.unknown.Load()}
}

// Snapshot returns every completed operation plus the ones in flight as
// unknown (they may already have taken effect), ready for Check.
func (w *Workload) Snapshot() []Op {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Op, 0, len(w.ops)+len(w.inflight))
	out = append(out, w.ops...)
	for _, op := range w.inflight {
		op.Result = ResultUnknown
		op.CompleteNs = w.now()
		op.Error = "in flight at snapshot"
		out = append(out, op)
	}
	return out
}

// Stop stops the clients, waits for them (each at most one OpTimeout),
// flushes the history and returns the final counts.
func (w *Workload) Stop() (LoadStats, error) {
	w.cancel()
	w.wg.Wait()
	w.mu.Lock()
	err := w.err
	w.mu.Unlock()
	return w.Stats(), errors.Join(err, w.cfg.History.Flush())
}
