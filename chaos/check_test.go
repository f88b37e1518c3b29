package chaos

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func w(client, reg int, v string, call, ret int64, result string) Op {
	return Op{Client: client, Op: OpWrite, Register: reg, Value: v, InvokeNs: call, CompleteNs: ret, Result: result}
}

func rd(client, reg int, seen string, call, ret int64) Op {
	return Op{Client: client, Op: OpRead, Register: reg, Observed: seen, InvokeNs: call, CompleteNs: ret, Result: ResultOK}
}

func cas(client, reg int, exp, v string, call, ret int64, result string) Op {
	return Op{Client: client, Op: OpCAS, Register: reg, Expected: exp, Value: v, InvokeNs: call, CompleteNs: ret, Result: result}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		ops  []Op
		want bool
	}{
		{"sequential write read", []Op{w(0, 0, "a", 0, 10, ResultOK), rd(1, 0, "a", 20, 30)}, true},
		{"stale read after completed write", []Op{w(0, 0, "a", 0, 10, ResultOK), w(0, 0, "b", 20, 30, ResultOK), rd(1, 0, "a", 40, 50)}, false},
		{"concurrent read sees either", []Op{w(0, 0, "a", 0, 10, ResultOK), w(0, 0, "b", 20, 60, ResultOK), rd(1, 0, "a", 30, 40), rd(2, 0, "b", 45, 50)}, true},
		{"read goes back in time", []Op{w(0, 0, "a", 0, 10, ResultOK), w(0, 0, "b", 20, 60, ResultOK), rd(1, 0, "b", 30, 40), rd(2, 0, "a", 45, 50)}, false},
		{"value never written", []Op{rd(1, 0, "zzz", 0, 5)}, false},
		{"cas ok on read value", []Op{w(0, 0, "a", 0, 10, ResultOK), cas(1, 0, "a", "b", 20, 30, ResultOK), rd(2, 0, "b", 40, 50)}, true},
		{"cas ok on wrong value", []Op{w(0, 0, "a", 0, 10, ResultOK), cas(1, 0, "x", "b", 20, 30, ResultOK)}, false},
		{"cas fail although it matched", []Op{w(0, 0, "a", 0, 10, ResultOK), cas(1, 0, "a", "b", 20, 30, ResultFail)}, false},
		{"cas fail on mismatch", []Op{w(0, 0, "a", 0, 10, ResultOK), cas(1, 0, "x", "b", 20, 30, ResultFail), rd(2, 0, "a", 40, 50)}, true},
		{"unknown write that took effect", []Op{w(0, 0, "a", 0, 10, ResultOK), w(1, 0, "b", 20, 30, ResultUnknown), rd(2, 0, "b", 100, 110)}, true},
		{"unknown write that did not take effect", []Op{w(0, 0, "a", 0, 10, ResultOK), w(1, 0, "b", 20, 30, ResultUnknown), rd(2, 0, "a", 100, 110)}, true},
		{"unknown cas that took effect", []Op{w(0, 0, "a", 0, 10, ResultOK), cas(1, 0, "a", "c", 20, 30, ResultUnknown), rd(2, 0, "c", 100, 110)}, true},
		{"unknown write cannot act before invoke", []Op{w(0, 0, "a", 0, 10, ResultOK), rd(2, 0, "b", 12, 15), w(1, 0, "b", 20, 30, ResultUnknown)}, false},
		{"registers independent", []Op{w(0, 0, "a", 0, 10, ResultOK), w(0, 1, "b", 0, 10, ResultOK), rd(1, 0, "a", 20, 30), rd(1, 1, "b", 20, 30)}, true},
		{"failed read ignored", []Op{w(0, 0, "a", 0, 10, ResultOK), {Client: 1, Op: OpRead, Observed: "junk", InvokeNs: 20, CompleteNs: 30, Result: ResultFail}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Check(c.ops, CheckOptions{Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if res.Inconclusive {
				t.Fatalf("inconclusive: %v", res)
			}
			if res.Linearizable != c.want {
				t.Fatalf("linearizable = %v, want %v (%v)", res.Linearizable, c.want, res)
			}
		})
	}
}

func TestCheckFile_WritesVisualisation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.jsonl")
	h, err := OpenHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []Op{w(0, 0, "a", 0, 10, ResultOK), w(0, 0, "b", 20, 30, ResultOK), rd(1, 0, "a", 40, 50)} {
		if err := h.Append(op); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := CheckFile(path, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.Linearizable || res.HTMLPath != filepath.Join(dir, "history.html") {
		t.Fatalf("res = %+v", res)
	}
	b, err := os.ReadFile(res.HTMLPath)
	if err != nil || !bytes.Contains(b, []byte("<html")) {
		t.Fatalf("visualisation missing: %v", err)
	}
	if !strings.Contains(res.String(), "NOT linearizable") {
		t.Fatalf("String() = %q", res.String())
	}
}

func TestDecodeHistory(t *testing.T) {
	good := `{"client":0,"op":"write","register":1,"value":"a","invoke_ns":1,"complete_ns":2,"result":"ok"}` + "\n\n"
	ops, err := DecodeHistory(strings.NewReader(good + `{"client":1,"op":"re`))
	if err != nil || len(ops) != 1 || ops[0].Value != "a" {
		t.Fatalf("ops=%v err=%v", ops, err)
	}
	for _, bad := range []string{
		`{"client":0,"op":"delete","register":1,"invoke_ns":1,"complete_ns":2,"result":"ok"}` + "\n",
		`{"client":0,"op":"read","register":1,"invoke_ns":1,"complete_ns":2,"result":"maybe"}` + "\n",
		`{"client":0,"op":"read","register":1,"invoke_ns":5,"complete_ns":2,"result":"ok"}` + "\n",
		"not json\n",
	} {
		if _, err := DecodeHistory(strings.NewReader(good + bad)); err == nil || !strings.Contains(err.Error(), "line 3") {
			t.Fatalf("DecodeHistory(%q) err = %v, want line 3 error", bad, err)
		}
	}
}

func FuzzDecodeHistory(f *testing.F) {
	f.Add(`{"client":0,"op":"write","register":1,"value":"a","invoke_ns":1,"complete_ns":2,"result":"ok"}` + "\n")
	f.Add(`{"client":0,"op":"cas","register":0,"expected":"a","value":"b","invoke_ns":1,"complete_ns":9,"result":"unknown"}` + "\n")
	f.Add("{}\n[]\n")
	f.Fuzz(func(t *testing.T, s string) {
		ops, err := DecodeHistory(strings.NewReader(s))
		if err != nil {
			return
		}
		if len(ops) > 8 {
			ops = ops[:8]
		}
		if _, err := Check(ops, CheckOptions{Timeout: time.Second}); err != nil {
			t.Fatal(err)
		}
	})
}
