// Package engine runs rules over a snapshot and turns their results into
// findings: results with the rule's metadata and a stable fingerprint.
package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/model"
)

// FingerprintVersion is bumped if the fingerprint recipe ever changes.
const FingerprintVersion = "v1"

// Finding is one result of one rule, with the rule's metadata.
type Finding struct {
	RuleID         string              `json:"rule_id"`
	Title          string              `json:"title"`
	Service        string              `json:"service"`
	Status         checks.Status       `json:"status"`
	Severity       checks.Severity     `json:"severity"`
	Responsibility string              `json:"responsibility"`
	ResourceARN    string              `json:"resource_arn"`
	Region         string              `json:"region"`
	AccountID      string              `json:"account_id"`
	Frameworks     map[string][]string `json:"frameworks"`
	Message        string              `json:"message"`
	Fingerprint    string              `json:"fingerprint"`
	// Suppressed findings stay in the output, marked, with the reason.
	Suppressed     bool   `json:"suppressed,omitempty"`
	SuppressReason string `json:"suppression_reason,omitempty"`
}

// Fingerprint is stable across message wording changes: rule ID + resource.
func Fingerprint(ruleID, account, resourceARN, region string) string {
	h := sha256.Sum256([]byte(FingerprintVersion + "\x00" + ruleID + "\x00" + account + "\x00" + resourceARN + "\x00" + region))
	return FingerprintVersion + ":" + hex.EncodeToString(h[:12])
}

// Run evaluates every rule of the registry. A rule that panics becomes an
// UNKNOWN finding for the account instead of crashing the scan.
func Run(s *model.Snapshot, reg *checks.Registry) []Finding {
	var out []Finding
	for _, r := range reg.Rules() {
		for _, res := range runRule(s, r) {
			out = append(out, Finding{
				RuleID:         r.ID,
				Title:          r.Title,
				Service:        r.Service,
				Status:         res.Status,
				Severity:       r.Severity,
				Responsibility: r.Responsibility,
				ResourceARN:    res.ResourceARN,
				Region:         res.Region,
				AccountID:      s.AccountID,
				Frameworks:     r.Frameworks,
				Message:        res.Message,
				Fingerprint:    Fingerprint(r.ID, s.AccountID, res.ResourceARN, res.Region),
			})
		}
	}
	Sort(out)
	return out
}

func runRule(s *model.Snapshot, r checks.Rule) (res []checks.Result) {
	defer func() {
		if p := recover(); p != nil {
			res = []checks.Result{checks.UnknownR(s.ARNPrefix()+"::"+s.AccountID, "global",
				"rule failed internally: %v", p)}
		}
	}()
	return r.Check(s)
}

// Sort orders findings deterministically: rule, region, resource, message.
func Sort(f []Finding) {
	sort.SliceStable(f, func(i, j int) bool {
		a, b := f[i], f[j]
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.ResourceARN != b.ResourceARN {
			return a.ResourceARN < b.ResourceARN
		}
		return a.Message < b.Message
	})
}

// Summary counts findings by status and, for FAILs, by severity.
type Summary struct {
	Total     int            `json:"total"`
	ByStatus  map[string]int `json:"by_status"`
	FailBySev map[string]int `json:"fail_by_severity"`
	RulesRun  int            `json:"rules_run"`
	// Suppressed counts findings of any status marked suppressed; they are
	// still included in the other counts.
	Suppressed int `json:"suppressed,omitempty"`
}

// Summarize counts findings.
func Summarize(f []Finding, rulesRun int) Summary {
	s := Summary{ByStatus: map[string]int{}, FailBySev: map[string]int{}, RulesRun: rulesRun}
	for _, x := range f {
		s.Total++
		s.ByStatus[string(x.Status)]++
		if x.Status == checks.Fail {
			s.FailBySev[string(x.Severity)]++
		}
		if x.Suppressed {
			s.Suppressed++
		}
	}
	return s
}

// FailsAtOrAbove reports whether any unsuppressed FAIL has severity ≥ min:
// an accepted (suppressed) risk must not break a CI gate.
func FailsAtOrAbove(f []Finding, min checks.Severity) bool {
	for _, x := range f {
		if x.Status == checks.Fail && !x.Suppressed && x.Severity.Rank() >= min.Rank() {
			return true
		}
	}
	return false
}

// String is for debugging.
func (f Finding) String() string {
	return fmt.Sprintf("%s %s %s %s", f.Status, f.RuleID, f.ResourceARN, f.Message)
}
