package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// The network world: the compliant world with a real topology in us-east-1.
//
//	vpc-1 10.0.0.0/16, igw-1 attached
//	  subnet-1 10.0.1.0/24  rtb-pub  (main; 0.0.0.0/0 -> igw-1)   i-1 (eni-1, 54.0.0.10, sg-web), nat-1
//	  subnet-2 10.0.2.0/24  rtb-priv (0.0.0.0/0 -> nat-1)         i-2 (eni-2, private, sg-db)
//	  acl-1: default NACL of both subnets, allow all both ways
//	sg-web: tcp 443 from 0.0.0.0/0 and ::/0, tcp 22 from 10.0.0.0/8; sg-db: tcp 5432 from sg-web
//	sg-spare: attached to nothing
const (
	i1ARN = "arn:aws:ec2:us-east-1:" + acct + ":instance/i-1"
	i2ARN = "arn:aws:ec2:us-east-1:" + acct + ":instance/i-2"
)

func netWorld() *model.Snapshot {
	s := compliantSnapshot()
	r := ec2At(s, "us-east-1")
	meta := func(res string) core.Meta {
		return core.Meta{ARN: "arn:aws:ec2:us-east-1:" + acct + ":" + res, Account: acct, Region: "us-east-1"}
	}
	r.Subnets.V = append(r.Subnets.V, ec2.Subnet{Meta: meta("subnet/subnet-2"), ID: "subnet-2", VPCID: "vpc-1", CIDR: "10.0.2.0/24", AvailabilityZone: "us-east-1b"})
	r.InternetGateways = core.Known([]ec2.InternetGateway{{Meta: meta("internet-gateway/igw-1"), ID: "igw-1", AttachedVPC: []string{"vpc-1"}}})
	r.NATGateways = core.Known([]ec2.NATGateway{{Meta: meta("natgateway/nat-1"), ID: "nat-1", VPCID: "vpc-1", SubnetID: "subnet-1", State: "available", ConnectivityType: "public", PublicIPs: []string{"54.0.0.99"}}})
	local := ec2.Route{DestinationCIDR: "10.0.0.0/16", GatewayID: "local", State: "active"}
	r.RouteTables = core.Known([]ec2.RouteTable{
		{Meta: meta("route-table/rtb-pub"), ID: "rtb-pub", VPCID: "vpc-1",
			Associations: []ec2.RouteAssociation{{Main: true}, {SubnetID: "subnet-1"}},
			Routes:       []ec2.Route{local, {DestinationCIDR: "0.0.0.0/0", GatewayID: "igw-1", State: "active"}}},
		{Meta: meta("route-table/rtb-priv"), ID: "rtb-priv", VPCID: "vpc-1",
			Associations: []ec2.RouteAssociation{{SubnetID: "subnet-2"}},
			Routes:       []ec2.Route{local, {DestinationCIDR: "0.0.0.0/0", NATGatewayID: "nat-1", State: "active"}}},
	})
	acl := &r.NetworkACLs.V[0]
	acl.SubnetIDs = []string{"subnet-1", "subnet-2"}
	acl.Entries = []ec2.NACLEntry{
		{RuleNumber: 100, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"},
		{RuleNumber: 100, Egress: true, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"},
		{RuleNumber: 32767, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"},
		{RuleNumber: 32767, Egress: true, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"},
	}
	r.SecurityGroups.V = append(r.SecurityGroups.V,
		ec2.SecurityGroup{Meta: meta("security-group/sg-db"), ID: "sg-db", Name: "db", VPCID: "vpc-1", OwnerID: acct,
			Ingress: []ec2.Permission{{Protocol: "tcp", FromPort: 5432, ToPort: 5432, GroupRefs: []ec2.GroupRef{{GroupID: "sg-web"}}}},
			Egress:  []ec2.Permission{{Protocol: "-1", IPv4Ranges: []string{"0.0.0.0/0"}}}},
		ec2.SecurityGroup{Meta: meta("security-group/sg-spare"), ID: "sg-spare", Name: "spare", VPCID: "vpc-1", OwnerID: acct},
	)
	eni := &r.NetworkInterfaces.V[0]
	eni.InterfaceType, eni.Status, eni.PrivateIPs, eni.PublicIPs = "interface", "in-use", []string{"10.0.1.10"}, []string{"54.0.0.10"}
	r.Instances.V[0].PublicIP = "54.0.0.10"
	r.NetworkInterfaces.V = append(r.NetworkInterfaces.V,
		ec2.NetworkInterface{Meta: meta("network-interface/eni-2"), ID: "eni-2", VPCID: "vpc-1", SubnetID: "subnet-2", InterfaceType: "interface",
			Status: "in-use", PrivateIPs: []string{"10.0.2.20"}, SecurityGroupIDs: []string{"sg-db"}, InstanceID: "i-2"},
		ec2.NetworkInterface{Meta: meta("network-interface/eni-nat"), ID: "eni-nat", VPCID: "vpc-1", SubnetID: "subnet-1", InterfaceType: "nat_gateway",
			Status: "in-use", PrivateIPs: []string{"10.0.1.99"}, PublicIPs: []string{"54.0.0.99"}},
	)
	r.Instances.V = append(r.Instances.V, ec2.Instance{Meta: meta("instance/i-2"), ID: "i-2", State: "running", VPCID: "vpc-1", SubnetID: "subnet-2",
		PrivateIP: "10.0.2.20", SecurityGroupIDs: []string{"sg-db"}, Metadata: ec2.MetadataOptions{HTTPTokens: "required"}})
	return s
}

func sgIn(s *model.Snapshot, id string) *ec2.SecurityGroup {
	r := ec2At(s, "us-east-1")
	for i := range r.SecurityGroups.V {
		if r.SecurityGroups.V[i].ID == id {
			return &r.SecurityGroups.V[i]
		}
	}
	panic("no security group " + id)
}

func openTo(s *model.Snapshot, sg string, proto string, from, to int32, cidrs ...string) {
	g := sgIn(s, sg)
	p := ec2.Permission{Protocol: proto, FromPort: from, ToPort: to}
	for _, c := range cidrs {
		if strings.Contains(c, ":") {
			p.IPv6Ranges = append(p.IPv6Ranges, c)
		} else {
			p.IPv4Ranges = append(p.IPv4Ranges, c)
		}
	}
	g.Ingress = append(g.Ingress, p)
}

func sgARNOf(id string) string { return "arn:aws:ec2:us-east-1:" + acct + ":security-group/" + id }

func networkFixtures() map[string]fixture {
	return map[string]fixture{
		"net-admin-port-internet-reachable": {
			pass: netWorld,
			fail: func() *model.Snapshot {
				s := netWorld()
				openTo(s, "sg-web", "tcp", 22, 22, "0.0.0.0/0")
				return s
			},
		},
		"net-open-sg-not-reachable": {
			pass: netWorld,
			fail: func() *model.Snapshot {
				s := netWorld()
				openTo(s, "sg-db", "tcp", 5432, 5432, "0.0.0.0/0")
				return s
			},
		},
	}
}

// TestNetworkScenarios: each scenario edits the network world and states
// what both rules answer. The reachability rule judges resources; the open
// rule rule judges security groups. Each cites the AWS behaviour it encodes.
func TestNetworkScenarios(t *testing.T) {
	type want struct {
		arn    string
		status Status
		has    []string
	}
	const reachRule, openRule = "net-admin-port-internet-reachable", "net-open-sg-not-reachable"
	cases := []struct {
		name  string
		doc   string
		edit  func(s *model.Snapshot)
		reach []want
		open  []want
	}{
		{name: "nothing open", doc: "baseline",
			reach: []want{{i1ARN, Pass, nil}, {i2ARN, Pass, nil}},
			open:  []want{{sgARNOf("sg-web"), Pass, nil}, {sgARNOf("sg-db"), Pass, nil}, {sgARNOf("sg-spare"), Pass, nil}}},
		{name: "SSH open on a public instance is reachable",
			doc:   "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html — public IP + route to an attached IGW + SG + NACL both ways",
			edit:  func(s *model.Snapshot) { openTo(s, "sg-web", "tcp", 22, 22, "0.0.0.0/0") },
			reach: []want{{i1ARN, Fail, []string{"tcp/22 (SSH)", "igw-1", "54.0.0.10"}}, {i2ARN, Pass, nil}},
			open:  []want{{sgARNOf("sg-web"), Fail, []string{"IS reachable", "net-admin-port-internet-reachable"}}}},
		{name: "database port open on a private instance is latent",
			doc:   "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html — a private address is not routable from the internet",
			edit:  func(s *model.Snapshot) { openTo(s, "sg-db", "tcp", 5432, 5432, "0.0.0.0/0") },
			reach: []want{{i2ARN, Pass, nil}},
			open:  []want{{sgARNOf("sg-db"), Fail, []string{"latent exposure", "tcp/5432 (PostgreSQL)", "stopped by public-ip", "no public IPv4"}}}},
		{name: "public address but no route to an internet gateway",
			doc: "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html — responses must leave through an internet gateway; a NAT gateway only carries connections initiated from inside",
			edit: func(s *model.Snapshot) {
				openTo(s, "sg-db", "tcp", 5432, 5432, "0.0.0.0/0")
				r := ec2At(s, "us-east-1")
				r.NetworkInterfaces.V[1].PublicIPs = []string{"54.0.0.20"}
			},
			reach: []want{{i2ARN, Pass, nil}},
			open:  []want{{sgARNOf("sg-db"), Fail, []string{"latent exposure", "stopped by route", "nat-1"}}}},
		{name: "NACL denies the port before the allow",
			doc: "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html — rules are evaluated in number order, first match wins",
			edit: func(s *model.Snapshot) {
				openTo(s, "sg-web", "tcp", 3389, 3389, "0.0.0.0/0")
				a := &ec2At(s, "us-east-1").NetworkACLs.V[0]
				a.Entries = append(a.Entries, ec2.NACLEntry{RuleNumber: 50, Protocol: "6", Action: "deny", CIDR: "0.0.0.0/0", HasPorts: true, PortFrom: 3389, PortTo: 3389})
			},
			reach: []want{{i1ARN, Pass, nil}},
			open:  []want{{sgARNOf("sg-web"), Fail, []string{"latent exposure", "stopped by nacl-inbound", "rule 50"}}}},
		{name: "NACL blocks the ephemeral return ports",
			doc: "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html — NACLs are stateless: responses to ports 1024-65535 need an outbound rule",
			edit: func(s *model.Snapshot) {
				openTo(s, "sg-web", "tcp", 22, 22, "0.0.0.0/0")
				a := &ec2At(s, "us-east-1").NetworkACLs.V[0]
				a.Entries = append(a.Entries, ec2.NACLEntry{RuleNumber: 10, Egress: true, Protocol: "6", Action: "deny", CIDR: "0.0.0.0/0", HasPorts: true, PortFrom: 1024, PortTo: 65535})
			},
			reach: []want{{i1ARN, Pass, nil}},
			open:  []want{{sgARNOf("sg-web"), Fail, []string{"stopped by nacl-outbound"}}}},
		{name: "group attached to nothing",
			doc:  "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html — a security group applies only to the interfaces it is associated with",
			edit: func(s *model.Snapshot) { openTo(s, "sg-spare", "-1", -1, -1, "0.0.0.0/0") },
			open: []want{{sgARNOf("sg-spare"), Fail, []string{"latent exposure", "stopped by not-attached", "not attached to any network interface"}}}},
		{name: "IPv6 ::/0 rule on an instance whose subnet has only an egress-only gateway",
			doc: "https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html — an egress-only internet gateway prevents the internet from initiating IPv6 connections",
			edit: func(s *model.Snapshot) {
				openTo(s, "sg-db", "tcp", 22, 22, "::/0")
				r := ec2At(s, "us-east-1")
				r.VPCs.V[0].IPv6CIDRs = []string{"2600:1f18:aaaa:1100::/56"}
				r.Subnets.V[1].IPv6CIDRs = []string{"2600:1f18:aaaa:1102::/64"}
				r.NetworkInterfaces.V[1].IPv6Addresses = []string{"2600:1f18:aaaa:1102::20"}
				r.EgressOnlyGateways = core.Known([]ec2.InternetGateway{{ID: "eigw-1", AttachedVPC: []string{"vpc-1"}}})
				rt := &r.RouteTables.V[1]
				rt.Routes = append(rt.Routes, ec2.Route{DestinationIPv6CIDR: "::/0", EgressOnlyGatewayID: "eigw-1", State: "active"})
				a := &r.NetworkACLs.V[0]
				a.Entries = append(a.Entries, ec2.NACLEntry{RuleNumber: 101, Protocol: "-1", Action: "allow", IPv6CIDR: "::/0"},
					ec2.NACLEntry{RuleNumber: 101, Egress: true, Protocol: "-1", Action: "allow", IPv6CIDR: "::/0"})
			},
			reach: []want{{i2ARN, Pass, nil}},
			open:  []want{{sgARNOf("sg-db"), Fail, []string{"latent exposure"}}}},
		{name: "private instance reachable through an internet-facing NLB that preserves client IPs",
			doc: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation — the target sees the client's address, so its 0.0.0.0/0 rule is what admits the internet",
			edit: func(s *model.Snapshot) {
				openTo(s, "sg-db", "tcp", 22, 22, "0.0.0.0/0")
				tg := "arn:aws:elasticloadbalancing:us-east-1:" + acct + ":targetgroup/ssh/1"
				er := elbv2Region(s, "us-east-1")
				er.LoadBalancers.V = append(er.LoadBalancers.V, elbv2.LoadBalancer{
					Meta: core.Meta{ARN: "arn:aws:elasticloadbalancing:us-east-1:" + acct + ":loadbalancer/net/bastion/1", Account: acct, Region: "us-east-1"},
					Name: "bastion", Scheme: elbv2.SchemeInternetFacing, Type: elbv2.TypeNetwork, VPCID: "vpc-1", SubnetIDs: []string{"subnet-1"},
					AvailabilityZones: []string{"us-east-1a"},
					Listeners: core.Known([]elbv2.Listener{{Port: 22, Protocol: "TCP", TargetGroupARNs: []string{tg}, ForwardsRecorded: true,
						Rules: core.Known([]elbv2.ListenerRule{})}}),
					TargetGroups: core.Known([]elbv2.TargetGroup{{ARN: tg, Name: "ssh", Protocol: "TCP", Port: 22, TargetType: elbv2.TargetInstance, VPCID: "vpc-1",
						PreserveClientIP: core.Known(true), Targets: core.Known([]elbv2.Target{{ID: "i-2"}})}}),
					Attributes: core.Known(map[string]string{}),
				})
			},
			reach: []want{{i2ARN, Fail, []string{"tcp/22 (SSH)", "bastion"}},
				{"arn:aws:elasticloadbalancing:us-east-1:" + acct + ":loadbalancer/net/bastion/1", Fail, []string{"tcp/22"}}},
			open: []want{{sgARNOf("sg-db"), Fail, []string{"IS reachable", "reachable through load balancer net/bastion/1"}}}},
		{name: "NACLs not collected: unknown, never pass",
			doc: "Unknown is not pass: the NACL could allow or deny",
			edit: func(s *model.Snapshot) {
				openTo(s, "sg-web", "tcp", 22, 22, "0.0.0.0/0")
				ec2At(s, "us-east-1").NetworkACLs = core.Unknown[[]ec2.NetworkACL]("access denied (ec2:DescribeNetworkAcls)")
			},
			reach: []want{{i1ARN, Unknown, []string{"access denied (ec2:DescribeNetworkAcls)"}}},
			open:  []want{{sgARNOf("sg-web"), Unknown, []string{"access denied"}}}},
		{name: "interfaces not collected: the group's users are unknown",
			doc: "Unknown is not pass: without interfaces (and instances) nothing says what uses a group",
			edit: func(s *model.Snapshot) {
				openTo(s, "sg-spare", "tcp", 22, 22, "0.0.0.0/0")
				r := ec2At(s, "us-east-1")
				r.NetworkInterfaces = core.Unknown[[]ec2.NetworkInterface]("throttled (ec2:DescribeNetworkInterfaces)")
				r.Instances = core.Unknown[[]ec2.Instance]("throttled (ec2:DescribeInstances)")
			},
			reach: []want{{"arn:aws:ec2:us-east-1:" + acct + ":network-interface/*", Unknown, []string{"throttled"}}},
			open:  []want{{sgARNOf("sg-spare"), Unknown, []string{"throttled"}}}},
		{name: "a range and all-traffic rule cover several admin ports",
			doc:   "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html — protocol -1 allows every port",
			edit:  func(s *model.Snapshot) { openTo(s, "sg-web", "-1", -1, -1, "0.0.0.0/0") },
			reach: []want{{i1ARN, Fail, []string{"tcp/22 (SSH)", "tcp/3389 (RDP)", "tcp/27017 (MongoDB)", "udp/11211 (Memcached)"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := netWorld()
			if c.edit != nil {
				c.edit(s)
			}
			check := func(rule string, ws []want) {
				for _, w := range ws {
					st, msg := statusOf(t, rule, s, w.arn)
					if st != w.status {
						t.Errorf("%s %s: got %s %q, want %s (%s)", rule, w.arn, st, msg, w.status, c.doc)
						continue
					}
					for _, h := range w.has {
						if !strings.Contains(msg, h) {
							t.Errorf("%s %s: message %q lacks %q", rule, w.arn, msg, h)
						}
					}
				}
			}
			check(reachRule, c.reach)
			check(openRule, c.open)
		})
	}
}

func TestNetworkUncollectedRegion(t *testing.T) {
	s := netWorld()
	s.EC2 = s.EC2[:1] // us-east-1 not collected
	for _, id := range []string{"net-admin-port-internet-reachable", "net-open-sg-not-reachable"} {
		var found bool
		for _, r := range run(t, id, s) {
			if r.Region == "us-east-1" {
				found = true
				if r.Status != Unknown || !strings.Contains(r.Message, "not collected") {
					t.Errorf("%s: %s %q", id, r.Status, r.Message)
				}
			}
		}
		if !found {
			t.Errorf("%s: no result for the uncollected region", id)
		}
	}
}

// The pattern rules keep failing on the same group: the reachability rules
// add to them, they replace nothing (CIS 5.x keeps its mapping).
func TestPatternRulesUnchanged(t *testing.T) {
	s := netWorld()
	openTo(s, "sg-db", "tcp", 22, 22, "0.0.0.0/0")
	if st, _ := statusOf(t, "ec2-sg-admin-ports-ipv4", s, sgARNOf("sg-db")); st != Fail {
		t.Errorf("CIS 5.3 rule: %s", st)
	}
	r, _ := Default().Get("ec2-sg-admin-ports-ipv4")
	if got := r.Frameworks[CIS50]; len(got) != 1 || got[0] != "5.3" {
		t.Errorf("CIS mapping = %v", got)
	}
}
