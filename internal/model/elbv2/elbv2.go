// Package elbv2 is the snapshot model of Elastic Load Balancing v2
// (Application, Network and Gateway Load Balancers), one Region at a time.
//
// The reachability analyzer (internal/analyze/reach) reads it to follow the
// internet through an internet-facing load balancer to its targets. Lists are
// core.Val so an analyzer can tell "no listeners" from "could not list them".
package elbv2

import "github.com/demarc-sec/demarc/internal/model/core"

// Region is the ELBv2 state of one region.
type Region struct {
	Name          string                   `json:"name"`
	LoadBalancers core.Val[[]LoadBalancer] `json:"load_balancers"`
}

// Load balancer schemes.
const (
	SchemeInternetFacing = "internet-facing"
	SchemeInternal       = "internal"
)

// Load balancer types.
const (
	TypeApplication = "application"
	TypeNetwork     = "network"
	TypeGateway     = "gateway"
)

// Target types of a target group.
const (
	TargetInstance = "instance"
	TargetIP       = "ip"
	TargetLambda   = "lambda"
	TargetALB      = "alb"
)

// LoadBalancer is one Application, Network or Gateway Load Balancer.
type LoadBalancer struct {
	core.Meta
	Name    string `json:"name"`
	DNSName string `json:"dns_name,omitempty"`
	Scheme  string `json:"scheme"` // internet-facing | internal (empty for gateway)
	Type    string `json:"type"`   // application | network | gateway
	State   string `json:"state,omitempty"`
	VPCID   string `json:"vpc_id"`
	// IPAddressType is ipv4, dualstack or dualstack-without-public-ipv4.
	IPAddressType     string   `json:"ip_address_type,omitempty"`
	SubnetIDs         []string `json:"subnet_ids"`
	AvailabilityZones []string `json:"availability_zones,omitempty"`
	// SecurityGroupIDs is empty for a Network Load Balancer created without
	// security groups (then no security group filters its traffic) and always
	// empty for a Gateway Load Balancer.
	SecurityGroupIDs []string                `json:"security_group_ids,omitempty"`
	Listeners        core.Val[[]Listener]    `json:"listeners"`
	TargetGroups     core.Val[[]TargetGroup] `json:"target_groups"`
}

// Listener is one listener of a load balancer.
type Listener struct {
	ARN      string `json:"arn,omitempty"`
	Port     int32  `json:"port"`
	Protocol string `json:"protocol"` // HTTP | HTTPS | TCP | TLS | UDP | TCP_UDP | QUIC | TCP_QUIC | GENEVE
	// TargetGroupARNs are the target groups the listener's default action and
	// rules forward to. Empty means not recorded: an analyzer must then assume
	// the listener may forward to any of the load balancer's target groups.
	TargetGroupARNs []string `json:"target_group_arns,omitempty"`
}

// TargetGroup is a target group with its registered targets.
type TargetGroup struct {
	ARN        string `json:"arn"`
	Name       string `json:"name,omitempty"`
	Protocol   string `json:"protocol,omitempty"` // empty for lambda targets
	Port       int32  `json:"port,omitempty"`
	TargetType string `json:"target_type"` // instance | ip | lambda | alb
	VPCID      string `json:"vpc_id,omitempty"`
	// PreserveClientIP is the preserve_client_ip.enabled attribute (Network
	// Load Balancer target groups). Unknown means "not read": the analyzer
	// then applies the documented default for the target type and protocol.
	PreserveClientIP core.Val[bool]     `json:"preserve_client_ip"`
	Targets          core.Val[[]Target] `json:"targets"`
}

// Target is one registered target: an instance ID, an IP address, a Lambda
// function ARN or an Application Load Balancer ARN, by TargetType.
type Target struct {
	ID               string `json:"id"`
	Port             int32  `json:"port,omitempty"` // 0: the target group's port
	AvailabilityZone string `json:"availability_zone,omitempty"`
	HealthState      string `json:"health_state,omitempty"`
}
