// Package ec2 is the snapshot model of EC2 and VPC networking, one Region at a
// time. Every list is a core.Val so a rule can tell "none exist" from "could
// not list them".
package ec2

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the EC2/VPC state of one region.
type Region struct {
	Name                   string                        `json:"name"`
	VPCs                   core.Val[[]VPC]               `json:"vpcs"`
	Subnets                core.Val[[]Subnet]            `json:"subnets"`
	RouteTables            core.Val[[]RouteTable]        `json:"route_tables"`
	InternetGateways       core.Val[[]InternetGateway]   `json:"internet_gateways"`
	EgressOnlyGateways     core.Val[[]InternetGateway]   `json:"egress_only_internet_gateways"`
	NATGateways            core.Val[[]NATGateway]        `json:"nat_gateways"`
	SecurityGroups         core.Val[[]SecurityGroup]     `json:"security_groups"`
	NetworkACLs            core.Val[[]NetworkACL]        `json:"network_acls"`
	NetworkInterfaces      core.Val[[]NetworkInterface]  `json:"network_interfaces"`
	Instances              core.Val[[]Instance]          `json:"instances"`
	Volumes                core.Val[[]Volume]            `json:"volumes"`
	Snapshots              core.Val[[]Snapshot]          `json:"snapshots"` // owned by the account
	FlowLogs               core.Val[[]FlowLog]           `json:"flow_logs"`
	PeeringConnections     core.Val[[]PeeringConnection] `json:"vpc_peering_connections"`
	EBSEncryptionByDefault core.Val[bool]                `json:"ebs_encryption_by_default"`
	Addresses              core.Val[[]Address]           `json:"addresses"` // Elastic IPs
	VPCEndpoints           core.Val[[]VPCEndpoint]       `json:"vpc_endpoints"`
	VPNConnections         core.Val[[]VPNConnection]     `json:"vpn_connections"` // Site-to-Site VPN
	TransitGateways        core.Val[[]TransitGateway]    `json:"transit_gateways"`
	ClientVPNEndpoints     core.Val[[]ClientVPNEndpoint] `json:"client_vpn_endpoints"`
	LaunchTemplates        core.Val[[]LaunchTemplate]    `json:"launch_templates"`
}

// VPC is a virtual private cloud.
type VPC struct {
	core.Meta
	ID        string   `json:"id"`
	CIDRs     []string `json:"cidrs"`
	IPv6CIDRs []string `json:"ipv6_cidrs,omitempty"`
	IsDefault bool     `json:"is_default"`
	State     string   `json:"state"`
}

// Subnet is a VPC subnet.
type Subnet struct {
	core.Meta
	ID                  string   `json:"id"`
	VPCID               string   `json:"vpc_id"`
	CIDR                string   `json:"cidr"`
	IPv6CIDRs           []string `json:"ipv6_cidrs,omitempty"`
	AvailabilityZone    string   `json:"availability_zone"`
	AvailabilityZoneID  string   `json:"availability_zone_id,omitempty"`
	MapPublicIPOnLaunch bool     `json:"map_public_ip_on_launch"`
	DefaultForAZ        bool     `json:"default_for_az"`
}

// RouteTable is a route table with its associations.
type RouteTable struct {
	core.Meta
	ID           string             `json:"id"`
	VPCID        string             `json:"vpc_id"`
	Associations []RouteAssociation `json:"associations"`
	Routes       []Route            `json:"routes"`
}

// RouteAssociation associates a route table with a subnet, a gateway, or marks it main.
type RouteAssociation struct {
	Main      bool   `json:"main"`
	SubnetID  string `json:"subnet_id,omitempty"`
	GatewayID string `json:"gateway_id,omitempty"`
}

// Route is one route. Exactly one target field is set.
type Route struct {
	DestinationCIDR         string `json:"destination_cidr,omitempty"`
	DestinationIPv6CIDR     string `json:"destination_ipv6_cidr,omitempty"`
	DestinationPrefixListID string `json:"destination_prefix_list_id,omitempty"`
	GatewayID               string `json:"gateway_id,omitempty"` // igw-…, vgw-…, "local", vpce-…
	NATGatewayID            string `json:"nat_gateway_id,omitempty"`
	EgressOnlyGatewayID     string `json:"egress_only_internet_gateway_id,omitempty"`
	InstanceID              string `json:"instance_id,omitempty"`
	NetworkInterfaceID      string `json:"network_interface_id,omitempty"`
	PeeringConnectionID     string `json:"vpc_peering_connection_id,omitempty"`
	TransitGatewayID        string `json:"transit_gateway_id,omitempty"`
	State                   string `json:"state"` // active | blackhole
}

// InternetGateway is an internet gateway or an egress-only internet gateway.
type InternetGateway struct {
	core.Meta
	ID          string   `json:"id"`
	AttachedVPC []string `json:"attached_vpcs"` // VPC IDs with an available/attached attachment
}

// NATGateway is a NAT gateway.
type NATGateway struct {
	core.Meta
	ID               string   `json:"id"`
	VPCID            string   `json:"vpc_id"`
	SubnetID         string   `json:"subnet_id"`
	State            string   `json:"state"`
	ConnectivityType string   `json:"connectivity_type"` // public | private
	PublicIPs        []string `json:"public_ips,omitempty"`
}

// SecurityGroup is a (stateful) security group.
type SecurityGroup struct {
	core.Meta
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	VPCID       string       `json:"vpc_id"`
	OwnerID     string       `json:"owner_id"`
	Ingress     []Permission `json:"ingress"`
	Egress      []Permission `json:"egress"`
}

// Permission is one IP permission of a security group.
// Protocol is "-1" (all), "tcp", "udp", "icmp", "icmpv6" or a protocol number.
// For tcp/udp FromPort..ToPort is the range; for icmp they are type and code (-1 = all).
type Permission struct {
	Protocol      string     `json:"protocol"`
	FromPort      int32      `json:"from_port"`
	ToPort        int32      `json:"to_port"`
	IPv4Ranges    []string   `json:"ipv4_ranges,omitempty"`
	IPv6Ranges    []string   `json:"ipv6_ranges,omitempty"`
	PrefixListIDs []string   `json:"prefix_list_ids,omitempty"`
	GroupRefs     []GroupRef `json:"group_refs,omitempty"`
}

// GroupRef references another security group as a source/destination.
type GroupRef struct {
	GroupID             string `json:"group_id"`
	UserID              string `json:"user_id,omitempty"`
	VPCID               string `json:"vpc_id,omitempty"`
	PeeringConnectionID string `json:"vpc_peering_connection_id,omitempty"`
}

// NetworkACL is a (stateless) network ACL.
type NetworkACL struct {
	core.Meta
	ID        string      `json:"id"`
	VPCID     string      `json:"vpc_id"`
	IsDefault bool        `json:"is_default"`
	Entries   []NACLEntry `json:"entries"`
	SubnetIDs []string    `json:"subnet_ids"` // associated subnets
}

// NACLEntry is one numbered rule. Rule 32767 is the implicit final deny.
type NACLEntry struct {
	RuleNumber int32  `json:"rule_number"`
	Egress     bool   `json:"egress"`
	Protocol   string `json:"protocol"` // "-1", "6", "17", "1", "58"
	Action     string `json:"action"`   // allow | deny
	CIDR       string `json:"cidr,omitempty"`
	IPv6CIDR   string `json:"ipv6_cidr,omitempty"`
	// PortFrom/PortTo are set for tcp/udp; HasPorts is false when no range applies (all ports).
	HasPorts bool  `json:"has_ports"`
	PortFrom int32 `json:"port_from,omitempty"`
	PortTo   int32 `json:"port_to,omitempty"`
	ICMPType int32 `json:"icmp_type,omitempty"`
	ICMPCode int32 `json:"icmp_code,omitempty"`
}

// NetworkInterface is an ENI.
type NetworkInterface struct {
	core.Meta
	ID               string   `json:"id"`
	VPCID            string   `json:"vpc_id"`
	SubnetID         string   `json:"subnet_id"`
	AvailabilityZone string   `json:"availability_zone"`
	InterfaceType    string   `json:"interface_type"` // interface | nat_gateway | network_load_balancer | …
	Description      string   `json:"description,omitempty"`
	Status           string   `json:"status"`
	PrivateIPs       []string `json:"private_ips"`
	PublicIPs        []string `json:"public_ips,omitempty"` // associated public IPv4 (incl. EIPs)
	IPv6Addresses    []string `json:"ipv6_addresses,omitempty"`
	SecurityGroupIDs []string `json:"security_group_ids"`
	InstanceID       string   `json:"instance_id,omitempty"` // attachment
	RequesterManaged bool     `json:"requester_managed"`
}

// Instance is an EC2 instance.
type Instance struct {
	core.Meta
	ID                  string          `json:"id"`
	State               string          `json:"state"`
	InstanceType        string          `json:"instance_type"`
	ImageID             string          `json:"image_id"`
	Platform            string          `json:"platform,omitempty"`
	VPCID               string          `json:"vpc_id,omitempty"`
	SubnetID            string          `json:"subnet_id,omitempty"`
	PrivateIP           string          `json:"private_ip,omitempty"`
	PublicIP            string          `json:"public_ip,omitempty"`
	IAMInstanceProfile  string          `json:"iam_instance_profile,omitempty"` // ARN
	SecurityGroupIDs    []string        `json:"security_group_ids,omitempty"`
	NetworkInterfaceIDs []string        `json:"network_interface_ids,omitempty"`
	LaunchTime          time.Time       `json:"launch_time"`
	Metadata            MetadataOptions `json:"metadata_options"`
	// VirtualizationType is "hvm" or "paravirtual"; "" when not reported.
	VirtualizationType string `json:"virtualization_type,omitempty"`
	// StateTransitionReason is AWS's text for the last state change, e.g.
	// "User initiated (2024-05-01 10:00:00 GMT)".
	StateTransitionReason string `json:"state_transition_reason,omitempty"`
	// StateTransitionTime is the time in StateTransitionReason: when a stopped
	// instance stopped. Known(nil) means the reason was read but carries no
	// time; the zero Val means it was not collected.
	StateTransitionTime core.Val[*time.Time] `json:"state_transition_time"`
}

// MetadataOptions are the instance metadata service settings.
type MetadataOptions struct {
	HTTPTokens       string `json:"http_tokens"`   // optional | required
	HTTPEndpoint     string `json:"http_endpoint"` // enabled | disabled
	HTTPPutHopLimit  int32  `json:"http_put_response_hop_limit"`
	InstanceTagsMeta string `json:"instance_metadata_tags,omitempty"`
}

// Volume is an EBS volume.
type Volume struct {
	core.Meta
	ID               string   `json:"id"`
	State            string   `json:"state"`
	SizeGiB          int32    `json:"size_gib"`
	Encrypted        bool     `json:"encrypted"`
	KMSKeyID         string   `json:"kms_key_id,omitempty"`
	AvailabilityZone string   `json:"availability_zone"`
	AttachedTo       []string `json:"attached_to,omitempty"` // instance IDs
}

// Snapshot is an EBS snapshot owned by the account.
type Snapshot struct {
	core.Meta
	ID        string `json:"id"`
	VolumeID  string `json:"volume_id"`
	Encrypted bool   `json:"encrypted"`
	KMSKeyID  string `json:"kms_key_id,omitempty"`
	OwnerID   string `json:"owner_id"`
	// CreateVolumePermissions: Group "all" means public.
	CreateVolumePermissions core.Val[[]VolumePermission] `json:"create_volume_permissions"`
}

// VolumePermission is one createVolumePermission entry.
type VolumePermission struct {
	Group  string `json:"group,omitempty"`
	UserID string `json:"user_id,omitempty"`
}

// FlowLog is a VPC/subnet/ENI flow log.
type FlowLog struct {
	core.Meta
	ID              string `json:"id"`
	ResourceID      string `json:"resource_id"`
	TrafficType     string `json:"traffic_type"` // ACCEPT | REJECT | ALL
	Status          string `json:"status"`       // ACTIVE
	DestinationType string `json:"destination_type"`
	Destination     string `json:"destination,omitempty"`
}

// PeeringConnection is a VPC peering connection.
type PeeringConnection struct {
	core.Meta
	ID        string      `json:"id"`
	Status    string      `json:"status"`
	Requester PeeringSide `json:"requester"`
	Accepter  PeeringSide `json:"accepter"`
}

// PeeringSide is one side of a peering connection.
type PeeringSide struct {
	VPCID     string   `json:"vpc_id"`
	OwnerID   string   `json:"owner_id"`
	Region    string   `json:"region"`
	CIDRs     []string `json:"cidrs,omitempty"`
	IPv6CIDRs []string `json:"ipv6_cidrs,omitempty"`
}
