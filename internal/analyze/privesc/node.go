package privesc

import (
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/iam"
)

// modKind is a change the attacker made to a principal's permissions.
type modKind uint8

const (
	modAddPolicy     modKind = iota + 1 // an attached or inline policy is added
	modReplacePolicy                    // a managed policy's document is replaced (new or other version)
	modJoinGroup                        // the user joins a group
	modDropBoundary                     // the boundary is deleted (or replaced by one that limits nothing)
)

// mod is one change; key identifies it within a node key.
type mod struct {
	kind   modKind
	key    string
	target string      // replaced policy ARN
	pol    *iam.Policy // added or replacing policy
	group  *group
}

// node is a principal in a credential context, with the changes the
// attacker made to its permissions on the way.
type node struct {
	p    *principal
	cred Cred
	mods []mod // sorted by key
	key  string

	identity []*iam.Policy
	boundary *iam.Policy
	// The identity and boundary as the engine sees them (keys.go), for
	// requests whose resource tags are unknown [0] or known [1].
	rwIdentity [2][]*iam.Policy
	rwBoundary [2]*iam.Policy
	rwDone     [2]bool

	edges   []*edge
	next    int    // index in execOrder of the next technique to compute
	admin   int8   // 0 unknown, 1 admin, -1 not
	capable []int8 // by actionIndex: 0 not computed, 1 named, -1 not
	// allowRes caches, per action, the resource patterns of the Allow
	// statements naming it ("*" when any resource may match).
	allowRes map[string][]string
}

func nodeKey(p *principal, c Cred, mods []mod) string {
	var b strings.Builder
	b.WriteString(p.arn)
	b.WriteByte('|')
	b.WriteByte('0' + byte(c))
	for _, m := range mods {
		b.WriteByte('|')
		b.WriteString(m.key)
	}
	return b.String()
}

// node returns the node for a principal, credential context and changes,
// creating it once.
func (a *Analysis) node(p *principal, c Cred, mods []mod) *node {
	if len(mods) > 1 {
		mods = append([]mod(nil), mods...)
		sort.Slice(mods, func(i, j int) bool { return mods[i].key < mods[j].key })
	}
	k := nodeKey(p, c, mods)
	if n, ok := a.nodes[k]; ok {
		return n
	}
	n := &node{p: p, cred: c, mods: mods, key: k}
	n.identity, n.boundary = effective(p, mods)
	a.nodes[k] = n
	return n
}

// withMod returns mods plus m (unless an equal change is already there).
func withMod(mods []mod, m mod) []mod {
	for _, x := range mods {
		if x.key == m.key {
			return mods
		}
	}
	out := make([]mod, 0, len(mods)+1)
	out = append(out, mods...)
	return append(out, m)
}

// effective applies the changes to a principal's policies.
func effective(p *principal, mods []mod) ([]*iam.Policy, *iam.Policy) {
	identity := p.sp.Identity
	boundary := p.sp.Boundary
	if len(mods) == 0 {
		return identity, boundary
	}
	identity = append([]*iam.Policy(nil), identity...)
	for _, m := range mods {
		switch m.kind {
		case modAddPolicy:
			identity = append(identity, m.pol)
		case modReplacePolicy:
			for i, pol := range identity {
				if pol.Name == m.target {
					identity[i] = m.pol
				}
			}
		case modJoinGroup:
			if !contains(p.groups, m.group.name) {
				identity = append(identity, m.group.policies...)
			}
		case modDropBoundary:
			boundary = nil
		}
	}
	return identity, boundary
}

// memberOf reports whether the node's user belongs to the group, counting
// groups joined on the way.
func (n *node) memberOf(g *group) bool {
	if contains(n.p.groups, g.name) {
		return true
	}
	for _, m := range n.mods {
		if m.kind == modJoinGroup && m.group == g {
			return true
		}
	}
	return false
}

// actionIndex numbers every action the analysis asks about, so that a
// node's canDo answers live in a small slice rather than a map.
var actionIndex = func() map[string]int {
	m := map[string]int{}
	add := func(a string) {
		if _, ok := m[a]; !ok {
			m[a] = len(m)
		}
	}
	for _, t := range catalogue {
		for _, st := range t.Steps {
			add(st.Action)
		}
	}
	for _, a := range AdminProbes {
		add(a)
	}
	add("iam:DeleteAccessKey")
	add("iam:DeletePolicyVersion")
	return m
}()

// canDo reports whether any identity Allow statement of the node names the
// action (ignoring resources and conditions): a cheap filter before asking
// the engine, which decides for real.
func (n *node) canDo(action string) bool {
	i, indexed := actionIndex[action]
	if indexed {
		if n.capable == nil {
			n.capable = make([]int8, len(actionIndex))
		}
		if v := n.capable[i]; v != 0 {
			return v > 0
		}
	}
	ok := false
	for _, pol := range n.identity {
		for _, st := range pol.Statements {
			if st.Effect != iam.Allow {
				continue
			}
			m := false
			for _, pat := range st.Actions {
				if globFold(pat, action) {
					m = true
					break
				}
			}
			if m != st.NotAction {
				ok = true
				break
			}
		}
		if ok {
			break
		}
	}
	if indexed {
		n.capable[i] = -1
		if ok {
			n.capable[i] = 1
		}
	}
	return ok
}

// mightAllow reports whether an identity Allow statement could match the
// action on the resource (conditions ignored, policy variables read as
// wildcards): a filter before the engine.
func (n *node) mightAllow(action, resource string) bool {
	pats, ok := n.allowRes[action]
	if !ok {
		if n.allowRes == nil {
			n.allowRes = map[string][]string{}
		}
		for _, pol := range n.identity {
			for _, st := range pol.Statements {
				if st.Effect != iam.Allow {
					continue
				}
				m := false
				for _, pat := range st.Actions {
					if globFold(pat, action) {
						m = true
						break
					}
				}
				if m == st.NotAction {
					continue
				}
				if st.NotResource {
					pats = append(pats, "*")
					continue
				}
				for _, r := range st.Resources {
					if n.p.isUser && n.p.name != "" {
						r = strings.ReplaceAll(r, "${aws:username}", n.p.name)
					}
					pats = append(pats, varsToWildcards(r))
				}
			}
		}
		n.allowRes[action] = pats
	}
	for _, pat := range pats {
		if globFold(pat, resource) {
			return true
		}
	}
	return false
}

func varsToWildcards(s string) string {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		s = s[:i] + "*" + s[i+j+1:]
	}
}

// globFold matches an action pattern (case-insensitive, * and ?).
func globFold(pat, s string) bool {
	p, t := 0, 0
	star, mark := -1, 0
	for t < len(s) {
		switch {
		case p < len(pat) && (pat[p] == '?' || lower(pat[p]) == lower(s[t])):
			p++
			t++
		case p < len(pat) && pat[p] == '*':
			star, mark = p, t
			p++
		case star >= 0:
			p = star + 1
			mark++
			t = mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
