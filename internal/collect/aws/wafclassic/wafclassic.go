// Package wafclassic collects AWS WAF Classic: the global resources of the
// waf API (CloudFront, served from us-east-1) and the resources of the
// waf-regional API in every region — web ACLs with their rules and logging
// configuration, regular rules with their conditions, and rule groups with
// their rules.
//
// AWS WAF Classic support ended on September 30, 2025
// (https://docs.aws.amazon.com/waf/latest/developerguide/classic-waf-chapter.html):
// accounts that never used it have nothing here, and an endpoint that no
// longer (or never did) serve the API is "not supported" — unknown, never an
// empty list that would read as "no Classic resources".
//
// The two APIs have identical operations with distinct Go types, so each SDK
// client is adapted to one neutral Client (adapters.go) and the collection
// logic exists once.
package wafclassic

import (
	"context"
	"errors"
	"fmt"
	"sort"

	awswaf "github.com/aws/aws-sdk-go-v2/service/waf"
	awswafr "github.com/aws/aws-sdk-go-v2/service/wafregional"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	wcm "github.com/demarc-sec/demarc/internal/model/wafclassic"
)

// Service names as the collection errors name them (the ARN service names).
const (
	globalService   = "waf"
	regionalService = "waf-regional"
)

// globalRegion serves the global waf API in the aws partition
// (https://docs.aws.amazon.com/general/latest/gr/waf-classic.html).
const globalRegion = "us-east-1"

// Summary is one listed resource: its ID and name.
type Summary struct {
	ID   string
	Name string
}

// WebACLDetails is what GetWebACL answers.
type WebACLDetails struct {
	ARN           string
	DefaultAction string
	Rules         []wcm.ActivatedRule
}

// Client is the part of a WAF Classic API the collector uses, in neutral
// types. Each List method returns one page and the next marker (nil or ""
// at the end).
type Client interface {
	ListWebACLs(ctx context.Context, marker *string) ([]Summary, *string, error)
	GetWebACL(ctx context.Context, id string) (WebACLDetails, error)
	// GetLoggingConfiguration returns the log destinations; found is false
	// when the web ACL has no logging configuration.
	GetLoggingConfiguration(ctx context.Context, webACLARN string) (destinations []string, found bool, err error)
	ListRules(ctx context.Context, marker *string) ([]Summary, *string, error)
	GetRule(ctx context.Context, id string) ([]wcm.Predicate, error)
	ListRuleGroups(ctx context.Context, marker *string) ([]Summary, *string, error)
	ListActivatedRulesInRuleGroup(ctx context.Context, groupID string, marker *string) ([]wcm.ActivatedRule, *string, error)
}

type collector struct{}

// New returns the WAF Classic collector. It is global to the runner: it
// reads waf-regional in every region of the snapshot and the global waf API
// once, writing only snap.WAFClassic.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return "wafclassic" }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, regionalService, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (wcm.Region, error) {
			base := prefix + ":" + regionalService + ":" + region + ":" + env.AccountID + ":"
			return CollectScope(ctx, env, Regional(awswafr.NewFromConfig(env.Config(region))), Scope{
				Service: regionalService, Region: region, Name: region, ARNBase: base})
		})
	snap.WAFClassic.Regions = regions
	if snap.Partition == "" || snap.Partition == "aws" {
		base := prefix + ":" + globalService + "::" + env.AccountID + ":"
		snap.WAFClassic.Global, _ = CollectScope(ctx, env, Global(awswaf.NewFromConfig(env.Config(globalRegion))), Scope{
			Service: globalService, Region: globalRegion, Name: core.GlobalRegion, ARNBase: base})
	} else {
		const why = core.ReasonNotSupported + " (waf: the global WAF Classic API is read only in the aws partition)"
		snap.WAFClassic.Global = wcm.Region{Name: core.GlobalRegion, WebACLs: core.Unknown[[]wcm.WebACL](why),
			Rules: core.Unknown[[]wcm.Rule](why), RuleGroups: core.Unknown[[]wcm.RuleGroup](why)}
	}
	return err
}

// Scope says which API a Client speaks for.
type Scope struct {
	Service string // "waf" or "waf-regional", for collection errors
	Region  string // the region whose endpoint answers
	Name    string // the Region element's name: the region, or "global"
	// ARNBase prefixes resource IDs: arn:aws:waf::ACCOUNT: or
	// arn:aws:waf-regional:REGION:ACCOUNT:.
	ARNBase string
}

func (sc Scope) metaRegion() string {
	if sc.Service == globalService {
		return core.GlobalRegion
	}
	return sc.Region
}

// CollectScope reads every web ACL, rule and rule group of one API. The
// error is non-nil only when all three listings failed.
func CollectScope(ctx context.Context, env *aws.Env, c Client, sc Scope) (wcm.Region, error) {
	r := wcm.Region{Name: sc.Name}
	unknown := func(op, resource string, err error) string {
		return env.Unknown(sc.Service, sc.Region, op, resource, kit.NotImplemented(err))
	}
	meta := func(arn string) core.Meta {
		return core.Meta{ARN: arn, Account: env.AccountID, Region: sc.metaRegion()}
	}

	acls, aerr := kit.Tokens(ctx, func(ctx context.Context, m *string) ([]Summary, *string, error) { return c.ListWebACLs(ctx, m) })
	if aerr != nil {
		r.WebACLs = core.Unknown[[]wcm.WebACL](unknown("ListWebACLs", "", aerr))
	} else {
		out := make([]wcm.WebACL, len(acls))
		kit.Each(ctx, len(acls), kit.ItemConcurrency, func(ctx context.Context, i int) {
			out[i] = readWebACL(ctx, c, acls[i], sc, meta, unknown)
		})
		sort.Slice(out, func(i, j int) bool { return less(out[i].Name, out[i].ID, out[j].Name, out[j].ID) })
		r.WebACLs = core.Known(out)
	}

	rules, rerr := kit.Tokens(ctx, func(ctx context.Context, m *string) ([]Summary, *string, error) { return c.ListRules(ctx, m) })
	if rerr != nil {
		r.Rules = core.Unknown[[]wcm.Rule](unknown("ListRules", "", rerr))
	} else {
		out := make([]wcm.Rule, len(rules))
		kit.Each(ctx, len(rules), kit.ItemConcurrency, func(ctx context.Context, i int) {
			s := rules[i]
			rule := wcm.Rule{Meta: meta(sc.ARNBase + "rule/" + s.ID), ID: s.ID, Name: s.Name}
			preds, err := c.GetRule(ctx, s.ID)
			if err != nil {
				rule.Predicates = core.Unknown[[]wcm.Predicate](unknown("GetRule", rule.ARN, err))
			} else {
				if preds == nil {
					preds = []wcm.Predicate{}
				}
				rule.Predicates = core.Known(preds)
			}
			out[i] = rule
		})
		sort.Slice(out, func(i, j int) bool { return less(out[i].Name, out[i].ID, out[j].Name, out[j].ID) })
		r.Rules = core.Known(out)
	}

	groups, gerr := kit.Tokens(ctx, func(ctx context.Context, m *string) ([]Summary, *string, error) { return c.ListRuleGroups(ctx, m) })
	if gerr != nil {
		r.RuleGroups = core.Unknown[[]wcm.RuleGroup](unknown("ListRuleGroups", "", gerr))
	} else {
		out := make([]wcm.RuleGroup, len(groups))
		kit.Each(ctx, len(groups), kit.ItemConcurrency, func(ctx context.Context, i int) {
			s := groups[i]
			g := wcm.RuleGroup{Meta: meta(sc.ARNBase + "rulegroup/" + s.ID), ID: s.ID, Name: s.Name}
			activated, err := kit.Tokens(ctx, func(ctx context.Context, m *string) ([]wcm.ActivatedRule, *string, error) {
				return c.ListActivatedRulesInRuleGroup(ctx, s.ID, m)
			})
			if err != nil {
				g.Rules = core.Unknown[[]wcm.ActivatedRule](unknown("ListActivatedRulesInRuleGroup", g.ARN, err))
			} else {
				g.Rules = core.Known(sortedRules(activated))
			}
			out[i] = g
		})
		sort.Slice(out, func(i, j int) bool { return less(out[i].Name, out[i].ID, out[j].Name, out[j].ID) })
		r.RuleGroups = core.Known(out)
	}

	if aerr != nil && rerr != nil && gerr != nil {
		return r, fmt.Errorf("collect %s %s: %w", sc.Service, sc.Region, errors.Join(aerr, rerr, gerr))
	}
	return r, nil
}

func readWebACL(ctx context.Context, c Client, s Summary, sc Scope, meta func(string) core.Meta,
	unknown func(op, resource string, err error) string) wcm.WebACL {
	w := wcm.WebACL{Meta: meta(sc.ARNBase + "webacl/" + s.ID), ID: s.ID, Name: s.Name}
	d, err := c.GetWebACL(ctx, s.ID)
	if err != nil {
		w.Rules = core.Unknown[[]wcm.ActivatedRule](unknown("GetWebACL", w.ARN, err))
	} else {
		if d.ARN != "" {
			w.ARN = d.ARN
		}
		w.DefaultAction = d.DefaultAction
		w.Rules = core.Known(sortedRules(d.Rules))
	}
	dest, found, err := c.GetLoggingConfiguration(ctx, w.ARN)
	switch {
	case err != nil:
		w.Logging = core.Unknown[*wcm.Logging](unknown("GetLoggingConfiguration", w.ARN, err))
	case !found:
		w.Logging = core.Known[*wcm.Logging](nil)
	default:
		w.Logging = core.Known(&wcm.Logging{DestinationARNs: append([]string{}, dest...)})
	}
	return w
}

// sortedRules orders activated rules by priority, as WAF evaluates them.
func sortedRules(in []wcm.ActivatedRule) []wcm.ActivatedRule {
	out := append([]wcm.ActivatedRule{}, in...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Priority != out[j].Priority {
			return out[i].Priority < out[j].Priority
		}
		return out[i].RuleID < out[j].RuleID
	})
	return out
}

func less(nameA, idA, nameB, idB string) bool {
	return nameA < nameB || nameA == nameB && idA < idB
}
