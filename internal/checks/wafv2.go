package checks

import (
	"fmt"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

// AWS WAF enforces what its web ACLs say; a web ACL without rules only
// applies its default action, and without logging nobody can see what it
// blocked. Both are the customer's configuration.

func wafv2Rules() []Rule {
	return []Rule{
		{
			ID:             "wafv2-web-acl-has-rules",
			Title:          "AWS WAF web ACLs have at least one rule or rule group",
			Service:        "wafv2",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"WAF.10"}},
			Description: "A web ACL with no rules inspects nothing: every request gets the default action. Regional and " +
				"CloudFront web ACLs are judged.",
			Remediation: "Add a managed rule group (or your own rules):\n" +
				"  aws wafv2 update-web-acl --name ACL --scope REGIONAL --id ID --lock-token TOKEN --default-action Allow={} \\\n" +
				"      --visibility-config ... --rules file://rules.json   # e.g. AWSManagedRulesCommonRuleSet\n" +
				"Terraform: resource \"aws_wafv2_web_acl\" \"a\" { rule { name = \"common\" priority = 1 override_action { none {} }\n" +
				"  statement { managed_rule_group_statement { vendor_name = \"AWS\", name = \"AWSManagedRulesCommonRuleSet\" } } ... } }",
			Links: []string{"https://docs.aws.amazon.com/waf/latest/developerguide/web-acl.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/waf-controls.html#waf-10"},
			Check: eachWebACL(func(w wafv2.WebACL) (Status, string) {
				d, ok := w.Details.Get()
				switch {
				case !ok:
					return Unknown, fmt.Sprintf("web ACL %s: rules unreadable: %s", w.Name, w.Details.Why())
				case len(d.Rules) == 0:
					return Fail, fmt.Sprintf("web ACL %s has no rules; every request gets the default action %s", w.Name, orStr(d.DefaultAction, "(unknown)"))
				}
				return Pass, fmt.Sprintf("web ACL %s has %s", w.Name, plural(len(d.Rules), "rule", "rules"))
			}),
		},
		{
			ID:             "wafv2-web-acl-logging",
			Title:          "AWS WAF web ACLs have logging enabled",
			Service:        "wafv2",
			Severity:       Low,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"WAF.11"}},
			Description: "Web ACL logs record each inspected request and the rule that matched it, to a CloudWatch Logs " +
				"group, S3 bucket or Firehose stream; without them attacks and false positives go unseen.",
			Remediation: "  aws wafv2 put-logging-configuration --logging-configuration \\\n" +
				"      ResourceArn=WEB_ACL_ARN,LogDestinationConfigs=arn:aws:logs:REGION:ACCOUNT:log-group:aws-waf-logs-NAME\n" +
				"Terraform: resource \"aws_wafv2_web_acl_logging_configuration\" \"l\" { resource_arn = aws_wafv2_web_acl.a.arn\n" +
				"  log_destination_configs = [aws_cloudwatch_log_group.waf.arn] }  # the group name must start with aws-waf-logs-",
			Links: []string{"https://docs.aws.amazon.com/waf/latest/developerguide/logging.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/waf-controls.html#waf-11"},
			Check: eachWebACL(func(w wafv2.WebACL) (Status, string) {
				l, ok := w.Logging.Get()
				switch {
				case !ok:
					return Unknown, fmt.Sprintf("web ACL %s: logging configuration unreadable: %s", w.Name, w.Logging.Why())
				case l == nil || len(l.DestinationARNs) == 0:
					return Fail, fmt.Sprintf("web ACL %s does not have logging enabled", w.Name)
				}
				return Pass, fmt.Sprintf("web ACL %s logs to %s", w.Name, strings.Join(l.DestinationARNs, ", "))
			}),
		},
		{
			ID:             "wafv2-rule-metrics-enabled",
			Title:          "AWS WAF rules and rule groups have CloudWatch metrics enabled",
			Service:        "wafv2",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"WAF.12"}},
			Description: "Each rule's visibility config decides whether WAF publishes its CloudWatch metrics (allowed, " +
				"blocked, counted requests); without them an attack or a rule that silently blocks good traffic goes " +
				"unnoticed. Judged: every rule and rule group reference in each web ACL, and each of the account's own " +
				"rule groups (its own visibility config and every rule in it). A rule group without rules, like a web " +
				"ACL without rules, has nothing to judge (AWS Config: NOT_APPLICABLE).",
			Remediation: "Turn CloudWatch metrics on in each rule's visibility config:\n" +
				"  aws wafv2 update-rule-group --name NAME --scope REGIONAL --id ID --lock-token TOKEN \\\n" +
				"      --visibility-config SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=NAME --rules file://rules.json\n" +
				"  # in rules.json every rule: \"VisibilityConfig\": {\"CloudWatchMetricsEnabled\": true, ...}; same for update-web-acl\n" +
				"Terraform: visibility_config { cloudwatch_metrics_enabled = true, metric_name = \"NAME\", sampled_requests_enabled = true }\n" +
				"  in every rule {} block of aws_wafv2_rule_group / aws_wafv2_web_acl, and on the rule group itself.",
			Links: []string{"https://docs.aws.amazon.com/waf/latest/developerguide/monitoring-cloudwatch.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/waf-controls.html#waf-12",
				"https://docs.aws.amazon.com/config/latest/developerguide/wafv2-rulegroup-logging-enabled.html"},
			Check: checkWAFRuleMetrics,
		},
	}
}

// rulesWithoutMetrics names the rules whose visibility config sends no
// CloudWatch metrics.
func rulesWithoutMetrics(rules []wafv2.Rule) []string {
	var off []string
	for _, r := range rules {
		if !r.MetricsEnabled {
			off = append(off, orStr(r.Name, fmt.Sprintf("(priority %d)", r.Priority)))
		}
	}
	return off
}

// checkWAFRuleMetrics judges FSBP WAF.12 over the rules of every web ACL and
// every rule group the account owns, in both scopes.
func checkWAFRuleMetrics(s *model.Snapshot) []Result {
	aclResult := func(w wafv2.WebACL, arn, region string) *Result {
		d, ok := w.Details.Get()
		switch {
		case !ok:
			return rp(UnknownR(arn, region, "web ACL %s: rules unreadable: %s", w.Name, w.Details.Why()))
		case len(d.Rules) == 0:
			return nil // no rule to judge; WAF.10 reports the empty web ACL
		}
		if off := rulesWithoutMetrics(d.Rules); len(off) > 0 {
			return rp(FailR(arn, region, "web ACL %s: CloudWatch metrics are disabled for %s", w.Name, strings.Join(off, ", ")))
		}
		return rp(PassR(arn, region, "web ACL %s: all %s send CloudWatch metrics", w.Name, plural(len(d.Rules), "rule", "rules")))
	}
	groupResult := func(g wafv2.RuleGroup, arn, region string) *Result {
		d, ok := g.Details.Get()
		switch {
		case !ok:
			return rp(UnknownR(arn, region, "rule group %s: configuration unreadable: %s", g.Name, g.Details.Why()))
		case len(d.Rules) == 0:
			return nil // AWS Config: NOT_APPLICABLE for a rule group without rules
		}
		off := rulesWithoutMetrics(d.Rules)
		if !d.MetricsEnabled {
			off = append([]string{"(the rule group's own visibility config)"}, off...)
		}
		if len(off) > 0 {
			return rp(FailR(arn, region, "rule group %s: CloudWatch metrics are disabled for %s", g.Name, strings.Join(off, ", ")))
		}
		return rp(PassR(arn, region, "rule group %s and its %s send CloudWatch metrics", g.Name, plural(len(d.Rules), "rule", "rules")))
	}

	acls := svcRegions[wafv2.Region, wafv2.WebACL]{
		service: "wafv2", what: "AWS WAF regional web ACLs", wildcard: "regional/webacl/*", regions: s.WAFv2.Regions,
		name: func(r *wafv2.Region) string { return r.Name },
		list: func(r *wafv2.Region) core.Val[[]wafv2.WebACL] { return r.WebACLs },
	}
	out := acls.eachItem(s, func(region string, w wafv2.WebACL) *Result {
		return aclResult(w, orARN(w.ARN, regionalARN(s, "wafv2", region, "regional/webacl/"+w.Name+"/"+w.ID)), regionOr(w.Meta, region))
	})
	groups := svcRegions[wafv2.Region, wafv2.RuleGroup]{
		service: "wafv2", what: "AWS WAF regional rule groups", wildcard: "regional/rulegroup/*", regions: s.WAFv2.Regions,
		name: func(r *wafv2.Region) string { return r.Name },
		list: func(r *wafv2.Region) core.Val[[]wafv2.RuleGroup] { return r.RuleGroups },
	}
	out = append(out, groups.eachItem(s, func(region string, g wafv2.RuleGroup) *Result {
		return groupResult(g, orARN(g.ARN, regionalARN(s, "wafv2", region, "regional/rulegroup/"+g.Name+"/"+g.ID)), regionOr(g.Meta, region))
	})...)

	// The CLOUDFRONT scope lives in us-east-1 and applies globally.
	if list, unk := knownList(s.WAFv2.CloudFront, regionalARN(s, "wafv2", "us-east-1", "global/webacl/*"), globalRegion,
		"AWS WAF CloudFront web ACLs"); unk != nil {
		out = append(out, unk...)
	} else {
		for _, w := range list {
			arn := orARN(w.ARN, regionalARN(s, "wafv2", "us-east-1", "global/webacl/"+w.Name+"/"+w.ID))
			if r := aclResult(w, arn, regionOr(w.Meta, globalRegion)); r != nil {
				out = append(out, *r)
			}
		}
	}
	if list, unk := knownList(s.WAFv2.CloudFrontRuleGroups, regionalARN(s, "wafv2", "us-east-1", "global/rulegroup/*"), globalRegion,
		"AWS WAF CloudFront rule groups"); unk != nil {
		out = append(out, unk...)
	} else {
		for _, g := range list {
			arn := orARN(g.ARN, regionalARN(s, "wafv2", "us-east-1", "global/rulegroup/"+g.Name+"/"+g.ID))
			if r := groupResult(g, arn, regionOr(g.Meta, globalRegion)); r != nil {
				out = append(out, *r)
			}
		}
	}
	return out
}

// eachWebACL judges every regional web ACL of every region and every
// CloudFront web ACL; an uncollected region or scope is UNKNOWN.
func eachWebACL(judge func(w wafv2.WebACL) (Status, string)) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		result := func(w wafv2.WebACL, arn, region string) *Result {
			st, msg := judge(w)
			return &Result{Status: st, ResourceARN: arn, Region: region, Message: msg}
		}
		regional := svcRegions[wafv2.Region, wafv2.WebACL]{
			service: "wafv2", what: "AWS WAF regional web ACLs", wildcard: "regional/webacl/*", regions: s.WAFv2.Regions,
			name: func(r *wafv2.Region) string { return r.Name },
			list: func(r *wafv2.Region) core.Val[[]wafv2.WebACL] { return r.WebACLs },
		}
		out := regional.eachItem(s, func(region string, w wafv2.WebACL) *Result {
			return result(w, orARN(w.ARN, regionalARN(s, "wafv2", region, "regional/webacl/"+w.Name+"/"+w.ID)), regionOr(w.Meta, region))
		})
		// CloudFront web ACLs live in us-east-1 and apply globally.
		cfWild := regionalARN(s, "wafv2", "us-east-1", "global/webacl/*")
		acls, unk := knownList(s.WAFv2.CloudFront, cfWild, globalRegion, "AWS WAF CloudFront web ACLs")
		if unk != nil {
			return append(out, unk...)
		}
		for _, w := range acls {
			arn := orARN(w.ARN, regionalARN(s, "wafv2", "us-east-1", "global/webacl/"+w.Name+"/"+w.ID))
			out = append(out, *result(w, arn, regionOr(w.Meta, globalRegion)))
		}
		return out
	}
}
