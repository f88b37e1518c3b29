// Package fourlwtest is a fake ZooKeeper client port that answers
// four-letter words from a table, for tests of the readers of 4lw output
// (adminapi's FourLW, the data view's sessions panel) that need no server.
package fourlwtest

import (
	"io"
	"net"
	"testing"
)

// Serve answers each connection's four-letter word on 127.0.0.1 with
// answers[word] and closes it, as ZooKeeper does; a word missing from the
// table gets 3.8's whitelist refusal. It returns the address; the listener
// closes when the test ends.
func Serve(t testing.TB, answers map[string]string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4)
				if _, err := io.ReadFull(c, buf); err != nil {
					return
				}
				a, ok := answers[string(buf)]
				if !ok {
					a = string(buf) + " is not executed because it is not in the whitelist.\n"
				}
				_, _ = io.WriteString(c, a)
			}()
		}
	}()
	return ln.Addr().String()
}
