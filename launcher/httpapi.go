package launcher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// startControl serves the control API on the bound control listener:
//
//	GET  /status              ClusterStatus
//	POST /do      Action      204, or an error
//	POST /run     {"line"}    {"output"}
//	GET  /events?since=N&wait=5s   {"events": [...], "last": N}
//	GET  /messages?since=N&kind=election|zab&wait=5s   MessagesResponse
//	POST /down                202; the launcher shuts down
func (l *Launcher) startControl() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		st, err := l.Status(r.Context())
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, st)
	})
	mux.HandleFunc("POST /do", func(w http.ResponseWriter, r *http.Request) {
		var a Action
		if err := decodeBody(r, &a); err != nil {
			writeErr(w, err)
			return
		}
		if a.Source == "" {
			a.Source = SourceDo
		}
		if err := l.Do(r.Context(), a); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /run", func(w http.ResponseWriter, r *http.Request) {
		var req runRequest
		if err := decodeBody(r, &req); err != nil {
			writeErr(w, err)
			return
		}
		out, err := l.RunLine(WithSource(r.Context(), SourceDo), req.Line)
		if err != nil {
			writeRunErr(w, err, out)
			return
		}
		writeJSON(w, http.StatusOK, runResponse{Output: out})
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		since, wait, err := sinceWait(r)
		if err != nil {
			writeErr(w, err)
			return
		}
		evs, last := l.events.wait(r.Context(), since, wait)
		if evs == nil {
			evs = []Event{}
		}
		writeJSON(w, http.StatusOK, eventsResponse{Events: evs, Last: last})
	})
	mux.HandleFunc("GET /messages", func(w http.ResponseWriter, r *http.Request) {
		since, wait, err := sinceWait(r)
		if err != nil {
			writeErr(w, err)
			return
		}
		kind := r.URL.Query().Get("kind")
		if kind != "" && kind != MsgElection && kind != MsgZab {
			writeErr(w, fmt.Errorf("kind=%q (want election or zab): %w", kind, ErrBadAction))
			return
		}
		resp, _ := l.Messages(r.Context(), since, kind, wait)
		writeJSON(w, http.StatusOK, resp)
	})
	mux.HandleFunc("POST /down", func(w http.ResponseWriter, r *http.Request) {
		l.emit("info", 0, "down requested through the control API")
		l.requestDown()
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "shutting down"})
	})
	l.httpSrv = &http.Server{Handler: guardControl(mux), ReadHeaderTimeout: 5 * time.Second}
	ln := l.control
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		if err := l.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.log.Error("control API stopped", "err", err)
		}
	}()
}

// sinceWait reads the since=N and wait=D parameters of /events and
// /messages (wait at most 30 s).
func sinceWait(r *http.Request) (since uint64, wait time.Duration, err error) {
	q := r.URL.Query()
	if s := q.Get("since"); s != "" {
		if since, err = strconv.ParseUint(s, 10, 64); err != nil {
			return 0, 0, fmt.Errorf("since=%q: %w", s, ErrBadAction)
		}
	}
	if s := q.Get("wait"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, 0, fmt.Errorf("wait=%q: %w", s, ErrBadAction)
		}
		wait = min(d, 30*time.Second)
	}
	return since, wait, nil
}

func decodeBody(r *http.Request, out any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("request body: %v: %w", err, ErrBadAction)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeRunErr answers a failed chaos line with its output so far and its
// exit status: 422 for a failed expect/wait/check (exit 1), else the
// status writeErr would choose (400 for a line the runner rejected).
func writeRunErr(w http.ResponseWriter, err error, output string) {
	exit := ExitCodeOf(err, 2)
	code := statusFor(err)
	switch {
	case exit == 1:
		code = http.StatusUnprocessableEntity
	case code == http.StatusInternalServerError:
		code = http.StatusBadRequest
	}
	writeJSON(w, code, apiError{Error: err.Error(), Output: output, ExitCode: exit})
}

// writeErr maps launcher errors to status codes.
func writeErr(w http.ResponseWriter, err error) {
	writeJSON(w, statusFor(err), apiError{Error: err.Error()})
}

// statusFor maps a launcher error to an HTTP status code.
func statusFor(err error) int {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrBadAction):
		code = http.StatusBadRequest
	case errors.Is(err, ErrUnknownNode):
		code = http.StatusNotFound
	case errors.Is(err, ErrConflict):
		code = http.StatusConflict
	case errors.Is(err, ErrNoRunner):
		code = http.StatusNotImplemented
	case errors.Is(err, ErrClosed):
		code = http.StatusServiceUnavailable
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = http.StatusGatewayTimeout
	}
	return code
}

// WaitReady waits until every running server's admin port has answered
// once, or ctx ends.
func (l *Launcher) WaitReady(ctx context.Context) error {
	ids := l.cfg.ids()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if l.poll != nil && l.poll.answered(ids) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("launcher: waiting for every admin port to answer: %w", ctx.Err())
		case <-t.C:
		}
	}
}
