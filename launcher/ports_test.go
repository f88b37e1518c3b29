package launcher

import (
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
)

func TestPortHolder_ListenerAndConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	self := fmt.Sprintf("pid %d (", os.Getpid())
	if h := portHolder(port); !strings.HasPrefix(h, self) {
		t.Errorf("holder of listening port %d = %q, want it to start with %q", port, h, self)
	}
	// The local end of an outgoing connection also blocks a bind: name it.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().(*net.TCPAddr).Port
	if h := portHolder(local); !strings.HasPrefix(h, "a connection of "+self) {
		t.Errorf("holder of connection port %d = %q, want a connection of this process", local, h)
	}
	err = checkFree(local, "client port of node 1")
	if err == nil || !strings.Contains(err.Error(), "a connection of pid") {
		t.Errorf("checkFree on a connection's port: %v", err)
	}
}
