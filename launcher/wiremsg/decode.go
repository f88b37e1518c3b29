package wiremsg

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/zkctl/zkctl/election"
	"github.com/zkctl/zkctl/jute"
)

// Decoded is what the message log keeps of one frame.
type Decoded struct {
	// Type is "handshake", "notification", a QuorumPacket type such as
	// "PROPOSAL", "snapshot" or "opaque".
	Type string
	// Fields are the decoded fields: numbers as numbers, zxids and epochs as
	// hex strings ("0x100000002"), as ZooKeeper prints them.
	Fields map[string]any
	// Summary is the message on one line, e.g.
	// "LOOKING leader=3 zxid=0x0 round=0x1 peerEpoch=0x0".
	Summary string
}

// hex prints v as ZooKeeper does (Long.toHexString): -1 is 0xffffffffffffffff.
func hex(v int64) string { return "0x" + strconv.FormatUint(uint64(v), 16) }

// looksTLS reports whether b starts like a TLS record (handshake, 3.x).
func looksTLS(b []byte) bool { return len(b) >= 2 && b[0] == 0x16 && b[1] == 0x03 }

// opaque describes bytes that were not decoded.
func opaque(b []byte, why string) Decoded {
	if looksTLS(b) {
		why = "tls"
	}
	return Decoded{Type: "opaque", Fields: map[string]any{"reason": why}, Summary: fmt.Sprintf("opaque %d bytes (%s)", len(b), why)}
}

// DecodeHandshake decodes the opening of an election connection
// (QuorumCnxManager.InitialMessage; docs/quorum-reference.md §2.2).
func DecodeHandshake(b []byte) Decoded {
	h, _, err := jute.DecodeElectionHandshake(b)
	if err != nil {
		return opaque(b, "bad handshake")
	}
	d := Decoded{Type: "handshake", Fields: map[string]any{"sid": h.Sid, "version": h.Version}}
	if len(h.Addrs) > 0 {
		d.Fields["addrs"] = strings.Join(h.Addrs, "|")
	}
	d.Summary = fmt.Sprintf("handshake sid=%d version=%d addr=%s", h.Sid, h.Version, strings.Join(h.Addrs, "|"))
	return d
}

// DecodeNotification decodes one notification frame (its int32 length and
// payload) in every format 3.8 reads: 28, 40 and 44 bytes and version 2 with
// the sender's config (election.DecodeNotification).
func DecodeNotification(b []byte) Decoded {
	if len(b) < 4 || int(binary.BigEndian.Uint32(b)) != len(b)-4 {
		return opaque(b, "bad frame length")
	}
	n, err := election.DecodeNotification(b[4:])
	if err != nil {
		return opaque(b, err.Error())
	}
	f := map[string]any{
		"state": n.State.String(), "leader": n.Leader, "zxid": hex(n.Zxid),
		"round": hex(n.ElectionEpoch), "peer_epoch": hex(n.PeerEpoch), "version": n.Version,
		"payload": len(b) - 4,
	}
	if cv, ok := election.ConfigVersion(n.Config); ok {
		f["config_version"] = hex(cv)
	}
	return Decoded{Type: "notification", Fields: f, Summary: n.String()}
}

// proposalMemory is how many proposals a ZabDecoder remembers to name the
// txn of a later COMMIT.
const proposalMemory = 4096

// ZabDecoder decodes QuorumPacket frames of one quorum connection. It
// remembers recent proposals so that a COMMIT, which carries only a zxid,
// is shown with its txn type and path.
type ZabDecoder struct {
	txns  map[int64]string // zxid -> "create /a"
	order []int64          // zxids in txns, oldest first
}

// Decode decodes one Packet frame.
func (z *ZabDecoder) Decode(b []byte) Decoded {
	p, ok := packetHeader(b)
	if !ok {
		return opaque(b, "bad packet")
	}
	f := map[string]any{"zxid": hex(p.Zxid), "payload": len(p.Data)}
	d := Decoded{Type: p.Type.String(), Fields: f}
	extra := ""
	switch p.Type {
	case jute.PacketProposal, jute.PacketInform, jute.PacketInformAndActivate:
		data := p.Data
		if p.Type == jute.PacketInformAndActivate && len(data) >= 8 {
			f["suggested_leader"] = int64(binary.BigEndian.Uint64(data))
			data = data[8:]
		}
		if txn := txnSummary(data, f); txn != "" {
			z.remember(p.Zxid, txn)
			extra = " " + txn
		}
	case jute.PacketCommit, jute.PacketCommitAndActivate:
		if txn, ok := z.txns[p.Zxid]; ok {
			f["txn"] = txn
			extra = " " + txn
		}
	case jute.PacketFollowerInfo, jute.PacketObserverInfo:
		var li jute.LearnerInfo
		if jute.Decode(p.Data, &li) == nil {
			f["sid"], f["protocol_version"], f["config_version"] = li.ServerID, hex(int64(li.ProtocolVersion)), hex(li.ConfigVersion)
			extra = fmt.Sprintf(" sid=%d", li.ServerID)
		}
		f["accepted_epoch"] = hex(p.Zxid >> 32)
		extra += fmt.Sprintf(" acceptedEpoch=%s", hex(p.Zxid>>32))
	case jute.PacketLeaderInfo:
		if len(p.Data) >= 4 {
			f["protocol_version"] = hex(int64(int32(binary.BigEndian.Uint32(p.Data))))
		}
		f["new_epoch"] = hex(p.Zxid >> 32)
		extra = fmt.Sprintf(" newEpoch=%s", hex(p.Zxid>>32))
	case jute.PacketAckEpoch:
		if len(p.Data) >= 4 {
			e := int64(int32(binary.BigEndian.Uint32(p.Data)))
			f["current_epoch"] = hex(e)
			extra = fmt.Sprintf(" currentEpoch=%s", hex(e))
		}
		f["last_zxid"] = hex(p.Zxid)
	case jute.PacketNewLeader:
		if len(p.Data) > 0 {
			if cv, ok := election.ConfigVersion(string(p.Data)); ok {
				f["config_version"] = hex(cv)
			}
		}
	case jute.PacketRequest:
		if len(p.Data) >= 16 {
			op := jute.Op(int32(binary.BigEndian.Uint32(p.Data[12:])))
			f["session"], f["cxid"], f["op"] = hex(int64(binary.BigEndian.Uint64(p.Data))), int32(binary.BigEndian.Uint32(p.Data[8:])), op.String()
			extra = " " + op.String()
		}
	}
	d.Summary = p.Type.String() + " " + hex(p.Zxid) + extra
	return d
}

// packetHeader reads a QuorumPacket's type, zxid and data without copying
// the data (the framer checked the rest of the record).
func packetHeader(b []byte) (jute.QuorumPacket, bool) {
	if len(b) < 20 {
		return jute.QuorumPacket{}, false
	}
	p := jute.QuorumPacket{Type: jute.PacketType(int32(binary.BigEndian.Uint32(b))), Zxid: int64(binary.BigEndian.Uint64(b[4:]))}
	n := int(int32(binary.BigEndian.Uint32(b[12:])))
	if n < -1 || 16+max(n, 0)+4 > len(b) {
		return jute.QuorumPacket{}, false
	}
	if n >= 0 {
		p.Data = b[16 : 16+n]
	}
	return p, true
}

// remember keeps zxid's txn for a later COMMIT, forgetting the oldest.
func (z *ZabDecoder) remember(zxid int64, txn string) {
	if z.txns == nil {
		z.txns = map[int64]string{}
	}
	if _, ok := z.txns[zxid]; !ok {
		z.order = append(z.order, zxid)
	}
	z.txns[zxid] = txn
	if len(z.order) > proposalMemory {
		delete(z.txns, z.order[0])
		z.order = z.order[1:]
	}
}

// txnSummary decodes a proposal's txn into f and returns "op /path". It
// reads the TxnHeader (32 bytes) and the path by hand: it runs for every
// proposal the proxies forward.
func txnSummary(data []byte, f map[string]any) string {
	if len(data) < 32 {
		return ""
	}
	typ := jute.Op(int32(binary.BigEndian.Uint32(data[28:])))
	f["txn_type"], f["session"], f["cxid"] = typ.String(), hex(int64(binary.BigEndian.Uint64(data))), int32(binary.BigEndian.Uint32(data[8:]))
	path := ""
	switch typ {
	case jute.OpCreate, jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL,
		jute.OpDelete, jute.OpDeleteContainer, jute.OpSetData, jute.OpSetACL, jute.OpCheck:
		// Each of these txns starts with the path.
		if len(data) >= 36 {
			n := int(int32(binary.BigEndian.Uint32(data[32:])))
			if n > 0 && n <= len(data)-36 {
				path = string(data[36 : 36+n])
			}
		}
	}
	if path != "" {
		f["path"] = path
		return typ.String() + " " + path
	}
	return typ.String()
}

// Decoder decodes every frame of one direction of one connection.
type Decoder struct {
	zab ZabDecoder
}

// Decode decodes a frame from the framer of that direction.
func (d *Decoder) Decode(f Frame) Decoded {
	switch f.Type {
	case Handshake:
		return DecodeHandshake(f.Data)
	case Notification:
		return DecodeNotification(f.Data)
	case Packet:
		return d.zab.Decode(f.Data)
	case Snapshot:
		return Decoded{Type: "snapshot", Fields: map[string]any{"bytes": len(f.Data)}, Summary: fmt.Sprintf("snapshot %d bytes", len(f.Data))}
	}
	return opaque(f.Data, "not framed")
}
