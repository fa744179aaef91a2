package wafclassic

import (
	"context"
	"fmt"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awswaf "github.com/aws/aws-sdk-go-v2/service/waf"
	waftypes "github.com/aws/aws-sdk-go-v2/service/waf/types"
	awswafr "github.com/aws/aws-sdk-go-v2/service/wafregional"
	wafrtypes "github.com/aws/aws-sdk-go-v2/service/wafregional/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	wcm "github.com/demarc-sec/demarc/internal/model/wafclassic"
)

const acct = "111122223333"

var denied = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}

// TestCollectMoto: moto 5.2 has no WAF Classic (it answers HTTP 500 with an
// HTML page). The collector must finish without panicking and leave every
// list unknown with a clear "not supported" reason: never an empty list,
// which would read as "no Classic resources".
func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1", "us-east-1"})
	err := New().Collect(context.Background(), m.Env, "us-east-1", snap)
	w := snap.WAFClassic
	if len(w.Regions) != 2 || w.Regions[0].Name != "eu-west-1" || w.Global.Name != core.GlobalRegion {
		t.Fatalf("state = %+v", w)
	}
	for _, r := range append([]wcm.Region{w.Global}, w.Regions...) {
		svc := "waf-regional"
		if r.Name == core.GlobalRegion {
			svc = "waf"
		}
		for what, v := range map[string]interface {
			Why() string
		}{"ListWebACLs": r.WebACLs, "ListRules": r.Rules, "ListRuleGroups": r.RuleGroups} {
			if want := "not supported (" + svc + ":" + what + ")"; v.Why() != want {
				t.Errorf("%s %s: reason %q, want %q", r.Name, what, v.Why(), want)
			}
		}
	}
	if err == nil {
		t.Error("every region failed but Collect returned no error")
	}
	if n := len(m.Env.Errors()); n != 9 {
		t.Errorf("%d collection errors, want 9 (3 lists x 3 scopes): %+v", n, m.Env.Errors())
	}
}

// fake is a neutral WAF Classic API: two pages of each list, one web ACL
// whose logging is unreadable, one rule whose conditions are denied.
type fake struct{}

func page[T any](m *string, first, second []T) ([]T, *string, error) {
	if m == nil {
		return first, sdk.String("p2"), nil
	}
	return second, nil, nil
}

func (fake) ListWebACLs(_ context.Context, m *string) ([]Summary, *string, error) {
	return page(m, []Summary{{ID: "acl-2", Name: "empty"}}, []Summary{{ID: "acl-1", Name: "api"}, {ID: "acl-3", Name: "denied-logging"}})
}

func (fake) GetWebACL(_ context.Context, id string) (WebACLDetails, error) {
	switch id {
	case "acl-1":
		return WebACLDetails{ARN: "arn:aws:waf-regional:eu-west-1:" + acct + ":webacl/acl-1", DefaultAction: "BLOCK", Rules: []wcm.ActivatedRule{
			{RuleID: "grp-1", Priority: 2, Type: wcm.TypeGroup, OverrideAction: "NONE"},
			{RuleID: "rule-1", Priority: 1, Type: wcm.TypeRegular, Action: "ALLOW"}}}, nil
	case "acl-2":
		return WebACLDetails{DefaultAction: "ALLOW"}, nil
	}
	return WebACLDetails{DefaultAction: "ALLOW", Rules: []wcm.ActivatedRule{{RuleID: "rule-1", Type: wcm.TypeRegular, Action: "BLOCK"}}}, nil
}

func (fake) GetLoggingConfiguration(_ context.Context, arn string) ([]string, bool, error) {
	switch {
	case strings.HasSuffix(arn, "acl-1"):
		return []string{"arn:aws:firehose:eu-west-1:" + acct + ":deliverystream/aws-waf-logs-api"}, true, nil
	case strings.HasSuffix(arn, "acl-3"):
		return nil, false, denied
	}
	return nil, false, nil
}

func (fake) ListRules(_ context.Context, m *string) ([]Summary, *string, error) {
	return page(m, []Summary{{ID: "rule-2", Name: "no-conditions"}}, []Summary{{ID: "rule-1", Name: "allow-office"}, {ID: "rule-3", Name: "unreadable"}})
}

func (fake) GetRule(_ context.Context, id string) ([]wcm.Predicate, error) {
	switch id {
	case "rule-1":
		return []wcm.Predicate{{Type: "IPMatch", DataID: "ipset-1"}}, nil
	case "rule-3":
		return nil, denied
	}
	return nil, nil
}

func (fake) ListRuleGroups(_ context.Context, m *string) ([]Summary, *string, error) {
	return page(m, []Summary{{ID: "grp-2", Name: "empty-group"}}, []Summary{{ID: "grp-1", Name: "group"}})
}

func (fake) ListActivatedRulesInRuleGroup(_ context.Context, id string, m *string) ([]wcm.ActivatedRule, *string, error) {
	if id == "grp-2" {
		return nil, nil, nil
	}
	return page(m, []wcm.ActivatedRule{{RuleID: "rule-2", Priority: 5, Type: wcm.TypeRegular, Action: "COUNT"}},
		[]wcm.ActivatedRule{{RuleID: "rule-1", Priority: 1, Type: wcm.TypeRegular, Action: "BLOCK"}})
}

func TestCollectScope(t *testing.T) {
	env := &aws.Env{AccountID: acct, Partition: "aws"}
	base := "arn:aws:waf-regional:eu-west-1:" + acct + ":"
	r, err := CollectScope(context.Background(), env, fake{}, Scope{Service: "waf-regional", Region: "eu-west-1", Name: "eu-west-1", ARNBase: base})
	if err != nil {
		t.Fatal(err)
	}
	acls := kittest.Known(t, "web ACLs", r.WebACLs)
	if len(acls) != 3 || acls[0].Name != "api" || acls[1].Name != "denied-logging" || acls[2].Name != "empty" {
		t.Fatalf("web ACLs = %+v", acls)
	}
	api := acls[0]
	rules := kittest.Known(t, "api rules", api.Rules)
	if api.ARN != base+"webacl/acl-1" || api.DefaultAction != "BLOCK" || api.Region != "eu-west-1" || api.Account != acct ||
		len(rules) != 2 || rules[0].RuleID != "rule-1" || rules[1].Type != wcm.TypeGroup {
		t.Errorf("api = %+v", api)
	}
	if l := kittest.Known(t, "api logging", api.Logging); l == nil || len(l.DestinationARNs) != 1 {
		t.Errorf("api logging = %+v", l)
	}
	if acls[1].Logging.Ok || acls[1].Logging.Why() != "access denied (waf-regional:GetLoggingConfiguration)" {
		t.Errorf("denied logging = %+v", acls[1].Logging)
	}
	if l := kittest.Known(t, "empty logging", acls[2].Logging); l != nil {
		t.Errorf("no logging configuration read as %+v", l)
	}
	if got := kittest.Known(t, "empty rules", acls[2].Rules); got == nil || len(got) != 0 || acls[2].ARN != base+"webacl/acl-2" {
		t.Errorf("empty web ACL = %+v", acls[2])
	}

	rs := kittest.Known(t, "rules", r.Rules)
	if len(rs) != 3 || rs[0].Name != "allow-office" || rs[1].Name != "no-conditions" || rs[2].Name != "unreadable" {
		t.Fatalf("rules = %+v", rs)
	}
	if p := kittest.Known(t, "predicates", rs[0].Predicates); len(p) != 1 || p[0].Type != "IPMatch" || rs[0].ARN != base+"rule/rule-1" {
		t.Errorf("allow-office = %+v", rs[0])
	}
	if p := kittest.Known(t, "no predicates", rs[1].Predicates); p == nil || len(p) != 0 {
		t.Errorf("no-conditions = %+v", rs[1].Predicates)
	}
	if rs[2].Predicates.Ok || rs[2].Predicates.Why() != "access denied (waf-regional:GetRule)" {
		t.Errorf("unreadable = %+v", rs[2].Predicates)
	}

	gs := kittest.Known(t, "rule groups", r.RuleGroups)
	if len(gs) != 2 || gs[0].Name != "empty-group" || gs[1].Name != "group" || gs[1].ARN != base+"rulegroup/grp-1" {
		t.Fatalf("rule groups = %+v", gs)
	}
	if a := kittest.Known(t, "empty group", gs[0].Rules); a == nil || len(a) != 0 {
		t.Errorf("empty group = %+v", gs[0].Rules)
	}
	if a := kittest.Known(t, "group", gs[1].Rules); len(a) != 2 || a[0].RuleID != "rule-1" || a[1].RuleID != "rule-2" {
		t.Errorf("group rules (paged, by priority) = %+v", a)
	}
}

// deniedClient fails every call.
type deniedClient struct{ fake }

func (deniedClient) ListWebACLs(context.Context, *string) ([]Summary, *string, error) {
	return nil, nil, denied
}
func (deniedClient) ListRules(context.Context, *string) ([]Summary, *string, error) {
	return nil, nil, denied
}
func (deniedClient) ListRuleGroups(context.Context, *string) ([]Summary, *string, error) {
	return nil, nil, denied
}

func TestCollectScopeDenied(t *testing.T) {
	env := &aws.Env{AccountID: acct, Partition: "aws"}
	r, err := CollectScope(context.Background(), env, deniedClient{}, Scope{Service: "waf", Region: "us-east-1", Name: core.GlobalRegion,
		ARNBase: "arn:aws:waf::" + acct + ":"})
	if err == nil {
		t.Error("every list denied but no error")
	}
	if r.WebACLs.Ok || r.Rules.Ok || r.RuleGroups.Ok || r.WebACLs.Why() != "access denied (waf:ListWebACLs)" {
		t.Errorf("region = %+v", r)
	}
	if len(env.Errors()) != 3 {
		t.Errorf("errors = %+v", env.Errors())
	}
}

// sdkGlobal and sdkRegional answer in the SDK's own types, to test the
// adapters: one web ACL with a rule group, one rule with one condition, one
// rule group with one rule; no logging configuration.
type sdkGlobal struct{}

func (sdkGlobal) ListWebACLs(_ context.Context, in *awswaf.ListWebACLsInput, _ ...func(*awswaf.Options)) (*awswaf.ListWebACLsOutput, error) {
	if in.Limit != pageLimit {
		return nil, fmt.Errorf("limit %d", in.Limit)
	}
	return &awswaf.ListWebACLsOutput{WebACLs: []waftypes.WebACLSummary{{WebACLId: sdk.String("a1"), Name: sdk.String("edge")}}}, nil
}

func (sdkGlobal) GetWebACL(context.Context, *awswaf.GetWebACLInput, ...func(*awswaf.Options)) (*awswaf.GetWebACLOutput, error) {
	return &awswaf.GetWebACLOutput{WebACL: &waftypes.WebACL{WebACLArn: sdk.String("arn:aws:waf::" + acct + ":webacl/a1"),
		DefaultAction: &waftypes.WafAction{Type: waftypes.WafActionTypeAllow},
		Rules: []waftypes.ActivatedRule{{RuleId: sdk.String("g1"), Priority: sdk.Int32(1), Type: waftypes.WafRuleTypeGroup,
			OverrideAction: &waftypes.WafOverrideAction{Type: waftypes.WafOverrideActionTypeNone}}}}}, nil
}

func (sdkGlobal) GetLoggingConfiguration(context.Context, *awswaf.GetLoggingConfigurationInput, ...func(*awswaf.Options)) (*awswaf.GetLoggingConfigurationOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "WAFNonexistentItemException", Message: "no logging configuration"}
}

func (sdkGlobal) ListRules(context.Context, *awswaf.ListRulesInput, ...func(*awswaf.Options)) (*awswaf.ListRulesOutput, error) {
	return &awswaf.ListRulesOutput{Rules: []waftypes.RuleSummary{{RuleId: sdk.String("r1"), Name: sdk.String("geo")}}}, nil
}

func (sdkGlobal) GetRule(context.Context, *awswaf.GetRuleInput, ...func(*awswaf.Options)) (*awswaf.GetRuleOutput, error) {
	return &awswaf.GetRuleOutput{Rule: &waftypes.Rule{Predicates: []waftypes.Predicate{
		{Type: waftypes.PredicateTypeGeoMatch, DataId: sdk.String("geo-1"), Negated: sdk.Bool(true)}}}}, nil
}

func (sdkGlobal) ListRuleGroups(context.Context, *awswaf.ListRuleGroupsInput, ...func(*awswaf.Options)) (*awswaf.ListRuleGroupsOutput, error) {
	return &awswaf.ListRuleGroupsOutput{RuleGroups: []waftypes.RuleGroupSummary{{RuleGroupId: sdk.String("g1"), Name: sdk.String("grp")}}}, nil
}

func (sdkGlobal) ListActivatedRulesInRuleGroup(context.Context, *awswaf.ListActivatedRulesInRuleGroupInput, ...func(*awswaf.Options)) (*awswaf.ListActivatedRulesInRuleGroupOutput, error) {
	return &awswaf.ListActivatedRulesInRuleGroupOutput{ActivatedRules: []waftypes.ActivatedRule{
		{RuleId: sdk.String("r1"), Priority: sdk.Int32(3), Action: &waftypes.WafAction{Type: waftypes.WafActionTypeBlock}}}}, nil
}

type sdkRegional struct{}

func (sdkRegional) ListWebACLs(context.Context, *awswafr.ListWebACLsInput, ...func(*awswafr.Options)) (*awswafr.ListWebACLsOutput, error) {
	return &awswafr.ListWebACLsOutput{WebACLs: []wafrtypes.WebACLSummary{{WebACLId: sdk.String("a1"), Name: sdk.String("alb")}}}, nil
}

func (sdkRegional) GetWebACL(context.Context, *awswafr.GetWebACLInput, ...func(*awswafr.Options)) (*awswafr.GetWebACLOutput, error) {
	return &awswafr.GetWebACLOutput{WebACL: &wafrtypes.WebACL{DefaultAction: &wafrtypes.WafAction{Type: wafrtypes.WafActionTypeBlock}}}, nil
}

func (sdkRegional) GetLoggingConfiguration(context.Context, *awswafr.GetLoggingConfigurationInput, ...func(*awswafr.Options)) (*awswafr.GetLoggingConfigurationOutput, error) {
	return &awswafr.GetLoggingConfigurationOutput{LoggingConfiguration: &wafrtypes.LoggingConfiguration{
		LogDestinationConfigs: []string{"arn:aws:firehose:eu-west-1:" + acct + ":deliverystream/aws-waf-logs-alb"}}}, nil
}

func (sdkRegional) ListRules(context.Context, *awswafr.ListRulesInput, ...func(*awswafr.Options)) (*awswafr.ListRulesOutput, error) {
	return &awswafr.ListRulesOutput{Rules: []wafrtypes.RuleSummary{{RuleId: sdk.String("r1"), Name: sdk.String("empty")}}}, nil
}

func (sdkRegional) GetRule(context.Context, *awswafr.GetRuleInput, ...func(*awswafr.Options)) (*awswafr.GetRuleOutput, error) {
	return &awswafr.GetRuleOutput{Rule: &wafrtypes.Rule{}}, nil
}

func (sdkRegional) ListRuleGroups(context.Context, *awswafr.ListRuleGroupsInput, ...func(*awswafr.Options)) (*awswafr.ListRuleGroupsOutput, error) {
	return &awswafr.ListRuleGroupsOutput{}, nil
}

func (sdkRegional) ListActivatedRulesInRuleGroup(context.Context, *awswafr.ListActivatedRulesInRuleGroupInput, ...func(*awswafr.Options)) (*awswafr.ListActivatedRulesInRuleGroupOutput, error) {
	return nil, fmt.Errorf("not called: no rule groups")
}

func TestAdapters(t *testing.T) {
	env := &aws.Env{AccountID: acct, Partition: "aws"}
	g, err := CollectScope(context.Background(), env, Global(sdkGlobal{}), Scope{Service: "waf", Region: "us-east-1", Name: core.GlobalRegion,
		ARNBase: "arn:aws:waf::" + acct + ":"})
	if err != nil {
		t.Fatal(err)
	}
	kittest.NoErrors(t, env)
	acl := kittest.Known(t, "global web ACLs", g.WebACLs)[0]
	if acl.ARN != "arn:aws:waf::"+acct+":webacl/a1" || acl.Region != core.GlobalRegion || acl.DefaultAction != "ALLOW" {
		t.Errorf("global web ACL = %+v", acl)
	}
	if r := kittest.Known(t, "global web ACL rules", acl.Rules); len(r) != 1 || r[0].Type != wcm.TypeGroup || r[0].OverrideAction != "NONE" {
		t.Errorf("global web ACL rules = %+v", r)
	}
	if l := kittest.Known(t, "global logging", acl.Logging); l != nil {
		t.Errorf("WAFNonexistentItemException read as logging %+v", l)
	}
	rule := kittest.Known(t, "global rules", g.Rules)[0]
	if p := kittest.Known(t, "predicates", rule.Predicates); len(p) != 1 || p[0].Type != "GeoMatch" || !p[0].Negated || p[0].DataID != "geo-1" ||
		rule.ARN != "arn:aws:waf::"+acct+":rule/r1" {
		t.Errorf("global rule = %+v", rule)
	}
	grp := kittest.Known(t, "global groups", g.RuleGroups)[0]
	// Type left out by the API: REGULAR is its documented default.
	if a := kittest.Known(t, "group rules", grp.Rules); len(a) != 1 || a[0].Type != wcm.TypeRegular || a[0].Action != "BLOCK" || a[0].Priority != 3 {
		t.Errorf("global group rules = %+v", a)
	}

	r, err := CollectScope(context.Background(), env, Regional(sdkRegional{}), Scope{Service: "waf-regional", Region: "eu-west-1", Name: "eu-west-1",
		ARNBase: "arn:aws:waf-regional:eu-west-1:" + acct + ":"})
	if err != nil {
		t.Fatal(err)
	}
	kittest.NoErrors(t, env)
	racl := kittest.Known(t, "regional web ACLs", r.WebACLs)[0]
	if racl.ARN != "arn:aws:waf-regional:eu-west-1:"+acct+":webacl/a1" || racl.DefaultAction != "BLOCK" || racl.Region != "eu-west-1" {
		t.Errorf("regional web ACL (ARN built when the API leaves it out) = %+v", racl)
	}
	if l := kittest.Known(t, "regional logging", racl.Logging); l == nil || len(l.DestinationARNs) != 1 {
		t.Errorf("regional logging = %+v", l)
	}
	if p := kittest.Known(t, "regional predicates", kittest.Known(t, "regional rules", r.Rules)[0].Predicates); p == nil || len(p) != 0 {
		t.Errorf("rule without conditions = %+v", p)
	}
	if gs := kittest.Known(t, "regional groups", r.RuleGroups); len(gs) != 0 {
		t.Errorf("regional groups = %+v", gs)
	}
}
