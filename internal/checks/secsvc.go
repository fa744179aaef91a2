package checks

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

// Framework IDs not in the shared control catalogue (it trails AWS's
// documentation, which wins): Inspector.1, Inspector.2 and Inspector.4 are
// listed in https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html
// and IAM.28 (external access analyzer) in the IAM controls page.

func securityServiceRules() []Rule {
	return []Rule{
		{
			ID:             "guardduty-enabled",
			Title:          "GuardDuty is enabled in every region",
			Service:        "guardduty",
			Severity:       High,
			Responsibility: LayerDetection,
			Frameworks:     map[string][]string{FSBP: {"GuardDuty.1"}},
			Description:    "GuardDuty is regional; a region without a detector is a blind spot attackers favour (crypto-mining in unused regions).",
			Remediation: "  aws guardduty create-detector --enable --region REGION\n" +
				"Terraform: resource \"aws_guardduty_detector\" \"d\" { enable = true }  # one per region provider",
			Links: []string{"https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html"},
			Check: eachSecRegion("guardduty", "detector", func(r *secsvc.Region) (bool, bool, string) {
				g, ok := r.GuardDuty.Get()
				switch {
				case !ok:
					return false, false, "GuardDuty state unreadable: " + r.GuardDuty.Why()
				case g.Enabled():
					return true, true, "GuardDuty detector " + g.DetectorID + " is enabled"
				case g.DetectorID == "":
					return true, false, "no GuardDuty detector"
				}
				return true, false, "GuardDuty detector " + g.DetectorID + " is " + orStr(g.Status, "not enabled")
			}),
		},
		{
			ID:             "securityhub-enabled",
			Title:          "Security Hub is enabled in every region",
			Service:        "securityhub",
			Severity:       Medium,
			Responsibility: LayerDetection,
			Frameworks:     map[string][]string{CIS50: {"4.16"}},
			Description:    "Security Hub aggregates findings and runs the CIS and FSBP standards continuously; it is regional.",
			Remediation: "  aws securityhub enable-security-hub --enable-default-standards --region REGION\n" +
				"Terraform: resource \"aws_securityhub_account\" \"h\" {}  # one per region provider",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-settingup.html"},
			Check: eachSecRegion("securityhub", "hub/default", func(r *secsvc.Region) (bool, bool, string) {
				h, ok := r.SecurityHub.Get()
				switch {
				case !ok:
					return false, false, "Security Hub state unreadable: " + r.SecurityHub.Why()
				case h.HubARN != "":
					return true, true, "Security Hub is enabled"
				}
				return true, false, "Security Hub is not enabled"
			}),
		},
		guardDutyFeatureRule("guardduty-rds-protection", "RDS Protection", "GuardDuty.9", secsvc.FeatureRDSLoginEvents,
			"RDS Protection profiles login activity to Aurora databases (and RDS for PostgreSQL) and flags anomalous or "+
				"malicious logins; without it GuardDuty does not look at database logins at all.",
			"https://docs.aws.amazon.com/guardduty/latest/ug/rds-protection.html",
			"https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html#guardduty-9",
			"https://docs.aws.amazon.com/config/latest/developerguide/guardduty-rds-protection-enabled.html"),
		guardDutyFeatureRule("guardduty-s3-protection", "S3 Protection", "GuardDuty.10", secsvc.FeatureS3DataEvents,
			"S3 Protection analyses CloudTrail S3 data events (object-level reads, writes and deletes) for exfiltration "+
				"and destruction patterns; without it GuardDuty only sees bucket-level management events.",
			"https://docs.aws.amazon.com/guardduty/latest/ug/s3-protection.html",
			"https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html#guardduty-10",
			"https://docs.aws.amazon.com/config/latest/developerguide/guardduty-s3-protection-enabled.html"),
		inspectorRule("inspector-ec2-scanning", "EC2", "Inspector.1", "ec2", func(i secsvc.Inspector) string { return i.EC2 }),
		inspectorRule("inspector-ecr-scanning", "ECR", "Inspector.2", "ecr", func(i secsvc.Inspector) string { return i.ECR }),
		inspectorRule("inspector-lambda-scanning", "Lambda standard", "Inspector.4", "lambda", func(i secsvc.Inspector) string { return i.Lambda }),
		{
			ID:             "macie-enabled",
			Title:          "Amazon Macie is enabled in every region",
			Service:        "macie",
			Severity:       Medium,
			Responsibility: LayerDetection,
			Frameworks:     map[string][]string{FSBP: {"Macie.1"}},
			Description:    "Macie discovers sensitive data in S3 and flags buckets that expose it; a paused session does not monitor.",
			Remediation: "  aws macie2 enable-macie --region REGION   # or: aws macie2 update-macie-session --status ENABLED\n" +
				"Terraform: resource \"aws_macie2_account\" \"m\" { status = \"ENABLED\" }",
			Links: []string{"https://docs.aws.amazon.com/macie/latest/user/getting-started.html"},
			Check: eachSecRegion("macie2", "session", func(r *secsvc.Region) (bool, bool, string) {
				m, ok := r.Macie.Get()
				switch {
				case !ok:
					return false, false, "Macie state unreadable: " + r.Macie.Why()
				case strings.EqualFold(m.Status, "ENABLED"):
					return true, true, "Macie is enabled"
				case m.Status == "":
					return true, false, "Macie is not enabled"
				}
				return true, false, "Macie session is " + m.Status
			}),
		},
		{
			ID:             "config-recorder-enabled",
			Title:          "AWS Config records all resources in every region",
			Service:        "config",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{CIS50: {"3.3"}, FSBP: {"Config.1"}},
			Description:    "A recording configuration recorder that records all supported resource types keeps the configuration history needed for audits and incident response.",
			Remediation: "  aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=ROLE \\\n" +
				"      --recording-group allSupported=true,includeGlobalResourceTypes=true\n" +
				"  aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=BUCKET\n" +
				"  aws configservice start-configuration-recorder --configuration-recorder-name default\n" +
				"Terraform: resource \"aws_config_configuration_recorder\" \"r\" { role_arn = aws_iam_role.config.arn\n" +
				"  recording_group { all_supported = true, include_global_resource_types = true } }\n" +
				"  resource \"aws_config_configuration_recorder_status\" \"s\" { name = aws_config_configuration_recorder.r.name, is_enabled = true }",
			Links: []string{"https://docs.aws.amazon.com/config/latest/developerguide/gs-cli.html"},
			Check: eachSecRegion("config", "configuration-recorder", func(r *secsvc.Region) (bool, bool, string) {
				c, ok := r.Config.Get()
				if !ok {
					return false, false, "AWS Config state unreadable: " + r.Config.Why()
				}
				if len(c.Recorders) == 0 {
					return true, false, "no AWS Config recorder"
				}
				var problems []string
				for _, rec := range c.Recorders {
					switch {
					case !rec.Recording:
						problems = append(problems, "recorder "+rec.Name+" is not recording")
					case !rec.AllSupported:
						problems = append(problems, "recorder "+rec.Name+" does not record all supported resource types")
					case strings.EqualFold(rec.LastStatus, "FAILURE"):
						problems = append(problems, "recorder "+rec.Name+" last status is FAILURE")
					default:
						global := "without"
						if rec.IncludeGlobalResourceTypes {
							global = "with"
						}
						return true, true, "recorder " + rec.Name + " records all supported resources (" + global + " global resource types)"
					}
				}
				return true, false, strings.Join(problems, "; ")
			}),
		},
		{
			ID:             "access-analyzer-enabled",
			Title:          "IAM Access Analyzer (external access) is enabled in every region",
			Service:        "accessanalyzer",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.19"}, FSBP: {"IAM.28"}},
			Description:    "An active account or organization analyzer finds resources shared outside the zone of trust; it only sees its own region. Unused-access analyzers do not count.",
			Remediation: "  aws accessanalyzer create-analyzer --analyzer-name external-access --type ACCOUNT --region REGION\n" +
				"Terraform: resource \"aws_accessanalyzer_analyzer\" \"a\" { analyzer_name = \"external-access\", type = \"ACCOUNT\" }",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-create-external.html"},
			Check: eachSecRegion("access-analyzer", "analyzer", func(r *secsvc.Region) (bool, bool, string) {
				as, ok := r.AccessAnalyzer.Get()
				if !ok {
					return false, false, "Access Analyzer state unreadable: " + r.AccessAnalyzer.Why()
				}
				var seen []string
				for _, a := range as {
					external := strings.EqualFold(a.Type, "ACCOUNT") || strings.EqualFold(a.Type, "ORGANIZATION")
					if external && strings.EqualFold(a.Status, "ACTIVE") {
						return true, true, "external access analyzer " + a.Name + " (" + a.Type + ") is active"
					}
					seen = append(seen, a.Name+" ("+a.Type+", "+a.Status+")")
				}
				if len(seen) == 0 {
					return true, false, "no IAM Access Analyzer analyzer"
				}
				return true, false, "no active external access analyzer; found " + strings.Join(seen, ", ")
			}),
		},
	}
}

// eachSecRegion evaluates a per-region enablement: judge returns whether
// the state was readable, whether it passes, and the message.
func eachSecRegion(service, resource string, judge func(r *secsvc.Region) (known, pass bool, msg string)) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		regions := snapshotRegions(s)
		out := make([]Result, 0, len(regions))
		for _, name := range regions {
			arn := regionalARN(s, service, name, resource)
			r := secRegion(s, name)
			if r == nil {
				out = append(out, UnknownR(arn, name, "security services in %s were not collected", name))
				continue
			}
			known, pass, msg := judge(r)
			switch {
			case !known:
				out = append(out, UnknownR(arn, name, "%s: %s", name, msg))
			case pass:
				out = append(out, PassR(arn, name, "%s: %s", name, msg))
			default:
				out = append(out, FailR(arn, name, "%s: %s", name, msg))
			}
		}
		return out
	}
}

func inspectorRule(id, what, control, resource string, get func(secsvc.Inspector) string) Rule {
	return Rule{
		ID:             id,
		Title:          "Amazon Inspector " + what + " scanning is enabled in every region",
		Service:        "inspector",
		Severity:       High,
		Responsibility: LayerDetection,
		Frameworks:     map[string][]string{FSBP: {control}},
		Description:    "Inspector continuously scans for software vulnerabilities (" + what + "); patching the guest and your images is the customer's side of the model.",
		Remediation: "  aws inspector2 enable --resource-types " + strings.ToUpper(resource) + " --region REGION\n" +
			"Terraform: resource \"aws_inspector2_enabler\" \"i\" { account_ids = [data.aws_caller_identity.me.account_id], resource_types = [\"" + strings.ToUpper(resource) + "\"] }",
		Links: []string{"https://docs.aws.amazon.com/inspector/latest/user/getting_started_tutorial.html"},
		Check: eachSecRegion("inspector2", "scan-type/"+resource, func(r *secsvc.Region) (bool, bool, string) {
			i, ok := r.Inspector.Get()
			if !ok {
				return false, false, "Inspector state unreadable: " + r.Inspector.Why()
			}
			switch st := get(i); {
			case st == "":
				return false, false, "Inspector did not report " + what + " scanning status"
			case strings.EqualFold(st, "ENABLED"):
				return true, true, "Inspector " + what + " scanning is enabled"
			default:
				return true, false, "Inspector " + what + " scanning is " + st
			}
		}),
	}
}

// guardDutyFeatureRule judges one GuardDuty protection plan per region, as
// FSBP GuardDuty.9/.10 do for a standalone account: the control fails when
// the plan is not enabled. A region without a detector, or with a suspended
// one, has no protection plan running, so it FAILs too (GuardDuty.1 reports
// the missing detector itself). A plan GetDetector does not list is UNKNOWN:
// it may not be offered in that region
// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-feature-object-api-changes-march2023.html).
func guardDutyFeatureRule(id, plan, control, feature, why string, links ...string) Rule {
	return Rule{
		ID:             id,
		Title:          "GuardDuty " + plan + " is enabled in every region",
		Service:        "guardduty",
		Severity:       High,
		Responsibility: LayerDetection,
		Frameworks:     map[string][]string{FSBP: {control}},
		Description: why + " Protection plans are regional settings of the detector (feature " + feature + "). " +
			"A region without an enabled detector FAILs; a region where GuardDuty does not report the feature is UNKNOWN.",
		Remediation: "  aws guardduty update-detector --detector-id ID --features Name=" + feature + ",Status=ENABLED --region REGION\n" +
			"  (organization: aws guardduty update-organization-configuration --detector-id ID --features Name=" + feature + ",AutoEnable=ALL)\n" +
			"Terraform: resource \"aws_guardduty_detector_feature\" \"f\" { detector_id = aws_guardduty_detector.d.id\n" +
			"  name = \"" + feature + "\", status = \"ENABLED\" }",
		Links: links,
		Check: eachSecRegion("guardduty", "detector", func(r *secsvc.Region) (bool, bool, string) {
			g, ok := r.GuardDuty.Get()
			switch {
			case !ok:
				return false, false, "GuardDuty state unreadable: " + r.GuardDuty.Why()
			case g.DetectorID == "":
				return true, false, "no GuardDuty detector, so " + plan + " is not enabled"
			case !g.Enabled():
				return true, false, "GuardDuty detector " + g.DetectorID + " is " + orStr(g.Status, "not enabled") + ", so " + plan + " does not run"
			}
			st, reported := g.Feature(feature)
			if !reported && feature == secsvc.FeatureS3DataEvents && g.S3Logs != "" {
				// Detectors read through the legacy data-source view.
				st, reported = g.S3Logs, true
			}
			switch {
			case !reported:
				return false, false, "GuardDuty detector " + g.DetectorID + " does not report the " + feature +
					" feature (" + plan + " may not be available in this region)"
			case strings.EqualFold(st, "ENABLED"):
				return true, true, plan + " is enabled on detector " + g.DetectorID
			}
			return true, false, plan + " is " + orStr(st, "not enabled") + " on detector " + g.DetectorID
		}),
	}
}
