package bench_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/zkctl/zkctl/bench"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/tui"
)

// dashServers starts five standalone zkctl servers with their admin ports
// (the dashboard polls /commands/peer and /commands/events on each) and
// returns the admin addresses. A standalone server answers the same two
// endpoints as an ensemble member, minus the learner rows.
func dashServers(t *testing.T) []string {
	t.Helper()
	if _, err := zkproc.BuildE(); err != nil {
		t.Skipf("zkctl does not build: %v", err)
	}
	var admins []string
	for range 5 {
		insts, err := zkproc.Start(t, zkproc.ZkctlLauncher(), 1, zkproc.Options{NoFsync: true})
		if err != nil {
			t.Fatal(err)
		}
		admins = append(admins, insts[0].AdminAddr())
	}
	return admins
}

func selfCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestDashboard_CPU runs the dashboard's real model (tui.New) in a
// tea.Program inside this test process, polling five servers at 4 Hz for
// ZKCTL_BENCH_DASH_DURATION (default 30s), once with the standard renderer
// writing to /dev/null at 160x48 and once without a renderer, and reports
// this process's CPU time (getrusage RUSAGE_SELF: the servers are child
// processes and not counted) as % of one core.
//
//	ZKCTL_BENCH=1 go test -run TestDashboard_CPU -v -timeout 10m ./bench
func TestDashboard_CPU(t *testing.T) {
	requireBench(t)
	dur := envDuration(t, "ZKCTL_BENCH_DASH_DURATION", 30*time.Second)
	admins := dashServers(t)
	type row struct {
		name string
		cpu  time.Duration
		wall time.Duration
	}
	var rows []row
	for _, variant := range []string{"renderer->/dev/null", "no renderer"} {
		cfg := tui.DefaultConfig()
		cfg.Name = "bench"
		cfg.Every = 250 * time.Millisecond
		for i, a := range admins {
			cfg.Targets = append(cfg.Targets, tui.Target{ID: i + 1, Admin: a})
		}
		m, err := tui.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		opts := []tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(devnull), tea.WithoutSignalHandler()}
		if variant == "no renderer" {
			opts = append(opts, tea.WithoutRenderer())
		} else {
			opts = append(opts, tea.WithAltScreen())
		}
		p := tea.NewProgram(m, opts...)
		go func() {
			p.Send(tea.WindowSizeMsg{Width: 160, Height: 48})
			time.Sleep(dur)
			p.Quit()
		}()
		c0, w0 := selfCPU(t), time.Now()
		final, err := p.Run()
		c1, w1 := selfCPU(t), time.Now()
		devnull.Close()
		if err != nil {
			t.Fatalf("%s: %v", variant, err)
		}
		view := final.(tui.Model).View()
		if !strings.Contains(strings.ToUpper(view), "STANDALONE") && !strings.Contains(view, "STD") {
			t.Errorf("%s: the dashboard never showed a server state, so it did not poll; final view:\n%s", variant, view)
		}
		rows = append(rows, row{variant, c1 - c0, w1.Sub(w0)})
		t.Logf("%s: %v CPU in %v", variant, (c1 - c0).Round(time.Millisecond), w1.Sub(w0).Round(time.Millisecond))
	}
	fmt.Printf("\ndashboard model polling 5 servers at 4 Hz (/commands/peer + /commands/events each), in-process\n")
	fmt.Printf("%-22s %10s %10s %12s\n", "variant", "wall s", "cpu s", "% of 1 core")
	for _, r := range rows {
		fmt.Printf("%-22s %10.1f %10.2f %12.2f\n", r.name, r.wall.Seconds(), r.cpu.Seconds(), 100*r.cpu.Seconds()/r.wall.Seconds())
	}
}

// tmux runs one tmux command on the test's private server socket.
func tmux(t *testing.T, sock string, args ...string) string {
	t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// TestDashboard_TmuxTop runs `zkctl top` against five servers in a detached
// 160x48 tmux session (its own socket), measures the zkctl top process's CPU
// from /proc/<pid>/stat over ZKCTL_BENCH_DASH_DURATION (default 30s), then
// the keypress-to-screen latency: `?` is sent with send-keys and
// capture-pane is polled every 2 ms until the help screen appears (and again
// until it closes), ZKCTL_BENCH_KEYS times (default 20). The latency includes
// tmux's own send-keys and capture-pane round trips.
//
//	ZKCTL_BENCH=1 go test -run TestDashboard_TmuxTop -v -timeout 10m ./bench
func TestDashboard_TmuxTop(t *testing.T) {
	requireBench(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	dur := envDuration(t, "ZKCTL_BENCH_DASH_DURATION", 30*time.Second)
	presses := envInt(t, "ZKCTL_BENCH_KEYS", 20)
	admins := dashServers(t)
	bin, _ := zkproc.BuildE()
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	cmd := fmt.Sprintf("exec %s top --servers %s --every 250ms", bin, strings.Join(admins, ","))
	tmux(t, sock, "-f", os.DevNull, "new-session", "-d", "-x", "160", "-y", "48", "-s", "bench", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", sock, "kill-server").Run() })
	pid, err := strconv.Atoi(strings.TrimSpace(tmux(t, sock, "list-panes", "-t", "bench", "-F", "#{pane_pid}")))
	if err != nil {
		t.Fatalf("pane pid: %v", err)
	}
	capture := func() string { return tmux(t, sock, "capture-pane", "-p", "-t", "bench") }
	// Wait for the table with every server's state.
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(strings.ToUpper(capture()), "STANDALONE") {
		if time.Now().After(deadline) {
			t.Fatalf("zkctl top shows no server state after 15 s:\n%s", capture())
		}
		time.Sleep(50 * time.Millisecond)
	}
	c0, err := bench.ProcCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	w0 := time.Now()
	time.Sleep(dur)
	c1, err := bench.ProcCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Since(w0)
	rss, _ := bench.RSSKiB(pid)

	const marker = "any key closes this help"
	var open, closeLat []time.Duration
	wait := func(want bool) (time.Duration, error) {
		start := time.Now()
		tmux(t, sock, "send-keys", "-t", "bench", "?")
		for time.Since(start) < 5*time.Second {
			if strings.Contains(capture(), marker) == want {
				return time.Since(start), nil
			}
			time.Sleep(2 * time.Millisecond)
		}
		return 0, fmt.Errorf("help shown=%v not reached 5 s after the key:\n%s", want, capture())
	}
	for range presses {
		d, err := wait(true)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, d)
		d, err = wait(false)
		if err != nil {
			t.Fatal(err)
		}
		closeLat = append(closeLat, d)
		time.Sleep(100 * time.Millisecond)
	}
	// Baseline: the same send-keys + capture-pane round trip with no
	// dashboard work (capture returns at once).
	var base []time.Duration
	for range presses {
		s := time.Now()
		capture()
		base = append(base, time.Since(s))
	}
	fmt.Printf("\nzkctl top under tmux (160x48), 5 servers polled at 4 Hz\n")
	fmt.Printf("CPU of zkctl top: %.2f s in %.1f s = %.2f%% of one core; RSS %s MiB\n", c1.Seconds()-c0.Seconds(), wall.Seconds(),
		100*(c1-c0).Seconds()/wall.Seconds(), mib(rss))
	fmt.Printf("keypress -> screen (? opens help): median %.1f ms, samples %s\n", ms(bench.Median(open)), joinMsF(open))
	fmt.Printf("keypress -> screen (? closes help): median %.1f ms\n", ms(bench.Median(closeLat)))
	fmt.Printf("one capture-pane round trip (measurement floor): median %.1f ms\n", ms(bench.Median(base)))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func joinMsF(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.1f", ms(d))
	}
	return strings.Join(parts, " ")
}
