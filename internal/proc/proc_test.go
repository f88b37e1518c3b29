package proc

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestProcess_StopAndKill(t *testing.T) {
	dir := t.TempDir()
	p, err := Start(Spec{Argv: []string{"sh", "-c", "echo started; exec sleep 30"}, Dir: dir, LogPath: filepath.Join(dir, "log")})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Running() || p.Pid() == 0 {
		t.Fatal("process not running")
	}
	for i := 0; i < 100; i++ { // wait for the echo, at most 5 s
		if b, _ := os.ReadFile(filepath.Join(dir, "log")); len(b) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := p.Stop(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if p.Running() {
		t.Fatal("still running after Stop")
	}
	if err := p.Kill9(); err != nil {
		t.Fatalf("Kill9 on exited process: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "log"))
	if string(b) != "started\n" {
		t.Fatalf("log = %q", b)
	}
}
