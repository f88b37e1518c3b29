// Package qcm is the election transport, ZooKeeper 3.8's QuorumCnxManager:
// one TCP connection per peer on the election port, opened with the 3.8
// handshake (protocol version -65536, sid, "host:port"), of which only the
// one initiated by the larger sid survives; per-peer send queues that keep
// only the newest message and resend the last one after a reconnect;
// int32-length framing up to 512 KiB; and one bounded receive queue.
//
// The payloads are FLE notifications (package election); qcm does not look
// inside them. A driver sends with Manager.Send and reads Manager.Recv:
//
//	m, err := qcm.New(qcm.Config{Sid: 1, Listen: "127.0.0.1:3888", Peers: peers})
//	m.Start()
//	defer m.Close()
//	m.Send(2, notification.Encode())
//	msg := <-m.Recv() // msg.Sid, msg.Payload
package qcm
