package zkinstall

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// release lays out a fake unpacked release with the given jar names.
func release(t *testing.T, sub string, jars ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, j := range jars {
		if err := os.WriteFile(filepath.Join(dir, sub, j), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFromHome(t *testing.T) {
	dir := release(t, "lib", "zookeeper-3.7.2.jar", "zookeeper-jute-3.7.2.jar", "jetty-server-9.4.51.jar", "netty-handler-4.1.jar")
	in, err := FromHome(dir)
	if err != nil {
		t.Fatal(err)
	}
	if in.Version != "3.7.2" || !in.Admin || len(in.Classpath) != 4 || in.Where() != dir {
		t.Fatalf("got %+v", in)
	}
	for _, tc := range []struct{ dir, want string }{
		{release(t, "lib", "zookeeper-3.4.99.jar"), "too old"},
		{release(t, ".", "zookeeper-3.4.14.jar"), "3.4.14"},
		{release(t, "lib", "zookeeper-jute-3.8.0.jar"), "not a ZooKeeper release"},
		{filepath.Join(t.TempDir(), "nope"), "not a directory"},
	} {
		_, err := FromHome(tc.dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FromHome(%s) = %v, want an error with %q", tc.dir, err, tc.want)
		}
	}
}

func TestLess(t *testing.T) {
	if !less("3.4.14", "3.5.0") || less("3.10.0", "3.9.1") || less("3.8.0", "3.8.0") {
		t.Fatal("dotted versions compare as numbers")
	}
}
