package store

import (
	"fmt"
	"strings"

	"github.com/zkctl/zkctl/jute"
)

// Quotas as ZooKeeper 3.8's DataTree keeps them. A path P has a quota when
// /zookeeper/quota/P/zookeeper_limits exists; the tree then keeps the usage of
// P's subtree (P itself included: count = nodes, bytes = data lengths) in
// /zookeeper/quota/P/zookeeper_stats, updated on every create, delete and
// setData under P. Like 3.8, those updates change only the stats node's data:
// not its stat, not the digest (nothing under /zookeeper/ is digested) and not
// ApproximateDataSize, which therefore drifts exactly as 3.8's does.

// quotaComponents splits a path into the components 3.8's PathTrie keeps:
// empty and whitespace-only components (Java trim() strips bytes <= ' ') are
// dropped, so "/a//b" and "/a/ /b" share the quota entry of "/a/b".
func quotaComponents(path string) []string {
	var out []string
	for _, c := range strings.Split(path, "/") {
		if strings.TrimFunc(c, func(r rune) bool { return r <= ' ' }) != "" {
			out = append(out, c)
		}
	}
	return out
}

// addQuotaPath marks path as a quota root (3.8 PathTrie.addPath). An empty
// path, which 3.8 rejects with an exception, is ignored.
func (t *DataTree) addQuotaPath(path string) {
	if path == "" {
		return
	}
	if t.quotas == nil {
		t.quotas = map[string]struct{}{}
	}
	t.quotas["/"+strings.Join(quotaComponents(path), "/")] = struct{}{}
}

// deleteQuotaPath unmarks path (3.8 PathTrie.deletePath).
func (t *DataTree) deleteQuotaPath(path string) {
	if path == "" {
		return
	}
	delete(t.quotas, "/"+strings.Join(quotaComponents(path), "/"))
}

// maxQuotaPrefix is 3.8 getMaxPrefixWithQuota: the deepest quota root that is
// path or an ancestor of it, or "" if none (a quota on "/" never counts).
func (t *DataTree) maxQuotaPrefix(path string) string {
	if len(t.quotas) == 0 {
		return ""
	}
	best := ""
	var b strings.Builder
	for _, c := range quotaComponents(path) {
		b.WriteByte('/')
		b.WriteString(c)
		if _, ok := t.quotas[b.String()]; ok {
			best = b.String()
		}
	}
	return best
}

// quotaStatPath and quotaLimitPath are 3.8 Quotas.statPath / limitPath.
func quotaStatPath(prefix string) string  { return QuotaPath + prefix + "/" + QuotaStatNode }
func quotaLimitPath(prefix string) string { return QuotaPath + prefix + "/" + QuotaLimitNode }

// updateQuotaStat adds the diffs to the stats node of prefix (3.8
// updateQuotaStat), keeping any other keys it holds. A missing stats node is
// skipped as in 3.8; unparsable stats text, on which 3.8 throws out of the
// txn, is left alone.
func (t *DataTree) updateQuotaStat(prefix string, bytesDiff, countDiff int64) {
	n := t.nodes[quotaStatPath(prefix)]
	if n == nil {
		return
	}
	st, err := ParseStatsTrack(string(n.data))
	if err != nil {
		return
	}
	st.SetCount(st.Count() + countDiff)
	st.SetBytes(st.Bytes() + bytesDiff)
	n.data = []byte(st.String())
}

// subtreeUsage is 3.8 getCounts: path and every descendant, data lengths summed.
func (t *DataTree) subtreeUsage(path string) (count, bytes int64) {
	n := t.nodes[path]
	if n == nil {
		return 0, 0
	}
	count, bytes = 1, int64(len(n.data))
	for c := range n.children {
		cp := path + "/" + c
		if path == "/" {
			cp = "/" + c
		}
		cc, cb := t.subtreeUsage(cp)
		count += cc
		bytes += cb
	}
	return count, bytes
}

// updateQuotaForPath recounts path's subtree into its stats node, replacing
// whatever it held with just count and bytes (3.8 updateQuotaForPath).
func (t *DataTree) updateQuotaForPath(path string) {
	if path == "" {
		return
	}
	n := t.nodes[quotaStatPath(path)]
	if n == nil {
		return
	}
	var st StatsTrack
	c, b := t.subtreeUsage(path)
	st.SetBytes(b)
	st.SetCount(c)
	t.preChange(n)
	n.data = []byte(st.String())
	t.postChange(quotaStatPath(path), n)
}

// quotaOnCreate is 3.8 createNode's quota tail, run after a successful
// create: a new zookeeper_limits child under /zookeeper/quota makes its
// parent's real path a quota root, a new zookeeper_stats child recounts that
// subtree, and the node counts toward its nearest quota root.
func (t *DataTree) quotaOnCreate(path, parent, child string, data []byte) {
	if strings.HasPrefix(parent, QuotaPath) {
		realPath := parent[len(QuotaPath):]
		if child == QuotaLimitNode {
			t.addQuotaPath(realPath)
		}
		if child == QuotaStatNode {
			t.updateQuotaForPath(realPath)
		}
	}
	if p := t.maxQuotaPrefix(path); p != "" {
		t.updateQuotaStat(p, int64(len(data)), 1)
	}
}

// quotaOnDelete is 3.8 deleteNode's quota tail: deleting a zookeeper_limits
// node drops the quota root, and the node leaves its nearest root's usage.
func (t *DataTree) quotaOnDelete(path, parent, child string, data []byte) {
	if strings.HasPrefix(parent, ProcPath) && child == QuotaLimitNode && len(parent) >= len(QuotaPath) {
		t.deleteQuotaPath(parent[len(QuotaPath):])
	}
	if p := t.maxQuotaPrefix(path); p != "" {
		t.updateQuotaStat(p, -int64(len(data)), -1)
	}
}

// quotaOnSetData is 3.8 setData's quota tail: the byte difference.
func (t *DataTree) quotaOnSetData(path string, oldData, newData []byte) {
	if p := t.maxQuotaPrefix(path); p != "" {
		t.updateQuotaStat(p, int64(len(newData))-int64(len(oldData)), 0)
	}
}

// setupQuota rebuilds the quota roots and recounts every stats node after a
// snapshot load (3.8 setupQuota/traverseNode): every childless node under
// /zookeeper/quota whose path ends in /zookeeper_limits names a quota root
// (the text before the first "/zookeeper_limits", as 3.8 cuts it).
func (t *DataTree) setupQuota() {
	t.quotas = nil
	if t.nodes[QuotaPath] == nil {
		return
	}
	var walk func(path string)
	walk = func(path string) {
		n := t.nodes[path]
		if n == nil {
			return
		}
		if len(n.children) == 0 {
			end := "/" + QuotaLimitNode
			if strings.HasSuffix(path, end) {
				realPath := path[len(QuotaPath):strings.Index(path, end)]
				t.updateQuotaForPath(realPath)
				t.addQuotaPath(realPath)
			}
			return
		}
		for _, c := range sortedKeys(n.children) {
			walk(path + "/" + c)
		}
	}
	walk(QuotaPath)
}

// QuotaRoots returns the paths that have a quota, sorted (for tests and
// diagnostics; the trie 3.8 keeps in memory is not otherwise visible).
func (t *DataTree) QuotaRoots() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return sortedKeys(t.quotas)
}

// CheckQuota is 3.8 ZooKeeperServer.checkQuota for a create (countDiff 1,
// bytesDiff the data length) or a setData (countDiff 0, bytesDiff new minus
// old length) at path, with enforcement on. Only the nearest quota root is
// checked, against the applied tree (not pending txns), and only a diff that
// is non-zero in a dimension that has a limit. Passing a hard limit
// (countHardLimit/byteHardLimit) returns QuotaExceeded; passing only a soft
// one (count/bytes, used when no hard limit is set) returns OK with the
// warning 3.8 logs. Unparsable limits or stats text is MarshallingError, as
// the exception 3.8 throws there becomes.
func (t *DataTree) CheckQuota(path string, countDiff, bytesDiff int64) (warning string, code jute.Err) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	prefix := t.maxQuotaPrefix(path)
	if prefix == "" {
		return "", jute.ErrOK
	}
	ln := t.nodes[quotaLimitPath(prefix)]
	if ln == nil {
		return "", jute.ErrOK
	}
	limits, err := ParseStatsTrack(string(ln.data))
	if err != nil {
		return "", jute.ErrMarshallingError
	}
	checkCount := countDiff != 0 && (limits.Count() > -1 || limits.CountHardLimit() > -1)
	checkBytes := bytesDiff != 0 && (limits.Bytes() > -1 || limits.ByteHardLimit() > -1)
	if !checkCount && !checkBytes {
		return "", jute.ErrOK
	}
	sn := t.nodes[quotaStatPath(prefix)]
	if sn == nil {
		return "", jute.ErrOK
	}
	cur, err := ParseStatsTrack(string(sn.data))
	if err != nil {
		return "", jute.ErrMarshallingError
	}
	if checkCount {
		w, hard := overLimit(prefix, "count", "Count", cur.Count()+countDiff, limits.CountHardLimit(), limits.Count())
		if hard {
			return w, jute.ErrQuotaExceeded
		}
		warning = w
	}
	if checkBytes {
		w, hard := overLimit(prefix, "bytes", "Byte", cur.Bytes()+bytesDiff, limits.ByteHardLimit(), limits.Bytes())
		if hard {
			return w, jute.ErrQuotaExceeded
		}
		if w != "" && warning != "" {
			warning += "; " + w
		} else if w != "" {
			warning = w
		}
	}
	return warning, jute.ErrOK
}

// overLimit compares a new usage with the hard limit if set, else the soft
// one, returning 3.8's log message when it is passed and whether it was hard.
func overLimit(prefix, what, limitName string, now, hardLimit, softLimit int64) (string, bool) {
	hard := hardLimit > -1
	limit, kind := softLimit, "soft"
	if hard {
		limit, kind = hardLimit, "hard"
	}
	if now <= limit {
		return "", false
	}
	return fmt.Sprintf("Quota exceeded: %s [current %s=%d, %s%sLimit=%d]", prefix, what, now, kind, limitName, limit), hard
}

// QuotaMetrics returns 3.8's per-namespace quota gauge sets (QuotaMetricsUtils)
// as mntr shows them without the "zk_" prefix: for each top-level namespace
// with a quota, <ns>_quota_count_limit_per_namespace and
// <ns>_quota_bytes_limit_per_namespace (hard limit if set, else soft, summed
// over the namespace's quotas) and <ns>_quota_{count,bytes}_usage_per_namespace
// (summed zookeeper_stats). Like 3.8 it reads every childless
// zookeeper_limits/zookeeper_stats node under /zookeeper/quota, whether or
// not it is a live quota root; unparsable text is skipped. Empty without quotas.
func (t *DataTree) QuotaMetrics() map[string]int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := map[string]int64{}
	var walk func(path string)
	walk = func(path string) {
		n := t.nodes[path]
		if n == nil {
			return
		}
		if len(n.children) > 0 {
			for c := range n.children {
				walk(path + "/" + c)
			}
			return
		}
		limits := strings.HasSuffix(path, "/"+QuotaLimitNode)
		if !limits && !strings.HasSuffix(path, "/"+QuotaStatNode) {
			return
		}
		parts := strings.Split(path[len(QuotaPath):], "/")
		if len(parts) < 2 || n.data == nil {
			return // 3.8 getTopNamespace: no namespace
		}
		ns := parts[1]
		st, err := ParseStatsTrack(string(n.data))
		if err != nil {
			return
		}
		if limits {
			out[ns+"_quota_count_limit_per_namespace"] += hardOrSoft(st.CountHardLimit(), st.Count())
			out[ns+"_quota_bytes_limit_per_namespace"] += hardOrSoft(st.ByteHardLimit(), st.Bytes())
		} else {
			out[ns+"_quota_count_usage_per_namespace"] += st.Count()
			out[ns+"_quota_bytes_usage_per_namespace"] += st.Bytes()
		}
	}
	if t.nodes[QuotaPath] != nil {
		walk(QuotaPath)
	}
	return out
}

func hardOrSoft(hard, soft int64) int64 {
	if hard > -1 {
		return hard
	}
	return soft
}
