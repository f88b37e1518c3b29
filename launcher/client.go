package launcher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// ErrNotRunning is returned by Find when no live launcher serves the cluster.
var ErrNotRunning = errors.New("launcher: cluster not running")

// Client talks to a launcher's control API. It implements Controller.
type Client struct {
	// Base is "http://host:port".
	Base string
	// File is the cluster.json the client was found from (nil when built
	// with NewClient).
	File *ClusterFile
	// HTTP is the client used for requests; its timeout bounds short calls.
	HTTP *http.Client
}

var _ Controller = (*Client)(nil)

// NewClient returns a client for the control API at addr (host:port).
func NewClient(addr string) *Client {
	return &Client{Base: "http://" + addr, HTTP: &http.Client{}}
}

// Find locates the running cluster <dir>/<name>: it reads cluster.json and
// checks that the launcher process is alive and its control API answers.
func Find(dir, name string) (*Client, error) {
	if dir == "" {
		dir = DefaultDir()
	}
	cdir := filepath.Join(dir, name)
	cf, err := ReadClusterFile(cdir)
	if err != nil {
		return nil, fmt.Errorf("no cluster named %s is running (looked in %s): %w", name, dir, ErrNotRunning)
	}
	if !pidAlive(cf.LauncherPID) {
		return nil, fmt.Errorf("no cluster named %s is running (looked in %s; launcher pid %d is gone): %w", name, dir, cf.LauncherPID, ErrNotRunning)
	}
	c := NewClient(cf.ControlAddr)
	c.File = cf
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		return nil, fmt.Errorf("no cluster named %s is running (looked in %s; control API %s: %v): %w", name, dir, cf.ControlAddr, err, ErrNotRunning)
	}
	return c, nil
}

// pidAlive reports whether a process with pid exists.
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// apiError is the JSON body of a non-2xx control API answer.
type apiError struct {
	Error string `json:"error"`
	// Output is what a failed POST /run printed before failing.
	Output string `json:"output,omitempty"`
	// ExitCode is the CLI exit status a failed POST /run maps to (1 failed
	// expect/wait/check, 2 anything else); 0 on other endpoints.
	ExitCode int `json:"exit_code,omitempty"`
}

// runRequest is the body of POST /run.
type runRequest struct {
	Line string `json:"line"`
}

// runResponse is the answer of POST /run.
type runResponse struct {
	Output string `json:"output"`
}

// eventsResponse is the answer of GET /events.
type eventsResponse struct {
	Events []Event `json:"events"`
	Last   uint64  `json:"last"`
}

// Ping checks that the control API answers.
func (c *Client) Ping(ctx context.Context) error {
	var st ClusterStatus
	return c.call(ctx, http.MethodGet, "/status", nil, &st)
}

// Status implements Controller.
func (c *Client) Status(ctx context.Context) (ClusterStatus, error) {
	var st ClusterStatus
	err := c.call(ctx, http.MethodGet, "/status", nil, &st)
	return st, err
}

// Do implements Controller.
func (c *Client) Do(ctx context.Context, a Action) error {
	return c.call(ctx, http.MethodPost, "/do", a, nil)
}

// RunLine implements Controller. When the line fails, the error is a
// *StatusError carrying the launcher's exit status, and the output is what
// the line printed before failing.
func (c *Client) RunLine(ctx context.Context, line string) (string, error) {
	var out runResponse
	err := c.call(ctx, http.MethodPost, "/run", runRequest{Line: line}, &out)
	var se *StatusError
	if errors.As(err, &se) {
		return se.Output, err
	}
	return out.Output, err
}

// Events returns the launcher events with Seq > since, waiting up to wait
// for at least one when there are none yet. It also returns the newest seq.
func (c *Client) Events(ctx context.Context, since uint64, wait time.Duration) ([]Event, uint64, error) {
	var out eventsResponse
	q := "/events?since=" + strconv.FormatUint(since, 10) + "&wait=" + wait.String()
	err := c.call(ctx, http.MethodGet, q, nil, &out)
	return out.Events, out.Last, err
}

// EventsSince implements EventSource.
func (c *Client) EventsSince(ctx context.Context, since uint64, wait time.Duration) ([]Event, uint64, error) {
	return c.Events(ctx, since, wait)
}

// Messages returns the logged messages with Seq > since, of kind
// (MsgElection, MsgZab, or "" for both), waiting up to wait for one.
func (c *Client) Messages(ctx context.Context, since uint64, kind string, wait time.Duration) (MessagesResponse, error) {
	var out MessagesResponse
	q := "/messages?since=" + strconv.FormatUint(since, 10) + "&wait=" + wait.String()
	if kind != "" {
		q += "&kind=" + kind
	}
	err := c.call(ctx, http.MethodGet, q, nil, &out)
	return out, err
}

// MessageSource lists the message log; *Launcher and *Client implement it.
type MessageSource interface {
	// Messages returns messages with Seq > since of kind ("" for all),
	// waiting up to wait for one.
	Messages(ctx context.Context, since uint64, kind string, wait time.Duration) (MessagesResponse, error)
}

// Down asks the launcher to stop every server and exit.
func (c *Client) Down(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/down", nil, nil)
}

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("launcher client: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return fmt.Errorf("launcher client: %s %s: %w", method, path, err)
	}
	if in != nil || method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json") // the control API refuses other POSTs (guardControl)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("launcher client: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("launcher client: %s %s: read: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var ae apiError
		if json.Unmarshal(b, &ae) == nil && ae.Error != "" {
			return &StatusError{Code: resp.StatusCode, Msg: ae.Error, Output: ae.Output, Exit: ae.ExitCode}
		}
		return &StatusError{Code: resp.StatusCode, Msg: http.StatusText(resp.StatusCode)}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("launcher client: %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// StatusError is a control API error answer.
type StatusError struct {
	// Code is the HTTP status code.
	Code int
	// Msg is the launcher's error message.
	Msg string
	// Output is what a failed chaos line printed before failing (POST /run).
	Output string
	// Exit is the exit status the launcher assigned to a failed chaos line
	// (0 when it did not say).
	Exit int
}

// Error returns the launcher's message.
func (e *StatusError) Error() string { return e.Msg }

// ExitCode is the CLI exit status for this error: the launcher's own
// verdict for a chaos line (1 failed expect/wait/check, 2 script error),
// else 2.
func (e *StatusError) ExitCode() int {
	if e.Exit != 0 {
		return e.Exit
	}
	return 2
}

// ExitCoder is implemented by errors that know the CLI exit status they
// map to (the chaos runner's failed expectations, StatusError).
type ExitCoder interface {
	ExitCode() int
}

// ExitCodeOf returns the exit status err carries (via ExitCoder anywhere in
// its chain), def when none does, and 0 for nil.
func ExitCodeOf(err error, def int) int {
	if err == nil {
		return 0
	}
	var ec ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return def
}
