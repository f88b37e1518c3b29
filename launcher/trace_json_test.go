package launcher

import (
	"bytes"
	"encoding/json"
	"testing"
)

// appendJSON writes exactly what encoding/json writes for a Message.
func TestMessage_AppendJSONMatchesEncodingJSON(t *testing.T) {
	msgs := []Message{
		{Seq: 1, TimeNs: 1796661238215767000, Link: "election 1->3", Conn: 7, Direction: "forward", From: 1, To: 3,
			Kind: MsgElection, Type: "notification", Size: 44,
			Fields:  map[string]any{"state": "LOOKING", "leader": int64(3), "zxid": "0x0", "version": int32(2), "payload": 40},
			Summary: "LOOKING leader=3 zxid=0x0 round=0x1 peerEpoch=0x0"},
		{Seq: 2, Link: "quorum 2->1", Direction: "back", Kind: MsgZab, Type: "PROPOSAL", Fault: "delayed",
			Fields:  map[string]any{"path": "/a\"b\\c\n\x01<&>é\u2028\u2029", "odd": []int{1}},
			Summary: "PROPOSAL 0x1 create /a", Raw: []byte{0, 1, 2, 0xff}},
		{Seq: 3, Type: "opaque", Summary: "bad \xff utf-8"},
	}
	for _, m := range msgs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
		got := string(m.appendJSON(nil)) + "\n"
		if got != want.String() {
			t.Fatalf("appendJSON\n%s\nencoding/json\n%s", got, want.String())
		}
	}
}
