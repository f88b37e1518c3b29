// Package bench is a closed-loop ZooKeeper load generator: N clients, each
// with its own go-zookeeper connection (spread round-robin over the servers),
// repeat one operation (create, set or get) for a fixed duration; the result
// reports throughput and latency percentiles. It works against any
// ZooKeeper-compatible server, so the same run compares Apache ZooKeeper and
// zkctl.
//
//	res, err := bench.Run(ctx, bench.Config{Servers: []string{"127.0.0.1:2181"}, Op: bench.OpSet,
//		Clients: 16, Size: 100, Duration: 10 * time.Second})
//	fmt.Println(res)
package bench
