package ec2

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Address is an Elastic IP address. It is in use when it has an association
// (with an instance, a network interface, a NAT gateway's interface, …).
type Address struct {
	core.Meta
	AllocationID            string `json:"allocation_id,omitempty"`
	PublicIP                string `json:"public_ip"`
	Domain                  string `json:"domain"` // vpc | standard
	AssociationID           string `json:"association_id,omitempty"`
	InstanceID              string `json:"instance_id,omitempty"`
	NetworkInterfaceID      string `json:"network_interface_id,omitempty"`
	NetworkInterfaceOwnerID string `json:"network_interface_owner_id,omitempty"`
	PrivateIP               string `json:"private_ip,omitempty"`
}

// VPCEndpoint is an interface, gateway or Gateway Load Balancer endpoint.
type VPCEndpoint struct {
	core.Meta
	ID          string `json:"id"`
	VPCID       string `json:"vpc_id"`
	ServiceName string `json:"service_name"` // com.amazonaws.us-east-1.ec2
	Type        string `json:"type"`         // Interface | Gateway | GatewayLoadBalancer
	State       string `json:"state"`        // pendingAcceptance | pending | available | deleting | deleted | rejected | failed | expired
	OwnerID     string `json:"owner_id,omitempty"`
}

// VPNConnection is an AWS Site-to-Site VPN connection.
type VPNConnection struct {
	core.Meta
	ID                string `json:"id"`
	State             string `json:"state"` // pending | available | deleting | deleted
	Type              string `json:"type,omitempty"`
	CustomerGatewayID string `json:"customer_gateway_id,omitempty"`
	VPNGatewayID      string `json:"vpn_gateway_id,omitempty"`
	TransitGatewayID  string `json:"transit_gateway_id,omitempty"`
	// Tunnels is the VgwTelemetry: one entry per tunnel.
	Tunnels []VPNTunnel `json:"tunnels"`
}

// VPNTunnel is the telemetry of one VPN tunnel.
type VPNTunnel struct {
	OutsideIP        string     `json:"outside_ip,omitempty"`
	Status           string     `json:"status"` // UP | DOWN
	StatusMessage    string     `json:"status_message,omitempty"`
	LastStatusChange *time.Time `json:"last_status_change,omitempty"`
}

// TransitGateway is a transit gateway with the options that decide who may
// attach to it.
type TransitGateway struct {
	core.Meta
	ID                          string `json:"id"`
	OwnerID                     string `json:"owner_id"`
	State                       string `json:"state"`                          // pending | available | modifying | deleting | deleted
	AutoAcceptSharedAttachments string `json:"auto_accept_shared_attachments"` // enable | disable; "" = not reported
}

// ClientVPNEndpoint is an AWS Client VPN endpoint.
type ClientVPNEndpoint struct {
	core.Meta
	ID     string `json:"id"`
	Status string `json:"status"` // pending-associate | available | deleting | deleted
	// ConnectionLogEnabled is ConnectionLogOptions.Enabled; unknown when AWS
	// did not report the options.
	ConnectionLogEnabled core.Val[bool] `json:"connection_log_enabled"`
	LogGroup             string         `json:"log_group,omitempty"`
	LogStream            string         `json:"log_stream,omitempty"`
}

// LaunchTemplate is an EC2 launch template with its default version.
type LaunchTemplate struct {
	core.Meta
	ID             string `json:"id"`
	Name           string `json:"name"`
	DefaultVersion int64  `json:"default_version"`
	LatestVersion  int64  `json:"latest_version"`
	// Default is the template's default version ($Default), read on its own.
	Default core.Val[LaunchTemplateVersion] `json:"default"`
}

// LaunchTemplateVersion is the part of a launch template version's data
// that rules read.
type LaunchTemplateVersion struct {
	Number            int64               `json:"number"`
	NetworkInterfaces []LaunchTemplateENI `json:"network_interfaces,omitempty"`
	Metadata          *LaunchTemplateIMDS `json:"metadata_options,omitempty"`
	SecurityGroupIDs  []string            `json:"security_group_ids,omitempty"`
}

// LaunchTemplateENI is one network interface specification of a template.
type LaunchTemplateENI struct {
	DeviceIndex int32 `json:"device_index"`
	// AssociatePublicIP is AssociatePublicIpAddress: nil when the template
	// leaves it to the subnet.
	AssociatePublicIP  *bool    `json:"associate_public_ip,omitempty"`
	NetworkInterfaceID string   `json:"network_interface_id,omitempty"`
	SubnetID           string   `json:"subnet_id,omitempty"`
	SecurityGroupIDs   []string `json:"security_group_ids,omitempty"`
}

// LaunchTemplateIMDS are a template's instance metadata options ("" when the
// template does not set them).
type LaunchTemplateIMDS struct {
	HTTPTokens   string `json:"http_tokens,omitempty"`
	HTTPEndpoint string `json:"http_endpoint,omitempty"`
}
