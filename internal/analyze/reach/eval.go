package reach

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// evalCtx holds the per-question caches. Questions build their own context,
// so the Network itself is never written after New.
type evalCtx struct {
	n          *Network
	r          *region
	naclSegs   map[naclKey][]aseg
	naclRet    map[retKey]set
	sgSegs     map[sgKey][]sseg
	routeGates map[routeKey]routeGate
	sorted     map[naclDirKey][]naclEntry
	routeLists map[routeKey][]route
	cidrs      map[string]parsedCIDR
	hops       map[hopKey]Hop
}

// hopKey identifies an explanation that many paths share (the same route
// table, NACL rule and witness source for every interface of a subnet).
type hopKey struct {
	kind   uint8
	id     string
	sub    string
	egress bool
	f      fam
	q      query
	w      u128
}

// memo returns a cached hop or renders and caches it.
func (c *evalCtx) memo(k hopKey, render func() Hop) Hop {
	if h, ok := c.hops[k]; ok {
		return h
	}
	h := render()
	c.hops[k] = h
	return h
}

// parsedCIDR is a CIDR from a rule, parsed once per question.
type parsedCIDR struct {
	s  set
	f  fam
	ok bool
}

// cidr parses a CIDR with the question's cache.
func (c *evalCtx) cidr(s string) parsedCIDR {
	if p, ok := c.cidrs[s]; ok {
		return p
	}
	ps, pf, ok := prefixSet(s)
	p := parsedCIDR{ps, pf, ok}
	c.cidrs[s] = p
	return p
}

// routes returns a route table's routes of a family, parsed and sorted once.
func (c *evalCtx) routes(rt *ec2.RouteTable, f fam) []route {
	k := routeKey{rt.ID, "", f}
	if rs, ok := c.routeLists[k]; ok {
		return rs
	}
	rs := routesOf(rt, f)
	c.routeLists[k] = rs
	return rs
}

func newCtx(n *Network, r *region) *evalCtx {
	return &evalCtx{
		n: n, r: r,
		naclSegs: map[naclKey][]aseg{}, naclRet: map[retKey]set{}, sgSegs: map[sgKey][]sseg{},
		routeGates: map[routeKey]routeGate{}, sorted: map[naclDirKey][]naclEntry{},
		routeLists: map[routeKey][]route{}, cidrs: map[string]parsedCIDR{}, hops: make(map[hopKey]Hop, 256),
	}
}

type naclKey struct {
	acl    string
	egress bool
	f      fam
	proto  int
}

type naclDirKey struct {
	acl    string
	egress bool
	f      fam
}

type retKey struct {
	acl    string
	egress bool
	f      fam
	proto  int
	typ    int
}

type sgKey struct {
	sg    string
	f     fam
	proto int
}

type routeKey struct {
	rt  string
	vpc string
	f   fam
}

// aseg is a port range over which a NACL allows the same addresses.
type aseg struct {
	lo, hi int
	s      set
}

// sseg is a port range over which security groups allow the same addresses
// (a: definitely; p: possibly, when a prefix list's contents are unknown).
type sseg struct {
	lo, hi int
	a, p   set
}

// ---------------------------------------------------------------------------
// Network ACLs: stateless, rule-number order, first match wins, default deny.
// https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html

// naclEntry is a parsed NACL entry of one family.
type naclEntry struct {
	*ec2.NACLEntry
	proto int
	pfx   set
}

// entries returns the NACL's entries of one direction and family, sorted by
// rule number. Entries that cannot be parsed are dropped: the API writes
// canonical CIDRs, so this only happens with a damaged snapshot.
func (c *evalCtx) entries(a *ec2.NetworkACL, egress bool, f fam) []naclEntry {
	k := naclDirKey{a.ID, egress, f}
	if es, ok := c.sorted[k]; ok {
		return es
	}
	var out []naclEntry
	for i := range a.Entries {
		e := &a.Entries[i]
		if e.Egress != egress {
			continue
		}
		cidr := e.CIDR
		if f == v6 {
			cidr = e.IPv6CIDR
		}
		if cidr == "" {
			continue
		}
		p, pf, ok := prefixSet(cidr)
		if !ok || pf != f {
			continue
		}
		proto, err := ParseProtocol(e.Protocol)
		if err != nil {
			continue
		}
		out = append(out, naclEntry{NACLEntry: e, proto: proto, pfx: p})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RuleNumber < out[j].RuleNumber })
	c.sorted[k] = out
	return out
}

// matches reports whether an entry applies to the query. With an ICMP query
// for "any code", an allow entry for one code applies (that code gets
// through) but a deny entry for one code does not (other codes still do).
func (e naclEntry) matches(q query) bool {
	if e.proto == protoAll {
		return true
	}
	if e.proto != q.proto {
		return false
	}
	switch {
	case hasPorts(e.proto):
		return !e.HasPorts || (int(e.PortFrom) <= q.port && q.port <= int(e.PortTo))
	case isICMP(e.proto):
		if e.ICMPType < 0 {
			return true
		}
		if int(e.ICMPType) != q.port {
			return false
		}
		if e.ICMPCode < 0 {
			return true
		}
		if q.code < 0 {
			return strings.EqualFold(e.Action, "allow")
		}
		return int(e.ICMPCode) == q.code
	}
	return true
}

func (e naclEntry) allow() bool { return strings.EqualFold(e.Action, "allow") }

// naclAllowed is the set of remote addresses a NACL lets through for one
// query: rules in ascending order, the first that matches an address decides
// it, and addresses no rule matches are denied by the final "*" rule.
func (c *evalCtx) naclAllowed(a *ec2.NetworkACL, egress bool, f fam, q query) set {
	remaining := universe(f)
	var allowed set
	for _, e := range c.entries(a, egress, f) {
		if !e.matches(q) {
			continue
		}
		if e.allow() {
			allowed = union(allowed, intersect(remaining, e.pfx))
		}
		remaining = minus(remaining, e.pfx)
		if remaining.empty() {
			break
		}
	}
	return allowed
}

// naclSegments splits a protocol's port space into ranges over which the
// NACL behaves the same, with the allowed addresses of each.
func (c *evalCtx) naclSegments(a *ec2.NetworkACL, egress bool, f fam, proto int) []aseg {
	k := naclKey{a.ID, egress, f, proto}
	if s, ok := c.naclSegs[k]; ok {
		return s
	}
	lo, hi := portSpace(proto)
	bps := []int{lo}
	for _, e := range c.entries(a, egress, f) {
		if e.proto != proto {
			continue
		}
		switch {
		case hasPorts(proto) && e.HasPorts:
			bps = append(bps, int(e.PortFrom), int(e.PortTo)+1)
		case isICMP(proto) && e.ICMPType >= 0:
			bps = append(bps, int(e.ICMPType), int(e.ICMPType)+1)
		}
	}
	var out []aseg
	for _, r := range elementary(bps, lo, hi) {
		s := c.naclAllowed(a, egress, f, query{proto: proto, port: r[0], code: -1})
		if n := len(out); n > 0 && setEqual(out[n-1].s, s) {
			out[n-1].hi = r[1]
			continue
		}
		out = append(out, aseg{r[0], r[1], s})
	}
	c.naclSegs[k] = out
	return out
}

// naclAt is the NACL's allowed set for one query.
func (c *evalCtx) naclAt(a *ec2.NetworkACL, egress bool, f fam, q query) set {
	if isICMP(q.proto) && q.code >= 0 {
		return c.naclAllowed(a, egress, f, q)
	}
	return segAt(c.naclSegments(a, egress, f, q.proto), q.port)
}

// naclReturn is the set of client addresses the subnet's NACL lets the
// responses of an inbound connection go back to. NACLs are stateless, so the
// outbound rules must allow the responses: to the client's ephemeral ports
// for TCP/UDP, the reply type for ICMP requests; one-way ICMP needs nothing.
// https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
func (c *evalCtx) naclReturn(a *ec2.NetworkACL, egress bool, f fam, q query) set {
	typ := -1
	if isICMP(q.proto) {
		rt, ok := replyType(q.proto, q.port)
		if !ok {
			return universe(f)
		}
		typ = rt
	}
	k := retKey{a.ID, egress, f, q.proto, typ}
	if s, ok := c.naclRet[k]; ok {
		return s
	}
	var s set
	switch {
	case hasPorts(q.proto):
		for _, sg := range c.naclSegments(a, egress, f, q.proto) {
			if sg.hi >= EphemeralLow && sg.lo <= EphemeralHigh {
				s = union(s, sg.s)
			}
		}
	case isICMP(q.proto):
		s = c.naclAllowed(a, egress, f, query{proto: q.proto, port: typ, code: 0})
	default:
		s = c.naclAllowed(a, egress, f, query{proto: q.proto, port: -1, code: -1})
	}
	c.naclRet[k] = s
	return s
}

// naclRule returns the entry that decides an address for a query, or nil
// when none matches (the "*" default deny).
func (c *evalCtx) naclRule(a *ec2.NetworkACL, egress bool, f fam, q query, w u128) *naclEntry {
	for _, e := range c.entries(a, egress, f) {
		if e.matches(q) && e.pfx.contains(w) {
			e := e
			return &e
		}
	}
	return nil
}

func describeNACLEntry(e *naclEntry, egress bool) string {
	num := fmt.Sprint(e.RuleNumber)
	if e.RuleNumber >= 32767 {
		num = "*"
	}
	dir := "from"
	if egress {
		dir = "to"
	}
	cidr := e.CIDR
	if cidr == "" {
		cidr = e.IPv6CIDR
	}
	what := ProtocolName(e.proto) + " " + naclPorts(e)
	if e.proto == protoAll {
		what = "all traffic"
	}
	return fmt.Sprintf("rule %s %s %s %s %s", num, strings.ToLower(e.Action), what, dir, cidr)
}

func naclPorts(e *naclEntry) string {
	switch {
	case e.proto == protoAll:
		return "all ports"
	case hasPorts(e.proto):
		if !e.HasPorts {
			return "all ports"
		}
		return portRange(int(e.PortFrom), int(e.PortTo))
	case isICMP(e.proto):
		if e.ICMPType < 0 {
			return "all types"
		}
		if e.ICMPCode < 0 {
			return fmt.Sprintf("type %d", e.ICMPType)
		}
		return fmt.Sprintf("type %d code %d", e.ICMPType, e.ICMPCode)
	}
	return "all ports"
}

func portRange(lo, hi int) string {
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// ---------------------------------------------------------------------------
// Security groups: stateful allow lists. Inbound rules decide inbound
// connections; responses are allowed automatically, whatever the outbound
// rules say. Rules of all the groups of an interface add up.
// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
// https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html

// permMatches reports whether a permission covers the query. Protocol -1, or
// a protocol other than TCP, UDP, ICMP and ICMPv6, covers every port; for
// ICMP the "ports" are type and code, -1 meaning all.
func permMatches(p *ec2.Permission, q query) bool {
	pp, err := ParseProtocol(p.Protocol)
	if err != nil {
		return false
	}
	if pp == protoAll {
		return true
	}
	if pp != q.proto {
		return false
	}
	switch {
	case hasPorts(pp):
		if p.FromPort < 0 {
			return true
		}
		return int(p.FromPort) <= q.port && q.port <= int(p.ToPort)
	case isICMP(pp):
		if p.FromPort < 0 {
			return true
		}
		if int(p.FromPort) != q.port {
			return false
		}
		return p.ToPort < 0 || q.code < 0 || int(p.ToPort) == q.code
	}
	return true
}

// permRanges is the set of addresses a permission names for a family, and
// whether it may name more (a prefix list of unknown contents, a range that
// does not parse).
func (c *evalCtx) permRanges(p *ec2.Permission, f fam) (s set, maybe bool) {
	rs := p.IPv4Ranges
	if f == v6 {
		rs = p.IPv6Ranges
	}
	for _, r := range rs {
		pc := c.cidr(r)
		if !pc.ok {
			maybe = true
			continue
		}
		if pc.f == f {
			s = union(s, pc.s)
		}
	}
	if len(p.PrefixListIDs) > 0 {
		maybe = true
	}
	return s, maybe
}

// peer describes the other end of a connection for security group rules
// that reference groups: its groups (nil for the internet, whose traffic
// never matches a group reference).
type peer struct {
	sgs []string
}

func (p peer) in(id string) bool {
	for _, s := range p.sgs {
		if s == id {
			return true
		}
	}
	return false
}

// sgSets evaluates security groups' rules of one direction for a query:
// the peer addresses definitely (a) and possibly (p) allowed. A group that is
// not in the snapshot makes everything possible but nothing definite.
func (c *evalCtx) sgSets(ids []string, egress bool, f fam, q query, from peer) (a, p set, why string) {
	if len(ids) == 0 {
		return nil, nil, ""
	}
	for _, id := range ids {
		g := c.r.sgs[id]
		if g == nil {
			p = universe(f)
			if c.r.sgs == nil {
				why = c.r.sgWhy
			} else {
				why = "security group " + id + " not in snapshot"
			}
			continue
		}
		perms := g.Ingress
		if egress {
			perms = g.Egress
		}
		for i := range perms {
			pm := &perms[i]
			if !permMatches(pm, q) {
				continue
			}
			for _, ref := range pm.GroupRefs {
				if from.in(ref.GroupID) {
					a, p = universe(f), universe(f)
				}
			}
			s, maybe := c.permRanges(pm, f)
			a, p = union(a, s), union(p, s)
			if maybe {
				p = universe(f)
				why = fmt.Sprintf("%s rule %s names prefix list %s whose contents are not collected", id, describePerm(pm, egress), strings.Join(pm.PrefixListIDs, ", "))
			}
		}
	}
	return a, p, why
}

// sgSegments splits a protocol's port space by one group's inbound rules,
// as seen from the internet (group references never match internet traffic).
func (c *evalCtx) sgSegments(id string, f fam, proto int) []sseg {
	k := sgKey{id, f, proto}
	if s, ok := c.sgSegs[k]; ok {
		return s
	}
	lo, hi := portSpace(proto)
	bps := []int{lo}
	if g := c.r.sgs[id]; g != nil {
		for i := range g.Ingress {
			pm := &g.Ingress[i]
			pp, err := ParseProtocol(pm.Protocol)
			if err != nil || pp != proto || pm.FromPort < 0 {
				continue
			}
			switch {
			case hasPorts(pp):
				bps = append(bps, int(pm.FromPort), int(pm.ToPort)+1)
			case isICMP(pp):
				bps = append(bps, int(pm.FromPort), int(pm.FromPort)+1)
			}
		}
	}
	var out []sseg
	for _, r := range elementary(bps, lo, hi) {
		a, p, _ := c.sgSets([]string{id}, false, f, query{proto: proto, port: r[0], code: -1}, peer{})
		if n := len(out); n > 0 && setEqual(out[n-1].a, a) && setEqual(out[n-1].p, p) {
			out[n-1].hi = r[1]
			continue
		}
		out = append(out, sseg{r[0], r[1], a, p})
	}
	c.sgSegs[k] = out
	return out
}

// sgRule returns the first rule of the groups that allows a witness: by
// reference to one of the peer's groups, by CIDR, or possibly by prefix list.
func (c *evalCtx) sgRule(ids []string, egress bool, f fam, q query, from peer, w u128, haveW bool) (sgID string, pm *ec2.Permission, how string) {
	var plID string
	var plPerm *ec2.Permission
	for _, id := range ids {
		g := c.r.sgs[id]
		if g == nil {
			continue
		}
		perms := g.Ingress
		if egress {
			perms = g.Egress
		}
		for i := range perms {
			pm := &perms[i]
			if !permMatches(pm, q) {
				continue
			}
			for _, ref := range pm.GroupRefs {
				if from.in(ref.GroupID) {
					return id, pm, "group " + ref.GroupID
				}
			}
			if haveW {
				rs := pm.IPv4Ranges
				if f == v6 {
					rs = pm.IPv6Ranges
				}
				for _, cidr := range rs {
					if pc := c.cidr(cidr); pc.ok && pc.f == f && pc.s.contains(w) {
						return id, pm, cidr
					}
				}
			}
			if len(pm.PrefixListIDs) > 0 && plPerm == nil {
				plID, plPerm = id, pm
			}
		}
	}
	if plPerm != nil {
		return plID, plPerm, "prefix list " + strings.Join(plPerm.PrefixListIDs, ", ") + " (contents not collected)"
	}
	return "", nil, ""
}

// describePerm renders a rule as "tcp 22 from 0.0.0.0/0, sg-1".
func describePerm(p *ec2.Permission, egress bool) string {
	pp, _ := ParseProtocol(p.Protocol)
	var ports string
	switch {
	case pp == protoAll:
		ports = "all traffic"
	case hasPorts(pp):
		if p.FromPort < 0 {
			ports = ProtocolName(pp) + " all ports"
		} else {
			ports = ProtocolName(pp) + " " + portRange(int(p.FromPort), int(p.ToPort))
		}
	case isICMP(pp):
		switch {
		case p.FromPort < 0:
			ports = ProtocolName(pp) + " all types"
		case p.ToPort < 0:
			ports = fmt.Sprintf("%s type %d", ProtocolName(pp), p.FromPort)
		default:
			ports = fmt.Sprintf("%s type %d code %d", ProtocolName(pp), p.FromPort, p.ToPort)
		}
	default:
		ports = "protocol " + ProtocolName(pp)
	}
	var peers []string
	peers = append(peers, p.IPv4Ranges...)
	peers = append(peers, p.IPv6Ranges...)
	peers = append(peers, p.PrefixListIDs...)
	for _, r := range p.GroupRefs {
		peers = append(peers, r.GroupID)
	}
	dir := "from"
	if egress {
		dir = "to"
	}
	return fmt.Sprintf("%s %s %s", ports, dir, strings.Join(peers, ", "))
}

// ---------------------------------------------------------------------------
// Routes: the most specific matching route wins (longest prefix match);
// blackhole routes, whose target is gone, are ignored; IPv4 and IPv6 are
// routed independently.
// https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html#route-tables-priority

// route is a parsed route of one family.
type route struct {
	*ec2.Route
	pfx  set
	bits int
	pl   bool // destination is a prefix list (contents not collected)
}

func routesOf(rt *ec2.RouteTable, f fam) []route {
	var out []route
	for i := range rt.Routes {
		r := &rt.Routes[i]
		if strings.EqualFold(r.State, "blackhole") {
			continue
		}
		if r.DestinationPrefixListID != "" {
			out = append(out, route{Route: r, pl: true})
			continue
		}
		d := r.DestinationCIDR
		if f == v6 {
			d = r.DestinationIPv6CIDR
		}
		if d == "" {
			continue
		}
		p, pf, ok := prefixSet(d)
		if !ok || pf != f {
			continue
		}
		_, after, _ := strings.Cut(d, "/")
		var bits int
		fmt.Sscan(after, &bits)
		out = append(out, route{Route: r, pfx: p, bits: bits})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].bits > out[j].bits })
	return out
}

// target renders a route's target.
func (r route) target() string {
	switch {
	case r.GatewayID != "":
		return r.GatewayID
	case r.NATGatewayID != "":
		return r.NATGatewayID
	case r.EgressOnlyGatewayID != "":
		return r.EgressOnlyGatewayID
	case r.PeeringConnectionID != "":
		return r.PeeringConnectionID
	case r.TransitGatewayID != "":
		return r.TransitGatewayID
	case r.NetworkInterfaceID != "":
		return r.NetworkInterfaceID
	case r.InstanceID != "":
		return r.InstanceID
	}
	return "?"
}

func (r route) dest() string {
	switch {
	case r.pl:
		return r.DestinationPrefixListID
	case r.DestinationCIDR != "" && r.DestinationIPv6CIDR == "":
		return r.DestinationCIDR
	case r.DestinationIPv6CIDR != "" && r.DestinationCIDR == "":
		return r.DestinationIPv6CIDR
	}
	return r.DestinationCIDR + r.DestinationIPv6CIDR
}

// lpm returns the route for an address (nil when none matches).
func lpm(routes []route, w u128) *route {
	for i := range routes {
		if !routes[i].pl && routes[i].pfx.contains(w) {
			return &routes[i]
		}
	}
	return nil
}

// routeGate is which internet addresses a subnet's route table sends to an
// attached internet gateway: responses to a client on the internet leave
// through the route for the client's address, so only those clients can
// hold a connection. a is definite, p possible (internet gateways or a
// prefix list not collected).
type routeGate struct {
	a, p set
	why  string
}

func (c *evalCtx) internetRoutes(rt *ec2.RouteTable, vpcID string, f fam) routeGate {
	k := routeKey{rt.ID, vpcID, f}
	if g, ok := c.routeGates[k]; ok {
		return g
	}
	var g routeGate
	remaining := universe(f)
	for _, r := range c.routes(rt, f) {
		isIGW := strings.HasPrefix(r.GatewayID, "igw-")
		attached, known := false, true
		if isIGW {
			attached, known = c.r.igwAttached(r.GatewayID, vpcID)
		}
		if r.pl {
			if isIGW && (attached || !known) {
				g.p = universe(f)
				g.why = fmt.Sprintf("route table %s sends prefix list %s (contents not collected) to %s", rt.ID, r.DestinationPrefixListID, r.GatewayID)
			}
			continue
		}
		m := intersect(remaining, r.pfx)
		if isIGW {
			switch {
			case attached:
				g.a, g.p = union(g.a, m), union(g.p, m)
			case !known:
				g.p = union(g.p, m)
				g.why = c.r.igwWhy
			}
		}
		remaining = minus(remaining, r.pfx)
		if remaining.empty() {
			break
		}
	}
	g.a, g.p = intersect(g.a, internet(f)), intersect(g.p, internet(f))
	c.routeGates[k] = g
	return g
}

// ---------------------------------------------------------------------------
// Helpers.

// elementary cuts [lo, hi] at the breakpoints (each the first port of a new
// range) into consecutive ranges.
func elementary(bps []int, lo, hi int) [][2]int {
	sort.Ints(bps)
	var out [][2]int
	start := lo
	for _, b := range bps {
		if b <= start || b > hi {
			continue
		}
		out = append(out, [2]int{start, b - 1})
		start = b
	}
	return append(out, [2]int{start, hi})
}

func segAt(segs []aseg, port int) set {
	i := sort.Search(len(segs), func(i int) bool { return segs[i].hi >= port })
	if i < len(segs) && segs[i].lo <= port {
		return segs[i].s
	}
	return nil
}

func sgSegAt(segs []sseg, port int) (a, p set) {
	i := sort.Search(len(segs), func(i int) bool { return segs[i].hi >= port })
	if i < len(segs) && segs[i].lo <= port {
		return segs[i].a, segs[i].p
	}
	return nil, nil
}

func setEqual(a, b set) bool {
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
