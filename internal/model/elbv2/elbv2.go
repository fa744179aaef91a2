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
	// Classic are the region's Classic Load Balancers (the elasticloadbalancing
	// 2012-06-01 API), modelled only as far as the rules need them.
	Classic core.Val[[]ClassicLoadBalancer] `json:"classic_load_balancers"`
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
	// Attributes are the DescribeLoadBalancerAttributes key/value pairs as
	// AWS returns them (Attr* keys). A key absent from a known map was not
	// reported: rules must treat it as unknown, not assume the default.
	Attributes core.Val[map[string]string] `json:"attributes"`
}

// Load balancer attribute keys the rules read.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html
const (
	AttrDeletionProtection = "deletion_protection.enabled"
	AttrAccessLogs         = "access_logs.s3.enabled"
	AttrAccessLogsBucket   = "access_logs.s3.bucket"
	AttrDropInvalidHeaders = "routing.http.drop_invalid_header_fields.enabled"
	AttrDesyncMitigation   = "routing.http.desync_mitigation_mode" // monitor | defensive | strictest
	AttrCrossZone          = "load_balancing.cross_zone.enabled"
	AttrWAFFailOpen        = "waf.fail_open.enabled"
)

// Attribute returns one load balancer attribute, and a reason when it is not
// known (attributes unreadable, or the key not reported).
func (l LoadBalancer) Attribute(key string) (value string, ok bool, why string) {
	m, known := l.Attributes.Get()
	if !known {
		return "", false, "attributes " + l.Attributes.Why()
	}
	v, present := m[key]
	if !present {
		return "", false, "attribute " + key + " not reported"
	}
	return v, true, ""
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
	// ForwardsRecorded is true when TargetGroupARNs is complete: every
	// target group the default actions and rules forward to, possibly none
	// (a listener that only redirects or answers fixed responses).
	ForwardsRecorded bool `json:"forwards_recorded,omitempty"`
	// SSLPolicy is the security policy of an HTTPS or TLS listener.
	SSLPolicy string `json:"ssl_policy,omitempty"`
	// CertificateARNs is the listener's default certificate (DescribeListeners
	// reports only that one).
	CertificateARNs []string `json:"certificate_arns,omitempty"`
	// DefaultActions are the actions of the listener's default rule.
	DefaultActions []Action `json:"default_actions,omitempty"`
	// Rules are the listener's other rules, by priority (Application Load
	// Balancers; other listeners have only their default actions and a
	// known empty list).
	Rules core.Val[[]ListenerRule] `json:"rules"`
}

// Listener action types.
const (
	ActionForward       = "forward"
	ActionRedirect      = "redirect"
	ActionFixedResponse = "fixed-response"
)

// Action is one action of a listener rule.
type Action struct {
	Type  string `json:"type"` // forward | redirect | fixed-response | authenticate-oidc | authenticate-cognito | jwt-validation
	Order int32  `json:"order,omitempty"`
	// TargetGroupARNs are the target groups of a forward action (its
	// TargetGroupArn or every target group of its ForwardConfig).
	TargetGroupARNs []string `json:"target_group_arns,omitempty"`
	// Redirect: the protocol (HTTP, HTTPS or #{protocol}, which keeps the
	// request's), port and status code (HTTP_301 | HTTP_302).
	RedirectProtocol string `json:"redirect_protocol,omitempty"`
	RedirectPort     string `json:"redirect_port,omitempty"`
	RedirectStatus   string `json:"redirect_status,omitempty"`
	// FixedStatus is the status code of a fixed-response action.
	FixedStatus string `json:"fixed_status,omitempty"`
}

// ListenerRule is one non-default rule of a listener.
type ListenerRule struct {
	ARN      string   `json:"arn"`
	Priority string   `json:"priority"`
	Actions  []Action `json:"actions"`
}

// TargetGroup is a target group with its registered targets.
type TargetGroup struct {
	ARN string `json:"arn"`
	// LoadBalancerARNs are the load balancers that route to the group.
	LoadBalancerARNs []string `json:"load_balancer_arns,omitempty"`
	Name             string   `json:"name,omitempty"`
	Protocol         string   `json:"protocol,omitempty"` // empty for lambda targets
	Port             int32    `json:"port,omitempty"`
	TargetType       string   `json:"target_type"` // instance | ip | lambda | alb
	VPCID            string   `json:"vpc_id,omitempty"`
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

// ClassicLoadBalancer is a Classic Load Balancer.
type ClassicLoadBalancer struct {
	core.Meta
	Name              string            `json:"name"`
	DNSName           string            `json:"dns_name,omitempty"`
	Scheme            string            `json:"scheme"` // internet-facing | internal
	VPCID             string            `json:"vpc_id,omitempty"`
	SubnetIDs         []string          `json:"subnet_ids,omitempty"`
	AvailabilityZones []string          `json:"availability_zones"`
	SecurityGroupIDs  []string          `json:"security_group_ids,omitempty"`
	Listeners         []ClassicListener `json:"listeners"`
	// Instances are the IDs of the registered instances.
	Instances  []string                    `json:"instances,omitempty"`
	Attributes core.Val[ClassicAttributes] `json:"attributes"`
}

// ClassicListener is one listener of a Classic Load Balancer.
type ClassicListener struct {
	Protocol         string `json:"protocol"` // HTTP | HTTPS | TCP | SSL
	Port             int32  `json:"port"`
	InstanceProtocol string `json:"instance_protocol,omitempty"`
	InstancePort     int32  `json:"instance_port,omitempty"`
	// SSLCertificateID is the certificate ARN (ACM or IAM) of an HTTPS/SSL listener.
	SSLCertificateID string   `json:"ssl_certificate_id,omitempty"`
	PolicyNames      []string `json:"policy_names,omitempty"`
}

// ClassicAttributes are the DescribeLoadBalancerAttributes answer of a
// Classic Load Balancer. A nil field was not reported.
type ClassicAttributes struct {
	AccessLogs         *bool `json:"access_logs,omitempty"`
	CrossZone          *bool `json:"cross_zone,omitempty"`
	ConnectionDraining *bool `json:"connection_draining,omitempty"`
	// DesyncMitigationMode is the elb.http.desyncmitigationmode additional
	// attribute (monitor | defensive | strictest); empty when not reported.
	DesyncMitigationMode string `json:"desync_mitigation_mode,omitempty"`
}
