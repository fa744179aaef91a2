package wafclassic

import (
	"context"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awswaf "github.com/aws/aws-sdk-go-v2/service/waf"
	waftypes "github.com/aws/aws-sdk-go-v2/service/waf/types"
	awswafr "github.com/aws/aws-sdk-go-v2/service/wafregional"
	wafrtypes "github.com/aws/aws-sdk-go-v2/service/wafregional/types"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	wcm "github.com/demarc-sec/demarc/internal/model/wafclassic"
)

// pageLimit is the largest page the WAF Classic List operations accept.
const pageLimit = 100

// noLogging is the error code of GetLoggingConfiguration for a web ACL
// without a logging configuration
// (https://docs.aws.amazon.com/waf/latest/APIReference/API_waf_GetLoggingConfiguration.html).
const noLogging = "WAFNonexistentItemException"

// GlobalAPI is the part of the global WAF Classic (waf) client used.
type GlobalAPI interface {
	ListWebACLs(context.Context, *awswaf.ListWebACLsInput, ...func(*awswaf.Options)) (*awswaf.ListWebACLsOutput, error)
	GetWebACL(context.Context, *awswaf.GetWebACLInput, ...func(*awswaf.Options)) (*awswaf.GetWebACLOutput, error)
	GetLoggingConfiguration(context.Context, *awswaf.GetLoggingConfigurationInput, ...func(*awswaf.Options)) (*awswaf.GetLoggingConfigurationOutput, error)
	ListRules(context.Context, *awswaf.ListRulesInput, ...func(*awswaf.Options)) (*awswaf.ListRulesOutput, error)
	GetRule(context.Context, *awswaf.GetRuleInput, ...func(*awswaf.Options)) (*awswaf.GetRuleOutput, error)
	ListRuleGroups(context.Context, *awswaf.ListRuleGroupsInput, ...func(*awswaf.Options)) (*awswaf.ListRuleGroupsOutput, error)
	ListActivatedRulesInRuleGroup(context.Context, *awswaf.ListActivatedRulesInRuleGroupInput, ...func(*awswaf.Options)) (*awswaf.ListActivatedRulesInRuleGroupOutput, error)
}

// RegionalAPI is the part of the WAF Classic Regional (waf-regional) client
// used.
type RegionalAPI interface {
	ListWebACLs(context.Context, *awswafr.ListWebACLsInput, ...func(*awswafr.Options)) (*awswafr.ListWebACLsOutput, error)
	GetWebACL(context.Context, *awswafr.GetWebACLInput, ...func(*awswafr.Options)) (*awswafr.GetWebACLOutput, error)
	GetLoggingConfiguration(context.Context, *awswafr.GetLoggingConfigurationInput, ...func(*awswafr.Options)) (*awswafr.GetLoggingConfigurationOutput, error)
	ListRules(context.Context, *awswafr.ListRulesInput, ...func(*awswafr.Options)) (*awswafr.ListRulesOutput, error)
	GetRule(context.Context, *awswafr.GetRuleInput, ...func(*awswafr.Options)) (*awswafr.GetRuleOutput, error)
	ListRuleGroups(context.Context, *awswafr.ListRuleGroupsInput, ...func(*awswafr.Options)) (*awswafr.ListRuleGroupsOutput, error)
	ListActivatedRulesInRuleGroup(context.Context, *awswafr.ListActivatedRulesInRuleGroupInput, ...func(*awswafr.Options)) (*awswafr.ListActivatedRulesInRuleGroupOutput, error)
}

// Global adapts a global waf client.
func Global(c GlobalAPI) Client { return global{c} }

// Regional adapts a waf-regional client.
func Regional(c RegionalAPI) Client { return regional{c} }

type global struct{ c GlobalAPI }

func (g global) ListWebACLs(ctx context.Context, m *string) ([]Summary, *string, error) {
	out, err := g.c.ListWebACLs(ctx, &awswaf.ListWebACLsInput{NextMarker: m, Limit: pageLimit})
	if err != nil {
		return nil, nil, err
	}
	var s []Summary
	for _, w := range out.WebACLs {
		s = append(s, Summary{ID: sdk.ToString(w.WebACLId), Name: sdk.ToString(w.Name)})
	}
	return s, out.NextMarker, nil
}

func (g global) GetWebACL(ctx context.Context, id string) (WebACLDetails, error) {
	out, err := g.c.GetWebACL(ctx, &awswaf.GetWebACLInput{WebACLId: sdk.String(id)})
	if err != nil {
		return WebACLDetails{}, err
	}
	var d WebACLDetails
	if w := out.WebACL; w != nil {
		d.ARN = sdk.ToString(w.WebACLArn)
		if w.DefaultAction != nil {
			d.DefaultAction = string(w.DefaultAction.Type)
		}
		d.Rules = globalRules(w.Rules)
	}
	return d, nil
}

func (g global) GetLoggingConfiguration(ctx context.Context, arn string) ([]string, bool, error) {
	out, err := g.c.GetLoggingConfiguration(ctx, &awswaf.GetLoggingConfigurationInput{ResourceArn: sdk.String(arn)})
	switch {
	case kit.IsCode(err, noLogging):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case out.LoggingConfiguration == nil:
		return nil, false, nil
	}
	return out.LoggingConfiguration.LogDestinationConfigs, true, nil
}

func (g global) ListRules(ctx context.Context, m *string) ([]Summary, *string, error) {
	out, err := g.c.ListRules(ctx, &awswaf.ListRulesInput{NextMarker: m, Limit: pageLimit})
	if err != nil {
		return nil, nil, err
	}
	var s []Summary
	for _, r := range out.Rules {
		s = append(s, Summary{ID: sdk.ToString(r.RuleId), Name: sdk.ToString(r.Name)})
	}
	return s, out.NextMarker, nil
}

func (g global) GetRule(ctx context.Context, id string) ([]wcm.Predicate, error) {
	out, err := g.c.GetRule(ctx, &awswaf.GetRuleInput{RuleId: sdk.String(id)})
	if err != nil {
		return nil, err
	}
	if out.Rule == nil {
		return nil, nil
	}
	ps := make([]wcm.Predicate, 0, len(out.Rule.Predicates))
	for _, p := range out.Rule.Predicates {
		ps = append(ps, wcm.Predicate{Type: string(p.Type), DataID: sdk.ToString(p.DataId), Negated: sdk.ToBool(p.Negated)})
	}
	return ps, nil
}

func (g global) ListRuleGroups(ctx context.Context, m *string) ([]Summary, *string, error) {
	out, err := g.c.ListRuleGroups(ctx, &awswaf.ListRuleGroupsInput{NextMarker: m, Limit: pageLimit})
	if err != nil {
		return nil, nil, err
	}
	var s []Summary
	for _, r := range out.RuleGroups {
		s = append(s, Summary{ID: sdk.ToString(r.RuleGroupId), Name: sdk.ToString(r.Name)})
	}
	return s, out.NextMarker, nil
}

func (g global) ListActivatedRulesInRuleGroup(ctx context.Context, id string, m *string) ([]wcm.ActivatedRule, *string, error) {
	out, err := g.c.ListActivatedRulesInRuleGroup(ctx, &awswaf.ListActivatedRulesInRuleGroupInput{RuleGroupId: sdk.String(id), NextMarker: m, Limit: pageLimit})
	if err != nil {
		return nil, nil, err
	}
	return globalRules(out.ActivatedRules), out.NextMarker, nil
}

func globalRules(in []waftypes.ActivatedRule) []wcm.ActivatedRule {
	out := make([]wcm.ActivatedRule, 0, len(in))
	for _, r := range in {
		a := wcm.ActivatedRule{RuleID: sdk.ToString(r.RuleId), Priority: int(sdk.ToInt32(r.Priority)), Type: string(r.Type)}
		if a.Type == "" {
			// The API documents REGULAR as the default type.
			a.Type = wcm.TypeRegular
		}
		if r.Action != nil {
			a.Action = string(r.Action.Type)
		}
		if r.OverrideAction != nil {
			a.OverrideAction = string(r.OverrideAction.Type)
		}
		out = append(out, a)
	}
	return out
}

type regional struct{ c RegionalAPI }

func (g regional) ListWebACLs(ctx context.Context, m *string) ([]Summary, *string, error) {
	out, err := g.c.ListWebACLs(ctx, &awswafr.ListWebACLsInput{NextMarker: m, Limit: pageLimit})
	if err != nil {
		return nil, nil, err
	}
	var s []Summary
	for _, w := range out.WebACLs {
		s = append(s, Summary{ID: sdk.ToString(w.WebACLId), Name: sdk.ToString(w.Name)})
	}
	return s, out.NextMarker, nil
}

func (g regional) GetWebACL(ctx context.Context, id string) (WebACLDetails, error) {
	out, err := g.c.GetWebACL(ctx, &awswafr.GetWebACLInput{WebACLId: sdk.String(id)})
	if err != nil {
		return WebACLDetails{}, err
	}
	var d WebACLDetails
	if w := out.WebACL; w != nil {
		d.ARN = sdk.ToString(w.WebACLArn)
		if w.DefaultAction != nil {
			d.DefaultAction = string(w.DefaultAction.Type)
		}
		d.Rules = regionalRules(w.Rules)
	}
	return d, nil
}

func (g regional) GetLoggingConfiguration(ctx context.Context, arn string) ([]string, bool, error) {
	out, err := g.c.GetLoggingConfiguration(ctx, &awswafr.GetLoggingConfigurationInput{ResourceArn: sdk.String(arn)})
	switch {
	case kit.IsCode(err, noLogging):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case out.LoggingConfiguration == nil:
		return nil, false, nil
	}
	return out.LoggingConfiguration.LogDestinationConfigs, true, nil
}

func (g regional) ListRules(ctx context.Context, m *string) ([]Summary, *string, error) {
	out, err := g.c.ListRules(ctx, &awswafr.ListRulesInput{NextMarker: m, Limit: pageLimit})
	if err != nil {
		return nil, nil, err
	}
	var s []Summary
	for _, r := range out.Rules {
		s = append(s, Summary{ID: sdk.ToString(r.RuleId), Name: sdk.ToString(r.Name)})
	}
	return s, out.NextMarker, nil
}

func (g regional) GetRule(ctx context.Context, id string) ([]wcm.Predicate, error) {
	out, err := g.c.GetRule(ctx, &awswafr.GetRuleInput{RuleId: sdk.String(id)})
	if err != nil {
		return nil, err
	}
	if out.Rule == nil {
		return nil, nil
	}
	ps := make([]wcm.Predicate, 0, len(out.Rule.Predicates))
	for _, p := range out.Rule.Predicates {
		ps = append(ps, wcm.Predicate{Type: string(p.Type), DataID: sdk.ToString(p.DataId), Negated: sdk.ToBool(p.Negated)})
	}
	return ps, nil
}

func (g regional) ListRuleGroups(ctx context.Context, m *string) ([]Summary, *string, error) {
	out, err := g.c.ListRuleGroups(ctx, &awswafr.ListRuleGroupsInput{NextMarker: m, Limit: pageLimit})
	if err != nil {
		return nil, nil, err
	}
	var s []Summary
	for _, r := range out.RuleGroups {
		s = append(s, Summary{ID: sdk.ToString(r.RuleGroupId), Name: sdk.ToString(r.Name)})
	}
	return s, out.NextMarker, nil
}

func (g regional) ListActivatedRulesInRuleGroup(ctx context.Context, id string, m *string) ([]wcm.ActivatedRule, *string, error) {
	out, err := g.c.ListActivatedRulesInRuleGroup(ctx, &awswafr.ListActivatedRulesInRuleGroupInput{RuleGroupId: sdk.String(id), NextMarker: m, Limit: pageLimit})
	if err != nil {
		return nil, nil, err
	}
	return regionalRules(out.ActivatedRules), out.NextMarker, nil
}

func regionalRules(in []wafrtypes.ActivatedRule) []wcm.ActivatedRule {
	out := make([]wcm.ActivatedRule, 0, len(in))
	for _, r := range in {
		a := wcm.ActivatedRule{RuleID: sdk.ToString(r.RuleId), Priority: int(sdk.ToInt32(r.Priority)), Type: string(r.Type)}
		if a.Type == "" {
			a.Type = wcm.TypeRegular
		}
		if r.Action != nil {
			a.Action = string(r.Action.Type)
		}
		if r.OverrideAction != nil {
			a.OverrideAction = string(r.OverrideAction.Type)
		}
		out = append(out, a)
	}
	return out
}
