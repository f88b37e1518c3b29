package main

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zkctl/zkctl/launcher"
)

// The addresses bench --cluster connects to are the ones clients are given:
// a client proxy's port where there is one, every server including observers.
func TestClusterClientAddrsFromClusterFile(t *testing.T) {
	cf, err := launcher.ReadClusterFile(filepath.Join("testdata", "benchcluster", "local"))
	if err != nil {
		t.Fatal(err)
	}
	got := clusterClientAddrs(cf)
	want := []string{"127.0.0.1:21041", "127.0.0.1:21002", "127.0.0.1:21003"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("addresses = %v, want %v", got, want)
	}
}

func TestBenchResolveServers(t *testing.T) {
	o := benchOptions{servers: []string{" 127.0.0.1:1 ", "", "127.0.0.1:2"}}
	got, err := o.resolveServers(true)
	if err != nil || !reflect.DeepEqual(got, []string{"127.0.0.1:1", "127.0.0.1:2"}) {
		t.Fatalf("--servers: %v, %v", got, err)
	}

	o = benchOptions{cluster: "local", dir: filepath.Join("testdata", "benchcluster"), servers: []string{"127.0.0.1:2181"}}
	if _, err := o.resolveServers(true); err == nil || !strings.Contains(err.Error(), "--cluster and --servers") {
		t.Fatalf("--cluster with --servers: err = %v", err)
	}
	// The fixture's launcher (pid 0) is not running: an error naming the
	// cluster, not a bench of dead ports.
	_, err = o.resolveServers(false)
	if !errors.Is(err, launcher.ErrNotRunning) || !strings.Contains(err.Error(), "local") {
		t.Fatalf("stale cluster.json: err = %v", err)
	}
	o.cluster = "nosuch"
	if _, err := o.resolveServers(false); !errors.Is(err, launcher.ErrNotRunning) {
		t.Fatalf("missing cluster: err = %v", err)
	}
}
