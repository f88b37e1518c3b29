package qcm

import (
	"io"
	"math"

	"github.com/zkctl/zkctl/jute"
)

// Constants of QuorumCnxManager in 3.8 (docs/quorum-reference.md §2.1).
const (
	// ProtocolVersionV1 is the handshake version this transport sends.
	ProtocolVersionV1 = jute.ElectionProtocolV1
	// PacketMaxSize is the largest election frame accepted (PACKETMAXSIZE).
	PacketMaxSize = 512 * 1024
	// RecvCapacity is the receive queue size; the oldest entry is dropped when full.
	RecvCapacity = 100
	// SendCapacity is the per-peer send queue size; the oldest entry is dropped when full.
	SendCapacity = 1
	// ObserverID is the legacy "anonymous observer" sid (Long.MAX_VALUE).
	ObserverID int64 = math.MaxInt64
)

// Handshake is what the initiator of an election connection sends first.
// Its encoding lives in jute, which the launcher's link proxies share.
type Handshake = jute.ElectionHandshake

// ReadHandshake reads one handshake from r, reading no byte beyond it.
func ReadHandshake(r io.Reader) (Handshake, error) { return jute.ReadElectionHandshake(r) }
