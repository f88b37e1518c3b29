package tests

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// roKazoo drives testdata/kazoo_readonly.py one command at a time.
type roKazoo struct {
	t     *testing.T
	in    io.WriteCloser
	lines chan string
	out   *lockedBuffer
}

func startROKazoo(t *testing.T, py, hosts string) *roKazoo {
	t.Helper()
	cmd := exec.Command(py, "testdata/kazoo_readonly.py", hosts)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	k := &roKazoo{t: t, in: in, lines: make(chan string, 16), out: &lockedBuffer{}}
	cmd.Stderr = k.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			k.lines <- sc.Text()
		}
		close(k.lines)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // by pid: only the process this test started
		<-done
		_ = cmd.Wait()
	})
	return k
}

// do sends one command and returns its answer line.
func (k *roKazoo) do(cmd string) string {
	k.t.Helper()
	if _, err := fmt.Fprintln(k.in, cmd); err != nil {
		k.t.Fatalf("kazoo %q: %v\nstderr:\n%s", cmd, err, k.out.String())
	}
	select {
	case l, ok := <-k.lines:
		if !ok {
			k.t.Fatalf("kazoo %q: script ended\nstderr:\n%s", cmd, k.out.String())
		}
		return l
	case <-time.After(90 * time.Second):
		k.t.Fatalf("kazoo %q: no answer\nstderr:\n%s", cmd, k.out.String())
	}
	return ""
}

// waitFourLetter polls a four-letter word until pred holds; it returns the
// last answer and how long it took.
func waitFourLetter(addr, word string, pred func(string) bool, d time.Duration) (string, time.Duration) {
	start := time.Now()
	var out string
	for time.Since(start) < d {
		out, _ = zkproc.FourLetter(addr, word, 2*time.Second)
		out = strings.TrimSpace(out)
		if pred(out) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return out, time.Since(start)
}

// zkCliSessionID matches the session id zkCli.sh prints, which differs
// between runs.
var zkCliSessionID = regexp.MustCompile(`0x[0-9a-f]{6,}`)

// runZkCliReadOnly pipes script into `zkCli.sh -r -server addr` (a
// read-only client) and returns its lines as runZkCliScript does, with
// session ids, which differ between runs, masked.
func runZkCliReadOnly(t *testing.T, addr string, script []string) []string {
	t.Helper()
	lines := runZkCliScript(t, addr, script, "-r")
	for i, l := range lines {
		lines[i] = zkCliSessionID.ReplaceAllString(l, "0x…")
	}
	return lines
}

// readOnlyEnsemble starts a 3-server ensemble of kind with read-only mode
// and local sessions on: Apache through -Dreadonlymode.enabled=true on the
// JVM command line, zkctl through the zoo.cfg key.
func readOnlyEnsemble(t *testing.T, kind string) []*zkproc.Instance {
	t.Helper()
	return readOnlyEnsembleWith(t, kind, true, true)
}

// readOnlyEnsembleWith is readOnlyEnsemble with read-only mode and local
// sessions each on or off.
func readOnlyEnsembleWith(t *testing.T, kind string, readOnly, localSessions bool) []*zkproc.Instance {
	t.Helper()
	o := zkproc.Options{NoFsync: true, NoAdmin: true, Extra: map[string]string{
		"localSessionsEnabled": fmt.Sprint(localSessions),
		// 3.8's default whitelist: srvr, plus isro when read-only mode is on.
		"4lw.commands.whitelist": "srvr",
	}}
	var l zkproc.Launcher
	switch kind {
	case "apache":
		oracle.RequireOrSkip(t)
		l = oracle.Launcher()
		command := l.Command
		l.Command = func(cfg, dir string) (string, []string, []string, error) {
			bin, args, env, err := command(cfg, dir)
			return bin, append([]string{"-Dreadonlymode.enabled=" + fmt.Sprint(readOnly)}, args...), env, err
		}
	default:
		zkproc.Build(t)
		l = zkproc.ZkctlLauncher()
		o.Extra["readonlymode.enabled"] = fmt.Sprint(readOnly)
	}
	srvs, err := zkproc.Start(t, l, 3, o)
	if err != nil {
		t.Fatal(err)
	}
	waitOneLeader(t, srvs)
	return srvs
}

// readOnlyScenario writes a node, stops two of three servers, works
// against the survivor with a read-only kazoo client, restarts the two and
// waits for the client's writes to succeed again. It returns the
// transcript (client answers and four-letter words).
func readOnlyScenario(t *testing.T, py, kind string) []string {
	srvs := readOnlyEnsemble(t, kind)
	survivor := srvs[0]
	var hosts []string
	for _, s := range srvs {
		hosts = append(hosts, s.ClientAddr())
	}
	var tr []string
	say := func(l string) { tr = append(tr, l) }
	isro, _ := zkproc.FourLetter(survivor.ClientAddr(), "isro", 2*time.Second)
	say("isro " + isro)

	k := startROKazoo(t, py, strings.Join(hosts, ","))
	say(k.do("connect false"))
	say(k.do("create /ro before"))
	say(k.do("create /ro/c1 x"))
	say(k.do("stop"))

	stopped := time.Now()
	srvs[1].Stop()
	srvs[2].Stop()
	out, took := waitFourLetter(survivor.ClientAddr(), "isro", func(s string) bool { return s == "ro" }, 30*time.Second)
	t.Logf("%s: isro %q %v after the two stopped", kind, out, took.Round(time.Millisecond))
	say("isro " + out)
	say("mode " + survivor.Mode())

	say(k.do("connect true"))
	say(k.do("get /ro"))
	say(k.do("children /ro"))
	say(k.do("create /ro/x y"))
	say(k.do("set /ro changed"))
	say(k.do("sync /ro"))
	say(k.do("exists /ro/x"))
	say(k.do("get /ro"))
	say(k.do("tryconnect " + survivor.ClientAddr()))
	if _, err := os.Stat(zkCliPath); err == nil {
		for _, l := range runZkCliReadOnly(t, survivor.ClientAddr(), []string{"get /ro", "ls /ro", "create /ro/z v", "set /ro q", "sync /ro", "get /ro", "quit"}) {
			say("zkCli " + l)
		}
	}
	say(k.do("state"))

	restart := time.Now()
	srvs[1].Restart()
	srvs[2].Restart()
	say(k.do("waitrw /ro after 60"))
	t.Logf("%s: the client's write succeeded %v after the restart began (%v after the two stopped)", kind,
		time.Since(restart).Round(time.Millisecond), time.Since(stopped).Round(time.Millisecond))
	if d := time.Since(restart); d > 60*time.Second {
		t.Errorf("%s: writes came back after %v", kind, d)
	}
	say(k.do("get /ro"))
	say(k.do("children /ro"))
	say(k.do("exists /ro/x"))
	out, _ = waitFourLetter(survivor.ClientAddr(), "isro", func(s string) bool { return s == "rw" }, 30*time.Second)
	say("isro " + out)
	say(k.do("stop"))
	return tr
}

// TestReadOnly_Differential is read-only mode (docs/readonly.md) on a
// 3-server Apache 3.8 ensemble and a 3-server zkctl ensemble, both with
// readonlymode.enabled and localSessionsEnabled: the survivor of two
// stopped servers serves a kazoo read_only=True client (reads of what was
// written before, writes and sync refused with NotReadOnly, isro "ro",
// Mode read-only, a client without read_only refused), and once the two
// are back the client writes again. The transcripts must match.
func TestReadOnly_Differential(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two three-server ensembles")
	}
	py := kazooPython(t)
	var want []string
	t.Run("apache", func(t *testing.T) {
		want = readOnlyScenario(t, py, "apache")
		t.Logf("apache transcript:\n%s", strings.Join(want, "\n"))
	})
	t.Run("zkctl", func(t *testing.T) {
		got := readOnlyScenario(t, py, "zkctl")
		t.Logf("zkctl transcript:\n%s", strings.Join(got, "\n"))
		if want == nil {
			t.Skip("no Apache transcript to compare with")
		}
		if d := diffLines("apache", want, "zkctl", got); d != "" {
			t.Errorf("read-only transcripts differ:\n%s", d)
		}
	})
}

// TestReadOnly_Refusals_Differential compares what a read-only kazoo
// client gets from the survivor of a 3-server ensemble when read-only mode
// cannot serve it: with readonlymode.enabled but no localSessionsEnabled
// (3.8 answers the createSession NotReadOnly, so the client never
// connects although isro says ro), and without readonlymode.enabled
// (nothing serves; with 3.8's default whitelist isro is not even
// answered, since only read-only mode adds it).
func TestReadOnly_Refusals_Differential(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four three-server ensembles")
	}
	py := kazooPython(t)
	run := func(t *testing.T, kind string) []string {
		var tr []string
		for _, c := range []struct {
			name                    string
			readOnly, localSessions bool
		}{{"no-local-sessions", true, false}, {"disabled", false, true}} {
			srvs := readOnlyEnsembleWith(t, kind, c.readOnly, c.localSessions)
			survivor := srvs[0]
			srvs[1].Stop()
			srvs[2].Stop()
			var out string
			if c.readOnly {
				out, _ = waitFourLetter(survivor.ClientAddr(), "isro", func(s string) bool { return s == "ro" }, 30*time.Second)
			} else {
				time.Sleep(4 * time.Second) // past 3.8's 2 s grace period
				out, _ = zkproc.FourLetter(survivor.ClientAddr(), "isro", 2*time.Second)
			}
			tr = append(tr, c.name+" isro "+strings.TrimSpace(out))
			k := startROKazoo(t, py, survivor.ClientAddr())
			tr = append(tr, c.name+" "+k.do("tryconnect "+survivor.ClientAddr()+" ro"))
			tr = append(tr, c.name+" "+k.do("tryconnect "+survivor.ClientAddr()))
		}
		t.Logf("%s transcript:\n%s", kind, strings.Join(tr, "\n"))
		return tr
	}
	var want []string
	t.Run("apache", func(t *testing.T) { want = run(t, "apache") })
	t.Run("zkctl", func(t *testing.T) {
		got := run(t, "zkctl")
		if want == nil {
			t.Skip("no Apache transcript to compare with")
		}
		if d := diffLines("apache", want, "zkctl", got); d != "" {
			t.Errorf("transcripts differ:\n%s", d)
		}
	})
}
