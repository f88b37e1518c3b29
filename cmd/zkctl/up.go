package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/chaos"
	"github.com/zkctl/zkctl/launcher"
)

// upOptions are the flags of `zkctl up`.
type upOptions struct {
	name         string
	dir          string
	observers    int
	basePort     int
	clean        bool
	headless     bool
	tick         time.Duration
	set          []string
	script       string
	proxyClients bool
	grace        time.Duration
	seed         int64
}

func newUpCommand() *cobra.Command {
	var o upOptions
	cmd := &cobra.Command{
		Use:   "up [N]",
		Short: "Run a local ensemble of N zkctl servers (default 3) and break it on purpose",
		Long: "Start N voting servers (and --observers M) as real processes under <dir>/<name>,\n" +
			"each server reaching the others through link proxies owned by this process.\n" +
			"Runs until Ctrl-C or `zkctl down`; a second Ctrl-C skips the grace period.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runUp(cmd, args, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "local", "cluster name")
	f.StringVar(&o.dir, "dir", launcher.DefaultDir(), "directory holding clusters")
	f.IntVar(&o.observers, "observers", 0, "number of observers")
	f.IntVar(&o.basePort, "base-port", launcher.DefaultBasePort, fmt.Sprintf("base of the port layout (uses base..base+%d)", launcher.PortSpan))
	f.BoolVar(&o.clean, "clean", false, "wipe the cluster's data and logs first")
	f.BoolVar(&o.headless, "headless", false, "print one line per event instead of the dashboard")
	f.DurationVar(&o.tick, "tick", 500*time.Millisecond, "zoo.cfg tickTime")
	f.StringArrayVar(&o.set, "set", nil, "zoo.cfg override key=value for every server (repeatable)")
	f.StringVar(&o.script, "script", "", "chaos script to run once the cluster is up; exit status follows it")
	f.BoolVar(&o.proxyClients, "proxy-clients", false, "give clients a proxy in front of every client port, so isolate/slow/reject/heal of a node also hit its clients")
	f.DurationVar(&o.grace, "grace", 5*time.Second, "how long a stop waits after SIGTERM before SIGKILL")
	f.Int64Var(&o.seed, "seed", 1, "seed of the link proxies' jitter")
	return cmd
}

func runUp(cmd *cobra.Command, args []string, o upOptions) error {
	voters := 3
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 || n > launcher.MaxNodes {
			return withExitCode(chaos.ExitScriptError, fmt.Errorf("up: %q servers: want a number from 1 to %d", args[0], launcher.MaxNodes))
		}
		voters = n
	}
	if o.tick%time.Millisecond != 0 {
		return withExitCode(chaos.ExitScriptError, fmt.Errorf("up: --tick %v: want whole milliseconds", o.tick))
	}
	cfg := launcher.DefaultConfig()
	cfg.Name, cfg.Dir, cfg.Voters, cfg.Observers = o.name, o.dir, voters, o.observers
	cfg.BasePort, cfg.Clean, cfg.TickMs, cfg.Overrides = o.basePort, o.clean, int(o.tick/time.Millisecond), o.set
	cfg.ProxyClients, cfg.Grace, cfg.Seed = o.proxyClients, o.grace, o.seed
	out := cmd.OutOrStdout()
	// The launcher logs to stderr only when something is wrong; events go to out.
	cfg.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	var script []byte
	if o.script != "" {
		b, err := os.ReadFile(o.script)
		if err != nil {
			return withExitCode(chaos.ExitScriptError, fmt.Errorf("up: --script: %w", err))
		}
		// A script that does not parse starts nothing.
		if _, err := chaos.Parse(string(b)); err != nil {
			return withExitCode(chaos.ExitScriptError, fmt.Errorf("up: --script %s: %w", o.script, err))
		}
		script = b
	}
	l, err := launcher.New(cfg)
	if err != nil {
		return withExitCode(chaos.ExitScriptError, fmt.Errorf("up: %w", err))
	}

	// First signal: graceful shutdown; second: skip the grace period.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	ctx := context.Background()
	startCtx, cancelStart := context.WithTimeout(ctx, 30*time.Second)
	err = l.Start(startCtx)
	cancelStart()
	if err != nil {
		return withExitCode(chaos.ExitScriptError, fmt.Errorf("up: %w", err))
	}
	// One runner and one recorder per launcher: --script, `zkctl do` and
	// the dashboard's keys and prompt all go through it.
	runner := newLineRunner(l, out)
	l.SetLineRunner(runner)
	fmt.Fprintf(out, "zkctl up: cluster %s in %s, control API %s (zkctl status --name %s; zkctl down --name %s)\n",
		cfg.Name, l.Dir(), l.ControlAddr(), cfg.Name, cfg.Name)
	csCtx, csCancel := context.WithTimeout(ctx, 5*time.Second)
	cs, csErr := connectString(csCtx, l)
	csCancel()
	if csErr == nil {
		via := ""
		if cfg.ProxyClients {
			via = " (client proxies)"
		}
		fmt.Fprintf(out, "zkctl up: clients connect to %s%s\n", cs, via)
	}

	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	scriptDone := make(chan error, 1)
	if script != nil {
		go func() { scriptDone <- runner.RunScript(runCtx, l, o.script, script, out) }()
	}

	interactive := !o.headless && isatty.IsTerminal(os.Stdout.Fd()) && isatty.IsTerminal(os.Stdin.Fd())
	if !o.headless && !interactive && script == nil {
		fmt.Fprintln(out, "zkctl up: no terminal on stdin/stdout, running headless (one line per event)")
	}
	pr := &eventPrinter{l: l, out: out}
	viewDone := make(chan error, 1)
	go func() {
		if interactive && script == nil {
			viewDone <- runDashboard(runCtx, l, pr, configFileFlag(cmd))
			return
		}
		viewDone <- pr.run(runCtx)
	}()
	viewRunning := true

	var result error
	scriptResult := func(err error) {
		if err != nil {
			result = withExitCode(chaos.ExitCode(err), fmt.Errorf("up: script %s: %w", o.script, err))
		} else {
			fmt.Fprintf(out, "zkctl up: script %s passed\n", o.script)
		}
	}
	scriptRunning, killNow := script != nil, false
	select {
	case <-sigs:
		fmt.Fprintln(out, "zkctl up: stopping servers (Ctrl-C again to kill them at once)")
	case <-l.DownRequested():
		fmt.Fprintln(out, "zkctl up: down requested, stopping servers")
	case err := <-scriptDone:
		scriptRunning = false
		scriptResult(err)
	case err := <-viewDone:
		viewRunning = false
		result = err
	}
	stopRun()
	if scriptRunning {
		// An interrupted script still heals and prints its summary (bounded
		// by the runner's own 30 s clean-up); it did not pass: exit 2.
		select {
		case err := <-scriptDone:
			if err == nil {
				err = errors.New("interrupted")
			}
			scriptResult(err)
		case <-time.After(45 * time.Second):
			result = withExitCode(chaos.ExitScriptError, fmt.Errorf("up: script %s: interrupted and still cleaning up after 45s", o.script))
		case <-sigs:
			result = withExitCode(chaos.ExitScriptError, fmt.Errorf("up: script %s: interrupted twice", o.script))
			killNow = true
		}
	}
	if viewRunning {
		<-viewDone
	}

	downCtx, force := context.WithCancel(ctx)
	defer force()
	if killNow {
		fmt.Fprintln(out, "zkctl up: killing servers now")
		force()
	}
	go func() {
		select {
		case <-sigs:
			fmt.Fprintln(out, "zkctl up: killing servers now")
			force()
		case <-downCtx.Done():
		}
	}()
	// Stop the workload (if one runs) before its servers go away.
	if err := runner.Close(); err != nil {
		fmt.Fprintf(out, "zkctl up: chaos runner: %v\n", err)
	}
	if err := l.Shutdown(downCtx); err != nil {
		result = errors.Join(result, fmt.Errorf("up: shutdown: %w", err))
	}
	// Print what is left of the event stream (exits, "down").
	pr.flush()
	return result
}

// connectString lists the addresses clients are given, comma-separated in
// node order: the client proxies with --proxy-clients.
func connectString(ctx context.Context, c launcher.Controller) (string, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("connect string: %w", err)
	}
	addrs := make([]string, 0, len(st.Nodes))
	for _, n := range st.Nodes {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", n.ClientPort))
	}
	return strings.Join(addrs, ","), nil
}

// newLineRunner returns the launcher's one chaos-language runner: it
// serves `POST /run` (zkctl do, the dashboard) and --script, records every
// action in <dir>/<name>/sessions/ and the workload history in
// <dir>/<name>/history/.
func newLineRunner(l *launcher.Launcher, out io.Writer) *chaos.Runner {
	return chaos.NewRunner(l, chaos.RunnerConfig{Out: out, Source: launcher.SourceDo,
		ClusterDir: l.Dir(), Recorder: chaos.NewRecorder(l.Dir())})
}

// runDashboard runs the Bubble Tea dashboard over the launcher until the
// user quits; see runTUI.
func runDashboard(ctx context.Context, l *launcher.Launcher, pr *eventPrinter, configFile string) error {
	return runTUI(ctx, l, pr, dashboardOptions{configFile: configFile})
}

// eventPrinter prints one plain line per launcher event.
type eventPrinter struct {
	l   *launcher.Launcher
	out io.Writer
	seq uint64 // last event printed
}

// run prints events until ctx ends.
func (p *eventPrinter) run(ctx context.Context) error {
	for ctx.Err() == nil {
		evs, _ := p.l.Events(ctx, p.seq, time.Second)
		p.print(evs)
	}
	return nil
}

// flush prints the events recorded since run stopped; call it only after
// run has returned.
func (p *eventPrinter) flush() {
	evs, _ := p.l.Events(context.Background(), p.seq, 0)
	p.print(evs)
}

func (p *eventPrinter) print(evs []launcher.Event) {
	for _, e := range evs {
		fmt.Fprintln(p.out, e.String())
		p.seq = e.Seq
	}
}
