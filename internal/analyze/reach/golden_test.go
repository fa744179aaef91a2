package reach

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// AWS documentation the scenarios encode. Each scenario's doc names the
// page and the behaviour.
const (
	docSG       = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html"
	docSGRules  = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
	docIPPerm   = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html"
	docNACL     = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"
	docNACLRule = "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html"
	docEphem    = "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html"
	docDefNACL  = "https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html"
	docSubnetRT = "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-route-tables.html"
	docRoutePri = "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html#route-tables-priority"
	docRoute    = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html"
	docIGW      = "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html"
	docEIP      = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-eips.html"
	docIPAddr   = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html"
	docEIGW     = "https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html"
	docNAT      = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html"
	docPeer     = "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html"
	docPeerRT   = "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html"
	docPeerSG   = "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html"
	docPL       = "https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html"
	docTGW      = "https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html"
	docLBScheme = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
	docALBSG    = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html"
	docALBLis   = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html"
	docNLBSG    = "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html"
	docNLBCIP   = "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation"
	docGWLB     = "https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/introduction.html"
)

// answer is what a scenario's question returned, reduced for comparison.
type answer struct {
	verdict Verdict
	stops   []Control // controls of the hops that block paths
	text    string    // every hop of every path, for substring checks
}

type scenario struct {
	name string
	doc  string // AWS documentation page — the behaviour encoded
	edit func(b fx)
	ask  func(t *testing.T, n *Network) answer
	want Verdict
	stop Control  // when NotReachable: a path must be blocked by this control
	has  []string // substrings the explanation must contain
	not  []string // substrings it must not contain
}

func fromResult(t *testing.T, r *Result, err error) answer {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	a := answer{verdict: r.Verdict}
	var sb strings.Builder
	for _, p := range r.Paths {
		if p.BlockedBy != nil {
			a.stops = append(a.stops, p.BlockedBy.Control)
		}
		for _, h := range p.Hops {
			sb.WriteString(h.String())
			sb.WriteString("\n")
		}
		for _, u := range p.Unknown {
			sb.WriteString("unknown: " + u + "\n")
		}
		if len(p.Sources) > 0 {
			sb.WriteString("sources: " + strings.Join(p.Sources, " ") + "\n")
		}
	}
	a.text = sb.String()
	return a
}

// reach asks internet → target on "port/proto".
func reach(target, port string) func(*testing.T, *Network) answer {
	return func(t *testing.T, n *Network) answer {
		proto, p, code, err := ParsePort(port)
		if err != nil {
			t.Fatal(err)
		}
		r, err := n.ReachFromInternet(target, proto, p, code)
		return fromResult(t, r, err)
	}
}

func between(from, to, port string) func(*testing.T, *Network) answer {
	return func(t *testing.T, n *Network) answer {
		proto, p, code, err := ParsePort(port)
		if err != nil {
			t.Fatal(err)
		}
		r, err := n.Between(from, to, proto, p, code)
		return fromResult(t, r, err)
	}
}

// exposed asks whether Exposure lists the resource on exactly the range.
func exposed(arn, proto string, from, to int) func(*testing.T, *Network) answer {
	return func(t *testing.T, n *Network) answer {
		rep := n.Exposure()
		var sb strings.Builder
		for _, e := range rep.Exposures {
			sb.WriteString(e.ResourceARN + " " + e.Protocol + " " + portRange(e.FromPort, e.ToPort) + "\n")
			if e.ResourceARN == arn && e.Protocol == proto && e.FromPort == from && e.ToPort == to {
				return answer{verdict: Reachable, text: strings.Join(e.Path, "\n")}
			}
		}
		for _, u := range rep.Unknown {
			if u.ResourceARN == arn && u.Protocol == proto && u.FromPort <= from && to <= u.ToPort {
				return answer{verdict: Unknown, text: u.Reason}
			}
		}
		return answer{verdict: NotReachable, text: sb.String()}
	}
}

func openRule(sg, proto string, port int) func(*testing.T, *Network) answer {
	return func(t *testing.T, n *Network) answer {
		cs, err := n.CheckOpenRule(sg, proto, port)
		if err != nil {
			t.Fatal(err)
		}
		a := answer{verdict: NotReachable}
		for _, c := range cs {
			if c.Verdict.rank() > a.verdict.rank() {
				a.verdict = c.Verdict
			}
			if c.StoppedBy != ControlNone {
				a.stops = append(a.stops, c.StoppedBy)
			}
			a.text += c.Reason + "\n"
		}
		return a
	}
}

func scenarios() []scenario {
	return []scenario{
		// ---- Internet to an instance: addressing, gateway, routes.
		{name: "public subnet, SG open on 80: reachable", doc: docIGW + " — a public subnet routes 0.0.0.0/0 to an attached internet gateway; the instance has a public IPv4 address",
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"0.0.0.0/0 -> igw-1 (internet gateway attached to vpc-1)", "54.0.0.10", "sources: 0.0.0.0/0"}},
		{name: "instance addressed by ARN", doc: docIGW + " — same path, target named by instance ARN",
			ask: reach(webARN, "443/tcp"), want: Reachable},
		{name: "no public IPv4: not reachable", doc: docIGW + " — instances need a public IPv4 address or Elastic IP to be reached over IPv4 from the internet",
			edit: func(b fx) { b.noPublicV4(); b.eni("eni-web").IPv6Addresses = nil },
			ask:  reach("i-web", "80/tcp"), want: NotReachable, stop: ControlPublicIP, has: []string{"no public IPv4 address"}},
		{name: "Elastic IP counts as the public address", doc: docEIP + " — an Elastic IP associated with the interface is its public IPv4 address",
			edit: func(b fx) { b.eni("eni-web").PublicIPs = []string{"198.51.100.7"} },
			ask:  reach("eni-web", "80/tcp"), want: Reachable, has: []string{"198.51.100.7"}},
		{name: "no explicit association: main route table with IGW route", doc: docSubnetRT + " — a subnet not explicitly associated uses the main route table",
			edit: func(b fx) {
				b.rt("rtb-pub").Associations = []ec2.RouteAssociation{{SubnetID: "sn-pub2"}}
				m := b.rt("rtb-main")
				m.Routes = append(m.Routes, ec2.Route{DestinationCIDR: "0.0.0.0/0", GatewayID: "igw-1", State: "active"})
			},
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"main route table of vpc-1"}},
		{name: "no explicit association: main route table local only", doc: docSubnetRT + " — the main route table, with only the local route, makes the subnet private",
			edit: func(b fx) { b.rt("rtb-pub").Associations = []ec2.RouteAssociation{{SubnetID: "sn-pub2"}} },
			ask:  reach("i-web", "80/tcp"), want: NotReachable, stop: ControlRoute, has: []string{"rtb-main", "no route matches"}},
		{name: "default route to a NAT gateway: not reachable", doc: docNAT + " — external services cannot initiate a connection through a NAT gateway",
			edit: func(b fx) {
				b.eni("eni-web").IPv6Addresses = nil
				b.rt("rtb-pub").Routes[2] = ec2.Route{DestinationCIDR: "0.0.0.0/0", NATGatewayID: "nat-1", State: "active"}
			},
			ask: reach("i-web", "80/tcp"), want: NotReachable, stop: ControlRoute, has: []string{"NAT gateway only carries connections initiated from inside"}},
		{name: "internet gateway detached: not reachable", doc: docIGW + " — an internet gateway must be attached to the VPC",
			edit: func(b fx) { b.r().InternetGateways.V[0].AttachedVPC = nil },
			ask:  reach("i-web", "80/tcp"), want: NotReachable, stop: ControlRoute, has: []string{"not attached"}},
		{name: "blackhole default route: not reachable", doc: docRoute + " — a blackhole route's target is unavailable; it carries nothing",
			edit: func(b fx) {
				b.rt("rtb-pub").Routes[2].State = "blackhole"
				b.rt("rtb-pub").Routes[3].State = "blackhole"
			},
			ask: reach("i-web", "80/tcp"), want: NotReachable, stop: ControlRoute},
		{name: "blackhole more-specific route ignored", doc: docRoute + " — blackhole routes are ignored; the active 0.0.0.0/0 route to the IGW still applies",
			edit: func(b fx) {
				r := b.rt("rtb-pub")
				r.Routes = append(r.Routes, ec2.Route{DestinationCIDR: "0.0.0.0/1", NATGatewayID: "nat-gone", State: "blackhole"})
			},
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"sources: 0.0.0.0/0"}},
		{name: "longest prefix: both halves to NAT shadow the IGW default", doc: docRoutePri + " — the most specific route wins (longest prefix match)",
			edit: func(b fx) {
				b.eni("eni-web").IPv6Addresses = nil
				r := b.rt("rtb-pub")
				r.Routes = append(r.Routes, ec2.Route{DestinationCIDR: "0.0.0.0/1", NATGatewayID: "nat-1", State: "active"}, ec2.Route{DestinationCIDR: "128.0.0.0/1", NATGatewayID: "nat-1", State: "active"})
			},
			ask: reach("i-web", "80/tcp"), want: NotReachable, stop: ControlRoute, has: []string{"128.0.0.0/1 -> nat-1"}},
		{name: "longest prefix: half the internet still reaches", doc: docRoutePri + " — 0.0.0.0/1 to a NAT gateway is more specific; clients in 128.0.0.0/1 still use the IGW route",
			edit: func(b fx) {
				r := b.rt("rtb-pub")
				r.Routes = append(r.Routes, ec2.Route{DestinationCIDR: "0.0.0.0/1", NATGatewayID: "nat-1", State: "active"})
			},
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"128.0.0.0/"}, not: []string{"sources: 0.0.0.0/0"}},
		{name: "route to the IGW for one /24 only", doc: docRoutePri + " — a route for 203.0.113.0/24 to the internet gateway lets only those clients connect",
			edit: func(b fx) {
				r := b.rt("rtb-pub")
				r.Routes[2].DestinationCIDR = "203.0.113.0/24"
			},
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"sources: 203.0.113.0/24"}},
		{name: "instance record's public IP fills a gap in the interface record", doc: docIGW + " — the primary interface carries the instance's public IPv4 address",
			edit: func(b fx) { b.eni("eni-web").PublicIPs = nil; b.eni("eni-web").IPv6Addresses = nil },
			ask:  reach("i-web", "80/tcp"), want: Reachable, has: []string{"54.0.0.10"}},
		{name: "NAT gateway interface: not reachable", doc: docNAT + " — a NAT gateway drops unsolicited inbound connections",
			ask: reach("eni-nat", "80/tcp"), want: NotReachable, stop: ControlInterface},

		// ---- Network ACLs.
		{name: "NACL deny rule 90 before allow 100", doc: docNACLRule + " — rules are evaluated from the lowest number; the first match applies",
			edit: func(b fx) {
				b.aclFor("sn-pub", "acl-pub", entry(90, false, "6", "deny", "0.0.0.0/0", 80, 80), entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0))
			},
			ask: reach("i-web", "80/tcp"), want: NotReachable, stop: ControlNACLInbound, has: []string{"rule 90 deny tcp 80 from 0.0.0.0/0"}},
		{name: "NACL allow 100 before deny 200", doc: docNACLRule + " — a matching lower-numbered allow wins over a higher-numbered deny",
			edit: func(b fx) {
				b.aclFor("sn-pub", "acl-pub", entry(200, false, "6", "deny", "0.0.0.0/0", 80, 80), entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0))
			},
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"rule 100 allow all traffic from 0.0.0.0/0"}},
		{name: "custom NACL without rules denies", doc: docNACL + " — a custom network ACL denies all traffic until rules are added (rule *)",
			edit: func(b fx) { b.aclFor("sn-pub", "acl-empty") },
			ask:  reach("i-web", "80/tcp"), want: NotReachable, stop: ControlNACLInbound, has: []string{"rule * deny all"}},
		{name: "NACL blocks ephemeral return ports", doc: docEphem + " — NACLs are stateless; responses to the client's ephemeral ports need an outbound rule",
			edit: func(b fx) {
				b.aclFor("sn-pub", "acl-pub", entry(100, false, "6", "allow", "0.0.0.0/0", 80, 80),
					entry(100, true, "6", "allow", "0.0.0.0/0", 80, 80), entry(110, true, "6", "allow", "0.0.0.0/0", 443, 443))
			},
			ask: reach("i-web", "80/tcp"), want: NotReachable, stop: ControlNACLOutbound, has: []string{"ephemeral ports 1024-65535 are denied"}},
		{name: "NACL allows ephemeral return ports", doc: docEphem + " — an outbound rule for 1024-65535 lets responses reach any client",
			edit: func(b fx) {
				b.aclFor("sn-pub", "acl-pub", entry(100, false, "6", "allow", "0.0.0.0/0", 80, 80), entry(100, true, "6", "allow", "0.0.0.0/0", 1024, 65535))
			},
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"rule 100 allow tcp 1024-65535 to 0.0.0.0/0"}},
		{name: "NACL allows only part of the ephemeral range", doc: docEphem + " — clients pick ephemeral ports in different ranges (Linux 32768-60999, Windows 49152-65535); 32768-65535 serves most",
			edit: func(b fx) {
				b.aclFor("sn-pub", "acl-pub", entry(100, false, "6", "allow", "0.0.0.0/0", 80, 80), entry(100, true, "6", "allow", "0.0.0.0/0", 32768, 65535))
			},
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"only to client ports 32768-65535"}},
		{name: "security groups are stateful: no outbound rule needed", doc: docSG + " — responses to allowed inbound traffic may leave regardless of outbound rules",
			edit: func(b fx) { b.sg("sg-web").Egress = nil },
			ask:  reach("i-web", "80/tcp"), want: Reachable},
		{name: "subnet without NACL association uses the default NACL", doc: docNACL + " — a subnet not associated with a network ACL uses the VPC's default network ACL",
			edit: func(b fx) {
				d := b.acl("acl-1")
				d.Entries = []ec2.NACLEntry{entry(100, false, "6", "deny", "0.0.0.0/0", 0, 0), entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0)}
			},
			ask: reach("i-web", "80/tcp"), want: NotReachable, stop: ControlNACLInbound, has: []string{"default network ACL of sn-pub"}},
		{name: "explicit NACL association overrides the default", doc: docNACL + " — each subnet is associated with exactly one network ACL",
			edit: func(b fx) {
				b.acl("acl-1").Entries = nil
				b.aclFor("sn-pub", "acl-pub", entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0))
			},
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"network ACL of sn-pub"}},
		{name: "NACL denies one /8, the rest of the internet gets in", doc: docNACLRule + " — a deny for 198.0.0.0/8 before allow 0.0.0.0/0 only stops that range",
			edit: func(b fx) {
				b.aclFor("sn-pub", "acl-pub", entry(50, false, "-1", "deny", "198.0.0.0/8", 0, 0), entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0))
			},
			ask: reach("i-web", "80/tcp"), want: Reachable, has: []string{"sources: 0.0.0.0/0 except 198.0.0.0/8"}},

		// ---- Security group rules.
		{name: "SG has no rule for the port", doc: docSGRules + " — there is no inbound traffic unless an inbound rule allows it",
			ask: reach("i-web", "8080/tcp"), want: NotReachable, stop: ControlSGInbound, has: []string{"no inbound rule of sg-web allows tcp/8080"}},
		{name: "SG port range includes the port", doc: docIPPerm + " — for TCP, FromPort..ToPort is the port range",
			edit: func(b fx) {
				b.sg("sg-web").Ingress = append(b.sg("sg-web").Ingress, perm("tcp", 8000, 8100, "0.0.0.0/0"))
			},
			ask: reach("i-web", "8080/tcp"), want: Reachable, has: []string{"tcp 8000-8100 from 0.0.0.0/0"}},
		{name: "SG port range excludes the port", doc: docIPPerm + " — a port outside FromPort..ToPort is not allowed",
			edit: func(b fx) {
				b.sg("sg-web").Ingress = append(b.sg("sg-web").Ingress, perm("tcp", 8000, 8100, "0.0.0.0/0"))
			},
			ask: reach("i-web", "8101/tcp"), want: NotReachable, stop: ControlSGInbound},
		{name: "SG protocol -1 allows every protocol and port", doc: docIPPerm + " — IpProtocol -1 means all protocols, on all ports",
			edit: func(b fx) { b.sg("sg-web").Ingress = []ec2.Permission{perm("-1", -1, -1, "0.0.0.0/0")} },
			ask:  reach("i-web", "53/udp"), want: Reachable, has: []string{"all traffic from 0.0.0.0/0"}},
		{name: "SG TCP rule does not allow UDP", doc: docSGRules + " — a rule allows one protocol",
			ask: reach("i-web", "80/udp"), want: NotReachable, stop: ControlSGInbound},
		{name: "SG ICMP echo request allowed: ping reachable", doc: docIPPerm + " — for ICMP, FromPort is the type (8 echo request) and ToPort the code; NACL allows the echo reply",
			edit: func(b fx) { b.sg("sg-web").Ingress = append(b.sg("sg-web").Ingress, perm("icmp", 8, -1, "0.0.0.0/0")) },
			ask:  reach("i-web", "8/icmp"), want: Reachable, has: []string{"icmp type 8"}},
		{name: "SG ICMP echo only: timestamp request not allowed", doc: docIPPerm + " — an ICMP rule for type 8 allows no other type",
			edit: func(b fx) { b.sg("sg-web").Ingress = append(b.sg("sg-web").Ingress, perm("icmp", 8, -1, "0.0.0.0/0")) },
			ask:  reach("i-web", "13/icmp"), want: NotReachable, stop: ControlSGInbound},
		{name: "ICMP echo reply blocked by stateless NACL", doc: docNACL + " — NACLs are stateless: the echo reply (type 0) needs an outbound rule",
			edit: func(b fx) {
				b.sg("sg-web").Ingress = append(b.sg("sg-web").Ingress, perm("icmp", -1, -1, "0.0.0.0/0"))
				b.aclFor("sn-pub", "acl-pub", entry(100, false, "1", "allow", "0.0.0.0/0", -1, -1), entry(100, true, "6", "allow", "0.0.0.0/0", 1024, 65535))
			},
			ask: reach("i-web", "8/icmp"), want: NotReachable, stop: ControlNACLOutbound, has: []string{"reply icmp type 0"}},
		{name: "rules of several groups add up", doc: docSGRules + " — the rules of all groups associated with a resource are aggregated",
			edit: func(b fx) {
				b.sg("sg-ssh").Ingress = []ec2.Permission{perm("tcp", 22, 22, "0.0.0.0/0")}
				e := b.eni("eni-web")
				e.SecurityGroupIDs = append(e.SecurityGroupIDs, "sg-ssh")
			},
			ask: reach("i-web", "22/tcp"), want: Reachable, has: []string{"sg-ssh"}},
		{name: "SG rule for one public /24: reachable from it only", doc: docSGRules + " — a source CIDR limits who may connect",
			ask: reach("i-web", "22/tcp"), want: Reachable, has: []string{"sources: 203.0.113.0/24"}, not: []string{"sources: 0.0.0.0/0"}},
		{name: "SG rule for a private range only: not from the internet", doc: docIPAddr + " — private (RFC 1918) addresses are not reachable from the internet",
			edit: func(b fx) { b.sg("sg-web").Ingress = []ec2.Permission{perm("tcp", 3306, 3306, "10.0.0.0/8")} },
			ask:  reach("i-web", "3306/tcp"), want: NotReachable, stop: ControlSGInbound},
		{name: "SG reference never matches internet traffic", doc: docSGRules + " — a referenced security group allows traffic from the interfaces associated with it, by private address",
			edit: func(b fx) { b.sg("sg-web").Ingress = []ec2.Permission{perm("tcp", 80, 80, "sg-alb")} },
			ask:  reach("i-web", "80/tcp"), want: NotReachable, stop: ControlSGInbound},
		{name: "SG prefix list with unknown contents: unknown", doc: docPL + " — a prefix list's CIDRs are defined elsewhere; not collected, so unknown, never a pass",
			edit: func(b fx) { b.sg("sg-web").Ingress = []ec2.Permission{perm("tcp", 80, 80, "pl-0123")} },
			ask:  reach("i-web", "80/tcp"), want: Unknown, has: []string{"prefix list pl-0123"}},

		// ---- IPv6.
		{name: "IPv6 global address, ::/0 to the IGW: reachable", doc: docIPAddr + " — IPv6 addresses are globally unique and public; with ::/0 to an internet gateway the instance is reachable over IPv6",
			edit: func(b fx) { b.noPublicV4() },
			ask:  reach("i-web", "80/tcp"), want: Reachable, has: []string{"::/0 -> igw-1", "2600:1f18:aaaa:1101::10"}},
		{name: "IPv6 through an egress-only IGW: not reachable", doc: docEIGW + " — an egress-only internet gateway prevents the internet from initiating IPv6 connections",
			edit: func(b fx) {
				b.noPublicV4()
				r := b.rt("rtb-pub")
				r.Routes[3] = ec2.Route{DestinationIPv6CIDR: "::/0", EgressOnlyGatewayID: "eigw-1", State: "active"}
			},
			ask: reach("i-web", "80/tcp"), want: NotReachable, stop: ControlRoute, has: []string{"egress-only internet gateway"}},
		{name: "IPv4 rule does not open IPv6", doc: docSGRules + " — IPv4 and IPv6 sources are separate rules (0.0.0.0/0 does not include ::/0)",
			edit: func(b fx) { b.noPublicV4() },
			ask:  reach("i-web", "443/tcp"), want: NotReachable, stop: ControlSGInbound},
		{name: "0.0.0.0/0 route does not carry IPv6", doc: docRoutePri + " — routes for IPv4 and IPv6 are independent; ::/0 needs its own route",
			edit: func(b fx) {
				b.noPublicV4()
				r := b.rt("rtb-pub")
				r.Routes = r.Routes[:3]
			},
			ask: reach("i-web", "80/tcp"), want: NotReachable, stop: ControlRoute},
		{name: "custom NACL with IPv4 rules only blocks IPv6", doc: docDefNACL + " — IPv6 traffic needs its own NACL rules (::/0)",
			edit: func(b fx) {
				b.noPublicV4()
				b.aclFor("sn-pub", "acl-pub", entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0))
			},
			ask: reach("i-web", "80/tcp"), want: NotReachable, stop: ControlNACLInbound},

		// ---- Unknown inputs are never a pass.
		{name: "route tables not collected: unknown", doc: docSubnetRT + " — without the route table the path cannot be judged",
			edit: func(b fx) { b.r().RouteTables = core.Unknown[[]ec2.RouteTable]("access denied") },
			ask:  reach("i-web", "80/tcp"), want: Unknown, has: []string{"route tables access denied"}},
		{name: "NACLs not collected: unknown", doc: docNACL + " — without the network ACL the path cannot be judged",
			edit: func(b fx) { b.r().NetworkACLs = core.Unknown[[]ec2.NetworkACL]("access denied") },
			ask:  reach("i-web", "80/tcp"), want: Unknown},
		{name: "security groups not collected: unknown", doc: docSG + " — without the security groups the path cannot be judged",
			edit: func(b fx) { b.r().SecurityGroups = core.Unknown[[]ec2.SecurityGroup]("throttled") },
			ask:  reach("i-web", "80/tcp"), want: Unknown},
		{name: "internet gateways not collected: unknown", doc: docIGW + " — whether the gateway is attached is unknown",
			edit: func(b fx) { b.r().InternetGateways = core.Unknown[[]ec2.InternetGateway]("access denied") },
			ask:  reach("i-web", "80/tcp"), want: Unknown, has: []string{"internet gateways access denied"}},
		{name: "ENIs not collected: instance record still answers", doc: docIGW + " — the instance's own public IP and subnet give the same path",
			edit: func(b fx) { b.r().NetworkInterfaces = core.Unknown[[]ec2.NetworkInterface]("access denied") },
			ask:  reach("i-web", "80/tcp"), want: Reachable, has: []string{"from the instance record"}},

		// ---- Load balancers.
		{name: "internet-facing ALB on its listener", doc: docLBScheme + " — an internet-facing load balancer's nodes have public addresses; its security group allows 443",
			ask: reach(albARN, "443/tcp"), want: Reachable, has: []string{"listener HTTPS 443", "sg-alb"}},
		{name: "ALB by name", doc: docLBScheme + " — same, the load balancer named by its name",
			ask: reach("web-alb", "443/tcp"), want: Reachable},
		{name: "internal ALB: not reachable", doc: docLBScheme + " — the nodes of an internal load balancer have only private IP addresses",
			edit: func(b fx) { b.lb().Scheme = elbv2.SchemeInternal },
			ask:  reach(albARN, "443/tcp"), want: NotReachable, stop: ControlScheme},
		{name: "no listener on the port", doc: docALBLis + " — a load balancer only accepts connections on its listeners' ports",
			ask: reach(albARN, "80/tcp"), want: NotReachable, stop: ControlListener},
		{name: "ALB security group does not allow the listener port", doc: docALBSG + " — the load balancer's security group must allow inbound traffic on the listener port",
			edit: func(b fx) { b.sg("sg-alb").Ingress = []ec2.Permission{perm("tcp", 443, 443, "10.0.0.0/16")} },
			ask:  reach(albARN, "443/tcp"), want: NotReachable, stop: ControlSGInbound},
		{name: "private target reachable through the ALB (SG reference)", doc: docALBSG + " — targets should allow the load balancer's security group as source",
			ask: reach("i-app", "8080/tcp"), want: Reachable, has: []string{"forwards to target group tg-app", "matched by group sg-alb"}},
		{name: "private target reachable through the ALB (VPC CIDR)", doc: docALBSG + " — a target rule for the VPC CIDR covers the load balancer nodes' addresses",
			edit: func(b fx) { b.sg("sg-app").Ingress = []ec2.Permission{perm("tcp", 8080, 8080, "10.0.0.0/16")} },
			ask:  reach("i-app", "8080/tcp"), want: Reachable, has: []string{"matched by 10.0.0.0/16"}},
		{name: "target SG does not allow the load balancer", doc: docALBSG + " — the target's security group must allow traffic from the load balancer",
			edit: func(b fx) { b.sg("sg-app").Ingress = []ec2.Permission{perm("tcp", 8080, 8080, "192.168.0.0/16")} },
			ask:  reach("i-app", "8080/tcp"), want: NotReachable, stop: ControlSGInbound},
		{name: "ALB security group outbound rules do not allow the target", doc: docALBSG + " — the load balancer's security group must allow outbound traffic to the targets on the target port",
			edit: func(b fx) { b.sg("sg-alb").Egress = []ec2.Permission{perm("tcp", 443, 443, "0.0.0.0/0")} },
			ask:  reach("i-app", "8080/tcp"), want: NotReachable, stop: ControlSGOutbound},
		{name: "target NACL blocks responses to the ALB's ephemeral ports", doc: docEphem + " — requests from an ELB use ephemeral ports 1024-65535; the target subnet's NACL must let responses out",
			edit: func(b fx) {
				b.aclFor("sn-priv", "acl-priv", entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "6", "allow", "0.0.0.0/0", 443, 443))
			},
			ask: reach("i-app", "8080/tcp"), want: NotReachable, stop: ControlNACLOutbound},
		{name: "NLB without security groups preserves client IP: target SG open", doc: docNLBCIP + " — for instance targets client IP preservation is on by default; the target sees the client's address",
			edit: func(b fx) { b.nlb(); b.sg("sg-app").Ingress = []ec2.Permission{perm("tcp", 8080, 8080, "0.0.0.0/0")} },
			ask:  reach("i-app", "8080/tcp"), want: Reachable, has: []string{"client IP preserved"}},
		{name: "NLB preserves client IP: target SG allowing only the VPC blocks", doc: docNLBCIP + " — with client IP preservation the target's security group must allow the clients, not the load balancer",
			edit: func(b fx) { b.nlb(); b.sg("sg-app").Ingress = []ec2.Permission{perm("tcp", 8080, 8080, "10.0.0.0/16")} },
			ask:  reach("i-app", "8080/tcp"), want: NotReachable, stop: ControlSGInbound},
		{name: "NLB with security group: target SG referencing it allows clients", doc: docNLBSG + " — referencing the NLB's security group lets targets accept its traffic even with client IP preservation",
			edit: func(b fx) {
				b.nlb()
				b.lb().SecurityGroupIDs = []string{"sg-alb"}
				b.sg("sg-alb").Ingress = []ec2.Permission{perm("tcp", 80, 80, "0.0.0.0/0")}
			},
			ask: reach("i-app", "8080/tcp"), want: Reachable, has: []string{"matched by group sg-alb"}},
		{name: "NLB ip target over TCP: client IP not preserved by default", doc: docNLBCIP + " — IP targets with TCP/TLS do not preserve client IPs; the target sees the load balancer's address",
			edit: func(b fx) {
				b.nlb()
				tg := &b.lb().TargetGroups.V[0]
				tg.TargetType, tg.Targets = elbv2.TargetIP, core.Known([]elbv2.Target{{ID: "10.0.2.20"}})
				b.sg("sg-app").Ingress = []ec2.Permission{perm("tcp", 8080, 8080, "10.0.0.0/16")}
			},
			ask: reach("eni-app", "8080/tcp"), want: Reachable, has: []string{"load balancer node in sn-pub"}},
		{name: "Gateway Load Balancer is not an internet entry point", doc: docGWLB + " — a Gateway Load Balancer receives traffic through endpoints, not listeners on the internet",
			edit: func(b fx) { b.lb().Type, b.lb().Scheme = elbv2.TypeGateway, "" },
			ask:  reach(albARN, "443/tcp"), want: NotReachable, stop: ControlScheme},
		{name: "load balancers not collected: target unknown", doc: docALBSG + " — with load balancer interfaces present but load balancers unknown, a target may be reachable",
			edit: func(b fx) { b.s.ELBv2 = nil },
			ask:  reach("i-app", "8080/tcp"), want: Unknown, has: []string{"load balancers not collected"}},

		{name: "dualstack ALB reachable over IPv6", doc: docLBScheme + " — IpAddressType dualstack: clients connect over IPv4 and IPv6; the subnets route ::/0 to the IGW",
			edit: func(b fx) {
				b.lb().IPAddressType = "dualstack"
				b.lb().SubnetIDs = []string{"sn-pub"}
				b.sg("sg-alb").Ingress = []ec2.Permission{perm("tcp", 443, 443, "::/0")}
			},
			ask: reach(albARN, "443/tcp"), want: Reachable, has: []string{"sources: ::/0"}},
		{name: "NLB with client IP preservation off: target SG allowing the VPC", doc: docNLBCIP + " — with preserve_client_ip.enabled false the target sees the load balancer's private address",
			edit: func(b fx) {
				b.nlb()
				b.lb().TargetGroups.V[0].PreserveClientIP = core.Known(false)
				b.sg("sg-app").Ingress = []ec2.Permission{perm("tcp", 8080, 8080, "10.0.0.0/16")}
			},
			ask: reach("i-app", "8080/tcp"), want: Reachable},
		{name: "listener forwards to another target group", doc: docALBLis + " — a listener routes only to the target groups its actions name",
			edit: func(b fx) {
				b.lb().Listeners.V[0].TargetGroupARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/other/1"}
			},
			ask: reach("i-app", "8080/tcp"), want: NotReachable, stop: ControlPublicIP},
		{name: "listener that only redirects forwards to no target group", doc: docALBLis + " — a redirect or fixed-response action sends nothing to targets",
			edit: func(b fx) {
				ls := &b.lb().Listeners.V[0]
				ls.TargetGroupARNs, ls.ForwardsRecorded = nil, true
				ls.DefaultActions = []elbv2.Action{{Type: elbv2.ActionRedirect, RedirectProtocol: "HTTPS"}}
			},
			ask: reach("i-app", "8080/tcp"), want: NotReachable, stop: ControlPublicIP},
		{name: "listener whose forwarding was not recorded may reach every target group", doc: docALBLis + " — rules not collected: any target group of the load balancer may receive traffic",
			edit: func(b fx) { b.lb().Listeners.V[0].TargetGroupARNs = nil },
			ask:  reach("i-app", "8080/tcp"), want: Reachable},
		{name: "security group missing from the snapshot: unknown", doc: docSG + " — a group the interface uses but the snapshot lacks could allow anything",
			edit: func(b fx) { b.eni("eni-web").SecurityGroupIDs = []string{"sg-gone"} },
			ask:  reach("i-web", "80/tcp"), want: Unknown, has: []string{"sg-gone not in snapshot"}},
		{name: "UDP responses need an outbound NACL rule too", doc: docEphem + " — NACL rules are per protocol; a TCP-only ephemeral rule does not let UDP responses out",
			edit: func(b fx) {
				b.sg("sg-web").Ingress = append(b.sg("sg-web").Ingress, perm("udp", 53, 53, "0.0.0.0/0"))
				b.aclFor("sn-pub", "acl-pub", entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "6", "allow", "0.0.0.0/0", 1024, 65535))
			},
			ask: reach("i-web", "53/udp"), want: NotReachable, stop: ControlNACLOutbound},
		{name: "UDP with an ephemeral UDP outbound rule", doc: docEphem + " — responses to UDP clients go to their ephemeral ports",
			edit: func(b fx) {
				b.sg("sg-web").Ingress = append(b.sg("sg-web").Ingress, perm("udp", 53, 53, "0.0.0.0/0"))
				b.aclFor("sn-pub", "acl-pub", entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "17", "allow", "0.0.0.0/0", 1024, 65535))
			},
			ask: reach("i-web", "53/udp"), want: Reachable},

		// ---- Exposure.
		{name: "exposure lists the ALB on 443", doc: docLBScheme + " — internet-facing load balancer, listener 443",
			ask: exposed(albARN, "tcp", 443, 443), want: Reachable},
		{name: "exposure lists the private target behind the ALB on 8080", doc: docALBSG + " — reachable through the load balancer on the target port",
			ask: exposed(appARN, "tcp", 8080, 8080), want: Reachable, has: []string{"forwards to target group"}},
		{name: "exposure lists the public instance on 80", doc: docIGW + " — public subnet, public IP, SG open",
			ask: exposed(webARN, "tcp", 80, 80), want: Reachable},
		{name: "exposure omits the database in the private subnet", doc: docNAT + " — a private subnet behind a NAT gateway is not reachable from the internet",
			ask: exposed(dbARN, "tcp", 5432, 5432), want: NotReachable},
		{name: "exposure merges contiguous port ranges", doc: docIPPerm + " — rules 8000-8010 and 8011-8020 open one contiguous range",
			edit: func(b fx) {
				b.sg("sg-web").Ingress = []ec2.Permission{perm("tcp", 8000, 8010, "0.0.0.0/0"), perm("tcp", 8011, 8020, "0.0.0.0/0")}
			},
			ask: exposed(webARN, "tcp", 8000, 8020), want: Reachable},
		{name: "exposure splits ranges around a NACL deny", doc: docNACLRule + " — a NACL deny for port 22 before allow-all leaves 0-21 and 23-65535",
			edit: func(b fx) {
				b.sg("sg-web").Ingress = []ec2.Permission{perm("tcp", 0, 65535, "0.0.0.0/0")}
				b.aclFor("sn-pub", "acl-pub", entry(10, false, "6", "deny", "0.0.0.0/0", 22, 22), entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0))
			},
			ask: exposed(webARN, "tcp", 23, 65535), want: Reachable},
		{name: "exposure: ephemeral-blocking NACL hides the instance", doc: docEphem + " — no return path, no exposure",
			edit: func(b fx) {
				b.aclFor("sn-pub", "acl-pub", entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "6", "allow", "0.0.0.0/0", 80, 80))
			},
			ask: exposed(webARN, "tcp", 80, 80), want: NotReachable},
		{name: "exposure: prefix list source is listed as unknown", doc: docPL + " — prefix list contents not collected",
			edit: func(b fx) { b.sg("sg-web").Ingress = []ec2.Permission{perm("tcp", 9000, 9000, "pl-0abc")} },
			ask:  exposed(webARN, "tcp", 9000, 9000), want: Unknown},

		{name: "exposure lists a Lambda target behind the ALB", doc: docALBSG + " — an Application Load Balancer invokes Lambda targets; no network control applies past the load balancer",
			edit: func(b fx) {
				tg := &b.lb().TargetGroups.V[0]
				tg.TargetType, tg.Protocol, tg.Port = elbv2.TargetLambda, "", 0
				tg.Targets = core.Known([]elbv2.Target{{ID: "arn:aws:lambda:us-east-1:111122223333:function:api"}})
			},
			ask: exposed("arn:aws:lambda:us-east-1:111122223333:function:api", "tcp", 443, 443), want: Reachable},
		{name: "exposure lists ICMP types", doc: docIPPerm + " — an ICMP rule with type -1 allows every type",
			edit: func(b fx) { b.sg("sg-web").Ingress = append(b.sg("sg-web").Ingress, perm("icmp", -1, -1, "0.0.0.0/0")) },
			ask:  exposed(webARN, "icmp", 0, 255), want: Reachable},
		{name: "exposure: load balancers and interfaces not collected", doc: docALBSG + " — without interfaces or load balancers, exposure through a load balancer cannot be ruled out",
			edit: func(b fx) {
				b.s.ELBv2 = nil
				b.r().NetworkInterfaces = core.Unknown[[]ec2.NetworkInterface]("access denied")
			},
			ask: exposed("arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/*", "", -1, -1), want: Unknown},

		{name: "exposure: load balancers not collected, their interfaces are not judged alone", doc: docLBScheme + " — a load balancer node accepts only its listeners' ports, which are unknown without the load balancer",
			edit: func(b fx) { b.s.ELBv2 = nil },
			ask:  exposed("arn:aws:ec2:us-east-1:111122223333:network-interface/eni-alb-a", "tcp", 443, 443), want: NotReachable},
		{name: "exposure: load balancers not collected, listed as unknown", doc: docLBScheme + " — the load balancer seen through its interfaces is reported unknown, never dropped",
			edit: func(b fx) { b.s.ELBv2 = nil },
			ask:  exposed(albARN, "", -1, -1), want: Unknown},

		// ---- Between resources of the account.
		{name: "app to db by security group reference", doc: docSGRules + " — a rule referencing sg-app allows the interfaces in sg-app",
			ask: between("i-app", "i-db", "5432/tcp"), want: Reachable, has: []string{"matched by group sg-app"}},
		{name: "web cannot reach db: not in the referenced group", doc: docSGRules + " — only members of the referenced group are allowed",
			ask: between("i-web", "i-db", "5432/tcp"), want: NotReachable, stop: ControlSGInbound},
		{name: "source without outbound rules cannot connect", doc: docSGRules + " — a security group with no outbound rules allows no outbound traffic",
			edit: func(b fx) { b.sg("sg-app").Egress = nil },
			ask:  between("i-app", "i-db", "5432/tcp"), want: NotReachable, stop: ControlSGOutbound},
		{name: "NACL between subnets denies", doc: docNACL + " — the destination subnet's NACL filters traffic entering it",
			edit: func(b fx) {
				b.sg("sg-db").Ingress = []ec2.Permission{perm("tcp", 5432, 5432, "10.0.0.0/16")}
				b.aclFor("sn-priv", "acl-priv", entry(50, false, "6", "deny", "10.0.1.0/24", 5432, 5432), entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0))
			},
			ask: between("i-web", "i-db", "5432/tcp"), want: NotReachable, stop: ControlNACLInbound, has: []string{"rule 50 deny"}},
		{name: "same subnet: NACL does not apply", doc: docNACL + " — a network ACL controls traffic entering and leaving a subnet, not within it",
			edit: func(b fx) { b.aclFor("sn-priv", "acl-priv") },
			ask:  between("i-app", "i-db", "5432/tcp"), want: Reachable, has: []string{"network ACLs only filter traffic entering or leaving a subnet"}},
		{name: "peered VPC with routes on both sides", doc: docPeerRT + " — each VPC's route table needs a route to the other's CIDR through the active peering connection",
			ask: between("i-db", "eni-peer", "5432/tcp"), want: Reachable, has: []string{"active peering between vpc-1 and vpc-2"}},
		{name: "peering not active", doc: docPeer + " — a peering connection carries traffic only once it is active",
			edit: func(b fx) { b.peering().Status = "pending-acceptance" },
			ask:  between("i-db", "eni-peer", "5432/tcp"), want: NotReachable, stop: ControlRoute},
		{name: "peer without return route", doc: docPeerRT + " — the peer VPC must route responses back through the peering connection",
			edit: func(b fx) { b.rt("rtb-b").Routes = b.rt("rtb-b").Routes[:1] },
			ask:  between("i-db", "eni-peer", "5432/tcp"), want: NotReachable, stop: ControlRoute},
		{name: "peering is not transitive", doc: docPeer + " — VPC peering does not support transitive peering",
			edit: func(b fx) {
				b.peering().Accepter.VPCID = "vpc-3"
			},
			ask: between("i-db", "eni-peer", "5432/tcp"), want: NotReachable, stop: ControlRoute, has: []string{"not transitive"}},
		{name: "peer SG references a group across the peering", doc: docPeerSG + " — a security group can reference a group in a peered VPC",
			edit: func(b fx) { b.sg("sg-peer").Ingress = []ec2.Permission{perm("tcp", 5432, 5432, "sg-db")} },
			ask:  between("i-db", "eni-peer", "5432/tcp"), want: Reachable},
		{name: "transit gateway route: unknown", doc: docTGW + " — transit gateway route tables are not collected",
			edit: func(b fx) {
				r := b.rt("rtb-priv")
				r.Routes[4] = ec2.Route{DestinationCIDR: "172.31.0.0/16", TransitGatewayID: "tgw-1", State: "active"}
			},
			ask: between("i-db", "eni-peer", "5432/tcp"), want: Unknown, has: []string{"transit gateway"}},

		// ---- The rule-facing API.
		{name: "open SG on a private instance: stopped by the missing public address", doc: docIGW + " — 0.0.0.0/0 in a group on a private-subnet instance is not internet-reachable",
			edit: func(b fx) { b.sg("sg-db").Ingress = []ec2.Permission{perm("tcp", 22, 22, "0.0.0.0/0")} },
			ask:  openRule("sg-db", "tcp", 22), want: NotReachable, stop: ControlPublicIP},
		{name: "open SG on a public instance behind a NAT default route: stopped by the route", doc: docNAT + " — with 0.0.0.0/0 to a NAT gateway the public address is useless inbound",
			edit: func(b fx) {
				b.sg("sg-db").Ingress = []ec2.Permission{perm("tcp", 22, 22, "0.0.0.0/0")}
				b.eni("eni-db").PublicIPs = []string{"54.0.0.30"}
			},
			ask: openRule("sg-db", "tcp", 22), want: NotReachable, stop: ControlRoute},
		{name: "open SG attached to nothing", doc: docSGRules + " — a group's rules apply only to the resources associated with it",
			edit: func(b fx) { b.sg("sg-unused").Ingress = []ec2.Permission{perm("tcp", 22, 22, "0.0.0.0/0")} },
			ask:  openRule("sg-unused", "tcp", 22), want: NotReachable, stop: ControlNotAttached},
		{name: "open SG on a public instance: reachable", doc: docIGW + " — public subnet, public IP, NACL allows",
			ask: openRule("sg-web", "tcp", 80), want: Reachable},
		{name: "open SG stopped by a NACL rule", doc: docNACLRule + " — the subnet's NACL denies the port",
			edit: func(b fx) {
				b.aclFor("sn-pub", "acl-pub", entry(90, false, "6", "deny", "0.0.0.0/0", 80, 80), entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0), entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0))
			},
			ask: openRule("sg-web", "tcp", 80), want: NotReachable, stop: ControlNACLInbound},
	}
}

func TestGoldenScenarios(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			if !strings.HasPrefix(sc.doc, "https://docs.aws.amazon.com/") {
				t.Fatalf("scenario must cite an AWS documentation page, got %q", sc.doc)
			}
			b := base()
			if sc.edit != nil {
				sc.edit(b)
			}
			got := sc.ask(t, New(b.s))
			if got.verdict != sc.want {
				t.Fatalf("verdict %s, want %s\n%s", got.verdict, sc.want, got.text)
			}
			if sc.stop != ControlNone {
				found := false
				for _, c := range got.stops {
					found = found || c == sc.stop
				}
				if !found {
					t.Errorf("blocked by %v, want %s\n%s", got.stops, sc.stop, got.text)
				}
			}
			for _, h := range sc.has {
				if !strings.Contains(got.text, h) {
					t.Errorf("explanation lacks %q:\n%s", h, got.text)
				}
			}
			for _, h := range sc.not {
				if strings.Contains(got.text, h) {
					t.Errorf("explanation has %q:\n%s", h, got.text)
				}
			}
		})
	}
}

func TestScenarioCount(t *testing.T) {
	if n := len(scenarios()); n < 60 {
		t.Fatalf("%d scenarios, the acceptance criterion is at least 60", n)
	}
}

// TestConcurrentQuestions backs the promise that one Network answers many
// questions at once (run with -race).
func TestConcurrentQuestions(t *testing.T) {
	n := New(base().s)
	want := len(n.Exposure().Exposures)
	done := make(chan int)
	for i := 0; i < 4; i++ {
		go func() {
			if _, err := n.ReachFromInternet("i-app", protoTCP, 8080, -1); err != nil {
				t.Error(err)
			}
			done <- len(n.Exposure().Exposures)
		}()
	}
	for i := 0; i < 4; i++ {
		if got := <-done; got != want {
			t.Errorf("concurrent exposure: %d items, want %d", got, want)
		}
	}
}

// TestExposureDeterministic: the same snapshot gives byte-identical output.
func TestExposureDeterministic(t *testing.T) {
	a, _ := json.Marshal(New(base().s).Exposure())
	for i := 0; i < 5; i++ {
		b, _ := json.Marshal(New(base().s).Exposure())
		if string(a) != string(b) {
			t.Fatal("exposure output differs between runs")
		}
	}
}
