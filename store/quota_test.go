package store

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

// The expected strings below are what 3.8's StatsTrack produces for the same
// input (toString after new StatsTrack(s)), worked out from its source.
func TestStatsTrack_ParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{in: "", want: "count=-1,bytes=-1"},
		{in: "count=0,bytes=0", want: "count=0,bytes=0"},
		{in: "count=5,bytes=-1", want: "count=5,bytes=-1"},
		{in: "count=-1,bytes=-1=;countHardLimit=2", want: "count=-1,bytes=-1=;countHardLimit=2"},
		{in: "count=3,bytes=7=;byteHardLimit=9;countHardLimit=2", want: "count=3,bytes=7=;byteHardLimit=9;countHardLimit=2"},
		{in: "countHardLimit=2;count=1", want: "count=1,bytes=-1=;countHardLimit=2"},
		{in: "count=1,,;;bytes=2", want: "count=1,bytes=2"},
		{in: "count=,bytes=4", bad: true},                  // "count=".split("=") has no value
		{in: "count==5,bytes=4", want: "count=-1,bytes=4"}, // empty value reads -1
		{in: "count==,bytes=4", bad: true},                 // trailing empties dropped: no value
		{in: "count=1=2", want: "count=1,bytes=-1"},
		{in: "count=1,count=2", want: "count=2,bytes=-1"},
		{in: "=5", want: "count=-1,bytes=-1=;=5"},
		{in: ",count=1", bad: true}, // leading separator yields an empty pair
		{in: "count=1,", want: "count=1,bytes=-1"},
		{in: ",,,", want: "count=-1,bytes=-1"},
		{in: "count=x", bad: true},
		{in: "count=99999999999999999999", bad: true},
		{in: "count=+4", want: "count=4,bytes=-1"},
		{in: "==", bad: true},
	} {
		st, err := ParseStatsTrack(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrBadStatsTrack) {
				t.Errorf("%q: err %v, want ErrBadStatsTrack", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := st.String(); got != tc.want {
			t.Errorf("%q: String() = %q, want %q", tc.in, got, tc.want)
		}
	}
	var st StatsTrack
	st.SetCountHardLimit(3)
	st.SetBytes(10)
	if got := st.String(); got != "count=-1,bytes=10=;countHardLimit=3" {
		t.Errorf("built: %q", got)
	}
	if st.Count() != -1 || st.ByteHardLimit() != -1 || st.Bytes() != 10 || st.CountHardLimit() != 3 {
		t.Errorf("getters: %+v", st)
	}
}

// FuzzStatsTrack checks the parser never panics and that what it formats
// parses back to the same text (zookeeper_stats is rewritten on every update).
func FuzzStatsTrack(f *testing.F) {
	for _, s := range []string{"", "count=1,bytes=2", "count=-1,bytes=-1=;countHardLimit=2", "=5", "a==;;b=3,", ",x=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStatsTrack(s)
		if err != nil {
			return
		}
		out := st.String()
		st2, err := ParseStatsTrack(out)
		if err != nil {
			t.Fatalf("%q formatted to %q, which does not parse: %v", s, out, err)
		}
		if out2 := st2.String(); out2 != out {
			t.Fatalf("%q: %q reformatted as %q", s, out, out2)
		}
		if st.Count() != st2.Count() || st.Bytes() != st2.Bytes() || st.CountHardLimit() != st2.CountHardLimit() || st.ByteHardLimit() != st2.ByteHardLimit() {
			t.Fatalf("%q: values changed through %q", s, out)
		}
	})
}

// quotaTree builds what `setquota` leaves after "create /q", with limits
// text lim: /q and /zookeeper/quota/q/{zookeeper_limits,zookeeper_stats},
// created in the order SetQuotaCommand creates them.
type quotaTree struct {
	t    *testing.T
	tr   *DataTree
	zxid int64
}

func newQuotaTree(t *testing.T) *quotaTree { return &quotaTree{t: t, tr: NewDataTree()} }

func (q *quotaTree) create(path, data string) {
	q.t.Helper()
	q.zxid++
	mustOK(q.t, q.tr.Apply(createTxn(q.zxid, path, data, -1)))
}

func (q *quotaTree) del(path string) {
	q.t.Helper()
	q.zxid++
	mustOK(q.t, q.tr.Apply(mkTxn(q.zxid, 0x10, jute.OpDelete, &jute.DeleteTxn{Path: path})))
}

func (q *quotaTree) set(path, data string) {
	q.t.Helper()
	q.zxid++
	mustOK(q.t, q.tr.Apply(mkTxn(q.zxid, 0x10, jute.OpSetData, &jute.SetDataTxn{Path: path, Data: []byte(data), Version: 1})))
}

func (q *quotaTree) setquota(path, limits string) {
	q.t.Helper()
	qp := QuotaPath
	for _, c := range strings.Split(path[1:], "/") {
		qp += "/" + c
		if !q.tr.Exists(qp) {
			q.create(qp, "")
		}
	}
	q.create(qp+"/"+QuotaLimitNode, limits)
	q.create(qp+"/"+QuotaStatNode, "count=0,bytes=0")
}

func (q *quotaTree) stats(path string) string {
	q.t.Helper()
	v, ok := q.tr.Get(QuotaPath + path + "/" + QuotaStatNode)
	if !ok {
		q.t.Fatalf("no stats node for %s", path)
	}
	return string(v.Data)
}

// TestQuota_Counting follows 3.8 DataTree: the quota root counts itself,
// setquota on a populated subtree counts it, creates/deletes/setData adjust
// the nearest root, nodes outside are not counted, and deleting the limits
// node stops counting.
func TestQuota_Counting(t *testing.T) {
	q := newQuotaTree(t)
	q.create("/q", "ab")
	q.create("/q/pre", "xyz")
	q.create("/other", "zzzz")
	q.setquota("/q", "count=-1,bytes=-1=;countHardLimit=4")
	if got := q.stats("/q"); got != "count=2,bytes=5" {
		t.Fatalf("after setquota on populated subtree: %q", got)
	}
	if got := q.tr.QuotaRoots(); !reflect.DeepEqual(got, []string{"/q"}) {
		t.Fatalf("roots %v", got)
	}
	q.create("/q/a", "x")
	q.create("/q/a/b", "")
	q.create("/qq", "not under /q")
	q.create("/other/c", "c")
	if got := q.stats("/q"); got != "count=4,bytes=6" {
		t.Fatalf("after creates: %q", got)
	}
	q.set("/q/a", "12345")
	q.set("/q", "")
	if got := q.stats("/q"); got != "count=4,bytes=8" {
		t.Fatalf("after setData: %q", got)
	}
	q.del("/q/a/b")
	if got := q.stats("/q"); got != "count=3,bytes=8" {
		t.Fatalf("after delete: %q", got)
	}
	// A client rewriting the stats with extra keys keeps them (3.8 parses
	// and re-formats on each update).
	q.set(QuotaPath+"/q/"+QuotaStatNode, "count=10,bytes=1=;note=7")
	q.create("/q/n", "")
	if got := q.stats("/q"); got != "count=11,bytes=1=;note=7" {
		t.Fatalf("stats with extra key: %q", got)
	}
	q.del(QuotaPath + "/q/" + QuotaLimitNode)
	if got := q.tr.QuotaRoots(); len(got) != 0 {
		t.Fatalf("roots after deleting limits: %v", got)
	}
	q.create("/q/m", "zz")
	if got := q.stats("/q"); got != "count=11,bytes=1=;note=7" {
		t.Fatalf("counted after the limits node was deleted: %q", got)
	}
}

// TestQuota_NearestRoot: with nested quotas (which setquota refuses but a
// client can create), only the deepest root counts, as 3.8's findMaxPrefix.
func TestQuota_NearestRoot(t *testing.T) {
	q := newQuotaTree(t)
	q.create("/a", "")
	q.create("/a/b", "")
	q.setquota("/a", "count=10,bytes=-1")
	q.setquota("/a/b", "count=10,bytes=-1")
	if got := q.stats("/a"); got != "count=2,bytes=0" {
		t.Fatalf("/a: %q", got)
	}
	q.create("/a/b/c", "1")
	q.create("/a/d", "22")
	if got := q.stats("/a"); got != "count=3,bytes=2" {
		t.Fatalf("/a: %q", got)
	}
	if got := q.stats("/a/b"); got != "count=2,bytes=1" {
		t.Fatalf("/a/b: %q", got)
	}
}

// TestQuota_DataSizeAndDigestAs38: stats updates change neither
// ApproximateDataSize nor the digest (3.8 updateQuotaStat touches only data),
// so both stay what 3.8 reports.
func TestQuota_DataSizeAndDigestAs38(t *testing.T) {
	q := newQuotaTree(t)
	q.create("/q", "")
	q.setquota("/q", "count=5,bytes=-1")
	size, digest := q.tr.ApproximateDataSize(), q.tr.Digest()
	q.tr.mu.Lock()
	q.tr.updateQuotaStat("/q", 1000, 1000)
	q.tr.mu.Unlock()
	if q.tr.ApproximateDataSize() != size || q.tr.Digest() != digest {
		t.Fatalf("size %d→%d digest %d→%d", size, q.tr.ApproximateDataSize(), digest, q.tr.Digest())
	}
	if d := recomputeDigest(q.tr); d != q.tr.Digest() {
		t.Fatalf("digest %d, recomputed %d", q.tr.Digest(), d)
	}
}

// TestQuota_SnapshotSetup: a snapshot holding stale stats is recounted on
// load and the roots rebuilt (3.8 DataTree.setupQuota after deserialize).
func TestQuota_SnapshotSetup(t *testing.T) {
	q := newQuotaTree(t)
	q.create("/q", "abc")
	q.create("/q/x", "de")
	q.setquota("/q", "count=-1,bytes=-1=;byteHardLimit=100")
	q.set(QuotaPath+"/q/"+QuotaStatNode, "count=99,bytes=99")
	var buf bytes.Buffer
	if err := writeSnapshotBody(&buf, q.tr, map[int64]int32{}); err != nil {
		t.Fatal(err)
	}
	size := q.tr.ApproximateDataSize()
	tr, _, err := readSnapshotBody(&buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.QuotaRoots(); !reflect.DeepEqual(got, []string{"/q"}) {
		t.Fatalf("roots %v", got)
	}
	v, _ := tr.Get(QuotaPath + "/q/" + QuotaStatNode)
	if string(v.Data) != "count=2,bytes=5" {
		t.Fatalf("stats after load: %q", v.Data)
	}
	if tr.ApproximateDataSize() != size {
		t.Fatalf("size after load %d, before %d (3.8 sizes the snapshot's data, before setupQuota)", tr.ApproximateDataSize(), size)
	}
	q2 := &quotaTree{t: t, tr: tr, zxid: 100}
	q2.create("/q/y", "f")
	if got := q2.stats("/q"); got != "count=3,bytes=6" {
		t.Fatalf("after load + create: %q", got)
	}
}

// TestQuota_CheckQuota is 3.8 checkQuota's decision table.
func TestQuota_CheckQuota(t *testing.T) {
	q := newQuotaTree(t)
	q.create("/s", "")
	q.create("/h", "")
	q.create("/hb", "")
	q.create("/both", "")
	q.create("/none", "")
	q.create("/bad", "")
	q.create("/free", "")
	q.setquota("/s", "count=2,bytes=5")                       // soft: count 1 of 2, bytes 0 of 5
	q.setquota("/h", "count=-1,bytes=-1=;countHardLimit=2")   // hard count
	q.setquota("/hb", "count=-1,bytes=-1=;byteHardLimit=4")   // hard bytes
	q.setquota("/both", "count=1,bytes=-1=;countHardLimit=3") // hard wins over soft
	q.setquota("/none", "count=-1,bytes=-1")
	q.setquota("/bad", "count=1")
	q.set(QuotaPath+"/bad/"+QuotaLimitNode, "count=zz")
	q.create("/hb/x", "abc")
	for _, tc := range []struct {
		path         string
		count, bytes int64
		want         jute.Err
		warn         string
	}{
		{"/free/x", 1, 100, jute.ErrOK, ""},
		{"/s/a", 1, 0, jute.ErrOK, ""}, // 2 of 2
		{"/s", 0, 5, jute.ErrOK, ""},   // 5 of 5
		{"/s/a", 1, 6, jute.ErrOK, "Quota exceeded: /s [current bytes=6, softByteLimit=5]"},
		{"/h/a", 1, 0, jute.ErrOK, ""},   // count 2 of 2 (root counted)
		{"/h/a/b", 1, 0, jute.ErrOK, ""}, // checked against applied tree only
		{"/h", 0, 100, jute.ErrOK, ""},   // no byte limit
		{"/hb/y", 1, 1, jute.ErrOK, ""},  // 4 of 4
		{"/hb/y", 1, 2, jute.ErrQuotaExceeded, "Quota exceeded: /hb [current bytes=5, hardByteLimit=4]"},
		{"/hb/x", 0, -3, jute.ErrOK, ""},
		{"/hb/x", 0, 0, jute.ErrOK, ""},
		{"/both/a", 1, 0, jute.ErrOK, ""}, // a hard limit hides the soft one
		{"/none/a", 1, 10, jute.ErrOK, ""},
		{"/bad/a", 1, 0, jute.ErrMarshallingError, ""},
		{"/zookeeper/quota/h/x", 1, 0, jute.ErrOK, ""},
	} {
		warn, code := q.tr.CheckQuota(tc.path, tc.count, tc.bytes)
		if code != tc.want || (tc.warn != "" && warn != tc.warn) || (tc.warn == "" && code == jute.ErrOK && warn != "") {
			t.Errorf("CheckQuota(%s, %d, %d) = %q, %v; want %q, %v", tc.path, tc.count, tc.bytes, warn, code, tc.warn, tc.want)
		}
	}
	q.create("/h/a", "")
	if warn, code := q.tr.CheckQuota("/h/a/b", 1, 0); code != jute.ErrQuotaExceeded || warn != "Quota exceeded: /h [current count=3, hardCountLimit=2]" {
		t.Errorf("past the hard count: %q, %v", warn, code)
	}
	if _, code := q.tr.CheckQuota("/h/a", 0, 10); code != jute.ErrOK {
		t.Errorf("setData under a count-only quota: %v", code)
	}
	q.create("/both/a", "")
	q.create("/both/b", "")
	if _, code := q.tr.CheckQuota("/both/c", 1, 0); code != jute.ErrQuotaExceeded {
		t.Errorf("/both past its hard limit: %v", code)
	}
}

// TestQuota_EdgePaths covers paths 3.8's trie normalises or rejects.
func TestQuota_EdgePaths(t *testing.T) {
	q := newQuotaTree(t)
	q.create("/a", "")
	// /zookeeper/quotaX/zookeeper_limits names /X, as 3.8's trimQuotaPath cuts it.
	q.create("/zookeeper/quotaX", "")
	q.create("/zookeeper/quotaX/"+QuotaLimitNode, "")
	if got := q.tr.QuotaRoots(); !reflect.DeepEqual(got, []string{"/X"}) {
		t.Fatalf("roots %v", got)
	}
	q.del("/zookeeper/quotaX/" + QuotaLimitNode)
	// 3.8 throws on an empty trie path; zkctl ignores it.
	q.create("/zookeeper/quota/"+QuotaLimitNode, "")
	q.create("/zookeeper/quota/"+QuotaStatNode, "")
	q.create("/a/b", "")
	if got := q.tr.QuotaRoots(); len(got) != 0 {
		t.Fatalf("roots %v", got)
	}
	if p := q.tr.maxQuotaPrefix("/"); p != "" {
		t.Fatalf("prefix of / = %q", p)
	}
}

// TestQuota_Metrics: the per-namespace gauges 3.8.0's mntr printed for this
// tree (zkCli.sh: create /q, /q/a xx, setquota -N 5 /q; create /r, /r/s,
// setquota -b 7 /r/s), taken from a run of the Debian oracle.
func TestQuota_Metrics(t *testing.T) {
	q := newQuotaTree(t)
	if m := q.tr.QuotaMetrics(); len(m) != 0 {
		t.Fatalf("fresh tree: %v", m)
	}
	q.create("/q", "")
	q.create("/q/a", "xx")
	q.setquota("/q", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=5")
	q.create("/r", "")
	q.create("/r/s", "")
	q.setquota("/r/s", "count=-1,bytes=7=;byteHardLimit=-1;countHardLimit=-1")
	want := map[string]int64{
		"q_quota_bytes_limit_per_namespace": -1,
		"r_quota_bytes_limit_per_namespace": 7,
		"q_quota_count_usage_per_namespace": 2,
		"r_quota_count_usage_per_namespace": 1,
		"q_quota_count_limit_per_namespace": 5,
		"r_quota_count_limit_per_namespace": -1,
		"q_quota_bytes_usage_per_namespace": 2,
		"r_quota_bytes_usage_per_namespace": 0,
	}
	if got := q.tr.QuotaMetrics(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}
