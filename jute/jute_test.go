package jute

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEncoding_KnownBytes pins records byte for byte against encodings
// computed by hand from zookeeper.jute (big-endian, int32 length prefixes).
func TestEncoding_KnownBytes(t *testing.T) {
	cases := []struct {
		name string
		rec  Record
		hex  string
	}{
		{"RequestHeader", &RequestHeader{Xid: 1, Type: OpCreate}, "00000001 00000001"},
		{"ReplyHeader ping", &ReplyHeader{Xid: -2, Zxid: 0x100000005, Err: 0}, "fffffffe 0000000100000005 00000000"},
		{"ReplyHeader NoNode", &ReplyHeader{Xid: 7, Zxid: 3, Err: ErrNoNode}, "00000007 0000000000000003 ffffff9b"},
		{"ConnectRequest go-zk", &ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16)},
			"00000000 0000000000000000 00007530 0000000000000000 00000010 00000000000000000000000000000000"},
		{"ConnectResponse readOnly", &ConnectResponse{TimeOut: 4000, SessionID: 0x1000001, Passwd: []byte{1, 2}, HasReadOnly: true},
			"00000000 00000fa0 0000000001000001 00000002 0102 00"},
		{"CreateRequest", &CreateRequest{Path: "/a", Data: []byte("x"), ACL: OpenACLUnsafe(), Flags: FlagEphemeral},
			"00000002 2f61 00000001 78 00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000001"},
		{"null data", &SetDataRequest{Path: "/", Data: nil, Version: -1}, "00000001 2f ffffffff ffffffff"},
		{"Stat", &Stat{Czxid: 1, Mzxid: 2, Ctime: 3, Mtime: 4, Version: 5, Cversion: 6, Aversion: 7, EphemeralOwner: 8, DataLength: 9, NumChildren: 10, Pzxid: 11},
			"0000000000000001 0000000000000002 0000000000000003 0000000000000004 00000005 00000006 00000007 0000000000000008 00000009 0000000a 000000000000000b"},
		{"WatcherEvent", &WatcherEvent{Type: EventNodeDeleted, State: StateSyncConnected, Path: "/p"}, "00000002 00000003 00000002 2f70"},
		{"MultiHeader end", &MultiHeader{Type: -1, Done: true, Err: -1}, "ffffffff 01 ffffffff"},
		{"empty children", &ChildrenResponse{}, "00000000"},
		{"TxnHeader", &TxnHeader{ClientID: 0x10, Cxid: 2, Zxid: 0x100000001, Time: 1000, Type: OpCreate},
			"0000000000000010 00000002 0000000100000001 00000000000003e8 00000001"},
		{"QuorumPacket empty", &QuorumPacket{Type: PacketUpToDate, Zxid: -1}, "0000000c ffffffffffffffff ffffffff ffffffff"},
		{"LearnerInfo", &LearnerInfo{ServerID: 3, ProtocolVersion: ProtocolVersion, ConfigVersion: 0},
			"0000000000000003 00010000 0000000000000000"},
		{"FileHeader log", &FileHeader{Magic: TxnLogMagic, Version: FileVersion, DBID: 0}, "5a4b4c47 00000002 0000000000000000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := mustHex(t, c.hex)
			got := Encode(c.rec)
			if !bytes.Equal(got, want) {
				t.Fatalf("encode:\n got %x\nwant %x", got, want)
			}
			fresh := reflect.New(reflect.TypeOf(c.rec).Elem()).Interface().(Record)
			if cr, ok := fresh.(*ConnectRequest); ok {
				_ = cr
			}
			if err := DecodeExact(want, fresh); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if again := Encode(fresh); !bytes.Equal(again, want) {
				t.Fatalf("round trip:\n got %x\nwant %x", again, want)
			}
		})
	}
}

func TestDecode_NullAndLimits(t *testing.T) {
	// A null string (kazoo's empty string) reads as "".
	var id Id
	if err := DecodeExact(mustHex(t, "ffffffff 00000003 616263"), &id); err != nil || id.Scheme != "" || id.ID != "abc" {
		t.Fatalf("null string: %+v %v", id, err)
	}
	// Null buffer stays nil, empty buffer is non-nil.
	var g GetDataResponse
	if err := Decode(append(mustHex(t, "ffffffff"), make([]byte, 68)...), &g); err != nil || g.Data != nil {
		t.Fatalf("null buffer: %v %v", g.Data, err)
	}
	if err := Decode(append(mustHex(t, "00000000"), make([]byte, 68)...), &g); err != nil || g.Data == nil {
		t.Fatalf("empty buffer: %v %v", g.Data, err)
	}
	// A negative length other than -1 is an error.
	if err := Decode(mustHex(t, "fffffffe"), &id); !errors.Is(err, ErrLength) {
		t.Fatalf("want ErrLength, got %v", err)
	}
	// An over-limit length is an error, not an allocation.
	d := NewDecoder(mustHex(t, "7fffffff"))
	d.MaxFieldLen = 100
	_ = d.Buffer()
	if !errors.Is(d.Err(), ErrLength) {
		t.Fatalf("want ErrLength, got %v", d.Err())
	}
	// A vector count larger than the input is an error.
	if err := Decode(mustHex(t, "00100000"), &ChildrenResponse{}); !errors.Is(err, ErrShort) {
		t.Fatalf("want ErrShort, got %v", err)
	}
	// Truncated input.
	if err := Decode(mustHex(t, "000000"), &RequestHeader{}); !errors.Is(err, ErrShort) {
		t.Fatalf("want ErrShort, got %v", err)
	}
	// Trailing bytes are refused by DecodeExact only.
	if err := DecodeExact(mustHex(t, "00000001 00000001 00"), &RequestHeader{}); err == nil {
		t.Fatal("DecodeExact accepted trailing bytes")
	}
}

func TestTxn_RoundTripAndLegacyCreate(t *testing.T) {
	txn := &Txn{
		Hdr:    TxnHeader{ClientID: 1, Cxid: 1, Zxid: 0x100000002, Time: 5, Type: OpMulti},
		Body:   &MultiTxn{Txns: []SubTxn{{Type: OpCreate, Data: Encode(&CreateTxn{Path: "/x", ACL: OpenACLUnsafe(), ParentCVersion: 1})}, {Type: OpError, Data: Encode(&ErrorTxn{Err: ErrRuntimeInconsistency})}}},
		Digest: &TxnDigest{Version: 2, TreeDigest: 42},
	}
	got, err := DecodeTxn(Encode(txn))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, txn) {
		t.Fatalf("round trip mismatch:\n got %+v\nwant %+v", got, txn)
	}
	// CreateTxnV0: no parentCVersion.
	e := NewEncoder(nil)
	e.String("/v0")
	e.Buffer([]byte("d"))
	EncodeACLs(e, OpenACLUnsafe())
	e.Bool(false)
	var c CreateTxn
	if err := DecodeExact(e.Bytes(), &c); err != nil || c.ParentCVersion != -1 || c.Path != "/v0" {
		t.Fatalf("v0 create: %+v %v", c, err)
	}
	// closeSession with no body.
	var cs CloseSessionTxn
	if err := DecodeExact(nil, &cs); err != nil || cs.Paths2Delete != nil {
		t.Fatalf("empty closeSession: %+v %v", cs, err)
	}
}

func TestZxid(t *testing.T) {
	z := MakeZxid(3, 7)
	if z != 0x300000007 || EpochOf(z) != 3 || CounterOf(z) != 7 {
		t.Fatalf("zxid helpers: %x", z)
	}
}

// FuzzDecodeRecords feeds arbitrary bytes to every decoder: no panics, and
// whatever decodes re-encodes to a prefix-stable form that decodes again.
func FuzzDecodeRecords(f *testing.F) {
	f.Add(mustHexF("00000001 00000001"))
	f.Add(mustHexF("0000000c ffffffffffffffff ffffffff ffffffff"))
	f.Add(Encode(&CreateRequest{Path: "/a", ACL: OpenACLUnsafe()}))
	f.Add(Encode(&Txn{Hdr: TxnHeader{Type: OpCreate}, Body: &CreateTxn{Path: "/a"}}))
	makers := []func() Record{
		func() Record { return &ConnectRequest{} }, func() Record { return &ConnectResponse{} },
		func() Record { return &RequestHeader{} }, func() Record { return &ReplyHeader{} },
		func() Record { return &MultiHeader{} }, func() Record { return &AuthPacket{} },
		func() Record { return &CreateRequest{} }, func() Record { return &CreateRequest{HasTTL: true} },
		func() Record { return &SetDataRequest{} }, func() Record { return &SetACLRequest{} },
		func() Record { return &SetWatches{} }, func() Record { return &SetWatches{V2: true} },
		func() Record { return &GetACLResponse{} }, func() Record { return &WhoAmIResponse{} },
		func() Record { return &Txn{} }, func() Record { return &QuorumPacket{} },
		func() Record { return &LearnerInfo{} }, func() Record { return &MultiTxn{} },
		func() Record { return &ReconfigRequest{} }, func() Record { return &Children2Response{} },
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, mk := range makers {
			r := mk()
			if err := Decode(b, r); err != nil {
				continue
			}
			enc := Encode(r)
			r2 := mk()
			if err := Decode(enc, r2); err != nil {
				t.Fatalf("%T: re-decode of own encoding failed: %v", r, err)
			}
		}
	})
}

func mustHexF(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}
