package status

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ServeAdmin listens on addr (host:port; port 0 picks a free one) and
// serves h until ctx ends, then shuts down gracefully. It returns the bound
// address, or an error naming addr when the port is busy.
func ServeAdmin(ctx context.Context, addr string, h http.Handler) (net.Addr, error) {
	return serveHTTP(ctx, "admin server", addr, h)
}

// serveHTTP is ServeAdmin for any of the server's HTTP listeners; what
// names it in errors and logs.
func serveHTTP(ctx context.Context, what, addr string, h http.Handler) (net.Addr, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", what, addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       30 * time.Second,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Warn(what+" stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-done
	}()
	return ln.Addr(), nil
}
