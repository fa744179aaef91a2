package wafv2

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awswaf "github.com/aws/aws-sdk-go-v2/service/wafv2"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	wafm "github.com/demarc-sec/demarc/internal/model/wafv2"
)

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	s := sdk.String
	vis := &types.VisibilityConfig{CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: s("m")}
	rc := awswaf.NewFromConfig(m.Config("eu-west-1"))
	acl := kittest.Must(rc.CreateWebACL(ctx, &awswaf.CreateWebACLInput{Name: s("api"), Scope: types.ScopeRegional,
		DefaultAction: &types.DefaultAction{Block: &types.BlockAction{}}, VisibilityConfig: vis,
		Rules: []types.Rule{{Name: s("common"), Priority: 1, VisibilityConfig: vis,
			OverrideAction: &types.OverrideAction{None: &types.NoneAction{}},
			Statement: &types.Statement{ManagedRuleGroupStatement: &types.ManagedRuleGroupStatement{
				VendorName: s("AWS"), Name: s("AWSManagedRulesCommonRuleSet")}}}},
	}))
	alb := "arn:aws:elasticloadbalancing:eu-west-1:" + m.Env.AccountID + ":loadbalancer/app/web/0123456789abcdef"
	kittest.Must(rc.AssociateWebACL(ctx, &awswaf.AssociateWebACLInput{WebACLArn: acl.Summary.ARN, ResourceArn: s(alb)}))
	kittest.Must(rc.PutLoggingConfiguration(ctx, &awswaf.PutLoggingConfigurationInput{LoggingConfiguration: &types.LoggingConfiguration{
		ResourceArn:           acl.Summary.ARN,
		LogDestinationConfigs: []string{"arn:aws:firehose:eu-west-1:" + m.Env.AccountID + ":deliverystream/aws-waf-logs-api"}}}))
	cf := awswaf.NewFromConfig(m.Config("us-east-1"))
	kittest.Must(cf.CreateWebACL(ctx, &awswaf.CreateWebACLInput{Name: s("edge"), Scope: types.ScopeCloudfront,
		DefaultAction: &types.DefaultAction{Allow: &types.AllowAction{}}, VisibilityConfig: vis}))

	// A regional rule group whose second rule sends no metrics, and a
	// CloudFront one without any.
	noMetrics := &types.VisibilityConfig{CloudWatchMetricsEnabled: false, SampledRequestsEnabled: false, MetricName: s("quiet")}
	geo := &types.Statement{GeoMatchStatement: &types.GeoMatchStatement{CountryCodes: []types.CountryCode{types.CountryCodeKp}}}
	kittest.Must(rc.CreateRuleGroup(ctx, &awswaf.CreateRuleGroupInput{Name: s("own"), Scope: types.ScopeRegional, Capacity: sdk.Int64(10),
		VisibilityConfig: vis, Rules: []types.Rule{
			{Name: s("geo"), Priority: 1, Action: &types.RuleAction{Block: &types.BlockAction{}}, Statement: geo, VisibilityConfig: vis},
			{Name: s("quiet"), Priority: 2, Action: &types.RuleAction{Count: &types.CountAction{}}, Statement: geo, VisibilityConfig: noMetrics},
		}}))
	kittest.Must(cf.CreateRuleGroup(ctx, &awswaf.CreateRuleGroupInput{Name: s("edge-group"), Scope: types.ScopeCloudfront,
		Capacity: sdk.Int64(10), VisibilityConfig: noMetrics}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1", "us-east-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	// moto 5.2 has no ListResourcesForWebACL (it answers 500): the
	// associations stay unknown there; TestAssociations covers them.
	for _, e := range m.Env.Errors() {
		if e.Operation != "ListResourcesForWebACL" {
			t.Errorf("collect error: %+v", e)
		}
	}
	w := snap.WAFv2
	if len(w.Regions) != 2 || w.Regions[0].Name != "eu-west-1" {
		t.Fatalf("regions = %+v", w.Regions)
	}
	if acls := kittest.Known(t, "us-east-1 regional", w.Regions[1].WebACLs); len(acls) != 0 {
		t.Errorf("us-east-1 regional ACLs = %+v (the CloudFront one must not appear here)", acls)
	}
	acls := kittest.Known(t, "eu-west-1", w.Regions[0].WebACLs)
	if len(acls) != 1 {
		t.Fatalf("acls = %+v", acls)
	}
	a := acls[0]
	if a.Name != "api" || a.ARN != *acl.Summary.ARN || a.Scope != wafm.ScopeRegional || a.Region != "eu-west-1" {
		t.Errorf("acl = %+v", a)
	}
	d := kittest.Known(t, "details", a.Details)
	if d.DefaultAction != "BLOCK" || len(d.Rules) != 1 || d.Rules[0].ManagedRuleGroup != "AWS/AWSManagedRulesCommonRuleSet" ||
		d.Rules[0].OverrideAction != "NONE" || d.Rules[0].Statement != "ManagedRuleGroup" || !d.MetricsEnabled {
		t.Errorf("details = %+v", d)
	}
	if l := kittest.Known(t, "logging", a.Logging); l == nil || len(l.DestinationARNs) != 1 {
		t.Errorf("logging = %+v", l)
	}
	if res, complete := a.Resources(); len(a.Associations) != len(regionalTypes) || complete && (len(res) != 1 || res[0] != alb) {
		t.Errorf("resources = %v complete=%v: %+v", res, complete, a.Associations)
	}
	edge := kittest.Known(t, "cloudfront", w.CloudFront)
	if len(edge) != 1 || edge[0].Name != "edge" || edge[0].Region != core.GlobalRegion || edge[0].Scope != wafm.ScopeCloudFront {
		t.Fatalf("cloudfront = %+v", edge)
	}
	if d := kittest.Known(t, "edge details", edge[0].Details); d.DefaultAction != "ALLOW" || len(d.Rules) != 0 {
		t.Errorf("edge = %+v", d)
	}
	if l := kittest.Known(t, "edge logging", edge[0].Logging); l != nil {
		t.Errorf("edge logging = %+v, want none", l)
	}

	if g := kittest.Known(t, "us-east-1 regional rule groups", w.Regions[1].RuleGroups); len(g) != 0 {
		t.Errorf("us-east-1 regional rule groups = %+v (the CloudFront one must not appear here)", g)
	}
	groups := kittest.Known(t, "eu-west-1 rule groups", w.Regions[0].RuleGroups)
	if len(groups) != 1 || groups[0].Name != "own" || groups[0].Scope != wafm.ScopeRegional || groups[0].Region != "eu-west-1" ||
		groups[0].ARN == "" || groups[0].ID == "" {
		t.Fatalf("rule groups = %+v", groups)
	}
	gd := kittest.Known(t, "rule group details", groups[0].Details)
	if !gd.MetricsEnabled || len(gd.Rules) != 2 || !gd.Rules[0].MetricsEnabled || gd.Rules[1].MetricsEnabled ||
		gd.Rules[0].Action != "BLOCK" || gd.Rules[1].Name != "quiet" || gd.Rules[1].Statement != "GeoMatch" {
		t.Errorf("rule group details = %+v", gd)
	}
	cfg := kittest.Known(t, "cloudfront rule groups", w.CloudFrontRuleGroups)
	if len(cfg) != 1 || cfg[0].Name != "edge-group" || cfg[0].Region != core.GlobalRegion || cfg[0].Scope != wafm.ScopeCloudFront {
		t.Fatalf("cloudfront rule groups = %+v", cfg)
	}
	if d := kittest.Known(t, "edge group details", cfg[0].Details); d.MetricsEnabled || len(d.Rules) != 0 {
		t.Errorf("edge group details = %+v", d)
	}
}

// groupFake lists two rule groups; reading the second is denied.
type groupFake struct{ API }

func (groupFake) ListRuleGroups(_ context.Context, in *awswaf.ListRuleGroupsInput, _ ...func(*awswaf.Options)) (*awswaf.ListRuleGroupsOutput, error) {
	if in.NextMarker == nil {
		return &awswaf.ListRuleGroupsOutput{NextMarker: sdk.String("m"),
			RuleGroups: []types.RuleGroupSummary{{Name: sdk.String("b"), Id: sdk.String("2"), ARN: sdk.String("arn:b")}}}, nil
	}
	return &awswaf.ListRuleGroupsOutput{RuleGroups: []types.RuleGroupSummary{{Name: sdk.String("a"), Id: sdk.String("1"), ARN: sdk.String("arn:a")}}}, nil
}

func (groupFake) GetRuleGroup(_ context.Context, in *awswaf.GetRuleGroupInput, _ ...func(*awswaf.Options)) (*awswaf.GetRuleGroupOutput, error) {
	if sdk.ToString(in.Name) == "b" {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	}
	return &awswaf.GetRuleGroupOutput{RuleGroup: &types.RuleGroup{Capacity: sdk.Int64(5),
		VisibilityConfig: &types.VisibilityConfig{CloudWatchMetricsEnabled: true}}}, nil
}

func TestRuleGroups(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	v, err := CollectRuleGroups(context.Background(), env, groupFake{}, "eu-west-1", wafm.ScopeRegional)
	if err != nil {
		t.Fatal(err)
	}
	g := kittest.Known(t, "groups", v)
	if len(g) != 2 || g[0].Name != "a" || g[1].Name != "b" {
		t.Fatalf("groups = %+v", g)
	}
	if d := kittest.Known(t, "a", g[0].Details); !d.MetricsEnabled || d.Capacity != 5 || d.Rules == nil {
		t.Errorf("a = %+v", d)
	}
	if g[1].Details.Ok || g[1].Details.Why() != "access denied (wafv2:GetRuleGroup)" {
		t.Errorf("b = %+v", g[1].Details)
	}
}

// assocFake answers one ALB and denies App Runner.
type assocFake struct{ API }

func (assocFake) ListWebACLs(context.Context, *awswaf.ListWebACLsInput, ...func(*awswaf.Options)) (*awswaf.ListWebACLsOutput, error) {
	return &awswaf.ListWebACLsOutput{WebACLs: []types.WebACLSummary{{Name: sdk.String("a"), Id: sdk.String("1"), ARN: sdk.String("arn:acl")}}}, nil
}

func (assocFake) GetWebACL(context.Context, *awswaf.GetWebACLInput, ...func(*awswaf.Options)) (*awswaf.GetWebACLOutput, error) {
	return &awswaf.GetWebACLOutput{WebACL: &types.WebACL{DefaultAction: &types.DefaultAction{Allow: &types.AllowAction{}},
		Rules: []types.Rule{{Name: sdk.String("r"), Action: &types.RuleAction{Count: &types.CountAction{}},
			Statement: &types.Statement{RateBasedStatement: &types.RateBasedStatement{Limit: sdk.Int64(100)}}}}}}, nil
}

func (assocFake) GetLoggingConfiguration(context.Context, *awswaf.GetLoggingConfigurationInput, ...func(*awswaf.Options)) (*awswaf.GetLoggingConfigurationOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "WAFNonexistentItemException", Message: "no logging"}
}

func (assocFake) ListResourcesForWebACL(_ context.Context, in *awswaf.ListResourcesForWebACLInput, _ ...func(*awswaf.Options)) (*awswaf.ListResourcesForWebACLOutput, error) {
	switch in.ResourceType {
	case types.ResourceTypeApplicationLoadBalancer:
		return &awswaf.ListResourcesForWebACLOutput{ResourceArns: []string{"arn:alb"}}, nil
	case types.ResourceTypeAppRunnerService:
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	}
	return &awswaf.ListResourcesForWebACLOutput{}, nil
}

func TestAssociations(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	v, err := CollectScope(context.Background(), env, assocFake{}, "eu-west-1", wafm.ScopeRegional)
	if err != nil {
		t.Fatal(err)
	}
	a := kittest.Known(t, "acls", v)[0]
	if alb := kittest.Known(t, "alb", a.Associations["APPLICATION_LOAD_BALANCER"]); len(alb) != 1 || alb[0] != "arn:alb" {
		t.Errorf("alb = %v", alb)
	}
	// One type unreadable: the full list is incomplete, never "only the ALB".
	if res, complete := a.Resources(); complete || len(res) != 1 {
		t.Errorf("resources = %v complete=%v", res, complete)
	}
	if l := kittest.Known(t, "logging", a.Logging); l != nil {
		t.Errorf("logging = %+v", l)
	}
	if d := kittest.Known(t, "details", a.Details); d.DefaultAction != "ALLOW" || d.Rules[0].Action != "COUNT" || d.Rules[0].Statement != "RateBased" {
		t.Errorf("details = %+v", d)
	}
}
