package reach

import (
	"fmt"
	"strings"

	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// Gate constructors shared by the questions. Each names the AWS behaviour it
// encodes; the golden tests cite the documentation page for each.

// rtLabel names a route table and how the subnet got it.
func rtLabel(rt *ec2.RouteTable, explicit bool, subnetID string) string {
	if explicit {
		return fmt.Sprintf("route table %s (associated with %s)", rt.ID, subnetID)
	}
	return fmt.Sprintf("route table %s (main route table of %s; %s has no explicit association)", rt.ID, rt.VPCID, subnetID)
}

// internetRouteGate: the subnet's route table must send the client's address
// to an internet gateway attached to the VPC, or the responses never reach
// the client. A NAT gateway or an egress-only internet gateway only carries
// connections initiated from inside.
// https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html
func (c *evalCtx) internetRouteGate(subnetID, vpcID string, f fam) gate {
	rt, explicit, why := c.r.routeTableFor(subnetID, vpcID)
	if rt == nil {
		return gate{control: ControlRoute, p: internet(f), why: why, render: func(u128, bool) Hop {
			return Hop{Control: ControlRoute, ID: subnetID, Detail: "unknown: " + why}
		}}
	}
	if vpcID == "" {
		vpcID = rt.VPCID
	}
	g := c.internetRoutes(rt, vpcID, f)
	label := rtLabel(rt, explicit, subnetID)
	return gate{control: ControlRoute, a: g.a, p: g.p, why: g.why, render: func(w u128, pass bool) Hop {
		return c.memo(hopKey{kind: 1, id: rt.ID, sub: subnetID, f: f, w: w}, func() Hop {
			return Hop{Control: ControlRoute, ID: rt.ID, Detail: label + ": " + c.explainInternetRoute(rt, vpcID, f, w)}
		})
	}}
}

func (c *evalCtx) explainInternetRoute(rt *ec2.RouteTable, vpcID string, f fam, w u128) string {
	r := lpm(c.routes(rt, f), w)
	if r == nil {
		for _, x := range c.routes(rt, f) {
			if x.pl && strings.HasPrefix(x.GatewayID, "igw-") {
				return fmt.Sprintf("unknown: only prefix list %s (contents not collected) -> %s could carry %s", x.DestinationPrefixListID, x.GatewayID, addrString(f, w))
			}
		}
		def := "0.0.0.0/0"
		if f == v6 {
			def = "::/0"
		}
		return fmt.Sprintf("no route matches %s (no %s route to an internet gateway: responses cannot reach the internet)", addrString(f, w), def)
	}
	head := fmt.Sprintf("%s -> %s", r.dest(), r.target())
	switch {
	case strings.HasPrefix(r.GatewayID, "igw-"):
		attached, known := c.r.igwAttached(r.GatewayID, vpcID)
		switch {
		case attached:
			return head + " (internet gateway attached to " + vpcID + ")"
		case !known:
			return head + " (unknown: " + c.r.igwWhy + ")"
		}
		return head + " (internet gateway not attached to " + vpcID + ": traffic is dropped)"
	case r.GatewayID == "local":
		return head + " (local route: the address is inside the VPC, not on the internet)"
	case r.NATGatewayID != "":
		return head + " (a NAT gateway only carries connections initiated from inside; the internet cannot initiate connections through it)"
	case r.EgressOnlyGatewayID != "" || strings.HasPrefix(r.GatewayID, "eigw-"):
		return head + " (an egress-only internet gateway only carries IPv6 connections initiated from inside; the internet cannot initiate connections through it)"
	case r.TransitGatewayID != "":
		return head + " (responses leave through a transit gateway, not an internet gateway)"
	case r.PeeringConnectionID != "":
		return head + " (responses leave through a peering connection, not an internet gateway)"
	}
	return head + " (responses do not leave through an internet gateway)"
}

// naclGate: the subnet's network ACL for the request direction. Inbound at
// the destination (remote = the source), or outbound at the source subnet
// (remote = the destination address).
// https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html
func (c *evalCtx) naclGate(subnetID, vpcID string, egress bool, f fam, q query) gate {
	ctl := ControlNACLInbound
	if egress {
		ctl = ControlNACLOutbound
	}
	a, why := c.r.naclFor(subnetID, vpcID)
	if a == nil {
		return gate{control: ctl, p: universe(f), why: why, render: func(u128, bool) Hop {
			return Hop{Control: ctl, ID: subnetID, Detail: "unknown: " + why}
		}}
	}
	s := c.naclAt(a, egress, f, q)
	return gate{control: ctl, a: s, p: s, render: func(w u128, pass bool) Hop {
		return c.memo(hopKey{kind: 2, id: a.ID, sub: subnetID, egress: egress, f: f, q: q, w: w}, func() Hop { return c.renderNACL(a, subnetID, egress, f, q, w) })
	}}
}

func (c *evalCtx) renderNACL(a *ec2.NetworkACL, subnetID string, egress bool, f fam, q query, w u128) Hop {
	ctl := ControlNACLInbound
	dir := "inbound"
	if egress {
		ctl, dir = ControlNACLOutbound, "outbound"
	}
	rule := "rule * deny all (no numbered rule matches)"
	if e := c.naclRule(a, egress, f, q, w); e != nil {
		rule = describeNACLEntry(e, egress)
	}
	return Hop{Control: ctl, ID: a.ID, Detail: fmt.Sprintf("%s of %s, %s %s: %s", naclLabel(a), subnetID, dir, peerWord(egress, f, w), rule)}
}

func naclLabel(a *ec2.NetworkACL) string {
	if a.IsDefault {
		return "default network ACL"
	}
	return "network ACL"
}

func peerWord(egress bool, f fam, w u128) string {
	if egress {
		return "to " + addrString(f, w)
	}
	return "from " + addrString(f, w)
}

// naclReturnGate: network ACLs are stateless, so the responses of a
// connection are checked again, in the other direction, against the
// client's ephemeral ports. egress is true at the destination's subnet
// (responses go out) and false at the source's subnet (responses come in).
// https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
func (c *evalCtx) naclReturnGate(subnetID, vpcID string, egress bool, f fam, q query) gate {
	ctl := ControlNACLInbound
	if egress {
		ctl = ControlNACLOutbound
	}
	a, why := c.r.naclFor(subnetID, vpcID)
	if a == nil {
		return gate{control: ctl, p: universe(f), why: why, render: func(u128, bool) Hop {
			return Hop{Control: ctl, ID: subnetID, Detail: "unknown: " + why}
		}}
	}
	s := c.naclReturn(a, egress, f, q)
	dir := "outbound"
	if !egress {
		dir = "inbound"
	}
	rq := q
	if hasPorts(q.proto) {
		rq.port = -1 // the return path does not depend on the service port
	}
	return gate{control: ctl, a: s, p: s, render: func(w u128, pass bool) Hop {
		return c.memo(hopKey{kind: 3, id: a.ID, sub: subnetID, egress: egress, f: f, q: rq, w: w}, func() Hop {
			return Hop{Control: ctl, ID: a.ID, Detail: fmt.Sprintf("%s of %s, %s return traffic %s: %s", naclLabel(a), subnetID, dir, peerWord(egress, f, w), c.explainReturn(a, egress, f, q, w))}
		})
	}}
}

func (c *evalCtx) explainReturn(a *ec2.NetworkACL, egress bool, f fam, q query, w u128) string {
	rule := func(e *naclEntry) string {
		if e == nil {
			return "rule * deny all (no numbered rule matches)"
		}
		return describeNACLEntry(e, egress)
	}
	switch {
	case isICMP(q.proto):
		rt, ok := replyType(q.proto, q.port)
		if !ok {
			return fmt.Sprintf("%s is one-way; no response needed", q)
		}
		rq := query{proto: q.proto, port: rt, code: 0}
		return fmt.Sprintf("reply %s: %s", rq, rule(c.naclRule(a, egress, f, rq, w)))
	case !hasPorts(q.proto):
		rq := query{proto: q.proto, port: -1, code: -1}
		return fmt.Sprintf("%s: %s", rq, rule(c.naclRule(a, egress, f, rq, w)))
	}
	// Which of the client's ephemeral ports the responses may go to.
	var open [][2]int
	var first *naclEntry
	for _, sg := range c.naclSegments(a, egress, f, q.proto) {
		lo, hi := max(sg.lo, EphemeralLow), min(sg.hi, EphemeralHigh)
		if lo > hi || !sg.s.contains(w) {
			continue
		}
		if first == nil {
			first = c.naclRule(a, egress, f, query{proto: q.proto, port: lo, code: -1}, w)
		}
		if n := len(open); n > 0 && open[n-1][1]+1 == lo {
			open[n-1][1] = hi
		} else {
			open = append(open, [2]int{lo, hi})
		}
	}
	if len(open) == 0 {
		e := c.naclRule(a, egress, f, query{proto: q.proto, port: EphemeralLow, code: -1}, w)
		return fmt.Sprintf("responses to the client's ephemeral ports %d-%d are denied (%s): the connection cannot complete", EphemeralLow, EphemeralHigh, rule(e))
	}
	msg := fmt.Sprintf("responses to the client's ephemeral ports allowed by %s", rule(first))
	if !(len(open) == 1 && open[0][0] == EphemeralLow && open[0][1] == EphemeralHigh) {
		var parts []string
		for _, o := range open {
			parts = append(parts, portRange(o[0], o[1]))
		}
		msg += fmt.Sprintf(" (only to client ports %s: clients using other source ports fail)", strings.Join(parts, ", "))
	}
	return msg
}

// sgInGate: security groups are stateful; an inbound connection needs one
// inbound rule of one of the interface's groups to allow the source, and its
// responses are allowed whatever the outbound rules say.
// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
func (c *evalCtx) sgInGate(ids []string, owner string, f fam, q query, from peer) gate {
	a, p, why := c.sgSets(ids, false, f, q, from)
	if len(ids) == 0 {
		why = owner + " has no security groups recorded"
		p = universe(f)
	}
	return gate{control: ControlSGInbound, a: a, p: p, why: why, render: func(w u128, pass bool) Hop {
		id, pm, how := c.sgRule(ids, false, f, q, from, w, true)
		if pm != nil {
			return Hop{Control: ControlSGInbound, ID: id, Detail: fmt.Sprintf("%s inbound rule allows %s (matched by %s)", c.sgName(id), describePerm(pm, false), how)}
		}
		if !pass {
			return Hop{Control: ControlSGInbound, ID: strings.Join(ids, ","), Detail: fmt.Sprintf("no inbound rule of %s allows %s from %s", strings.Join(ids, ", "), q, c.peerText(f, w, from))}
		}
		return Hop{Control: ControlSGInbound, ID: strings.Join(ids, ","), Detail: "unknown: " + why}
	}}
}

// sgOutGate: a connection a resource initiates (a load balancer node to its
// target, one instance to another) needs an outbound rule of its groups
// that allows the destination.
func (c *evalCtx) sgOutGate(ids []string, f fam, q query, dst u128, dstSGs []string) gate {
	to := peer{sgs: dstSGs}
	a, p, why := c.sgSets(ids, true, f, q, to)
	// Only the destination address matters here.
	ok, maybe := a.contains(dst), p.contains(dst)
	verdict := NotReachable
	switch {
	case ok:
		verdict = Reachable
	case maybe:
		verdict = Unknown
	}
	id, pm, how := c.sgRule(ids, true, f, q, to, dst, true)
	var hop Hop
	switch {
	case pm != nil && verdict != NotReachable:
		hop = Hop{Control: ControlSGOutbound, ID: id, Detail: fmt.Sprintf("%s outbound rule allows %s (matched by %s)", c.sgName(id), describePerm(pm, true), how)}
	case verdict == Unknown:
		hop = Hop{Control: ControlSGOutbound, ID: strings.Join(ids, ","), Detail: "unknown: " + why}
	default:
		hop = Hop{Control: ControlSGOutbound, ID: strings.Join(ids, ","), Detail: fmt.Sprintf("no outbound rule of %s allows %s to %s", strings.Join(ids, ", "), q, addrString(f, dst))}
	}
	return fixedGate(f, ControlSGOutbound, verdict, why, hop)
}

func (c *evalCtx) sgName(id string) string {
	if g := c.r.sgs[id]; g != nil && g.Name != "" {
		return fmt.Sprintf("security group %s (%s)", id, g.Name)
	}
	return "security group " + id
}

func (c *evalCtx) peerText(f fam, w u128, from peer) string {
	s := addrString(f, w)
	if len(from.sgs) > 0 {
		s += " (member of " + strings.Join(from.sgs, ", ") + ")"
	}
	return s
}
