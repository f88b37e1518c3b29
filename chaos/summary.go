package chaos

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Election is one leader change seen by the runner's status monitor.
type Election struct {
	// From is the previous leader (0 if none was known), To the new one.
	From, To int
	// Lost is when the old leader was last seen (or the start of the run);
	// Took is how long until the new leader appeared. Resolution is the
	// monitor's poll interval.
	Lost time.Time
	Took time.Duration
}

// Summary is the headless report printed at the end of a script.
type Summary struct {
	// Seed is the runner's seed for random targets.
	Seed int64
	// Load counts workload operations by outcome.
	Load LoadStats
	// LoadTime is how long the workload ran in total.
	LoadTime time.Duration
	// Elections lists the leader changes seen while running.
	Elections []Election
	// Faults counts injected faults by kind.
	Faults map[string]int
	// Check is the last linearizability check (nil when none ran).
	Check *CheckResult
	// Failures are the failed expectations and checks.
	Failures []string
	// Session is the recorded session file, if any.
	Session string
	// Error is the error that stopped the run when it was not a failed
	// expectation (a script error: exit status 2).
	Error string
	// ElectionSource says where the election timings come from.
	ElectionSource string
}

// String renders the summary as a few plain lines.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "summary (seed %d)\n", s.Seed)
	fmt.Fprintf(&b, "  operations: %d ok, %d failed, %d unknown", s.Load.OK, s.Load.Failed, s.Load.Unknown)
	if s.LoadTime > 0 {
		fmt.Fprintf(&b, " (%.1f ok/s over %s of load)", float64(s.Load.OK)/s.LoadTime.Seconds(), s.LoadTime.Round(100*time.Millisecond))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  elections:  %d", len(s.Elections))
	if s.ElectionSource != "" && len(s.Elections) > 0 {
		fmt.Fprintf(&b, " (timed from %s)", s.ElectionSource)
	}
	for _, e := range s.Elections {
		from := "none"
		if e.From != 0 {
			from = fmt.Sprint(e.From)
		}
		fmt.Fprintf(&b, "; %s→%d in %s", from, e.To, e.Took.Round(10*time.Millisecond))
	}
	b.WriteString("\n")
	kinds := make([]string, 0, len(s.Faults))
	total := 0
	for k, n := range s.Faults {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		total += n
	}
	sort.Strings(kinds)
	fmt.Fprintf(&b, "  faults:     %d", total)
	if len(kinds) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(kinds, ", "))
	}
	b.WriteString("\n")
	switch {
	case s.Check == nil:
		b.WriteString("  linearizable: not checked\n")
	case s.Check.Inconclusive:
		b.WriteString("  linearizable: inconclusive (check timed out)\n")
	case s.Check.Linearizable:
		fmt.Fprintf(&b, "  linearizable: yes (%d ops checked in %s)\n", s.Check.Checked, s.Check.Took.Round(time.Millisecond))
	default:
		fmt.Fprintf(&b, "  linearizable: NO (%d ops checked in %s; see %s)\n", s.Check.Checked, s.Check.Took.Round(time.Millisecond), s.Check.HTMLPath)
	}
	if s.Session != "" {
		fmt.Fprintf(&b, "  session: %s\n", s.Session)
	}
	switch {
	case len(s.Failures) > 0:
		fmt.Fprintf(&b, "  FAILED: %s\n", strings.Join(s.Failures, "; "))
	case s.Error != "":
		fmt.Fprintf(&b, "  ERROR: %s\n", s.Error)
	default:
		b.WriteString("  result: pass\n")
	}
	return b.String()
}
