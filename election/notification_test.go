package election

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Reference: FastLeaderElection.buildMsg (version 2, 44+N bytes).
func TestNotification_GoldenV2(t *testing.T) {
	n := Notification{State: Following, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1,
		Version: 2, Config: "server.1=127.0.0.1:2888:3888:participant\nversion=0"}
	want := unhex(t, `00000001 0000000000000003 0000000100000005 0000000000000002 0000000000000001
		00000002 00000032`+hex.EncodeToString([]byte(n.Config)))
	got := n.Encode()
	if hex.EncodeToString(got) != hex.EncodeToString(want) {
		t.Fatalf("Encode:\n got %x\nwant %x", got, want)
	}
	if len(got) != 44+len(n.Config) {
		t.Fatalf("len %d", len(got))
	}
	back, err := DecodeNotification(got)
	if err != nil || back != n {
		t.Fatalf("decode = %+v, %v", back, err)
	}
}

// Reference: WorkerReceiver.run, backCompatibility28/backCompatibility40 and version 1.
func TestDecodeNotification_OlderFormats(t *testing.T) {
	cases := []struct {
		name string
		hex  string
		want Notification
	}{
		{"28 bytes: peerEpoch from zxid", `00000000 0000000000000002 0000000300000007 0000000000000005`,
			Notification{State: Looking, Leader: 2, Zxid: 0x300000007, ElectionEpoch: 5, PeerEpoch: 3}},
		{"40 bytes: version field not read", `00000002 0000000000000001 0000000100000000 0000000000000004 0000000000000009 00000001`,
			Notification{State: Leading, Leader: 1, Zxid: 0x100000000, ElectionEpoch: 4, PeerEpoch: 9}},
		{"44 bytes: version 1, no config", `00000003 0000000000000001 0000000000000010 0000000000000001 0000000000000000 00000001 00000000`,
			Notification{State: Observing, Leader: 1, Zxid: 0x10, ElectionEpoch: 1, Version: 1}},
		{"version 1 with trailing bytes", `00000000 0000000000000001 0000000000000010 0000000000000001 0000000000000000 00000001 ffffffffff`,
			Notification{State: Looking, Leader: 1, Zxid: 0x10, ElectionEpoch: 1, Version: 1}},
		{"version 2, empty config", `00000000 0000000000000001 0000000000000010 0000000000000001 0000000000000000 00000002 00000000`,
			Notification{State: Looking, Leader: 1, Zxid: 0x10, ElectionEpoch: 1, Version: 2}},
		{"state out of range is decoded as sent", `00000009 0000000000000002 0000000300000007 0000000000000005`,
			Notification{State: 9, Leader: 2, Zxid: 0x300000007, ElectionEpoch: 5, PeerEpoch: 3}},
	}
	for _, c := range cases {
		got, err := DecodeNotification(unhex(t, c.hex))
		if err != nil || got != c.want {
			t.Errorf("%s: got %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	// Encoding versions 0 and 1 gives the 40- and 44-byte forms.
	if b := (Notification{Version: 0}).Encode(); len(b) != 40 {
		t.Errorf("v0 len %d", len(b))
	}
	if b := (Notification{Version: 1, Config: "ignored"}).Encode(); len(b) != 44 || b[39] != 1 {
		t.Errorf("v1 len %d", len(b))
	}
}

func TestDecodeNotification_Rejects(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrShortNotification},
		{"27 bytes", make([]byte, 27), ErrShortNotification},
		{"32 bytes", make([]byte, 32), ErrMalformedNotification},
		{"36 bytes: version cut", make([]byte, 36), ErrMalformedNotification},
		{"38 bytes", make([]byte, 38), ErrMalformedNotification},
		{"v2 without config length", unhex(t, `00000000 0000000000000001 0000000000000010 0000000000000001 0000000000000000 00000002 00`), ErrMalformedNotification},
		{"negative config length", unhex(t, `00000000 0000000000000001 0000000000000010 0000000000000001 0000000000000000 00000002 ffffffff`), ErrMalformedNotification},
		{"config length beyond frame", unhex(t, `00000000 0000000000000001 0000000000000010 0000000000000001 0000000000000000 00000002 00000005 4142`), ErrMalformedNotification},
	}
	for _, c := range cases {
		_, err := DecodeNotification(c.b)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestConfigVersion(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"server.1=a:1:2:participant\nversion=0", 0, true},
		{"server.1=a:1:2:participant\nversion=1a0000000", 0x1a0000000, true},
		{"server.1=a:1:2:participant", 0, false},
		{"version=zz", 0, false},
	} {
		got, ok := ConfigVersion(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ConfigVersion(%q) = %x,%v", c.in, got, ok)
		}
	}
}

func FuzzDecodeNotification(f *testing.F) {
	f.Add(Notification{State: Looking, Leader: 1, Zxid: 5, ElectionEpoch: 1, PeerEpoch: 0, Version: 2, Config: "version=0"}.Encode())
	f.Add(Notification{Version: 1}.Encode())
	f.Add(Notification{Version: 0}.Encode())
	f.Add(make([]byte, 28))
	f.Add([]byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := DecodeNotification(b)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to bytes that decode the same
		// (28-byte messages come back in the 40-byte form).
		n2, err := DecodeNotification(n.Encode())
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if n2 != n {
			t.Fatalf("round trip: %+v != %+v", n2, n)
		}
	})
}
