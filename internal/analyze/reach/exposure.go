package reach

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// Exposure lists every resource the internet can reach, on which protocols
// and ports, with the path: instances and interfaces directly (public
// address, route to an attached internet gateway, NACL both ways, security
// group), internet-facing load balancers on their listeners, and the
// targets behind them on their target ports. Port ranges are merged where
// contiguous; the order is by resource ARN, protocol and port.
//
// Resources that may be reachable but depend on an input that was not
// collected are listed in Report.Unknown with the reason.
func (n *Network) Exposure() *Report {
	var acc []piece
	for _, name := range n.names {
		r := n.regions[name]
		c := newCtx(n, r)
		if len(r.enis) == 0 && r.eniWhy != "" {
			acc = append(acc, piece{arn: fmt.Sprintf("%s:ec2:%s:%s:network-interface/*", n.arnPrefix, r.name, n.account),
				verdict: Unknown, lo: -1, hi: -1, reason: r.eniWhy + " (and instances not collected): exposure of " + r.name + " unknown"})
		}
		for _, e := range r.enis {
			if e.skipReason != "" {
				continue
			}
			acc = c.exposeENI(e, acc)
		}
		acc = c.exposeLBs(acc)
	}
	return assemble(acc)
}

// piece is one judged protocol/port range of a resource before merging.
type piece struct {
	arn     string
	proto   int
	lo, hi  int
	verdict Verdict
	order   int // 0 direct, 1 through a load balancer
	path    []string
	reason  string
}

// exposeENI judges one interface from the internet, for every protocol its
// security groups name and every port range over which the controls behave
// the same.
func (c *evalCtx) exposeENI(e *eni, acc []piece) []piece {
	vpc := c.r.vpcOf(e)
	acl, _ := c.r.naclFor(e.SubnetID, vpc)
	for _, f := range []fam{v4, v6} {
		if (f == v4 && len(e.pubV4) == 0) || (f == v6 && len(e.gua) == 0) {
			continue
		}
		rg := c.internetRouteGate(e.SubnetID, vpc, f)
		if rg.p.empty() {
			continue
		}
		for _, proto := range c.eniProtocols(e, f) {
			acc = c.exposeENIProto(e, f, proto, acl, rg, acc)
		}
	}
	return acc
}

// eniProtocols are TCP, UDP, the family's ICMP, and any other protocol
// number the interface's security groups name.
func (c *evalCtx) eniProtocols(e *eni, f fam) []int {
	ps := []int{protoTCP, protoUDP, icmpFor(f)}
	for _, id := range e.SecurityGroupIDs {
		g := c.r.sgs[id]
		if g == nil {
			continue
		}
		for i := range g.Ingress {
			p, err := ParseProtocol(g.Ingress[i].Protocol)
			if err != nil || p == protoAll || hasProto(ps, p) || !famOK(p, f) {
				continue
			}
			ps = append(ps, p)
		}
	}
	return ps
}

func (c *evalCtx) exposeENIProto(e *eni, f fam, proto int, acl *ec2.NetworkACL, rg gate, acc []piece) []piece {
	lo, hi := portSpace(proto)
	bps := []int{lo}
	// Security groups: each group's rules cut the port space; the interface
	// is allowed what any of its groups allows.
	var sgSegs [][]sseg
	noSG := len(e.SecurityGroupIDs) == 0
	for _, id := range e.SecurityGroupIDs {
		if c.r.sgs[id] == nil {
			sgSegs = append(sgSegs, []sseg{{lo, hi, nil, universe(f)}})
			continue
		}
		segs := c.sgSegments(id, f, proto)
		sgSegs = append(sgSegs, segs)
		for _, s := range segs {
			bps = append(bps, s.lo)
		}
	}
	var naclSegs []aseg
	if acl != nil {
		naclSegs = c.naclSegments(acl, false, f, proto)
		for _, s := range naclSegs {
			bps = append(bps, s.lo)
		}
	}
	pub := internet(f)
	// Judge each range over which every control behaves the same, then
	// explain each run of contiguous ranges with the same verdict once, at
	// its first port: explanations are the expensive part.
	type run struct {
		lo, hi int
		v      Verdict
		parts  int
	}
	var runs []run
	for _, r := range elementary(bps, lo, hi) {
		q := query{proto: proto, port: r[0], code: -1}
		var sa, sp set
		if noSG {
			if e.InterfaceType == "network_load_balancer" {
				sa, sp = universe(f), universe(f)
			} else {
				sp = universe(f)
			}
		}
		for _, segs := range sgSegs {
			a, p := sgSegAt(segs, r[0])
			sa, sp = union(sa, a), union(sp, p)
		}
		if sp.empty() {
			continue
		}
		na, np := set(nil), universe(f)
		ra, rp := universe(f), universe(f)
		if acl != nil {
			na = segAt(naclSegs, r[0])
			np = na
			ra = c.naclReturn(acl, true, f, q)
			rp = ra
		}
		if !meet(rg.p, sp, np, rp, pub) {
			continue
		}
		v := Unknown
		if meet(rg.a, sa, na, ra, pub) {
			v = Reachable
		}
		if n := len(runs); n > 0 && runs[n-1].v == v && runs[n-1].hi+1 == r[0] {
			runs[n-1].hi = r[1]
			runs[n-1].parts++
			continue
		}
		runs = append(runs, run{r[0], r[1], v, 1})
	}
	for _, rn := range runs {
		path := c.eniInternetPath(e, f, query{proto: proto, port: rn.lo, code: -1})
		hops := path.Strings()
		if rn.parts > 1 {
			hops = append(hops, "note: other ports of this range may pass through other rules; ask `demarc net reach` about one port for its path")
		}
		acc = append(acc, piece{arn: e.arn, proto: proto, lo: rn.lo, hi: rn.hi, verdict: rn.v, path: hops, reason: strings.Join(path.Unknown, "; ")})
	}
	return acc
}

// exposeLBs judges every internet-facing load balancer's listeners and the
// targets behind them.
func (c *evalCtx) exposeLBs(acc []piece) []piece {
	if c.r.lbByARN == nil {
		if len(c.r.elbENIs) == 0 && c.r.eniWhy != "" {
			acc = append(acc, piece{arn: fmt.Sprintf("%s:elasticloadbalancing:%s:%s:loadbalancer/*", c.n.arnPrefix, c.r.name, c.n.account),
				verdict: Unknown, lo: -1, hi: -1, order: 1,
				reason: c.r.lbWhy + " and " + c.r.eniWhy + ": exposure through load balancers in " + c.r.name + " unknown"})
		}
		keys := make([]string, 0, len(c.r.elbENIs))
		for k := range c.r.elbENIs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			acc = append(acc, piece{arn: fmt.Sprintf("%s:elasticloadbalancing:%s:%s:loadbalancer/%s", c.n.arnPrefix, c.r.name, c.n.account, k),
				verdict: Unknown, lo: -1, hi: -1, order: 1,
				reason: c.r.lbWhy + ": the load balancer's listeners and targets are unknown"})
		}
		return acc
	}
	for _, l := range c.r.lbs {
		v, hop := c.lbEntry(l)
		if v == NotReachable {
			continue
		}
		if v == Unknown {
			acc = append(acc, piece{arn: l.ARN, verdict: Unknown, lo: -1, hi: -1, order: 1, path: []string{hop.String()}, reason: hop.Detail})
			continue
		}
		tgs, tgsOK := l.TargetGroups.Get()
		for _, ls := range l.Listeners.V {
			for _, proto := range listenerProtos(ls.Protocol) {
				front := best(c.lbFrontendPaths(l, query{proto: proto, port: int(ls.Port), code: -1}))
				if front.Verdict == NotReachable {
					continue
				}
				acc = append(acc, piece{arn: l.ARN, proto: proto, lo: int(ls.Port), hi: int(ls.Port), verdict: front.Verdict, order: 1,
					path: front.Strings(), reason: strings.Join(front.Unknown, "; ")})
				if !tgsOK {
					acc = append(acc, piece{arn: l.ARN, proto: proto, lo: -1, hi: -1, verdict: Unknown, order: 1,
						reason: "target groups " + l.TargetGroups.Why() + ": targets behind the load balancer unknown"})
					continue
				}
				for i := range tgs {
					tg := &tgs[i]
					if !forwards(ls, tg.ARN) {
						continue
					}
					acc = c.exposeTargets(l, ls, tg, proto, acc)
				}
			}
		}
	}
	return acc
}

func (c *evalCtx) exposeTargets(l *lb, ls elbv2.Listener, tg *elbv2.TargetGroup, proto int, acc []piece) []piece {
	targets, ok := tg.Targets.Get()
	if !ok {
		return append(acc, piece{arn: tg.ARN, proto: proto, lo: -1, hi: -1, verdict: Unknown, order: 1,
			reason: "targets " + tg.Targets.Why() + ": resources behind " + l.ARN + " unknown"})
	}
	for _, t := range targets {
		var arn string
		port := targetPort(tg, t)
		switch tg.TargetType {
		case elbv2.TargetLambda:
			arn, port = t.ID, int(ls.Port)
		case elbv2.TargetALB:
			acc = append(acc, piece{arn: t.ID, proto: proto, lo: int(ls.Port), hi: int(ls.Port), verdict: Unknown, order: 1,
				reason: "Application Load Balancer registered as a target of " + l.ARN + ": chained load balancers are not followed"})
			continue
		default:
			lt := c.resolveTarget(tg, t)
			switch {
			case lt.e != nil:
				arn = lt.e.arn
			case tg.TargetType == elbv2.TargetInstance || tg.TargetType == "":
				arn = fmt.Sprintf("%s:ec2:%s:%s:instance/%s", c.n.arnPrefix, c.r.name, c.n.account, t.ID)
			default:
				arn = t.ID
			}
		}
		p := best(c.lbTargetPaths(l, ls, tg, t, proto))
		if p.Verdict == NotReachable {
			continue
		}
		acc = append(acc, piece{arn: arn, proto: proto, lo: port, hi: port, verdict: p.Verdict, order: 1,
			path: p.Strings(), reason: strings.Join(p.Unknown, "; ")})
	}
	return acc
}

// best returns the most open path: reachable, else unknown, else the first.
func best(ps []Path) Path {
	if len(ps) == 0 {
		return Path{Verdict: NotReachable}
	}
	b := ps[0]
	for _, p := range ps[1:] {
		if p.Verdict.rank() > b.Verdict.rank() {
			b = p
		}
	}
	return b
}

// assemble merges pieces into the report: per resource and protocol, the
// reachable ports as maximal contiguous ranges (each with the path of its
// first range), then the unknown ranges that are not already reachable.
func assemble(ps []piece) *Report {
	rep := &Report{Exposures: []Exposure{}}
	type key struct {
		arn   string
		proto int
	}
	groups := map[key][]piece{}
	var keys []key
	for _, p := range ps {
		k := key{p.arn, p.proto}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], p)
	}
	for _, k := range keys {
		g := groups[k]
		sort.SliceStable(g, func(i, j int) bool {
			if g[i].lo != g[j].lo {
				return g[i].lo < g[j].lo
			}
			return g[i].order < g[j].order
		})
		var reach []piece
		for _, p := range g {
			if p.verdict == Reachable {
				reach = mergeInto(reach, p)
			}
		}
		for _, p := range reach {
			rep.Exposures = append(rep.Exposures, Exposure{ResourceARN: p.arn, Protocol: ProtocolName(p.proto), FromPort: p.lo, ToPort: p.hi, Path: p.path})
		}
		var unk []piece
		for _, p := range g {
			if p.verdict != Unknown {
				continue
			}
			for _, rest := range subtractRanges(p, reach) {
				unk = mergeInto(unk, rest)
			}
		}
		for _, p := range unk {
			u := UnknownExposure{ResourceARN: p.arn, FromPort: p.lo, ToPort: p.hi, Path: p.path, Status: string(Unknown), Reason: p.reason}
			if p.lo >= 0 || p.proto != 0 {
				u.Protocol = ProtocolName(p.proto)
			}
			rep.Unknown = append(rep.Unknown, u)
		}
	}
	sort.SliceStable(rep.Exposures, func(i, j int) bool {
		a, b := rep.Exposures[i], rep.Exposures[j]
		if a.ResourceARN != b.ResourceARN {
			return a.ResourceARN < b.ResourceARN
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		return a.FromPort < b.FromPort
	})
	sort.SliceStable(rep.Unknown, func(i, j int) bool {
		a, b := rep.Unknown[i], rep.Unknown[j]
		if a.ResourceARN != b.ResourceARN {
			return a.ResourceARN < b.ResourceARN
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		return a.FromPort < b.FromPort
	})
	return rep
}

// mergeInto appends a piece to ranges sorted by start, joining it with the
// last range when they touch or overlap; the joined range keeps the first
// path and says when other ports of it go another way.
func mergeInto(rs []piece, p piece) []piece {
	if n := len(rs); n > 0 && p.lo <= rs[n-1].hi+1 && p.lo >= 0 {
		last := &rs[n-1]
		extends := p.hi > last.hi
		if extends {
			last.hi = p.hi
		}
		if !equalStrings(last.path, p.path) && !strings.HasPrefix(lastOf(last.path), "note:") {
			note := "note: also reachable by another path (the other address family or a load balancer); `demarc net reach` lists every path"
			if extends {
				note = "note: other ports of this range pass through other rules or paths; ask `demarc net reach` about one port for its path"
			}
			last.path = append(append([]string(nil), last.path...), note)
		}
		if p.reason != "" && !strings.Contains(last.reason, p.reason) {
			if last.reason != "" {
				last.reason += "; "
			}
			last.reason += p.reason
		}
		return rs
	}
	return append(rs, p)
}

// subtractRanges removes the reachable ranges from an unknown piece.
func subtractRanges(p piece, reach []piece) []piece {
	out := []piece{p}
	if p.lo < 0 {
		return out
	}
	for _, r := range reach {
		var next []piece
		for _, x := range out {
			if r.hi < x.lo || r.lo > x.hi {
				next = append(next, x)
				continue
			}
			if x.lo < r.lo {
				y := x
				y.hi = r.lo - 1
				next = append(next, y)
			}
			if x.hi > r.hi {
				y := x
				y.lo = r.hi + 1
				next = append(next, y)
			}
		}
		out = next
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func lastOf(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[len(xs)-1]
}
