package checks

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/logs"
	"github.com/demarc-sec/demarc/internal/model/sns"
)

// CIS section 4: for each event class, a multi-region trail that is logging
// all management events must deliver to a CloudWatch Logs log group that has
// a metric filter for the class, with an alarm on the filter's metric that
// notifies an SNS topic with at least one confirmed subscriber. The audit
// procedure is the one CIS prescribes (and Security Hub's CloudWatch.1–14
// controls automate):
// https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html
//
// Filters are compared by meaning, not by text: a filter qualifies when it
// parses, contains every term the published versions of the pattern agree on
// (quotes and whitespace aside), catches a CloudTrail event of every kind the
// pattern is meant to catch, and does not catch routine activity (so "{ $.eventName = * }"
// does not count). Terms on $.eventSource only narrow a filter to one
// service and are not required.

// cisMetric is one control of CIS section 4.
type cisMetric struct {
	control  string // "4.3"
	id       string // rule ID suffix
	what     string // "usage of the root user"
	severity Severity
	// variants are the published forms of the pattern: CIS v5.0 first, then
	// the Security Hub (CloudWatch.N) form where it differs.
	variants []string
	// probes are CloudTrail events the filter must match; benign events it
	// must not (in addition to cisBenign).
	probes  []map[string]any
	benign  []map[string]any
	fsbpTag string // the Security Hub control automating the same check, for the description

	once      sync.Once
	published map[string]bool // canonical forms of the variants
}

// cisMetrics are CIS v5.0 controls 4.1–4.15 with their filter patterns.
var cisMetrics = []*cisMetric{
	{control: "4.1", id: "unauthorized-api-calls", what: "unauthorized API calls", severity: Low, fsbpTag: "CloudWatch.2",
		variants: []string{
			`{($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket")}`,
			`{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`,
			// Printed in some CIS remediation text with || throughout; it
			// matches nearly every event, but it is what the benchmark told
			// people to paste, so the exact form is accepted.
			`{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }`,
		},
		probes: []map[string]any{
			ctEvent("ec2.amazonaws.com", "RunInstances", "errorCode", "Client.UnauthorizedOperation"),
			ctEvent("s3.amazonaws.com", "GetObject", "errorCode", "AccessDenied"),
			ctEvent("kms.amazonaws.com", "Decrypt", "errorCode", "AccessDeniedException"),
		}},
	{control: "4.2", id: "console-signin-without-mfa", what: "management console sign-in without MFA", severity: Low, fsbpTag: "CloudWatch.3",
		variants: []string{
			`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`,
			`{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`,
		},
		probes: []map[string]any{consoleLogin("IAMUser", "No", "Success", "")},
		benign: []map[string]any{consoleLogin("IAMUser", "Yes", "Success", "")}},
	{control: "4.3", id: "root-usage", what: "usage of the root user", severity: Medium, fsbpTag: "CloudWatch.1",
		variants: []string{
			`{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
		},
		probes: []map[string]any{
			ctEvent("iam.amazonaws.com", "CreateAccessKey", "userIdentity.type", "Root"),
			consoleLogin("Root", "No", "Success", ""),
		},
		benign: []map[string]any{
			ctEvent("s3.amazonaws.com", "PutObject", "userIdentity.type", "Root", "userIdentity.invokedBy", "cloudtrail.amazonaws.com"),
			ctEvent("kms.amazonaws.com", "RotateKey", "userIdentity.type", "Root", "eventType", "AwsServiceEvent"),
		}},
	{control: "4.4", id: "iam-policy-changes", what: "IAM policy changes", severity: Low, fsbpTag: "CloudWatch.4",
		variants: []string{
			`{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}`,
			`{($.eventSource=iam.amazonaws.com) && (($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy))}`,
		},
		probes: ctEvents("iam.amazonaws.com", "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
			"PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
			"AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")},
	{control: "4.5", id: "cloudtrail-changes", what: "CloudTrail configuration changes", severity: Low, fsbpTag: "CloudWatch.5",
		variants: []string{
			`{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`,
		},
		probes: ctEvents("cloudtrail.amazonaws.com", "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")},
	{control: "4.6", id: "console-auth-failures", what: "management console authentication failures", severity: Low, fsbpTag: "CloudWatch.6",
		variants: []string{
			`{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`,
		},
		probes: []map[string]any{consoleLogin("IAMUser", "No", "Failure", "Failed authentication")},
		benign: []map[string]any{consoleLogin("IAMUser", "Yes", "Success", "")}},
	{control: "4.7", id: "cmk-disable-or-deletion", what: "disabling or scheduled deletion of customer managed keys", severity: Low, fsbpTag: "CloudWatch.7",
		variants: []string{
			`{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }`,
		},
		probes: ctEvents("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion")},
	{control: "4.8", id: "s3-bucket-policy-changes", what: "S3 bucket policy changes", severity: Low, fsbpTag: "CloudWatch.8",
		variants: []string{
			`{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }`,
		},
		probes: ctEvents("s3.amazonaws.com", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
			"DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication")},
	{control: "4.9", id: "config-changes", what: "AWS Config configuration changes", severity: Low, fsbpTag: "CloudWatch.9",
		variants: []string{
			`{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }`,
		},
		probes: ctEvents("config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder")},
	{control: "4.10", id: "security-group-changes", what: "security group changes", severity: Low, fsbpTag: "CloudWatch.10",
		variants: []string{
			`{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }`,
		},
		probes: ctEvents("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
			"RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup")},
	{control: "4.11", id: "nacl-changes", what: "network ACL changes", severity: Low, fsbpTag: "CloudWatch.11",
		variants: []string{
			`{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }`,
		},
		probes: ctEvents("ec2.amazonaws.com", "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
			"ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")},
	{control: "4.12", id: "network-gateway-changes", what: "network gateway changes", severity: Low, fsbpTag: "CloudWatch.12",
		variants: []string{
			`{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }`,
		},
		probes: ctEvents("ec2.amazonaws.com", "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
			"DeleteInternetGateway", "DetachInternetGateway")},
	{control: "4.13", id: "route-table-changes", what: "route table changes", severity: Low, fsbpTag: "CloudWatch.13",
		variants: []string{
			`{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }`,
			`{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }`,
		},
		probes: ctEvents("ec2.amazonaws.com", "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
			"DeleteRoute", "DisassociateRouteTable")},
	{control: "4.14", id: "vpc-changes", what: "VPC changes", severity: Low, fsbpTag: "CloudWatch.14",
		variants: []string{
			`{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }`,
		},
		probes: ctEvents("ec2.amazonaws.com", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
			"DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink")},
	{control: "4.15", id: "organizations-changes", what: "AWS Organizations changes", severity: Low,
		variants: []string{
			`{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }`,
		},
		probes: ctEvents("organizations.amazonaws.com", "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
			"DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
			"InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit")},
}

// cisBenign are routine events no section 4 filter may match: a filter that
// catches them alarms on everything and monitors nothing in particular.
var cisBenign = []map[string]any{
	ctEvent("ec2.amazonaws.com", "DescribeInstances"),
	consoleLogin("IAMUser", "Yes", "Success", ""),
}

// ctEvent builds a CloudTrail record: a successful API call by an IAM user
// from a public address, with extra dotted-path fields set from kv pairs.
func ctEvent(source, name string, kv ...string) map[string]any {
	e := map[string]any{
		"eventVersion":    "1.09",
		"eventSource":     source,
		"eventName":       name,
		"eventType":       "AwsApiCall",
		"awsRegion":       "us-east-1",
		"sourceIPAddress": "203.0.113.10",
		"userIdentity":    map[string]any{"type": "IAMUser", "accountId": "111122223333"},
		"readOnly":        false,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		setPath(e, kv[i], kv[i+1])
	}
	return e
}

func ctEvents(source string, names ...string) []map[string]any {
	out := make([]map[string]any, len(names))
	for i, n := range names {
		out[i] = ctEvent(source, n)
	}
	return out
}

// consoleLogin builds a ConsoleLogin record as CloudTrail writes it.
func consoleLogin(identity, mfaUsed, outcome, errorMessage string) map[string]any {
	e := ctEvent("signin.amazonaws.com", "ConsoleLogin", "userIdentity.type", identity, "eventType", "AwsConsoleSignIn",
		"additionalEventData.MFAUsed", mfaUsed, "responseElements.ConsoleLogin", outcome)
	if errorMessage != "" {
		e["errorMessage"] = errorMessage
	}
	return e
}

func setPath(m map[string]any, path, v string) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

// required returns the terms every published variant of the pattern has,
// except those on $.eventSource (which only narrow the filter to the one
// service whose events it names).
func (m *cisMetric) required() []fpTerm {
	var common map[string]fpTerm
	for _, v := range m.variants {
		n, err := parseFilterPattern(v)
		if err != nil {
			panic(fmt.Sprintf("CIS %s pattern does not parse: %v", m.control, err))
		}
		set := map[string]fpTerm{}
		for _, t := range n.terms() {
			if t.Selector != "$.eventSource" {
				set[t.key()] = t
			}
		}
		if common == nil {
			common = set
			continue
		}
		for k := range common {
			if _, ok := set[k]; !ok {
				delete(common, k)
			}
		}
	}
	out := make([]fpTerm, 0, len(common))
	for _, t := range common {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// judge tells whether a filter pattern monitors what the control asks for;
// when not, it says why.
func (m *cisMetric) judge(pattern string, required []fpTerm) (bool, string) {
	n, err := parseFilterPattern(pattern)
	if err != nil {
		return false, "pattern does not parse: " + err.Error()
	}
	m.once.Do(func() {
		m.published = map[string]bool{}
		for _, v := range m.variants {
			if pn, err := parseFilterPattern(v); err == nil {
				m.published[pn.canonical()] = true
			}
		}
	})
	if m.published[n.canonical()] {
		return true, "" // a published form, whatever its spacing, quoting or order
	}
	have := map[string]bool{}
	for _, t := range n.terms() {
		have[t.key()] = true
	}
	var missing []string
	for _, t := range required {
		if !have[t.key()] {
			missing = append(missing, t.key())
		}
	}
	if len(missing) > 0 {
		return false, "pattern lacks " + capList(missing)
	}
	for _, p := range m.probes {
		if !n.matches(p) {
			return false, fmt.Sprintf("pattern does not match a %v event", p["eventName"])
		}
	}
	for _, b := range append(append([]map[string]any(nil), cisBenign...), m.benign...) {
		if n.matches(b) {
			return false, fmt.Sprintf("pattern also matches routine %v events", b["eventName"])
		}
	}
	return true, ""
}

func monitoringRules() []Rule {
	out := make([]Rule, 0, len(cisMetrics))
	for _, m := range cisMetrics {
		desc := "CIS " + m.control + ": a metric filter and alarm should exist for " + m.what + ". The check follows the CIS audit: " +
			"a multi-region trail that is logging all read and write management events (no excluded sources) delivers to a CloudWatch Logs " +
			"log group; that log group has a metric filter equivalent to the CIS pattern (every term the published patterns agree on, " +
			"quoting and spacing aside; catches every event kind the pattern names; does not catch routine activity); an alarm with " +
			"actions enabled watches the filter's metric and notifies an SNS topic with at least one confirmed subscription."
		if m.fsbpTag != "" {
			desc += " Security Hub automates the same check as " + m.fsbpTag + " in its CIS standard."
		}
		metric := "CIS-" + strings.ReplaceAll(m.id, "-", "_")
		out = append(out, Rule{
			ID:             "cloudwatch-alarm-" + m.id,
			Title:          "A log metric filter and alarm exist for " + m.what,
			Service:        "cloudwatch",
			Severity:       m.severity,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{CIS50: {m.control}},
			Description:    desc,
			Remediation: "Create the filter on the trail's log group, an alarm on its metric, and an SNS topic with a subscriber:\n" +
				"  aws logs put-metric-filter --log-group-name CLOUDTRAIL_LOG_GROUP --filter-name " + metric + " \\\n" +
				"      --metric-transformations metricName=" + metric + ",metricNamespace=CISBenchmark,metricValue=1 \\\n" +
				"      --filter-pattern '" + m.variants[0] + "'\n" +
				"  aws sns create-topic --name cis-alarms && aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint SECURITY_EMAIL\n" +
				"  aws cloudwatch put-metric-alarm --alarm-name " + metric + " --metric-name " + metric + " --namespace CISBenchmark \\\n" +
				"      --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN\n" +
				"Terraform: resource \"aws_cloudwatch_log_metric_filter\" \"f\" { name = \"" + metric + "\", log_group_name = aws_cloudwatch_log_group.trail.name,\n" +
				"  pattern = " + strconv.Quote(m.variants[0]) + "\n" +
				"  metric_transformation { name = \"" + metric + "\", namespace = \"CISBenchmark\", value = \"1\" } }\n" +
				"resource \"aws_cloudwatch_metric_alarm\" \"a\" { alarm_name = \"" + metric + "\", metric_name = \"" + metric + "\", namespace = \"CISBenchmark\",\n" +
				"  statistic = \"Sum\", period = 300, threshold = 1, comparison_operator = \"GreaterThanOrEqualToThreshold\", evaluation_periods = 1,\n" +
				"  alarm_actions = [aws_sns_topic.cis_alarms.arn] }",
			Links: []string{
				"https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
				"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html",
				"https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html",
			},
			Check: checkCISMetricAlarm(m),
		})
	}
	return out
}

// logGroupRef is a trail's CloudWatch Logs log group, from its ARN
// (arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*).
type logGroupRef struct {
	region, account, name string
}

func parseLogGroupARN(arn string) (logGroupRef, bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 || parts[2] != "logs" || !strings.HasPrefix(parts[5], "log-group") {
		return logGroupRef{}, false
	}
	name := strings.TrimSuffix(parts[6], ":*")
	if parts[5] != "log-group" || name == "" {
		return logGroupRef{}, false
	}
	return logGroupRef{region: parts[3], account: parts[4], name: name}, true
}

func logsRegion(s *model.Snapshot, name string) *logs.Region {
	for i := range s.Logs {
		if s.Logs[i].Name == name {
			return &s.Logs[i]
		}
	}
	return nil
}

func snsRegionOf(s *model.Snapshot, name string) *sns.Region {
	for i := range s.SNS {
		if s.SNS[i].Name == name {
			return &s.SNS[i]
		}
	}
	return nil
}

// monitoredTrail decides whether a trail is one the CIS audit starts from:
// multi-region, logging, recording all read and write management events
// without exclusions, and delivering to CloudWatch Logs. known is false when
// the snapshot cannot tell.
func monitoredTrail(t cloudtrail.Trail) (ok, known bool, why string) {
	if !t.IsMultiRegion {
		return false, true, "trail " + t.Name + " is single-region"
	}
	if t.CloudWatchLogsLogGroupARN == "" {
		return false, true, "trail " + t.Name + " does not deliver to CloudWatch Logs"
	}
	st, ok := t.Status.Get()
	switch {
	case !ok:
		return false, false, "trail " + t.Name + " status unreadable: " + t.Status.Why()
	case !st.IsLogging:
		return false, true, "trail " + t.Name + " is not logging"
	}
	sel, ok := t.Selectors.Get()
	if !ok {
		return false, false, "trail " + t.Name + " event selectors unreadable: " + t.Selectors.Why()
	}
	c := managementCoverage(sel)
	switch {
	case !c.read || !c.write:
		return false, true, "trail " + t.Name + " does not record both read and write management events"
	case len(c.excluded) > 0:
		return false, true, "trail " + t.Name + " excludes management events (" + strings.Join(c.excluded, ", ") + ")"
	}
	return true, true, ""
}

// topicNotifies says whether an SNS topic has a confirmed subscription, from
// the subscription list or, failing that, the topic's counters.
func topicNotifies(s *model.Snapshot, topicARN string) tri {
	parts := strings.Split(topicARN, ":")
	if len(parts) < 6 || parts[2] != "sns" {
		return triKnown(false)
	}
	if parts[4] != s.AccountID {
		return triUnknown("topic " + topicARN + " belongs to another account; its subscriptions are not visible")
	}
	r := snsRegionOf(s, parts[3])
	if r == nil {
		return triUnknown("SNS data for region " + parts[3] + " was not collected")
	}
	if subs, ok := r.Subscriptions.Get(); ok {
		for _, sub := range subs {
			if sub.TopicARN == topicARN && sub.Confirmed() {
				return triKnown(true)
			}
		}
	}
	if topics, ok := r.Topics.Get(); ok {
		for _, t := range topics {
			if t.ARN != topicARN {
				continue
			}
			if a, ok := t.Attributes.Get(); ok && a.SubscriptionsConfirmed > 0 {
				return triKnown(true)
			}
		}
	}
	if r.Subscriptions.Ok {
		return triKnown(false)
	}
	return triUnknown("SNS subscriptions in " + parts[3] + " unreadable: " + r.Subscriptions.Why())
}

// alarmsOn lists the alarms watching a metric, directly or in metric math.
func alarmsOn(alarms []logs.Alarm, name, namespace string) []logs.Alarm {
	var out []logs.Alarm
	for _, a := range alarms {
		hit := a.MetricName == name && a.Namespace == namespace
		for _, m := range a.Metrics {
			if m.MetricName == name && m.Namespace == namespace {
				hit = true
			}
		}
		if hit {
			out = append(out, a)
		}
	}
	return out
}

func checkCISMetricAlarm(m *cisMetric) func(*model.Snapshot) []Result {
	required := m.required()
	return func(s *model.Snapshot) []Result {
		arn := accountARN(s)
		trails, ok := s.CloudTrail.Trails.Get()
		if !ok {
			return []Result{UnknownR(arn, globalRegion, "CloudTrail trails unreadable: %s", s.CloudTrail.Trails.Why())}
		}
		if len(trails) == 0 {
			return []Result{FailR(arn, globalRegion, "no CloudTrail trail exists, so nothing monitors %s", m.what)}
		}
		var fails, unknowns []string
		for _, t := range trails {
			ok, known, why := monitoredTrail(t)
			if !ok {
				if known {
					fails = append(fails, why)
				} else {
					unknowns = append(unknowns, why)
				}
				continue
			}
			pass, chainFails, chainUnknowns := m.followTrail(s, t, required)
			if pass != "" {
				return []Result{PassR(arn, globalRegion, "%s", pass)}
			}
			fails = append(fails, chainFails...)
			unknowns = append(unknowns, chainUnknowns...)
		}
		if len(unknowns) > 0 {
			return []Result{UnknownR(arn, globalRegion, "no confirmed monitoring of %s: %s", m.what, strings.Join(append(unknowns, fails...), "; "))}
		}
		return []Result{FailR(arn, globalRegion, "%s are not monitored (CIS %s): %s", m.what, m.control, strings.Join(fails, "; "))}
	}
}

// followTrail walks trail → log group → metric filter → alarm → SNS topic
// → subscription. It returns a PASS message when the chain holds, else why
// not (known failures and unknowns).
func (m *cisMetric) followTrail(s *model.Snapshot, t cloudtrail.Trail, required []fpTerm) (pass string, fails, unknowns []string) {
	lg, ok := parseLogGroupARN(t.CloudWatchLogsLogGroupARN)
	switch {
	case !ok:
		return "", []string{"trail " + t.Name + " has an unrecognised log group ARN " + t.CloudWatchLogsLogGroupARN}, nil
	case lg.account != "" && lg.account != s.AccountID:
		return "", nil, []string{"trail " + t.Name + " delivers to log group " + lg.name + " in account " + lg.account + ", which this snapshot cannot see"}
	}
	r := logsRegion(s, lg.region)
	if r == nil {
		return "", nil, []string{"CloudWatch Logs data for region " + lg.region + " was not collected"}
	}
	filters, ok := r.MetricFilters.Get()
	if !ok {
		return "", nil, []string{"metric filters in " + lg.region + " unreadable: " + r.MetricFilters.Why()}
	}
	var rejected []string
	var matching []logs.MetricFilter
	for _, f := range filters {
		if f.LogGroupName != lg.name {
			continue
		}
		if ok, why := m.judge(f.Pattern, required); ok {
			matching = append(matching, f)
		} else {
			rejected = append(rejected, "filter "+f.Name+": "+why)
		}
	}
	if len(matching) == 0 {
		msg := "log group " + lg.name + " (trail " + t.Name + ") has no metric filter for the CIS " + m.control + " pattern"
		if len(rejected) > 0 {
			sort.Strings(rejected)
			msg += " (" + capList(rejected) + ")"
		}
		return "", []string{msg}, nil
	}
	alarms, ok := r.Alarms.Get()
	if !ok {
		return "", nil, []string{"CloudWatch alarms in " + lg.region + " unreadable: " + r.Alarms.Why()}
	}
	for _, f := range matching {
		if len(f.Transformations) == 0 {
			fails = append(fails, "filter "+f.Name+" publishes no metric")
		}
		for _, tr := range f.Transformations {
			watching := alarmsOn(alarms, tr.MetricName, tr.MetricNamespace)
			if len(watching) == 0 {
				fails = append(fails, "no alarm watches metric "+tr.MetricNamespace+"/"+tr.MetricName+" of filter "+f.Name)
				continue
			}
			for _, a := range watching {
				if !a.ActionsEnabled {
					fails = append(fails, "alarm "+a.Name+" has its actions disabled")
					continue
				}
				var topics []string
				for _, act := range a.AlarmActions {
					if strings.Contains(act, ":sns:") {
						topics = append(topics, act)
					}
				}
				if len(topics) == 0 {
					fails = append(fails, "alarm "+a.Name+" notifies no SNS topic")
					continue
				}
				for _, topic := range topics {
					n := topicNotifies(s, topic)
					switch {
					case n.known && n.v:
						return fmt.Sprintf("trail %s → log group %s → filter %s (%s/%s) → alarm %s → SNS topic %s with a confirmed subscription",
							t.Name, lg.name, f.Name, tr.MetricNamespace, tr.MetricName, a.Name, topic), nil, nil
					case n.known:
						fails = append(fails, "alarm "+a.Name+" notifies topic "+topic+", which has no confirmed subscription")
					default:
						unknowns = append(unknowns, "alarm "+a.Name+": "+n.why)
					}
				}
			}
		}
	}
	return "", fails, unknowns
}

// A reader and evaluator for CloudWatch Logs JSON filter patterns
// ("{ $.eventName = ConsoleLogin && $.errorMessage = "Failed authentication" }"),
// just enough for CIS section 4: comparisons (=, !=, <, >, <=, >=), string
// wildcards, IS NULL / IS TRUE / IS FALSE / EXISTS / NOT EXISTS, &&, || and
// parentheses. The grammar follows the CloudWatch Logs documentation:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
// Patterns that are not JSON patterns (space-delimited, term or regex
// patterns) are reported as unparseable: a CloudTrail filter in that form
// is not what CIS prescribes.

// fpNode is a node of a parsed JSON filter pattern: a leaf comparison, or
// an && / || over children.
type fpNode struct {
	op       string // "&&", "||", or "" for a leaf
	children []*fpNode
	leaf     fpTerm
}

// fpTerm is one comparison. Op is "=", "!=", "<", ">", "<=", ">=",
// "NOT EXISTS", "EXISTS", "IS NULL", "IS TRUE" or "IS FALSE"; Value is the
// unquoted operand ("" for the unary forms).
type fpTerm struct {
	Selector string
	Op       string
	Value    string
	regex    *regexp.Regexp // %regex% operand
}

// key is the term's normalized identity for comparing patterns: quoting and
// whitespace do not matter, case of values does (CloudWatch Logs matches
// case-sensitively).
func (t fpTerm) key() string { return t.Selector + " " + t.Op + " " + t.Value }

type fpToken struct {
	kind string // "sym" (punctuation/operator), "str" (quoted), "re" (%regex%), "word"
	text string
}

func fpTokenize(s string) ([]fpToken, error) {
	var out []fpToken
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '{' || c == '}' || c == '(' || c == ')':
			out = append(out, fpToken{"sym", string(c)})
			i++
		case strings.HasPrefix(s[i:], "&&") || strings.HasPrefix(s[i:], "||") ||
			strings.HasPrefix(s[i:], "!=") || strings.HasPrefix(s[i:], "<=") || strings.HasPrefix(s[i:], ">="):
			out = append(out, fpToken{"sym", s[i : i+2]})
			i += 2
		case c == '=' || c == '<' || c == '>':
			out = append(out, fpToken{"sym", string(c)})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string at offset %d", i)
			}
			out = append(out, fpToken{"str", b.String()})
			i = j + 1
		case c == '%':
			j := strings.IndexByte(s[i+1:], '%')
			if j < 0 {
				return nil, fmt.Errorf("unterminated regular expression at offset %d", i)
			}
			out = append(out, fpToken{"re", s[i+1 : i+1+j]})
			i += j + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n{}()=!<>&|\"", rune(s[j])) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q at offset %d", c, i)
			}
			out = append(out, fpToken{"word", s[i:j]})
			i = j
		}
	}
	return out, nil
}

// fpParser is a recursive-descent parser; depth bounds nesting so a hostile
// pattern cannot exhaust the stack.
type fpParser struct {
	toks  []fpToken
	pos   int
	depth int
}

const fpMaxDepth = 64

var fpComparators = map[string]bool{"=": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true}

func (p *fpParser) peek() (fpToken, bool) {
	if p.pos >= len(p.toks) {
		return fpToken{}, false
	}
	return p.toks[p.pos], true
}

func (p *fpParser) isSym(text string) bool {
	t, ok := p.peek()
	return ok && t.kind == "sym" && t.text == text
}

func (p *fpParser) isWord(text string) bool {
	t, ok := p.peek()
	return ok && t.kind == "word" && strings.EqualFold(t.text, text)
}

// parseFilterPattern parses a JSON filter pattern.
func parseFilterPattern(pattern string) (*fpNode, error) {
	toks, err := fpTokenize(pattern)
	if err != nil {
		return nil, err
	}
	if len(toks) < 2 || toks[0].text != "{" || toks[len(toks)-1].text != "}" {
		return nil, fmt.Errorf("not a JSON filter pattern (want { … })")
	}
	p := &fpParser{toks: toks[1 : len(toks)-1]}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t, ok := p.peek(); ok {
		return nil, fmt.Errorf("unexpected %q", t.text)
	}
	return n, nil
}

// parseOr and parseAnd give && precedence over ||, as in the CloudWatch Logs
// examples; the CIS patterns parenthesize wherever it would matter.
func (p *fpParser) parseOr() (*fpNode, error) {
	return p.parseBinary("||", p.parseAnd)
}

func (p *fpParser) parseAnd() (*fpNode, error) {
	return p.parseBinary("&&", p.parseUnary)
}

func (p *fpParser) parseBinary(op string, next func() (*fpNode, error)) (*fpNode, error) {
	first, err := next()
	if err != nil {
		return nil, err
	}
	n := &fpNode{op: op, children: []*fpNode{first}}
	for p.isSym(op) {
		p.pos++
		c, err := next()
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, c)
	}
	if len(n.children) == 1 {
		return first, nil
	}
	return n, nil
}

func (p *fpParser) parseUnary() (*fpNode, error) {
	if p.isSym("(") {
		p.pos++
		p.depth++
		if p.depth > fpMaxDepth {
			return nil, fmt.Errorf("pattern nested too deeply")
		}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if !p.isSym(")") {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		p.depth--
		return n, nil
	}
	return p.parseComparison()
}

func (p *fpParser) parseComparison() (*fpNode, error) {
	t, ok := p.peek()
	if !ok || t.kind != "word" || !strings.HasPrefix(t.text, "$") {
		return nil, fmt.Errorf("expected a $.selector, got %q", t.text)
	}
	p.pos++
	term := fpTerm{Selector: t.text}
	switch {
	case p.isWord("NOT"):
		p.pos++
		if !p.isWord("EXISTS") {
			return nil, fmt.Errorf("expected EXISTS after NOT")
		}
		p.pos++
		term.Op = "NOT EXISTS"
	case p.isWord("EXISTS"):
		p.pos++
		term.Op = "EXISTS"
	case p.isWord("IS"):
		p.pos++
		v, ok := p.peek()
		if !ok || v.kind != "word" {
			return nil, fmt.Errorf("expected NULL, TRUE or FALSE after IS")
		}
		up := strings.ToUpper(v.text)
		if up != "NULL" && up != "TRUE" && up != "FALSE" {
			return nil, fmt.Errorf("expected NULL, TRUE or FALSE after IS, got %q", v.text)
		}
		p.pos++
		term.Op = "IS " + up
	default:
		op, ok := p.peek()
		if !ok || op.kind != "sym" || !fpComparators[op.text] {
			return nil, fmt.Errorf("expected a comparison after %s", t.text)
		}
		p.pos++
		term.Op = op.text
		v, ok := p.peek()
		if !ok || (v.kind != "word" && v.kind != "str" && v.kind != "re") {
			return nil, fmt.Errorf("expected a value after %s %s", t.text, op.text)
		}
		p.pos++
		term.Value = v.text
		if v.kind == "re" {
			re, err := regexp.Compile(v.text)
			if err != nil {
				return nil, fmt.Errorf("regular expression %q: %w", v.text, err)
			}
			term.regex = re
			term.Value = "%" + v.text + "%"
		}
	}
	return &fpNode{leaf: term}, nil
}

// terms lists the pattern's leaf comparisons.
func (n *fpNode) terms() []fpTerm {
	if n.op == "" {
		return []fpTerm{n.leaf}
	}
	var out []fpTerm
	for _, c := range n.children {
		out = append(out, c.terms()...)
	}
	return out
}

// canonical renders the pattern so that spacing, quoting, redundant
// parentheses and the order of && / || operands do not matter.
func (n *fpNode) canonical() string {
	if n.op == "" {
		return "[" + n.leaf.key() + "]"
	}
	parts := make([]string, 0, len(n.children))
	for _, c := range n.operands() {
		parts = append(parts, c.canonical())
	}
	sort.Strings(parts)
	return n.op + "(" + strings.Join(parts, " ") + ")"
}

// operands lists the children of an && / || node, flattening nested nodes
// of the same operator: a || (b || c) has operands a, b, c.
func (n *fpNode) operands() []*fpNode {
	var out []*fpNode
	for _, c := range n.children {
		if c.op == n.op {
			out = append(out, c.operands()...)
		} else {
			out = append(out, c)
		}
	}
	return out
}

// matches evaluates the pattern against a decoded JSON event.
func (n *fpNode) matches(event map[string]any) bool {
	switch n.op {
	case "&&":
		for _, c := range n.children {
			if !c.matches(event) {
				return false
			}
		}
		return true
	case "||":
		for _, c := range n.children {
			if c.matches(event) {
				return true
			}
		}
		return false
	}
	return n.leaf.matches(event)
}

// fpLookup resolves a selector such as $.userIdentity.type or $.list[0].x.
func fpLookup(event map[string]any, selector string) (any, bool) {
	path := strings.TrimPrefix(selector, "$")
	var cur any = event
	for path != "" {
		switch {
		case strings.HasPrefix(path, "."):
			path = path[1:]
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			cur, ok = m[path[:end]]
			if !ok {
				return nil, false
			}
			path = path[end:]
		case strings.HasPrefix(path, "["):
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, false
			}
			i, err := strconv.Atoi(path[1:end])
			l, ok := cur.([]any)
			if err != nil || !ok || i < 0 || i >= len(l) {
				return nil, false
			}
			cur, path = l[i], path[end+1:]
		default:
			return nil, false
		}
	}
	return cur, true
}

// matches evaluates one comparison. A comparison on a field the event does
// not have is false, whatever the operator: the evaluator never guesses that
// an absent field satisfies "!=".
func (t fpTerm) matches(event map[string]any) bool {
	v, present := fpLookup(event, t.Selector)
	switch t.Op {
	case "NOT EXISTS":
		return !present
	case "EXISTS":
		return present
	case "IS NULL":
		return present && v == nil
	case "IS TRUE", "IS FALSE":
		b, ok := v.(bool)
		return present && ok && b == (t.Op == "IS TRUE")
	}
	if !present || v == nil {
		return false
	}
	switch t.Op {
	case "=", "!=":
		eq := t.equal(v)
		return eq == (t.Op == "=")
	}
	f, ok := v.(float64)
	want, err := strconv.ParseFloat(t.Value, 64)
	if !ok || err != nil {
		return false
	}
	switch t.Op {
	case "<":
		return f < want
	case ">":
		return f > want
	case "<=":
		return f <= want
	case ">=":
		return f >= want
	}
	return false
}

func (t fpTerm) equal(v any) bool {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		if want, err := strconv.ParseFloat(t.Value, 64); err == nil {
			return x == want
		}
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	default:
		return false
	}
	if t.regex != nil {
		return t.regex.MatchString(s)
	}
	if strings.Contains(t.Value, "*") {
		return globMatch(t.Value, s)
	}
	return s == t.Value
}

// CISMetricFilter is one CIS v5.0 §4 control with the metric filter pattern
// demarc's remediation recommends (the published v5.0 form).
type CISMetricFilter struct {
	Control string // "4.1"
	Name    string // "unauthorized-api-calls"
	Pattern string
}

// CISMetricFilters lists CIS v5.0 controls 4.1–4.15 in control order, for
// tooling that sets up the monitoring (and the e2e account that proves a
// compliant setup PASSes).
func CISMetricFilters() []CISMetricFilter {
	out := make([]CISMetricFilter, 0, len(cisMetrics))
	for _, m := range cisMetrics {
		out = append(out, CISMetricFilter{Control: m.control, Name: m.id, Pattern: m.variants[0]})
	}
	return out
}
