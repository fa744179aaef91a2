// Package checks holds demarc's rules: data plus a pure function of the
// snapshot. Rules never call AWS; when the snapshot lacks a value, the rule
// returns UNKNOWN with the reason, never PASS.
package checks

import (
	"fmt"
	"sort"

	"github.com/demarc-sec/demarc/internal/model"
)

// Status is the outcome of one rule for one resource.
type Status string

// Statuses.
const (
	Pass    Status = "PASS"
	Fail    Status = "FAIL"
	Unknown Status = "UNKNOWN"
	Manual  Status = "MANUAL" // the control cannot be automated; a human must verify
)

// Severity of a rule, lowest to highest: info, low, medium, high, critical.
type Severity string

// Severities.
const (
	Info     Severity = "info"
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Rank orders severities (info=0 … critical=4); unknown strings rank -1.
func (s Severity) Rank() int {
	switch s {
	case Info:
		return 0
	case Low:
		return 1
	case Medium:
		return 2
	case High:
		return 3
	case Critical:
		return 4
	}
	return -1
}

// ParseSeverity validates a severity name.
func ParseSeverity(s string) (Severity, error) {
	if Severity(s).Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
	}
	return Severity(s), nil
}

// Framework identifiers used as keys of Rule.Frameworks.
const (
	CIS50 = "cis-aws-5.0"
	FSBP  = "aws-fsbp"
)

// Responsibility layers of the shared responsibility model that are the
// customer's. Every rule names the layer it verifies.
const (
	LayerIAM        = "identity-and-access"
	LayerData       = "data-protection"     // encryption, public access to data
	LayerNetwork    = "network-config"      // SGs, NACLs, routing, flow logs
	LayerGuestOS    = "guest-os"            // instance hardening, IMDS, patching
	LayerLogging    = "logging-monitoring"  // CloudTrail, Config, alarms
	LayerDetection  = "threat-detection"    // GuardDuty, Security Hub, Inspector, Macie
	LayerResilience = "backup-availability" // backups, versioning, multi-AZ
	LayerRegion     = "region-choice"
)

// Result is one rule's verdict on one resource.
type Result struct {
	Status      Status `json:"status"`
	ResourceARN string `json:"resource_arn"`
	Region      string `json:"region"`
	Message     string `json:"message"`
}

// Rule is one check.
type Rule struct {
	ID             string
	Title          string
	Service        string // iam, s3, ec2, vpc, cloudtrail, guardduty, …
	Severity       Severity
	Responsibility string
	Frameworks     map[string][]string
	Description    string
	Remediation    string
	Links          []string
	Check          func(*model.Snapshot) []Result
}

// Result helpers keep rule bodies short.

// PassR returns a PASS result.
func PassR(arn, region, format string, a ...any) Result {
	return Result{Status: Pass, ResourceARN: arn, Region: region, Message: fmt.Sprintf(format, a...)}
}

// FailR returns a FAIL result.
func FailR(arn, region, format string, a ...any) Result {
	return Result{Status: Fail, ResourceARN: arn, Region: region, Message: fmt.Sprintf(format, a...)}
}

// UnknownR returns an UNKNOWN result; the message must carry the reason.
func UnknownR(arn, region, format string, a ...any) Result {
	return Result{Status: Unknown, ResourceARN: arn, Region: region, Message: fmt.Sprintf(format, a...)}
}

// Registry is an explicit, ordered list of rules.
type Registry struct {
	rules []Rule
	byID  map[string]int
}

// NewRegistry builds a registry, rejecting duplicate or malformed rules.
func NewRegistry(rules ...[]Rule) (*Registry, error) {
	r := &Registry{byID: map[string]int{}}
	for _, set := range rules {
		for _, rule := range set {
			if rule.ID == "" || rule.Check == nil || rule.Severity.Rank() < 0 || rule.Service == "" {
				return nil, fmt.Errorf("rule %q: ID, Service, Severity and Check are required", rule.ID)
			}
			if _, dup := r.byID[rule.ID]; dup {
				return nil, fmt.Errorf("duplicate rule ID %q", rule.ID)
			}
			r.byID[rule.ID] = len(r.rules)
			r.rules = append(r.rules, rule)
		}
	}
	sort.Slice(r.rules, func(i, j int) bool { return r.rules[i].ID < r.rules[j].ID })
	for i, rule := range r.rules {
		r.byID[rule.ID] = i
	}
	return r, nil
}

// Rules returns the rules sorted by ID.
func (r *Registry) Rules() []Rule { return r.rules }

// Get returns a rule by ID.
func (r *Registry) Get(id string) (Rule, bool) {
	i, ok := r.byID[id]
	if !ok {
		return Rule{}, false
	}
	return r.rules[i], true
}
