package ec2

import (
	"reflect"
	"slices"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/demarc-sec/demarc/internal/model/core"
	ec2m "github.com/demarc-sec/demarc/internal/model/ec2"
)

var testScope = scope{arnPrefix: "arn:aws", region: "eu-west-1", account: "111122223333"}

// TestConvertZeroValues feeds every conversion SDK structs whose pointers
// are all nil, at the top and one level down: nothing may panic, and the
// fail-safe defaults hold.
func TestConvertZeroValues(t *testing.T) {
	s := testScope
	_ = convVPC(s, types.Vpc{CidrBlockAssociationSet: []types.VpcCidrBlockAssociation{{}}, Ipv6CidrBlockAssociationSet: []types.VpcIpv6CidrBlockAssociation{{}}})
	_ = convSubnet(s, types.Subnet{Ipv6CidrBlockAssociationSet: []types.SubnetIpv6CidrBlockAssociation{{}}})
	_ = convRouteTable(s, types.RouteTable{Associations: []types.RouteTableAssociation{{}}, Routes: []types.Route{{}}})
	_ = convIGW(s, types.InternetGateway{Attachments: []types.InternetGatewayAttachment{{}}})
	_ = convEIGW(s, types.EgressOnlyInternetGateway{Attachments: []types.InternetGatewayAttachment{{}}})
	_ = convNAT(s, types.NatGateway{NatGatewayAddresses: []types.NatGatewayAddress{{}}})
	sg := convSecurityGroup(s, types.SecurityGroup{IpPermissions: []types.IpPermission{{
		IpRanges: []types.IpRange{{}}, Ipv6Ranges: []types.Ipv6Range{{}}, PrefixListIds: []types.PrefixListId{{}},
		UserIdGroupPairs: []types.UserIdGroupPair{{}}}}})
	if p := sg.Ingress[0]; p.Protocol != "-1" || p.FromPort != -1 || p.ToPort != -1 {
		t.Errorf("nil permission = %+v, want all traffic", p)
	}
	if sg.OwnerID != s.account || sg.ARN != "arn:aws:ec2:eu-west-1:111122223333:security-group/" {
		t.Errorf("sg meta = %+v owner %q", sg.Meta, sg.OwnerID)
	}
	nacl := convNACL(s, types.NetworkAcl{Entries: []types.NetworkAclEntry{{PortRange: &types.PortRange{}, IcmpTypeCode: &types.IcmpTypeCode{}}},
		Associations: []types.NetworkAclAssociation{{}}})
	if e := nacl.Entries[0]; e.Protocol != "-1" || e.HasPorts || e.ICMPType != -1 || e.ICMPCode != -1 {
		t.Errorf("nil NACL entry = %+v", e)
	}
	_ = convENI(s, types.NetworkInterface{Association: &types.NetworkInterfaceAssociation{}, Attachment: &types.NetworkInterfaceAttachment{},
		PrivateIpAddresses: []types.NetworkInterfacePrivateIpAddress{{Association: &types.NetworkInterfaceAssociation{}}},
		Ipv6Addresses:      []types.NetworkInterfaceIpv6Address{{}}, Groups: []types.GroupIdentifier{{}}})
	in := convInstance(s, nil, types.Instance{State: &types.InstanceState{}, IamInstanceProfile: &types.IamInstanceProfile{},
		MetadataOptions: &types.InstanceMetadataOptionsResponse{}, SecurityGroups: []types.GroupIdentifier{{}},
		NetworkInterfaces: []types.InstanceNetworkInterface{{}}})
	if in.Metadata.HTTPTokens != "" || !in.LaunchTime.IsZero() {
		t.Errorf("nil instance = %+v", in)
	}
	_ = convInstance(s, nil, types.Instance{})
	_ = convVolume(s, types.Volume{Attachments: []types.VolumeAttachment{{}}})
	_ = convSnapshot(s, types.Snapshot{})
	_ = convVolumePermissions([]types.CreateVolumePermission{{}})
	_ = convFlowLog(s, types.FlowLog{})
	_ = convPeering(s, types.VpcPeeringConnection{Status: &types.VpcPeeringConnectionStateReason{},
		RequesterVpcInfo: &types.VpcPeeringConnectionVpcInfo{CidrBlockSet: []types.CidrBlock{{}}, Ipv6CidrBlockSet: []types.Ipv6CidrBlock{{}}}})
	_ = convPeering(s, types.VpcPeeringConnection{})
	_ = convReservations(s, []types.Reservation{{}, {Instances: []types.Instance{{}}}})
	if tagMap([]types.Tag{{}, {Value: sdk.String("v")}}) != nil {
		t.Error("tags without keys should give nil")
	}
}

func TestConvPermission(t *testing.T) {
	tests := []struct {
		name string
		in   types.IpPermission
		want ec2m.Permission
	}{
		{"all traffic", types.IpPermission{IpProtocol: sdk.String("-1"),
			IpRanges: []types.IpRange{{CidrIp: sdk.String("0.0.0.0/0")}}},
			ec2m.Permission{Protocol: "-1", FromPort: -1, ToPort: -1, IPv4Ranges: []string{"0.0.0.0/0"}}},
		{"tcp range", types.IpPermission{IpProtocol: sdk.String("tcp"), FromPort: sdk.Int32(20), ToPort: sdk.Int32(23),
			Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: sdk.String("::/0")}}},
			ec2m.Permission{Protocol: "tcp", FromPort: 20, ToPort: 23, IPv6Ranges: []string{"::/0"}}},
		{"protocol number normalised", types.IpPermission{IpProtocol: sdk.String("6"), FromPort: sdk.Int32(22), ToPort: sdk.Int32(22)},
			ec2m.Permission{Protocol: "tcp", FromPort: 22, ToPort: 22}},
		{"udp without ports widens", types.IpPermission{IpProtocol: sdk.String("17")},
			ec2m.Permission{Protocol: "udp", FromPort: 0, ToPort: 65535}},
		{"tcp with -1 ports widens", types.IpPermission{IpProtocol: sdk.String("tcp"), FromPort: sdk.Int32(-1), ToPort: sdk.Int32(-1)},
			ec2m.Permission{Protocol: "tcp", FromPort: 0, ToPort: 65535}},
		{"icmp echo", types.IpPermission{IpProtocol: sdk.String("icmp"), FromPort: sdk.Int32(8), ToPort: sdk.Int32(-1)},
			ec2m.Permission{Protocol: "icmp", FromPort: 8, ToPort: -1}},
		{"icmpv6 number", types.IpPermission{IpProtocol: sdk.String("58")},
			ec2m.Permission{Protocol: "icmpv6", FromPort: -1, ToPort: -1}},
		{"esp keeps number", types.IpPermission{IpProtocol: sdk.String("50")},
			ec2m.Permission{Protocol: "50", FromPort: -1, ToPort: -1}},
		{"group and prefix list", types.IpPermission{IpProtocol: sdk.String("tcp"), FromPort: sdk.Int32(443), ToPort: sdk.Int32(443),
			PrefixListIds: []types.PrefixListId{{PrefixListId: sdk.String("pl-1")}},
			UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: sdk.String("sg-2"), UserId: sdk.String("444455556666"),
				VpcId: sdk.String("vpc-9"), VpcPeeringConnectionId: sdk.String("pcx-1")}}},
			ec2m.Permission{Protocol: "tcp", FromPort: 443, ToPort: 443, PrefixListIDs: []string{"pl-1"},
				GroupRefs: []ec2m.GroupRef{{GroupID: "sg-2", UserID: "444455556666", VPCID: "vpc-9", PeeringConnectionID: "pcx-1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := convPermission(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestConvNACLEntry(t *testing.T) {
	tests := []struct {
		name string
		in   types.NetworkAclEntry
		want ec2m.NACLEntry
	}{
		{"all traffic", types.NetworkAclEntry{RuleNumber: sdk.Int32(100), Protocol: sdk.String("-1"), RuleAction: types.RuleActionAllow,
			CidrBlock: sdk.String("0.0.0.0/0")},
			ec2m.NACLEntry{RuleNumber: 100, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"}},
		{"ssh", types.NetworkAclEntry{RuleNumber: sdk.Int32(10), Protocol: sdk.String("6"), RuleAction: types.RuleActionDeny,
			Ipv6CidrBlock: sdk.String("::/0"), Egress: sdk.Bool(true), PortRange: &types.PortRange{From: sdk.Int32(22), To: sdk.Int32(22)}},
			ec2m.NACLEntry{RuleNumber: 10, Egress: true, Protocol: "6", Action: "deny", IPv6CIDR: "::/0", HasPorts: true, PortFrom: 22, PortTo: 22}},
		{"tcp without range is all ports", types.NetworkAclEntry{Protocol: sdk.String("tcp"), RuleAction: types.RuleActionAllow},
			ec2m.NACLEntry{Protocol: "6", Action: "allow"}},
		{"half range widens", types.NetworkAclEntry{Protocol: sdk.String("17"), PortRange: &types.PortRange{To: sdk.Int32(1024)}},
			ec2m.NACLEntry{Protocol: "17", HasPorts: true, PortFrom: 0, PortTo: 1024}},
		{"icmp echo", types.NetworkAclEntry{Protocol: sdk.String("1"), IcmpTypeCode: &types.IcmpTypeCode{Type: sdk.Int32(8), Code: sdk.Int32(0)}},
			ec2m.NACLEntry{Protocol: "1", ICMPType: 8, ICMPCode: 0}},
		{"icmp without type/code is all", types.NetworkAclEntry{Protocol: sdk.String("1")},
			ec2m.NACLEntry{Protocol: "1", ICMPType: -1, ICMPCode: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := convNACLEntry(tt.in); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestConvNACLOrderAndAssociations(t *testing.T) {
	got := convNACL(testScope, types.NetworkAcl{NetworkAclId: sdk.String("acl-1"), IsDefault: sdk.Bool(true), VpcId: sdk.String("vpc-1"),
		Entries: []types.NetworkAclEntry{
			{RuleNumber: sdk.Int32(32767), Egress: sdk.Bool(true)},
			{RuleNumber: sdk.Int32(200)},
			{RuleNumber: sdk.Int32(100), Egress: sdk.Bool(true)},
			{RuleNumber: sdk.Int32(100)},
		},
		Associations: []types.NetworkAclAssociation{{SubnetId: sdk.String("subnet-b")}, {SubnetId: sdk.String("subnet-a")}, {SubnetId: sdk.String("subnet-a")}},
	})
	var order []int32
	for _, e := range got.Entries {
		order = append(order, e.RuleNumber)
	}
	if !slices.Equal(order, []int32{100, 200, 100, 32767}) || got.Entries[0].Egress || !got.Entries[2].Egress {
		t.Errorf("entries order = %v", got.Entries)
	}
	if !slices.Equal(got.SubnetIDs, []string{"subnet-a", "subnet-b"}) || !got.IsDefault ||
		got.ARN != "arn:aws:ec2:eu-west-1:111122223333:network-acl/acl-1" {
		t.Errorf("nacl = %+v", got)
	}
}

func TestConvENIPublicIPs(t *testing.T) {
	got := convENI(testScope, types.NetworkInterface{
		NetworkInterfaceId: sdk.String("eni-1"), OwnerId: sdk.String("444455556666"),
		PrivateIpAddress: sdk.String("10.0.0.5"),
		Association:      &types.NetworkInterfaceAssociation{PublicIp: sdk.String("198.51.100.1")},
		PrivateIpAddresses: []types.NetworkInterfacePrivateIpAddress{
			{PrivateIpAddress: sdk.String("10.0.0.5"), Primary: sdk.Bool(true), Association: &types.NetworkInterfaceAssociation{PublicIp: sdk.String("198.51.100.1")}},
			{PrivateIpAddress: sdk.String("10.0.0.6"), Association: &types.NetworkInterfaceAssociation{PublicIp: sdk.String("203.0.113.7")}},
			{PrivateIpAddress: sdk.String("10.0.0.7")},
		},
		Ipv6Address:   sdk.String("2001:db8::1"),
		Ipv6Addresses: []types.NetworkInterfaceIpv6Address{{Ipv6Address: sdk.String("2001:db8::1")}, {Ipv6Address: sdk.String("2001:db8::2")}},
		Groups:        []types.GroupIdentifier{{GroupId: sdk.String("sg-2")}, {GroupId: sdk.String("sg-1")}},
		Attachment:    &types.NetworkInterfaceAttachment{InstanceId: sdk.String("i-1")},
		TagSet:        []types.Tag{{Key: sdk.String("k"), Value: sdk.String("v")}},
	})
	want := ec2m.NetworkInterface{
		ID: "eni-1", PrivateIPs: []string{"10.0.0.5", "10.0.0.6", "10.0.0.7"},
		PublicIPs:     []string{"198.51.100.1", "203.0.113.7"},
		IPv6Addresses: []string{"2001:db8::1", "2001:db8::2"}, SecurityGroupIDs: []string{"sg-1", "sg-2"}, InstanceID: "i-1",
	}
	want.Meta = got.Meta
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got.ARN != "arn:aws:ec2:eu-west-1:444455556666:network-interface/eni-1" || got.Account != "444455556666" || got.Tags["k"] != "v" {
		t.Errorf("meta = %+v", got.Meta)
	}
}

func TestConvRouteTable(t *testing.T) {
	got := convRouteTable(testScope, types.RouteTable{RouteTableId: sdk.String("rtb-1"), VpcId: sdk.String("vpc-1"),
		Associations: []types.RouteTableAssociation{
			{Main: sdk.Bool(true)},
			{SubnetId: sdk.String("subnet-1"), AssociationState: &types.RouteTableAssociationState{State: types.RouteTableAssociationStateCodeAssociated}},
			{SubnetId: sdk.String("subnet-gone"), AssociationState: &types.RouteTableAssociationState{State: types.RouteTableAssociationStateCodeDisassociated}},
			{GatewayId: sdk.String("igw-1")},
		},
		Routes: []types.Route{
			{DestinationCidrBlock: sdk.String("10.0.0.0/16"), GatewayId: sdk.String("local"), State: types.RouteStateActive},
			{DestinationCidrBlock: sdk.String("0.0.0.0/0"), NatGatewayId: sdk.String("nat-1"), State: types.RouteStateBlackhole},
			{DestinationIpv6CidrBlock: sdk.String("::/0"), EgressOnlyInternetGatewayId: sdk.String("eigw-1"), State: types.RouteStateActive},
			{DestinationPrefixListId: sdk.String("pl-1"), VpcPeeringConnectionId: sdk.String("pcx-1"), TransitGatewayId: sdk.String("tgw-1"),
				InstanceId: sdk.String("i-1"), NetworkInterfaceId: sdk.String("eni-1")},
		}})
	wantAssoc := []ec2m.RouteAssociation{{Main: true}, {SubnetID: "subnet-1"}, {GatewayID: "igw-1"}}
	if !reflect.DeepEqual(got.Associations, wantAssoc) {
		t.Errorf("associations = %+v", got.Associations)
	}
	wantRoutes := []ec2m.Route{
		{DestinationCIDR: "10.0.0.0/16", GatewayID: "local", State: "active"},
		{DestinationCIDR: "0.0.0.0/0", NATGatewayID: "nat-1", State: "blackhole"},
		{DestinationIPv6CIDR: "::/0", EgressOnlyGatewayID: "eigw-1", State: "active"},
		{DestinationPrefixListID: "pl-1", PeeringConnectionID: "pcx-1", TransitGatewayID: "tgw-1", InstanceID: "i-1", NetworkInterfaceID: "eni-1"},
	}
	if !reflect.DeepEqual(got.Routes, wantRoutes) {
		t.Errorf("routes = %+v", got.Routes)
	}
	if got.ARN != "arn:aws:ec2:eu-west-1:111122223333:route-table/rtb-1" {
		t.Errorf("arn = %s", got.ARN)
	}
}

func TestAttachedVPCs(t *testing.T) {
	got := attachedVPCs([]types.InternetGatewayAttachment{
		{State: "available", VpcId: sdk.String("vpc-b")},
		{State: types.AttachmentStatusAttached, VpcId: sdk.String("vpc-a")},
		{State: types.AttachmentStatusAttaching, VpcId: sdk.String("vpc-c")},
		{State: types.AttachmentStatusDetaching, VpcId: sdk.String("vpc-d")},
		{State: types.AttachmentStatusDetached, VpcId: sdk.String("vpc-e")},
		{State: "available"},
	})
	if !slices.Equal(got, []string{"vpc-a", "vpc-b"}) {
		t.Errorf("attached = %v", got)
	}
}

func TestConvVPCAndSubnet(t *testing.T) {
	v := convVPC(testScope, types.Vpc{VpcId: sdk.String("vpc-1"), CidrBlock: sdk.String("10.0.0.0/16"), IsDefault: sdk.Bool(true),
		State: types.VpcStateAvailable,
		CidrBlockAssociationSet: []types.VpcCidrBlockAssociation{
			{CidrBlock: sdk.String("10.0.0.0/16"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated}},
			{CidrBlock: sdk.String("10.1.0.0/16"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociating}},
			{CidrBlock: sdk.String("10.2.0.0/16"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeDisassociated}},
		},
		Ipv6CidrBlockAssociationSet: []types.VpcIpv6CidrBlockAssociation{{Ipv6CidrBlock: sdk.String("2001:db8::/56")}},
	})
	if !slices.Equal(v.CIDRs, []string{"10.0.0.0/16", "10.1.0.0/16"}) || !slices.Equal(v.IPv6CIDRs, []string{"2001:db8::/56"}) ||
		!v.IsDefault || v.State != "available" || v.ARN != "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1" {
		t.Errorf("vpc = %+v", v)
	}
	sub := convSubnet(testScope, types.Subnet{SubnetId: sdk.String("subnet-1"), OwnerId: sdk.String("444455556666"),
		Ipv6CidrBlockAssociationSet: []types.SubnetIpv6CidrBlockAssociation{{Ipv6CidrBlock: sdk.String("2001:db8::/64"),
			Ipv6CidrBlockState: &types.SubnetCidrBlockState{State: types.SubnetCidrBlockStateCodeAssociated}}}})
	if sub.ARN != "arn:aws:ec2:eu-west-1:444455556666:subnet/subnet-1" || !slices.Equal(sub.IPv6CIDRs, []string{"2001:db8::/64"}) {
		t.Errorf("subnet = %+v", sub)
	}
}

func TestConvInstance(t *testing.T) {
	lt := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	got := convInstance(testScope, sdk.String("444455556666"), types.Instance{
		InstanceId: sdk.String("i-1"), State: &types.InstanceState{Name: types.InstanceStateNameRunning},
		InstanceType: types.InstanceTypeT3Micro, ImageId: sdk.String("ami-1"), Platform: types.PlatformValuesWindows,
		VpcId: sdk.String("vpc-1"), SubnetId: sdk.String("subnet-1"), PrivateIpAddress: sdk.String("10.0.0.1"),
		PublicIpAddress: sdk.String("198.51.100.2"), LaunchTime: &lt,
		IamInstanceProfile: &types.IamInstanceProfile{Arn: sdk.String("arn:aws:iam::444455556666:instance-profile/web")},
		SecurityGroups:     []types.GroupIdentifier{{GroupId: sdk.String("sg-2")}, {GroupId: sdk.String("sg-1")}},
		NetworkInterfaces:  []types.InstanceNetworkInterface{{NetworkInterfaceId: sdk.String("eni-1")}},
		MetadataOptions: &types.InstanceMetadataOptionsResponse{HttpTokens: types.HttpTokensStateOptional,
			HttpEndpoint: types.InstanceMetadataEndpointStateEnabled, HttpPutResponseHopLimit: sdk.Int32(2),
			InstanceMetadataTags: types.InstanceMetadataTagsStateDisabled},
		VirtualizationType: types.VirtualizationTypeHvm, StateTransitionReason: sdk.String("User initiated (2024-05-01 10:00:00 GMT)"),
	})
	stopped := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	want := ec2m.Instance{ID: "i-1", State: "running", InstanceType: "t3.micro", ImageID: "ami-1", Platform: "windows",
		VPCID: "vpc-1", SubnetID: "subnet-1", PrivateIP: "10.0.0.1", PublicIP: "198.51.100.2",
		IAMInstanceProfile: "arn:aws:iam::444455556666:instance-profile/web", SecurityGroupIDs: []string{"sg-1", "sg-2"},
		NetworkInterfaceIDs: []string{"eni-1"}, LaunchTime: lt.UTC(),
		Metadata:           ec2m.MetadataOptions{HTTPTokens: "optional", HTTPEndpoint: "enabled", HTTPPutHopLimit: 2, InstanceTagsMeta: "disabled"},
		VirtualizationType: "hvm", StateTransitionReason: "User initiated (2024-05-01 10:00:00 GMT)", StateTransitionTime: core.Known(&stopped)}
	want.Meta = got.Meta
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got.ARN != "arn:aws:ec2:eu-west-1:444455556666:instance/i-1" {
		t.Errorf("arn = %s", got.ARN)
	}
}

func TestConvSnapshotAndPermissions(t *testing.T) {
	got := convSnapshot(testScope, types.Snapshot{SnapshotId: sdk.String("snap-1"), OwnerId: sdk.String("111122223333"),
		VolumeId: sdk.String("vol-1"), Encrypted: sdk.Bool(true), KmsKeyId: sdk.String("arn:aws:kms:eu-west-1:111122223333:key/k")})
	if got.ARN != "arn:aws:ec2:eu-west-1::snapshot/snap-1" || got.Account != "111122223333" || got.OwnerID != "111122223333" ||
		!got.Encrypted || got.KMSKeyID == "" {
		t.Errorf("snapshot = %+v", got)
	}
	if got.CreateVolumePermissions.Ok {
		t.Error("permissions must start unknown until DescribeSnapshotAttribute answers")
	}
	perms := convVolumePermissions([]types.CreateVolumePermission{{UserId: sdk.String("999988887777")}, {Group: types.PermissionGroupAll}})
	if !reflect.DeepEqual(perms, []ec2m.VolumePermission{{UserID: "999988887777"}, {Group: "all"}}) {
		t.Errorf("perms = %+v", perms)
	}
}

func TestConvFlowLogAndPeering(t *testing.T) {
	fl := convFlowLog(testScope, types.FlowLog{FlowLogId: sdk.String("fl-1"), ResourceId: sdk.String("vpc-1"),
		TrafficType: types.TrafficTypeAll, FlowLogStatus: sdk.String("ACTIVE"),
		LogDestinationType: types.LogDestinationTypeCloudWatchLogs, LogGroupName: sdk.String("grp")})
	if fl.Destination != "grp" || fl.ARN != "arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/fl-1" || fl.TrafficType != "ALL" {
		t.Errorf("flow log = %+v", fl)
	}
	pc := convPeering(testScope, types.VpcPeeringConnection{VpcPeeringConnectionId: sdk.String("pcx-1"),
		Status: &types.VpcPeeringConnectionStateReason{Code: types.VpcPeeringConnectionStateReasonCodeActive},
		RequesterVpcInfo: &types.VpcPeeringConnectionVpcInfo{VpcId: sdk.String("vpc-1"), OwnerId: sdk.String("111122223333"),
			Region: sdk.String("eu-west-1"), CidrBlock: sdk.String("10.0.0.0/16"),
			CidrBlockSet: []types.CidrBlock{{CidrBlock: sdk.String("10.0.0.0/16")}, {CidrBlock: sdk.String("10.5.0.0/16")}}},
		AccepterVpcInfo: &types.VpcPeeringConnectionVpcInfo{VpcId: sdk.String("vpc-2"), OwnerId: sdk.String("999988887777"),
			Ipv6CidrBlockSet: []types.Ipv6CidrBlock{{Ipv6CidrBlock: sdk.String("2001:db8::/56")}}},
	})
	if pc.Status != "active" || !slices.Equal(pc.Requester.CIDRs, []string{"10.0.0.0/16", "10.5.0.0/16"}) ||
		pc.Accepter.OwnerID != "999988887777" || !slices.Equal(pc.Accepter.IPv6CIDRs, []string{"2001:db8::/56"}) ||
		pc.ARN != "arn:aws:ec2:eu-west-1:111122223333:vpc-peering-connection/pcx-1" {
		t.Errorf("peering = %+v", pc)
	}
}

func TestOwnSnapshots(t *testing.T) {
	in := []types.Snapshot{{SnapshotId: sdk.String("a"), OwnerId: sdk.String("111122223333")},
		{SnapshotId: sdk.String("b"), OwnerId: sdk.String("137112412989")}, {SnapshotId: sdk.String("c")}}
	got := ownSnapshots(in, "111122223333")
	if len(got) != 2 || *got[0].SnapshotId != "a" || *got[1].SnapshotId != "c" {
		t.Errorf("own = %+v", got)
	}
	if in[1].SnapshotId == nil || *in[1].SnapshotId != "b" {
		t.Error("input was modified")
	}
}
