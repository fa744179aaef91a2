package checks

import (
	"fmt"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/wafclassic"
)

// AWS WAF Classic is the WAF API that AWS WAF (v2) replaced in November 2019;
// its support ended on September 30, 2025
// (https://docs.aws.amazon.com/waf/latest/developerguide/classic-waf-chapter.html).
// FSBP still judges the Classic resources an account holds: a web ACL,
// rule or rule group that inspects nothing looks like protection and is
// not. Accounts without Classic resources get no results here (nothing to
// judge); a scope whose lists could not be read is UNKNOWN.

// wafClassicEOS is said in every Classic remediation: the fix is to
// migrate, not to invest in the retired API.
const wafClassicEOS = "AWS WAF Classic support ended on September 30, 2025: migrate the web ACL to AWS WAF (v2) " +
	"(https://docs.aws.amazon.com/waf/latest/developerguide/waf-migrating-from-classic.html) or delete what is unused.\n"

const wafClassicControls = "https://docs.aws.amazon.com/securityhub/latest/userguide/waf-controls.html"

func wafClassicRules() []Rule {
	return []Rule{
		{
			ID:             "waf-classic-global-web-acl-logging",
			Title:          "AWS WAF Classic global web ACLs have logging enabled",
			Service:        "waf",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"WAF.1"}},
			Description: "A global (CloudFront) WAF Classic web ACL logs each inspected request and the rule that matched " +
				"it only when a logging configuration sends it to a Kinesis Data Firehose stream; without it attacks " +
				"and false positives go unseen.",
			Remediation: wafClassicEOS + "While it exists:\n" +
				"  aws waf put-logging-configuration --logging-configuration \\\n" +
				"      ResourceArn=WEB_ACL_ARN,LogDestinationConfigs=arn:aws:firehose:us-east-1:ACCOUNT:deliverystream/aws-waf-logs-NAME\n" +
				"Terraform: resource \"aws_waf_web_acl\" \"a\" { ... logging_configuration { log_destination = aws_kinesis_firehose_delivery_stream.waf.arn } }",
			Links: []string{"https://docs.aws.amazon.com/waf/latest/APIReference/API_waf_PutLoggingConfiguration.html",
				wafClassicControls + "#waf-1",
				"https://docs.aws.amazon.com/config/latest/developerguide/waf-classic-logging-enabled.html"},
			Check: func(s *model.Snapshot) []Result {
				return eachClassicGlobal(s, "web ACLs", "webacl/*", func(r wafclassic.Region) core.Val[[]wafclassic.WebACL] { return r.WebACLs },
					func(w wafclassic.WebACL) (string, *Result) {
						arn := orARN(w.ARN, regionalARN(s, "waf", "", "webacl/"+w.ID))
						l, ok := w.Logging.Get()
						switch {
						case !ok:
							return arn, &Result{Status: Unknown, Message: fmt.Sprintf("web ACL %s: logging configuration unreadable: %s", w.Name, w.Logging.Why())}
						case l == nil || len(l.DestinationARNs) == 0:
							return arn, &Result{Status: Fail, Message: fmt.Sprintf("WAF Classic global web ACL %s does not have logging enabled", w.Name)}
						}
						return arn, &Result{Status: Pass, Message: fmt.Sprintf("WAF Classic global web ACL %s logs to %s", w.Name, strings.Join(l.DestinationARNs, ", "))}
					})
			},
		},
		classicRuleConditions(false, "WAF.2"),
		classicGroupRules(false, "WAF.3"),
		classicWebACLRules(false, "WAF.4"),
		classicRuleConditions(true, "WAF.6"),
		classicGroupRules(true, "WAF.7"),
		classicWebACLRules(true, "WAF.8"),
	}
}

// classicScope names one of the two Classic APIs in rule metadata.
func classicScope(global bool) (id, title, arnService string) {
	if global {
		return "global", "global", "waf"
	}
	return "regional", "Regional", "waf-regional"
}

func classicRuleConditions(global bool, control string) Rule {
	id, title, svc := classicScope(global)
	cli := "aws waf-regional"
	tf := "aws_wafregional_rule"
	if global {
		cli, tf = "aws waf", "aws_waf_rule"
	}
	return Rule{
		ID:             "waf-classic-" + id + "-rule-has-conditions",
		Title:          "AWS WAF Classic " + title + " rules have at least one condition",
		Service:        "waf",
		Severity:       Medium,
		Responsibility: LayerNetwork,
		Frameworks:     map[string][]string{FSBP: {control}},
		Description: "A WAF Classic rule matches a request only through its conditions (IP, string, SQL injection, XSS, " +
			"size, geo, regex match); a rule without any never matches, so its action never applies. Regular rules " +
			"are judged; rate-based rules are a separate kind.",
		Remediation: wafClassicEOS + "While it exists, add a condition to the rule (or delete the rule):\n" +
			"  " + cli + " update-rule --rule-id RULE_ID --change-token $(" + cli + " get-change-token --query ChangeToken --output text) \\\n" +
			"      --updates 'Action=INSERT,Predicate={Negated=false,Type=IPMatch,DataId=IPSET_ID}'\n" +
			"Terraform: resource \"" + tf + "\" \"r\" { ... predicate { data_id = IPSET_ID, negated = false, type = \"IPMatch\" } }",
		Links: []string{"https://docs.aws.amazon.com/waf/latest/developerguide/classic-web-acl-rules.html",
			wafClassicControls + "#waf-" + strings.TrimPrefix(control, "WAF."),
			"https://docs.aws.amazon.com/config/latest/developerguide/waf-" + id + "-rule-not-empty.html"},
		Check: func(s *model.Snapshot) []Result {
			judge := func(region string, r wafclassic.Rule) (string, *Result) {
				arn := orARN(r.ARN, regionalARN(s, svc, regionIfRegional(global, region), "rule/"+r.ID))
				ps, ok := r.Predicates.Get()
				switch {
				case !ok:
					return arn, &Result{Status: Unknown, Message: fmt.Sprintf("rule %s: conditions unreadable: %s", r.Name, r.Predicates.Why())}
				case len(ps) == 0:
					return arn, &Result{Status: Fail, Message: fmt.Sprintf("WAF Classic %s rule %s has no conditions", title, r.Name)}
				}
				return arn, &Result{Status: Pass, Message: fmt.Sprintf("WAF Classic %s rule %s has %s", title, r.Name, plural(len(ps), "condition", "conditions"))}
			}
			list := func(r wafclassic.Region) core.Val[[]wafclassic.Rule] { return r.Rules }
			if global {
				return eachClassicGlobal(s, "rules", "rule/*", list, func(r wafclassic.Rule) (string, *Result) { return judge("", r) })
			}
			return eachClassicRegional(s, "rules", "rule/*", list, judge)
		},
	}
}

func classicGroupRules(global bool, control string) Rule {
	id, title, svc := classicScope(global)
	cli := "aws waf-regional"
	tf := "aws_wafregional_rule_group"
	if global {
		cli, tf = "aws waf", "aws_waf_rule_group"
	}
	return Rule{
		ID:             "waf-classic-" + id + "-rule-group-has-rules",
		Title:          "AWS WAF Classic " + title + " rule groups have at least one rule",
		Service:        "waf",
		Severity:       Medium,
		Responsibility: LayerNetwork,
		Frameworks:     map[string][]string{FSBP: {control}},
		Description: "A WAF Classic rule group without rules inspects nothing: a web ACL that uses it gains no " +
			"protection from it. The account's own rule groups are judged.",
		Remediation: wafClassicEOS + "While it exists, add a rule to the group (or delete the group):\n" +
			"  " + cli + " update-rule-group --rule-group-id GROUP_ID --change-token $(" + cli + " get-change-token --query ChangeToken --output text) \\\n" +
			"      --updates 'Action=INSERT,ActivatedRule={Priority=1,RuleId=RULE_ID,Action={Type=BLOCK},Type=REGULAR}'\n" +
			"Terraform: resource \"" + tf + "\" \"g\" { ... activated_rule { action { type = \"BLOCK\" } priority = 1, rule_id = RULE_ID } }",
		Links: []string{"https://docs.aws.amazon.com/waf/latest/APIReference/API_waf_RuleGroupUpdate.html",
			wafClassicControls + "#waf-" + strings.TrimPrefix(control, "WAF."),
			"https://docs.aws.amazon.com/config/latest/developerguide/waf-" + id + "-rulegroup-not-empty.html"},
		Check: func(s *model.Snapshot) []Result {
			judge := func(region string, g wafclassic.RuleGroup) (string, *Result) {
				arn := orARN(g.ARN, regionalARN(s, svc, regionIfRegional(global, region), "rulegroup/"+g.ID))
				rs, ok := g.Rules.Get()
				switch {
				case !ok:
					return arn, &Result{Status: Unknown, Message: fmt.Sprintf("rule group %s: rules unreadable: %s", g.Name, g.Rules.Why())}
				case len(rs) == 0:
					return arn, &Result{Status: Fail, Message: fmt.Sprintf("WAF Classic %s rule group %s has no rules", title, g.Name)}
				}
				return arn, &Result{Status: Pass, Message: fmt.Sprintf("WAF Classic %s rule group %s has %s", title, g.Name, plural(len(rs), "rule", "rules"))}
			}
			list := func(r wafclassic.Region) core.Val[[]wafclassic.RuleGroup] { return r.RuleGroups }
			if global {
				return eachClassicGlobal(s, "rule groups", "rulegroup/*", list, func(g wafclassic.RuleGroup) (string, *Result) { return judge("", g) })
			}
			return eachClassicRegional(s, "rule groups", "rulegroup/*", list, judge)
		},
	}
}

func classicWebACLRules(global bool, control string) Rule {
	id, title, svc := classicScope(global)
	cli := "aws waf-regional"
	tf := "aws_wafregional_web_acl"
	if global {
		cli, tf = "aws waf", "aws_waf_web_acl"
	}
	return Rule{
		ID:             "waf-classic-" + id + "-web-acl-has-rules",
		Title:          "AWS WAF Classic " + title + " web ACLs have at least one rule or rule group",
		Service:        "waf",
		Severity:       Medium,
		Responsibility: LayerNetwork,
		Frameworks:     map[string][]string{FSBP: {control}},
		Description: "A WAF Classic web ACL without rules or rule groups inspects nothing: every request gets the " +
			"default action.",
		Remediation: wafClassicEOS + "While it exists, add a rule or rule group to the web ACL (or delete it):\n" +
			"  " + cli + " update-web-acl --web-acl-id ACL_ID --change-token $(" + cli + " get-change-token --query ChangeToken --output text) \\\n" +
			"      --updates 'Action=INSERT,ActivatedRule={Priority=1,RuleId=RULE_ID,Action={Type=BLOCK},Type=REGULAR}'\n" +
			"Terraform: resource \"" + tf + "\" \"a\" { ... rule { action { type = \"BLOCK\" } priority = 1, rule_id = RULE_ID, type = \"REGULAR\" } }",
		Links: []string{"https://docs.aws.amazon.com/waf/latest/APIReference/API_waf_WebACLUpdate.html",
			wafClassicControls + "#waf-" + strings.TrimPrefix(control, "WAF."),
			"https://docs.aws.amazon.com/config/latest/developerguide/waf-" + id + "-webacl-not-empty.html"},
		Check: func(s *model.Snapshot) []Result {
			judge := func(region string, w wafclassic.WebACL) (string, *Result) {
				arn := orARN(w.ARN, regionalARN(s, svc, regionIfRegional(global, region), "webacl/"+w.ID))
				rs, ok := w.Rules.Get()
				switch {
				case !ok:
					return arn, &Result{Status: Unknown, Message: fmt.Sprintf("web ACL %s: rules unreadable: %s", w.Name, w.Rules.Why())}
				case len(rs) == 0:
					return arn, &Result{Status: Fail, Message: fmt.Sprintf("WAF Classic %s web ACL %s has no rules or rule groups; every request gets the default action %s",
						title, w.Name, orStr(w.DefaultAction, "(unknown)"))}
				}
				return arn, &Result{Status: Pass, Message: fmt.Sprintf("WAF Classic %s web ACL %s has %s", title, w.Name, plural(len(rs), "rule or rule group", "rules and rule groups"))}
			}
			list := func(r wafclassic.Region) core.Val[[]wafclassic.WebACL] { return r.WebACLs }
			if global {
				return eachClassicGlobal(s, "web ACLs", "webacl/*", list, func(w wafclassic.WebACL) (string, *Result) { return judge("", w) })
			}
			return eachClassicRegional(s, "web ACLs", "webacl/*", list, judge)
		},
	}
}

// regionIfRegional is the ARN region of a Classic resource: none for the
// global API.
func regionIfRegional(global bool, region string) string {
	if global {
		return ""
	}
	return region
}

// eachClassicGlobal judges every item of one list of the global WAF Classic
// API; judge returns the item's ARN and a result without ARN and region.
func eachClassicGlobal[T any](s *model.Snapshot, what, wildcard string, list func(wafclassic.Region) core.Val[[]T],
	judge func(T) (string, *Result)) []Result {
	items, unk := knownList(list(s.WAFClassic.Global), regionalARN(s, "waf", "", wildcard), globalRegion, "AWS WAF Classic global "+what)
	if unk != nil {
		return unk
	}
	out := make([]Result, 0, len(items))
	for _, it := range items {
		arn, r := judge(it)
		if r != nil {
			r.ResourceARN, r.Region = arn, globalRegion
			out = append(out, *r)
		}
	}
	return out
}

// eachClassicRegional judges every item of one list of WAF Classic Regional
// in every region; an uncollected or unreadable region is UNKNOWN.
func eachClassicRegional[T any](s *model.Snapshot, what, wildcard string, list func(wafclassic.Region) core.Val[[]T],
	judge func(region string, item T) (string, *Result)) []Result {
	sr := svcRegions[wafclassic.Region, T]{
		service: "waf-regional", what: "AWS WAF Classic Regional " + what, wildcard: wildcard, regions: s.WAFClassic.Regions,
		name: func(r *wafclassic.Region) string { return r.Name },
		list: func(r *wafclassic.Region) core.Val[[]T] { return list(*r) },
	}
	return sr.eachItem(s, func(region string, it T) *Result {
		arn, r := judge(region, it)
		if r != nil {
			r.ResourceARN, r.Region = arn, region
		}
		return r
	})
}
