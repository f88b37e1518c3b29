package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/zkproc"
)

// exampleTimeout bounds one example run: each script is written to finish
// well under a minute, plus start-up and shutdown.
const exampleTimeout = 3 * time.Minute

// TestChaosExamples runs every examples/*.chaos headless against a real
// 5-server cluster (issue 6): `zkctl up 5 --headless --script FILE` must
// exit 0, run its workload (operations ok > 0) and end with a passing
// linearizability check.
func TestChaosExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("real-process chaos examples: skipped with -short")
	}
	scripts, err := filepath.Glob("../examples/*.chaos")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no examples/*.chaos found: %v", err)
	}
	bin := zkproc.Build(t)
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".chaos")
		t.Run(name, func(t *testing.T) {
			abs, err := filepath.Abs(script)
			if err != nil {
				t.Fatal(err)
			}
			out, code, took := runUpScript(t, bin, 5, abs)
			t.Logf("%s: exit %d after %s", name, code, took.Round(time.Second))
			if code != 0 {
				t.Fatalf("zkctl up 5 --script %s: exit %d, want 0\n%s", script, code, out)
			}
			if !strings.Contains(out, "linearizable: yes") {
				t.Fatalf("summary does not say linearizable: yes\n%s", out)
			}
			m := regexp.MustCompile(`operations: (\d+) ok`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no operations line in the summary\n%s", out)
			}
			if ok, _ := strconv.Atoi(m[1]); ok == 0 {
				t.Fatalf("the workload completed no operation\n%s", out)
			}
			summary := out[strings.LastIndex(out, "summary (seed"):]
			t.Logf("summary:\n%s", summary[:strings.Index(summary, "result:")])
		})
	}
}

// runUpScript runs `zkctl up N --headless --script FILE` in a fresh
// directory on free ports and returns its output, exit status and duration.
func runUpScript(t *testing.T, bin string, n int, script string, extra ...string) (string, int, time.Duration) {
	t.Helper()
	args := append([]string{"up", strconv.Itoa(n), "--headless", "--script", script, "--dir", t.TempDir(),
		"--base-port", strconv.Itoa(freeBasePort(t))}, extra...)
	cmd := exec.Command(bin, args...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(exampleTimeout):
		// Stop only the process this test started, by its pid.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err = <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			err = <-done
		}
		t.Fatalf("zkctl up --script %s still running after %s\n%s", script, exampleTimeout, out.String())
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("zkctl up: %v", err)
		}
		code = ee.ExitCode()
	}
	return out.String(), code, time.Since(start)
}

// writeScript writes a chaos script into the test's temp dir.
func writeScript(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.chaos")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestChaosScriptExitStatus: `zkctl up --script` exits 0 on a pass, 1 on a
// failed expect and 2 on a script error found while running, printing the
// summary in every case.
func TestChaosScriptExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("real-process chaos test: skipped with -short")
	}
	bin := zkproc.Build(t)
	for _, tc := range []struct {
		name, src string
		code      int
		want      []string
	}{
		{"pass", "wait quorum within 30s\nexpect quorum\n", 0, []string{"expect quorum: ok", "result: pass"}},
		{"failed expect", "wait quorum within 30s\nexpect state 1 OBSERVING\nkill all\n", 1,
			[]string{"expect state 1 OBSERVING failed", "FAILED: 2:1: expect state 1 OBSERVING failed"}},
		{"unknown node at run time", "wait quorum within 30s\nkill 7\n", 2,
			[]string{"no node 7 in this cluster", "ERROR: 2:1: kill 7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code, _ := runUpScript(t, bin, 3, writeScript(t, tc.src), "--tick", "200ms")
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q\n%s", w, out)
				}
			}
			if strings.Contains(out, "action   kill 1,2,3") {
				t.Errorf("the script went on after its failure\n%s", out)
			}
		})
	}
}

// TestChaosScriptInterrupted: Ctrl-C during `zkctl up --script` lets the
// script heal and print its summary, stops every server and exits 2.
func TestChaosScriptInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("real-process chaos test: skipped with -short")
	}
	bin := zkproc.Build(t)
	script := writeScript(t, "wait quorum within 30s\nisolate leader\nwait 60s\n")
	cmd := exec.Command(bin, "up", "3", "--headless", "--script", script, "--dir", t.TempDir(),
		"--base-port", strconv.Itoa(freeBasePort(t)), "--tick", "200ms")
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "(from script)") {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("the script never isolated the leader\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Stop only the process this test started, by its pid.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("zkctl up still running 60s after SIGINT\n%s", out.String())
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Errorf("exit %v, want status 2\n%s", err, out.String())
	}
	for _, w := range []string{"action   heal (from script)", "summary (seed", "ERROR:", "cluster local is down"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q\n%s", w, out.String())
		}
	}
}
