package ec2

import (
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/demarc-sec/demarc/internal/model/core"
	ec2m "github.com/demarc-sec/demarc/internal/model/ec2"
)

// scope is what every conversion needs to build a resource's Meta: the ARN
// prefix ("arn:aws"), the region, and the account to fall back on when AWS
// does not report an owner (volumes, egress-only gateways, flow logs).
//
// The conversion functions are pure and nil-safe: every SDK pointer may be
// nil (an emulator or a future API version may leave out any field) and none
// of them may panic a collector.
type scope struct {
	arnPrefix string // "arn:<partition>"
	region    string
	account   string
}

// meta builds the Meta of an EC2 resource. resource is the ARN's resource
// part, e.g. "vpc/vpc-1"; owner overrides the account when AWS reports one
// (shared VPC resources are owned by another account).
func (s scope) meta(owner *string, resource string, tags []types.Tag) core.Meta {
	acct := s.account
	if o := sdk.ToString(owner); o != "" {
		acct = o
	}
	return core.Meta{
		ARN:     s.arnPrefix + ":ec2:" + s.region + ":" + acct + ":" + resource,
		Account: acct,
		Region:  s.region,
		Tags:    tagMap(tags),
	}
}

// tagMap converts EC2 tags; nil when there are none so snapshots stay small.
func tagMap(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key == nil {
			continue
		}
		m[*t.Key] = sdk.ToString(t.Value)
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// appendNonEmpty appends the strings that are set.
func appendNonEmpty(dst []string, ss ...*string) []string {
	for _, s := range ss {
		if v := sdk.ToString(s); v != "" {
			dst = append(dst, v)
		}
	}
	return dst
}

// sortedUnique sorts ss and removes duplicates in place.
func sortedUnique(ss []string) []string {
	if len(ss) == 0 {
		return ss
	}
	sort.Strings(ss)
	out := ss[:1]
	for _, s := range ss[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

// cidrGone reports whether a CIDR association state means the block no
// longer belongs to the VPC/subnet. Every other state (including an unknown
// or missing one) keeps the block: claiming a VPC has fewer addresses than it
// does could hide a path, claiming more cannot.
func cidrGone(state string) bool {
	switch state {
	case "disassociated", "failed":
		return true
	}
	return false
}

func convVPC(s scope, v types.Vpc) ec2m.VPC {
	id := sdk.ToString(v.VpcId)
	out := ec2m.VPC{
		Meta:      s.meta(v.OwnerId, "vpc/"+id, v.Tags),
		ID:        id,
		IsDefault: sdk.ToBool(v.IsDefault),
		State:     string(v.State),
	}
	for _, a := range v.CidrBlockAssociationSet {
		if a.CidrBlockState != nil && cidrGone(string(a.CidrBlockState.State)) {
			continue
		}
		out.CIDRs = appendNonEmpty(out.CIDRs, a.CidrBlock)
	}
	// The primary block is also in the association set; include it in case
	// the set is missing.
	out.CIDRs = sortedUnique(appendNonEmpty(out.CIDRs, v.CidrBlock))
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState != nil && cidrGone(string(a.Ipv6CidrBlockState.State)) {
			continue
		}
		out.IPv6CIDRs = appendNonEmpty(out.IPv6CIDRs, a.Ipv6CidrBlock)
	}
	out.IPv6CIDRs = sortedUnique(out.IPv6CIDRs)
	if out.CIDRs == nil {
		out.CIDRs = []string{}
	}
	return out
}

func convSubnet(s scope, v types.Subnet) ec2m.Subnet {
	id := sdk.ToString(v.SubnetId)
	out := ec2m.Subnet{
		Meta:                s.meta(v.OwnerId, "subnet/"+id, v.Tags),
		ID:                  id,
		VPCID:               sdk.ToString(v.VpcId),
		CIDR:                sdk.ToString(v.CidrBlock),
		AvailabilityZone:    sdk.ToString(v.AvailabilityZone),
		AvailabilityZoneID:  sdk.ToString(v.AvailabilityZoneId),
		MapPublicIPOnLaunch: sdk.ToBool(v.MapPublicIpOnLaunch),
		DefaultForAZ:        sdk.ToBool(v.DefaultForAz),
	}
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState != nil && cidrGone(string(a.Ipv6CidrBlockState.State)) {
			continue
		}
		out.IPv6CIDRs = appendNonEmpty(out.IPv6CIDRs, a.Ipv6CidrBlock)
	}
	out.IPv6CIDRs = sortedUnique(out.IPv6CIDRs)
	return out
}

func convRouteTable(s scope, v types.RouteTable) ec2m.RouteTable {
	id := sdk.ToString(v.RouteTableId)
	out := ec2m.RouteTable{
		Meta:         s.meta(v.OwnerId, "route-table/"+id, v.Tags),
		ID:           id,
		VPCID:        sdk.ToString(v.VpcId),
		Associations: []ec2m.RouteAssociation{},
		Routes:       []ec2m.Route{},
	}
	for _, a := range v.Associations {
		// A disassociated or failed association no longer routes the subnet;
		// every other state (or none reported) is kept.
		if a.AssociationState != nil {
			switch a.AssociationState.State {
			case types.RouteTableAssociationStateCodeDisassociated, types.RouteTableAssociationStateCodeFailed:
				continue
			}
		}
		out.Associations = append(out.Associations, ec2m.RouteAssociation{
			Main:      sdk.ToBool(a.Main),
			SubnetID:  sdk.ToString(a.SubnetId),
			GatewayID: sdk.ToString(a.GatewayId),
		})
	}
	for _, r := range v.Routes {
		out.Routes = append(out.Routes, ec2m.Route{
			DestinationCIDR:         sdk.ToString(r.DestinationCidrBlock),
			DestinationIPv6CIDR:     sdk.ToString(r.DestinationIpv6CidrBlock),
			DestinationPrefixListID: sdk.ToString(r.DestinationPrefixListId),
			GatewayID:               sdk.ToString(r.GatewayId),
			NATGatewayID:            sdk.ToString(r.NatGatewayId),
			EgressOnlyGatewayID:     sdk.ToString(r.EgressOnlyInternetGatewayId),
			InstanceID:              sdk.ToString(r.InstanceId),
			NetworkInterfaceID:      sdk.ToString(r.NetworkInterfaceId),
			PeeringConnectionID:     sdk.ToString(r.VpcPeeringConnectionId),
			TransitGatewayID:        sdk.ToString(r.TransitGatewayId),
			State:                   string(r.State),
		})
	}
	return out
}

// attachedVPCs lists the VPCs an internet gateway is attached to. Internet
// gateways report "available" for a live attachment, egress-only gateways
// "attached"; attaching/detaching/detached ones do not carry traffic.
func attachedVPCs(atts []types.InternetGatewayAttachment) []string {
	out := []string{}
	for _, a := range atts {
		switch a.State {
		case "available", types.AttachmentStatusAttached:
			out = appendNonEmpty(out, a.VpcId)
		}
	}
	return sortedUnique(out)
}

func convIGW(s scope, v types.InternetGateway) ec2m.InternetGateway {
	id := sdk.ToString(v.InternetGatewayId)
	return ec2m.InternetGateway{
		Meta:        s.meta(v.OwnerId, "internet-gateway/"+id, v.Tags),
		ID:          id,
		AttachedVPC: attachedVPCs(v.Attachments),
	}
}

func convEIGW(s scope, v types.EgressOnlyInternetGateway) ec2m.InternetGateway {
	id := sdk.ToString(v.EgressOnlyInternetGatewayId)
	return ec2m.InternetGateway{
		Meta:        s.meta(nil, "egress-only-internet-gateway/"+id, v.Tags),
		ID:          id,
		AttachedVPC: attachedVPCs(v.Attachments),
	}
}

func convNAT(s scope, v types.NatGateway) ec2m.NATGateway {
	id := sdk.ToString(v.NatGatewayId)
	out := ec2m.NATGateway{
		Meta:             s.meta(nil, "natgateway/"+id, v.Tags),
		ID:               id,
		VPCID:            sdk.ToString(v.VpcId),
		SubnetID:         sdk.ToString(v.SubnetId),
		State:            string(v.State),
		ConnectivityType: string(v.ConnectivityType),
	}
	for _, a := range v.NatGatewayAddresses {
		out.PublicIPs = appendNonEmpty(out.PublicIPs, a.PublicIp)
	}
	out.PublicIPs = sortedUnique(out.PublicIPs)
	return out
}

// sgProtocol normalises a security group protocol to the names AWS uses in
// DescribeSecurityGroups ("tcp", "udp", "icmp", "icmpv6", "-1" or a number):
// rules can be created with numbers, and emulators echo them back. A missing
// protocol is read as "-1" (all traffic), the reading that can only make a
// check stricter.
func sgProtocol(p *string) string {
	v := strings.ToLower(strings.TrimSpace(sdk.ToString(p)))
	switch v {
	case "", "all", "-1":
		return "-1"
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	}
	return v
}

// convPermission maps one IpPermission. Missing ports mean "all" and become
// -1 (how AWS writes "all ICMP types/codes"); for tcp/udp, which always have a
// range in AWS, a missing bound widens to 0/65535 so that no reader can take
// a half-reported rule for a narrow one.
func convPermission(p types.IpPermission) ec2m.Permission {
	out := ec2m.Permission{Protocol: sgProtocol(p.IpProtocol), FromPort: -1, ToPort: -1}
	if p.FromPort != nil {
		out.FromPort = *p.FromPort
	}
	if p.ToPort != nil {
		out.ToPort = *p.ToPort
	}
	if out.Protocol == "tcp" || out.Protocol == "udp" {
		if p.FromPort == nil || out.FromPort < 0 {
			out.FromPort = 0
		}
		if p.ToPort == nil || out.ToPort < 0 {
			out.ToPort = 65535
		}
	}
	for _, r := range p.IpRanges {
		out.IPv4Ranges = appendNonEmpty(out.IPv4Ranges, r.CidrIp)
	}
	for _, r := range p.Ipv6Ranges {
		out.IPv6Ranges = appendNonEmpty(out.IPv6Ranges, r.CidrIpv6)
	}
	for _, r := range p.PrefixListIds {
		out.PrefixListIDs = appendNonEmpty(out.PrefixListIDs, r.PrefixListId)
	}
	for _, g := range p.UserIdGroupPairs {
		out.GroupRefs = append(out.GroupRefs, ec2m.GroupRef{
			GroupID:             sdk.ToString(g.GroupId),
			UserID:              sdk.ToString(g.UserId),
			VPCID:               sdk.ToString(g.VpcId),
			PeeringConnectionID: sdk.ToString(g.VpcPeeringConnectionId),
		})
	}
	return out
}

func convPermissions(ps []types.IpPermission) []ec2m.Permission {
	out := make([]ec2m.Permission, 0, len(ps))
	for _, p := range ps {
		out = append(out, convPermission(p))
	}
	return out
}

func convSecurityGroup(s scope, v types.SecurityGroup) ec2m.SecurityGroup {
	id := sdk.ToString(v.GroupId)
	owner := sdk.ToString(v.OwnerId)
	if owner == "" {
		owner = s.account
	}
	return ec2m.SecurityGroup{
		Meta:        s.meta(v.OwnerId, "security-group/"+id, v.Tags),
		ID:          id,
		Name:        sdk.ToString(v.GroupName),
		Description: sdk.ToString(v.Description),
		VPCID:       sdk.ToString(v.VpcId),
		OwnerID:     owner,
		Ingress:     convPermissions(v.IpPermissions),
		Egress:      convPermissions(v.IpPermissionsEgress),
	}
}

// naclProtocol normalises a NACL protocol to the number form AWS returns
// ("-1", "6", "17", "1", "58"). A missing protocol reads as "-1" (all).
func naclProtocol(p *string) string {
	v := strings.ToLower(strings.TrimSpace(sdk.ToString(p)))
	switch v {
	case "", "all", "-1":
		return "-1"
	case "tcp":
		return "6"
	case "udp":
		return "17"
	case "icmp":
		return "1"
	case "icmpv6":
		return "58"
	}
	return v
}

func convNACLEntry(e types.NetworkAclEntry) ec2m.NACLEntry {
	out := ec2m.NACLEntry{
		RuleNumber: sdk.ToInt32(e.RuleNumber),
		Egress:     sdk.ToBool(e.Egress),
		Protocol:   naclProtocol(e.Protocol),
		Action:     strings.ToLower(string(e.RuleAction)),
		CIDR:       sdk.ToString(e.CidrBlock),
		IPv6CIDR:   sdk.ToString(e.Ipv6CidrBlock),
	}
	// A range with neither bound says nothing: leave HasPorts false (all
	// ports). A range with one bound missing widens to the full range on that
	// side, never narrows.
	if pr := e.PortRange; pr != nil && (pr.From != nil || pr.To != nil) {
		out.HasPorts = true
		out.PortFrom, out.PortTo = 0, 65535
		if pr.From != nil {
			out.PortFrom = *pr.From
		}
		if pr.To != nil {
			out.PortTo = *pr.To
		}
	}
	// ICMP type/code -1 means "all"; a missing one for an ICMP rule is read
	// as all, the wider reading.
	if ic := e.IcmpTypeCode; ic != nil || out.Protocol == "1" || out.Protocol == "58" {
		out.ICMPType, out.ICMPCode = -1, -1
	}
	if ic := e.IcmpTypeCode; ic != nil {
		if ic.Type != nil {
			out.ICMPType = *ic.Type
		}
		if ic.Code != nil {
			out.ICMPCode = *ic.Code
		}
	}
	return out
}

func convNACL(s scope, v types.NetworkAcl) ec2m.NetworkACL {
	id := sdk.ToString(v.NetworkAclId)
	out := ec2m.NetworkACL{
		Meta:      s.meta(v.OwnerId, "network-acl/"+id, v.Tags),
		ID:        id,
		VPCID:     sdk.ToString(v.VpcId),
		IsDefault: sdk.ToBool(v.IsDefault),
		Entries:   make([]ec2m.NACLEntry, 0, len(v.Entries)),
		SubnetIDs: []string{},
	}
	for _, e := range v.Entries {
		out.Entries = append(out.Entries, convNACLEntry(e))
	}
	// NACL rules are evaluated in rule-number order per direction; keep them
	// in that order so readers can walk them.
	sort.SliceStable(out.Entries, func(i, j int) bool {
		a, b := out.Entries[i], out.Entries[j]
		if a.Egress != b.Egress {
			return !a.Egress
		}
		return a.RuleNumber < b.RuleNumber
	})
	for _, a := range v.Associations {
		out.SubnetIDs = appendNonEmpty(out.SubnetIDs, a.SubnetId)
	}
	out.SubnetIDs = sortedUnique(out.SubnetIDs)
	return out
}

func convENI(s scope, v types.NetworkInterface) ec2m.NetworkInterface {
	id := sdk.ToString(v.NetworkInterfaceId)
	out := ec2m.NetworkInterface{
		Meta:             s.meta(v.OwnerId, "network-interface/"+id, v.TagSet),
		ID:               id,
		VPCID:            sdk.ToString(v.VpcId),
		SubnetID:         sdk.ToString(v.SubnetId),
		AvailabilityZone: sdk.ToString(v.AvailabilityZone),
		InterfaceType:    string(v.InterfaceType),
		Description:      sdk.ToString(v.Description),
		Status:           string(v.Status),
		RequesterManaged: sdk.ToBool(v.RequesterManaged),
		PrivateIPs:       appendNonEmpty(nil, v.PrivateIpAddress),
		SecurityGroupIDs: []string{},
	}
	if v.Association != nil {
		out.PublicIPs = appendNonEmpty(out.PublicIPs, v.Association.PublicIp)
	}
	// Secondary private IPs can each carry their own public IP or EIP.
	for _, p := range v.PrivateIpAddresses {
		out.PrivateIPs = appendNonEmpty(out.PrivateIPs, p.PrivateIpAddress)
		if p.Association != nil {
			out.PublicIPs = appendNonEmpty(out.PublicIPs, p.Association.PublicIp)
		}
	}
	out.PrivateIPs = sortedUnique(out.PrivateIPs)
	if out.PrivateIPs == nil {
		out.PrivateIPs = []string{}
	}
	out.PublicIPs = sortedUnique(out.PublicIPs)
	out.IPv6Addresses = appendNonEmpty(out.IPv6Addresses, v.Ipv6Address)
	for _, a := range v.Ipv6Addresses {
		out.IPv6Addresses = appendNonEmpty(out.IPv6Addresses, a.Ipv6Address)
	}
	out.IPv6Addresses = sortedUnique(out.IPv6Addresses)
	for _, g := range v.Groups {
		out.SecurityGroupIDs = appendNonEmpty(out.SecurityGroupIDs, g.GroupId)
	}
	out.SecurityGroupIDs = sortedUnique(out.SecurityGroupIDs)
	if v.Attachment != nil {
		out.InstanceID = sdk.ToString(v.Attachment.InstanceId)
	}
	return out
}

// convInstance maps an instance; owner is the reservation's owner.
func convInstance(s scope, owner *string, v types.Instance) ec2m.Instance {
	id := sdk.ToString(v.InstanceId)
	out := ec2m.Instance{
		Meta:         s.meta(owner, "instance/"+id, v.Tags),
		ID:           id,
		InstanceType: string(v.InstanceType),
		ImageID:      sdk.ToString(v.ImageId),
		Platform:     strings.ToLower(string(v.Platform)),
		VPCID:        sdk.ToString(v.VpcId),
		SubnetID:     sdk.ToString(v.SubnetId),
		PrivateIP:    sdk.ToString(v.PrivateIpAddress),
		PublicIP:     sdk.ToString(v.PublicIpAddress),
		LaunchTime:   sdk.ToTime(v.LaunchTime).UTC(),

		VirtualizationType:    string(v.VirtualizationType),
		StateTransitionReason: sdk.ToString(v.StateTransitionReason),
	}
	out.StateTransitionTime = core.Known(parseTransitionTime(out.StateTransitionReason))
	if v.State != nil {
		out.State = string(v.State.Name)
	}
	if v.IamInstanceProfile != nil {
		out.IAMInstanceProfile = sdk.ToString(v.IamInstanceProfile.Arn)
	}
	for _, g := range v.SecurityGroups {
		out.SecurityGroupIDs = appendNonEmpty(out.SecurityGroupIDs, g.GroupId)
	}
	out.SecurityGroupIDs = sortedUnique(out.SecurityGroupIDs)
	for _, n := range v.NetworkInterfaces {
		out.NetworkInterfaceIDs = appendNonEmpty(out.NetworkInterfaceIDs, n.NetworkInterfaceId)
	}
	out.NetworkInterfaceIDs = sortedUnique(out.NetworkInterfaceIDs)
	// Metadata options left unreported stay "" so that a check for
	// http_tokens == "required" can never pass on a missing value.
	if m := v.MetadataOptions; m != nil {
		out.Metadata = ec2m.MetadataOptions{
			HTTPTokens:       string(m.HttpTokens),
			HTTPEndpoint:     string(m.HttpEndpoint),
			HTTPPutHopLimit:  sdk.ToInt32(m.HttpPutResponseHopLimit),
			InstanceTagsMeta: string(m.InstanceMetadataTags),
		}
	}
	return out
}

func convVolume(s scope, v types.Volume) ec2m.Volume {
	id := sdk.ToString(v.VolumeId)
	out := ec2m.Volume{
		Meta:             s.meta(v.OwnerId, "volume/"+id, v.Tags),
		ID:               id,
		State:            string(v.State),
		SizeGiB:          sdk.ToInt32(v.Size),
		Encrypted:        sdk.ToBool(v.Encrypted),
		KMSKeyID:         sdk.ToString(v.KmsKeyId),
		AvailabilityZone: sdk.ToString(v.AvailabilityZone),
	}
	for _, a := range v.Attachments {
		out.AttachedTo = appendNonEmpty(out.AttachedTo, a.InstanceId)
	}
	out.AttachedTo = sortedUnique(out.AttachedTo)
	return out
}

// convSnapshot maps an EBS snapshot. Snapshot ARNs carry no account
// (arn:aws:ec2:us-east-1::snapshot/snap-…, see
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html);
// the owner goes in Meta.Account. Permissions are filled in separately.
func convSnapshot(s scope, v types.Snapshot) ec2m.Snapshot {
	id := sdk.ToString(v.SnapshotId)
	owner := sdk.ToString(v.OwnerId)
	if owner == "" {
		owner = s.account
	}
	return ec2m.Snapshot{
		Meta: core.Meta{
			ARN:     s.arnPrefix + ":ec2:" + s.region + "::snapshot/" + id,
			Account: owner,
			Region:  s.region,
			Tags:    tagMap(v.Tags),
		},
		ID:        id,
		VolumeID:  sdk.ToString(v.VolumeId),
		Encrypted: sdk.ToBool(v.Encrypted),
		KMSKeyID:  sdk.ToString(v.KmsKeyId),
		OwnerID:   owner,
	}
}

func convVolumePermissions(ps []types.CreateVolumePermission) []ec2m.VolumePermission {
	out := make([]ec2m.VolumePermission, 0, len(ps))
	for _, p := range ps {
		out = append(out, ec2m.VolumePermission{Group: string(p.Group), UserID: sdk.ToString(p.UserId)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].UserID < out[j].UserID
	})
	return out
}

func convFlowLog(s scope, v types.FlowLog) ec2m.FlowLog {
	id := sdk.ToString(v.FlowLogId)
	dest := sdk.ToString(v.LogDestination)
	if dest == "" {
		// Older CloudWatch Logs flow logs report only the group name.
		dest = sdk.ToString(v.LogGroupName)
	}
	return ec2m.FlowLog{
		Meta:            s.meta(nil, "vpc-flow-log/"+id, v.Tags),
		ID:              id,
		ResourceID:      sdk.ToString(v.ResourceId),
		TrafficType:     string(v.TrafficType),
		Status:          sdk.ToString(v.FlowLogStatus),
		DestinationType: string(v.LogDestinationType),
		Destination:     dest,
	}
}

func convPeeringSide(v *types.VpcPeeringConnectionVpcInfo) ec2m.PeeringSide {
	if v == nil {
		return ec2m.PeeringSide{}
	}
	out := ec2m.PeeringSide{
		VPCID:   sdk.ToString(v.VpcId),
		OwnerID: sdk.ToString(v.OwnerId),
		Region:  sdk.ToString(v.Region),
	}
	out.CIDRs = appendNonEmpty(out.CIDRs, v.CidrBlock)
	for _, c := range v.CidrBlockSet {
		out.CIDRs = appendNonEmpty(out.CIDRs, c.CidrBlock)
	}
	out.CIDRs = sortedUnique(out.CIDRs)
	for _, c := range v.Ipv6CidrBlockSet {
		out.IPv6CIDRs = appendNonEmpty(out.IPv6CIDRs, c.Ipv6CidrBlock)
	}
	out.IPv6CIDRs = sortedUnique(out.IPv6CIDRs)
	return out
}

func convPeering(s scope, v types.VpcPeeringConnection) ec2m.PeeringConnection {
	id := sdk.ToString(v.VpcPeeringConnectionId)
	out := ec2m.PeeringConnection{
		Meta:      s.meta(nil, "vpc-peering-connection/"+id, v.Tags),
		ID:        id,
		Requester: convPeeringSide(v.RequesterVpcInfo),
		Accepter:  convPeeringSide(v.AccepterVpcInfo),
	}
	if v.Status != nil {
		out.Status = string(v.Status.Code)
	}
	return out
}
