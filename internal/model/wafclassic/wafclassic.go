// Package wafclassic is the snapshot model of AWS WAF Classic, the API that
// AWS WAF (v2) replaced in November 2019 and whose support ended on
// September 30, 2025
// (https://docs.aws.amazon.com/waf/latest/developerguide/classic-waf-chapter.html).
// Accounts that never used it have no Classic resources; accounts that did
// may still hold web ACLs, rules and rule groups that nobody maintains.
//
// Classic has two APIs with the same shapes: "waf" for the global
// (CloudFront) resources, served from us-east-1, and "waf-regional" for the
// resources of each region (Application Load Balancers, API Gateway).
package wafclassic

import "github.com/demarc-sec/demarc/internal/model/core"

// State is the WAF Classic part of the snapshot.
type State struct {
	// Global holds the global (CloudFront) resources of the waf API; its
	// Name is "global".
	Global Region `json:"global"`
	// Regions hold the waf-regional resources, one element per collected
	// region.
	Regions []Region `json:"regions,omitempty"`
}

// Region is one scope of WAF Classic: a region of waf-regional, or the
// global waf API.
type Region struct {
	Name    string             `json:"name"`
	WebACLs core.Val[[]WebACL] `json:"web_acls"`
	// Rules are the regular rules (ListRules). Rate-based rules are a
	// separate kind and are not listed here.
	Rules      core.Val[[]Rule]      `json:"rules"`
	RuleGroups core.Val[[]RuleGroup] `json:"rule_groups"`
}

// Activated rule types (ActivatedRule.Type).
const (
	TypeRegular   = "REGULAR"
	TypeRateBased = "RATE_BASED"
	TypeGroup     = "GROUP"
)

// WebACL is a Classic web ACL. Meta.Region is "global" for the global API.
type WebACL struct {
	core.Meta
	ID   string `json:"id"`
	Name string `json:"name"`
	// DefaultAction is ALLOW | BLOCK | COUNT (from GetWebACL; "" when
	// Rules is unknown).
	DefaultAction string `json:"default_action,omitempty"`
	// Rules are the rules and rule groups the web ACL runs (GetWebACL).
	Rules core.Val[[]ActivatedRule] `json:"rules"`
	// Logging is Known(nil) when the web ACL has no logging configuration.
	Logging core.Val[*Logging] `json:"logging"`
}

// ActivatedRule is a rule, rate-based rule or rule group placed in a web
// ACL or a rule group.
type ActivatedRule struct {
	RuleID   string `json:"rule_id"`
	Priority int    `json:"priority"`
	// Type is REGULAR | RATE_BASED | GROUP.
	Type string `json:"type"`
	// Action is ALLOW | BLOCK | COUNT for rules; OverrideAction NONE |
	// COUNT for rule groups.
	Action         string `json:"action,omitempty"`
	OverrideAction string `json:"override_action,omitempty"`
}

// Rule is a regular Classic rule.
type Rule struct {
	core.Meta
	ID   string `json:"id"`
	Name string `json:"name"`
	// Predicates are the rule's conditions (GetRule); a rule matches a
	// request only when all of them do.
	Predicates core.Val[[]Predicate] `json:"predicates"`
}

// Predicate is one condition of a rule.
type Predicate struct {
	// Type is IPMatch | ByteMatch | SqlInjectionMatch | GeoMatch |
	// SizeConstraint | XssMatch | RegexMatch.
	Type    string `json:"type"`
	DataID  string `json:"data_id"`
	Negated bool   `json:"negated,omitempty"`
}

// RuleGroup is a rule group the account owns (subscribed Marketplace rule
// groups are not listed).
type RuleGroup struct {
	core.Meta
	ID   string `json:"id"`
	Name string `json:"name"`
	// Rules are the group's activated rules (ListActivatedRulesInRuleGroup).
	Rules core.Val[[]ActivatedRule] `json:"rules"`
}

// Logging is a web ACL's logging configuration (Kinesis Data Firehose
// delivery streams).
type Logging struct {
	DestinationARNs []string `json:"destination_arns"`
}
