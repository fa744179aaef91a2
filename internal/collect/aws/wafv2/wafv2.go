// Package wafv2 collects AWS WAF (v2) web ACLs: REGIONAL web ACLs in every
// region and CLOUDFRONT web ACLs (global, served by us-east-1), each with its
// rules and default action, logging configuration and, for regional web
// ACLs, the associated resources; and the account's own rule groups of both
// scopes with their rules and visibility (CloudWatch metrics) settings.
package wafv2

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awswaf "github.com/aws/aws-sdk-go-v2/service/wafv2"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	wafm "github.com/demarc-sec/demarc/internal/model/wafv2"
)

const service = "wafv2"

// cloudFrontRegion is where the CLOUDFRONT scope is served in the aws
// partition (https://docs.aws.amazon.com/waf/latest/APIReference/API_ListWebACLs.html).
const cloudFrontRegion = "us-east-1"

// regionalTypes are the resource types a REGIONAL web ACL can protect;
// ListResourcesForWebACL answers for one type at a time (default ALB).
var regionalTypes = []types.ResourceType{
	types.ResourceTypeApplicationLoadBalancer,
	types.ResourceTypeApiGateway,
	types.ResourceTypeAppsync,
	types.ResourceTypeCognitioUserPool,
	types.ResourceTypeAppRunnerService,
	types.ResourceTypeVerifiedAccessInstance,
}

// API is the part of the WAFv2 client the collector uses.
type API interface {
	ListWebACLs(context.Context, *awswaf.ListWebACLsInput, ...func(*awswaf.Options)) (*awswaf.ListWebACLsOutput, error)
	GetWebACL(context.Context, *awswaf.GetWebACLInput, ...func(*awswaf.Options)) (*awswaf.GetWebACLOutput, error)
	GetLoggingConfiguration(context.Context, *awswaf.GetLoggingConfigurationInput, ...func(*awswaf.Options)) (*awswaf.GetLoggingConfigurationOutput, error)
	ListResourcesForWebACL(context.Context, *awswaf.ListResourcesForWebACLInput, ...func(*awswaf.Options)) (*awswaf.ListResourcesForWebACLOutput, error)
	ListRuleGroups(context.Context, *awswaf.ListRuleGroupsInput, ...func(*awswaf.Options)) (*awswaf.ListRuleGroupsOutput, error)
	GetRuleGroup(context.Context, *awswaf.GetRuleGroupInput, ...func(*awswaf.Options)) (*awswaf.GetRuleGroupOutput, error)
}

type collector struct{}

// New returns the WAFv2 collector. It is global to the runner: it reads the
// REGIONAL scope in every region of the snapshot and the CLOUDFRONT scope
// once, writing only snap.WAFv2.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (wafm.Region, error) {
			c := awswaf.NewFromConfig(env.Config(region))
			acls, err := CollectScope(ctx, env, c, region, wafm.ScopeRegional)
			groups, gerr := CollectRuleGroups(ctx, env, c, region, wafm.ScopeRegional)
			if gerr == nil {
				// One readable list is enough for the region to count as read.
				err = nil
			}
			return wafm.Region{Name: region, WebACLs: acls, RuleGroups: groups}, err
		})
	snap.WAFv2.Regions = regions
	if snap.Partition == "" || snap.Partition == "aws" {
		cf := awswaf.NewFromConfig(env.Config(cloudFrontRegion))
		snap.WAFv2.CloudFront, _ = CollectScope(ctx, env, cf, cloudFrontRegion, wafm.ScopeCloudFront)
		snap.WAFv2.CloudFrontRuleGroups, _ = CollectRuleGroups(ctx, env, cf, cloudFrontRegion, wafm.ScopeCloudFront)
	} else {
		const why = "not supported (wafv2 CLOUDFRONT scope is read only in the aws partition)"
		snap.WAFv2.CloudFront = core.Unknown[[]wafm.WebACL](why)
		snap.WAFv2.CloudFrontRuleGroups = core.Unknown[[]wafm.RuleGroup](why)
	}
	return err
}

// CollectRuleGroups reads the account's own rule groups of one scope
// (ListRuleGroups lists neither managed nor shared rule groups), each with
// its rules and visibility config from GetRuleGroup.
func CollectRuleGroups(ctx context.Context, env *aws.Env, c API, region, scope string) (core.Val[[]wafm.RuleGroup], error) {
	sum, err := kit.Tokens(ctx, func(ctx context.Context, token *string) ([]types.RuleGroupSummary, *string, error) {
		out, err := c.ListRuleGroups(ctx, &awswaf.ListRuleGroupsInput{Scope: types.Scope(scope), NextMarker: token, Limit: sdk.Int32(100)})
		if err != nil {
			return nil, nil, err
		}
		return out.RuleGroups, out.NextMarker, nil
	})
	if err != nil {
		return core.Unknown[[]wafm.RuleGroup](env.Unknown(service, region, "ListRuleGroups", scope, err)), err
	}
	metaRegion := region
	if scope == wafm.ScopeCloudFront {
		metaRegion = core.GlobalRegion
	}
	groups := make([]wafm.RuleGroup, len(sum))
	kit.Each(ctx, len(sum), kit.ItemConcurrency, func(ctx context.Context, i int) {
		s := sum[i]
		g := wafm.RuleGroup{
			Meta:  core.Meta{ARN: sdk.ToString(s.ARN), Account: env.AccountID, Region: metaRegion},
			ID:    sdk.ToString(s.Id),
			Name:  sdk.ToString(s.Name),
			Scope: scope,
		}
		got, err := c.GetRuleGroup(ctx, &awswaf.GetRuleGroupInput{Id: s.Id, Name: s.Name, Scope: types.Scope(scope)})
		switch {
		case err != nil:
			g.Details = core.Unknown[wafm.RuleGroupDetails](env.Unknown(service, region, "GetRuleGroup", g.ARN, err))
		case got == nil || got.RuleGroup == nil:
			g.Details = core.Unknown[wafm.RuleGroupDetails]("not reported (wafv2:GetRuleGroup)")
		default:
			g.Details = core.Known(convRuleGroup(got.RuleGroup))
		}
		groups[i] = g
	})
	sort.Slice(groups, func(i, j int) bool {
		return groups[i].Name < groups[j].Name || groups[i].Name == groups[j].Name && groups[i].ID < groups[j].ID
	})
	return core.Known(groups), nil
}

func convRuleGroup(in *types.RuleGroup) wafm.RuleGroupDetails {
	out := wafm.RuleGroupDetails{Rules: []wafm.Rule{}, Capacity: sdk.ToInt64(in.Capacity)}
	if v := in.VisibilityConfig; v != nil {
		out.MetricsEnabled = v.CloudWatchMetricsEnabled
	}
	for _, r := range in.Rules {
		out.Rules = append(out.Rules, convRule(r))
	}
	return out
}

// CollectScope reads the web ACLs of one scope through a client of region.
func CollectScope(ctx context.Context, env *aws.Env, c API, region, scope string) (core.Val[[]wafm.WebACL], error) {
	sum, err := kit.Tokens(ctx, func(ctx context.Context, token *string) ([]types.WebACLSummary, *string, error) {
		out, err := c.ListWebACLs(ctx, &awswaf.ListWebACLsInput{Scope: types.Scope(scope), NextMarker: token, Limit: sdk.Int32(100)})
		if err != nil {
			return nil, nil, err
		}
		return out.WebACLs, out.NextMarker, nil
	})
	if err != nil {
		return core.Unknown[[]wafm.WebACL](env.Unknown(service, region, "ListWebACLs", scope, err)), err
	}
	metaRegion := region
	if scope == wafm.ScopeCloudFront {
		metaRegion = core.GlobalRegion
	}
	acls := make([]wafm.WebACL, len(sum))
	kit.Each(ctx, len(sum), kit.ItemConcurrency, func(ctx context.Context, i int) {
		acls[i] = readWebACL(ctx, env, c, region, metaRegion, scope, sum[i])
	})
	sort.Slice(acls, func(i, j int) bool {
		return acls[i].Name < acls[j].Name || acls[i].Name == acls[j].Name && acls[i].ID < acls[j].ID
	})
	return core.Known(acls), nil
}

func readWebACL(ctx context.Context, env *aws.Env, c API, region, metaRegion, scope string, s types.WebACLSummary) wafm.WebACL {
	arn := sdk.ToString(s.ARN)
	w := wafm.WebACL{
		Meta:  core.Meta{ARN: arn, Account: env.AccountID, Region: metaRegion},
		ID:    sdk.ToString(s.Id),
		Name:  sdk.ToString(s.Name),
		Scope: scope,
	}
	unknown := func(op string, err error) string { return env.Unknown(service, region, op, arn, err) }

	got, err := c.GetWebACL(ctx, &awswaf.GetWebACLInput{Id: s.Id, Name: s.Name, Scope: types.Scope(scope)})
	switch {
	case err != nil:
		w.Details = core.Unknown[wafm.WebACLDetails](unknown("GetWebACL", err))
	case got == nil || got.WebACL == nil:
		w.Details = core.Unknown[wafm.WebACLDetails]("not reported (wafv2:GetWebACL)")
	default:
		w.Details = core.Known(convDetails(got.WebACL))
	}

	lc, err := c.GetLoggingConfiguration(ctx, &awswaf.GetLoggingConfigurationInput{ResourceArn: sdk.String(arn)})
	switch {
	case kit.IsCode(err, "WAFNonexistentItemException"):
		// No logging configuration for an existing web ACL
		// (https://docs.aws.amazon.com/waf/latest/APIReference/API_GetLoggingConfiguration.html).
		w.Logging = core.Known[*wafm.Logging](nil)
	case err != nil:
		w.Logging = core.Unknown[*wafm.Logging](unknown("GetLoggingConfiguration", err))
	case lc == nil || lc.LoggingConfiguration == nil:
		w.Logging = core.Known[*wafm.Logging](nil)
	default:
		w.Logging = core.Known(&wafm.Logging{
			DestinationARNs:          append([]string{}, lc.LoggingConfiguration.LogDestinationConfigs...),
			ManagedByFirewallManager: lc.LoggingConfiguration.ManagedByFirewallManager,
		})
	}

	if scope == wafm.ScopeRegional {
		w.Associations = map[string]core.Val[[]string]{}
		for _, t := range regionalTypes {
			out, err := c.ListResourcesForWebACL(ctx, &awswaf.ListResourcesForWebACLInput{WebACLArn: sdk.String(arn), ResourceType: t})
			switch {
			case err != nil:
				w.Associations[string(t)] = core.Unknown[[]string](unknown("ListResourcesForWebACL", err))
			case out == nil:
				w.Associations[string(t)] = core.Unknown[[]string]("not reported (wafv2:ListResourcesForWebACL)")
			default:
				arns := append([]string{}, out.ResourceArns...)
				sort.Strings(arns)
				w.Associations[string(t)] = core.Known(arns)
			}
		}
	}
	return w
}

func convDetails(in *types.WebACL) wafm.WebACLDetails {
	out := wafm.WebACLDetails{Rules: []wafm.Rule{}, Capacity: in.Capacity}
	if d := in.DefaultAction; d != nil {
		switch {
		case d.Block != nil:
			out.DefaultAction = "BLOCK"
		case d.Allow != nil:
			out.DefaultAction = "ALLOW"
		}
	}
	if v := in.VisibilityConfig; v != nil {
		out.MetricsEnabled = v.CloudWatchMetricsEnabled
		out.SampledRequests = v.SampledRequestsEnabled
	}
	// Firewall Manager's rule groups run before and after the web ACL's own.
	for _, g := range in.PreProcessFirewallManagerRuleGroups {
		out.Rules = append(out.Rules, convFMSGroup(g))
	}
	for _, r := range in.Rules {
		out.Rules = append(out.Rules, convRule(r))
	}
	for _, g := range in.PostProcessFirewallManagerRuleGroups {
		out.Rules = append(out.Rules, convFMSGroup(g))
	}
	return out
}

func convRule(r types.Rule) wafm.Rule {
	out := wafm.Rule{Name: sdk.ToString(r.Name), Priority: int(r.Priority)}
	if a := r.Action; a != nil {
		switch {
		case a.Block != nil:
			out.Action = "BLOCK"
		case a.Allow != nil:
			out.Action = "ALLOW"
		case a.Count != nil:
			out.Action = "COUNT"
		case a.Captcha != nil:
			out.Action = "CAPTCHA"
		case a.Challenge != nil:
			out.Action = "CHALLENGE"
		}
	}
	out.OverrideAction = overrideAction(r.OverrideAction)
	if v := r.VisibilityConfig; v != nil {
		out.MetricsEnabled = v.CloudWatchMetricsEnabled
	}
	if s := r.Statement; s != nil {
		out.Statement = statementKind(s)
		if m := s.ManagedRuleGroupStatement; m != nil {
			out.ManagedRuleGroup = sdk.ToString(m.VendorName) + "/" + sdk.ToString(m.Name)
		}
		if g := s.RuleGroupReferenceStatement; g != nil {
			out.RuleGroupARN = sdk.ToString(g.ARN)
		}
	}
	return out
}

func convFMSGroup(g types.FirewallManagerRuleGroup) wafm.Rule {
	out := wafm.Rule{Name: sdk.ToString(g.Name), Priority: int(g.Priority), Statement: "FirewallManagerRuleGroup",
		OverrideAction: overrideAction(g.OverrideAction)}
	if s := g.FirewallManagerStatement; s != nil {
		if m := s.ManagedRuleGroupStatement; m != nil {
			out.ManagedRuleGroup = sdk.ToString(m.VendorName) + "/" + sdk.ToString(m.Name)
		}
		if r := s.RuleGroupReferenceStatement; r != nil {
			out.RuleGroupARN = sdk.ToString(r.ARN)
		}
	}
	if v := g.VisibilityConfig; v != nil {
		out.MetricsEnabled = v.CloudWatchMetricsEnabled
	}
	return out
}

func overrideAction(o *types.OverrideAction) string {
	switch {
	case o == nil:
		return ""
	case o.Count != nil:
		return "COUNT"
	case o.None != nil:
		return "NONE"
	}
	return ""
}

// statementKind names the top-level statement of a rule.
func statementKind(s *types.Statement) string {
	switch {
	case s.ManagedRuleGroupStatement != nil:
		return "ManagedRuleGroup"
	case s.RuleGroupReferenceStatement != nil:
		return "RuleGroupReference"
	case s.RateBasedStatement != nil:
		return "RateBased"
	case s.IPSetReferenceStatement != nil:
		return "IPSetReference"
	case s.GeoMatchStatement != nil:
		return "GeoMatch"
	case s.ByteMatchStatement != nil:
		return "ByteMatch"
	case s.SqliMatchStatement != nil:
		return "SqliMatch"
	case s.XssMatchStatement != nil:
		return "XssMatch"
	case s.SizeConstraintStatement != nil:
		return "SizeConstraint"
	case s.RegexMatchStatement != nil:
		return "RegexMatch"
	case s.RegexPatternSetReferenceStatement != nil:
		return "RegexPatternSetReference"
	case s.LabelMatchStatement != nil:
		return "LabelMatch"
	case s.AsnMatchStatement != nil:
		return "AsnMatch"
	case s.AndStatement != nil:
		return "And"
	case s.OrStatement != nil:
		return "Or"
	case s.NotStatement != nil:
		return "Not"
	}
	return "Unknown"
}
