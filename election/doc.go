// Package election is ZooKeeper 3.8's Fast Leader Election as a
// deterministic state machine: no network, clock, goroutines or locks. A
// driver (node/) owns one Election and feeds it:
//
//	e, _ := election.New(cfg)
//	e.Start(lastLoggedZxid, currentEpoch)        // become LOOKING
//	for {
//		select {
//		case <-ticker.C:
//			e.Tick()                             // cfg.TickMs of logical time
//		case m := <-transport.Recv():
//			n, err := election.DecodeNotification(m.Payload)
//			if err == nil { n.Sid = m.Sid; _ = e.Step(n) }
//		}
//		rd := e.Ready()
//		for _, msg := range rd.Messages { transport.Send(msg.To, msg.N.Encode()) } // self included: loop back
//		if rd.Decision != nil { /* enter rd.Decision.State following rd.Decision.Leader */ }
//		e.Advance()
//	}
//
// While FOLLOWING/LEADING/OBSERVING keep feeding Step so LOOKING peers get
// the current vote (docs/quorum-reference.md §3.5); call UpdateElectionVote
// after sync and Start again when the role ends.
//
// The wire format of notifications (versions 0, 1 and 2) is in
// notification.go, the vote order in vote.go.
package election
