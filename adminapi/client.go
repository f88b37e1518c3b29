package adminapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Client reads a server's admin port.
type Client struct {
	// Base is "http://host:port".
	Base string
	// HTTP is the client used; nil means a client with a 1 s timeout.
	HTTP *http.Client
}

// NewClient returns a client for host:port with the given request timeout.
func NewClient(addr string, timeout time.Duration) *Client {
	return &Client{Base: "http://" + addr, HTTP: &http.Client{Timeout: timeout}}
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: time.Second}
}

// Command fetches /commands/<name> and decodes the JSON into out.
func (c *Client) Command(ctx context.Context, name string, out any) error {
	return c.get(ctx, "/commands/"+name, out)
}

// Peer fetches /commands/peer.
func (c *Client) Peer(ctx context.Context) (*Peer, error) {
	var p Peer
	if err := c.get(ctx, "/commands/peer", &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Events fetches /commands/events?since=seq.
func (c *Client) Events(ctx context.Context, since uint64) (*Events, error) {
	var ev Events
	if err := c.get(ctx, "/commands/events?since="+strconv.FormatUint(since, 10), &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

func (c *Client) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return fmt.Errorf("admin %s%s: %w", c.Base, path, err)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("admin %s%s: %w", c.Base, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("admin %s%s: read: %w", c.Base, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("admin %s%s: HTTP %d", c.Base, path, resp.StatusCode)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("admin %s%s: decode: %w", c.Base, path, err)
	}
	return nil
}
