package store

// Server-internal encodings of StatPersisted.ephemeralOwner (3.8 EphemeralType).
const (
	// ContainerOwner marks a container node.
	ContainerOwner int64 = -0x8000000000000000
	// ttlMask is the high byte that marks an extended type; for TTL the next two
	// bytes are zero and the low 40 bits carry the TTL in milliseconds.
	ttlMask     uint64 = 0xff00000000000000
	ttlTypeMask uint64 = 0xffff000000000000
	// MaxTTL is the largest TTL (ms) that fits in the owner encoding.
	MaxTTL int64 = 0xffffffffff
)

// EphemeralKind classifies an ephemeralOwner value.
type EphemeralKind int

// Kinds of ephemeralOwner values.
const (
	KindPersistent EphemeralKind = iota // owner 0
	KindEphemeral                       // owned by a session
	KindContainer                       // ContainerOwner
	KindTTL                             // TTLOwner(ttl)
)

// TTLOwner returns the ephemeralOwner encoding of a TTL node.
func TTLOwner(ttlMs int64) int64 { return int64(ttlMask | (uint64(ttlMs) & uint64(MaxTTL))) }

// KindOf classifies a raw ephemeralOwner.
func KindOf(owner int64) EphemeralKind {
	switch {
	case owner == 0:
		return KindPersistent
	case owner == ContainerOwner:
		return KindContainer
	case uint64(owner)&ttlTypeMask == ttlMask:
		return KindTTL
	}
	return KindEphemeral
}

// TTLOf returns the TTL in ms of a TTL owner encoding (0 for other kinds).
func TTLOf(owner int64) int64 {
	if KindOf(owner) != KindTTL {
		return 0
	}
	return owner & MaxTTL
}

// ClientEphemeralOwner is what clients see in Stat.ephemeralOwner: the session
// id for a real ephemeral, 0 for everything else (containers and TTL included).
func ClientEphemeralOwner(owner int64) int64 {
	if KindOf(owner) == KindEphemeral {
		return owner
	}
	return 0
}
