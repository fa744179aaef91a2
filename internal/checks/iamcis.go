package checks

import (
	"sort"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/iam"
)

// CIS section 1 controls that the benchmark lists as manual or that need
// EC2 data: root-user use (1.6), access keys from initial setup (1.10),
// instance roles (1.17) and AWSCloudShellFullAccess (1.21).

func iamCISRules() []Rule {
	return []Rule{
		{
			ID:             "iam-root-not-used-recently",
			Title:          "The root user has not been used in the last 90 days",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.6"}},
			Description: "CIS 1.6 asks that the root user not be used for administrative or daily tasks; its audit reads the credential report's " +
				"password_last_used and access_key_N_last_used_date for <root_account>. This rule fails when any of them is within the last 90 days. " +
				"The few tasks that need root (https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html) also show up here: review the " +
				"use, then the finding ages out.",
			Remediation: "Use IAM Identity Center or IAM roles for administration, lock the root credentials away, and remove root access keys:\n" +
				"  aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d | grep '<root_account>'\n" +
				"Terraform cannot manage root credentials; deny root actions from member accounts with an SCP (aws_organizations_policy) on \"aws:PrincipalArn\" = \"arn:aws:iam::*:root\".",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#root-user-best-practices",
				"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html"},
			Check: checkRootRecentUse,
		},
		{
			ID:             "iam-no-unused-keys-for-console-users",
			Title:          "Console users have no access keys that were never used",
			Service:        "iam",
			Severity:       Low,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.10"}},
			Description: "CIS 1.10: do not create access keys during initial setup of users who have a console password. Its audit flags every user " +
				"with password_enabled TRUE and an active access key whose last-used date is N/A: a key made \"just in case\" that nobody uses is " +
				"pure exposure. The message says when the key was created together with the user.",
			Remediation: "Delete the unused key; create keys only when a workload needs one (better: use roles):\n" +
				"  aws iam delete-access-key --user-name USER --access-key-id KEY\n" +
				"Terraform: remove the aws_iam_access_key resource created alongside the aws_iam_user.",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
				"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html"},
			Check: checkUnusedSetupKeys,
		},
		{
			ID:             "ec2-instance-iam-role",
			Title:          "EC2 instances use an IAM instance role",
			Service:        "ec2",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.17"}},
			Description: "An instance profile gives software on the instance short-lived, automatically rotated credentials; without one, code that " +
				"calls AWS must carry long-lived access keys on disk. Running and stopped instances are judged (a stopped instance starts again " +
				"with the same settings); terminated ones are not.",
			Remediation: "  aws iam create-instance-profile --instance-profile-name APP && aws iam add-role-to-instance-profile --instance-profile-name APP --role-name APP_ROLE\n" +
				"  aws ec2 associate-iam-instance-profile --instance-id INSTANCE --iam-instance-profile Name=APP\n" +
				"Terraform: resource \"aws_instance\" \"i\" { iam_instance_profile = aws_iam_instance_profile.app.name }",
			Links: []string{"https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html"},
			Check: checkInstanceRoles,
		},
		{
			ID:             "iam-expired-server-certificates",
			Title:          "No expired SSL/TLS certificates are stored in IAM",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{CIS50: {"1.18"}, FSBP: {"IAM.26"}},
			Description: "IAM can hold server certificates for load balancers and CloudFront in Regions without ACM. An expired one still " +
				"deployed breaks TLS for clients, and one deployed by mistake presents an invalid identity; delete them once expired.",
			Remediation: "  aws iam list-server-certificates --query 'ServerCertificateMetadataList[?Expiration<=`NOW`]'\n" +
				"  aws iam delete-server-certificate --server-certificate-name NAME\n" +
				"Terraform: remove the aws_iam_server_certificate resource (prefer aws_acm_certificate, which renews itself).",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_server-certs.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-26"},
			Check: checkExpiredServerCertificates,
		},
		{
			ID:             "iam-cloudshell-full-access-restricted",
			Title:          "AWSCloudShellFullAccess is not attached to any principal",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.21"}},
			Description: "AWSCloudShellFullAccess allows uploading and downloading files to and from CloudShell and its internet access, a path to " +
				"move data out of the account around other controls. CIS 1.21 asks that it be attached to no user, group or role.",
			Remediation: "Detach the policy; grant a scoped CloudShell policy (denying cloudshell:GetFileDownloadUrls/GetFileUploadUrls) where needed:\n" +
				"  aws iam list-entities-for-policy --policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess\n" +
				"  aws iam detach-user-policy --user-name USER --policy-arn arn:aws:iam::aws:policy/AWSCloudShellFullAccess   # detach-group-policy / detach-role-policy\n" +
				"Terraform: remove the aws_iam_*_policy_attachment with policy_arn = \"arn:aws:iam::aws:policy/AWSCloudShellFullAccess\".",
			Links: []string{"https://docs.aws.amazon.com/cloudshell/latest/userguide/sec-auth-with-identities.html"},
			Check: checkCloudShellFullAccess,
		},
	}
}

// rootUseWindow is how recent a root sign-in or key use must be to fail.
const rootUseWindow = 90 * day

func checkRootRecentUse(s *model.Snapshot) []Result {
	arn := rootARN(s)
	now, ok := collectedAt(s)
	if !ok {
		return []Result{UnknownR(arn, globalRegion, "snapshot has no collection time to measure root use against")}
	}
	if !s.IAM.CredentialReport.Ok {
		return []Result{UnknownR(arn, globalRegion, "credential report unreadable: %s", s.IAM.CredentialReport.Why())}
	}
	row, ok := rootReportRow(s)
	if !ok {
		return []Result{UnknownR(arn, globalRegion, "credential report has no <root_account> row")}
	}
	uses := []struct {
		what string
		t    *time.Time
	}{{"password (console sign-in)", row.PasswordLastUsed}, {"access key 1", row.AccessKey1LastUsed}, {"access key 2", row.AccessKey2LastUsed}}
	var recent []string
	var latest *time.Time
	for _, u := range uses {
		if u.t == nil {
			continue
		}
		if latest == nil || u.t.After(*latest) {
			latest = u.t
		}
		if now.Sub(*u.t) < rootUseWindow {
			recent = append(recent, u.what+" "+plural(ageDays(now, *u.t), "day", "days")+" ago")
		}
	}
	switch {
	case len(recent) > 0:
		return []Result{FailR(arn, globalRegion, "the root user was used recently: %s", strings.Join(recent, ", "))}
	case latest == nil:
		return []Result{PassR(arn, globalRegion, "the credential report records no use of the root user's password or access keys")}
	}
	return []Result{PassR(arn, globalRegion, "the root user was last used %d days ago", ageDays(now, *latest))}
}

// setupWindow is how close to user creation a key must be created to count
// as made "during initial setup" (for the message only).
const setupWindow = 10 * time.Minute

func checkUnusedSetupKeys(s *model.Snapshot) []Result {
	views, unk := iamUserViews(s)
	if unk != nil {
		return unk
	}
	out := make([]Result, 0, len(views))
	for _, v := range views {
		pw, ok := v.Password.Get()
		switch {
		case !ok:
			out = append(out, UnknownR(v.ARN, globalRegion, "user %s: console password status unknown: %s", v.Name, v.Password.Why()))
			continue
		case !pw:
			out = append(out, PassR(v.ARN, globalRegion, "user %s has no console password", v.Name))
			continue
		}
		keys, ok := v.Keys.Get()
		if !ok {
			out = append(out, UnknownR(v.ARN, globalRegion, "user %s: %s", v.Name, v.Keys.Why()))
			continue
		}
		var vd verdict
		for _, k := range keys {
			if !k.Active {
				continue
			}
			last, ok := k.LastUsed.Get()
			switch {
			case !ok:
				vd.unknown("user %s: %s last use unknown: %s", v.Name, k.ID, k.LastUsed.Why())
			case last == nil:
				when := ""
				if c, ok := v.Created.Get(); ok && k.Created != nil && absDuration(k.Created.Sub(c)) <= setupWindow {
					when = ", created together with the user"
				}
				vd.fail("user %s has a console password and active %s that was never used%s", v.Name, k.ID, when)
			}
		}
		out = append(out, vd.result(v.ARN, globalRegion, "user "+v.Name+" has a console password and no never-used active access key"))
	}
	return out
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func checkInstanceRoles(s *model.Snapshot) []Result {
	return eachEC2Region(s, "instance/*", func(r *ec2.Region) []Result {
		insts, unk := knownList(r.Instances, regionalARN(s, "ec2", r.Name, "instance/*"), r.Name, "EC2 instances")
		if unk != nil {
			return unk
		}
		var out []Result
		for _, i := range insts {
			if !liveInstance(i) {
				continue
			}
			arn, region := instanceARN(s, r.Name, i), regionOr(i.Meta, r.Name)
			if i.IAMInstanceProfile != "" {
				out = append(out, PassR(arn, region, "instance %s has instance profile %s", i.ID, i.IAMInstanceProfile))
			} else {
				out = append(out, FailR(arn, region, "instance %s (%s) has no IAM instance profile", i.ID, orStr(i.State, "state unknown")))
			}
		}
		return out
	})
}

// cloudShellFullAccessSuffix identifies the AWS managed policy in any partition.
const cloudShellFullAccessSuffix = ":iam::aws:policy/AWSCloudShellFullAccess"

func checkCloudShellFullAccess(s *model.Snapshot) []Result {
	var fails []Result
	var unknowns []string
	attached := func(ps []iam.AttachedPolicy) bool {
		for _, p := range ps {
			if strings.HasSuffix(p.ARN, cloudShellFullAccessSuffix) {
				return true
			}
		}
		return false
	}
	if users, ok := s.IAM.Users.Get(); ok {
		for _, u := range users {
			if attached(u.AttachedPolicies) {
				fails = append(fails, FailR(orARN(u.ARN, userPathARN(s, u)), globalRegion, "user %s has AWSCloudShellFullAccess attached", u.Name))
			}
		}
	} else {
		unknowns = append(unknowns, "IAM users unreadable: "+s.IAM.Users.Why())
	}
	if groups, ok := s.IAM.Groups.Get(); ok {
		for _, g := range groups {
			if attached(g.AttachedPolicies) {
				fails = append(fails, FailR(orARN(g.ARN, iamPathARN(s, "group", g.Path, g.Name)), globalRegion, "group %s has AWSCloudShellFullAccess attached", g.Name))
			}
		}
	} else {
		unknowns = append(unknowns, "IAM groups unreadable: "+s.IAM.Groups.Why())
	}
	if roles, ok := s.IAM.Roles.Get(); ok {
		for _, r := range roles {
			if attached(r.AttachedPolicies) {
				fails = append(fails, FailR(orARN(r.ARN, iamPathARN(s, "role", r.Path, r.Name)), globalRegion, "role %s has AWSCloudShellFullAccess attached", r.Name))
			}
		}
	} else {
		unknowns = append(unknowns, "IAM roles unreadable: "+s.IAM.Roles.Why())
	}
	policyARN := s.ARNPrefix() + cloudShellFullAccessSuffix
	if len(fails) == 0 {
		// The policy list carries the attachment count even when a principal
		// list could not be read.
		if policies, ok := s.IAM.Policies.Get(); ok {
			for _, p := range policies {
				if strings.HasSuffix(p.ARN, cloudShellFullAccessSuffix) && p.AttachmentCount > 0 {
					fails = append(fails, FailR(p.ARN, globalRegion, "AWSCloudShellFullAccess is attached to %s", plural(int(p.AttachmentCount), "principal", "principals")))
				}
			}
		}
	}
	switch {
	case len(fails) > 0:
		sort.Slice(fails, func(i, j int) bool { return fails[i].ResourceARN < fails[j].ResourceARN })
		return fails
	case len(unknowns) > 0:
		return []Result{UnknownR(policyARN, globalRegion, "cannot confirm AWSCloudShellFullAccess is unattached: %s", strings.Join(unknowns, "; "))}
	}
	return []Result{PassR(policyARN, globalRegion, "AWSCloudShellFullAccess is attached to no user, group or role")}
}

func checkExpiredServerCertificates(s *model.Snapshot) []Result {
	arn := iamARN(s, "server-certificate/*")
	now, ok := collectedAt(s)
	if !ok {
		return []Result{UnknownR(arn, globalRegion, "snapshot has no collection time to compare expiry dates against")}
	}
	certs, unk := knownList(s.IAM.ServerCertificates, arn, globalRegion, "IAM server certificates")
	if unk != nil {
		return unk
	}
	if len(certs) == 0 {
		return []Result{PassR(arn, globalRegion, "no SSL/TLS certificates are stored in IAM")}
	}
	out := make([]Result, 0, len(certs))
	for _, c := range certs {
		carn := orARN(c.ARN, iamPathARN(s, "server-certificate", c.Path, c.Name))
		switch {
		case c.Expiration == nil:
			out = append(out, UnknownR(carn, globalRegion, "server certificate %s: expiry date not reported", c.Name))
		case !c.Expiration.After(now):
			out = append(out, FailR(carn, globalRegion, "server certificate %s expired on %s", c.Name, c.Expiration.UTC().Format("2006-01-02")))
		default:
			out = append(out, PassR(carn, globalRegion, "server certificate %s is valid until %s", c.Name, c.Expiration.UTC().Format("2006-01-02")))
		}
	}
	return out
}
