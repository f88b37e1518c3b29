package election

import "fmt"

// ServerState is QuorumPeer.ServerState; its ordinal is sent on the wire.
type ServerState int32

// The four peer states, in ZooKeeper's ordinal order.
const (
	Looking   ServerState = 0 // LOOKING: running an election
	Following ServerState = 1 // FOLLOWING: a participant that elected someone else
	Leading   ServerState = 2 // LEADING: elected itself
	Observing ServerState = 3 // OBSERVING: a non-voting learner
)

// Valid reports whether s is one of the four states a 3.8 peer accepts.
func (s ServerState) Valid() bool { return s >= Looking && s <= Observing }

// String returns ZooKeeper's name of the state.
func (s ServerState) String() string {
	switch s {
	case Looking:
		return "LOOKING"
	case Following:
		return "FOLLOWING"
	case Leading:
		return "LEADING"
	case Observing:
		return "OBSERVING"
	}
	return fmt.Sprintf("STATE(%d)", int32(s))
}
