package chaos

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Operation kinds in a history.
const (
	OpRead  = "read"  // sync then getData; only these reads are checked
	OpWrite = "write" // setData with version -1
	OpCAS   = "cas"   // setData with the version read just before
)

// Operation outcomes, with porcupine's convention for unknown.
const (
	// ResultOK: the server confirmed the operation.
	ResultOK = "ok"
	// ResultFail: the operation definitely did not take effect (for cas: the
	// version did not match; for read/write: a definite error).
	ResultFail = "fail"
	// ResultUnknown: timeout or connection loss; the operation may or may
	// not have taken effect.
	ResultUnknown = "unknown"
)

// Op is one client operation on one register, one JSON line of a history file.
type Op struct {
	// Client is the zero-based id of the client (one session each).
	Client int `json:"client"`
	// Op is read, write or cas.
	Op string `json:"op"`
	// Register is the register index (znode /zkctl-load/r<Register>).
	Register int `json:"register"`
	// Value is what a write or cas stores. Every written value is unique in
	// a history, so a cas on the version read is a cas on the value read.
	Value string `json:"value,omitempty"`
	// Expected is, for cas, the value read before (whose version is ExpectedVersion).
	Expected        string `json:"expected,omitempty"`
	ExpectedVersion int32  `json:"expected_version,omitempty"`
	// InvokeNs and CompleteNs are when the call was made and returned, in
	// nanoseconds on the workload's monotonic clock (Unix-based).
	InvokeNs   int64 `json:"invoke_ns"`
	CompleteNs int64 `json:"complete_ns"`
	// Result is ok, fail or unknown.
	Result string `json:"result"`
	// Observed is the value a read returned.
	Observed string `json:"observed,omitempty"`
	// Version is the znode version a read saw or a write produced.
	Version int32 `json:"version,omitempty"`
	// Server is the client port the client was connected to, when known.
	Server string `json:"server,omitempty"`
	// Error is the error text for fail and unknown outcomes.
	Error string `json:"error,omitempty"`
}

// validate reports why an op read from a file cannot be checked.
func (o Op) validate() error {
	switch o.Op {
	case OpRead, OpWrite, OpCAS:
	default:
		return fmt.Errorf("unknown op %q", o.Op)
	}
	switch o.Result {
	case ResultOK, ResultFail, ResultUnknown:
	default:
		return fmt.Errorf("unknown result %q", o.Result)
	}
	if o.Client < 0 || o.Client > 1<<20 {
		return fmt.Errorf("client %d out of range", o.Client)
	}
	if o.Register < 0 {
		return fmt.Errorf("register %d out of range", o.Register)
	}
	if o.Result != ResultUnknown && o.CompleteNs < o.InvokeNs {
		return fmt.Errorf("completes (%d) before it is invoked (%d)", o.CompleteNs, o.InvokeNs)
	}
	return nil
}

// HistoryWriter appends operations to a JSON-lines file; safe for
// concurrent use by many clients.
type HistoryWriter struct {
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	path string
	n    int
}

// OpenHistory opens (creating, appending) the history file at path.
func OpenHistory(path string) (*HistoryWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("chaos: history dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("chaos: open history: %w", err)
	}
	return &HistoryWriter{f: f, w: bufio.NewWriter(f), path: path}, nil
}

// Path is the file being written.
func (h *HistoryWriter) Path() string { return h.path }

// Append writes one operation as a JSON line.
func (h *HistoryWriter) Append(op Op) error {
	b, err := json.Marshal(op)
	if err != nil {
		return fmt.Errorf("chaos: encode op: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f == nil {
		return fmt.Errorf("chaos: history %s is closed", h.path)
	}
	h.n++
	b = append(b, '\n')
	if _, err := h.w.Write(b); err != nil {
		return fmt.Errorf("chaos: write history %s: %w", h.path, err)
	}
	return nil
}

// Flush pushes buffered lines to the file.
func (h *HistoryWriter) Flush() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f == nil {
		return nil
	}
	if err := h.w.Flush(); err != nil {
		return fmt.Errorf("chaos: flush history %s: %w", h.path, err)
	}
	return nil
}

// Close flushes and closes the file.
func (h *HistoryWriter) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f == nil {
		return nil
	}
	err := errors.Join(h.w.Flush(), h.f.Close())
	h.f = nil
	if err != nil {
		return fmt.Errorf("chaos: close history %s: %w", h.path, err)
	}
	return nil
}

// ReadHistory reads a history file written by HistoryWriter.
func ReadHistory(path string) ([]Op, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("chaos: open history: %w", err)
	}
	defer f.Close()
	ops, err := DecodeHistory(f)
	if err != nil {
		return nil, fmt.Errorf("chaos: %s: %w", path, err)
	}
	return ops, nil
}

// DecodeHistory parses JSON lines of Op. Blank lines are skipped; a last
// line without a newline that does not parse (a writer killed mid-line) is
// ignored; any other bad line is an error naming its line number.
func DecodeHistory(r io.Reader) ([]Op, error) {
	br := bufio.NewReader(r)
	var ops []Op
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read line %d: %w", lineNo, err)
		}
		complete := bytes.HasSuffix(line, []byte("\n"))
		if t := bytes.TrimSpace(line); len(t) > 0 {
			var op Op
			derr := json.Unmarshal(t, &op)
			if derr == nil {
				derr = op.validate()
			}
			switch {
			case derr == nil:
				ops = append(ops, op)
			case !complete:
				// torn last line: ignore
			default:
				return nil, fmt.Errorf("line %d: %w", lineNo, derr)
			}
		}
		if err != nil {
			return ops, nil
		}
	}
}
