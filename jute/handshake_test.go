package jute

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
)

// Reference: QuorumCnxManager.InitialMessage / startConnection (V1 header).
func TestElectionHandshake_GoldenV1(t *testing.T) {
	h := ElectionHandshake{Version: ElectionProtocolV1, Sid: 3, Addrs: []string{"127.0.0.1:3888"}}
	want := "ffffffffffff0000" + "0000000000000003" + "0000000e" + hex.EncodeToString([]byte("127.0.0.1:3888"))
	if got := hex.EncodeToString(h.Encode()); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	back, n, err := DecodeElectionHandshake(h.Encode())
	if err != nil || n != 34 || back.Sid != 3 || !slices.Equal(back.Addrs, h.Addrs) || back.Version != ElectionProtocolV1 {
		t.Fatalf("decode = %+v %d %v", back, n, err)
	}
}

func TestElectionHandshake_DecodeForms(t *testing.T) {
	// Pre-3.5: the sid alone.
	h, n, err := DecodeElectionHandshake([]byte{0, 0, 0, 0, 0, 0, 0, 7, 0xaa})
	if err != nil || n != 8 || h.Sid != 7 || h.Version != 0 {
		t.Fatalf("legacy: %+v %d %v", h, n, err)
	}
	// V2 with two addresses, one a wildcard that ElectionAddrs drops.
	v2 := ElectionHandshake{Version: ElectionProtocolV2, Sid: 5, Addrs: []string{"0.0.0.0:3888", "[::1]:3889"}}
	h, _, err = DecodeElectionHandshake(v2.Encode())
	if err != nil || !slices.Equal(h.Addrs, v2.Addrs) || !slices.Equal(h.ElectionAddrs(), []string{"[::1]:3889"}) {
		t.Fatalf("v2: %+v %v %v", h, err, h.ElectionAddrs())
	}
	// ReadElectionHandshake reads exactly the handshake and leaves the rest.
	r := bytes.NewReader(append(v2.Encode(), 0xde, 0xad))
	if _, err := ReadElectionHandshake(r); err != nil || r.Len() != 2 {
		t.Fatalf("ReadElectionHandshake: %v, %d left", err, r.Len())
	}
}

func TestElectionHandshake_Rejects(t *testing.T) {
	long := make([]byte, ElectionMaxAddrLen+1)
	cases := map[string][]byte{
		"unknown negative version": ElectionHandshake{Version: -5, Sid: 1, Addrs: []string{"a:1"}}.Encode(),
		"empty address":            ElectionHandshake{Version: ElectionProtocolV1, Sid: 1}.Encode(),
		"address too long":         ElectionHandshake{Version: ElectionProtocolV1, Sid: 1, Addrs: []string{string(long)}}.Encode(),
		"negative address length":  append(ElectionHandshake{Version: ElectionProtocolV1, Sid: 1}.Encode()[:16], 0xff, 0xff, 0xff, 0xff),
	}
	for name, b := range cases {
		if _, err := ReadElectionHandshake(bytes.NewReader(b)); !errors.Is(err, ErrElectionHandshake) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := ReadElectionHandshake(bytes.NewReader([]byte{0xff, 0xff})); err == nil {
		t.Error("truncated handshake accepted")
	}
}

// FuzzDecodeElectionHandshake checks that the decoder never panics, that the
// reader agrees with it and reads exactly the bytes it decodes, and that what
// decodes re-encodes to the same bytes.
func FuzzDecodeElectionHandshake(f *testing.F) {
	f.Add(ElectionHandshake{Version: ElectionProtocolV1, Sid: 3, Addrs: []string{"127.0.0.1:3888"}}.Encode())
	f.Add(ElectionHandshake{Version: ElectionProtocolV2, Sid: 3, Addrs: []string{"a:1", "b:2"}}.Encode())
	f.Add(ElectionHandshake{Sid: 9}.Encode())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := DecodeElectionHandshake(b)
		r, raw, rerr := ReadElectionHandshakeBytes(bytes.NewReader(b))
		if !bytes.HasPrefix(b, raw) {
			t.Fatalf("ReadElectionHandshakeBytes returned %x, not a prefix of the input", raw)
		}
		if err != nil {
			if rerr == nil {
				t.Fatalf("ReadElectionHandshake accepted what DecodeElectionHandshake refused: %v", err)
			}
			return
		}
		if rerr != nil {
			t.Fatalf("ReadElectionHandshake: %v", rerr)
		}
		if len(raw) != n {
			t.Fatalf("ReadElectionHandshakeBytes read %d bytes, DecodeElectionHandshake used %d", len(raw), n)
		}
		if n > len(b) || r.Sid != h.Sid {
			t.Fatalf("n=%d len=%d", n, len(b))
		}
		_ = h.ElectionAddrs()
		if h.Version != 0 && !bytes.Equal(h.Encode(), b[:n]) {
			t.Fatalf("re-encode differs")
		}
	})
}
