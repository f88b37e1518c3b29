package main

import (
	"encoding/json"
	"testing"

	"github.com/zkctl/zkctl/launcher"
)

// The export is Chrome trace-event JSON: a named track per server, a flow
// per delivered message, and election and sync spans.
func TestPerfettoTrace_TracksFlowsAndSpans(t *testing.T) {
	note := func(seq uint64, ns int64, from, to int, state, fault string) launcher.Message {
		return launcher.Message{Seq: seq, TimeNs: ns, From: from, To: to, Kind: launcher.MsgElection, Type: "notification", Fault: fault,
			Fields: map[string]any{"state": state, "leader": 2}}
	}
	msgs := []launcher.Message{
		note(1, 1000, 1, 2, "LOOKING", ""),
		note(2, 2000, 2, 1, "LOOKING", "dropped"),
		note(3, 9000, 1, 2, "FOLLOWING", ""),
		{Seq: 4, TimeNs: 10000, From: 1, To: 2, Kind: launcher.MsgZab, Type: "FOLLOWERINFO"},
		{Seq: 5, TimeNs: 30000, From: 2, To: 1, Kind: launcher.MsgZab, Type: "UPTODATE"},
		// Server 3 decides without a FOLLOWING vote: its FOLLOWERINFO ends the election.
		note(6, 40000, 3, 2, "LOOKING", ""),
		{Seq: 7, TimeNs: 45000, From: 3, To: 2, Kind: launcher.MsgZab, Type: "FOLLOWERINFO"},
	}
	out, err := perfettoTrace(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []traceEvent `json:"traceEvents"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range doc.TraceEvents {
		count[e.Ph]++
		if e.Ph == "X" && e.Tid == tidPhases {
			count[e.Name]++
			if e.Name == "election" && !(e.Pid == 1 && e.Ts == 1 && e.Dur == 8) && !(e.Pid == 3 && e.Ts == 40 && e.Dur == 5) {
				t.Fatalf("election span %+v", e)
			}
			if e.Name == "sync" && (e.Pid != 1 || e.Ts != 10 || e.Dur != 20) {
				t.Fatalf("sync span %+v", e)
			}
		}
	}
	// 7 messages start a flow, the dropped one has no end.
	if count["M"] != 9 || count["s"] != 7 || count["f"] != 6 || count["election"] != 2 || count["sync"] != 1 {
		t.Fatalf("events by phase: %v", count)
	}
}
