package zkproc

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// FourLetter sends a four-letter word (ruok, srvr, mntr, ...) to addr and
// returns the whole answer. The server closes the connection after answering.
func FourLetter(addr, word string, timeout time.Duration) (string, error) {
	if len(word) != 4 {
		return "", fmt.Errorf("zkproc: four-letter word %q has %d letters", word, len(word))
	}
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return "", fmt.Errorf("zkproc: %s to %s: %w", word, addr, err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "", fmt.Errorf("zkproc: %s to %s: %w", word, addr, err)
	}
	if _, err := io.WriteString(c, word); err != nil {
		return "", fmt.Errorf("zkproc: %s to %s: %w", word, addr, err)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite() // as nc does; the server must still answer
	}
	b, err := io.ReadAll(c)
	if err != nil && len(b) == 0 {
		return "", fmt.Errorf("zkproc: %s to %s: read: %w", word, addr, err)
	}
	return string(b), nil
}

// ParseMode returns the value of the "Mode:" line of a srvr or stat answer,
// or "" when there is none (for example while the server is not serving).
func ParseMode(srvr string) string {
	for _, line := range strings.Split(srvr, "\n") {
		if v, ok := strings.CutPrefix(line, "Mode: "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// ParseMntr splits a mntr answer into key/value pairs. Lines are
// "zk_<key>\t<value>"; lines without a tab are ignored.
func ParseMntr(mntr string) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(mntr))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "\t")
		if ok {
			out[k] = v
		}
	}
	return out
}
