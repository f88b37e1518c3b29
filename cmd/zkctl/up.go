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
	noMessages   bool
	cpuProfile   string
	grace        time.Duration
	seed         int64
	impl         implOptions
}

func newUpCommand() *cobra.Command {
	var o upOptions
	cmd := &cobra.Command{
		Use:   "up [N]",
		Short: "Run a local ensemble of N zkctl or Apache ZooKeeper servers (default 3) and break it on purpose",
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
	f.BoolVar(&o.noMessages, "no-messages", false, "proxies forward bytes without decoding messages: no zkctl trace, stepping or message faults (for measuring their cost)")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write the launcher's CPU profile (go tool pprof) to this file until it stops")
	f.BoolVar(&o.proxyClients, "proxy-clients", false, "give clients a proxy in front of every client port, so isolate/slow/reject/heal of a node also hit its clients")
	f.DurationVar(&o.grace, "grace", 5*time.Second, "how long a stop waits after SIGTERM before SIGKILL")
	f.Int64Var(&o.seed, "seed", 1, "seed of the link proxies' jitter")
	f.StringVar(&o.impl.impl, "impl", "", "server implementation: zkctl or apache for all, or one per server (zkctl,zkctl,apache); default zkctl")
	f.IntVar(&o.impl.apache, "apache", 0, "run the last N servers as Apache ZooKeeper, the others as zkctl")
	f.StringVar(&o.impl.home, "zookeeper-home", "", "unpacked apache-zookeeper-3.x.y-bin release for Apache servers (default: Debian's zookeeper package)")
	f.StringVar(&o.impl.jvmFlags, "jvm-flags", "", "extra JVM flags for Apache servers, e.g. \"-Xmx512m\" (default heap 256 MB)")
	return cmd
}

// runUp is `zkctl up`: start the cluster, serve until a signal, `zkctl
// down`, the script or the dashboard ends it, drain what still runs, then
// stop the servers.
func runUp(cmd *cobra.Command, args []string, o upOptions) error {
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	cfg, script, err := upConfig(cmd, args, o)
	if err != nil {
		return err
	}
	u, err := startUp(cmd.OutOrStdout(), cfg, o.script, script)
	if err != nil {
		return err
	}
	defer signal.Stop(u.sigs)
	u.serve(configFileFlag(cmd), !o.headless)
	u.drain()
	return u.stop()
}

// upConfig turns the arguments and flags into the launcher's configuration
// and reads --script; a script that does not parse starts nothing.
func upConfig(cmd *cobra.Command, args []string, o upOptions) (launcher.Config, []byte, error) {
	voters := 3
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 || n > launcher.MaxNodes {
			return launcher.Config{}, nil, withExitCode(chaos.ExitScriptError, fmt.Errorf("up: %q servers: want a number from 1 to %d", args[0], launcher.MaxNodes))
		}
		voters = n
	}
	if o.tick%time.Millisecond != 0 {
		return launcher.Config{}, nil, withExitCode(chaos.ExitScriptError, fmt.Errorf("up: --tick %v: want whole milliseconds", o.tick))
	}
	cfg := launcher.DefaultConfig()
	cfg.Name, cfg.Dir, cfg.Voters, cfg.Observers = o.name, o.dir, voters, o.observers
	cfg.BasePort, cfg.Clean, cfg.TickMs, cfg.Overrides = o.basePort, o.clean, int(o.tick/time.Millisecond), o.set
	cfg.ProxyClients, cfg.Grace, cfg.Seed = o.proxyClients, o.grace, o.seed
	cfg.NoMessages = o.noMessages
	impls, err := o.impl.impls(voters + max(o.observers, 0))
	if err != nil {
		return launcher.Config{}, nil, withExitCode(chaos.ExitScriptError, fmt.Errorf("up: %w", err))
	}
	cfg.Impls, cfg.ResolveImpl = impls, o.impl.resolve
	// The launcher logs to stderr only when something is wrong; events go to stdout.
	cfg.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	if o.script == "" {
		return cfg, nil, nil
	}
	script, err := os.ReadFile(o.script)
	if err != nil {
		return launcher.Config{}, nil, withExitCode(chaos.ExitScriptError, fmt.Errorf("up: --script: %w", err))
	}
	if _, err := chaos.Parse(string(script)); err != nil {
		return launcher.Config{}, nil, withExitCode(chaos.ExitScriptError, fmt.Errorf("up: --script %s: %w", o.script, err))
	}
	return cfg, script, nil
}

// upSession is one `zkctl up` from a started cluster to its shutdown.
type upSession struct {
	l          *launcher.Launcher
	runner     *chaos.Runner // the one chaos runner: --script, `zkctl do`, the dashboard
	pr         *eventPrinter
	out        io.Writer
	sigs       chan os.Signal // SIGINT/SIGTERM: the first stops, the second kills
	scriptPath string
	script     []byte // nil without --script

	stopRun       context.CancelFunc // ends the script and the view
	scriptDone    chan error
	viewDone      chan error
	scriptRunning bool  // scriptDone has not been received from
	viewRunning   bool  // viewDone has not been received from
	killNow       bool  // a second signal came while draining: skip the grace period
	result        error // what runUp returns
}

// startUp starts the cluster and its chaos runner. From here on the first
// SIGINT or SIGTERM stops the cluster gracefully and a second one skips the
// grace period; the caller calls signal.Stop(u.sigs).
func startUp(out io.Writer, cfg launcher.Config, scriptPath string, script []byte) (*upSession, error) {
	l, err := launcher.New(cfg)
	if err != nil {
		return nil, withExitCode(chaos.ExitScriptError, fmt.Errorf("up: %w", err))
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	startCtx, cancelStart := context.WithTimeout(context.Background(), 30*time.Second)
	err = l.Start(startCtx)
	cancelStart()
	if err != nil {
		signal.Stop(sigs)
		return nil, withExitCode(chaos.ExitScriptError, fmt.Errorf("up: %w", err))
	}
	u := &upSession{l: l, runner: newLineRunner(l, out), pr: &eventPrinter{l: l, out: out}, out: out, sigs: sigs,
		scriptPath: scriptPath, script: script}
	l.SetLineRunner(u.runner)
	u.announce(cfg)
	return u, nil
}

// announce tells the user where the cluster lives and how clients reach it.
func (u *upSession) announce(cfg launcher.Config) {
	fmt.Fprintf(u.out, "zkctl up: cluster %s in %s, control API %s (zkctl status --name %s; zkctl down --name %s)\n",
		cfg.Name, u.l.Dir(), u.l.ControlAddr(), cfg.Name, cfg.Name)
	if impls := implSummary(cfg.Impls); impls != "" {
		fmt.Fprintf(u.out, "zkctl up: servers %s\n", impls)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	cs, err := connectString(ctx, u.l)
	cancel()
	if err != nil {
		return
	}
	via := ""
	if cfg.ProxyClients {
		via = " (client proxies)"
	}
	fmt.Fprintf(u.out, "zkctl up: clients connect to %s%s\n", cs, via)
}

// serve runs the script (if any) and the view (the dashboard on a terminal
// unless headless or scripted, else one line per event) until a signal,
// `zkctl down`, the script's end or the view's end.
func (u *upSession) serve(configFile string, wantDashboard bool) {
	runCtx, stopRun := context.WithCancel(context.Background())
	u.stopRun = stopRun
	u.scriptDone, u.viewDone = make(chan error, 1), make(chan error, 1)
	if u.script != nil {
		u.scriptRunning = true
		go func() { u.scriptDone <- u.runner.RunScript(runCtx, u.l, u.scriptPath, u.script, u.out) }()
	}
	interactive := wantDashboard && isatty.IsTerminal(os.Stdout.Fd()) && isatty.IsTerminal(os.Stdin.Fd())
	if wantDashboard && !interactive && u.script == nil {
		fmt.Fprintln(u.out, "zkctl up: no terminal on stdin/stdout, running headless (one line per event)")
	}
	u.viewRunning = true
	go func() {
		if interactive && u.script == nil {
			u.viewDone <- runDashboard(runCtx, u.l, u.pr, configFile)
			return
		}
		u.viewDone <- u.pr.run(runCtx)
	}()
	select {
	case <-u.sigs:
		fmt.Fprintln(u.out, "zkctl up: stopping servers (Ctrl-C again to kill them at once)")
	case <-u.l.DownRequested():
		fmt.Fprintln(u.out, "zkctl up: down requested, stopping servers")
	case err := <-u.scriptDone:
		u.scriptRunning = false
		u.scriptResult(err)
	case err := <-u.viewDone:
		u.viewRunning = false
		u.result = err
	}
}

// drain ends the script and the view and waits for them. An interrupted
// script still heals and prints its summary (bounded by the runner's own
// 30 s clean-up) and counts as failed: exit 2.
func (u *upSession) drain() {
	u.stopRun()
	if u.scriptRunning {
		select {
		case err := <-u.scriptDone:
			if err == nil {
				err = errors.New("interrupted")
			}
			u.scriptResult(err)
		case <-time.After(45 * time.Second):
			u.result = withExitCode(chaos.ExitScriptError, fmt.Errorf("up: script %s: interrupted and still cleaning up after 45s", u.scriptPath))
		case <-u.sigs:
			u.result = withExitCode(chaos.ExitScriptError, fmt.Errorf("up: script %s: interrupted twice", u.scriptPath))
			u.killNow = true
		}
	}
	if u.viewRunning {
		<-u.viewDone
	}
}

// scriptResult records the script's outcome as runUp's result.
func (u *upSession) scriptResult(err error) {
	if err != nil {
		u.result = withExitCode(chaos.ExitCode(err), fmt.Errorf("up: script %s: %w", u.scriptPath, err))
	} else {
		fmt.Fprintf(u.out, "zkctl up: script %s passed\n", u.scriptPath)
	}
}

// stop closes the chaos runner, then shuts the servers down (SIGTERM, grace,
// SIGKILL; a signal now skips the grace period) and prints the last events.
func (u *upSession) stop() error {
	downCtx, force := context.WithCancel(context.Background())
	defer force()
	if u.killNow {
		fmt.Fprintln(u.out, "zkctl up: killing servers now")
		force()
	}
	go func() {
		select {
		case <-u.sigs:
			fmt.Fprintln(u.out, "zkctl up: killing servers now")
			force()
		case <-downCtx.Done():
		}
	}()
	// Stop the workload (if one runs) before its servers go away.
	if err := u.runner.Close(); err != nil {
		fmt.Fprintf(u.out, "zkctl up: chaos runner: %v\n", err)
	}
	result := u.result
	if err := u.l.Shutdown(downCtx); err != nil {
		result = errors.Join(result, fmt.Errorf("up: shutdown: %w", err))
	}
	// Print what is left of the event stream (exits, "down").
	u.pr.flush()
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
