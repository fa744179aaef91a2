// Package wafv2 is the snapshot model of AWS WAF (v2) web ACLs: regional web
// ACLs per region, and CloudFront web ACLs (a global scope read through
// us-east-1), with their rules, default action, logging and the resources
// they protect.
package wafv2

import (
	"sort"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Scopes as WAFv2 names them.
const (
	ScopeRegional   = "REGIONAL"
	ScopeCloudFront = "CLOUDFRONT"
)

// State is the WAFv2 part of the snapshot.
type State struct {
	// Regions hold the REGIONAL web ACLs, one element per collected region.
	Regions []Region `json:"regions,omitempty"`
	// CloudFront holds the CLOUDFRONT-scope web ACLs.
	CloudFront core.Val[[]WebACL] `json:"cloudfront"`
	// CloudFrontRuleGroups are the account's own CLOUDFRONT-scope rule
	// groups.
	CloudFrontRuleGroups core.Val[[]RuleGroup] `json:"cloudfront_rule_groups"`
}

// Region is the REGIONAL-scope WAF state of one region.
type Region struct {
	Name    string             `json:"name"`
	WebACLs core.Val[[]WebACL] `json:"web_acls"`
	// RuleGroups are the account's own REGIONAL rule groups (ListRuleGroups;
	// managed rule groups are not listed).
	RuleGroups core.Val[[]RuleGroup] `json:"rule_groups"`
}

// RuleGroup is a rule group the account owns. Meta.ARN is the rule group
// ARN; Meta.Region is "global" for CLOUDFRONT rule groups.
type RuleGroup struct {
	core.Meta
	ID      string                     `json:"id"`
	Name    string                     `json:"name"`
	Scope   string                     `json:"scope"`
	Details core.Val[RuleGroupDetails] `json:"details"`
}

// RuleGroupDetails are the GetRuleGroup fields rules need.
type RuleGroupDetails struct {
	// MetricsEnabled is the rule group's own visibility config.
	MetricsEnabled bool   `json:"metrics_enabled"`
	Rules          []Rule `json:"rules"`
	Capacity       int64  `json:"capacity,omitempty"`
}

// WebACL is one web ACL. Meta.ARN is the web ACL ARN; Meta.Region is
// "global" for CloudFront web ACLs.
type WebACL struct {
	core.Meta
	ID      string                  `json:"id"`
	Name    string                  `json:"name"`
	Scope   string                  `json:"scope"`
	Details core.Val[WebACLDetails] `json:"details"`
	// Logging is Known(nil) when logging is not configured.
	Logging core.Val[*Logging] `json:"logging"`
	// Associations are the ARNs of the associated resources per resource
	// type (APPLICATION_LOAD_BALANCER, API_GATEWAY, APPSYNC,
	// COGNITO_USER_POOL, APP_RUNNER_SERVICE, VERIFIED_ACCESS_INSTANCE), each
	// read on its own. CloudFront web ACLs have none here: a distribution
	// names its web ACL itself.
	Associations map[string]core.Val[[]string] `json:"associations,omitempty"`
}

// Resources returns every associated resource ARN, sorted, and whether the
// list is complete (every resource type was read).
func (w WebACL) Resources() ([]string, bool) {
	var out []string
	complete := len(w.Associations) > 0
	for _, v := range w.Associations {
		if !v.Ok {
			complete = false
			continue
		}
		out = append(out, v.V...)
	}
	sort.Strings(out)
	return out, complete
}

// WebACLDetails are the GetWebACL fields rules need.
type WebACLDetails struct {
	// DefaultAction is ALLOW or BLOCK.
	DefaultAction string `json:"default_action"`
	Rules         []Rule `json:"rules"`
	// MetricsEnabled and SampledRequests come from the visibility config.
	MetricsEnabled  bool  `json:"metrics_enabled"`
	SampledRequests bool  `json:"sampled_requests"`
	Capacity        int64 `json:"capacity,omitempty"`
}

// Rule summarises one rule of a web ACL.
type Rule struct {
	Name     string `json:"name"`
	Priority int    `json:"priority"`
	// Action is ALLOW | BLOCK | COUNT | CAPTCHA | CHALLENGE for rules with
	// their own statement; empty for rule group references.
	Action string `json:"action,omitempty"`
	// OverrideAction is NONE or COUNT for rule group references (COUNT
	// turns the whole group into monitoring only).
	OverrideAction string `json:"override_action,omitempty"`
	// Statement is the top-level statement kind: ManagedRuleGroup,
	// RuleGroupReference, RateBased, IPSetReference, GeoMatch, ByteMatch, …
	Statement string `json:"statement"`
	// ManagedRuleGroup is "Vendor/Name" for managed rule group statements.
	ManagedRuleGroup string `json:"managed_rule_group,omitempty"`
	// RuleGroupARN is the rule group of a RuleGroupReference statement.
	RuleGroupARN   string `json:"rule_group_arn,omitempty"`
	MetricsEnabled bool   `json:"metrics_enabled"`
}

// Logging is a web ACL's logging configuration.
type Logging struct {
	DestinationARNs          []string `json:"destination_arns"`
	ManagedByFirewallManager bool     `json:"managed_by_firewall_manager,omitempty"`
}
