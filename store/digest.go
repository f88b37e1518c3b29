package store

import (
	"encoding/binary"
	"hash/crc32"
	"strings"

	"github.com/zkctl/zkctl/jute"
)

// DigestVersion is the digest calculator version 3.8 writes (TxnDigest.version
// and the snapshot's digest record).
const DigestVersion int32 = 2

// NodeDigest is 3.8's DigestCalculator.calculateDigest: CRC32 over the path
// ("/" mapped to ""), the data and a 60-byte block of stat fields. Nodes under
// "/zookeeper/" are not digested. It is exported so that tools and tests can
// recompute a server's tree digest from what clients see (the stored
// cversion is (cversion + numChildren) / 2 there).
func NodeDigest(path string, data []byte, st *jute.StatPersisted) int64 {
	if strings.HasPrefix(path, "/zookeeper/") {
		return 0
	}
	if path == "/" {
		path = ""
	}
	var b [60]byte
	binary.BigEndian.PutUint64(b[0:], uint64(st.Czxid))
	binary.BigEndian.PutUint64(b[8:], uint64(st.Mzxid))
	binary.BigEndian.PutUint64(b[16:], uint64(st.Pzxid))
	binary.BigEndian.PutUint64(b[24:], uint64(st.Ctime))
	binary.BigEndian.PutUint64(b[32:], uint64(st.Mtime))
	binary.BigEndian.PutUint32(b[40:], uint32(st.Version))
	binary.BigEndian.PutUint32(b[44:], uint32(st.Cversion))
	binary.BigEndian.PutUint32(b[48:], uint32(st.Aversion))
	binary.BigEndian.PutUint64(b[52:], uint64(st.EphemeralOwner))
	h := crc32.NewIEEE()
	h.Write([]byte(path))
	h.Write(data)
	h.Write(b[:])
	return int64(h.Sum32())
}
