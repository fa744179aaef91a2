package reach

import (
	"fmt"
	"strings"
)

// Between two resources of the account: the source's security groups must
// let the connection out, its subnet's route table must carry the
// destination's private address (the local route inside a VPC, an active
// peering connection between the two VPCs, or a transit gateway whose
// routes are not collected: unknown), both subnets' NACLs must pass the
// request and the responses, and the destination's security groups must let
// the source in, by address or by referencing one of the source's groups.

// routeToGate judges the route from a subnet to one private address of an
// interface. It does not depend on the source address.
// https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html#route-tables-priority
// https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html
func (c *evalCtx) routeToGate(subnet, vpc string, f fam, dst u128, e *eni) gate {
	fail := func(v Verdict, why, detail string) gate {
		ctl := ControlRoute
		if strings.Contains(detail, "transit gateway") {
			ctl = ControlTransitGW
		}
		return fixedGate(f, ctl, v, why, Hop{Control: ctl, ID: subnet, Detail: detail})
	}
	rt, explicit, why := c.r.routeTableFor(subnet, vpc)
	if rt == nil {
		return fail(Unknown, why, "unknown: "+why)
	}
	if vpc == "" {
		vpc = rt.VPCID
	}
	label := rtLabel(rt, explicit, subnet)
	dstVPC := c.r.vpcOf(e)
	ds := addrString(f, dst)
	r := lpm(c.routes(rt, f), dst)
	if r == nil {
		return fixedGate(f, ControlRoute, NotReachable, "", Hop{Control: ControlRoute, ID: rt.ID, Detail: fmt.Sprintf("%s: no route matches %s", label, ds)})
	}
	head := fmt.Sprintf("%s: %s -> %s", label, r.dest(), r.target())
	hop := func(v Verdict, why, detail string) gate {
		return fixedGate(f, ControlRoute, v, why, Hop{Control: ControlRoute, ID: rt.ID, Detail: head + " " + detail})
	}
	switch {
	case r.GatewayID == "local":
		if dstVPC == vpc {
			return hop(Reachable, "", "(local route: delivered inside "+vpc+")")
		}
		return hop(NotReachable, "", fmt.Sprintf("(local route: %s stays inside %s, but the destination is in %s)", ds, vpc, dstVPC))
	case r.PeeringConnectionID != "":
		if c.r.peerings == nil {
			return hop(Unknown, c.r.peerWhy, "(unknown: "+c.r.peerWhy+")")
		}
		pc := c.r.peerings[r.PeeringConnectionID]
		if pc == nil {
			return hop(NotReachable, "", "(peering connection not found: the route is a blackhole)")
		}
		if !strings.EqualFold(pc.Status, "active") {
			return hop(NotReachable, "", fmt.Sprintf("(peering connection is %q, not active)", pc.Status))
		}
		a, b := pc.Requester.VPCID, pc.Accepter.VPCID
		if !((a == vpc && b == dstVPC) || (b == vpc && a == dstVPC)) {
			return hop(NotReachable, "", fmt.Sprintf("(peering connects %s and %s, not %s: peering is not transitive)", a, b, dstVPC))
		}
		return hop(Reachable, "", fmt.Sprintf("(active peering between %s and %s)", a, b))
	case r.TransitGatewayID != "":
		why = fmt.Sprintf("route to %s goes through transit gateway %s whose route tables are not collected", ds, r.TransitGatewayID)
		return fail(Unknown, why, head+" (unknown: transit gateway route tables not collected)")
	case strings.HasPrefix(r.GatewayID, "igw-"), r.EgressOnlyGatewayID != "":
		return hop(NotReachable, "", "(a private address is not routed over the internet)")
	}
	why = fmt.Sprintf("route to %s goes through %s, an appliance or gateway the analyzer cannot see into", ds, r.target())
	return fixedGate(f, ControlMiddlebox, Unknown, why, Hop{Control: ControlMiddlebox, ID: rt.ID, Detail: head + " (unknown: " + why + ")"})
}

// returnRouteGate: responses travel back through the destination subnet's
// route for the source address, which must use the same peering connection.
func (c *evalCtx) returnRouteGate(subnet, vpc string, f fam, pcx string) gate {
	rt, explicit, why := c.r.routeTableFor(subnet, vpc)
	if rt == nil {
		return gate{control: ControlRoute, p: universe(f), why: why, render: func(u128, bool) Hop {
			return Hop{Control: ControlRoute, ID: subnet, Detail: "unknown: " + why}
		}}
	}
	var s set
	remaining := universe(f)
	routes := c.routes(rt, f)
	for _, r := range routes {
		if r.pl {
			continue
		}
		if r.PeeringConnectionID == pcx {
			s = union(s, intersect(remaining, r.pfx))
		}
		remaining = minus(remaining, r.pfx)
	}
	label := rtLabel(rt, explicit, subnet)
	return gate{control: ControlRoute, a: s, p: s, render: func(w u128, pass bool) Hop {
		r := lpm(routes, w)
		if r == nil {
			return Hop{Control: ControlRoute, ID: rt.ID, Detail: fmt.Sprintf("%s: no return route for %s", label, addrString(f, w))}
		}
		d := fmt.Sprintf("%s: return route %s -> %s", label, r.dest(), r.target())
		if !pass {
			d += " (responses do not go back through " + pcx + ")"
		}
		return Hop{Control: ControlRoute, ID: rt.ID, Detail: d}
	}}
}

// Between answers whether one resource of the account (instance or ENI) can
// open a connection to another on a protocol and port.
func (n *Network) Between(fromRef, toRef string, proto, port, code int) (*Result, error) {
	src, err := n.resolve(fromRef)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	dst, err := n.resolve(toRef)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if src.lb != nil || dst.lb != nil {
		return nil, fmt.Errorf("between: load balancers are not supported as endpoints; name an instance or a network interface")
	}
	if !hasPorts(proto) && !isICMP(proto) {
		port, code = -1, -1
	}
	if !isICMP(proto) {
		code = -1
	}
	q := query{proto: proto, port: port, code: code}
	res := &Result{From: src.arn, To: dst.arn, Protocol: ProtocolName(proto), Port: port, Code: code}
	if src.r != dst.r {
		why := fmt.Sprintf("%s is in %s and %s in %s: inter-region paths are not evaluated", src.id, src.r.name, dst.id, dst.r.name)
		res.Paths = []Path{{Verdict: Unknown, Family: v4.String(), Hops: []Hop{{Control: ControlNotCollected, Detail: "unknown: " + why}}, Unknown: []string{why}}}
		res.finish()
		return res, nil
	}
	c := newCtx(n, src.r)
	for _, a := range src.enis {
		for _, b := range dst.enis {
			for _, f := range []fam{v4, v6} {
				if !famOK(proto, f) {
					continue
				}
				if p, ok := c.betweenPath(a, b, f, q); ok {
					res.Paths = append(res.Paths, p)
				}
			}
		}
	}
	if len(res.Paths) == 0 {
		why := "no network interface with an address of a common family recorded for both resources"
		res.Paths = []Path{{Verdict: Unknown, Family: v4.String(), Hops: []Hop{{Control: ControlNotCollected, Detail: "unknown: " + why}}, Unknown: []string{why}}}
	}
	res.finish()
	return res, nil
}

func (c *evalCtx) betweenPath(a, b *eni, f fam, q query) (Path, bool) {
	srcAddrs, dstAddrs := a.privV4, b.privV4
	if f == v6 {
		srcAddrs, dstAddrs = a.privV6, b.privV6
	}
	if srcAddrs.empty() || dstAddrs.empty() {
		return Path{}, false
	}
	dst := dstAddrs.first()
	for _, ip := range b.PrivateIPs {
		if pf, x, ok := parseAddr(ip); ok && pf == f {
			dst = x // the first listed private address is the primary
			break
		}
	}
	srcVPC, dstVPC := c.r.vpcOf(a), c.r.vpcOf(b)
	srcHop := Hop{Control: ControlSource, ID: a.ID, Detail: fmt.Sprintf("%s in %s (%s)", a.ID, a.SubnetID, joinCIDRs(srcAddrs.cidrs(f, 4)))}
	gates := []gate{
		c.sgOutGate(a.SecurityGroupIDs, f, q, dst, b.SecurityGroupIDs),
		c.routeToGate(a.SubnetID, srcVPC, f, dst, b),
	}
	same := a.SubnetID == b.SubnetID
	if !same {
		gates = append(gates, c.fixedNACL(a.SubnetID, srcVPC, true, f, q, dst, false), c.naclGate(b.SubnetID, dstVPC, false, f, q))
	}
	gates = append(gates, c.sgInGate(b.SecurityGroupIDs, b.ID, f, q, peer{sgs: a.SecurityGroupIDs}))
	if !same {
		gates = append(gates, c.naclReturnGate(b.SubnetID, dstVPC, true, f, q), c.fixedNACL(a.SubnetID, srcVPC, false, f, q, dst, true))
	} else {
		gates = append(gates, fixedGate(f, ControlNACLInbound, Reachable, "", Hop{Control: ControlNACLInbound, ID: a.SubnetID,
			Detail: "both in subnet " + a.SubnetID + ": network ACLs only filter traffic entering or leaving a subnet"}))
	}
	if srcVPC != dstVPC {
		if rt, _, _ := c.r.routeTableFor(a.SubnetID, srcVPC); rt != nil {
			if r := lpm(c.routes(rt, f), dst); r != nil && r.PeeringConnectionID != "" {
				gates = append(gates, c.returnRouteGate(b.SubnetID, dstVPC, f, r.PeeringConnectionID))
			}
		}
	}
	dstHop := fixedGate(f, ControlDestination, Reachable, "", Hop{Control: ControlDestination, ID: b.ID, Detail: fmt.Sprintf("destination %s %s in %s", b.ID, addrString(f, dst), b.SubnetID)})
	gates = append([]gate{dstHop}, gates...)
	return judge(f, srcAddrs, false, srcHop, gates), true
}
