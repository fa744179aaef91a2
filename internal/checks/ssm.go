package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/ssm"
)

// Patching the guest operating system is the customer's side of the model
// for EC2. Systems Manager is how AWS lets you do it at scale: an instance
// it does not manage is patched by hand or not at all.

func ssmRules() []Rule {
	return []Rule{
		{
			ID:             "ssm-instance-managed",
			Title:          "Running EC2 instances are managed by Systems Manager",
			Service:        "ssm",
			Severity:       Medium,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"SSM.1"}},
			Description: "A running instance must be registered with Systems Manager (SSM Agent, instance profile permissions, " +
				"a route to the SSM endpoints) and reachable, so Patch Manager, Inventory and Session Manager work. An " +
				"instance registered but no longer pinging (ConnectionLost) FAILs too. Stopped and terminated " +
				"instances are not judged.",
			Remediation: "Attach a role with AmazonSSMManagedInstanceCore and make sure SSM Agent runs and can reach ssm/ssmmessages/ec2messages:\n" +
				"  aws ec2 associate-iam-instance-profile --instance-id ID --iam-instance-profile Name=SSMInstanceProfile\n" +
				"  aws ssm update-service-setting --setting-id arn:aws:ssm:REGION:ACCOUNT:servicesetting/ssm/managed-instance/default-ec2-instance-management-role \\\n" +
				"      --setting-value service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole   # Default Host Management\n" +
				"Terraform: aws_iam_role_policy_attachment { policy_arn = \"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore\" } on the instance role.",
			Links: []string{"https://docs.aws.amazon.com/systems-manager/latest/userguide/managed_instances.html",
				"https://docs.aws.amazon.com/systems-manager/latest/userguide/troubleshooting-managed-nodes.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-1"},
			Check: checkSSMManaged,
		},
		{
			ID:             "ssm-patch-compliance",
			Title:          "Instances managed by Systems Manager are patch compliant",
			Service:        "ssm",
			Severity:       High,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"SSM.2"}},
			Description: "Patch Manager reports each managed node COMPLIANT or NON_COMPLIANT against its patch baseline after a " +
				"scan or install. NON_COMPLIANT FAILs. A managed node with no patch compliance at all has never been " +
				"scanned, so whether it is patched is UNKNOWN: schedule a patch scan for it.",
			Remediation: "Install missing patches (or scan first with Operation=Scan):\n" +
				"  aws ssm send-command --document-name AWS-RunPatchBaseline --targets Key=InstanceIds,Values=ID --parameters Operation=Install\n" +
				"Terraform: aws_ssm_association { name = \"AWS-RunPatchBaseline\" schedule_expression = \"rate(1 day)\" parameters = { Operation = \"Install\" } targets { ... } }",
			Links: []string{"https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-compliance-states.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-2"},
			Check: checkSSMCompliance("Patch", "patch", true),
		},
		{
			ID:             "ssm-association-compliance",
			Title:          "Systems Manager associations are compliant on the instances they target",
			Service:        "ssm",
			Severity:       Low,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"SSM.3"}},
			Description: "A State Manager association keeps an instance in a defined state (agents installed, settings " +
				"applied); NON_COMPLIANT means it failed to apply. Instances without associations are out of scope.",
			Remediation: "See why the association failed, fix it and re-run it:\n" +
				"  aws ssm describe-instance-associations-status --instance-id ID\n" +
				"  aws ssm start-associations-once --association-ids ASSOC_ID\n" +
				"Terraform: fix the aws_ssm_association (document, parameters, targets).",
			Links: []string{"https://docs.aws.amazon.com/systems-manager/latest/userguide/compliance-about.html#compliance-view-results",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-3"},
			Check: checkSSMCompliance("Association", "association", false),
		},
		{
			ID:             "ssm-document-not-public",
			Title:          "SSM documents owned by the account are not public",
			Service:        "ssm",
			Severity:       Critical,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"SSM.4"}},
			Description: "A document shared with \"all\" can be read and run by every AWS account: its steps, parameters and " +
				"any names, endpoints or secrets written into it become public. Documents the account owns (owner Self) " +
				"are judged; documents shared with named accounts are not public. A document whose permissions could " +
				"not be read is UNKNOWN.",
			Remediation: "Stop sharing the document publicly (share it with named accounts if needed), then block public sharing:\n" +
				"  aws ssm modify-document-permission --name NAME --permission-type Share --account-ids-to-remove all\n" +
				"  aws ssm update-service-setting --setting-id /ssm/documents/console/public-sharing-permission --setting-value Disable\n" +
				"Terraform: aws_ssm_document { permissions = { type = \"Share\", account_ids = \"111122223333\" } }  # never \"All\"",
			Links: []string{"https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-ssm-sharing.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-4",
				"https://docs.aws.amazon.com/config/latest/developerguide/ssm-document-not-public.html"},
			Check: checkSSMDocumentsNotPublic,
		},
	}
}

// checkSSMDocumentsNotPublic judges every document the account owns, per
// region (FSBP SSM.4: FAIL when a document with owner Self is public).
func checkSSMDocumentsNotPublic(s *model.Snapshot) []Result {
	docs := svcRegions[ssm.Region, ssm.Document]{
		service: "ssm", what: "SSM documents", wildcard: "document/*", regions: s.SSM,
		name: func(r *ssm.Region) string { return r.Name },
		list: func(r *ssm.Region) core.Val[[]ssm.Document] { return r.Documents },
	}
	return docs.eachItem(s, func(region string, d ssm.Document) *Result {
		arn := orARN(d.ARN, regionalARN(s, "ssm", region, "document/"+d.Name))
		at := regionOr(d.Meta, region)
		public, known := d.Public()
		switch {
		case !known:
			return rp(UnknownR(arn, at, "SSM document %s: sharing permissions unreadable: %s", d.Name, d.SharedWith.Why()))
		case public:
			return rp(FailR(arn, at, "SSM document %s is shared publicly (with all AWS accounts)", d.Name))
		}
		if n := len(d.SharedWith.V); n > 0 {
			return rp(PassR(arn, at, "SSM document %s is not public (shared with %s)", d.Name, plural(n, "account", "accounts")))
		}
		return rp(PassR(arn, at, "SSM document %s is not shared", d.Name))
	})
}

// ssmRegion returns the Systems Manager state of a region, or nil.
func ssmRegion(s *model.Snapshot, name string) *ssm.Region {
	for i := range s.SSM {
		if s.SSM[i].Name == name {
			return &s.SSM[i]
		}
	}
	return nil
}

// ssmNodeARN names a managed node: its EC2 instance ARN, or the SSM
// managed-instance ARN of a hybrid node (mi-…).
func ssmNodeARN(s *model.Snapshot, region, id string) string {
	if strings.HasPrefix(id, "mi-") {
		return regionalARN(s, "ssm", region, "managed-instance/"+id)
	}
	return regionalARN(s, "ec2", region, "instance/"+id)
}

func checkSSMManaged(s *model.Snapshot) []Result {
	return eachEC2Region(s, "instance/*", func(r *ec2.Region) []Result {
		insts, unk := knownList(r.Instances, regionalARN(s, "ec2", r.Name, "instance/*"), r.Name, "EC2 instances")
		if unk != nil {
			return unk
		}
		var managed map[string]ssm.ManagedInstance
		why := "Systems Manager data for the region was not collected"
		if sr := ssmRegion(s, r.Name); sr != nil {
			if list, ok := sr.ManagedInstances.Get(); ok {
				managed = make(map[string]ssm.ManagedInstance, len(list))
				for _, m := range list {
					managed[m.ID] = m
				}
			} else {
				why = "Systems Manager managed nodes unreadable: " + sr.ManagedInstances.Why()
			}
		}
		var out []Result
		for _, i := range insts {
			if !strings.EqualFold(i.State, "running") {
				continue
			}
			arn, region := instanceARN(s, r.Name, i), regionOr(i.Meta, r.Name)
			if managed == nil {
				out = append(out, UnknownR(arn, region, "instance %s: %s", i.ID, why))
				continue
			}
			m, ok := managed[i.ID]
			switch {
			case !ok:
				out = append(out, FailR(arn, region, "instance %s is not managed by Systems Manager", i.ID))
			case strings.EqualFold(m.PingStatus, "Online"):
				out = append(out, PassR(arn, region, "instance %s is managed by Systems Manager (agent online)", i.ID))
			default:
				out = append(out, FailR(arn, region, "instance %s is registered with Systems Manager but its agent is %s",
					i.ID, orStr(m.PingStatus, "not reporting")))
			}
		}
		return out
	})
}

// checkSSMCompliance judges one compliance type per resource. With
// needAll, a managed node without a summary of that type is UNKNOWN (never
// evaluated); otherwise it is out of scope.
func checkSSMCompliance(kind, noun string, needAll bool) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		sr := svcRegions[ssm.Region, ssm.ComplianceSummary]{
			service: "ssm", what: "Systems Manager compliance summaries", wildcard: "managed-instance/*", regions: s.SSM,
			name: func(r *ssm.Region) string { return r.Name },
			list: func(r *ssm.Region) core.Val[[]ssm.ComplianceSummary] { return r.Compliance },
		}
		return sr.each(s, func(region string, items []ssm.ComplianceSummary) []Result {
			byID := map[string]ssm.ComplianceSummary{}
			for _, c := range items {
				if strings.EqualFold(c.ComplianceType, kind) {
					byID[c.ResourceID] = c
				}
			}
			nodeARN := map[string]string{}
			if r := ssmRegion(s, region); r != nil && needAll {
				if list, ok := r.ManagedInstances.Get(); ok {
					for _, m := range list {
						nodeARN[m.ID] = m.ARN
					}
				}
			}
			ids := make([]string, 0, len(byID)+len(nodeARN))
			for id := range byID {
				ids = append(ids, id)
			}
			for id := range nodeARN {
				if _, dup := byID[id]; !dup {
					ids = append(ids, id)
				}
			}
			sort.Strings(ids)
			out := make([]Result, 0, len(ids))
			for _, id := range ids {
				arn := orARN(nodeARN[id], ssmNodeARN(s, region, id))
				c, ok := byID[id]
				switch {
				case !ok:
					out = append(out, UnknownR(arn, region, "%s: no %s compliance reported (never evaluated)", id, noun))
				case strings.EqualFold(c.Status, "COMPLIANT"):
					out = append(out, PassR(arn, region, "%s is %s compliant", id, noun))
				case strings.EqualFold(c.Status, "NON_COMPLIANT"):
					out = append(out, FailR(arn, region, "%s is not %s compliant (%s%s)", id, noun,
						plural(c.NonCompliantCount, "non-compliant item", "non-compliant items"), severityText(c.OverallSeverity)))
				default:
					out = append(out, UnknownR(arn, region, "%s: %s compliance status %q", id, noun, c.Status))
				}
			}
			return out
		})
	}
}

func severityText(sev string) string {
	if sev == "" || strings.EqualFold(sev, "UNSPECIFIED") {
		return ""
	}
	return fmt.Sprintf(", highest severity %s", sev)
}
