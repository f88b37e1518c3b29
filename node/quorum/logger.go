package quorum

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/zkctl/zkctl/adminapi"
)

// slogLogger adapts the protocol cores' protolog.Logger (and Warner) to
// slog: Logf at level info (the election's chatter, one line per
// notification, at debug), Warnf always at warn.
type slogLogger struct {
	l    *slog.Logger
	info slog.Level
}

// Logf implements protolog.Logger.
func (a slogLogger) Logf(format string, args ...any) {
	a.l.Log(context.Background(), a.info, fmt.Sprintf(format, args...))
}

// Warnf implements protolog.Warner.
func (a slogLogger) Warnf(format string, args ...any) { a.l.Warn(fmt.Sprintf(format, args...)) }

// Start runs the election transport, the election loop and the role loop
// on the client path's goroutines, until it stops (serve.Server.Stop
// waits for them).
func (p *Peer) Start() {
	p.qcm.Start()
	ctx := p.srv.Context()
	p.srv.Go(func() { p.electionLoop(ctx) })
	p.srv.Go(func() { p.run(ctx) })
	p.srv.Go(func() {
		<-ctx.Done()
		_ = p.qcm.Close()
	})
	p.srv.EventRing().Add("state", adminapi.StateLooking, "ensemble member started, election port "+p.qcm.Addr())
	p.log.Info("ensemble member started", "myid", p.myid, "client", p.srv.ClientAddr().String(), "election", p.qcm.Addr(),
		"zxid", hexID(p.db.LastLoggedZxid()), "voters", len(p.voters), "observer", p.observer)
}
