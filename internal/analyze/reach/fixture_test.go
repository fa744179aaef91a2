package reach

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// The base estate of the golden scenarios, in us-east-1 of account
// 111122223333:
//
//	vpc-1 10.0.0.0/16, 2600:1f18:aaaa:1100::/56, igw-1 attached, eigw-1
//	  sn-pub   10.0.1.0/24  rtb-pub  (0.0.0.0/0, ::/0 -> igw-1)   eni-web (i-web, 54.0.0.10), NAT gateway, ALB node
//	  sn-pub2  10.0.3.0/24  rtb-pub                               ALB node
//	  sn-priv  10.0.2.0/24  rtb-priv (0.0.0.0/0 -> nat-1, ::/0 -> eigw-1, 172.31.0.0/16 -> pcx-1)  eni-app (i-app), eni-db (i-db)
//	  rtb-main is the main table (local routes only); acl-1 is the default NACL (allow all)
//	vpc-2 172.31.0.0/16, peered with vpc-1 by pcx-1 (active)
//	  sn-b     172.31.1.0/24 rtb-b (main: 10.0.0.0/16 -> pcx-1)   eni-peer
//	web-alb: internet-facing ALB in sn-pub and sn-pub2, sg-alb, HTTPS 443 -> tg-app (HTTP 8080, instance i-app)
const (
	acct       = "111122223333"
	regionName = "us-east-1"
	albARN     = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web-alb/abc123"
	tgARN      = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/tg-app/def456"
	webARN     = "arn:aws:ec2:us-east-1:111122223333:instance/i-web"
	appARN     = "arn:aws:ec2:us-east-1:111122223333:instance/i-app"
	dbARN      = "arn:aws:ec2:us-east-1:111122223333:instance/i-db"
)

func meta(kind, id string) core.Meta {
	return core.Meta{ARN: "arn:aws:ec2:" + regionName + ":" + acct + ":" + kind + "/" + id, Account: acct, Region: regionName}
}

func perm(proto string, from, to int32, cidrs ...string) ec2.Permission {
	p := ec2.Permission{Protocol: proto, FromPort: from, ToPort: to}
	for _, c := range cidrs {
		switch {
		case strings.HasPrefix(c, "sg-"):
			p.GroupRefs = append(p.GroupRefs, ec2.GroupRef{GroupID: c})
		case strings.HasPrefix(c, "pl-"):
			p.PrefixListIDs = append(p.PrefixListIDs, c)
		case strings.Contains(c, ":"):
			p.IPv6Ranges = append(p.IPv6Ranges, c)
		default:
			p.IPv4Ranges = append(p.IPv4Ranges, c)
		}
	}
	return p
}

// nacl entries: proto "-1", "6", "17", "1", "58"; ports 0,0 means all.
func entry(num int32, egress bool, proto, action, cidr string, from, to int32) ec2.NACLEntry {
	e := ec2.NACLEntry{RuleNumber: num, Egress: egress, Protocol: proto, Action: action}
	if strings.Contains(cidr, ":") {
		e.IPv6CIDR = cidr
	} else {
		e.CIDR = cidr
	}
	if proto == "6" || proto == "17" {
		if from != 0 || to != 0 {
			e.HasPorts, e.PortFrom, e.PortTo = true, from, to
		}
	}
	if proto == "1" || proto == "58" {
		e.ICMPType, e.ICMPCode = from, to
	}
	return e
}

func allowAllEntries() []ec2.NACLEntry {
	return []ec2.NACLEntry{
		entry(100, false, "-1", "allow", "0.0.0.0/0", 0, 0),
		entry(101, false, "-1", "allow", "::/0", 0, 0),
		entry(32767, false, "-1", "deny", "0.0.0.0/0", 0, 0),
		entry(32767, false, "-1", "deny", "::/0", 0, 0),
		entry(100, true, "-1", "allow", "0.0.0.0/0", 0, 0),
		entry(101, true, "-1", "allow", "::/0", 0, 0),
		entry(32767, true, "-1", "deny", "0.0.0.0/0", 0, 0),
		entry(32767, true, "-1", "deny", "::/0", 0, 0),
	}
}

func allEgress() []ec2.Permission {
	return []ec2.Permission{perm("-1", -1, -1, "0.0.0.0/0", "::/0")}
}

// fx is a scenario's snapshot with accessors for the parts scenarios change.
type fx struct{ s *model.Snapshot }

func (b fx) r() *ec2.Region { return &b.s.EC2[0] }

func (b fx) sg(id string) *ec2.SecurityGroup {
	for i := range b.r().SecurityGroups.V {
		if b.r().SecurityGroups.V[i].ID == id {
			return &b.r().SecurityGroups.V[i]
		}
	}
	b.r().SecurityGroups.V = append(b.r().SecurityGroups.V, ec2.SecurityGroup{Meta: meta("security-group", id), ID: id, Name: id, VPCID: "vpc-1", Egress: allEgress()})
	return &b.r().SecurityGroups.V[len(b.r().SecurityGroups.V)-1]
}

func (b fx) eni(id string) *ec2.NetworkInterface {
	for i := range b.r().NetworkInterfaces.V {
		if b.r().NetworkInterfaces.V[i].ID == id {
			return &b.r().NetworkInterfaces.V[i]
		}
	}
	panic("no eni " + id)
}

func (b fx) rt(id string) *ec2.RouteTable {
	for i := range b.r().RouteTables.V {
		if b.r().RouteTables.V[i].ID == id {
			return &b.r().RouteTables.V[i]
		}
	}
	panic("no route table " + id)
}

func (b fx) acl(id string) *ec2.NetworkACL {
	for i := range b.r().NetworkACLs.V {
		if b.r().NetworkACLs.V[i].ID == id {
			return &b.r().NetworkACLs.V[i]
		}
	}
	b.r().NetworkACLs.V = append(b.r().NetworkACLs.V, ec2.NetworkACL{Meta: meta("network-acl", id), ID: id, VPCID: "vpc-1"})
	return &b.r().NetworkACLs.V[len(b.r().NetworkACLs.V)-1]
}

// aclFor gives a subnet its own NACL with the entries.
func (b fx) aclFor(subnet, id string, es ...ec2.NACLEntry) {
	a := b.acl(id)
	a.SubnetIDs = append(a.SubnetIDs, subnet)
	a.Entries = append(a.Entries, es...)
}

func (b fx) lb() *elbv2.LoadBalancer { return &b.s.ELBv2[0].LoadBalancers.V[0] }

func (b fx) peering() *ec2.PeeringConnection { return &b.r().PeeringConnections.V[0] }

// noPublicV4 takes the public IPv4 address away from i-web (interface and
// instance record).
func (b fx) noPublicV4() {
	b.eni("eni-web").PublicIPs = nil
	for i := range b.r().Instances.V {
		if b.r().Instances.V[i].ID == "i-web" {
			b.r().Instances.V[i].PublicIP = ""
		}
	}
}

func (b fx) addENI(e ec2.NetworkInterface) {
	b.r().NetworkInterfaces.V = append(b.r().NetworkInterfaces.V, e)
}

func (b fx) addInstance(id, subnet, private, public string, sgs ...string) {
	b.r().Instances.V = append(b.r().Instances.V, ec2.Instance{Meta: meta("instance", id), ID: id, State: "running", VPCID: "vpc-1", SubnetID: subnet, PrivateIP: private, PublicIP: public, SecurityGroupIDs: sgs})
	e := ec2.NetworkInterface{Meta: meta("network-interface", "eni-"+id), ID: "eni-" + id, VPCID: "vpc-1", SubnetID: subnet, InterfaceType: "interface",
		Status: "in-use", PrivateIPs: []string{private}, SecurityGroupIDs: sgs, InstanceID: id}
	if public != "" {
		e.PublicIPs = []string{public}
	}
	b.addENI(e)
}

func base() fx {
	s := model.New(acct, "aws", []string{regionName})
	rtb := func(id, vpc string, main bool, subnets []string, routes ...ec2.Route) ec2.RouteTable {
		rt := ec2.RouteTable{Meta: meta("route-table", id), ID: id, VPCID: vpc, Routes: routes}
		if main {
			rt.Associations = append(rt.Associations, ec2.RouteAssociation{Main: true})
		}
		for _, sn := range subnets {
			rt.Associations = append(rt.Associations, ec2.RouteAssociation{SubnetID: sn})
		}
		return rt
	}
	local := []ec2.Route{
		{DestinationCIDR: "10.0.0.0/16", GatewayID: "local", State: "active"},
		{DestinationIPv6CIDR: "2600:1f18:aaaa:1100::/56", GatewayID: "local", State: "active"},
	}
	withLocal := func(rs ...ec2.Route) []ec2.Route { return append(append([]ec2.Route(nil), local...), rs...) }
	r := ec2.Region{
		Name: regionName,
		VPCs: core.Known([]ec2.VPC{
			{Meta: meta("vpc", "vpc-1"), ID: "vpc-1", CIDRs: []string{"10.0.0.0/16"}, IPv6CIDRs: []string{"2600:1f18:aaaa:1100::/56"}, State: "available"},
			{Meta: meta("vpc", "vpc-2"), ID: "vpc-2", CIDRs: []string{"172.31.0.0/16"}, State: "available"},
		}),
		Subnets: core.Known([]ec2.Subnet{
			{Meta: meta("subnet", "sn-pub"), ID: "sn-pub", VPCID: "vpc-1", CIDR: "10.0.1.0/24", IPv6CIDRs: []string{"2600:1f18:aaaa:1101::/64"}, AvailabilityZone: "us-east-1a"},
			{Meta: meta("subnet", "sn-pub2"), ID: "sn-pub2", VPCID: "vpc-1", CIDR: "10.0.3.0/24", AvailabilityZone: "us-east-1b"},
			{Meta: meta("subnet", "sn-priv"), ID: "sn-priv", VPCID: "vpc-1", CIDR: "10.0.2.0/24", AvailabilityZone: "us-east-1a"},
			{Meta: meta("subnet", "sn-b"), ID: "sn-b", VPCID: "vpc-2", CIDR: "172.31.1.0/24", AvailabilityZone: "us-east-1a"},
		}),
		RouteTables: core.Known([]ec2.RouteTable{
			rtb("rtb-main", "vpc-1", true, nil, local...),
			rtb("rtb-pub", "vpc-1", false, []string{"sn-pub", "sn-pub2"}, withLocal(
				ec2.Route{DestinationCIDR: "0.0.0.0/0", GatewayID: "igw-1", State: "active"},
				ec2.Route{DestinationIPv6CIDR: "::/0", GatewayID: "igw-1", State: "active"})...),
			rtb("rtb-priv", "vpc-1", false, []string{"sn-priv"}, withLocal(
				ec2.Route{DestinationCIDR: "0.0.0.0/0", NATGatewayID: "nat-1", State: "active"},
				ec2.Route{DestinationIPv6CIDR: "::/0", EgressOnlyGatewayID: "eigw-1", State: "active"},
				ec2.Route{DestinationCIDR: "172.31.0.0/16", PeeringConnectionID: "pcx-1", State: "active"})...),
			rtb("rtb-b", "vpc-2", true, nil,
				ec2.Route{DestinationCIDR: "172.31.0.0/16", GatewayID: "local", State: "active"},
				ec2.Route{DestinationCIDR: "10.0.0.0/16", PeeringConnectionID: "pcx-1", State: "active"}),
		}),
		InternetGateways:   core.Known([]ec2.InternetGateway{{Meta: meta("internet-gateway", "igw-1"), ID: "igw-1", AttachedVPC: []string{"vpc-1"}}}),
		EgressOnlyGateways: core.Known([]ec2.InternetGateway{{ID: "eigw-1", AttachedVPC: []string{"vpc-1"}}}),
		NATGateways:        core.Known([]ec2.NATGateway{{ID: "nat-1", VPCID: "vpc-1", SubnetID: "sn-pub", State: "available", ConnectivityType: "public", PublicIPs: []string{"3.3.3.3"}}}),
		SecurityGroups: core.Known([]ec2.SecurityGroup{
			{Meta: meta("security-group", "sg-web"), ID: "sg-web", Name: "web", VPCID: "vpc-1", Egress: allEgress(), Ingress: []ec2.Permission{
				perm("tcp", 80, 80, "0.0.0.0/0", "::/0"), perm("tcp", 443, 443, "0.0.0.0/0"), perm("tcp", 22, 22, "203.0.113.0/24")}},
			{Meta: meta("security-group", "sg-alb"), ID: "sg-alb", Name: "alb", VPCID: "vpc-1", Egress: allEgress(), Ingress: []ec2.Permission{perm("tcp", 443, 443, "0.0.0.0/0")}},
			{Meta: meta("security-group", "sg-app"), ID: "sg-app", Name: "app", VPCID: "vpc-1", Egress: allEgress(), Ingress: []ec2.Permission{perm("tcp", 8080, 8080, "sg-alb")}},
			{Meta: meta("security-group", "sg-db"), ID: "sg-db", Name: "db", VPCID: "vpc-1", Egress: allEgress(), Ingress: []ec2.Permission{perm("tcp", 5432, 5432, "sg-app")}},
			{Meta: meta("security-group", "sg-peer"), ID: "sg-peer", Name: "peer", VPCID: "vpc-2", Egress: allEgress(), Ingress: []ec2.Permission{perm("tcp", 5432, 5432, "10.0.0.0/16")}},
		}),
		NetworkACLs: core.Known([]ec2.NetworkACL{
			{Meta: meta("network-acl", "acl-1"), ID: "acl-1", VPCID: "vpc-1", IsDefault: true, Entries: allowAllEntries()},
			{Meta: meta("network-acl", "acl-2"), ID: "acl-2", VPCID: "vpc-2", IsDefault: true, Entries: allowAllEntries()},
		}),
		NetworkInterfaces: core.Known([]ec2.NetworkInterface{
			{Meta: meta("network-interface", "eni-web"), ID: "eni-web", VPCID: "vpc-1", SubnetID: "sn-pub", InterfaceType: "interface", Status: "in-use",
				PrivateIPs: []string{"10.0.1.10"}, PublicIPs: []string{"54.0.0.10"}, IPv6Addresses: []string{"2600:1f18:aaaa:1101::10"}, SecurityGroupIDs: []string{"sg-web"}, InstanceID: "i-web"},
			{Meta: meta("network-interface", "eni-app"), ID: "eni-app", VPCID: "vpc-1", SubnetID: "sn-priv", InterfaceType: "interface", Status: "in-use",
				PrivateIPs: []string{"10.0.2.20"}, SecurityGroupIDs: []string{"sg-app"}, InstanceID: "i-app"},
			{Meta: meta("network-interface", "eni-db"), ID: "eni-db", VPCID: "vpc-1", SubnetID: "sn-priv", InterfaceType: "interface", Status: "in-use",
				PrivateIPs: []string{"10.0.2.30"}, SecurityGroupIDs: []string{"sg-db"}, InstanceID: "i-db"},
			{Meta: meta("network-interface", "eni-nat"), ID: "eni-nat", VPCID: "vpc-1", SubnetID: "sn-pub", InterfaceType: "nat_gateway", Status: "in-use",
				PrivateIPs: []string{"10.0.1.5"}, PublicIPs: []string{"3.3.3.3"}, RequesterManaged: true},
			{Meta: meta("network-interface", "eni-alb-a"), ID: "eni-alb-a", VPCID: "vpc-1", SubnetID: "sn-pub", InterfaceType: "interface", Status: "in-use",
				Description: "ELB app/web-alb/abc123", PrivateIPs: []string{"10.0.1.100"}, PublicIPs: []string{"54.0.0.100"}, SecurityGroupIDs: []string{"sg-alb"}, RequesterManaged: true},
			{Meta: meta("network-interface", "eni-alb-b"), ID: "eni-alb-b", VPCID: "vpc-1", SubnetID: "sn-pub2", InterfaceType: "interface", Status: "in-use",
				Description: "ELB app/web-alb/abc123", PrivateIPs: []string{"10.0.3.100"}, PublicIPs: []string{"54.0.0.101"}, SecurityGroupIDs: []string{"sg-alb"}, RequesterManaged: true},
			{Meta: meta("network-interface", "eni-peer"), ID: "eni-peer", VPCID: "vpc-2", SubnetID: "sn-b", InterfaceType: "interface", Status: "in-use",
				PrivateIPs: []string{"172.31.1.50"}, SecurityGroupIDs: []string{"sg-peer"}},
		}),
		Instances: core.Known([]ec2.Instance{
			{Meta: meta("instance", "i-web"), ID: "i-web", State: "running", VPCID: "vpc-1", SubnetID: "sn-pub", PrivateIP: "10.0.1.10", PublicIP: "54.0.0.10", SecurityGroupIDs: []string{"sg-web"}},
			{Meta: meta("instance", "i-app"), ID: "i-app", State: "running", VPCID: "vpc-1", SubnetID: "sn-priv", PrivateIP: "10.0.2.20", SecurityGroupIDs: []string{"sg-app"}},
			{Meta: meta("instance", "i-db"), ID: "i-db", State: "running", VPCID: "vpc-1", SubnetID: "sn-priv", PrivateIP: "10.0.2.30", SecurityGroupIDs: []string{"sg-db"}},
		}),
		PeeringConnections: core.Known([]ec2.PeeringConnection{{ID: "pcx-1", Status: "active",
			Requester: ec2.PeeringSide{VPCID: "vpc-1", OwnerID: acct, Region: regionName, CIDRs: []string{"10.0.0.0/16"}},
			Accepter:  ec2.PeeringSide{VPCID: "vpc-2", OwnerID: acct, Region: regionName, CIDRs: []string{"172.31.0.0/16"}}}}),
	}
	s.EC2 = []ec2.Region{r}
	s.ELBv2 = []elbv2.Region{{Name: regionName, LoadBalancers: core.Known([]elbv2.LoadBalancer{{
		Meta: core.Meta{ARN: albARN, Account: acct, Region: regionName}, Name: "web-alb", Scheme: elbv2.SchemeInternetFacing, Type: elbv2.TypeApplication,
		VPCID: "vpc-1", IPAddressType: "ipv4", SubnetIDs: []string{"sn-pub", "sn-pub2"}, SecurityGroupIDs: []string{"sg-alb"},
		Listeners: core.Known([]elbv2.Listener{{Port: 443, Protocol: "HTTPS", TargetGroupARNs: []string{tgARN}}}),
		TargetGroups: core.Known([]elbv2.TargetGroup{{ARN: tgARN, Name: "tg-app", Protocol: "HTTP", Port: 8080, TargetType: elbv2.TargetInstance, VPCID: "vpc-1",
			Targets: core.Known([]elbv2.Target{{ID: "i-app"}})}}),
	}})}}
	return fx{s}
}

// nlb replaces the ALB with a Network Load Balancer (no security groups),
// TCP 80 -> tg (TCP 8080, instance i-app).
func (b fx) nlb() {
	l := b.lb()
	l.Type, l.SecurityGroupIDs = elbv2.TypeNetwork, nil
	l.ARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/web-nlb/abc123"
	l.Name = "web-nlb"
	l.Listeners = core.Known([]elbv2.Listener{{Port: 80, Protocol: "TCP"}})
	l.TargetGroups.V[0].Protocol = "TCP"
	for i := range b.r().NetworkInterfaces.V {
		e := &b.r().NetworkInterfaces.V[i]
		if e.Description == "ELB app/web-alb/abc123" {
			e.Description, e.InterfaceType, e.SecurityGroupIDs = "ELB net/web-nlb/abc123", "network_load_balancer", nil
		}
	}
}
