package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// AWS Security Finding Format, as BatchImportFindings accepts it from a
// custom integration (product/ACCOUNT/default):
// https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format.html
// https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
const (
	asffSchemaVersion = "2018-10-08"
	// Documented limits (asff-required-attributes, API_AwsSecurityFinding).
	asffTitleMax       = 256
	asffDescriptionMax = 1024
	asffRemediationMax = 512
	asffFieldValueMax  = 2048
	asffRelatedReqMax  = 32
)

type asffSeverity struct {
	Label    string `json:"Label"`
	Original string `json:"Original,omitempty"`
}

type asffResource struct {
	Type      string `json:"Type"`
	ID        string `json:"Id"`
	Partition string `json:"Partition,omitempty"`
	Region    string `json:"Region,omitempty"`
}

type asffCompliance struct {
	Status              string   `json:"Status"`
	RelatedRequirements []string `json:"RelatedRequirements,omitempty"`
}

type asffRecommendation struct {
	Text string `json:"Text,omitempty"`
	URL  string `json:"Url,omitempty"`
}

type asffRemediation struct {
	Recommendation asffRecommendation `json:"Recommendation"`
}

type asffWorkflow struct {
	Status string `json:"Status"`
}

type asffProviderFields struct {
	Severity asffSeverity `json:"Severity"`
	Types    []string     `json:"Types"`
}

type asffFinding struct {
	SchemaVersion         string             `json:"SchemaVersion"`
	ID                    string             `json:"Id"`
	ProductArn            string             `json:"ProductArn"`
	ProductName           string             `json:"ProductName"`
	CompanyName           string             `json:"CompanyName"`
	GeneratorID           string             `json:"GeneratorId"`
	AwsAccountID          string             `json:"AwsAccountId"`
	Types                 []string           `json:"Types"`
	CreatedAt             string             `json:"CreatedAt"`
	UpdatedAt             string             `json:"UpdatedAt"`
	Severity              asffSeverity       `json:"Severity"`
	Title                 string             `json:"Title"`
	Description           string             `json:"Description"`
	Remediation           *asffRemediation   `json:"Remediation,omitempty"`
	ProductFields         map[string]string  `json:"ProductFields"`
	Resources             []asffResource     `json:"Resources"`
	Compliance            asffCompliance     `json:"Compliance"`
	Workflow              asffWorkflow       `json:"Workflow"`
	RecordState           string             `json:"RecordState"`
	FindingProviderFields asffProviderFields `json:"FindingProviderFields"`
}

// asffWriter streams a JSON array of ASFF findings, one per line. Security
// Hub takes at most 100 findings per BatchImportFindings call, in the region
// of their ProductArn; docs/formats.md shows how to split the array.
type asffWriter struct {
	bw   *bufio.Writer
	buf  bytes.Buffer
	enc  *json.Encoder
	meta ScanMeta
	opts Options
	home string
	at   string
	n    int
}

func newASFFWriter(w io.Writer, meta ScanMeta, opts Options) (*asffWriter, error) {
	a := &asffWriter{bw: bufio.NewWriterSize(w, 64<<10), meta: meta, opts: opts, home: homeRegion(meta, opts)}
	a.enc = json.NewEncoder(&a.buf)
	at := meta.CollectedAt
	if at.IsZero() {
		at = time.Now()
	}
	// CreatedAt and UpdatedAt must be equal when a finding is created.
	a.at = at.UTC().Format("2006-01-02T15:04:05.000Z")
	a.bw.WriteString("[")
	return a, nil
}

func (a *asffWriter) finding(f *engine.Finding) asffFinding {
	partition := arnPartition(f.ResourceARN, a.meta.Partition)
	region := realRegion(f.Region, a.home)
	account := f.AccountID
	if account == "" {
		account = a.meta.AccountID
	}
	types := asffTypes(f.Frameworks)
	sev := asffSeverity{Label: asffLabel(f.Status, f.Severity), Original: string(f.Severity)}
	title := strings.TrimSpace(SanitizeLine(f.Title))
	if title == "" {
		title = f.RuleID
	}
	desc := strings.TrimSpace(SanitizeLine(f.Message))
	if desc == "" {
		desc = title
	}
	out := asffFinding{
		SchemaVersion: asffSchemaVersion,
		ID:            "demarc/" + f.Fingerprint,
		ProductArn:    fmt.Sprintf("arn:%s:securityhub:%s:%s:product/%s/default", partition, region, account, account),
		ProductName:   "demarc",
		CompanyName:   "demarc",
		GeneratorID:   "demarc/" + f.RuleID,
		AwsAccountID:  account,
		Types:         types,
		CreatedAt:     a.at,
		UpdatedAt:     a.at,
		Severity:      sev,
		Title:         truncate(title, asffTitleMax),
		Description:   truncate(desc, asffDescriptionMax),
		ProductFields: map[string]string{},
		Resources: []asffResource{{
			Type:      ASFFResourceType(f.ResourceARN),
			ID:        nonEmpty(f.ResourceARN, "arn:"+partition+":::"+account),
			Partition: asffPartition(partition),
			Region:    region,
		}},
		Compliance:            asffCompliance{Status: asffComplianceStatus(f.Status)},
		Workflow:              asffWorkflow{Status: asffWorkflowStatus(f)},
		RecordState:           "ACTIVE",
		FindingProviderFields: asffProviderFields{Severity: sev, Types: types},
	}
	for _, ref := range controlRefsNamed(f.Frameworks) {
		if len(out.Compliance.RelatedRequirements) == asffRelatedReqMax {
			break
		}
		out.Compliance.RelatedRequirements = append(out.Compliance.RelatedRequirements, ref)
	}
	if a.opts.Rules != nil {
		if r, ok := a.opts.Rules.Get(f.RuleID); ok {
			rec := asffRecommendation{Text: truncate(strings.TrimSpace(sanitizeText(r.Remediation)), asffRemediationMax)}
			if len(r.Links) > 0 && strings.HasPrefix(r.Links[0], "https://") {
				rec.URL = r.Links[0]
			}
			if rec.Text != "" || rec.URL != "" {
				out.Remediation = &asffRemediation{Recommendation: rec}
			}
		}
	}
	pf := out.ProductFields
	set := func(k, v string) {
		if v = strings.TrimSpace(SanitizeLine(v)); v != "" {
			pf["demarc/"+k] = truncate(v, asffFieldValueMax)
		}
	}
	set("rule_id", f.RuleID)
	set("status", string(f.Status))
	set("service", f.Service)
	set("responsibility", f.Responsibility)
	set("region", f.Region)
	set("fingerprint", f.Fingerprint)
	set("version", a.meta.ToolVersion)
	if f.Suppressed {
		set("suppression_reason", f.SuppressReason)
	}
	return out
}

func (a *asffWriter) Write(f engine.Finding) error {
	a.buf.Reset()
	af := a.finding(&f)
	if err := a.enc.Encode(&af); err != nil {
		return fmt.Errorf("encode ASFF finding %s: %w", f.RuleID, err)
	}
	if a.n > 0 {
		a.bw.WriteByte(',')
	}
	a.n++
	a.bw.WriteString("\n  ")
	a.bw.Write(bytes.TrimSuffix(a.buf.Bytes(), []byte("\n")))
	return nil
}

func (a *asffWriter) Close(engine.Summary) error {
	if a.n > 0 {
		a.bw.WriteString("\n")
	}
	a.bw.WriteString("]\n")
	if err := a.bw.Flush(); err != nil {
		return fmt.Errorf("write ASFF: %w", err)
	}
	return nil
}

// asffTypes classifies every finding as an AWS security best practice and,
// when the rule maps to a framework Security Hub knows, as that standard
// (Types taxonomy: namespace/category/classifier).
func asffTypes(fw map[string][]string) []string {
	out := []string{"Software and Configuration Checks/AWS Security Best Practices"}
	for _, k := range sortedKeys(fw) {
		switch k {
		case checks.CIS50:
			out = append(out, "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark")
		case checks.FSBP:
			out = append(out, "Software and Configuration Checks/Industry and Regulatory Standards/AWS Foundational Security Best Practices")
		}
	}
	return out
}

// asffLabel follows Security Hub's guidance: a PASSED check is
// INFORMATIONAL; otherwise the rule's severity.
func asffLabel(st checks.Status, sev checks.Severity) string {
	if st == checks.Pass {
		return "INFORMATIONAL"
	}
	switch sev {
	case checks.Critical:
		return "CRITICAL"
	case checks.High:
		return "HIGH"
	case checks.Medium:
		return "MEDIUM"
	case checks.Low:
		return "LOW"
	}
	return "INFORMATIONAL"
}

// asffComplianceStatus maps a status to Compliance.Status. UNKNOWN (the check
// could not be performed: access denied, API error) is NOT_AVAILABLE, never
// PASSED; MANUAL (not automatable) is WARNING ("check not supported").
func asffComplianceStatus(st checks.Status) string {
	switch st {
	case checks.Pass:
		return "PASSED"
	case checks.Fail:
		return "FAILED"
	case checks.Manual:
		return "WARNING"
	}
	return "NOT_AVAILABLE"
}

func asffWorkflowStatus(f *engine.Finding) string {
	switch {
	case f.Suppressed:
		return "SUPPRESSED"
	case f.Status == checks.Pass:
		return "RESOLVED"
	}
	return "NEW"
}

func asffPartition(p string) string {
	switch p {
	case "aws", "aws-cn", "aws-us-gov":
		return p
	}
	return "" // the API's Partition enum knows only these three
}

// arnPartition returns the ARN's partition, else def, else "aws".
func arnPartition(arn, def string) string {
	if strings.HasPrefix(arn, "arn:") {
		if p, _, ok := strings.Cut(arn[4:], ":"); ok && p != "" {
			return p
		}
	}
	if def != "" {
		return def
	}
	return "aws"
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// controlRefsNamed lists "Framework name/control" for every mapped control.
func controlRefsNamed(fw map[string][]string) []string {
	var out []string
	for _, ref := range controlRefs(fw) {
		k, id, _ := strings.Cut(ref, ":")
		out = append(out, frameworkName(k)+"/"+id)
	}
	return out
}

// ASFFResourceType maps an ARN to the ASFF resource type Security Hub uses
// for it (the member names of ResourceDetails, plus AwsAccount), or "Other".
// https://docs.aws.amazon.com/securityhub/latest/userguide/asff-resources.html
func ASFFResourceType(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return "Other"
	}
	service, res := parts[2], parts[5]
	typ, _, _ := strings.Cut(res, "/")
	if service != "s3" {
		if t, _, ok := strings.Cut(res, ":"); ok && !strings.Contains(t, "/") {
			typ = t
		}
	}
	switch service {
	case "iam":
		switch typ {
		case "root":
			return "AwsAccount"
		case "user":
			return "AwsIamUser"
		case "role":
			return "AwsIamRole"
		case "group":
			return "AwsIamGroup"
		case "policy":
			return "AwsIamPolicy"
		case "access-key":
			return "AwsIamAccessKey"
		}
	case "s3":
		switch {
		case parts[4] != "" && strings.HasPrefix(res, "accesspoint/"):
			return "AwsS3AccessPoint"
		case parts[4] != "":
			return "AwsS3AccountPublicAccessBlock"
		case strings.Contains(res, "/"):
			return "AwsS3Object"
		case res != "":
			return "AwsS3Bucket"
		}
	case "ec2":
		if t, ok := map[string]string{
			"instance": "AwsEc2Instance", "security-group": "AwsEc2SecurityGroup", "vpc": "AwsEc2Vpc",
			"subnet": "AwsEc2Subnet", "network-acl": "AwsEc2NetworkAcl", "volume": "AwsEc2Volume",
			"network-interface": "AwsEc2NetworkInterface", "elastic-ip": "AwsEc2Eip",
			"launch-template": "AwsEc2LaunchTemplate", "route-table": "AwsEc2RouteTable",
			"transit-gateway": "AwsEc2TransitGateway", "vpc-peering-connection": "AwsEc2VpcPeeringConnection",
			"vpc-endpoint-service": "AwsEc2VpcEndpointService", "vpn-connection": "AwsEc2VpnConnection",
			"client-vpn-endpoint": "AwsEc2ClientVpnEndpoint",
		}[typ]; ok {
			return t
		}
	case "cloudtrail":
		if typ == "trail" {
			return "AwsCloudTrailTrail"
		}
	case "kms":
		if typ == "key" {
			return "AwsKmsKey"
		}
	case "lambda":
		switch typ {
		case "function":
			return "AwsLambdaFunction"
		case "layer":
			return "AwsLambdaLayerVersion"
		}
	case "rds":
		if t, ok := map[string]string{
			"db": "AwsRdsDbInstance", "cluster": "AwsRdsDbCluster", "snapshot": "AwsRdsDbSnapshot",
			"cluster-snapshot": "AwsRdsDbClusterSnapshot", "es": "AwsRdsEventSubscription",
			"secgrp": "AwsRdsDbSecurityGroup",
		}[typ]; ok {
			return t
		}
	case "dynamodb":
		if typ == "table" {
			return "AwsDynamoDbTable"
		}
	case "sns":
		return "AwsSnsTopic"
	case "sqs":
		return "AwsSqsQueue"
	case "secretsmanager":
		if typ == "secret" {
			return "AwsSecretsManagerSecret"
		}
	case "ecr":
		if typ == "repository" {
			return "AwsEcrRepository"
		}
	case "eks":
		if typ == "cluster" {
			return "AwsEksCluster"
		}
	case "elasticloadbalancing":
		if typ == "loadbalancer" {
			if strings.HasPrefix(res, "loadbalancer/app/") || strings.HasPrefix(res, "loadbalancer/net/") ||
				strings.HasPrefix(res, "loadbalancer/gwy/") {
				return "AwsElbv2LoadBalancer"
			}
			return "AwsElbLoadBalancer"
		}
	case "acm":
		if typ == "certificate" {
			return "AwsCertificateManagerCertificate"
		}
	case "autoscaling":
		if typ == "autoScalingGroup" {
			return "AwsAutoScalingAutoScalingGroup"
		}
	case "backup":
		switch typ {
		case "backup-vault":
			return "AwsBackupBackupVault"
		case "backup-plan":
			return "AwsBackupBackupPlan"
		case "recovery-point":
			return "AwsBackupRecoveryPoint"
		}
	case "wafv2":
		switch {
		case strings.Contains(res, "/webacl/"):
			return "AwsWafv2WebAcl"
		case strings.Contains(res, "/rulegroup/"):
			return "AwsWafv2RuleGroup"
		}
	case "guardduty":
		if typ == "detector" {
			return "AwsGuardDutyDetector"
		}
	case "elasticfilesystem":
		// ResourceDetails has access points only; file systems are Other.
		if typ == "access-point" {
			return "AwsEfsAccessPoint"
		}
	case "cloudfront":
		if typ == "distribution" {
			return "AwsCloudFrontDistribution"
		}
	case "apigateway":
		// arn:aws:apigateway:REGION::/restapis/ID[/stages/NAME] (REST) and
		// /apis/ID[/stages/NAME] (HTTP and WebSocket).
		seg := strings.Split(strings.TrimPrefix(res, "/"), "/")
		switch {
		case len(seg) == 2 && seg[0] == "restapis":
			return "AwsApiGatewayRestApi"
		case len(seg) == 4 && seg[0] == "restapis" && seg[2] == "stages":
			return "AwsApiGatewayStage"
		case len(seg) == 2 && seg[0] == "apis":
			return "AwsApiGatewayV2Api"
		case len(seg) == 4 && seg[0] == "apis" && seg[2] == "stages":
			return "AwsApiGatewayV2Stage"
		}
	case "waf":
		if t, ok := map[string]string{"webacl": "AwsWafWebAcl", "rule": "AwsWafRule", "rulegroup": "AwsWafRuleGroup",
			"ratebasedrule": "AwsWafRateBasedRule"}[typ]; ok {
			return t
		}
	case "waf-regional":
		if t, ok := map[string]string{"webacl": "AwsWafRegionalWebAcl", "rule": "AwsWafRegionalRule",
			"rulegroup": "AwsWafRegionalRuleGroup", "ratebasedrule": "AwsWafRegionalRateBasedRule"}[typ]; ok {
			return t
		}
	}
	return "Other"
}
