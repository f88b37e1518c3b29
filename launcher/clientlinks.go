package launcher

import (
	"math/rand"
	"slices"
	"sort"

	"github.com/zkctl/zkctl/launcher/linkproxy"
)

// Client links (--proxy-clients).
//
// With --proxy-clients every server N has a client proxy, and clients are
// handed its address instead of N's own client port. Clients are modelled
// as one more host, "clients" (id ClientsID in LinkState), that has a link
// to every server: the direction clients->N carries requests, N->clients
// the replies and watch events. Link faults treat that host like this:
//
//   - isolate N, slow N, reject N and heal [N] act on the client links of N
//     as on its server links: isolate N freezes both directions, so N's
//     clients see their requests hang until their session times out or they
//     move to another server, exactly as behind a real partition.
//   - partition and cut act between servers only: the clients' host stays
//     connected to every server (a partition between server racks, clients
//     outside it). A server cut off from the quorum drops its clients
//     itself, and they reconnect to a server of the majority.
//   - heal with no target heals client links too.
//
// Without --proxy-clients clients talk to the servers directly and no link
// fault touches them.

// ClientsID is the node id standing for the clients' host in the
// ClientLinks of a ClusterStatus.
const ClientsID = 0

// clientLink is the pair of directions between the clients and one server.
type clientLink struct {
	toServer, toClients *linkproxy.Direction
}

// newClientLinks returns the client links of ids, seeded from rng.
func newClientLinks(ids []int, rng *rand.Rand) map[int]clientLink {
	out := make(map[int]clientLink, len(ids))
	for _, id := range ids {
		out[id] = clientLink{
			toServer:  linkproxy.NewDirection(rand.New(rand.NewSource(rng.Int63()))),
			toClients: linkproxy.NewDirection(rand.New(rand.NewSource(rng.Int63()))),
		}
	}
	return out
}

// applyClientLinks changes the client links for a link action; the caller
// holds linkMu. See the package comment above for which faults apply.
func (l *Launcher) applyClientLinks(a Action) {
	set := func(id int, st linkproxy.State) {
		if cl, ok := l.clientLinks[id]; ok {
			cl.toServer.Set(st)
			cl.toClients.Set(st)
		}
	}
	switch a.Kind {
	case ActIsolate, ActSlow, ActReject:
		st := linkproxy.State{Mode: linkproxy.Cut}
		if a.Kind == ActSlow {
			st = linkproxy.State{Mode: linkproxy.Slow, Delay: a.Delay, Jitter: a.Jitter}
		} else if a.Kind == ActReject {
			st = linkproxy.State{Mode: linkproxy.Reject}
		}
		for _, id := range a.Nodes {
			set(id, st)
		}
	case ActHeal:
		for id := range l.clientLinks {
			if len(a.Nodes) == 0 || slices.Contains(a.Nodes, id) {
				set(id, linkproxy.State{Mode: linkproxy.OK})
			}
		}
	}
}

// clientLinkStates lists both directions of every client link, ordered by
// server id, clients->N first.
func (l *Launcher) clientLinkStates() []LinkState {
	l.linkMu.Lock()
	defer l.linkMu.Unlock()
	ids := make([]int, 0, len(l.clientLinks))
	for id := range l.clientLinks {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	var out []LinkState
	for _, id := range ids {
		cl := l.clientLinks[id]
		out = append(out, linkState(ClientsID, id, cl.toServer.State()), linkState(id, ClientsID, cl.toClients.State()))
	}
	return out
}

// linkState renders one direction's state.
func linkState(from, to int, st linkproxy.State) LinkState {
	ls := LinkState{From: from, To: to, Mode: st.Mode.String()}
	if st.Mode == linkproxy.Slow {
		ls.Delay, ls.Jitter = st.Delay, st.Jitter
	}
	return ls
}
