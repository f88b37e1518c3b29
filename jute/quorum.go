package jute

import "fmt"

// PacketType is a QuorumPacket type (Leader.java constants).
type PacketType int32

// Quorum packet types.
const (
	PacketRequest           PacketType = 1
	PacketProposal          PacketType = 2
	PacketAck               PacketType = 3
	PacketCommit            PacketType = 4
	PacketPing              PacketType = 5
	PacketRevalidate        PacketType = 6
	PacketSync              PacketType = 7
	PacketInform            PacketType = 8
	PacketCommitAndActivate PacketType = 9
	PacketNewLeader         PacketType = 10
	PacketFollowerInfo      PacketType = 11
	PacketUpToDate          PacketType = 12
	PacketDiff              PacketType = 13
	PacketTrunc             PacketType = 14
	PacketSnap              PacketType = 15
	PacketObserverInfo      PacketType = 16
	PacketLeaderInfo        PacketType = 17
	PacketAckEpoch          PacketType = 18
	PacketInformAndActivate PacketType = 19
)

var packetNames = map[PacketType]string{
	PacketRequest: "REQUEST", PacketProposal: "PROPOSAL", PacketAck: "ACK", PacketCommit: "COMMIT",
	PacketPing: "PING", PacketRevalidate: "REVALIDATE", PacketSync: "SYNC", PacketInform: "INFORM",
	PacketCommitAndActivate: "COMMITANDACTIVATE", PacketNewLeader: "NEWLEADER",
	PacketFollowerInfo: "FOLLOWERINFO", PacketUpToDate: "UPTODATE", PacketDiff: "DIFF",
	PacketTrunc: "TRUNC", PacketSnap: "SNAP", PacketObserverInfo: "OBSERVERINFO",
	PacketLeaderInfo: "LEADERINFO", PacketAckEpoch: "ACKEPOCH", PacketInformAndActivate: "INFORMANDACTIVATE",
}

// String returns ZooKeeper's name of the packet type.
func (t PacketType) String() string {
	if s, ok := packetNames[t]; ok {
		return s
	}
	return fmt.Sprintf("PACKET(%d)", int32(t))
}

// ProtocolVersion is the Zab protocol version 3.x servers announce (Zab 1.0).
const ProtocolVersion int32 = 0x10000

// QuorumPacket is the unit of the leader/learner stream. A nil Data is sent
// as null (-1) and a nil AuthInfo as a null vector (-1), as 3.8 does.
type QuorumPacket struct {
	Type     PacketType
	Zxid     int64
	Data     []byte
	AuthInfo []Id
}

// Encode implements Record.
func (r *QuorumPacket) Encode(e *Encoder) {
	e.Int(int32(r.Type))
	e.Long(r.Zxid)
	e.Buffer(r.Data)
	if r.AuthInfo == nil {
		e.Int(-1)
		return
	}
	e.Int(int32(len(r.AuthInfo)))
	for i := range r.AuthInfo {
		r.AuthInfo[i].Encode(e)
	}
}

// Decode implements Record.
func (r *QuorumPacket) Decode(d *Decoder) {
	r.Type = PacketType(d.Int())
	r.Zxid = d.Long()
	r.Data = d.Buffer()
	n := d.VectorLen(8)
	r.AuthInfo = nil
	for i := 0; i < n && d.Err() == nil; i++ {
		var id Id
		id.Decode(d)
		r.AuthInfo = append(r.AuthInfo, id)
	}
}

// String renders the packet for logs: type and zxid in hex.
func (r *QuorumPacket) String() string {
	return fmt.Sprintf("%v zxid=0x%x len=%d", r.Type, r.Zxid, len(r.Data))
}

// LearnerInfo is the payload of FOLLOWERINFO and OBSERVERINFO.
type LearnerInfo struct {
	ServerID        int64
	ProtocolVersion int32
	ConfigVersion   int64
}

// Encode implements Record.
func (r *LearnerInfo) Encode(e *Encoder) {
	e.Long(r.ServerID)
	e.Int(r.ProtocolVersion)
	e.Long(r.ConfigVersion)
}

// Decode implements Record, tolerating the shorter forms older learners send.
func (r *LearnerInfo) Decode(d *Decoder) {
	r.ServerID = d.Long()
	if d.Remaining() >= 4 {
		r.ProtocolVersion = d.Int()
	}
	if d.Remaining() >= 8 {
		r.ConfigVersion = d.Long()
	}
}
