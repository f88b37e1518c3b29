package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Names of the epoch files in <dataDir>/version-2.
const (
	CurrentEpochFile  = "currentEpoch"
	AcceptedEpochFile = "acceptedEpoch"
)

// ReadEpochFile reads <dataDir>/version-2/<name>: the decimal epoch on its
// first line. found is false when the file does not exist.
func ReadEpochFile(dataDir, name string) (int64, bool, error) {
	p := filepath.Join(dataDir, "version-2", name)
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: read epoch file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := ""
	if sc.Scan() {
		line = sc.Text()
	}
	if err := sc.Err(); err != nil {
		return 0, false, fmt.Errorf("store: read epoch file %s: %w", p, err)
	}
	v, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("store: epoch file %s holds %q, not a number: %w", p, line, err)
	}
	return v, true, nil
}

// WriteEpochFile atomically writes <dataDir>/version-2/<name> as 3.8 does:
// the decimal value with no newline into <name>.tmp, fsync, rename.
func WriteEpochFile(dataDir, name string, epoch int64) error {
	dir := filepath.Join(dataDir, "version-2")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("store: write epoch file: %w", err)
	}
	p := filepath.Join(dir, name)
	tmp := p + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("store: write epoch file: %w", err)
	}
	_, err = f.WriteString(strconv.FormatInt(epoch, 10))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: write epoch file %s: %w", p, err)
	}
	return nil
}
