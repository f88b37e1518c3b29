// Package tests holds cross-implementation tests that run the same client
// workloads against Apache ZooKeeper 3.8 (the oracle) and zkctl and compare
// the answers: a differential go-zookeeper script, kazoo scripts and zkCli.sh.
// Apache's half skips when ZooKeeper is not installed (fails with
// ZKCTL_REQUIRE_ORACLE=1); zkctl's half skips while `zkctl server` cannot serve.
package tests
