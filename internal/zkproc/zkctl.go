package zkproc

import (
	"fmt"
	"testing"
)

// Proc is a zkctl server process started by a test.
type Proc = Instance

// ZkctlLauncher runs `zkctl server --config <cfg>` from the binary Build
// produces.
func ZkctlLauncher() Launcher {
	return Launcher{Kind: "zkctl", Command: func(cfgPath, _ string) (string, []string, []string, error) {
		bin, err := BuildE()
		if err != nil {
			return "", nil, nil, err
		}
		return bin, []string{"server", "--config", cfgPath}, nil, nil
	}}
}

// TryStartStandalone builds zkctl and starts one standalone server, returning
// an error (and leaving nothing running) when the build fails or the server
// does not come up; tests use it to skip their zkctl half while the server
// is not ready.
func TryStartStandalone(t testing.TB, o Options) (*Proc, error) {
	t.Helper()
	if _, err := BuildE(); err != nil {
		return nil, err
	}
	insts, err := Start(t, ZkctlLauncher(), 1, o)
	if err != nil {
		return nil, fmt.Errorf("zkproc: start zkctl standalone: %w", err)
	}
	return insts[0], nil
}

// StartEnsemble starts n zkctl servers forming one ensemble and waits until
// each is leader or follower.
func StartEnsemble(t testing.TB, n int, o Options) []*Proc {
	t.Helper()
	Build(t)
	insts, err := Start(t, ZkctlLauncher(), n, o)
	if err != nil {
		t.Fatal(err)
	}
	return insts
}
