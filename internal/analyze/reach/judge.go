package reach

import "fmt"

// gate is one control on a path, as two sets over the source addresses: a,
// the sources it definitely lets through, and p ⊇ a, those it may let
// through (p larger than a when an input is unknown, with why). A gate that
// does not depend on the source uses the universe or the empty set.
type gate struct {
	control Control
	a, p    set
	why     string
	// render explains the gate for one witness source address; pass is
	// false when the path stops here.
	render func(w u128, pass bool) Hop
}

// judge runs a chain of gates.
//
// With all false the source is any address of start (the internet: some
// client gets through if one address passes every gate). With all true the
// source is one fixed but unknown address of start (a load balancer node in a
// subnet): the path is definite only if every address of start passes.
//
// The path stops at the first gate that lets none of the remaining sources
// through; its hop is BlockedBy. Otherwise every gate is explained for a
// witness source that gets through.
func judge(f fam, start set, all bool, src Hop, gates []gate) Path {
	path := Path{Family: f.String()}
	if start.empty() {
		src.Detail += " (no source address)"
		path.Verdict, path.Hops, path.BlockedBy = NotReachable, []Hop{src}, &src
		return path
	}
	curA, curP := start, start
	for i, g := range gates {
		prevP := curP
		curA, curP = intersect(curA, g.a), intersect(curP, g.p)
		if curP.empty() {
			w := witness(f, prevP)
			hops := []Hop{src}
			for _, h := range gates[:i] {
				hops = append(hops, h.render(w, true))
			}
			blocked := g.render(w, false)
			hops = append(hops, blocked)
			path.Verdict, path.Hops, path.BlockedBy = NotReachable, hops, &blocked
			return path
		}
	}
	var w u128
	switch {
	case all && setEqual(curA, start):
		path.Verdict, w = Reachable, witness(f, start)
	case !all && !curA.empty():
		path.Verdict, w = Reachable, witness(f, curA)
		path.Sources = curA.cidrs(f, 6)
	default:
		path.Verdict, w = Unknown, witness(f, curP)
		if !all {
			path.Sources = curP.cidrs(f, 6)
		}
		for _, g := range gates {
			if g.why != "" && !g.a.covers(intersect(g.p, curP)) {
				path.Unknown = appendOnce(path.Unknown, g.why)
			}
		}
		if len(path.Unknown) == 0 {
			path.Unknown = []string{fmt.Sprintf("depends on which address in %v the load balancer node has", start.cidrs(f, 4))}
		}
	}
	if !all {
		src.Detail += " (sources that get through: " + joinCIDRs(path.Sources) + ")"
	}
	path.Hops = append(path.Hops, src)
	for _, g := range gates {
		path.Hops = append(path.Hops, g.render(w, true))
	}
	return path
}

func appendOnce(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

func joinCIDRs(cs []string) string {
	if len(cs) == 0 {
		return "none"
	}
	out := cs[0]
	for _, c := range cs[1:] {
		out += ", " + c
	}
	return out
}

// fixedGate is a gate that does not depend on the source address.
func fixedGate(f fam, c Control, verdict Verdict, why string, hop Hop) gate {
	g := gate{control: c, why: why, render: func(u128, bool) Hop { return hop }}
	switch verdict {
	case Reachable:
		g.a, g.p = universe(f), universe(f)
	case Unknown:
		g.p = universe(f)
	}
	return g
}

// Example sources: documentation addresses (RFC 5737, RFC 3849) read as
// "some client" in explanations, where the first address of a set (1.0.0.0)
// would look like a real host.
var (
	exampleV4 = mustAddr("203.0.113.10")
	exampleV6 = mustAddr("2001:db8::10")
)

func mustAddr(s string) u128 {
	_, x, ok := parseAddr(s)
	if !ok {
		panic("reach: bad address " + s)
	}
	return x
}

// witness picks the source address a path is explained for: the example
// address when the set holds it, else the set's first address.
func witness(f fam, s set) u128 {
	ex := exampleV4
	if f == v6 {
		ex = exampleV6
	}
	if s.contains(ex) {
		return ex
	}
	return s.first()
}
