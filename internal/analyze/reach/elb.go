package reach

import (
	"fmt"
	"strings"

	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// Load balancers. An internet-facing load balancer has a node with a public
// address in each of its subnets; a client reaches a node on a listener port
// (through the subnet's route to the internet gateway, the subnet's NACL and
// the load balancer's security groups), and the node opens its own
// connection to a registered target. Internal load balancers' nodes have only
// private addresses and are not reachable from the internet.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html

// listenerProtos are the transport protocols a listener protocol uses.
func listenerProtos(p string) []int {
	switch strings.ToUpper(p) {
	case "UDP", "QUIC", "GENEVE":
		return []int{protoUDP}
	case "TCP_UDP", "TCP_QUIC":
		return []int{protoTCP, protoUDP}
	}
	return []int{protoTCP}
}

func hasProto(ps []int, p int) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

// lbFamilies are the address families clients reach a load balancer over.
func lbFamilies(l *lb) []fam {
	switch l.IPAddressType {
	case "dualstack":
		return []fam{v4, v6}
	case "dualstack-without-public-ipv4":
		return []fam{v6}
	}
	return []fam{v4}
}

// lbEntry checks what stops a load balancer from being an internet entry
// point at all: its scheme, its type, and its listeners being unknown.
func (c *evalCtx) lbEntry(l *lb) (Verdict, Hop) {
	switch {
	case l.Type == elbv2.TypeGateway:
		return NotReachable, Hop{Control: ControlScheme, ID: l.ARN, Detail: "Gateway Load Balancer: it has no internet-facing listeners; traffic reaches it only through its endpoints"}
	case l.Scheme != elbv2.SchemeInternetFacing:
		return NotReachable, Hop{Control: ControlScheme, ID: l.ARN, Detail: fmt.Sprintf("scheme %q: the nodes of an internal load balancer have only private IP addresses and cannot be reached from the internet", l.Scheme)}
	case !l.Listeners.Ok:
		return Unknown, Hop{Control: ControlNotCollected, ID: l.ARN, Detail: "unknown: listeners " + l.Listeners.Why()}
	}
	return Reachable, Hop{}
}

// lbFrontendPaths judges a connection from the internet to the load balancer
// on q, through each of its subnets (nodes) and address families.
func (c *evalCtx) lbFrontendPaths(l *lb, q query) []Path {
	if v, hop := c.lbEntry(l); v != Reachable {
		p := Path{Verdict: v, Family: v4.String(), Via: l.ARN, Hops: []Hop{hop}}
		if v == NotReachable {
			p.BlockedBy = &hop
		} else {
			p.Unknown = []string{hop.Detail}
		}
		return []Path{p}
	}
	var out []Path
	var ports []string
	for _, ls := range l.Listeners.V {
		ports = append(ports, fmt.Sprintf("%s %d", ls.Protocol, ls.Port))
		if int(ls.Port) != q.port || !hasProto(listenerProtos(ls.Protocol), q.proto) {
			continue
		}
		for _, f := range lbFamilies(l) {
			for _, sn := range l.SubnetIDs {
				p := judge(f, internet(f), false, c.lbSource(l), c.frontendGates(l, ls, sn, f, q))
				p.Via = l.ARN
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		hop := Hop{Control: ControlListener, ID: l.ARN, Detail: fmt.Sprintf("no listener on %s (listeners: %s)", q, strings.Join(ports, ", "))}
		if len(ports) == 0 {
			hop.Detail = fmt.Sprintf("no listener on %s (the load balancer has no listeners)", q)
		}
		out = append(out, Path{Verdict: NotReachable, Family: v4.String(), Via: l.ARN, Hops: []Hop{hop}, BlockedBy: &hop})
	}
	return out
}

func (c *evalCtx) lbSource(l *lb) Hop {
	return Hop{Control: ControlSource, ID: "internet", Detail: "clients on the internet"}
}

// frontendGates are the controls between a client and the load balancer's
// node in one subnet, for one listener.
func (c *evalCtx) frontendGates(l *lb, ls elbv2.Listener, subnet string, f fam, q query) []gate {
	listen := fixedGate(f, ControlListener, Reachable, "", Hop{Control: ControlListener, ID: l.ARN,
		Detail: fmt.Sprintf("%s load balancer %s (%s) listener %s %d, node in %s", l.Type, l.Name, l.Scheme, ls.Protocol, ls.Port, subnet)})
	gates := []gate{listen, c.internetRouteGate(subnet, l.VPCID, f), c.naclGate(subnet, l.VPCID, false, f, q)}
	switch {
	case len(l.SecurityGroupIDs) > 0:
		gates = append(gates, c.sgInGate(l.SecurityGroupIDs, l.Name, f, q, peer{}))
	case l.Type == elbv2.TypeNetwork:
		gates = append(gates, fixedGate(f, ControlSGInbound, Reachable, "", Hop{Control: ControlSGInbound, ID: l.ARN,
			Detail: "Network Load Balancer without security groups: all client traffic reaches its listeners"}))
	default:
		gates = append(gates, c.sgInGate(nil, "load balancer "+l.Name, f, q, peer{}))
	}
	return append(gates, c.naclReturnGate(subnet, l.VPCID, true, f, q))
}

// forwards reports whether a listener may forward to a target group: it
// names it, or names none and forwarding was not recorded (then assume it
// may). A listener recorded as forwarding nowhere (it only redirects or
// answers fixed responses) reaches no target.
func forwards(ls elbv2.Listener, tgARN string) bool {
	if len(ls.TargetGroupARNs) == 0 {
		return !ls.ForwardsRecorded
	}
	for _, a := range ls.TargetGroupARNs {
		if a == tgARN {
			return true
		}
	}
	return false
}

// targetPort is the port the load balancer connects to on a target.
func targetPort(tg *elbv2.TargetGroup, t elbv2.Target) int {
	if t.Port > 0 {
		return int(t.Port)
	}
	return int(tg.Port)
}

// preservesClientIP reports whether targets see the client's address: never
// behind an Application Load Balancer (it opens new connections from its
// nodes); behind a Network Load Balancer per the target group attribute, by
// default on for instance targets and for UDP/TCP_UDP/QUIC ip targets, off
// for TCP/TLS ip targets.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation
func preservesClientIP(l *lb, tg *elbv2.TargetGroup) bool {
	if l.Type != elbv2.TypeNetwork {
		return false
	}
	if v, ok := tg.PreserveClientIP.Get(); ok {
		return v
	}
	if tg.TargetType == elbv2.TargetInstance {
		return true
	}
	switch strings.ToUpper(tg.Protocol) {
	case "UDP", "TCP_UDP", "QUIC", "TCP_QUIC":
		return true
	}
	return false
}

// legTarget is a registered target resolved to an interface and address.
type legTarget struct {
	e    *eni
	addr u128
	f    fam
	why  string // why it could not be resolved
}

func (c *evalCtx) resolveTarget(tg *elbv2.TargetGroup, t elbv2.Target) legTarget {
	switch tg.TargetType {
	case elbv2.TargetIP:
		f, x, ok := parseAddr(t.ID)
		if !ok {
			return legTarget{why: fmt.Sprintf("target %q is not an IP address", t.ID)}
		}
		e := c.r.eniByIP[addrString(f, x)]
		if e == nil {
			return legTarget{f: f, addr: x, why: fmt.Sprintf("target IP %s belongs to no network interface in the snapshot (another VPC or on premises)", t.ID)}
		}
		return legTarget{e: e, addr: x, f: f}
	case elbv2.TargetInstance, "":
		var pick *eni
		in := c.r.instances[t.ID]
		for _, e := range c.r.enis {
			if e.InstanceID != t.ID {
				continue
			}
			if pick == nil {
				pick = e
			}
			if in != nil && in.PrivateIP != "" {
				for _, ip := range e.PrivateIPs {
					if ip == in.PrivateIP {
						pick = e
					}
				}
			}
		}
		if pick == nil {
			return legTarget{why: fmt.Sprintf("no network interface recorded for target instance %s", t.ID)}
		}
		ip := ""
		if in != nil && in.PrivateIP != "" {
			ip = in.PrivateIP
		} else if len(pick.PrivateIPs) > 0 {
			ip = pick.PrivateIPs[0]
		}
		f, x, ok := parseAddr(ip)
		if !ok {
			return legTarget{e: pick, why: fmt.Sprintf("no private IP recorded for target instance %s", t.ID)}
		}
		return legTarget{e: pick, addr: x, f: f}
	}
	return legTarget{why: fmt.Sprintf("%s targets are not followed", tg.TargetType)}
}

// legSource is the address set a node in a subnet sends from, and whether it
// is one unknown address of it (all) rather than any of known addresses.
func (c *evalCtx) legSource(l *lb, subnet string, f fam) (set, bool, string) {
	var s set
	for _, e := range c.r.elbENIs[l.key] {
		if e.SubnetID != subnet {
			continue
		}
		if f == v4 {
			s = union(s, e.privV4)
		} else {
			s = union(s, e.privV6)
		}
	}
	if !s.empty() {
		return s, false, fmt.Sprintf("load balancer node in %s (%s)", subnet, joinCIDRs(s.cidrs(f, 4)))
	}
	if sn := c.r.subnets[subnet]; sn != nil {
		cidrs := []string{sn.CIDR}
		if f == v6 {
			cidrs = sn.IPv6CIDRs
		}
		for _, cidr := range cidrs {
			if p, pf, ok := prefixSet(cidr); ok && pf == f {
				s = union(s, p)
			}
		}
		if !s.empty() {
			return s, true, fmt.Sprintf("load balancer node in %s (an address of %s)", subnet, strings.Join(cidrs, ", "))
		}
	}
	return universe(f), true, fmt.Sprintf("load balancer node in %s (address unknown: subnet not in snapshot)", subnet)
}

// legGates are the controls between a load balancer node in a subnet and a
// target, for the target port.
func (c *evalCtx) legGates(l *lb, subnet string, lt legTarget, lq query) []gate {
	f, e := lt.f, lt.e
	var gates []gate
	if len(l.SecurityGroupIDs) > 0 {
		gates = append(gates, c.sgOutGate(l.SecurityGroupIDs, f, lq, lt.addr, e.SecurityGroupIDs))
	}
	gates = append(gates, c.routeToGate(subnet, l.VPCID, f, lt.addr, e))
	vpc := c.r.vpcOf(e)
	same := subnet == e.SubnetID
	if !same {
		gates = append(gates, c.fixedNACL(subnet, l.VPCID, true, f, lq, lt.addr, false))
		gates = append(gates, c.naclGate(e.SubnetID, vpc, false, f, lq))
	}
	gates = append(gates, c.sgInGate(e.SecurityGroupIDs, e.ID, f, lq, peer{sgs: l.SecurityGroupIDs}))
	if !same {
		gates = append(gates, c.naclReturnGate(e.SubnetID, vpc, true, f, lq))
		gates = append(gates, c.fixedNACL(subnet, l.VPCID, false, f, lq, lt.addr, true))
	} else {
		gates = append(gates, fixedGate(f, ControlNACLInbound, Reachable, "", Hop{Control: ControlNACLInbound, ID: subnet,
			Detail: "node and target share subnet " + subnet + ": network ACLs only filter traffic entering or leaving a subnet"}))
	}
	return gates
}

// fixedNACL judges a NACL for one fixed remote address (the target, seen
// from the node's subnet): the request going out (ret false) or the
// responses coming back to the node's ephemeral ports (ret true).
func (c *evalCtx) fixedNACL(subnet, vpc string, egress bool, f fam, q query, remote u128, ret bool) gate {
	var g gate
	if ret {
		g = c.naclReturnGate(subnet, vpc, egress, f, q)
	} else {
		g = c.naclGate(subnet, vpc, egress, f, q)
	}
	v := NotReachable
	switch {
	case g.a.contains(remote):
		v = Reachable
	case g.p.contains(remote):
		v = Unknown
	}
	return fixedGate(f, g.control, v, g.why, g.render(remote, v != NotReachable))
}

// lbTargetPaths judges the internet reaching one target through a listener
// of a load balancer, one path per node subnet and client family.
func (c *evalCtx) lbTargetPaths(l *lb, ls elbv2.Listener, tg *elbv2.TargetGroup, t elbv2.Target, proto int) []Path {
	fq := query{proto: proto, port: int(ls.Port), code: -1}
	lq := query{proto: proto, port: targetPort(tg, t), code: -1}
	fwd := Hop{Control: ControlTarget, ID: tg.ARN, Detail: fmt.Sprintf("forwards to target group %s, %s target %s port %d", nameOr(tg.Name, tg.ARN), tg.TargetType, t.ID, lq.port)}
	var out []Path
	for _, ff := range lbFamilies(l) {
		for _, sn := range l.SubnetIDs {
			front := c.frontendGates(l, ls, sn, ff, fq)
			var p Path
			switch tg.TargetType {
			case elbv2.TargetLambda:
				fwd := fwd
				fwd.Detail = fmt.Sprintf("invokes Lambda function %s (target group %s): no network controls apply past the load balancer", t.ID, nameOr(tg.Name, tg.ARN))
				p = judge(ff, internet(ff), false, c.lbSource(l), append(front, fixedGate(ff, ControlTarget, Reachable, "", fwd)))
			default:
				lt := c.resolveTarget(tg, t)
				if lt.e == nil || lt.why != "" {
					hop := fwd
					hop.Detail += ": unknown: " + lt.why
					p = judge(ff, internet(ff), false, c.lbSource(l), append(front, fixedGate(ff, ControlTarget, Unknown, lt.why, hop)))
					break
				}
				if preservesClientIP(l, tg) && lt.f == ff {
					fwd := fwd
					fwd.Detail += " (client IP preserved: the target sees the client's address)"
					gates := append(append(front, fixedGate(ff, ControlTarget, Reachable, "", fwd)), c.legGates(l, sn, lt, lq)...)
					p = judge(ff, internet(ff), false, c.lbSource(l), gates)
					break
				}
				p1 := judge(ff, internet(ff), false, c.lbSource(l), append(front, fixedGate(ff, ControlTarget, Reachable, "", fwd)))
				start, all, label := c.legSource(l, sn, lt.f)
				p2 := judge(lt.f, start, all, Hop{Control: ControlSource, ID: sn, Detail: label}, c.legGates(l, sn, lt, lq))
				p = chain(p1, p2)
			}
			p.Via = l.ARN
			out = append(out, p)
		}
	}
	return out
}

// chain joins a path to the load balancer and the node's path to the target.
func chain(a, b Path) Path {
	out := a
	if a.Verdict == NotReachable {
		return out
	}
	out.Verdict = worst(a.Verdict, b.Verdict)
	out.Hops = append(append([]Hop(nil), a.Hops...), b.Hops...)
	if b.Verdict == NotReachable {
		out.BlockedBy = b.BlockedBy
	}
	for _, u := range b.Unknown {
		out.Unknown = appendOnce(out.Unknown, u)
	}
	return out
}

func nameOr(name, arn string) string {
	if name != "" {
		return name
	}
	return arn
}

// viaLoadBalancers judges the internet reaching an instance or interface on
// q through internet-facing load balancers that forward to it on q's port.
func (c *evalCtx) viaLoadBalancers(t *target, q query) []Path {
	if !hasPorts(q.proto) {
		return nil
	}
	if c.r.lbByARN == nil {
		// Without the load balancers, their interfaces still show that one
		// exists; without the interfaces either, nothing can be ruled out.
		if len(c.r.elbENIs) > 0 || c.r.eniWhy != "" {
			why := c.r.lbWhy + ": cannot tell whether a load balancer in " + c.r.name + " forwards to " + t.id
			return []Path{{Verdict: Unknown, Family: v4.String(), Hops: []Hop{{Control: ControlNotCollected, ID: c.r.name, Detail: "unknown: " + why}}, Unknown: []string{why}}}
		}
		return nil
	}
	var out []Path
	for _, l := range c.r.lbs {
		if v, _ := c.lbEntry(l); v == NotReachable {
			continue
		}
		tgs, ok := l.TargetGroups.Get()
		if !ok {
			why := fmt.Sprintf("target groups of %s %s", l.ARN, l.TargetGroups.Why())
			out = append(out, Path{Verdict: Unknown, Family: v4.String(), Via: l.ARN, Hops: []Hop{{Control: ControlNotCollected, ID: l.ARN, Detail: "unknown: " + why}}, Unknown: []string{why}})
			continue
		}
		for i := range tgs {
			tg := &tgs[i]
			targets, ok := tg.Targets.Get()
			if !ok {
				if c.mayTarget(tg, t) {
					why := fmt.Sprintf("targets of %s %s", tg.ARN, tg.Targets.Why())
					out = append(out, Path{Verdict: Unknown, Family: v4.String(), Via: l.ARN, Hops: []Hop{{Control: ControlNotCollected, ID: tg.ARN, Detail: "unknown: " + why}}, Unknown: []string{why}})
				}
				continue
			}
			for _, tt := range targets {
				if !c.isTarget(tg, tt, t) || targetPort(tg, tt) != q.port {
					continue
				}
				for _, ls := range l.Listeners.V {
					if forwards(ls, tg.ARN) && hasProto(listenerProtos(ls.Protocol), q.proto) {
						out = append(out, c.lbTargetPaths(l, ls, tg, tt, q.proto)...)
					}
				}
			}
		}
	}
	return out
}

// isTarget reports whether a registered target is the resource.
func (c *evalCtx) isTarget(tg *elbv2.TargetGroup, tt elbv2.Target, t *target) bool {
	switch tg.TargetType {
	case elbv2.TargetInstance, "":
		if t.instance != nil && tt.ID == t.instance.ID {
			return true
		}
		for _, e := range t.enis {
			if e.InstanceID != "" && e.InstanceID == tt.ID {
				return true
			}
		}
	case elbv2.TargetIP:
		for _, e := range t.enis {
			if c.r.eniByIP[tt.ID] == e {
				return true
			}
		}
	}
	return false
}

// mayTarget reports whether a target group of unknown targets could hold the
// resource (same VPC, a target type that can name it).
func (c *evalCtx) mayTarget(tg *elbv2.TargetGroup, t *target) bool {
	if tg.TargetType == elbv2.TargetLambda || tg.TargetType == elbv2.TargetALB {
		return false
	}
	for _, e := range t.enis {
		if tg.VPCID == "" || c.r.vpcOf(e) == tg.VPCID {
			return true
		}
	}
	return false
}
