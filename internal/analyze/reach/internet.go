package reach

import (
	"errors"
	"fmt"
	"strings"

	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// ErrNotFound is returned when a target names nothing in the snapshot.
var ErrNotFound = errors.New("not found in snapshot")

// target is a resolved resource.
type target struct {
	r        *region
	enis     []*eni        // the interface, or the instance's interfaces
	instance *ec2.Instance // when the target is an instance
	lb       *lb
	id       string // instance ID, ENI ID or load balancer ARN
	arn      string
}

// resolve finds a resource by instance ID, ENI ID, load balancer name, or
// ARN of any of them, in every region of the snapshot.
func (n *Network) resolve(ref string) (*target, error) {
	ref = strings.TrimSpace(ref)
	id := ref
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 6)
		if len(parts) == 6 {
			res := parts[5]
			switch {
			case strings.HasPrefix(res, "instance/"):
				id = strings.TrimPrefix(res, "instance/")
			case strings.HasPrefix(res, "network-interface/"):
				id = strings.TrimPrefix(res, "network-interface/")
			}
		}
	}
	for _, name := range n.names {
		r := n.regions[name]
		if l := r.lbByARN[ref]; l != nil {
			return &target{r: r, lb: l, id: l.ARN, arn: l.ARN}, nil
		}
		if e := r.eniByID[id]; e != nil {
			arn := e.ARN
			if arn == "" {
				arn = fmt.Sprintf("%s:ec2:%s:%s:network-interface/%s", n.arnPrefix, r.name, n.account, e.ID)
			}
			return &target{r: r, enis: []*eni{e}, id: e.ID, arn: arn}, nil
		}
		if in := r.instances[id]; in != nil || strings.HasPrefix(id, "i-") {
			var enis []*eni
			for _, e := range r.enis {
				if e.InstanceID == id {
					enis = append(enis, e)
				}
			}
			if in == nil && len(enis) == 0 {
				continue
			}
			t := &target{r: r, enis: enis, instance: in, id: id}
			switch {
			case len(enis) > 0:
				t.arn = enis[0].arn
			case in.ARN != "":
				t.arn = in.ARN
			default:
				t.arn = fmt.Sprintf("%s:ec2:%s:%s:instance/%s", n.arnPrefix, r.name, n.owner(in), id)
			}
			return t, nil
		}
	}
	if !strings.HasPrefix(ref, "arn:") {
		for _, name := range n.names {
			for _, l := range n.regions[name].lbs {
				if l.Name == ref {
					return &target{r: n.regions[name], lb: l, id: l.ARN, arn: l.ARN}, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("%q: %w (want an instance ID, ENI ID, load balancer name or an ARN)", ref, ErrNotFound)
}

// ReachFromInternet answers whether a client on the internet can open a
// connection to the target (an instance, a network interface or a load
// balancer, by ID, name or ARN) with a protocol and port (ICMP: type, and
// code or -1), directly or, for instances and interfaces, through an
// internet-facing load balancer that forwards to that port.
func (n *Network) ReachFromInternet(ref string, proto, port, code int) (*Result, error) {
	t, err := n.resolve(ref)
	if err != nil {
		return nil, err
	}
	if !hasPorts(proto) && !isICMP(proto) {
		port, code = -1, -1
	}
	if !isICMP(proto) {
		code = -1
	}
	q := query{proto: proto, port: port, code: code}
	res := &Result{From: "internet", To: t.arn, Protocol: ProtocolName(proto), Port: port, Code: code}
	c := newCtx(n, t.r)
	if t.lb != nil {
		res.Paths = c.lbFrontendPaths(t.lb, q)
		res.finish()
		return res, nil
	}
	if len(t.enis) == 0 {
		res.Paths = append(res.Paths, Path{Verdict: Unknown, Hops: []Hop{{Control: ControlNotCollected, ID: t.id,
			Detail: "no network interface recorded for " + t.id + ": " + t.r.eniWhy}}, Unknown: []string{"no network interface recorded for " + t.id}})
	}
	for _, e := range t.enis {
		for _, f := range []fam{v4, v6} {
			if famOK(proto, f) {
				res.Paths = append(res.Paths, c.eniInternetPath(e, f, q))
			}
		}
	}
	res.Paths = append(res.Paths, c.viaLoadBalancers(t, q)...)
	res.finish()
	return res, nil
}

// eniInternetPath judges a direct connection from the internet to an
// interface: it needs a public address of the family, a route from its
// subnet to an attached internet gateway, the NACL's inbound rule, a
// security group inbound rule, and the NACL's outbound rule for the responses.
func (c *evalCtx) eniInternetPath(e *eni, f fam, q query) Path {
	src := Hop{Control: ControlSource, ID: "internet", Detail: "clients on the internet"}
	vpc := c.r.vpcOf(e)
	gates := []gate{c.addressGate(e, f)}
	gates = append(gates,
		c.internetRouteGate(e.SubnetID, vpc, f),
		c.naclGate(e.SubnetID, vpc, false, f, q),
		c.eniSGGate(e, f, q),
		c.naclReturnGate(e.SubnetID, vpc, true, f, q),
	)
	return judge(f, internet(f), false, src, gates)
}

// addressGate: the internet can only address an interface through a public
// IPv4 address (auto-assigned or an Elastic IP) or an IPv6 global unicast
// address; private addresses are not routed on the internet. A NAT gateway's
// interface has a public address but drops connections from outside.
// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html
// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
func (c *evalCtx) addressGate(e *eni, f fam) gate {
	who := e.ID
	if e.InstanceID != "" {
		who = fmt.Sprintf("%s (instance %s)", e.ID, e.InstanceID)
	}
	if e.synthetic {
		who = fmt.Sprintf("instance %s (from the instance record; interfaces not collected)", e.InstanceID)
	}
	if e.InterfaceType == "nat_gateway" || e.InterfaceType == "natGateway" {
		return fixedGate(f, ControlInterface, NotReachable, "", Hop{Control: ControlInterface, ID: e.ID,
			Detail: "NAT gateway interface: a NAT gateway does not accept connections initiated from the internet"})
	}
	if f == v4 {
		if len(e.pubV4) == 0 {
			priv := strings.Join(e.PrivateIPs, ", ")
			return fixedGate(f, ControlPublicIP, NotReachable, "", Hop{Control: ControlPublicIP, ID: e.ID,
				Detail: fmt.Sprintf("%s has no public IPv4 address or Elastic IP; its private address %s is not routable from the internet", who, priv)})
		}
		return fixedGate(f, ControlPublicIP, Reachable, "", Hop{Control: ControlPublicIP, ID: e.ID,
			Detail: fmt.Sprintf("%s has public IPv4 %s (private %s)", who, strings.Join(e.pubV4, ", "), strings.Join(e.PrivateIPs, ", "))})
	}
	if len(e.gua) == 0 {
		return fixedGate(f, ControlPublicIP, NotReachable, "", Hop{Control: ControlPublicIP, ID: e.ID,
			Detail: who + " has no IPv6 global unicast address"})
	}
	return fixedGate(f, ControlPublicIP, Reachable, "", Hop{Control: ControlPublicIP, ID: e.ID,
		Detail: fmt.Sprintf("%s has IPv6 address %s", who, strings.Join(e.gua, ", "))})
}

// eniSGGate is the interface's security groups. A Network Load Balancer
// interface without security groups is not filtered by any.
func (c *evalCtx) eniSGGate(e *eni, f fam, q query) gate {
	if len(e.SecurityGroupIDs) == 0 && e.InterfaceType == "network_load_balancer" {
		return fixedGate(f, ControlSGInbound, Reachable, "", Hop{Control: ControlSGInbound, ID: e.ID,
			Detail: "Network Load Balancer interface without security groups: no security group filters client traffic"})
	}
	return c.sgInGate(e.SecurityGroupIDs, e.ID, f, q, peer{})
}

// ResourceARN is the ARN under which Exposure reports a resource named by
// ID, name or ARN: an interface attached to an instance is reported as the
// instance.
func (n *Network) ResourceARN(ref string) (string, error) {
	t, err := n.resolve(ref)
	if err != nil {
		return "", err
	}
	if t.lb == nil && len(t.enis) > 0 {
		return t.enis[0].arn, nil
	}
	return t.arn, nil
}
