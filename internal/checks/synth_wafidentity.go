package checks

import (
	"fmt"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/identitycenter"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
	"github.com/demarc-sec/demarc/internal/model/ssm"
	"github.com/demarc-sec/demarc/internal/model/wafclassic"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

// addSyntheticWAFIdentity fills in what the GuardDuty protection plan, SSM
// document, WAF rule metrics, WAF Classic and IAM Identity Center rules
// read, with a mix of outcomes: protection plans on the enabled detectors,
// a few SSM documents and WAF rule groups per region (one of each per
// 1,000 resources more), legacy WAF Classic resources in the global scope
// and one region, and an Identity Center instance in us-east-1.
func addSyntheticWAFIdentity(s *model.Snapshot, acct string, n int) {
	perRegion := max(2, n/1000/len(syntheticRegions))
	onOff := func(on bool) string {
		if on {
			return "ENABLED"
		}
		return "DISABLED"
	}
	for ri := range s.Security {
		g := &s.Security[ri].GuardDuty
		if g.Ok && g.V.Enabled() && g.V.Features == nil {
			g.V.Features = []secsvc.GuardDutyFeature{
				{Name: secsvc.FeatureRDSLoginEvents, Status: onOff(ri%2 == 0)},
				{Name: secsvc.FeatureS3DataEvents, Status: onOff(ri != 1)},
			}
		}
	}

	for ri := range s.SSM {
		r := &s.SSM[ri]
		if r.Documents.Ok {
			continue
		}
		docs := make([]ssm.Document, 0, perRegion)
		for i := 0; i < perRegion; i++ {
			name := fmt.Sprintf("runbook-%d", i)
			shared := []string{}
			switch {
			case i == 0 && ri == 0:
				shared = []string{ssm.PublicShareID}
			case i%2 == 1:
				shared = []string{"444455556666"}
			}
			docs = append(docs, ssm.Document{
				Meta: core.Meta{ARN: "arn:aws:ssm:" + r.Name + ":" + acct + ":document/" + name, Account: acct, Region: r.Name},
				Name: name, DocumentType: "Automation", SharedWith: core.Known(shared),
			})
		}
		r.Documents = core.Known(docs)
	}

	for ri := range s.WAFv2.Regions {
		r := &s.WAFv2.Regions[ri]
		if r.RuleGroups.Ok {
			continue
		}
		groups := make([]wafv2.RuleGroup, 0, perRegion)
		for i := 0; i < perRegion; i++ {
			name, id := fmt.Sprintf("group-%d", i), fmt.Sprintf("rg-%d-%d", ri, i)
			metrics := !(i == 0 && ri == 0)
			groups = append(groups, wafv2.RuleGroup{
				Meta: core.Meta{ARN: "arn:aws:wafv2:" + r.Name + ":" + acct + ":regional/rulegroup/" + name + "/" + id, Account: acct, Region: r.Name},
				ID:   id, Name: name, Scope: wafv2.ScopeRegional,
				Details: core.Known(wafv2.RuleGroupDetails{MetricsEnabled: true, Capacity: 50, Rules: []wafv2.Rule{
					{Name: "geo", Priority: 1, Action: "BLOCK", Statement: "GeoMatch", MetricsEnabled: true},
					{Name: "rate", Priority: 2, Action: "BLOCK", Statement: "RateBased", MetricsEnabled: metrics},
				}}),
			})
		}
		r.RuleGroups = core.Known(groups)
	}
	if !s.WAFv2.CloudFrontRuleGroups.Ok {
		s.WAFv2.CloudFrontRuleGroups = core.Known([]wafv2.RuleGroup{})
	}

	if s.WAFClassic.Global.Name == "" {
		s.WAFClassic.Global = syntheticClassicScope(core.GlobalRegion, "arn:aws:waf::"+acct+":", core.GlobalRegion, acct, false)
	}
	for i, region := range syntheticRegions {
		if synthHasRegion(s.WAFClassic.Regions, region, func(r wafclassic.Region) string { return r.Name }) {
			continue
		}
		if i == 0 {
			s.WAFClassic.Regions = append(s.WAFClassic.Regions,
				syntheticClassicScope(region, "arn:aws:waf-regional:"+region+":"+acct+":", region, acct, true))
			continue
		}
		s.WAFClassic.Regions = append(s.WAFClassic.Regions, wafclassic.Region{Name: region,
			WebACLs: core.Known([]wafclassic.WebACL{}), Rules: core.Known([]wafclassic.Rule{}), RuleGroups: core.Known([]wafclassic.RuleGroup{})})
	}

	for _, region := range syntheticRegions {
		if synthHasRegion(s.IdentityCenter, region, func(r identitycenter.Region) string { return r.Name }) {
			continue
		}
		insts := []identitycenter.Instance{}
		if region == "us-east-1" {
			insts = append(insts, syntheticIdentityCenter(region, acct))
		}
		s.IdentityCenter = append(s.IdentityCenter, identitycenter.Region{Name: region, Instances: core.Known(insts)})
	}
}

// syntheticClassicScope is a forgotten WAF Classic setup: a web ACL with a
// rule (and, when broken, one without), a rule with a condition and one
// without, a rule group with a rule and an empty one.
func syntheticClassicScope(name, arnBase, metaRegion, acct string, logged bool) wafclassic.Region {
	meta := func(res string) core.Meta { return core.Meta{ARN: arnBase + res, Account: acct, Region: metaRegion} }
	var logging core.Val[*wafclassic.Logging]
	if logged {
		logging = core.Known(&wafclassic.Logging{DestinationARNs: []string{"arn:aws:firehose:us-east-1:" + acct + ":deliverystream/aws-waf-logs-old"}})
	} else {
		logging = core.Known[*wafclassic.Logging](nil)
	}
	block := wafclassic.ActivatedRule{RuleID: "r-1", Priority: 1, Type: wafclassic.TypeRegular, Action: "BLOCK"}
	return wafclassic.Region{
		Name: name,
		WebACLs: core.Known([]wafclassic.WebACL{
			{Meta: meta("webacl/a-1"), ID: "a-1", Name: "old-site", DefaultAction: "ALLOW", Rules: core.Known([]wafclassic.ActivatedRule{block}), Logging: logging},
			{Meta: meta("webacl/a-2"), ID: "a-2", Name: "placeholder", DefaultAction: "ALLOW", Rules: core.Known([]wafclassic.ActivatedRule{}),
				Logging: core.Known[*wafclassic.Logging](nil)},
		}),
		Rules: core.Known([]wafclassic.Rule{
			{Meta: meta("rule/r-1"), ID: "r-1", Name: "block-ips", Predicates: core.Known([]wafclassic.Predicate{{Type: "IPMatch", DataID: "ips-1"}})},
			{Meta: meta("rule/r-2"), ID: "r-2", Name: "todo", Predicates: core.Known([]wafclassic.Predicate{})},
		}),
		RuleGroups: core.Known([]wafclassic.RuleGroup{
			{Meta: meta("rulegroup/g-1"), ID: "g-1", Name: "group", Rules: core.Known([]wafclassic.ActivatedRule{block})},
			{Meta: meta("rulegroup/g-2"), ID: "g-2", Name: "empty", Rules: core.Known([]wafclassic.ActivatedRule{})},
		}),
	}
}

// syntheticIdentityCenter is an instance with an admin, a view-only and an
// inline-policy permission set.
func syntheticIdentityCenter(region, acct string) identitycenter.Instance {
	const inst = "arn:aws:sso:::instance/ssoins-7777888899990000"
	set := func(id, name string, managed []identitycenter.ManagedPolicy, inline string) identitycenter.PermissionSet {
		return identitycenter.PermissionSet{
			Meta:                    core.Meta{ARN: "arn:aws:sso:::permissionSet/ssoins-7777888899990000/ps-" + id, Account: acct, Region: region},
			Details:                 core.Known(identitycenter.Details{Name: name, SessionDuration: "PT1H"}),
			ManagedPolicies:         core.Known(managed),
			CustomerManagedPolicies: core.Known([]identitycenter.PolicyReference{}),
			InlinePolicy:            core.Known(inline),
			ProvisionedAccounts:     core.Known([]string{acct, "444455556666"}),
		}
	}
	return identitycenter.Instance{
		Meta: core.Meta{ARN: inst, Account: acct, Region: region}, IdentityStoreID: "d-7777888899", Status: "ACTIVE",
		PermissionSets: core.Known([]identitycenter.PermissionSet{
			set("0000000000000001", "Admin", []identitycenter.ManagedPolicy{{Name: adminPolicyName, ARN: "arn:aws:iam::aws:policy/" + adminPolicyName}}, ""),
			set("0000000000000002", "ViewOnly", []identitycenter.ManagedPolicy{{Name: "ViewOnlyAccess", ARN: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}}, ""),
			set("0000000000000003", "Deploy", []identitycenter.ManagedPolicy{},
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudformation:*","s3:PutObject"],"Resource":"*"}]}`),
		}),
	}
}
