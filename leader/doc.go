// Package leader implements Zab, ZooKeeper's atomic broadcast, as pure state
// machines: the leader side (discovery, per-learner synchronization with
// DIFF/TRUNC/SNAP, broadcast with quorum ACKs) in Leader, and the learner side
// (follower and observer) in Learner. Neither touches the network, the disk or
// a clock: inputs are received packets, ticks and local requests; outputs are
// collected in a Ready value that the driver (node/) acts on and then
// acknowledges with Advance.
//
// A driver loop for the leader looks like this:
//
//	l, err := leader.New(cfg)             // cfg.History reads the local database
//	for {
//		select {
//		case <-ticker.C:        l.Tick()
//		case in := <-recv:      _ = l.Step(in.Conn, in.Packet) // errors are logged; l asks to close in Ready
//		case c := <-connected:  l.Connect(c)
//		case c := <-closed:     l.Disconnect(c)
//		case p := <-prepped:    _ = l.Propose(p)
//		case z := <-fsynced:    l.Logged(z)
//		}
//		rd := l.Ready()
//		persist(rd.Epochs)            // fsync accepted/current epoch first
//		appendLog(rd.ToLog)           // then l.Logged(lastZxid) once fsynced
//		send(rd.Messages)             // a SNAP packet is followed by the snapshot stream
//		apply(rd.Committed)           // in zxid order
//		l.Advance()
//	}
//
// The learner loop is the same with Learner and LearnerReady; the order in
// which a LearnerReady's fields must be carried out is written on its type.
//
// Time is counted in ticks (ZooKeeper's tickTime); InitLimit and SyncLimit are
// numbers of Tick calls, as in zoo.cfg.
package leader
