package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

func wafv2Fixtures() map[string]fixture {
	return map[string]fixture{
		"wafv2-web-acl-has-rules": failWhen(func(s *model.Snapshot) { webACL(s).Details.V.Rules = nil }),
		"wafv2-web-acl-logging":   failWhen(func(s *model.Snapshot) { webACL(s).Logging = core.Known[*wafv2.Logging](nil) }),
		"wafv2-rule-metrics-enabled": failWhen(func(s *model.Snapshot) {
			webACL(s).Details.V.Rules[0].MetricsEnabled = false
		}),
	}
}

// addCompliantWAFRuleGroups gives every WAF region of the compliant world a
// known rule group list, one rule group with CloudWatch metrics on in
// svcRegion, and a known (empty) CloudFront rule group list.
func addCompliantWAFRuleGroups(s *model.Snapshot) {
	for i := range s.WAFv2.Regions {
		r := &s.WAFv2.Regions[i]
		if !r.RuleGroups.Ok {
			r.RuleGroups = core.Known([]wafv2.RuleGroup{})
		}
		if r.Name == svcRegion && len(r.RuleGroups.V) == 0 {
			r.RuleGroups.V = append(r.RuleGroups.V, wafv2.RuleGroup{
				Meta: core.Meta{ARN: regionalARNOf("wafv2", svcRegion, "regional/rulegroup/geo/g1"), Account: acct, Region: svcRegion},
				ID:   "g1", Name: "geo", Scope: wafv2.ScopeRegional,
				Details: core.Known(wafv2.RuleGroupDetails{MetricsEnabled: true, Capacity: 10, Rules: []wafv2.Rule{
					{Name: "block-geo", Priority: 1, Action: "BLOCK", Statement: "GeoMatch", MetricsEnabled: true}}}),
			})
		}
	}
	if !s.WAFv2.CloudFrontRuleGroups.Ok {
		s.WAFv2.CloudFrontRuleGroups = core.Known([]wafv2.RuleGroup{})
	}
}

func wafRuleGroup(s *model.Snapshot) *wafv2.RuleGroup {
	for ri := range s.WAFv2.Regions {
		if len(s.WAFv2.Regions[ri].RuleGroups.V) > 0 {
			return &s.WAFv2.Regions[ri].RuleGroups.V[0]
		}
	}
	panic("no WAF rule group in the compliant world")
}

// TestWAFRuleMetrics covers FSBP WAF.12 on rule groups (their own visibility
// config and their rules) and on the rules of web ACLs, in both scopes.
func TestWAFRuleMetrics(t *testing.T) {
	const id = "wafv2-rule-metrics-enabled"
	groupARN := regionalARNOf("wafv2", svcRegion, "regional/rulegroup/geo/g1")
	status := func(s *model.Snapshot, arn string) (Status, string) {
		for _, r := range ruleByID(t, id).Check(s) {
			if r.ResourceARN == arn {
				return r.Status, r.Message
			}
		}
		return "", ""
	}
	tests := []struct {
		name   string
		mutate func(s *model.Snapshot)
		want   Status
	}{
		{"compliant", func(*model.Snapshot) {}, Pass},
		{"group's own metrics off", func(s *model.Snapshot) { wafRuleGroup(s).Details.V.MetricsEnabled = false }, Fail},
		{"a rule of the group without metrics", func(s *model.Snapshot) {
			d := &wafRuleGroup(s).Details.V
			d.Rules = append(d.Rules, wafv2.Rule{Name: "quiet", Priority: 2, MetricsEnabled: false})
		}, Fail},
		{"group without rules is not applicable", func(s *model.Snapshot) {
			wafRuleGroup(s).Details.V.Rules, wafRuleGroup(s).Details.V.MetricsEnabled = nil, false
		}, ""},
		{"group unreadable", func(s *model.Snapshot) {
			wafRuleGroup(s).Details = core.Unknown[wafv2.RuleGroupDetails]("access denied (wafv2:GetRuleGroup)")
		}, Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compliantSnapshot()
			tt.mutate(s)
			if got, msg := status(s, groupARN); got != tt.want {
				t.Errorf("got %q (%s), want %q", got, msg, tt.want)
			}
		})
	}

	// A web ACL without rules has nothing to judge; one with a rule whose
	// metrics are off FAILs, naming the rule.
	s := compliantSnapshot()
	w := webACL(s)
	w.Details.V.Rules = nil
	if got, _ := status(s, w.ARN); got != "" {
		t.Errorf("web ACL without rules judged: %s", got)
	}
	s = compliantSnapshot()
	w = webACL(s)
	w.Details.V.Rules = append(w.Details.V.Rules, wafv2.Rule{Name: "rate", Priority: 9, Statement: "RateBased"})
	if got, msg := status(s, w.ARN); got != Fail || !strings.Contains(msg, "rate") {
		t.Errorf("web ACL with a rule without metrics: %s %s", got, msg)
	}

	// CloudFront scope: a rule group there is judged too; an unreadable
	// list is one UNKNOWN.
	s = compliantSnapshot()
	s.WAFv2.CloudFrontRuleGroups = core.Known([]wafv2.RuleGroup{{
		Meta: core.Meta{ARN: "arn:aws:wafv2:us-east-1:" + acct + ":global/rulegroup/edge/e1", Region: core.GlobalRegion},
		ID:   "e1", Name: "edge", Scope: wafv2.ScopeCloudFront,
		Details: core.Known(wafv2.RuleGroupDetails{MetricsEnabled: false, Rules: []wafv2.Rule{{Name: "r", MetricsEnabled: true}}}),
	}})
	if got, _ := status(s, "arn:aws:wafv2:us-east-1:"+acct+":global/rulegroup/edge/e1"); got != Fail {
		t.Errorf("CloudFront rule group with metrics off: %q", got)
	}
	s.WAFv2.CloudFrontRuleGroups = core.Unknown[[]wafv2.RuleGroup]("access denied")
	if got, _ := status(s, "arn:aws:wafv2:us-east-1:"+acct+":global/rulegroup/*"); got != Unknown {
		t.Errorf("unreadable CloudFront rule groups: %q", got)
	}
}

func wafRule(id string) Rule {
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	panic("no rule " + id)
}

func TestWAFCloudFrontScope(t *testing.T) {
	s := compliantSnapshot()
	s.WAFv2.CloudFront = core.Known([]wafv2.WebACL{{
		Meta: core.Meta{ARN: "arn:aws:wafv2:us-east-1:" + acct + ":global/webacl/cf/2", Region: core.GlobalRegion},
		ID:   "2", Name: "cf", Scope: wafv2.ScopeCloudFront,
		Details: core.Known(wafv2.WebACLDetails{DefaultAction: "ALLOW"}),
		Logging: core.Unknown[*wafv2.Logging]("access denied"),
	}})
	var rules, logging Status
	for _, r := range wafRule("wafv2-web-acl-has-rules").Check(s) {
		if r.Region == core.GlobalRegion {
			rules = r.Status
		}
	}
	for _, r := range wafRule("wafv2-web-acl-logging").Check(s) {
		if r.Region == core.GlobalRegion {
			logging = r.Status
		}
	}
	if rules != Fail || logging != Unknown {
		t.Errorf("CloudFront web ACL: rules %s, logging %s", rules, logging)
	}
	s.WAFv2.CloudFront = core.Unknown[[]wafv2.WebACL]("access denied")
	unknown := 0
	for _, r := range wafRule("wafv2-web-acl-logging").Check(s) {
		if r.Status == Unknown {
			unknown++
		}
	}
	if unknown != 1 {
		t.Errorf("CloudFront scope unreadable: %d UNKNOWN results", unknown)
	}
}
