package qcm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
)

// Reference: QuorumCnxManager.InitialMessage / startConnection (V1 header).
func TestHandshake_GoldenV1(t *testing.T) {
	h := Handshake{Version: ProtocolVersionV1, Sid: 3, Addrs: []string{"127.0.0.1:3888"}}
	want := "ffffffffffff0000" + "0000000000000003" + "0000000e" + hex.EncodeToString([]byte("127.0.0.1:3888"))
	if got := hex.EncodeToString(h.Encode()); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	back, n, err := DecodeHandshake(h.Encode())
	if err != nil || n != 34 || back.Sid != 3 || !slices.Equal(back.Addrs, h.Addrs) || back.Version != ProtocolVersionV1 {
		t.Fatalf("decode = %+v %d %v", back, n, err)
	}
}

func TestHandshake_DecodeForms(t *testing.T) {
	// Pre-3.5: the sid alone.
	h, n, err := DecodeHandshake([]byte{0, 0, 0, 0, 0, 0, 0, 7, 0xaa})
	if err != nil || n != 8 || h.Sid != 7 || h.Version != 0 {
		t.Fatalf("legacy: %+v %d %v", h, n, err)
	}
	// V2 with two addresses, one a wildcard that ElectionAddrs drops.
	v2 := Handshake{Version: ProtocolVersionV2, Sid: 5, Addrs: []string{"0.0.0.0:3888", "[::1]:3889"}}
	h, _, err = DecodeHandshake(v2.Encode())
	if err != nil || !slices.Equal(h.Addrs, v2.Addrs) || !slices.Equal(h.ElectionAddrs(), []string{"[::1]:3889"}) {
		t.Fatalf("v2: %+v %v %v", h, err, h.ElectionAddrs())
	}
	// ReadHandshake reads exactly the handshake and leaves the rest.
	r := bytes.NewReader(append(v2.Encode(), 0xde, 0xad))
	if _, err := ReadHandshake(r); err != nil || r.Len() != 2 {
		t.Fatalf("ReadHandshake: %v, %d left", err, r.Len())
	}
}

func TestHandshake_Rejects(t *testing.T) {
	long := make([]byte, MaxAddrLen+1)
	cases := map[string][]byte{
		"unknown negative version": Handshake{Version: -5, Sid: 1, Addrs: []string{"a:1"}}.Encode(),
		"empty address":            Handshake{Version: ProtocolVersionV1, Sid: 1}.Encode(),
		"address too long":         Handshake{Version: ProtocolVersionV1, Sid: 1, Addrs: []string{string(long)}}.Encode(),
		"negative address length":  append(Handshake{Version: ProtocolVersionV1, Sid: 1}.Encode()[:16], 0xff, 0xff, 0xff, 0xff),
	}
	for name, b := range cases {
		if _, err := ReadHandshake(bytes.NewReader(b)); !errors.Is(err, ErrHandshake) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := ReadHandshake(bytes.NewReader([]byte{0xff, 0xff})); err == nil {
		t.Error("truncated handshake accepted")
	}
}

func FuzzDecodeHandshake(f *testing.F) {
	f.Add(Handshake{Version: ProtocolVersionV1, Sid: 3, Addrs: []string{"127.0.0.1:3888"}}.Encode())
	f.Add(Handshake{Version: ProtocolVersionV2, Sid: 3, Addrs: []string{"a:1", "b:2"}}.Encode())
	f.Add(Handshake{Sid: 9}.Encode())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := DecodeHandshake(b)
		r, rerr := ReadHandshake(bytes.NewReader(b))
		if err != nil {
			if rerr == nil {
				t.Fatalf("ReadHandshake accepted what DecodeHandshake refused: %v", err)
			}
			return
		}
		if rerr != nil {
			t.Fatalf("ReadHandshake: %v", rerr)
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
