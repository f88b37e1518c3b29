// Package oracle runs Apache ZooKeeper 3.8 from the Debian packages as a real
// process for tests, so zkctl can be compared with the reference server.
//
//	oracle.RequireOrSkip(t)
//	srv := oracle.StartStandalone(t, zkproc.Options{ExtendedTypes: true})
//	conn, _, _ := zk.Connect([]string{srv.ClientAddr()}, 10*time.Second)
//
// The server runs `java -cp <classpath> org.apache.zookeeper.server.quorum.QuorumPeerMain zoo.cfg`
// with log4j printing to the console (captured in the server's log file) and,
// when the Jetty jars are installed, the AdminServer on a free port.
package oracle
