package bench

import (
	"context"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{5}, 5},
		{[]time.Duration{9, 1, 5}, 5},
		{[]time.Duration{4, 1, 3, 2}, 2}, // (2+3)/2 in integer nanoseconds
		{[]time.Duration{10, 30, 20, 40}, 25},
	} {
		in := append([]time.Duration(nil), tc.in...)
		if got := Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
		for i := range in {
			if in[i] != tc.in[i] {
				t.Fatalf("Median reordered its input: %v", tc.in)
			}
		}
	}
}

func TestFormed(t *testing.T) {
	for _, tc := range []struct {
		modes []string
		want  bool
	}{
		{[]string{"leader", "follower", "follower"}, true},
		{[]string{"follower", "leader"}, true},
		{[]string{"leader", "follower", "observer"}, true},
		{[]string{"leader", "leader", "follower"}, false},
		{[]string{"follower", "follower"}, false},
		{[]string{"leader", "", "follower"}, false},
		{[]string{"standalone", "standalone"}, false},
		{nil, false},
	} {
		if got := Formed(tc.modes); got != tc.want {
			t.Errorf("Formed(%q) = %v, want %v", tc.modes, got, tc.want)
		}
	}
}

// fakeSrvr answers every connection with answer, after reading 4 bytes.
func fakeSrvr(t *testing.T, answer string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4)
			if _, err := io.ReadFull(c, buf); err == nil && string(buf) == "srvr" {
				io.WriteString(c, answer)
			}
			c.Close()
		}
	}()
	return l.Addr().String()
}

func TestSrvrModesAndWait(t *testing.T) {
	lead := fakeSrvr(t, "Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: leader\nNode count: 5\n")
	fol := fakeSrvr(t, "Zookeeper version: 3.8.0\nMode: follower\n")
	notServing := fakeSrvr(t, "This ZooKeeper instance is not currently serving requests\n")
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		a := l.Addr().String()
		l.Close()
		return a
	}()
	if m, err := Srvr(lead, time.Second); err != nil || m != "leader" {
		t.Fatalf("Srvr(leader) = %q, %v", m, err)
	}
	if m, err := Srvr(notServing, time.Second); err != nil || m != "" {
		t.Fatalf("Srvr(not serving) = %q, %v", m, err)
	}
	if _, err := Srvr(closed, time.Second); err == nil {
		t.Fatal("Srvr on a closed port succeeded")
	}
	got := Modes([]string{lead, fol, notServing, closed}, time.Second)
	if strings.Join(got, ",") != "leader,follower,," {
		t.Fatalf("Modes = %q", got)
	}
	at, modes, err := WaitModes(context.Background(), []string{fol, lead}, 10*time.Millisecond, Formed)
	if err != nil || at.IsZero() || !Formed(modes) {
		t.Fatalf("WaitModes formed = %v %q %v", at, modes, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, modes, err := WaitModes(ctx, []string{fol, notServing}, 10*time.Millisecond, Formed); err == nil {
		t.Fatalf("WaitModes on an unformed ensemble returned %q", modes)
	}
}

func TestFirstWrite_NothingListening(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, _, err := FirstWrite(ctx, []string{a}, "/x", 10*time.Millisecond, 100*time.Millisecond); err == nil {
		t.Fatal("FirstWrite succeeded with nothing listening")
	}
	if _, _, err := FirstWrite(context.Background(), nil, "/x", time.Millisecond, time.Millisecond); err == nil {
		t.Fatal("FirstWrite with no addresses succeeded")
	}
}

func TestProbeCreate_ServerClosesAfterConnect(t *testing.T) {
	// A server that is not serving reads the connect request and closes.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = readFrame(c)
			c.Close()
		}
	}()
	if err := ProbeCreate(context.Background(), l.Addr().String(), "/p", time.Second); err == nil {
		t.Fatal("probe succeeded against a server that closes")
	}
}

func TestParseVmRSS(t *testing.T) {
	n, err := ParseVmRSS("Name:\tzkctl\nVmPeak:\t  99 kB\nVmRSS:\t   12345 kB\nThreads: 9\n")
	if err != nil || n != 12345 {
		t.Fatalf("ParseVmRSS = %d, %v", n, err)
	}
	for _, bad := range []string{"Name: x\n", "VmRSS: 12 MB\n", "VmRSS: x kB\n", "VmRSS:\n"} {
		if _, err := ParseVmRSS(bad); err == nil {
			t.Errorf("ParseVmRSS(%q) accepted", bad)
		}
	}
	self, err := RSSKiB(os.Getpid())
	if err != nil || self <= 0 {
		t.Fatalf("RSSKiB(self) = %d, %v", self, err)
	}
}

func TestParseStatCPU(t *testing.T) {
	// utime 250 and stime 50 ticks = 3 s; the command contains ") (" and spaces.
	line := "1234 (a) (b c) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 1000 50 0 0\n"
	d, err := ParseStatCPU(line)
	if err != nil || d != 3*time.Second {
		t.Fatalf("ParseStatCPU = %v, %v", d, err)
	}
	for _, bad := range []string{"", "1234 nocommand S 1", "1 (x) S 1 2 3", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u s 0"} {
		if _, err := ParseStatCPU(bad); err == nil {
			t.Errorf("ParseStatCPU(%q) accepted", bad)
		}
	}
	if _, err := ProcCPU(os.Getpid()); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseStatCPU(f *testing.F) {
	f.Add("1234 (a) (b c) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 1000 50 0 0\n")
	f.Add("1 (x) S")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseStatCPU(s)
		if err == nil && d < 0 && !strings.Contains(s, "-") {
			t.Fatalf("negative CPU time %v from %q", d, s)
		}
	})
}

func FuzzParseVmRSS(f *testing.F) {
	f.Add("VmRSS:\t   12345 kB\n")
	f.Add("VmRSS: 1 MB")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseVmRSS(s)
	})
}
