package chaos

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// SessionsDir is where a cluster's recorded sessions live: <clusterDir>/sessions.
func SessionsDir(clusterDir string) string { return filepath.Join(clusterDir, "sessions") }

// Recorder appends every executed action to a replayable script
// <clusterDir>/sessions/<timestamp>.chaos, with a `wait` line for the time
// between actions, so `zkctl chaos run` on the file replays the session.
// The file is created on the first action. Safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	dir  string
	path string
	f    *os.File
	last time.Time
	// now is the clock; tests replace it.
	now func() time.Time
}

// NewRecorder returns a recorder writing under SessionsDir(clusterDir).
func NewRecorder(clusterDir string) *Recorder {
	return &Recorder{dir: SessionsDir(clusterDir), now: time.Now}
}

// Path is the session file, "" before the first action.
func (r *Recorder) Path() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.path
}

// roundGap rounds the time between two actions for the script: to 100 ms
// below 10 s, to 1 s above. Gaps that round to zero give no wait line.
func roundGap(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// Record appends one executed line (a chaos-language command whose targets
// are already resolved, e.g. "kill 3") with its source as a comment.
func (r *Recorder) Record(line, source string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if r.f == nil {
		if err := os.MkdirAll(r.dir, 0o755); err != nil {
			return fmt.Errorf("chaos: sessions dir: %w", err)
		}
		r.path = filepath.Join(r.dir, now.Format("20060102-150405.000")+".chaos")
		f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("chaos: open session: %w", err)
		}
		r.f = f
		if _, err := fmt.Fprintf(f, "# zkctl session recorded %s; replay with: zkctl chaos run %s\n", now.Format(time.RFC3339), r.path); err != nil {
			return fmt.Errorf("chaos: write session %s: %w", r.path, err)
		}
	} else if gap := roundGap(now.Sub(r.last)); gap > 0 {
		if _, err := fmt.Fprintf(r.f, "wait %s\n", fmtDur(gap)); err != nil {
			return fmt.Errorf("chaos: write session %s: %w", r.path, err)
		}
	}
	r.last = now
	text := line
	if source != "" {
		text += "  # " + source
	}
	if _, err := fmt.Fprintln(r.f, text); err != nil {
		return fmt.Errorf("chaos: write session %s: %w", r.path, err)
	}
	return nil
}

// Close closes the session file.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	if err != nil {
		return fmt.Errorf("chaos: close session %s: %w", r.path, err)
	}
	return nil
}
