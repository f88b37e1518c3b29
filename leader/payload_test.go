package leader

import (
	"bytes"
	"errors"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

func TestPayload_RoundTrips(t *testing.T) {
	r := Request{SessionID: 0x1000001, Cxid: 7, Type: jute.OpCreate, Data: []byte{1, 2, 3}}
	got, err := DecodeRequest(EncodeRequest(r))
	if err != nil || got.SessionID != r.SessionID || got.Cxid != r.Cxid || got.Type != r.Type || !bytes.Equal(got.Data, r.Data) {
		t.Fatalf("request round trip: %+v %v", got, err)
	}
	touches := []SessionTouch{{1, 4000}, {-5, 30000}}
	gt, err := DecodePing(EncodePing(touches))
	if err != nil || len(gt) != 2 || gt[1] != touches[1] {
		t.Fatalf("ping round trip: %+v %v", gt, err)
	}
	if b := EncodePing(nil); b == nil || len(b) != 0 {
		t.Fatalf("empty ping data = %v, want an empty, non-null buffer (3.8's LearnerHandler dereferences it)", b)
	}
	sid, to, err := DecodeRevalidate(EncodeRevalidate(9, 5000))
	if err != nil || sid != 9 || to != 5000 {
		t.Fatalf("revalidate: %d %d %v", sid, to, err)
	}
	sid, ok, err := DecodeRevalidateReply(EncodeRevalidateReply(9, true))
	if err != nil || sid != 9 || !ok {
		t.Fatalf("revalidate reply: %d %v %v", sid, ok, err)
	}
	li, err := DecodeLearnerInfo(jute.Encode(&jute.LearnerInfo{ServerID: 3, ProtocolVersion: jute.ProtocolVersion, ConfigVersion: 0x100000000}))
	if err != nil || li.ServerID != 3 || li.ConfigVersion != 0x100000000 {
		t.Fatalf("learner info: %+v %v", li, err)
	}
	// 12-byte form (no config version) is accepted.
	if li, err := DecodeLearnerInfo(jute.Encode(&jute.LearnerInfo{ServerID: 4, ProtocolVersion: jute.ProtocolVersion})[:12]); err != nil || li.ServerID != 4 {
		t.Fatalf("short learner info: %+v %v", li, err)
	}
	if v, err := DecodeEpoch(EncodeEpoch(-1)); err != nil || v != -1 {
		t.Fatalf("epoch: %d %v", v, err)
	}
}

func TestPayload_BadInput(t *testing.T) {
	bad := []struct {
		name string
		err  error
	}{
		{"request", func() error { _, err := DecodeRequest(make([]byte, 15)); return err }()},
		{"ping", func() error { _, err := DecodePing(make([]byte, 13)); return err }()},
		{"revalidate", func() error { _, _, err := DecodeRevalidate(make([]byte, 11)); return err }()},
		{"revalidate reply", func() error { _, _, err := DecodeRevalidateReply(make([]byte, 8)); return err }()},
		{"learner info null", func() error { _, err := DecodeLearnerInfo(nil); return err }()},
		{"learner info old protocol", func() error {
			_, err := DecodeLearnerInfo(jute.Encode(&jute.LearnerInfo{ServerID: 1, ProtocolVersion: 1}))
			return err
		}()},
		{"epoch", func() error { _, err := DecodeEpoch([]byte{0, 0, 1}); return err }()},
	}
	for _, b := range bad {
		if !errors.Is(b.err, ErrBadPacket) {
			t.Errorf("%s: got %v, want ErrBadPacket", b.name, b.err)
		}
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add(EncodeRequest(Request{SessionID: 1, Cxid: 2, Type: jute.OpSync, Data: []byte("/a")}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeRequest(data)
		if err != nil {
			return
		}
		if !bytes.Equal(EncodeRequest(r), data) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func FuzzDecodePing(f *testing.F) {
	f.Add(EncodePing([]SessionTouch{{1, 2}}))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := DecodePing(data)
		if err != nil {
			return
		}
		if !bytes.Equal(EncodePing(ts), data) && len(data) != 0 {
			t.Fatalf("re-encoding differs")
		}
	})
}

func FuzzDecodeRevalidate(f *testing.F) {
	f.Add(EncodeRevalidate(5, 6000))
	f.Add(EncodeRevalidateReply(5, true))
	f.Fuzz(func(t *testing.T, data []byte) {
		if sid, to, err := DecodeRevalidate(data); err == nil && !bytes.Equal(EncodeRevalidate(sid, to), data[:12]) {
			t.Fatalf("revalidate re-encoding differs")
		}
		if sid, ok, err := DecodeRevalidateReply(data); err == nil && EncodeRevalidateReply(sid, ok)[0] != data[0] {
			t.Fatalf("reply re-encoding differs")
		}
	})
}

func FuzzDecodeLearnerInfo(f *testing.F) {
	f.Add(jute.Encode(&jute.LearnerInfo{ServerID: 2, ProtocolVersion: jute.ProtocolVersion, ConfigVersion: 1}))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		li, err := DecodeLearnerInfo(data)
		if err == nil && li.ProtocolVersion < jute.ProtocolVersion {
			t.Fatalf("accepted protocol 0x%x", li.ProtocolVersion)
		}
	})
}

func FuzzDecodeEpoch(f *testing.F) {
	f.Add(EncodeEpoch(3))
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, err := DecodeEpoch(data); err == nil && !bytes.Equal(EncodeEpoch(v), data[:4]) {
			t.Fatalf("re-encoding differs")
		}
	})
}
