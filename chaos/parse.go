package chaos

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ParseError is a syntax error with its position, what was expected and,
// when a word was misspelt, the nearest valid word.
type ParseError struct {
	Pos Pos
	// Msg says what went wrong, e.g. `unknown command "kil"`.
	Msg string
	// Expected describes what would have been valid here (may be empty).
	Expected string
	// Suggestion is the nearest valid word by edit distance (may be empty).
	Suggestion string
}

// Error formats as `unknown command "kil" at 1:1; did you mean "kill"?`.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Msg)
	b.WriteString(" at ")
	b.WriteString(e.Pos.String())
	if e.Expected != "" {
		b.WriteString("; expected ")
		b.WriteString(e.Expected)
	}
	if e.Suggestion != "" {
		fmt.Fprintf(&b, "; did you mean %q?", e.Suggestion)
	}
	return b.String()
}

// Commands lists the first words of every statement, for help and completion.
var Commands = []string{
	"kill", "stop", "start", "restart", "pause", "resume", "isolate", "partition",
	"cut", "slow", "reject", "heal", "wait", "expect", "load", "check", "nemesis",
	"repeat", "noheal", "hold", "step", "release", "drop", "duplicate", "delay",
	"upgrade",
	"create", "set", "delete", "setacl", // data commands: parse_data.go
}

var processVerbs = map[string]bool{
	"kill": true, "stop": true, "start": true, "restart": true, "pause": true, "resume": true,
}

// States accepted by `expect state N STATE`. DOWN means not running.
var expectStates = []string{"LOOKING", "FOLLOWING", "LEADING", "OBSERVING", "STANDALONE", "DOWN", "PAUSED"}

const (
	maxNodeID    = 255
	maxRepeat    = 100000
	maxRate      = 100000
	maxNesting   = 16
	targetExpect = "a target: node ids like 3 or 1,2, or leader, follower, random, minority, majority, all"
)

// Parse parses a whole script.
func Parse(src string) (*Program, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	stmts, err := p.block(false, 0)
	if err != nil {
		return nil, err
	}
	return &Program{Stmts: stmts}, nil
}

// ParseLine parses a single command line (as typed at the prompt or given
// to `zkctl do`); it may hold several commands separated by ';'.
func ParseLine(line string) (*Program, error) { return Parse(line) }

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(t token, expected string, format string, args ...any) *ParseError {
	return &ParseError{Pos: t.pos, Msg: fmt.Sprintf(format, args...), Expected: expected}
}

// block parses statements until EOF (top level) or '}' (inside repeat).
func (p *parser) block(inBraces bool, depth int) ([]Stmt, error) {
	var out []Stmt
	for {
		t := p.peek()
		switch {
		case t.kind == tokNewline:
			p.next()
			continue
		case t.kind == tokEOF:
			if inBraces {
				return nil, p.errAt(t, `"}"`, "unclosed repeat block")
			}
			return out, nil
		case t.kind == tokRBrace:
			if !inBraces {
				return nil, p.errAt(t, "a command", `unexpected "}"`)
			}
			return out, nil
		}
		s, err := p.stmt(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		// A statement ends at a newline, ';', '}' or EOF.
		switch e := p.peek(); e.kind {
		case tokNewline, tokEOF, tokRBrace:
		default:
			return nil, p.errAt(e, `end of command (newline or ";")`, "unexpected %s after %q", e.describe(), s.String())
		}
	}
}

func (p *parser) stmt(depth int) (Stmt, error) {
	t := p.next()
	if t.kind != tokWord {
		return nil, p.errAt(t, "a command", "unexpected %s", t.describe())
	}
	word := strings.ToLower(t.text)
	at := t.pos
	switch {
	case processVerbs[word]:
		tg, err := p.target()
		if err != nil {
			return nil, err
		}
		return &ProcessStmt{At: at, Verb: word, Target: tg}, nil
	case word == "upgrade":
		return p.upgrade(at)
	case word == "isolate":
		tg, err := p.target()
		if err != nil {
			return nil, err
		}
		return &IsolateStmt{At: at, Target: tg}, nil
	case word == "reject":
		tg, err := p.target()
		if err != nil {
			return nil, err
		}
		return &RejectStmt{At: at, Target: tg}, nil
	case word == "partition":
		return p.partition(at)
	case word == "cut":
		from, to, err := p.link("cut 1 -> 2")
		if err != nil {
			return nil, err
		}
		return &CutStmt{At: at, From: from, To: to}, nil
	case word == "slow":
		tg, err := p.target()
		if err != nil {
			return nil, err
		}
		d, err := p.duration()
		if err != nil {
			return nil, err
		}
		s := &SlowStmt{At: at, Target: tg, Delay: d}
		if n := p.peek(); n.kind == tokWord && strings.EqualFold(n.text, "jitter") {
			p.next()
			if s.Jitter, err = p.duration(); err != nil {
				return nil, err
			}
		}
		return s, nil
	case word == "heal":
		return &HealStmt{At: at}, nil
	case word == "check":
		return &CheckStmt{At: at}, nil
	case word == "noheal":
		return &NoHealStmt{At: at}, nil
	case word == "wait":
		return p.wait(at)
	case word == "expect":
		return p.expect(at)
	case word == "load":
		return p.load(at)
	case word == "nemesis":
		return p.nemesis(at)
	case word == "repeat":
		return p.repeat(at, depth)
	case dataVerbs[word]:
		return p.dataStmt(at, word) // parse_data.go
	case messageCommands[word]:
		return p.messageStmt(word, at)
	}
	return nil, &ParseError{Pos: at, Msg: fmt.Sprintf("unknown command %q", t.text), Suggestion: nearest(word, Commands)}
}

// word consumes a word token or fails with expected.
func (p *parser) word(expected string) (token, error) {
	t := p.next()
	if t.kind != tokWord {
		return t, p.errAt(t, expected, "unexpected %s", t.describe())
	}
	return t, nil
}

func parseNodeID(t token) (int, error) {
	n, err := strconv.Atoi(t.text)
	if err != nil || n < 1 || n > maxNodeID {
		return 0, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("bad node id %q", t.text), Expected: fmt.Sprintf("a node id from 1 to %d", maxNodeID)}
	}
	return n, nil
}

func (p *parser) nodeID() (int, error) {
	t, err := p.word("a node id")
	if err != nil {
		return 0, err
	}
	return parseNodeID(t)
}

// idList parses "3" or "1,2,3" with no duplicates, first word already read.
func (p *parser) idList(first token) ([]int, error) {
	id, err := parseNodeID(first)
	if err != nil {
		return nil, err
	}
	ids := []int{id}
	seen := map[int]bool{id: true}
	for p.peek().kind == tokComma {
		p.next()
		t, err := p.word("a node id after \",\"")
		if err != nil {
			return nil, err
		}
		id, err := parseNodeID(t)
		if err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("node %d listed twice", id)}
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return ids, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (p *parser) target() (Target, error) {
	t, err := p.word(targetExpect)
	if err != nil {
		return Target{}, err
	}
	if isDigits(t.text) || strings.HasPrefix(t.text, "-") {
		ids, err := p.idList(t)
		if err != nil {
			return Target{}, err
		}
		return Target{Kind: TargetIDs, IDs: ids}, nil
	}
	if k, ok := targetKeywords[strings.ToLower(t.text)]; ok {
		return Target{Kind: k}, nil
	}
	keys := make([]string, 0, len(targetKeywords))
	for k := range targetKeywords {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return Target{}, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("unknown target %q", t.text), Expected: targetExpect, Suggestion: nearest(strings.ToLower(t.text), keys)}
}

func (p *parser) duration() (time.Duration, error) {
	t, err := p.word("a duration like 200ms or 2s")
	if err != nil {
		return 0, err
	}
	d, perr := time.ParseDuration(t.text)
	if perr != nil || d < 0 {
		return 0, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("bad duration %q", t.text), Expected: "a duration like 200ms or 2s"}
	}
	return d, nil
}

func (p *parser) partition(at Pos) (Stmt, error) {
	t, err := p.word("groups like 1,2 | 3,4,5 or a shape: halves, ring, bridge, leader")
	if err != nil {
		return nil, err
	}
	if !isDigits(t.text) {
		w := strings.ToLower(t.text)
		for _, s := range shapes {
			if w == s {
				return &PartitionStmt{At: at, Shape: s}, nil
			}
		}
		return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("unknown partition shape %q", t.text),
			Expected: "groups like 1,2 | 3,4,5 or a shape: halves, ring, bridge, leader", Suggestion: nearest(w, shapes)}
	}
	seen := map[int]bool{}
	var groups [][]int
	for {
		ids, err := p.idList(t)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if seen[id] {
				return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("node %d is in two groups", id)}
			}
			seen[id] = true
		}
		groups = append(groups, ids)
		if p.peek().kind != tokBar {
			break
		}
		p.next()
		if t, err = p.word("a group of node ids after \"|\""); err != nil {
			return nil, err
		}
	}
	if len(groups) < 2 {
		return nil, &ParseError{Pos: at, Msg: "partition needs at least two groups", Expected: "groups like 1,2 | 3,4,5"}
	}
	return &PartitionStmt{At: at, Groups: groups}, nil
}

var waitConds = []string{CondLeader, CondQuorum, CondSynced}

func (p *parser) wait(at Pos) (Stmt, error) {
	t, err := p.word("a duration like 2s or leader, quorum, synced")
	if err != nil {
		return nil, err
	}
	w := strings.ToLower(t.text)
	for _, c := range waitConds {
		if w == c {
			s := &WaitForStmt{At: at, Cond: c}
			if n := p.peek(); n.kind == tokWord && strings.EqualFold(n.text, "within") {
				p.next()
				if s.Within, err = p.duration(); err != nil {
					return nil, err
				}
				if s.Within == 0 {
					return nil, &ParseError{Pos: n.pos, Msg: "within 0 can never be met", Expected: "a positive duration"}
				}
			}
			return s, nil
		}
	}
	d, perr := time.ParseDuration(t.text)
	if perr != nil || d < 0 {
		return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("bad wait %q", t.text),
			Expected: "a duration like 2s or leader, quorum, synced", Suggestion: nearest(w, waitConds)}
	}
	return &WaitStmt{At: at, D: d}, nil
}

func (p *parser) expect(at Pos) (Stmt, error) {
	const exp = "leader, state, synced, quorum, data or absent"
	t, err := p.word(exp)
	if err != nil {
		return nil, err
	}
	switch w := strings.ToLower(t.text); w {
	case ExpectSynced, ExpectQuorum:
		return &ExpectStmt{At: at, Kind: w}, nil
	case ExpectLeader:
		s := &ExpectStmt{At: at, Kind: ExpectLeader}
		switch op := p.peek(); op.kind {
		case tokEq, tokNe:
			p.next()
			s.Op = op.text
			if s.ID, err = p.nodeID(); err != nil {
				return nil, err
			}
		}
		return s, nil
	case ExpectState:
		id, err := p.nodeID()
		if err != nil {
			return nil, err
		}
		st, err := p.word("a state: " + strings.Join(expectStates, ", "))
		if err != nil {
			return nil, err
		}
		up := strings.ToUpper(st.text)
		for _, s := range expectStates {
			if up == s {
				return &ExpectStmt{At: at, Kind: ExpectState, ID: id, State: s}, nil
			}
		}
		return nil, &ParseError{Pos: st.pos, Msg: fmt.Sprintf("unknown state %q", st.text),
			Expected: "a state: " + strings.Join(expectStates, ", "), Suggestion: nearest(up, expectStates)}
	case "data", "absent":
		return p.expectData(at, w) // parse_data.go
	default:
		return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("unknown expectation %q", t.text), Expected: exp,
			Suggestion: nearest(w, []string{ExpectLeader, ExpectState, ExpectSynced, ExpectQuorum, "data", "absent"})}
	}
}

func (p *parser) load(at Pos) (Stmt, error) {
	const exp = "a rate like 200/s, or off"
	t, err := p.word(exp)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(t.text, "off") {
		return &LoadStmt{At: at, Off: true}, nil
	}
	n, cerr := strconv.Atoi(t.text)
	if cerr != nil || n < 1 || n > maxRate {
		return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("bad load rate %q", t.text), Expected: fmt.Sprintf("%s (1 to %d per second)", exp, maxRate)}
	}
	if s := p.next(); s.kind == tokPath && s.text == "/s" {
		return &LoadStmt{At: at, Rate: n}, nil // "load 200 /s"
	} else if s.kind != tokSlash {
		return nil, p.errAt(s, `"/s" after the rate`, "unexpected %s", s.describe())
	}
	if u := p.next(); u.kind != tokWord || u.text != "s" {
		return nil, p.errAt(u, `"/s" after the rate`, "unexpected %s", u.describe())
	}
	return &LoadStmt{At: at, Rate: n}, nil
}

func (p *parser) nemesis(at Pos) (Stmt, error) {
	const exp = "fault kinds: a comma list of kill, pause, partition, cut, slow"
	s := &NemesisStmt{At: at}
	seen := map[string]bool{}
	for {
		t, err := p.word(exp)
		if err != nil {
			return nil, err
		}
		w := strings.ToLower(t.text)
		ok := false
		for _, k := range nemesisKinds {
			ok = ok || k == w
		}
		if !ok {
			return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("unknown nemesis kind %q", t.text), Expected: exp, Suggestion: nearest(w, nemesisKinds)}
		}
		if seen[w] {
			return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("nemesis kind %q listed twice", w)}
		}
		seen[w] = true
		s.Kinds = append(s.Kinds, w)
		if p.peek().kind != tokComma {
			break
		}
		p.next()
	}
	if err := p.keyword("every"); err != nil {
		return nil, err
	}
	var err error
	if s.Every, err = p.duration(); err != nil {
		return nil, err
	}
	if s.Every < 10*time.Millisecond {
		return nil, &ParseError{Pos: at, Msg: fmt.Sprintf("nemesis every %s is too fast", s.Every), Expected: "every 10ms or more"}
	}
	if err := p.keyword("for"); err != nil {
		return nil, err
	}
	if s.For, err = p.duration(); err != nil {
		return nil, err
	}
	if n := p.peek(); n.kind == tokWord && strings.EqualFold(n.text, "seed") {
		p.next()
		t, err := p.word("a seed (integer)")
		if err != nil {
			return nil, err
		}
		seed, cerr := strconv.ParseInt(t.text, 10, 64)
		if cerr != nil {
			return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("bad seed %q", t.text), Expected: "a seed (integer)"}
		}
		s.Seed, s.HasSeed = seed, true
	}
	return s, nil
}

func (p *parser) keyword(kw string) error {
	t := p.next()
	if t.kind != tokWord || !strings.EqualFold(t.text, kw) {
		e := p.errAt(t, fmt.Sprintf("%q", kw), "unexpected %s", t.describe())
		if t.kind == tokWord {
			e.Suggestion = nearest(strings.ToLower(t.text), []string{kw})
		}
		return e
	}
	return nil
}

func (p *parser) repeat(at Pos, depth int) (Stmt, error) {
	if depth >= maxNesting {
		return nil, &ParseError{Pos: at, Msg: "repeat blocks nested too deeply", Expected: fmt.Sprintf("at most %d levels", maxNesting)}
	}
	t, err := p.word("a repeat count")
	if err != nil {
		return nil, err
	}
	n, cerr := strconv.Atoi(t.text)
	if cerr != nil || n < 1 || n > maxRepeat {
		return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("bad repeat count %q", t.text), Expected: fmt.Sprintf("a count from 1 to %d", maxRepeat)}
	}
	if b := p.next(); b.kind != tokLBrace {
		return nil, p.errAt(b, `"{" after the repeat count`, "unexpected %s", b.describe())
	}
	body, err := p.block(true, depth+1)
	if err != nil {
		return nil, err
	}
	p.next() // the '}' block stopped at
	return &RepeatStmt{At: at, Count: n, Body: body}, nil
}

// nearest returns the candidate closest to w by edit distance, or "" when
// none is close enough to be a plausible typo.
func nearest(w string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(w, c)
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(w) <= 3 {
		limit = 1
	}
	if bestD < 0 || bestD > limit && !(len(w) >= 2 && strings.HasPrefix(best, w)) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (by runes).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// upgrade parses `upgrade N --impl apache|zkctl` after its first word.
func (p *parser) upgrade(at Pos) (Stmt, error) {
	const usage = "upgrade N --impl apache|zkctl"
	t, err := p.word("a node id (" + usage + ")")
	if err != nil {
		return nil, err
	}
	id, err := parseNodeID(t)
	if err != nil {
		return nil, err
	}
	if f, err := p.word(`"--impl" (` + usage + ")"); err != nil {
		return nil, err
	} else if f.text != "--impl" {
		return nil, p.errAt(f, `"--impl" (`+usage+")", "unexpected %q", f.text)
	}
	im, err := p.word("apache or zkctl")
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(im.text)
	if name != "apache" && name != "zkctl" {
		return nil, &ParseError{Pos: im.pos, Msg: fmt.Sprintf("unknown implementation %q", im.text), Expected: "apache or zkctl",
			Suggestion: nearest(name, []string{"apache", "zkctl"})}
	}
	return &UpgradeStmt{At: at, Node: id, Impl: name}, nil
}
