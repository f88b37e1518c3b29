package serve

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/zkctl/zkctl/jute"
)

// DigestID returns the digest id ZooKeeper derives from an addauth digest
// string: the part before the first colon (the whole string when it has
// none), ":", and base64(sha1(the whole string)), as 3.8's
// DigestAuthenticationProvider.generateDigest. Any string is accepted.
func DigestID(userPassword string) string {
	user, _, _ := strings.Cut(userPassword, ":")
	sum := sha1.Sum([]byte(userPassword))
	return user + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// authenticator checks auth packets and ACL ids. superDigest is the
// configured "super:<base64>" id (empty = none).
type authenticator struct {
	superDigest string
}

// authenticate turns an auth packet into the ids it adds to a connection.
func (a *authenticator) authenticate(scheme string, auth []byte) ([]jute.Id, error) {
	switch scheme {
	case "digest":
		id := DigestID(string(auth))
		ids := []jute.Id{{Scheme: "digest", ID: id}}
		if a.superDigest != "" && id == a.superDigest {
			ids = append(ids, jute.Id{Scheme: "super", ID: ""})
		}
		return ids, nil
	}
	return nil, fmt.Errorf("node: no authentication provider for scheme %q", scheme)
}

// validACLID reports whether an ACL id is acceptable for its scheme.
func validACLID(id jute.Id) bool {
	switch id.Scheme {
	case "world":
		return id.ID == "anyone"
	case "digest":
		return strings.Count(id.ID, ":") == 1
	case "ip":
		_, _, ok := parseIPACL(id.ID)
		return ok
	}
	return false
}

// parseIPACL parses "a.b.c.d" or "a.b.c.d/bits" (IPv4 only, as 3.8).
func parseIPACL(s string) (net.IP, int, bool) {
	addr, bitsText, hasBits := strings.Cut(s, "/")
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() == nil || strings.Contains(addr, ":") {
		return nil, 0, false
	}
	bits := 32
	if hasBits {
		b, err := strconv.Atoi(bitsText)
		if err != nil || b < 0 || b > 32 {
			return nil, 0, false
		}
		bits = b
	}
	return ip.To4(), bits, true
}

// idMatches reports whether a connection id satisfies an ACL id.
func idMatches(conn, acl jute.Id) bool {
	if conn.Scheme != acl.Scheme {
		return false
	}
	switch acl.Scheme {
	case "ip":
		want, bits, ok := parseIPACL(acl.ID)
		if !ok {
			return false
		}
		got := net.ParseIP(conn.ID)
		if got == nil || got.To4() == nil {
			return false
		}
		mask := net.CIDRMask(bits, 32)
		return got.To4().Mask(mask).Equal(want.Mask(mask))
	default:
		return conn.ID == acl.ID
	}
}

// checkACL implements ZooKeeper's permission check: an empty ACL or a super
// id allows everything; otherwise some entry granting one of the wanted bits
// must match world:anyone or one of the connection's ids.
func checkACL(acl []jute.ACL, perm int32, ids []jute.Id) jute.Err {
	if len(acl) == 0 {
		return jute.ErrOK
	}
	for _, id := range ids {
		if id.Scheme == "super" {
			return jute.ErrOK
		}
	}
	for _, a := range acl {
		if a.Perms&perm == 0 {
			continue
		}
		if a.ID.Scheme == "world" && a.ID.ID == "anyone" {
			return jute.ErrOK
		}
		for _, id := range ids {
			if idMatches(id, a.ID) {
				return jute.ErrOK
			}
		}
	}
	return jute.ErrNoAuth
}

// fixupACL validates and normalises an ACL list for create/setACL: removes
// duplicates, expands the "auth" scheme into the caller's authenticated ids
// (not ip) and rejects unknown or malformed ids with InvalidACL.
func fixupACL(acl []jute.ACL, ids []jute.Id) ([]jute.ACL, jute.Err) {
	if len(acl) == 0 {
		return nil, jute.ErrInvalidACL
	}
	var out []jute.ACL
	seen := make(map[jute.ACL]bool)
	add := func(a jute.ACL) {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, a := range acl {
		switch a.ID.Scheme {
		case "auth":
			n := 0
			for _, id := range ids {
				if id.Scheme == "digest" {
					add(jute.ACL{Perms: a.Perms, ID: id})
					n++
				}
			}
			if n == 0 {
				return nil, jute.ErrInvalidACL
			}
		default:
			if !validACLID(a.ID) {
				return nil, jute.ErrInvalidACL
			}
			add(a)
		}
	}
	return out, jute.ErrOK
}

// maskDigests hides digest hashes in a getACL answer for callers without
// ADMIN: "user:hash" becomes "user:x".
func maskDigests(acl []jute.ACL) []jute.ACL {
	out := make([]jute.ACL, len(acl))
	for i, a := range acl {
		out[i] = a
		if a.ID.Scheme == "digest" {
			user, _, _ := strings.Cut(a.ID.ID, ":")
			out[i].ID.ID = user + ":x"
		}
	}
	return out
}
