package chaos

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"
)

// Parsing of the data commands (see ast_data.go).

// dataVerbs are the first words of the data commands.
var dataVerbs = map[string]bool{"create": true, "set": true, "delete": true, "setacl": true}

// MaxDataBytes is the largest znode data a line may carry: ZooKeeper's
// default jute.maxbuffer (1 MiB) less room for the request around it.
const MaxDataBytes = 1<<20 - 1024

const pathExpect = `a znode path like /app/config (quote it if it holds spaces: "/a b")`

// ValidatePath checks a znode path the way ZooKeeper's PathUtils does, so
// a typo fails at parse time with a clear message instead of at the
// server. sequential allows the trailing '/' of `create -s /queue/`.
func ValidatePath(p string, sequential bool) error {
	switch {
	case p == "":
		return fmt.Errorf("empty path")
	case p[0] != '/':
		return fmt.Errorf("path %q must start with /", p)
	case p == "/":
		return nil
	}
	check := p
	if sequential && strings.HasSuffix(p, "/") {
		check = p[:len(p)-1]
	}
	if strings.HasSuffix(check, "/") {
		return fmt.Errorf("path %q must not end with /", p)
	}
	for _, seg := range strings.Split(check[1:], "/") {
		switch seg {
		case "":
			return fmt.Errorf("path %q has an empty segment (//)", p)
		case ".", "..":
			return fmt.Errorf("path %q has a relative segment %q", p, seg)
		}
	}
	for _, r := range check {
		if r == 0 || r > 0 && r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0xd800 && r <= 0xf8ff || r >= 0xfff0 && r <= 0xffff {
			return fmt.Errorf("path %q holds a character ZooKeeper refuses (%U)", p, r)
		}
	}
	return nil
}

// IsReserved says whether p is ZooKeeper's own subtree (/zookeeper, which
// holds quotas and the config), which the data commands do not modify.
func IsReserved(p string) bool { return p == "/zookeeper" || strings.HasPrefix(p, "/zookeeper/") }

// pathArg parses a path token (bare or quoted) and validates it.
func (p *parser) pathArg(sequential bool) (string, Pos, error) {
	t := p.next()
	if t.kind != tokPath && t.kind != tokString && t.kind != tokSlash {
		return "", t.pos, p.errAt(t, pathExpect, "unexpected %s", t.describe())
	}
	if err := ValidatePath(t.text, sequential); err != nil {
		return "", t.pos, &ParseError{Pos: t.pos, Msg: "bad path: " + err.Error(), Expected: pathExpect}
	}
	return t.text, t.pos, nil
}

func (p *parser) dataArg() (string, error) {
	t := p.next()
	if t.kind != tokString {
		return "", p.errAt(t, `data in double quotes, e.g. "hello" or "{\"a\":1}"`, "unexpected %s", t.describe())
	}
	if len(t.text) > MaxDataBytes {
		return "", &ParseError{Pos: t.pos, Msg: fmt.Sprintf("data of %d bytes is over ZooKeeper's 1 MiB limit", len(t.text))}
	}
	return t.text, nil
}

func (p *parser) versionArg() (int32, error) {
	t, err := p.word("a data version (0 or more) after -v")
	if err != nil {
		return 0, err
	}
	v, cerr := strconv.ParseInt(t.text, 10, 32)
	if cerr != nil || v < 0 {
		return 0, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("bad version %q", t.text), Expected: "a data version (0 or more) after -v"}
	}
	return int32(v), nil
}

// atEnd says whether the statement ends here.
func (p *parser) atEnd() bool {
	switch p.peek().kind {
	case tokNewline, tokEOF, tokRBrace:
		return true
	}
	return false
}

// flagWord reads a -x flag if one comes next.
func (p *parser) flagWord() (token, bool) {
	if t := p.peek(); t.kind == tokWord && strings.HasPrefix(t.text, "-") {
		return p.next(), true
	}
	return token{}, false
}

func badFlag(t token, verb, valid string) error {
	return &ParseError{Pos: t.pos, Msg: fmt.Sprintf("unknown %s flag %q", verb, t.text), Expected: valid}
}

func reserved(at Pos, verb, path string) error {
	return &ParseError{Pos: at, Msg: fmt.Sprintf("%s %s: /zookeeper is ZooKeeper's own subtree (quotas, config) and is not changed from here", verb, path)}
}

// dataStmt parses create, set and delete; flags may come before or after
// the path and data, as zkCli.sh users type them.
func (p *parser) dataStmt(at Pos, verb string) (Stmt, error) {
	var (
		path, data         string
		havePath, haveData bool
		pathPos            Pos
		mode               string
		seq, rec           bool
		ttl                time.Duration
		version            int32 = -1
		acls               []string
	)
	const createFlags = "-e (ephemeral), -s (sequential), -c (container), -t TTL"
	for !p.atEnd() {
		if f, ok := p.flagWord(); ok {
			switch verb + " " + f.text {
			case "create -e":
				mode = CreateEphemeral
			case "create -c":
				mode = CreateContainer
			case "create -s":
				seq = true
			case "create -es", "create -se":
				mode, seq = CreateEphemeral, true
			case "create -t":
				t, err := p.word("a TTL like 10s or a number of milliseconds")
				if err != nil {
					return nil, err
				}
				if ms, cerr := strconv.ParseInt(t.text, 10, 64); cerr == nil && ms > 0 {
					ttl = time.Duration(ms) * time.Millisecond
				} else if d, derr := time.ParseDuration(t.text); derr == nil && d >= time.Millisecond {
					ttl = d
				} else {
					return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("bad TTL %q", t.text), Expected: "a TTL like 10s or a number of milliseconds"}
				}
			case "set -v", "delete -v", "setacl -v":
				v, err := p.versionArg()
				if err != nil {
					return nil, err
				}
				version = v
			case "delete -r":
				rec = true
			default:
				valid := map[string]string{"create": createFlags, "set": "-v VERSION", "delete": "-r (recursive), -v VERSION", "setacl": "-v VERSION"}[verb]
				return nil, badFlag(f, verb, valid)
			}
			continue
		}
		switch {
		case !havePath:
			t := p.peek()
			if t.kind != tokPath && t.kind != tokString && t.kind != tokSlash { // a lone "/" lexes as tokSlash
				return nil, p.errAt(t, pathExpect, "unexpected %s", t.describe())
			}
			p.next()
			path, pathPos, havePath = t.text, t.pos, true
		case verb == "setacl":
			t := p.next()
			if t.kind != tokString {
				return nil, p.errAt(t, aclExpect, "unexpected %s", t.describe())
			}
			if _, err := ParseACL(t.text); err != nil {
				return nil, &ParseError{Pos: t.pos, Msg: err.Error(), Expected: aclExpect}
			}
			acls = append(acls, t.text)
		case !haveData && verb != "delete":
			d, err := p.dataArg()
			if err != nil {
				return nil, err
			}
			data, haveData = d, true
		default:
			t := p.peek()
			return nil, p.errAt(t, `end of command (newline or ";")`, "unexpected %s after %s %s", t.describe(), verb, quotePath(path))
		}
	}
	if !havePath {
		return nil, &ParseError{Pos: at, Msg: verb + " needs a path", Expected: pathExpect}
	}
	if err := ValidatePath(path, verb == "create" && seq); err != nil {
		return nil, &ParseError{Pos: pathPos, Msg: "bad path: " + err.Error(), Expected: pathExpect}
	}
	if IsReserved(path) {
		return nil, reserved(pathPos, verb, path)
	}
	switch verb {
	case "create":
		if path == "/" {
			return nil, &ParseError{Pos: pathPos, Msg: "create /: the root always exists"}
		}
		if ttl > 0 && mode != CreatePersistent {
			return nil, &ParseError{Pos: at, Msg: "-t TTL applies to persistent nodes only, not with -e or -c"}
		}
		if mode == CreateContainer && seq {
			return nil, &ParseError{Pos: at, Msg: "a container cannot be sequential (-c with -s)"}
		}
		return &CreateStmt{At: at, Path: path, Data: data, Mode: mode, Sequential: seq, TTL: ttl}, nil
	case "setacl":
		if len(acls) == 0 {
			return nil, &ParseError{Pos: at, Msg: "setacl needs at least one ACL entry", Expected: aclExpect}
		}
		return &SetACLStmt{At: at, Path: path, ACL: acls, Version: version}, nil
	case "set":
		if !haveData {
			return nil, &ParseError{Pos: at, Msg: "set needs the new data", Expected: `set PATH "DATA" [-v VERSION]`}
		}
		return &SetStmt{At: at, Path: path, Data: data, Version: version}, nil
	default:
		if path == "/" {
			return nil, &ParseError{Pos: pathPos, Msg: "delete /: the root cannot be deleted"}
		}
		return &DeleteStmt{At: at, Path: path, Recursive: rec, Version: version}, nil
	}
}

// expectData parses the rest of `expect data PATH "DATA"` and
// `expect absent PATH`.
func (p *parser) expectData(at Pos, kind string) (Stmt, error) {
	path, _, err := p.pathArg(false)
	if err != nil {
		return nil, err
	}
	if kind == "absent" {
		return &ExpectDataStmt{At: at, Path: path, Absent: true}, nil
	}
	data, err := p.dataArg()
	if err != nil {
		return nil, err
	}
	return &ExpectDataStmt{At: at, Path: path, Data: data}, nil
}

const aclExpect = `ACL entries in double quotes, scheme:id:perms, e.g. "world:anyone:cdrwa" "digest:user:HASH:r" "ip:127.0.0.1:rw"`

// ParseACL reads one ACL entry "scheme:id:perms" (perms from cdrwa); the
// id may itself hold colons (digest user:hash, IPv6).
func ParseACL(s string) (zk.ACL, error) {
	scheme, rest, ok := strings.Cut(s, ":")
	i := strings.LastIndexByte(rest, ':')
	if !ok || i < 0 || scheme == "" {
		return zk.ACL{}, fmt.Errorf("bad ACL %q", s)
	}
	id, letters := rest[:i], rest[i+1:]
	var perms int32
	for _, c := range letters {
		bit, ok := map[rune]int32{'c': zk.PermCreate, 'd': zk.PermDelete, 'r': zk.PermRead, 'w': zk.PermWrite, 'a': zk.PermAdmin}[c]
		if !ok {
			return zk.ACL{}, fmt.Errorf("bad ACL %q: permission %q is not one of cdrwa", s, c)
		}
		perms |= bit
	}
	if perms == 0 {
		return zk.ACL{}, fmt.Errorf("bad ACL %q: no permissions", s)
	}
	switch scheme {
	case "world", "digest", "ip", "auth", "sasl", "x509", "super":
	default:
		return zk.ACL{}, fmt.Errorf("bad ACL %q: unknown scheme %q", s, scheme)
	}
	return zk.ACL{Perms: perms, Scheme: scheme, ID: id}, nil
}
