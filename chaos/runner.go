package chaos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand"
	"sync"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

// Cluster is what the runner needs from a cluster: its status and actions.
// launcher.Controller (the in-process *Launcher or the remote *Client)
// satisfies it; tests use a fake.
type Cluster interface {
	Status(ctx context.Context) (launcher.ClusterStatus, error)
	Do(ctx context.Context, a launcher.Action) error
}

// FailError is a failed expectation, wait or check: exit status 1.
type FailError struct {
	Pos  Pos
	Stmt string
	// Seen describes what the cluster looked like instead.
	Seen string
}

// Error formats as `3:1: expect leader != 3 failed: leader is 3 (…)`.
func (e *FailError) Error() string {
	return fmt.Sprintf("%s: %s failed: %s", e.Pos, e.Stmt, e.Seen)
}

// ExitCode is 1: a failed expectation is a failed run, not a script error.
// It lets launcher.ExitCodeOf and the control API carry the verdict.
func (e *FailError) ExitCode() int { return ExitFailed }

// Exit statuses of a script run.
const (
	ExitPass        = 0
	ExitFailed      = 1
	ExitScriptError = 2
)

// ExitCode maps an error from Run or Exec to the CLI's exit status: 0 pass,
// 1 failed expect/wait/check, 2 script error (bad syntax, bad target,
// cluster unreachable, cancelled).
func ExitCode(err error) int {
	var fe *FailError
	switch {
	case err == nil:
		return ExitPass
	case errors.As(err, &fe):
		return ExitFailed
	default:
		// An error that came back over the control API carries its status.
		return launcher.ExitCodeOf(err, ExitScriptError)
	}
}

// RunnerConfig configures a Runner. The zero value works.
type RunnerConfig struct {
	// Seed drives random targets and nemesis seeds; 0 picks one from the
	// clock. Either way it is printed, and re-running with it replays the
	// same choices against the same cluster states.
	Seed int64
	// Out receives one line per executed action and result; nil discards.
	Out io.Writer
	// Source labels the actions (launcher.Source*); default "script".
	Source string
	// ClusterDir holds histories and sessions; "" uses the status's Dir.
	ClusterDir string
	// Recorder, when set, receives every executed action.
	Recorder *Recorder
	// PollEvery is the status poll interval of waits and the monitor; 0 means 100 ms.
	PollEvery time.Duration
	// WaitWithin bounds `wait leader|quorum|synced` without `within`; 0 means 30 s.
	WaitWithin time.Duration
	// CheckTimeout bounds the linearizability search; 0 means 60 s.
	CheckTimeout time.Duration
	// LoadOpTimeout bounds one workload operation; 0 means the workload default.
	LoadOpTimeout time.Duration
	// Logger receives edge logging; nil discards.
	Logger *slog.Logger
}

// Runner executes chaos statements against a cluster. One Runner can serve
// a whole launcher session (RunLine from keys, prompt, `zkctl do`) or one
// script (Run). Its methods are safe for concurrent use.
type Runner struct {
	cfg RunnerConfig

	mu        sync.Mutex
	cluster   Cluster
	rng       *rand.Rand
	load      *Workload
	hist      *HistoryWriter
	pastOps   []Op
	pastStats LoadStats
	faults    map[string]int
	lastCheck *CheckResult
	elections []Election
	failures  []string
	// watch is set while Run is in progress.
	watch *leaderWatch
	// evElections are the launcher's own leader events seen during runs
	// (preferred over the watch's coarser timing when the cluster has an
	// event source); evSeq is the last event seq read.
	evElections []Election
	evSeq       uint64
	haveEvents  bool
	// runErr is the last run's error when it was not a failed expectation.
	runErr string
	// loadTime is how long workloads ran before the current one, which
	// started at loadSince.
	loadTime  time.Duration
	loadSince time.Time
	// data is the client of the data commands (runner_data.go).
	data dataSession
}

// NewRunner returns a runner for c (which may be nil when the runner is
// only used as a launcher.LineRunner, which passes the controller per call).
func NewRunner(c Cluster, cfg RunnerConfig) *Runner {
	if cfg.Seed == 0 {
		cfg.Seed = time.Now().UnixNano()
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Source == "" {
		cfg.Source = launcher.SourceScript
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = 100 * time.Millisecond
	}
	if cfg.WaitWithin <= 0 {
		cfg.WaitWithin = 30 * time.Second
	}
	if cfg.CheckTimeout <= 0 {
		cfg.CheckTimeout = 60 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{cfg: cfg, cluster: c, rng: rand.New(rand.NewSource(cfg.Seed)), faults: map[string]int{}}
}

// Seed is the runner's seed.
func (r *Runner) Seed() int64 { return r.cfg.Seed }

// exec is the per-call context: which cluster, where output goes, which source.
type exec struct {
	c      Cluster
	out    io.Writer
	source string
}

func (x exec) printf(format string, args ...any) { fmt.Fprintf(x.out, format+"\n", args...) }

// Run executes a whole program, then stops the workload it started and,
// unless the program says `noheal`, heals every link and resumes paused
// nodes. It stops at the first failure or error and returns it (see ExitCode).
func (r *Runner) Run(ctx context.Context, p *Program) error {
	return r.run(ctx, exec{c: r.cluster, out: r.cfg.Out, source: r.cfg.Source}, p)
}

// RunScript parses src and runs it against c like Run, writing progress
// and the final summary to out. It satisfies cmd/zkctl's ScriptRunner hook
// of `zkctl up --script`.
func (r *Runner) RunScript(ctx context.Context, c launcher.Controller, name string, src []byte, out io.Writer) error {
	p, err := Parse(string(src))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if out == nil {
		out = io.Discard
	}
	var cl Cluster = c
	if c == nil {
		cl = r.cluster
	}
	x := exec{c: cl, out: out, source: launcher.SourceScript}
	err = r.run(ctx, x, p)
	if err == nil {
		err = r.finalCheck(x)
	}
	fmt.Fprint(out, r.Summary().String())
	return err
}

// finalCheck checks the history at the end of a headless script that ran
// a workload but never checked it.
func (r *Runner) finalCheck(x exec) error {
	r.mu.Lock()
	need := r.lastCheck == nil && len(r.pastOps) > 0
	r.mu.Unlock()
	if !need {
		return nil
	}
	x.printf("# end of script: checking the history")
	return r.check(x, &CheckStmt{})
}

func (r *Runner) run(ctx context.Context, x exec, p *Program) error {
	if x.c == nil {
		return errors.New("chaos: runner has no cluster")
	}
	x.printf("# seed %d", r.cfg.Seed)
	r.mu.Lock()
	r.watch = &leaderWatch{}
	r.runErr = ""
	r.mu.Unlock()
	es, _ := x.c.(launcher.EventSource)
	if es != nil {
		if _, last, err := es.EventsSince(ctx, math.MaxUint64, 0); err == nil {
			r.mu.Lock()
			r.evSeq, r.haveEvents = last, true
			r.mu.Unlock()
		} else {
			es = nil
		}
	}
	asked := time.Now()
	if st, err := x.c.Status(ctx); err == nil {
		r.observe(st, asked)
	}
	mctx, stopMonitor := context.WithCancel(ctx)
	var mwg sync.WaitGroup
	mwg.Add(1)
	go func() {
		defer mwg.Done()
		r.monitor(mctx, x.c, es)
	}()

	var err error
	for _, s := range p.Stmts {
		if err = r.exec(ctx, x, s); err != nil {
			break
		}
	}
	if err != nil {
		x.printf("%v", err)
	}
	// Clean up with a fresh bounded context: ctx may be cancelled (Ctrl-C).
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if lerr := r.stopLoad(x); lerr != nil {
		err = errors.Join(err, lerr)
	}
	if !p.NoHeal() {
		if herr := r.healAll(cctx, x, false); herr != nil {
			err = errors.Join(err, herr)
		}
	}
	stopMonitor()
	mwg.Wait()
	asked = time.Now()
	if st, serr := x.c.Status(cctx); serr == nil {
		r.observe(st, asked)
	}
	r.readEvents(cctx, es)
	r.mu.Lock()
	r.watch = nil
	var fe *FailError
	if err != nil && !errors.As(err, &fe) {
		r.runErr = err.Error()
	}
	r.mu.Unlock()
	return err
}

// RunLine implements launcher.LineRunner: it parses and executes one line
// (several commands may be separated by ';') against c and returns what it
// printed. A `load` keeps running after RunLine returns. No final heal.
// Actions are labelled with launcher.SourceFrom(ctx) when set, else with
// the configured Source.
func (r *Runner) RunLine(ctx context.Context, c launcher.Controller, line string) (string, error) {
	p, err := ParseLine(line)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	x := exec{c: c, out: &buf, source: r.cfg.Source}
	if src := launcher.SourceFrom(ctx); src != "" {
		x.source = src // e.g. a dashboard key rather than `zkctl do`
	}
	if x.c == nil {
		x.c = r.cluster
	}
	if x.c == nil {
		return "", errors.New("chaos: no cluster to run on")
	}
	for _, s := range p.Stmts {
		if err := r.exec(ctx, x, s); err != nil {
			return buf.String(), err
		}
	}
	return buf.String(), nil
}

// Exec executes one statement against the runner's cluster.
func (r *Runner) Exec(ctx context.Context, s Stmt) error {
	return r.exec(ctx, exec{c: r.cluster, out: r.cfg.Out, source: r.cfg.Source}, s)
}

// Close stops a running workload and closes the history and recorder.
func (r *Runner) Close() error {
	err := r.stopLoad(exec{out: io.Discard})
	r.data.close()
	r.mu.Lock()
	if r.hist != nil {
		err = errors.Join(err, r.hist.Close())
		r.hist = nil
	}
	r.mu.Unlock()
	if r.cfg.Recorder != nil {
		err = errors.Join(err, r.cfg.Recorder.Close())
	}
	return err
}

// Summary returns the report so far.
func (r *Runner) Summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Summary{Seed: r.cfg.Seed, Load: r.pastStats, Faults: map[string]int{}}
	s.LoadTime = r.loadTime
	if r.load != nil {
		s.LoadTime += time.Since(r.loadSince)
		st := r.load.Stats()
		s.Load.OK += st.OK
		s.Load.Failed += st.Failed
		s.Load.Unknown += st.Unknown
	}
	for k, v := range r.faults {
		s.Faults[k] = v
	}
	if r.haveEvents {
		s.Elections = append(s.Elections, r.evElections...)
		s.ElectionSource = "launcher events"
	} else {
		s.Elections = append(s.Elections, r.elections...)
		s.ElectionSource = "status polls"
	}
	s.Failures = append(s.Failures, r.failures...)
	s.Error = r.runErr
	if r.lastCheck != nil {
		c := *r.lastCheck
		s.Check = &c
	}
	if r.cfg.Recorder != nil {
		s.Session = r.cfg.Recorder.Path()
	}
	return s
}

func (r *Runner) fail(s Stmt, seen string) error {
	e := &FailError{Pos: s.Position(), Stmt: s.String(), Seen: seen}
	r.mu.Lock()
	r.failures = append(r.failures, e.Error())
	r.mu.Unlock()
	return e
}

func stmtErr(s Stmt, err error) error {
	return fmt.Errorf("%s: %s: %w", s.Position(), s.String(), err)
}

func (r *Runner) status(ctx context.Context, x exec) (launcher.ClusterStatus, error) {
	asked := time.Now()
	st, err := x.c.Status(ctx)
	if err != nil {
		return st, fmt.Errorf("cluster status: %w", err)
	}
	r.observe(st, asked)
	return st, nil
}

// isFault says whether an action kind counts as an injected fault.
func isFault(kind string) bool {
	switch kind {
	case launcher.ActStart, launcher.ActResume, launcher.ActHeal, launcher.ActRelease, launcher.ActStep:
		return false
	}
	return true
}

// do performs one resolved action, records it and prints it.
func (r *Runner) do(ctx context.Context, x exec, a launcher.Action, source string) error {
	a.Source = source
	if err := x.c.Do(ctx, a); err != nil {
		return fmt.Errorf("%s: %w", a.String(), err)
	}
	x.printf("%s", a.String())
	r.cfg.Logger.Info("chaos action", "action", a.String(), "source", source)
	if isFault(a.Kind) {
		r.mu.Lock()
		r.faults[a.Kind]++
		r.mu.Unlock()
	}
	r.record(a.String(), source)
	return nil
}

func (r *Runner) record(line, source string) {
	if r.cfg.Recorder == nil {
		return
	}
	if err := r.cfg.Recorder.Record(line, source); err != nil {
		r.cfg.Logger.Warn("chaos: session not recorded", "err", err)
	}
}

func (r *Runner) resolve(st launcher.ClusterStatus, t Target, verb string) ([]int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return resolveTarget(t, verb, st, r.rng)
}

func (r *Runner) exec(ctx context.Context, x exec, s Stmt) error {
	if err := ctx.Err(); err != nil {
		return stmtErr(s, err)
	}
	withTarget := func(t Target, verb string, build func([]int) launcher.Action) error {
		st, err := r.status(ctx, x)
		if err != nil {
			return stmtErr(s, err)
		}
		ids, err := r.resolve(st, t, verb)
		if err != nil {
			return stmtErr(s, err)
		}
		if len(ids) == 0 {
			x.printf("%s: nothing to %s", s.String(), verb)
			return nil
		}
		if err := r.do(ctx, x, build(ids), x.source); err != nil {
			return stmtErr(s, err)
		}
		return nil
	}
	switch s := s.(type) {
	case *ProcessStmt:
		return withTarget(s.Target, s.Verb, func(ids []int) launcher.Action { return launcher.Action{Kind: s.Verb, Nodes: ids} })
	case *UpgradeStmt:
		if err := r.do(ctx, x, launcher.Action{Kind: launcher.ActUpgrade, Nodes: []int{s.Node}, Impl: s.Impl}, x.source); err != nil {
			return stmtErr(s, err)
		}
		// The upgraded server must have rejoined and synced, a JVM included.
		return r.waitFor(ctx, x, &WaitForStmt{At: s.At, Cond: ExpectSynced, Within: upgradeSyncWait})
	case *IsolateStmt:
		return withTarget(s.Target, "isolate", func(ids []int) launcher.Action { return launcher.Action{Kind: launcher.ActIsolate, Nodes: ids} })
	case *RejectStmt:
		return withTarget(s.Target, "reject", func(ids []int) launcher.Action { return launcher.Action{Kind: launcher.ActReject, Nodes: ids} })
	case *SlowStmt:
		return withTarget(s.Target, "slow", func(ids []int) launcher.Action {
			return launcher.Action{Kind: launcher.ActSlow, Nodes: ids, Delay: s.Delay, Jitter: s.Jitter}
		})
	case *PartitionStmt:
		return r.partition(ctx, x, s)
	case *HoldStmt, *StepStmt, *ReleaseStmt, *MsgFaultStmt:
		return r.execMessage(ctx, x, s)
	case *CutStmt:
		from, to, err := r.resolveLink(ctx, x, s.From, s.To)
		if err != nil {
			return stmtErr(s, err)
		}
		if err := r.do(ctx, x, launcher.Action{Kind: launcher.ActCut, From: from, To: to}, x.source); err != nil {
			return stmtErr(s, err)
		}
		return nil
	case *HealStmt:
		if err := r.do(ctx, x, launcher.Action{Kind: launcher.ActHeal}, x.source); err != nil {
			return stmtErr(s, err)
		}
		return nil
	case *WaitStmt:
		if err := sleepCtx(ctx, s.D); err != nil {
			return stmtErr(s, err)
		}
		return nil
	case *WaitForStmt:
		return r.waitFor(ctx, x, s)
	case *ExpectStmt:
		return r.expect(ctx, x, s)
	case *LoadStmt:
		if s.Off {
			err := r.stopLoad(x)
			if err == nil {
				r.record(s.String(), x.source)
			}
			return err
		}
		if err := r.startLoad(ctx, x, s.Rate); err != nil {
			return stmtErr(s, err)
		}
		r.record(s.String(), x.source)
		return nil
	case *CheckStmt:
		return r.check(x, s)
	case *NemesisStmt:
		return r.nemesis(ctx, x, s)
	case *RepeatStmt:
		for i := 0; i < s.Count; i++ {
			for _, b := range s.Body {
				if err := r.exec(ctx, x, b); err != nil {
					return err
				}
			}
		}
		return nil
	case *NoHealStmt:
		return nil
	case DataStmt:
		return r.execData(ctx, x, s) // runner_data.go
	}
	return stmtErr(s, fmt.Errorf("statement of type %T not supported", s))
}

func (r *Runner) partition(ctx context.Context, x exec, s *PartitionStmt) error {
	st, err := r.status(ctx, x)
	if err != nil {
		return stmtErr(s, err)
	}
	var actions []launcher.Action
	if s.Shape != "" {
		if actions, err = partitionActions(s.Shape, st); err != nil {
			return stmtErr(s, err)
		}
	} else {
		for _, g := range s.Groups {
			if err := checkIDs(st, g...); err != nil {
				return stmtErr(s, err)
			}
		}
		actions = []launcher.Action{{Kind: launcher.ActPartition, Groups: s.Groups}}
	}
	for _, a := range actions {
		if err := r.do(ctx, x, a, x.source); err != nil {
			return stmtErr(s, err)
		}
	}
	return nil
}

// upgradeSyncWait bounds how long upgrade waits for the restarted server to
// sync: a JVM start and a snapshot transfer.
const upgradeSyncWait = 60 * time.Second

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (r *Runner) waitFor(ctx context.Context, x exec, s *WaitForStmt) error {
	within := s.Within
	if within <= 0 {
		within = r.cfg.WaitWithin
	}
	start := time.Now()
	deadline := start.Add(within)
	var prev launcher.ClusterStatus
	havePrev := false
	seen := "no status yet"
	for {
		st, err := r.status(ctx, x)
		if err == nil {
			if !havePrev {
				prev, havePrev = st, true
			}
			ok, why := condMet(s.Cond, prev, st)
			if ok {
				x.printf("wait %s: met after %s", s.Cond, time.Since(start).Round(10*time.Millisecond))
				return nil
			}
			seen = why + " (" + describe(st) + ")"
			prev = st
		} else {
			seen = err.Error()
		}
		if time.Now().After(deadline) {
			return r.fail(s, fmt.Sprintf("not met within %s: %s", within, seen))
		}
		if err := sleepCtx(ctx, r.cfg.PollEvery); err != nil {
			return stmtErr(s, err)
		}
	}
}

func (r *Runner) expect(ctx context.Context, x exec, s *ExpectStmt) error {
	st, err := r.status(ctx, x)
	if err != nil {
		return stmtErr(s, err)
	}
	prev := st
	if s.Kind == ExpectSynced {
		// Two polls, so a cluster under load can be judged against where
		// the leader was one poll ago.
		if err := sleepCtx(ctx, r.cfg.PollEvery); err != nil {
			return stmtErr(s, err)
		}
		if st, err = r.status(ctx, x); err != nil {
			return stmtErr(s, err)
		}
	}
	if ok, why := evalExpect(s, prev, st); !ok {
		return r.fail(s, why+" ("+describe(st)+")")
	}
	x.printf("%s: ok", s.String())
	return nil
}

// healAll heals every link and resumes paused nodes; with start it also
// starts nodes that are not running.
func (r *Runner) healAll(ctx context.Context, x exec, start bool) error {
	var errs error
	if err := r.do(ctx, x, launcher.Action{Kind: launcher.ActHeal}, x.source); err != nil {
		errs = errors.Join(errs, err)
	}
	st, err := r.status(ctx, x)
	if err != nil {
		return errors.Join(errs, err)
	}
	var paused, stopped []int
	for _, n := range st.Nodes {
		if n.Paused {
			paused = append(paused, n.ID)
		}
		if !n.Running {
			stopped = append(stopped, n.ID)
		}
	}
	if len(paused) > 0 {
		errs = errors.Join(errs, r.do(ctx, x, launcher.Action{Kind: launcher.ActResume, Nodes: paused}, x.source))
	}
	if start && len(stopped) > 0 {
		errs = errors.Join(errs, r.do(ctx, x, launcher.Action{Kind: launcher.ActStart, Nodes: stopped}, x.source))
	}
	return errs
}
