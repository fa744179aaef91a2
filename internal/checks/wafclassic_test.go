package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/wafclassic"
)

// addCompliantWAFIdentity adds to the compliant world what the GuardDuty
// protection plan, SSM document, WAF rule metrics, WAF Classic and IAM
// Identity Center rules need. It runs after addCompliantServices (which
// creates the SSM and WAF regions).
func addCompliantWAFIdentity(s *model.Snapshot) {
	patchCompliantGuardDutyFeatures(s)
	addCompliantSSMDocuments(s)
	addCompliantWAFRuleGroups(s)
	addCompliantWAFClassic(s)
	addCompliantIdentityCenter(s)
}

// wafIdentityFixtures merges the fixtures of the rules named above.
func wafIdentityFixtures() map[string]fixture {
	return mergeFixtures(wafClassicFixtures(), identityCenterFixtures())
}

// compliantClassicScope is one WAF Classic scope holding a web ACL with a
// rule and a rule group, the rule with a condition, the group with the
// rule, and logging.
func compliantClassicScope(name, arnBase, metaRegion string) wafclassic.Region {
	meta := func(res string) core.Meta { return core.Meta{ARN: arnBase + res, Account: acct, Region: metaRegion} }
	return wafclassic.Region{
		Name: name,
		WebACLs: core.Known([]wafclassic.WebACL{{
			Meta: meta("webacl/acl-1"), ID: "acl-1", Name: "legacy", DefaultAction: "ALLOW",
			Rules: core.Known([]wafclassic.ActivatedRule{
				{RuleID: "rule-1", Priority: 1, Type: wafclassic.TypeRegular, Action: "BLOCK"},
				{RuleID: "grp-1", Priority: 2, Type: wafclassic.TypeGroup, OverrideAction: "NONE"}}),
			Logging: core.Known(&wafclassic.Logging{DestinationARNs: []string{
				"arn:aws:firehose:us-east-1:" + acct + ":deliverystream/aws-waf-logs-legacy"}}),
		}}),
		Rules: core.Known([]wafclassic.Rule{{
			Meta: meta("rule/rule-1"), ID: "rule-1", Name: "block-bad-ips",
			Predicates: core.Known([]wafclassic.Predicate{{Type: "IPMatch", DataID: "ipset-1"}}),
		}}),
		RuleGroups: core.Known([]wafclassic.RuleGroup{{
			Meta: meta("rulegroup/grp-1"), ID: "grp-1", Name: "group",
			Rules: core.Known([]wafclassic.ActivatedRule{{RuleID: "rule-1", Priority: 1, Type: wafclassic.TypeRegular, Action: "BLOCK"}}),
		}}),
	}
}

// addCompliantWAFClassic gives the compliant world WAF Classic resources in
// the global scope and in svcRegion (every other region is read and empty).
func addCompliantWAFClassic(s *model.Snapshot) {
	if s.WAFClassic.Global.Name == "" {
		s.WAFClassic.Global = compliantClassicScope(core.GlobalRegion, "arn:aws:waf::"+acct+":", core.GlobalRegion)
	}
	for _, r := range testRegions {
		ensureRegion(&s.WAFClassic.Regions, r, func(n string) wafclassic.Region {
			if n == svcRegion {
				return compliantClassicScope(n, "arn:aws:waf-regional:"+n+":"+acct+":", n)
			}
			return wafclassic.Region{Name: n, WebACLs: core.Known([]wafclassic.WebACL{}),
				Rules: core.Known([]wafclassic.Rule{}), RuleGroups: core.Known([]wafclassic.RuleGroup{})}
		}, func(x *wafclassic.Region) string { return x.Name })
	}
}

func classicRegion(s *model.Snapshot, name string) *wafclassic.Region {
	if name == core.GlobalRegion {
		return &s.WAFClassic.Global
	}
	for i := range s.WAFClassic.Regions {
		if s.WAFClassic.Regions[i].Name == name {
			return &s.WAFClassic.Regions[i]
		}
	}
	panic("no WAF Classic region " + name)
}

func wafClassicFixtures() map[string]fixture {
	return map[string]fixture{
		"waf-classic-global-web-acl-logging": failWhen(func(s *model.Snapshot) {
			classicRegion(s, core.GlobalRegion).WebACLs.V[0].Logging = core.Known[*wafclassic.Logging](nil)
		}),
		"waf-classic-regional-rule-has-conditions": failWhen(func(s *model.Snapshot) {
			classicRegion(s, svcRegion).Rules.V[0].Predicates = core.Known([]wafclassic.Predicate{})
		}),
		"waf-classic-regional-rule-group-has-rules": failWhen(func(s *model.Snapshot) {
			classicRegion(s, svcRegion).RuleGroups.V[0].Rules = core.Known([]wafclassic.ActivatedRule{})
		}),
		"waf-classic-regional-web-acl-has-rules": failWhen(func(s *model.Snapshot) {
			classicRegion(s, svcRegion).WebACLs.V[0].Rules = core.Known([]wafclassic.ActivatedRule{})
		}),
		"waf-classic-global-rule-has-conditions": failWhen(func(s *model.Snapshot) {
			classicRegion(s, core.GlobalRegion).Rules.V[0].Predicates = core.Known([]wafclassic.Predicate{})
		}),
		"waf-classic-global-rule-group-has-rules": failWhen(func(s *model.Snapshot) {
			classicRegion(s, core.GlobalRegion).RuleGroups.V[0].Rules = core.Known([]wafclassic.ActivatedRule{})
		}),
		"waf-classic-global-web-acl-has-rules": failWhen(func(s *model.Snapshot) {
			classicRegion(s, core.GlobalRegion).WebACLs.V[0].Rules = core.Known([]wafclassic.ActivatedRule{})
		}),
	}
}

// TestWAFClassicScopes: each rule judges only its own scope (global vs
// Regional), an account without Classic resources gets no results, and
// an unreadable scope (the API no longer answers) is UNKNOWN, never PASS.
func TestWAFClassicScopes(t *testing.T) {
	regional := []string{"waf-classic-regional-rule-has-conditions", "waf-classic-regional-rule-group-has-rules", "waf-classic-regional-web-acl-has-rules"}
	global := []string{"waf-classic-global-rule-has-conditions", "waf-classic-global-rule-group-has-rules", "waf-classic-global-web-acl-has-rules",
		"waf-classic-global-web-acl-logging"}

	// Breaking the global scope fails only the global rules.
	s := compliantSnapshot()
	g := classicRegion(s, core.GlobalRegion)
	g.WebACLs.V[0].Rules = core.Known([]wafclassic.ActivatedRule{})
	g.Rules.V[0].Predicates = core.Known([]wafclassic.Predicate{})
	g.RuleGroups.V[0].Rules = core.Known([]wafclassic.ActivatedRule{})
	g.WebACLs.V[0].Logging = core.Known[*wafclassic.Logging](nil)
	for _, id := range global {
		res := ruleByID(t, id).Check(s)
		if len(res) != 1 || res[0].Status != Fail || res[0].Region != core.GlobalRegion || !strings.HasPrefix(res[0].ResourceARN, "arn:aws:waf::"+acct+":") {
			t.Errorf("%s: %+v", id, res)
		}
	}
	for _, id := range regional {
		for _, r := range ruleByID(t, id).Check(s) {
			if r.Status != Pass || r.Region != svcRegion || !strings.HasPrefix(r.ResourceARN, "arn:aws:waf-regional:"+svcRegion+":") {
				t.Errorf("%s: %+v", id, r)
			}
		}
	}

	// No Classic resources anywhere: nothing to judge, no results.
	s = compliantSnapshot()
	empty := func(n string) wafclassic.Region {
		return wafclassic.Region{Name: n, WebACLs: core.Known([]wafclassic.WebACL{}), Rules: core.Known([]wafclassic.Rule{}),
			RuleGroups: core.Known([]wafclassic.RuleGroup{})}
	}
	s.WAFClassic.Global = empty(core.GlobalRegion)
	for i := range s.WAFClassic.Regions {
		s.WAFClassic.Regions[i] = empty(s.WAFClassic.Regions[i].Name)
	}
	for _, id := range append(regional, global...) {
		if res := ruleByID(t, id).Check(s); len(res) != 0 {
			t.Errorf("%s on an account without WAF Classic: %+v", id, res)
		}
	}

	// The API no longer answers: one UNKNOWN per scope with the reason.
	const why = "not supported (waf-regional:ListRules)"
	classicRegion(s, svcRegion).Rules = core.Unknown[[]wafclassic.Rule](why)
	s.WAFClassic.Global.WebACLs = core.Unknown[[]wafclassic.WebACL]("not supported (waf:ListWebACLs)")
	res := ruleByID(t, "waf-classic-regional-rule-has-conditions").Check(s)
	if len(res) != 1 || res[0].Status != Unknown || !strings.Contains(res[0].Message, why) || res[0].Region != svcRegion {
		t.Errorf("unreadable regional rules: %+v", res)
	}
	for _, id := range []string{"waf-classic-global-web-acl-has-rules", "waf-classic-global-web-acl-logging"} {
		res := ruleByID(t, id).Check(s)
		if len(res) != 1 || res[0].Status != Unknown || res[0].ResourceARN != "arn:aws:waf::"+acct+":webacl/*" {
			t.Errorf("%s with unreadable global web ACLs: %+v", id, res)
		}
	}
}

// TestWAFClassicItemUnknowns: a resource whose details are unreadable is
// UNKNOWN with the reason; a rate-based rule in a web ACL counts as a rule.
func TestWAFClassicItemUnknowns(t *testing.T) {
	s := compliantSnapshot()
	r := classicRegion(s, svcRegion)
	r.Rules.V[0].Predicates = core.Unknown[[]wafclassic.Predicate]("access denied (waf-regional:GetRule)")
	r.RuleGroups.V[0].Rules = core.Unknown[[]wafclassic.ActivatedRule]("access denied (waf-regional:ListActivatedRulesInRuleGroup)")
	r.WebACLs.V[0].Rules = core.Known([]wafclassic.ActivatedRule{{RuleID: "rate-1", Type: wafclassic.TypeRateBased, Action: "BLOCK"}})
	classicRegion(s, core.GlobalRegion).WebACLs.V[0].Logging = core.Unknown[*wafclassic.Logging]("access denied (waf:GetLoggingConfiguration)")
	want := map[string]Status{
		"waf-classic-regional-rule-has-conditions":  Unknown,
		"waf-classic-regional-rule-group-has-rules": Unknown,
		"waf-classic-regional-web-acl-has-rules":    Pass,
		"waf-classic-global-web-acl-logging":        Unknown,
	}
	for id, w := range want {
		res := ruleByID(t, id).Check(s)
		if len(res) != 1 || res[0].Status != w || w == Unknown && !strings.Contains(res[0].Message, "access denied") {
			t.Errorf("%s: %+v, want %s", id, res, w)
		}
	}
}
