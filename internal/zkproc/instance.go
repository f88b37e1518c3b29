package zkproc

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/proc"
)

// Process is one run of a server; tests signal it by pid (never by name).
type Process = proc.Process

// StartProcess starts bin with args and env (appended to os.Environ) in dir,
// appending stdout and stderr to logPath; see proc.Start.
func StartProcess(bin string, args, env []string, dir, logPath string) (*Process, error) {
	return proc.Start(proc.Spec{Argv: append([]string{bin}, args...), Env: env, Dir: dir, LogPath: logPath})
}

// Launcher says how to run one implementation given a zoo.cfg path.
type Launcher struct {
	// Kind labels instances in test output: "apache" or "zkctl".
	Kind string
	// Command returns the program, its arguments and extra environment for a
	// server whose config is cfgPath and whose private directory is dir.
	Command func(cfgPath, dir string) (bin string, args, env []string, err error)
}

// Instance is one server process started by a test. It implements Target.
type Instance struct {
	t        testing.TB
	launcher Launcher
	name     string
	dir      string // holds zoo.cfg and server.log
	cfgPath  string
	logPath  string
	dataDir  string
	member   Member
	opts     Options
	ensemble bool

	mu   sync.Mutex
	proc *Process
}

var _ Target = (*Instance)(nil)

// Name implements Target.
func (s *Instance) Name() string { return s.name }

// ClientAddr implements Target.
func (s *Instance) ClientAddr() string { return "127.0.0.1:" + strconv.Itoa(s.member.ClientPort) }

// AdminAddr implements Target.
func (s *Instance) AdminAddr() string {
	if s.member.AdminPort == 0 {
		return ""
	}
	return "127.0.0.1:" + strconv.Itoa(s.member.AdminPort)
}

// ID is the server's myid (1 for a standalone server).
func (s *Instance) ID() int { return s.member.ID }

// Member returns the ports of this server.
func (s *Instance) Member() Member { return s.member }

// DataDir implements Target.
func (s *Instance) DataDir() string { return s.dataDir }

// ConfigPath is the zoo.cfg this server was started with.
func (s *Instance) ConfigPath() string { return s.cfgPath }

// LogPath is the file holding the server's stdout and stderr.
func (s *Instance) LogPath() string { return s.logPath }

// Process returns the current process, or nil before the first start.
func (s *Instance) Process() *Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc
}

// Pid implements Target.
func (s *Instance) Pid() int {
	p := s.Process()
	if p == nil || !p.Running() {
		return 0
	}
	return p.Pid()
}

// Log implements Target.
func (s *Instance) Log() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// Kill9 implements Target.
func (s *Instance) Kill9() {
	s.t.Helper()
	if p := s.Process(); p != nil {
		if err := p.Kill9(); err != nil {
			s.t.Errorf("%s: kill -9: %v", s.name, err)
		}
	}
}

// Stop implements Target.
func (s *Instance) Stop() {
	s.t.Helper()
	if p := s.Process(); p != nil {
		if err := p.Stop(10 * time.Second); err != nil {
			s.t.Errorf("%s: stop: %v", s.name, err)
		}
	}
}

// Restart implements Target.
func (s *Instance) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.t.Fatal(err)
	}
	if err := s.WaitServing(s.opts.startTimeout()); err != nil {
		s.t.Fatal(err)
	}
}

// Srvr returns the server's answer to srvr.
func (s *Instance) Srvr() (string, error) { return FourLetter(s.ClientAddr(), "srvr", 5*time.Second) }

// Mode returns the Mode line of srvr ("standalone", "leader", ...) or "" when
// the server does not answer or does not serve.
func (s *Instance) Mode() string {
	out, err := s.Srvr()
	if err != nil {
		return ""
	}
	return ParseMode(out)
}

// WaitServing polls srvr until it shows a Mode line (in an ensemble: leader,
// follower or observer), the process exits, or timeout passes.
func (s *Instance) WaitServing(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	p := s.Process()
	for {
		mode := s.Mode()
		if mode != "" && (!s.ensemble || mode == "leader" || mode == "follower" || mode == "observer") {
			slog.Debug("server serving", "name", s.name, "addr", s.ClientAddr(), "mode", mode, "pid", p.Pid())
			return nil
		}
		if p == nil || !p.Running() {
			var exit error
			if p != nil {
				exit = p.ExitErr()
			}
			return fmt.Errorf("zkproc: %s exited before serving (%v); log tail:\n%s", s.name, exit, tail(s.Log(), 40))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("zkproc: %s not serving on %s after %v; log tail:\n%s", s.name, s.ClientAddr(), timeout, tail(s.Log(), 40))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Instance) start() error {
	bin, args, env, err := s.launcher.Command(s.cfgPath, s.dir)
	if err != nil {
		return fmt.Errorf("zkproc: %s: %w", s.name, err)
	}
	p, err := StartProcess(bin, args, env, s.dir, s.logPath)
	if err != nil {
		return fmt.Errorf("zkproc: %s: %w", s.name, err)
	}
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	slog.Debug("server started", "name", s.name, "pid", p.Pid(), "client", s.ClientAddr(), "cfg", s.cfgPath)
	return nil
}

// Start writes configs for n servers (n == 1: standalone) under t.TempDir(),
// starts them with l, and waits until each serves. It registers a cleanup
// that kills every process by pid and, when the test failed, logs each
// server's log tail. On error the already started processes are killed.
func Start(t testing.TB, l Launcher, n int, o Options) ([]*Instance, error) {
	t.Helper()
	if n < 1 {
		return nil, fmt.Errorf("zkproc: need at least one server, got %d", n)
	}
	ls := make([]Launcher, n)
	for i := range ls {
		ls[i] = l
	}
	return StartMixed(t, ls, o)
}

// StartMixed is Start with one launcher per server, for ensembles that mix
// implementations (server i+1 runs with ls[i]); names are "<kind>-<myid>".
func StartMixed(t testing.TB, ls []Launcher, o Options) ([]*Instance, error) {
	t.Helper()
	n := len(ls)
	if n < 1 {
		return nil, fmt.Errorf("zkproc: need at least one server, got %d", n)
	}
	perServer := 4
	ports, err := FreePorts(n * perServer)
	if err != nil {
		return nil, err
	}
	members := make([]Member, n)
	for i := range members {
		p := ports[i*perServer:]
		members[i] = Member{ID: i + 1, ClientPort: p[0], QuorumPort: p[1], ElectionPort: p[2], AdminPort: p[3],
			Observer: n > 1 && i >= n-o.Observers}
		if o.NoAdmin {
			members[i].AdminPort = 0
		}
	}
	root := t.TempDir()
	insts := make([]*Instance, n)
	for i, m := range members {
		l := ls[i]
		dir := filepath.Join(root, fmt.Sprintf("%s-%d", l.Kind, m.ID))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("zkproc: %w", err)
		}
		name := l.Kind
		if n > 1 {
			name = fmt.Sprintf("%s-%d", l.Kind, m.ID)
		}
		s := &Instance{t: t, launcher: l, name: name, dir: dir, cfgPath: filepath.Join(dir, "zoo.cfg"),
			logPath: filepath.Join(dir, "server.log"), dataDir: filepath.Join(dir, "data"), member: m, opts: o, ensemble: n > 1}
		if err := WriteConfig(s.cfgPath, Config(o, s.dataDir, m, members), m.ID); err != nil {
			return nil, err
		}
		insts[i] = s
	}
	t.Cleanup(func() {
		for _, s := range insts {
			if p := s.Process(); p != nil {
				_ = p.Kill9()
			}
			if t.Failed() && s.Process() != nil {
				t.Logf("%s log tail (%s):\n%s", s.name, s.logPath, tail(s.Log(), 60))
			}
		}
	})
	for _, s := range insts {
		if err := s.start(); err != nil {
			killAll(insts)
			return nil, err
		}
	}
	if o.NoWait {
		return insts, nil
	}
	for _, s := range insts {
		if err := s.WaitServing(o.startTimeout()); err != nil {
			killAll(insts)
			return nil, err
		}
	}
	return insts, nil
}

func killAll(insts []*Instance) {
	for _, s := range insts {
		if p := s.Process(); p != nil {
			_ = p.Kill9()
		}
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
