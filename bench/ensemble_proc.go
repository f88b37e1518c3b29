package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// RSSKiB returns the resident set size of process pid in KiB, read from the
// VmRSS line of /proc/<pid>/status (Linux only).
func RSSKiB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("bench: rss of pid %d: %w", pid, err)
	}
	return ParseVmRSS(string(b))
}

// ParseVmRSS extracts the VmRSS value in KiB from a /proc/<pid>/status text.
func ParseVmRSS(status string) (int64, error) {
	for line := range strings.SplitSeq(status, "\n") {
		v, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("bench: malformed VmRSS line %q", line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: malformed VmRSS line %q: %w", line, err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("bench: no VmRSS line (zombie or kernel thread?)")
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times; 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// ProcCPU returns the user+system CPU time process pid has used, from
// /proc/<pid>/stat (Linux only, 10 ms resolution).
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("bench: cpu of pid %d: %w", pid, err)
	}
	return ParseStatCPU(string(b))
}

// ParseStatCPU extracts utime+stime from a /proc/<pid>/stat line. The
// command name in parentheses may contain spaces, so fields are counted
// after its closing parenthesis.
func ParseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: malformed stat line %q", stat)
	}
	f := strings.Fields(stat[i+1:])
	// After ")": state(3) ppid(4) ... utime(14) stime(15); f[0] is field 3.
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: stat line has %d fields after the command", len(f))
	}
	var total int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: malformed stat time %q: %w", s, err)
		}
		total += n
	}
	return time.Duration(total) * time.Second / clockTicks, nil
}
