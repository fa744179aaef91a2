package ec2

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model/core"
	ec2m "github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// fixture is what buildRegion created, to assert against.
type fixture struct {
	vpc, subnet, igw, eigw, rtb, sg, nacl, instance, volume, snapshot, nat, eni, eip, flowLog, peering string
	profileARN                                                                                         string
	stopped, freeEIP, endpoint, vpn, tgw, template                                                     string
}

// must keeps fixture code short; a failed setup call panics, which fails
// the test (cleanups, including stopping moto, still run).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func tagSpec(rt types.ResourceType, name string) []types.TagSpecification {
	return []types.TagSpecification{{ResourceType: rt, Tags: []types.Tag{{Key: sdk.String("Name"), Value: sdk.String(name)}}}}
}

// buildRegion creates a small but complete VPC in one region.
func buildRegion(t *testing.T, ctx context.Context, cfg sdk.Config, profileARN string) fixture {
	t.Helper()
	c := awsec2.NewFromConfig(cfg)
	var f fixture
	f.profileARN = profileARN
	f.vpc = *must(c.CreateVpc(ctx, &awsec2.CreateVpcInput{CidrBlock: sdk.String("10.0.0.0/16"),
		TagSpecifications: tagSpec(types.ResourceTypeVpc, "demarc-vpc")})).Vpc.VpcId
	f.subnet = *must(c.CreateSubnet(ctx, &awsec2.CreateSubnetInput{VpcId: &f.vpc, CidrBlock: sdk.String("10.0.1.0/24")})).Subnet.SubnetId
	must(c.ModifySubnetAttribute(ctx, &awsec2.ModifySubnetAttributeInput{SubnetId: &f.subnet,
		MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: sdk.Bool(true)}}))
	f.igw = *must(c.CreateInternetGateway(ctx, &awsec2.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayId
	must(c.AttachInternetGateway(ctx, &awsec2.AttachInternetGatewayInput{InternetGatewayId: &f.igw, VpcId: &f.vpc}))
	f.eigw = *must(c.CreateEgressOnlyInternetGateway(ctx, &awsec2.CreateEgressOnlyInternetGatewayInput{VpcId: &f.vpc})).EgressOnlyInternetGateway.EgressOnlyInternetGatewayId
	f.rtb = *must(c.CreateRouteTable(ctx, &awsec2.CreateRouteTableInput{VpcId: &f.vpc})).RouteTable.RouteTableId
	must(c.CreateRoute(ctx, &awsec2.CreateRouteInput{RouteTableId: &f.rtb, DestinationCidrBlock: sdk.String("0.0.0.0/0"), GatewayId: &f.igw}))
	must(c.AssociateRouteTable(ctx, &awsec2.AssociateRouteTableInput{RouteTableId: &f.rtb, SubnetId: &f.subnet}))

	f.sg = *must(c.CreateSecurityGroup(ctx, &awsec2.CreateSecurityGroupInput{GroupName: sdk.String("demarc-admin"),
		Description: sdk.String("admin ports"), VpcId: &f.vpc,
		TagSpecifications: tagSpec(types.ResourceTypeSecurityGroup, "admin")})).GroupId
	must(c.AuthorizeSecurityGroupIngress(ctx, &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: &f.sg,
		IpPermissions: []types.IpPermission{
			{IpProtocol: sdk.String("tcp"), FromPort: sdk.Int32(22), ToPort: sdk.Int32(22),
				IpRanges: []types.IpRange{{CidrIp: sdk.String("0.0.0.0/0")}}},
			{IpProtocol: sdk.String("tcp"), FromPort: sdk.Int32(3389), ToPort: sdk.Int32(3389),
				Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: sdk.String("::/0")}}},
			{IpProtocol: sdk.String("-1"), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: &f.sg}}},
		}}))

	f.nacl = *must(c.CreateNetworkAcl(ctx, &awsec2.CreateNetworkAclInput{VpcId: &f.vpc})).NetworkAcl.NetworkAclId
	must(c.CreateNetworkAclEntry(ctx, &awsec2.CreateNetworkAclEntryInput{NetworkAclId: &f.nacl, RuleNumber: sdk.Int32(100),
		Protocol: sdk.String("6"), RuleAction: types.RuleActionAllow, Egress: sdk.Bool(false),
		CidrBlock: sdk.String("0.0.0.0/0"), PortRange: &types.PortRange{From: sdk.Int32(22), To: sdk.Int32(22)}}))
	must(c.CreateNetworkAclEntry(ctx, &awsec2.CreateNetworkAclEntryInput{NetworkAclId: &f.nacl, RuleNumber: sdk.Int32(90),
		Protocol: sdk.String("-1"), RuleAction: types.RuleActionDeny, Egress: sdk.Bool(false),
		CidrBlock: sdk.String("192.0.2.0/24")}))
	must(c.CreateNetworkAclEntry(ctx, &awsec2.CreateNetworkAclEntryInput{NetworkAclId: &f.nacl, RuleNumber: sdk.Int32(100),
		Protocol: sdk.String("-1"), RuleAction: types.RuleActionAllow, Egress: sdk.Bool(true),
		CidrBlock: sdk.String("0.0.0.0/0")}))
	// Move the subnet from the default ACL to ours.
	acls := must(c.DescribeNetworkAcls(ctx, &awsec2.DescribeNetworkAclsInput{Filters: []types.Filter{
		{Name: sdk.String("association.subnet-id"), Values: []string{f.subnet}}}}))
	for _, a := range acls.NetworkAcls {
		for _, as := range a.Associations {
			if sdk.ToString(as.SubnetId) == f.subnet {
				must(c.ReplaceNetworkAclAssociation(ctx, &awsec2.ReplaceNetworkAclAssociationInput{
					AssociationId: as.NetworkAclAssociationId, NetworkAclId: &f.nacl}))
			}
		}
	}

	run := must(c.RunInstances(ctx, &awsec2.RunInstancesInput{ImageId: sdk.String("ami-12c6146b"), MinCount: sdk.Int32(1), MaxCount: sdk.Int32(1),
		InstanceType: types.InstanceTypeT3Micro, SubnetId: &f.subnet, SecurityGroupIds: []string{f.sg},
		IamInstanceProfile: &types.IamInstanceProfileSpecification{Arn: &profileARN},
		MetadataOptions:    &types.InstanceMetadataOptionsRequest{HttpTokens: types.HttpTokensStateRequired, HttpPutResponseHopLimit: sdk.Int32(1)},
		TagSpecifications:  tagSpec(types.ResourceTypeInstance, "web")}))
	f.instance = *run.Instances[0].InstanceId

	f.volume = *must(c.CreateVolume(ctx, &awsec2.CreateVolumeInput{AvailabilityZone: sdk.String(cfg.Region + "a"), Size: sdk.Int32(8),
		Encrypted: sdk.Bool(true)})).VolumeId
	f.snapshot = *must(c.CreateSnapshot(ctx, &awsec2.CreateSnapshotInput{VolumeId: &f.volume})).SnapshotId
	// moto ignores the CreateVolumePermission.Add form; the flat form works.
	must(c.ModifySnapshotAttribute(ctx, &awsec2.ModifySnapshotAttributeInput{SnapshotId: &f.snapshot,
		Attribute: types.SnapshotAttributeNameCreateVolumePermission, OperationType: types.OperationTypeAdd,
		GroupNames: []string{"all"}}))

	alloc := must(c.AllocateAddress(ctx, &awsec2.AllocateAddressInput{Domain: types.DomainTypeVpc}))
	f.nat = *must(c.CreateNatGateway(ctx, &awsec2.CreateNatGatewayInput{SubnetId: &f.subnet, AllocationId: alloc.AllocationId})).NatGateway.NatGatewayId

	eni := must(c.CreateNetworkInterface(ctx, &awsec2.CreateNetworkInterfaceInput{SubnetId: &f.subnet,
		Groups: []string{f.sg}, SecondaryPrivateIpAddressCount: sdk.Int32(1)})).NetworkInterface
	f.eni = *eni.NetworkInterfaceId
	var secondary string
	for _, p := range eni.PrivateIpAddresses {
		if !sdk.ToBool(p.Primary) {
			secondary = sdk.ToString(p.PrivateIpAddress)
		}
	}
	eip := must(c.AllocateAddress(ctx, &awsec2.AllocateAddressInput{Domain: types.DomainTypeVpc}))
	f.eip = *eip.PublicIp
	must(c.AssociateAddress(ctx, &awsec2.AssociateAddressInput{AllocationId: eip.AllocationId,
		NetworkInterfaceId: &f.eni, PrivateIpAddress: sdk.String(secondary)}))

	fl := must(c.CreateFlowLogs(ctx, &awsec2.CreateFlowLogsInput{ResourceIds: []string{f.vpc}, ResourceType: types.FlowLogsResourceTypeVpc,
		TrafficType: types.TrafficTypeReject, LogDestinationType: types.LogDestinationTypeCloudWatchLogs,
		LogGroupName: sdk.String("vpc-flow"), DeliverLogsPermissionArn: sdk.String("arn:aws:iam::123456789012:role/flow")}))
	if len(fl.FlowLogIds) != 1 {
		t.Fatalf("flow log not created: %+v", fl.Unsuccessful)
	}
	f.flowLog = fl.FlowLogIds[0]

	f.buildConnectivity(t, ctx, c, cfg.Region)

	def := must(c.DescribeVpcs(ctx, &awsec2.DescribeVpcsInput{Filters: []types.Filter{{Name: sdk.String("isDefault"), Values: []string{"true"}}}}))
	if len(def.Vpcs) == 1 {
		f.peering = *must(c.CreateVpcPeeringConnection(ctx, &awsec2.CreateVpcPeeringConnectionInput{
			VpcId: &f.vpc, PeerVpcId: def.Vpcs[0].VpcId})).VpcPeeringConnection.VpcPeeringConnectionId
	}
	return f
}

func find[T any](t *testing.T, v core.Val[[]T], what string, match func(T) bool) T {
	t.Helper()
	list, ok := v.Get()
	if !ok {
		t.Fatalf("%s unknown: %s", what, v.Why())
	}
	for _, x := range list {
		if match(x) {
			return x
		}
	}
	t.Fatalf("%s: not found in %d items", what, len(list))
	var zero T
	return zero
}

// TestCollectorMoto runs the collector against moto. The cases share one
// server (moto takes seconds to answer its first DescribeSnapshots) and use
// an account each.
func TestCollectorMoto(t *testing.T) {
	srv := kittest.Start(t).Server // also keeps the developer's AWS setup out
	t.Run("two regions", func(t *testing.T) { testMotoTwoRegions(t, srv) })
	t.Run("access denied", func(t *testing.T) { testMotoAccessDenied(t, srv) })
}

func testMotoTwoRegions(t *testing.T, srv *moto.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	account := moto.NewAccount(t)
	regions := []string{"eu-west-1", "us-east-1"}

	iamc := awsiam.NewFromConfig(srv.Config("us-east-1", account))
	prof := must(iamc.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: sdk.String("web")}))
	profileARN := *prof.InstanceProfile.Arn

	use1 := srv.Config("us-east-1", account)
	f := buildRegion(t, ctx, use1, profileARN)
	must(awsec2.NewFromConfig(use1).EnableEbsEncryptionByDefault(ctx, &awsec2.EnableEbsEncryptionByDefaultInput{}))
	euw1 := awsec2.NewFromConfig(srv.Config("eu-west-1", account))
	euSG := *must(euw1.CreateSecurityGroup(ctx, &awsec2.CreateSecurityGroupInput{GroupName: sdk.String("eu-only"),
		Description: sdk.String("eu")})).GroupId

	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: srv.URL, Regions: regions, HTTPClient: srv.HTTPClient(account)})
	if err != nil {
		t.Fatal(err)
	}
	if env.AccountID != account {
		t.Fatalf("env account %q, want %q (x-moto-account-id not honoured?)", env.AccountID, account)
	}
	snap, err := aws.Run(ctx, env, regions, []aws.Collector{New()}, aws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range snap.Errors {
		// moto 5.2 does not implement Client VPN: that list must be
		// unknown, everything else read.
		if e.Operation != "DescribeClientVpnEndpoints" {
			t.Errorf("unexpected collect error: %+v", e)
		}
	}
	r := snap.EC2Region("us-east-1")
	arn := func(res string) string { return "arn:aws:ec2:us-east-1:" + account + ":" + res }

	vpc := find(t, r.VPCs, "vpc", func(v ec2m.VPC) bool { return v.ID == f.vpc })
	if vpc.ARN != arn("vpc/"+f.vpc) || vpc.Account != account || vpc.Region != "us-east-1" ||
		vpc.Tags["Name"] != "demarc-vpc" || !slices.Equal(vpc.CIDRs, []string{"10.0.0.0/16"}) || vpc.IsDefault {
		t.Errorf("vpc = %+v", vpc)
	}
	find(t, r.VPCs, "default vpc", func(v ec2m.VPC) bool { return v.IsDefault })
	sub := find(t, r.Subnets, "subnet", func(v ec2m.Subnet) bool { return v.ID == f.subnet })
	if sub.ARN != arn("subnet/"+f.subnet) || sub.VPCID != f.vpc || sub.CIDR != "10.0.1.0/24" || !sub.MapPublicIPOnLaunch {
		t.Errorf("subnet = %+v", sub)
	}
	igw := find(t, r.InternetGateways, "igw", func(v ec2m.InternetGateway) bool { return v.ID == f.igw })
	if igw.ARN != arn("internet-gateway/"+f.igw) || !slices.Equal(igw.AttachedVPC, []string{f.vpc}) {
		t.Errorf("igw = %+v", igw)
	}
	eigw := find(t, r.EgressOnlyGateways, "eigw", func(v ec2m.InternetGateway) bool { return v.ID == f.eigw })
	if eigw.ARN != arn("egress-only-internet-gateway/"+f.eigw) || !slices.Equal(eigw.AttachedVPC, []string{f.vpc}) {
		t.Errorf("eigw = %+v", eigw)
	}
	rtb := find(t, r.RouteTables, "route table", func(v ec2m.RouteTable) bool { return v.ID == f.rtb })
	if rtb.ARN != arn("route-table/"+f.rtb) || !slices.ContainsFunc(rtb.Associations, func(a ec2m.RouteAssociation) bool { return a.SubnetID == f.subnet && !a.Main }) ||
		!slices.ContainsFunc(rtb.Routes, func(rt ec2m.Route) bool {
			return rt.DestinationCIDR == "0.0.0.0/0" && rt.GatewayID == f.igw && rt.State == "active"
		}) {
		t.Errorf("route table = %+v", rtb)
	}
	find(t, r.RouteTables, "main route table", func(v ec2m.RouteTable) bool {
		return v.VPCID == f.vpc && slices.ContainsFunc(v.Associations, func(a ec2m.RouteAssociation) bool { return a.Main })
	})

	sg := find(t, r.SecurityGroups, "sg", func(v ec2m.SecurityGroup) bool { return v.ID == f.sg })
	if sg.ARN != arn("security-group/"+f.sg) || sg.Name != "demarc-admin" || sg.VPCID != f.vpc || sg.OwnerID != account || sg.Tags["Name"] != "admin" {
		t.Errorf("sg = %+v", sg.Meta)
	}
	wantIngress := []ec2m.Permission{
		{Protocol: "tcp", FromPort: 22, ToPort: 22, IPv4Ranges: []string{"0.0.0.0/0"}},
		{Protocol: "tcp", FromPort: 3389, ToPort: 3389, IPv6Ranges: []string{"::/0"}},
		{Protocol: "-1", FromPort: -1, ToPort: -1, GroupRefs: []ec2m.GroupRef{{GroupID: f.sg, UserID: account}}},
	}
	for _, w := range wantIngress {
		if !slices.ContainsFunc(sg.Ingress, func(p ec2m.Permission) bool { return samePermission(p, w) }) {
			t.Errorf("ingress %+v missing from %+v", w, sg.Ingress)
		}
	}
	if !slices.ContainsFunc(sg.Egress, func(p ec2m.Permission) bool {
		return p.Protocol == "-1" && slices.Contains(p.IPv4Ranges, "0.0.0.0/0")
	}) {
		t.Errorf("default egress missing: %+v", sg.Egress)
	}

	nacl := find(t, r.NetworkACLs, "nacl", func(v ec2m.NetworkACL) bool { return v.ID == f.nacl })
	if nacl.ARN != arn("network-acl/"+f.nacl) || nacl.IsDefault || !slices.Equal(nacl.SubnetIDs, []string{f.subnet}) {
		t.Errorf("nacl = %+v", nacl)
	}
	wantEntries := []ec2m.NACLEntry{
		{RuleNumber: 90, Protocol: "-1", Action: "deny", CIDR: "192.0.2.0/24"},
		{RuleNumber: 100, Protocol: "6", Action: "allow", CIDR: "0.0.0.0/0", HasPorts: true, PortFrom: 22, PortTo: 22},
		{RuleNumber: 100, Egress: true, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"},
	}
	var got []ec2m.NACLEntry
	for _, e := range nacl.Entries {
		if e.RuleNumber != 32767 { // moto may or may not list the implicit deny
			got = append(got, e)
		}
	}
	if !slices.Equal(got, wantEntries) {
		t.Errorf("nacl entries\n got %+v\nwant %+v", got, wantEntries)
	}

	inst := find(t, r.Instances, "instance", func(v ec2m.Instance) bool { return v.ID == f.instance })
	if inst.ARN != arn("instance/"+f.instance) || inst.Metadata.HTTPTokens != "required" || inst.Metadata.HTTPPutHopLimit != 1 ||
		inst.IAMInstanceProfile != profileARN || !slices.Equal(inst.SecurityGroupIDs, []string{f.sg}) ||
		inst.SubnetID != f.subnet || inst.VPCID != f.vpc || inst.State != "running" || len(inst.NetworkInterfaceIDs) != 1 ||
		inst.Tags["Name"] != "web" || inst.LaunchTime.IsZero() {
		t.Errorf("instance = %+v", inst)
	}
	if inst.PublicIP == "" { // MapPublicIpOnLaunch on the subnet
		t.Logf("note: moto gave the instance no public IP")
	}

	vol := find(t, r.Volumes, "volume", func(v ec2m.Volume) bool { return v.ID == f.volume })
	if vol.ARN != arn("volume/"+f.volume) || !vol.Encrypted || vol.SizeGiB != 8 {
		t.Errorf("volume = %+v", vol)
	}
	sn := find(t, r.Snapshots, "snapshot", func(v ec2m.Snapshot) bool { return v.ID == f.snapshot })
	if sn.ARN != "arn:aws:ec2:us-east-1::snapshot/"+f.snapshot || sn.Account != account || sn.OwnerID != account || sn.VolumeID != f.volume || !sn.Encrypted {
		t.Errorf("snapshot = %+v", sn)
	}
	perms, ok := sn.CreateVolumePermissions.Get()
	if !ok || !slices.Contains(perms, ec2m.VolumePermission{Group: "all"}) {
		t.Errorf("snapshot permissions = %+v", sn.CreateVolumePermissions)
	}
	// Only the account's own snapshots: moto ships public AMI snapshots too.
	for _, s := range r.Snapshots.V {
		if s.OwnerID != account {
			t.Fatalf("foreign snapshot collected: %+v (of %d)", s.Meta, len(r.Snapshots.V))
		}
	}

	nat := find(t, r.NATGateways, "nat", func(v ec2m.NATGateway) bool { return v.ID == f.nat })
	if nat.ARN != arn("natgateway/"+f.nat) || nat.SubnetID != f.subnet || nat.VPCID != f.vpc || len(nat.PublicIPs) != 1 {
		t.Errorf("nat = %+v", nat)
	}
	eni := find(t, r.NetworkInterfaces, "eni", func(v ec2m.NetworkInterface) bool { return v.ID == f.eni })
	if eni.ARN != arn("network-interface/"+f.eni) || !slices.Contains(eni.PublicIPs, f.eip) || len(eni.PrivateIPs) != 2 ||
		!slices.Equal(eni.SecurityGroupIDs, []string{f.sg}) {
		t.Errorf("eni = %+v (want public %s on a secondary IP)", eni, f.eip)
	}
	fl := find(t, r.FlowLogs, "flow log", func(v ec2m.FlowLog) bool { return v.ID == f.flowLog })
	if fl.ARN != arn("vpc-flow-log/"+f.flowLog) || fl.ResourceID != f.vpc || fl.TrafficType != "REJECT" || fl.Status != "ACTIVE" ||
		fl.DestinationType != "cloud-watch-logs" || fl.Destination == "" {
		t.Errorf("flow log = %+v", fl)
	}
	if f.peering != "" {
		pc := find(t, r.PeeringConnections, "peering", func(v ec2m.PeeringConnection) bool { return v.ID == f.peering })
		if pc.Requester.VPCID != f.vpc || pc.Accepter.VPCID == "" || pc.Status == "" {
			t.Errorf("peering = %+v", pc)
		}
	}
	checkConnectivity(t, f, r, account)
	if v, ok := r.EBSEncryptionByDefault.Get(); !ok || !v {
		t.Errorf("us-east-1 EBS default encryption = %+v, want known true", r.EBSEncryptionByDefault)
	}

	// eu-west-1 is separate: its own SG, none of us-east-1's resources, and
	// EBS default encryption off.
	eu := snap.EC2Region("eu-west-1")
	euGroup := find(t, eu.SecurityGroups, "eu sg", func(v ec2m.SecurityGroup) bool { return v.ID == euSG })
	if !strings.HasPrefix(euGroup.ARN, "arn:aws:ec2:eu-west-1:"+account+":security-group/") || euGroup.Region != "eu-west-1" {
		t.Errorf("eu sg = %+v", euGroup.Meta)
	}
	if slices.ContainsFunc(eu.SecurityGroups.V, func(v ec2m.SecurityGroup) bool { return v.ID == f.sg }) ||
		slices.ContainsFunc(r.SecurityGroups.V, func(v ec2m.SecurityGroup) bool { return v.ID == euSG }) {
		t.Error("security groups leaked across regions")
	}
	if slices.ContainsFunc(eu.VPCs.V, func(v ec2m.VPC) bool { return v.ID == f.vpc }) {
		t.Error("VPC leaked into eu-west-1")
	}
	if v, ok := eu.EBSEncryptionByDefault.Get(); !ok || v {
		t.Errorf("eu-west-1 EBS default encryption = %+v, want known false", eu.EBSEncryptionByDefault)
	}
	if !eu.Instances.Ok || len(eu.Instances.V) != 0 {
		t.Errorf("eu-west-1 instances = %+v", eu.Instances)
	}
}

// buildConnectivity adds what the FSBP connectivity rules read: a stopped
// instance, a free Elastic IP, an EC2 interface endpoint, a Site-to-Site VPN,
// an auto-accepting transit gateway and a launch template whose default
// version assigns public IPs (a newer, non-default version does not).
func (f *fixture) buildConnectivity(t *testing.T, ctx context.Context, c *awsec2.Client, region string) {
	t.Helper()
	run := must(c.RunInstances(ctx, &awsec2.RunInstancesInput{ImageId: sdk.String("ami-12c6146b"), MinCount: sdk.Int32(1), MaxCount: sdk.Int32(1),
		InstanceType: types.InstanceTypeT3Micro, SubnetId: &f.subnet}))
	f.stopped = *run.Instances[0].InstanceId
	must(c.StopInstances(ctx, &awsec2.StopInstancesInput{InstanceIds: []string{f.stopped}}))
	f.freeEIP = *must(c.AllocateAddress(ctx, &awsec2.AllocateAddressInput{Domain: types.DomainTypeVpc})).AllocationId
	f.endpoint = *must(c.CreateVpcEndpoint(ctx, &awsec2.CreateVpcEndpointInput{VpcId: &f.vpc, VpcEndpointType: types.VpcEndpointTypeInterface,
		ServiceName: sdk.String("com.amazonaws." + region + ".ec2"), SubnetIds: []string{f.subnet}})).VpcEndpoint.VpcEndpointId
	cgw := must(c.CreateCustomerGateway(ctx, &awsec2.CreateCustomerGatewayInput{BgpAsn: sdk.Int32(65000), PublicIp: sdk.String("203.0.113.10"),
		Type: types.GatewayTypeIpsec1})).CustomerGateway.CustomerGatewayId
	vgw := must(c.CreateVpnGateway(ctx, &awsec2.CreateVpnGatewayInput{Type: types.GatewayTypeIpsec1})).VpnGateway.VpnGatewayId
	f.vpn = *must(c.CreateVpnConnection(ctx, &awsec2.CreateVpnConnectionInput{CustomerGatewayId: cgw, VpnGatewayId: vgw,
		Type: sdk.String("ipsec.1")})).VpnConnection.VpnConnectionId
	f.tgw = *must(c.CreateTransitGateway(ctx, &awsec2.CreateTransitGatewayInput{Options: &types.TransitGatewayRequestOptions{
		AutoAcceptSharedAttachments: types.AutoAcceptSharedAttachmentsValueEnable}})).TransitGateway.TransitGatewayId
	f.template = *must(c.CreateLaunchTemplate(ctx, &awsec2.CreateLaunchTemplateInput{LaunchTemplateName: sdk.String("web"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{NetworkInterfaces: []types.LaunchTemplateInstanceNetworkInterfaceSpecificationRequest{
			{DeviceIndex: sdk.Int32(0), AssociatePublicIpAddress: sdk.Bool(true), SubnetId: &f.subnet}}}})).LaunchTemplate.LaunchTemplateId
	must(c.CreateLaunchTemplateVersion(ctx, &awsec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: &f.template,
		LaunchTemplateData: &types.RequestLaunchTemplateData{NetworkInterfaces: []types.LaunchTemplateInstanceNetworkInterfaceSpecificationRequest{
			{DeviceIndex: sdk.Int32(0), AssociatePublicIpAddress: sdk.Bool(false), SubnetId: &f.subnet}}}}))
}

// checkConnectivity asserts what buildConnectivity created.
func checkConnectivity(t *testing.T, f fixture, r *ec2m.Region, account string) {
	t.Helper()
	arn := func(res string) string { return "arn:aws:ec2:us-east-1:" + account + ":" + res }
	web := find(t, r.Instances, "running instance", func(v ec2m.Instance) bool { return v.ID == f.instance })
	if web.VirtualizationType == "" || !web.StateTransitionTime.Ok {
		t.Errorf("running instance: virtualization %q, transition %+v", web.VirtualizationType, web.StateTransitionTime)
	}
	st := find(t, r.Instances, "stopped instance", func(v ec2m.Instance) bool { return v.ID == f.stopped })
	if at, ok := st.StateTransitionTime.Get(); st.State != "stopped" || !ok || at == nil || time.Since(*at) > time.Hour || time.Since(*at) < -time.Hour {
		t.Errorf("stopped instance: state %s, reason %q, time %+v", st.State, st.StateTransitionReason, st.StateTransitionTime)
	}
	free := find(t, r.Addresses, "free EIP", func(v ec2m.Address) bool { return v.AllocationID == f.freeEIP })
	if free.AssociationID != "" || free.ARN != arn("elastic-ip/"+f.freeEIP) || free.PublicIP == "" {
		t.Errorf("free EIP = %+v", free)
	}
	used := find(t, r.Addresses, "associated EIP", func(v ec2m.Address) bool { return v.PublicIP == f.eip })
	if used.AssociationID == "" || used.NetworkInterfaceID != f.eni {
		t.Errorf("associated EIP = %+v", used)
	}
	ep := find(t, r.VPCEndpoints, "endpoint", func(v ec2m.VPCEndpoint) bool { return v.ID == f.endpoint })
	if ep.VPCID != f.vpc || ep.ServiceName != "com.amazonaws.us-east-1.ec2" || ep.ARN != arn("vpc-endpoint/"+f.endpoint) || ep.State == "" {
		t.Errorf("endpoint = %+v", ep)
	}
	vpn := find(t, r.VPNConnections, "vpn", func(v ec2m.VPNConnection) bool { return v.ID == f.vpn })
	if vpn.ARN != arn("vpn-connection/"+f.vpn) || vpn.State == "" {
		t.Errorf("vpn = %+v", vpn)
	}
	tgw := find(t, r.TransitGateways, "tgw", func(v ec2m.TransitGateway) bool { return v.ID == f.tgw })
	if tgw.AutoAcceptSharedAttachments != "enable" || tgw.OwnerID != account || !strings.HasSuffix(tgw.ARN, ":transit-gateway/"+f.tgw) {
		t.Errorf("tgw = %+v", tgw)
	}
	lt := find(t, r.LaunchTemplates, "launch template", func(v ec2m.LaunchTemplate) bool { return v.ID == f.template })
	def, ok := lt.Default.Get()
	if !ok || lt.Name != "web" || lt.DefaultVersion != 1 || lt.LatestVersion != 2 || def.Number != 1 || len(def.NetworkInterfaces) != 1 ||
		def.NetworkInterfaces[0].AssociatePublicIP == nil || !*def.NetworkInterfaces[0].AssociatePublicIP || lt.ARN != arn("launch-template/"+f.template) {
		t.Errorf("launch template = %+v (default %+v)", lt, lt.Default)
	}
	// moto 5.2 has no Client VPN: unknown with a reason, never an empty list.
	if !r.ClientVPNEndpoints.Ok && (r.ClientVPNEndpoints.Why() == "" || r.ClientVPNEndpoints.Why() == core.ReasonNotCollected) {
		t.Errorf("client VPN = %+v", r.ClientVPNEndpoints)
	}
}

func samePermission(a, b ec2m.Permission) bool {
	return a.Protocol == b.Protocol && a.FromPort == b.FromPort && a.ToPort == b.ToPort &&
		slices.Equal(a.IPv4Ranges, b.IPv4Ranges) && slices.Equal(a.IPv6Ranges, b.IPv6Ranges) &&
		slices.Equal(a.PrefixListIDs, b.PrefixListIDs) && slices.Equal(a.GroupRefs, b.GroupRefs)
}

// ec2Denied answers one EC2 Query action with UnauthorizedOperation, the
// way EC2 denies (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
func ec2Denied(actions ...string) func(*http.Request, []byte) *http.Response {
	return func(r *http.Request, body []byte) *http.Response {
		for _, a := range actions {
			if strings.Contains(string(body), "Action="+a+"&") {
				return fakeResponse(http.StatusForbidden, "text/xml",
					`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code>`+
						`<Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>x</RequestID></Response>`, nil)
			}
		}
		return nil
	}
}

// testMotoAccessDenied: a denied list is unknown with the reason;
// everything else is still read.
func testMotoAccessDenied(t *testing.T, srv *moto.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	account := moto.NewAccount(t)
	c := awsec2.NewFromConfig(srv.Config("us-east-1", account))
	vol := must(c.CreateVolume(ctx, &awsec2.CreateVolumeInput{AvailabilityZone: sdk.String("us-east-1a"), Size: sdk.Int32(1)}))
	must(c.CreateSnapshot(ctx, &awsec2.CreateSnapshotInput{VolumeId: vol.VolumeId}))

	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: srv.URL, Regions: []string{"us-east-1"},
		HTTPClient: &faultClient{inner: srv.HTTPClient(account),
			fault: ec2Denied("DescribeSecurityGroups", "DescribeSnapshotAttribute", "GetEbsEncryptionByDefault",
				"DescribeLaunchTemplates", "DescribeClientVpnEndpoints")}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := aws.Run(ctx, env, []string{"us-east-1"}, []aws.Collector{New()}, aws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := snap.EC2Region("us-east-1")
	if r.SecurityGroups.Ok || r.SecurityGroups.Why() != "access denied (ec2:DescribeSecurityGroups)" {
		t.Errorf("security groups = %+v, want unknown access denied", r.SecurityGroups)
	}
	if r.EBSEncryptionByDefault.Ok || !strings.HasPrefix(r.EBSEncryptionByDefault.Why(), core.ReasonAccessDenied) {
		t.Errorf("EBS default = %+v, want unknown", r.EBSEncryptionByDefault)
	}
	if !r.VPCs.Ok || !r.Subnets.Ok || !r.Instances.Ok || !r.NetworkACLs.Ok || !r.Volumes.Ok || !r.FlowLogs.Ok {
		t.Errorf("other lists should be known: %+v", r)
	}
	snaps, ok := r.Snapshots.Get()
	if !ok || len(snaps) != 1 {
		t.Fatalf("snapshots: known %v, %d of them (%s), want 1", ok, len(snaps), r.Snapshots.Why())
	}
	if snaps[0].CreateVolumePermissions.Ok || !strings.HasPrefix(snaps[0].CreateVolumePermissions.Why(), core.ReasonAccessDenied) {
		t.Errorf("snapshot permissions = %+v, want unknown access denied", snaps[0].CreateVolumePermissions)
	}
	var ops []string
	for _, e := range snap.Errors {
		ops = append(ops, e.Operation)
		if e.Reason != core.ReasonAccessDenied || e.Service != "ec2" || e.Region != "us-east-1" {
			t.Errorf("collect error = %+v", e)
		}
	}
	slices.Sort(ops)
	if r.LaunchTemplates.Ok || r.ClientVPNEndpoints.Ok || !r.Addresses.Ok || !r.VPNConnections.Ok || !r.TransitGateways.Ok || !r.VPCEndpoints.Ok {
		t.Errorf("connectivity lists: templates %+v, client VPN %+v, EIPs %v, VPN %v, TGW %v, endpoints %v", r.LaunchTemplates,
			r.ClientVPNEndpoints, r.Addresses.Ok, r.VPNConnections.Ok, r.TransitGateways.Ok, r.VPCEndpoints.Ok)
	}
	if want := []string{"DescribeClientVpnEndpoints", "DescribeLaunchTemplates", "DescribeSecurityGroups", "DescribeSnapshotAttribute",
		"GetEbsEncryptionByDefault"}; !slices.Equal(ops, want) {
		t.Errorf("error ops = %v, want %v", ops, want)
	}
}
