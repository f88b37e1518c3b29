package zkproc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// buildCache holds the result of the one `go build` per test process.
var buildCache struct {
	once sync.Once
	bin  string
	err  error
}

// BinaryEnv names an environment variable that, when set, points to a zkctl
// binary to use instead of building one.
const BinaryEnv = "ZKCTL_BIN"

// BuildE builds ./cmd/zkctl of the enclosing module once per test process
// (or returns $ZKCTL_BIN) and returns the binary's path.
func BuildE() (string, error) {
	buildCache.once.Do(func() {
		if bin := os.Getenv(BinaryEnv); bin != "" {
			buildCache.bin, buildCache.err = filepath.Abs(bin)
			return
		}
		buildCache.bin, buildCache.err = build()
	})
	return buildCache.bin, buildCache.err
}

// Build is BuildE that fails the test on error.
func Build(t testing.TB) string {
	t.Helper()
	bin, err := BuildE()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func build() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("zkproc: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("zkproc: not inside the zkctl module")
	}
	dir, err := os.MkdirTemp("", "zkctl-bin-")
	if err != nil {
		return "", fmt.Errorf("zkproc: %w", err)
	}
	bin := filepath.Join(dir, "zkctl")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/zkctl")
	cmd.Dir = filepath.Dir(gomod)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("zkproc: go build ./cmd/zkctl: %w\n%s", err, stderr.String())
	}
	return bin, nil
}
