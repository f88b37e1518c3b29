package chaos

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

// The workload, check and nemesis statements of the runner.

func (r *Runner) clusterDir(ctx context.Context, x exec) (string, error) {
	if r.cfg.ClusterDir != "" {
		return r.cfg.ClusterDir, nil
	}
	st, err := r.status(ctx, x)
	if err != nil {
		return "", err
	}
	if st.Dir == "" {
		return "", errors.New("cluster status has no directory for the history")
	}
	return st.Dir, nil
}

func (r *Runner) startLoad(ctx context.Context, x exec, rate int) error {
	r.mu.Lock()
	running := r.load != nil
	r.mu.Unlock()
	if running {
		// A new rate replaces the running workload.
		if err := r.stopLoad(x); err != nil {
			return err
		}
	}
	st, err := r.status(ctx, x)
	if err != nil {
		return err
	}
	var servers []string
	for _, n := range st.Nodes {
		if n.ClientPort > 0 {
			servers = append(servers, fmt.Sprintf("127.0.0.1:%d", n.ClientPort))
		}
	}
	dir, err := r.clusterDir(ctx, x)
	if err != nil {
		return err
	}
	r.mu.Lock()
	if r.hist == nil {
		path := filepath.Join(dir, "history", time.Now().Format("20060102-150405.000")+".jsonl")
		if r.hist, err = OpenHistory(path); err != nil {
			r.mu.Unlock()
			return err
		}
	}
	hist := r.hist
	seed := r.rng.Int63()
	r.mu.Unlock()
	w, err := StartWorkload(ctx, WorkloadConfig{Servers: servers, Rate: rate, History: hist, Seed: seed,
		OpTimeout: r.cfg.LoadOpTimeout, Logger: r.cfg.Logger})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.load, r.loadSince = w, time.Now()
	r.mu.Unlock()
	x.printf("load %d/s on %d servers; history %s", rate, len(servers), hist.Path())
	return nil
}

func (r *Runner) stopLoad(x exec) error {
	r.mu.Lock()
	w := r.load
	r.load = nil
	r.mu.Unlock()
	if w == nil {
		return nil
	}
	stats, err := w.Stop()
	r.mu.Lock()
	r.loadTime += time.Since(r.loadSince)
	r.pastOps = append(r.pastOps, w.Snapshot()...)
	r.pastStats.OK += stats.OK
	r.pastStats.Failed += stats.Failed
	r.pastStats.Unknown += stats.Unknown
	r.mu.Unlock()
	x.printf("load off: %v", stats)
	if err != nil {
		return fmt.Errorf("load off: %w", err)
	}
	return nil
}

func (r *Runner) check(x exec, s *CheckStmt) error {
	r.mu.Lock()
	ops := append([]Op(nil), r.pastOps...)
	if r.load != nil {
		ops = append(ops, r.load.Snapshot()...)
	}
	var html string
	if r.hist != nil {
		if err := r.hist.Flush(); err != nil {
			r.mu.Unlock()
			return stmtErr(s, err)
		}
		html = r.hist.Path()
		html = html[:len(html)-len(filepath.Ext(html))] + ".html"
	}
	r.mu.Unlock()
	if len(ops) == 0 {
		return stmtErr(s, errors.New("no history to check: run `load RATE` first"))
	}
	res, err := Check(ops, CheckOptions{Timeout: r.cfg.CheckTimeout, HTMLPath: html})
	r.mu.Lock()
	r.lastCheck = &res
	r.mu.Unlock()
	r.record(s.String(), x.source)
	if err != nil {
		return stmtErr(s, err)
	}
	x.printf("check: %v", res)
	if !res.Linearizable {
		return r.fail(s, res.String())
	}
	return nil
}

func (r *Runner) nemesis(ctx context.Context, x exec, s *NemesisStmt) error {
	seed := s.Seed
	if !s.HasSeed {
		r.mu.Lock()
		seed = r.rng.Int63()
		r.mu.Unlock()
	}
	st, err := r.status(ctx, x)
	if err != nil {
		return stmtErr(s, err)
	}
	steps := NemesisSchedule(s.Kinds, s.Every, s.For, seed, allIDs(st))
	replay := *s
	replay.Seed, replay.HasSeed = seed, true
	x.printf("nemesis seed %d: %d faults over %s (replay with: %s)", seed, len(steps), s.For, replay.String())
	start := time.Now()
	var errs error
	var undo []launcher.Action
	runAll := func(as []launcher.Action) {
		for _, a := range as {
			if err := r.do(ctx, x, a, launcher.SourceNemesis); err != nil {
				x.printf("nemesis: %v", err)
				errs = errors.Join(errs, err)
			}
		}
	}
	for _, step := range steps {
		if err := sleepCtx(ctx, time.Until(start.Add(step.At))); err != nil {
			break
		}
		runAll(undo)
		runAll(step.Apply)
		undo = step.Undo
	}
	if ctx.Err() == nil {
		_ = sleepCtx(ctx, time.Until(start.Add(s.For)))
	}
	// Always leave the cluster whole, even when cancelled.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	ctxSave := ctx
	ctx = cctx
	runAll(undo)
	errs = errors.Join(errs, r.healAll(cctx, x, true))
	if err := ctxSave.Err(); err != nil {
		return stmtErr(s, err)
	}
	if errs != nil {
		return stmtErr(s, errs)
	}
	return nil
}
