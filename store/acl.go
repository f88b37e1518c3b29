package store

import (
	"strconv"
	"strings"

	"github.com/zkctl/zkctl/jute"
)

// openACLRef is the reference that stands for OPEN_ACL_UNSAFE without a cache entry.
const openACLRef int64 = -1

// aclCache is 3.8's ReferenceCountedACLCache: ACL lists shared by reference,
// counted per node using them. Guarded by the DataTree's lock.
type aclCache struct {
	byRef  map[int64][]jute.ACL
	byKey  map[string]int64
	counts map[int64]int64
	next   int64 // highest reference handed out
}

func newACLCache() *aclCache {
	return &aclCache{byRef: map[int64][]jute.ACL{}, byKey: map[string]int64{}, counts: map[int64]int64{}}
}

func aclKey(acl []jute.ACL) string {
	var b strings.Builder
	for _, a := range acl {
		b.WriteString(strconv.Itoa(int(a.Perms)))
		b.WriteByte(0)
		b.WriteString(a.ID.Scheme)
		b.WriteByte(0)
		b.WriteString(a.ID.ID)
		b.WriteByte(0)
	}
	return b.String()
}

// convert returns the reference for acl, adding it (and one usage) as needed.
func (c *aclCache) convert(acl []jute.ACL) int64 {
	if acl == nil {
		return openACLRef
	}
	k := aclKey(acl)
	ref, ok := c.byKey[k]
	if !ok {
		c.next++
		ref = c.next
		cp := append([]jute.ACL(nil), acl...)
		c.byRef[ref] = cp
		c.byKey[k] = ref
	}
	c.counts[ref]++
	return ref
}

// lookup returns the ACL list of a reference (OPEN_ACL_UNSAFE for -1).
func (c *aclCache) lookup(ref int64) []jute.ACL {
	if ref == openACLRef {
		return jute.OpenACLUnsafe()
	}
	return c.byRef[ref]
}

func (c *aclCache) addUsage(ref int64) {
	if ref == openACLRef {
		return
	}
	if _, ok := c.byRef[ref]; ok {
		c.counts[ref]++
	}
}

func (c *aclCache) removeUsage(ref int64) {
	if ref == openACLRef {
		return
	}
	n, ok := c.counts[ref]
	if !ok {
		return
	}
	if n <= 1 {
		delete(c.counts, ref)
		if acl, ok := c.byRef[ref]; ok {
			if k := aclKey(acl); c.byKey[k] == ref {
				delete(c.byKey, k)
			}
			delete(c.byRef, ref)
		}
		return
	}
	c.counts[ref] = n - 1
}

// put installs a deserialized entry with no usages yet.
func (c *aclCache) put(ref int64, acl []jute.ACL) {
	c.byRef[ref] = acl
	c.byKey[aclKey(acl)] = ref
	if ref > c.next {
		c.next = ref
	}
}

// purgeUnused drops entries no node refers to (after a snapshot load).
func (c *aclCache) purgeUnused() {
	for ref, acl := range c.byRef {
		if c.counts[ref] == 0 {
			delete(c.byRef, ref)
			if k := aclKey(acl); c.byKey[k] == ref {
				delete(c.byKey, k)
			}
		}
	}
}
