package checks

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	iameval "github.com/demarc-sec/demarc/internal/analyze/iam"
	"github.com/demarc-sec/demarc/internal/analyze/privesc"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/iam"
)

func iamRules() []Rule {
	return []Rule{
		{
			ID:             "iam-root-access-keys",
			Title:          "The root user has no access keys",
			Service:        "iam",
			Severity:       Critical,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.3"}, FSBP: {"IAM.4"}},
			Description:    "Access keys on the root user give unrestricted, unrestrictable programmatic access to the account.",
			Remediation: "Sign in as root, open Security credentials, and delete the root access keys. There is no CLI for root keys; verify with:\n" +
				"  aws iam get-account-summary --query SummaryMap.AccountAccessKeysPresent\n" +
				"Terraform cannot manage root credentials; guard against their use with an SCP denying actions for arn:aws:iam::*:root.",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html"},
			Check: checkRootAccessKeys,
		},
		{
			ID:             "iam-root-mfa-enabled",
			Title:          "MFA is enabled for the root user",
			Service:        "iam",
			Severity:       Critical,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.4"}, FSBP: {"IAM.9"}},
			Description:    "The root user can do anything in the account, including closing it; a password alone is not enough to protect it.",
			Remediation: "Sign in as root, open Security credentials, and assign an MFA device (a FIDO security key is preferred). Verify with:\n" +
				"  aws iam get-account-summary --query SummaryMap.AccountMFAEnabled\n" +
				"Terraform cannot enrol root MFA; it is a console-only action.",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html"},
			Check: checkRootMFA,
		},
		{
			ID:             "iam-root-hardware-mfa",
			Title:          "The root user uses a hardware MFA device",
			Service:        "iam",
			Severity:       High,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.5"}, FSBP: {"IAM.6"}},
			Description:    "A virtual MFA app lives on a phone that is also used for other things; a dedicated hardware device (FIDO key or TOTP token) is harder to compromise.",
			Remediation: "Sign in as root, remove the virtual MFA device and register a FIDO security key or hardware TOTP token. List virtual devices with:\n" +
				"  aws iam list-virtual-mfa-devices --assignment-status Assigned\n" +
				"Terraform cannot enrol root MFA; it is a console-only action.",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_physical.html"},
			Check: checkRootHardwareMFA,
		},
		{
			ID:             "iam-user-console-mfa",
			Title:          "IAM users with a console password have MFA",
			Service:        "iam",
			Severity:       High,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.9"}, FSBP: {"IAM.5"}},
			Description:    "A console password without MFA is one phished or reused password away from account access.",
			Remediation: "Assign an MFA device to each user with a console password, or remove the password:\n" +
				"  aws iam enable-mfa-device --user-name USER --serial-number ARN --authentication-code1 C1 --authentication-code2 C2\n" +
				"  aws iam delete-login-profile --user-name USER\n" +
				"Terraform: resource \"aws_iam_virtual_mfa_device\" \"u\" { virtual_mfa_device_name = \"USER\" }  # then enable it for the user",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html"},
			Check: checkConsoleUserMFA,
		},
		{
			ID:             "iam-user-mfa-enabled",
			Title:          "Every IAM user has MFA",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"IAM.19"}},
			Description:    "MFA on every IAM user lets policies require aws:MultiFactorAuthPresent and protects users that may later receive a password.",
			Remediation: "Assign an MFA device to every IAM user:\n" +
				"  aws iam enable-mfa-device --user-name USER --serial-number ARN --authentication-code1 C1 --authentication-code2 C2\n" +
				"Terraform: resource \"aws_iam_virtual_mfa_device\" \"u\" { virtual_mfa_device_name = \"USER\" }",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html"},
			Check: checkAllUsersMFA,
		},
		{
			ID:             "iam-access-keys-rotated",
			Title:          "Active access keys are rotated every 90 days or less",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.13"}, FSBP: {"IAM.3"}},
			Description:    "Long-lived keys leak through laptops, CI logs and repositories; rotating them bounds how long a leaked key stays useful.",
			Remediation: "Create a new key, move the workload to it, then deactivate and delete the old one:\n" +
				"  aws iam create-access-key --user-name USER\n" +
				"  aws iam update-access-key --user-name USER --access-key-id OLD --status Inactive\n" +
				"  aws iam delete-access-key --user-name USER --access-key-id OLD\n" +
				"Terraform: resource \"aws_iam_access_key\" \"k\" { user = \"USER\" }  # replace it with -replace=aws_iam_access_key.k every 90 days",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#Using_RotateAccessKey"},
			Check: checkAccessKeyRotation,
		},
		{
			ID:             "iam-credentials-unused-45-days",
			Title:          "Credentials unused for 45 days or more are disabled",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.11"}, FSBP: {"IAM.22"}},
			Description:    "Passwords and access keys nobody uses are pure risk: they can be stolen and nobody would notice their use.",
			Remediation: "Remove the unused password or deactivate the unused key:\n" +
				"  aws iam delete-login-profile --user-name USER\n" +
				"  aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive\n" +
				"Terraform: remove the aws_iam_user_login_profile / aws_iam_access_key resource, or set status = \"Inactive\" on the key.",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html"},
			Check: checkUnusedCredentials(45),
		},
		{
			ID:             "iam-credentials-unused-90-days",
			Title:          "Credentials unused for 90 days are removed",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"IAM.8"}},
			Description:    "Passwords and access keys not used for 90 days should be removed; FSBP IAM.8 uses 90 days where CIS uses 45.",
			Remediation: "Remove the unused password or delete the unused key:\n" +
				"  aws iam delete-login-profile --user-name USER\n" +
				"  aws iam delete-access-key --user-name USER --access-key-id KEY\n" +
				"Terraform: remove the aws_iam_user_login_profile / aws_iam_access_key resource.",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html"},
			Check: checkUnusedCredentials(90),
		},
		{
			ID:             "iam-user-single-active-key",
			Title:          "No IAM user has more than one active access key",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.12"}},
			Description:    "Two active keys are only needed during a rotation; otherwise the second key doubles the exposure and is often forgotten.",
			Remediation: "Deactivate and delete the key that is no longer used:\n" +
				"  aws iam update-access-key --user-name USER --access-key-id KEY --status Inactive\n" +
				"  aws iam delete-access-key --user-name USER --access-key-id KEY\n" +
				"Terraform: keep one aws_iam_access_key per user (status = \"Active\").",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"},
			Check: checkSingleActiveKey,
		},
		{
			ID:             "iam-password-policy-min-length",
			Title:          "The password policy requires at least 14 characters",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.7"}},
			Description:    "Without a custom policy IAM accepts 8-character passwords; CIS requires a minimum of 14.",
			Remediation: "  aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24 \\\n" +
				"      --require-uppercase-characters --require-lowercase-characters --require-numbers --require-symbols\n" +
				"Terraform: resource \"aws_iam_account_password_policy\" \"p\" { minimum_password_length = 14 }",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html"},
			Check: checkPasswordMinLength,
		},
		{
			ID:             "iam-password-policy-reuse",
			Title:          "The password policy prevents reuse of the last 24 passwords",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.8"}},
			Description:    "Reuse prevention stops users cycling back to a password that may already be compromised.",
			Remediation: "  aws iam update-account-password-policy --password-reuse-prevention 24 --minimum-password-length 14\n" +
				"Terraform: resource \"aws_iam_account_password_policy\" \"p\" { password_reuse_prevention = 24 }",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html"},
			Check: checkPasswordReuse,
		},
		{
			ID:             "iam-password-policy-strong",
			Title:          "The password policy has strong settings",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"IAM.7"}},
			Description:    "FSBP IAM.7 requires upper- and lowercase letters, numbers and symbols, and at least 8 characters (its default parameters).",
			Remediation: "  aws iam update-account-password-policy --minimum-password-length 14 --require-uppercase-characters \\\n" +
				"      --require-lowercase-characters --require-numbers --require-symbols --password-reuse-prevention 24\n" +
				"Terraform: resource \"aws_iam_account_password_policy\" \"p\" { minimum_password_length = 14, require_uppercase_characters = true,\n" +
				"  require_lowercase_characters = true, require_numbers = true, require_symbols = true }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-7"},
			Check: checkPasswordStrong,
		},
		{
			ID:             "iam-user-no-direct-policies",
			Title:          "IAM users receive permissions only through groups",
			Service:        "iam",
			Severity:       Low,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.14"}, FSBP: {"IAM.2"}},
			Description:    "Policies attached to individual users are hard to review and tend to accumulate; groups and roles keep access reviewable.",
			Remediation: "Move the policy to a group and add the user to it, then detach it from the user:\n" +
				"  aws iam attach-group-policy --group-name GROUP --policy-arn ARN\n" +
				"  aws iam add-user-to-group --group-name GROUP --user-name USER\n" +
				"  aws iam detach-user-policy --user-name USER --policy-arn ARN   # delete-user-policy for inline ones\n" +
				"Terraform: use aws_iam_group_policy_attachment + aws_iam_user_group_membership instead of aws_iam_user_policy(_attachment).",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_attach-policy.html"},
			Check: checkUserDirectPolicies,
		},
		{
			ID:             "iam-customer-policy-no-full-admin",
			Title:          "Customer managed policies do not grant full \"*:*\" administrative privileges",
			Service:        "iam",
			Severity:       High,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.15"}, FSBP: {"IAM.1"}},
			Description:    "A policy that allows every action on Resource \"*\" grants every permission; grant only what each task needs. demarc decides it by effect with the IAM engine (\"*\", \"*:*\", a condition the requester can satisfy, not cancelled by a Deny), not by the text. Policies used only as permissions boundaries are exempt, as in FSBP.",
			Remediation: "Replace the \"*\" statement with the actions and resources actually needed:\n" +
				"  aws iam create-policy-version --policy-arn ARN --policy-document file://least-privilege.json --set-as-default\n" +
				"Terraform: resource \"aws_iam_policy\" \"p\" { policy = data.aws_iam_policy_document.least_privilege.json }",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
			Check: checkCustomerPolicyAdmin,
		},
		{
			ID:             "iam-no-full-admin-attached",
			Title:          "No attached policy grants full \"*:*\" administrative privileges",
			Service:        "iam",
			Severity:       High,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.15"}},
			Description:    "CIS 1.15 flags every attached policy, AWS managed (AdministratorAccess) or not, and inline policies, that allow \"*\" on \"*\". demarc decides it by effect with the IAM engine: satisfiable conditions still grant admin, a Deny that removes admin actions cancels it.",
			Remediation: "Detach the administrative policy and attach a least-privilege one:\n" +
				"  aws iam list-entities-for-policy --policy-arn ARN\n" +
				"  aws iam detach-role-policy --role-name ROLE --policy-arn ARN   # detach-user-policy / detach-group-policy\n" +
				"Terraform: remove the aws_iam_*_policy_attachment for the admin policy; attach a scoped aws_iam_policy instead.",
			Links: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"},
			Check: checkAttachedAdminPolicies,
		},
		{
			ID:             "iam-policy-no-wildcard-service-actions",
			Title:          "Customer managed policies do not allow wildcard actions for services",
			Service:        "iam",
			Severity:       Low,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"IAM.21"}},
			Description:    "\"service:*\" grants every current and future action of a service, including destructive and permission-changing ones.",
			Remediation: "List the specific actions instead of \"service:*\":\n" +
				"  aws iam create-policy-version --policy-arn ARN --policy-document file://scoped.json --set-as-default\n" +
				"Terraform: data \"aws_iam_policy_document\" \"p\" { statement { actions = [\"s3:GetObject\"] resources = [\"arn:aws:s3:::bucket/*\"] } }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-21"},
			Check: checkWildcardServiceActions,
		},
		{
			ID:             "iam-support-role",
			Title:          "A role for AWS Support incidents exists",
			Service:        "iam",
			Severity:       Low,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{CIS50: {"1.16"}},
			Description:    "A role with the AWSSupportAccess managed policy lets the right people open and manage support cases without broader access.",
			Remediation: "  aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json\n" +
				"  aws iam attach-role-policy --role-name aws-support --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess\n" +
				"Terraform: resource \"aws_iam_role_policy_attachment\" \"support\" { role = aws_iam_role.support.name\n" +
				"  policy_arn = \"arn:aws:iam::aws:policy/AWSSupportAccess\" }",
			Links: []string{"https://docs.aws.amazon.com/awssupport/latest/user/accessing-support.html"},
			Check: checkSupportRole,
		},
	}
}

func rootARN(s *model.Snapshot) string { return s.ARNPrefix() + ":iam::" + s.AccountID + ":root" }

// rootReportRow returns the credential report's root row, if the report is known.
func rootReportRow(s *model.Snapshot) (iam.CredentialReportRow, bool) {
	rows, ok := s.IAM.CredentialReport.Get()
	if !ok {
		return iam.CredentialReportRow{}, false
	}
	for _, r := range rows {
		if r.User == iam.RootUserName {
			return r, true
		}
	}
	return iam.CredentialReportRow{}, false
}

// rootSignal combines the credential report and the account summary. Both
// describe the root user; the report may be up to four hours old, the
// summary is live. A bad answer from either source wins, and a good answer
// needs at least one source, so a stale good value never hides a bad one.
type rootSignal struct {
	bad, good []string // sources that say bad / good
	unknown   []string // reasons a source could not answer
}

func (r rootSignal) result(arn, badMsg, goodMsg string) Result {
	switch {
	case len(r.bad) > 0:
		return FailR(arn, globalRegion, "%s (per %s)", badMsg, strings.Join(r.bad, " and "))
	case len(r.good) > 0:
		return PassR(arn, globalRegion, "%s (per %s)", goodMsg, strings.Join(r.good, " and "))
	default:
		return UnknownR(arn, globalRegion, "cannot tell: %s", strings.Join(r.unknown, "; "))
	}
}

func (r *rootSignal) add(source string, known, bad bool, why string) {
	switch {
	case !known:
		r.unknown = append(r.unknown, why)
	case bad:
		r.bad = append(r.bad, source)
	default:
		r.good = append(r.good, source)
	}
}

func checkRootAccessKeys(s *model.Snapshot) []Result {
	var sig rootSignal
	if sum, ok := s.IAM.Summary.Get(); ok {
		n, present := sum["AccountAccessKeysPresent"]
		sig.add("account summary", present, n > 0, "account summary has no AccountAccessKeysPresent")
	} else {
		sig.add("account summary", false, false, "account summary unreadable: "+s.IAM.Summary.Why())
	}
	if row, ok := rootReportRow(s); ok {
		sig.add("credential report", true, row.AccessKey1Active || row.AccessKey2Active, "")
	} else if !s.IAM.CredentialReport.Ok {
		sig.unknown = append(sig.unknown, "credential report unreadable: "+s.IAM.CredentialReport.Why())
	}
	return []Result{sig.result(rootARN(s), "the root user has access keys", "the root user has no access keys")}
}

func rootMFASignal(s *model.Snapshot) rootSignal {
	var sig rootSignal
	if row, ok := rootReportRow(s); ok {
		sig.add("credential report", true, !row.MFAActive, "")
	} else if !s.IAM.CredentialReport.Ok {
		sig.unknown = append(sig.unknown, "credential report unreadable: "+s.IAM.CredentialReport.Why())
	} else {
		sig.unknown = append(sig.unknown, "credential report has no <root_account> row")
	}
	if sum, ok := s.IAM.Summary.Get(); ok {
		n, present := sum["AccountMFAEnabled"]
		sig.add("account summary", present, n == 0, "account summary has no AccountMFAEnabled")
	} else {
		sig.unknown = append(sig.unknown, "account summary unreadable: "+s.IAM.Summary.Why())
	}
	return sig
}

func checkRootMFA(s *model.Snapshot) []Result {
	return []Result{rootMFASignal(s).result(rootARN(s), "the root user has no MFA", "the root user has MFA")}
}

func checkRootHardwareMFA(s *model.Snapshot) []Result {
	arn := rootARN(s)
	mfa := rootMFASignal(s)
	if len(mfa.bad) > 0 || len(mfa.good) == 0 {
		return []Result{mfa.result(arn, "the root user has no MFA at all", "")}
	}
	devices, ok := s.IAM.VirtualMFA.Get()
	if !ok {
		return []Result{UnknownR(arn, globalRegion, "the root user has MFA, but virtual MFA devices are unreadable: %s", s.IAM.VirtualMFA.Why())}
	}
	for _, d := range devices {
		// Only an assigned device counts; since 2022 root virtual devices
		// may carry any name, so the assignee is the reliable signal.
		if d.User != "" && (strings.HasSuffix(d.User, ":root") || strings.HasSuffix(d.SerialNumber, ":mfa/root-account-mfa-device")) {
			return []Result{FailR(arn, globalRegion, "the root user's MFA is a virtual device (%s), not hardware", d.SerialNumber)}
		}
	}
	return []Result{PassR(arn, globalRegion, "the root user has MFA and no virtual MFA device is assigned to it (hardware or FIDO key)")}
}

// keyView is one access key as seen by the rules, from the user listing or
// the credential report.
type keyView struct {
	ID       string
	Active   bool
	Created  *time.Time // creation or last rotation
	LastUsed core.Val[*time.Time]
}

// userView merges what the user listing (GetAccountAuthorizationDetails and
// friends) and the credential report say about one user's credentials.
type userView struct {
	Name                string
	ARN                 string
	Created             core.Val[time.Time]
	Password            core.Val[bool]
	PasswordLastUsed    core.Val[*time.Time] // Known(nil): never used
	PasswordLastChanged core.Val[*time.Time]
	MFA                 core.Val[bool]
	Keys                core.Val[[]keyView]
}

func reportKeys(r iam.CredentialReportRow) []keyView {
	var keys []keyView
	if r.AccessKey1Active || r.AccessKey1LastRotated != nil {
		keys = append(keys, keyView{ID: "access key 1", Active: r.AccessKey1Active, Created: r.AccessKey1LastRotated, LastUsed: core.Known(r.AccessKey1LastUsed)})
	}
	if r.AccessKey2Active || r.AccessKey2LastRotated != nil {
		keys = append(keys, keyView{ID: "access key 2", Active: r.AccessKey2Active, Created: r.AccessKey2LastRotated, LastUsed: core.Known(r.AccessKey2LastUsed)})
	}
	return keys
}

func viewFromReport(s *model.Snapshot, r iam.CredentialReportRow) userView {
	v := userView{
		Name:                r.User,
		ARN:                 orARN(r.ARN, iamARN(s, "user/"+r.User)),
		Password:            core.Known(r.PasswordEnabled),
		PasswordLastUsed:    core.Known(r.PasswordLastUsed),
		PasswordLastChanged: core.Known(r.PasswordLastChanged),
		MFA:                 core.Known(r.MFAActive),
		Keys:                core.Known(reportKeys(r)),
	}
	if r.UserCreationTime != nil {
		v.Created = core.Known(*r.UserCreationTime)
	} else {
		v.Created = core.Unknown[time.Time]("credential report has no creation time")
	}
	return v
}

// iamPathARN builds the ARN of a path-qualified IAM entity
// (arn:aws:iam::ACCOUNT:role/path/name) for when the collector left it empty.
func iamPathARN(s *model.Snapshot, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return iamARN(s, kind+path+name)
}

func userPathARN(s *model.Snapshot, u iam.User) string { return iamPathARN(s, "user", u.Path, u.Name) }

// iamUserViews returns the merged per-user view. When neither source is
// readable it returns the UNKNOWN result to report instead.
func iamUserViews(s *model.Snapshot) ([]userView, []Result) {
	rows, reportOK := s.IAM.CredentialReport.Get()
	byName := make(map[string]int, len(rows)) // user name → row index
	for i := range rows {
		if rows[i].User != iam.RootUserName {
			byName[rows[i].User] = i
		}
	}
	users, usersOK := s.IAM.Users.Get()
	switch {
	case !usersOK && !reportOK:
		return nil, []Result{UnknownR(iamARN(s, "user/*"), globalRegion,
			"IAM users unreadable (%s) and credential report unreadable (%s)", s.IAM.Users.Why(), s.IAM.CredentialReport.Why())}
	case !usersOK:
		views := make([]userView, 0, len(byName))
		for _, r := range rows {
			if r.User != iam.RootUserName {
				views = append(views, viewFromReport(s, r))
			}
		}
		return views, nil
	}
	// Reasons shared by every user, built once.
	noReport := "credential report unreadable: " + s.IAM.CredentialReport.Why()
	if reportOK {
		noReport = "user is newer than the credential report"
	}
	lastUseWhy, lastChangeWhy := "password last use: "+noReport, "password last change: "+noReport
	views := make([]userView, 0, len(users))
	for _, u := range users {
		v := userView{Name: u.Name, ARN: orARN(u.ARN, userPathARN(s, u)), Password: u.LoginProfile}
		if !u.CreateDate.IsZero() {
			v.Created = core.Known(u.CreateDate)
		} else {
			v.Created = core.Unknown[time.Time]("user creation date not collected")
		}
		if u.PasswordLastUsed != nil {
			v.PasswordLastUsed = core.Known(u.PasswordLastUsed)
		} else {
			// Absent in the user listing means "never" or "not asked":
			// only the credential report can tell.
			v.PasswordLastUsed = core.Unknown[*time.Time](lastUseWhy)
		}
		v.PasswordLastChanged = core.Unknown[*time.Time](lastChangeWhy)
		if devs, ok := u.MFADevices.Get(); ok {
			v.MFA = core.Known(len(devs) > 0)
		} else {
			v.MFA = core.Unknown[bool]("MFA devices unreadable: " + u.MFADevices.Why())
		}
		if keys, ok := u.AccessKeys.Get(); ok {
			kv := make([]keyView, len(keys))
			created := make([]time.Time, len(keys))
			for i, k := range keys {
				created[i] = k.CreateDate
				kv[i] = keyView{ID: k.ID, Active: strings.EqualFold(k.Status, "Active"), Created: &created[i], LastUsed: k.LastUsed}
			}
			v.Keys = core.Known(kv)
		} else {
			v.Keys = core.Unknown[[]keyView]("access keys unreadable: " + u.AccessKeys.Why())
		}
		if i, ok := byName[u.Name]; ok {
			r := &rows[i]
			if !v.Created.Ok && r.UserCreationTime != nil {
				v.Created = core.Known(*r.UserCreationTime)
			}
			if !v.Password.Ok {
				v.Password = core.Known(r.PasswordEnabled)
			}
			// The later of the two last-use times: the report can be hours old.
			v.PasswordLastUsed = laterTime(v.PasswordLastUsed, core.Known(r.PasswordLastUsed))
			v.PasswordLastChanged = core.Known(r.PasswordLastChanged)
			if !v.MFA.Ok {
				v.MFA = core.Known(r.MFAActive)
			}
			if !v.Keys.Ok {
				v.Keys = core.Known(reportKeys(*r))
			}
		}
		views = append(views, v)
	}
	return views, nil
}

// laterTime picks the more recent known last-use time; a known "never"
// (nil) loses to any known time.
func laterTime(a, b core.Val[*time.Time]) core.Val[*time.Time] {
	switch {
	case !a.Ok:
		return b
	case !b.Ok:
		return a
	case a.V == nil:
		return b
	case b.V == nil:
		return a
	case b.V.After(*a.V):
		return b
	}
	return a
}

func checkConsoleUserMFA(s *model.Snapshot) []Result {
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
		case !pw:
			out = append(out, PassR(v.ARN, globalRegion, "user %s has no console password", v.Name))
		case !v.MFA.Ok:
			out = append(out, UnknownR(v.ARN, globalRegion, "user %s has a console password; MFA status unknown: %s", v.Name, v.MFA.Why()))
		case v.MFA.V:
			out = append(out, PassR(v.ARN, globalRegion, "user %s has a console password and MFA", v.Name))
		default:
			out = append(out, FailR(v.ARN, globalRegion, "user %s has a console password and no MFA", v.Name))
		}
	}
	return out
}

func checkAllUsersMFA(s *model.Snapshot) []Result {
	views, unk := iamUserViews(s)
	if unk != nil {
		return unk
	}
	out := make([]Result, 0, len(views))
	for _, v := range views {
		mfa, ok := v.MFA.Get()
		switch {
		case !ok:
			out = append(out, UnknownR(v.ARN, globalRegion, "user %s: %s", v.Name, v.MFA.Why()))
		case mfa:
			out = append(out, PassR(v.ARN, globalRegion, "user %s has MFA", v.Name))
		default:
			out = append(out, FailR(v.ARN, globalRegion, "user %s has no MFA device", v.Name))
		}
	}
	return out
}

func checkAccessKeyRotation(s *model.Snapshot) []Result {
	now, ok := collectedAt(s)
	if !ok {
		return []Result{UnknownR(iamARN(s, "user/*"), globalRegion, "snapshot has no collection time to measure key age against")}
	}
	views, unk := iamUserViews(s)
	if unk != nil {
		return unk
	}
	out := make([]Result, 0, len(views))
	for _, v := range views {
		keys, ok := v.Keys.Get()
		if !ok {
			out = append(out, UnknownR(v.ARN, globalRegion, "user %s: %s", v.Name, v.Keys.Why()))
			continue
		}
		var vd verdict
		active := 0
		for _, k := range keys {
			if !k.Active {
				continue // CIS and FSBP judge only active keys
			}
			active++
			switch {
			case k.Created == nil:
				vd.unknown("user %s: %s has no creation date", v.Name, k.ID)
			case now.Sub(*k.Created) > 90*day:
				vd.fail("user %s: active %s is %d days old (limit 90)", v.Name, k.ID, ageDays(now, *k.Created))
			}
		}
		msg := "user " + v.Name + " has no active access keys"
		if active > 0 {
			msg = "user " + v.Name + ": " + plural(active, "active key is", "active keys are") + " 90 days old or less"
		}
		out = append(out, vd.result(v.ARN, globalRegion, msg))
	}
	return out
}

// checkUnusedCredentials flags passwords and active keys unused for limit
// days or more. A never-used credential counts from when it was set; users
// younger than limit days are not judged, as CIS directs.
func checkUnusedCredentials(limit int) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		now, ok := collectedAt(s)
		if !ok {
			return []Result{UnknownR(iamARN(s, "user/*"), globalRegion, "snapshot has no collection time to measure credential age against")}
		}
		views, unk := iamUserViews(s)
		if unk != nil {
			return unk
		}
		stale := func(t time.Time) bool { return now.Sub(t) >= time.Duration(limit)*day }
		out := make([]Result, 0, len(views))
		for _, v := range views {
			if created, ok := v.Created.Get(); ok && !stale(created) {
				out = append(out, PassR(v.ARN, globalRegion, "user %s was created %d days ago (under %d)", v.Name, ageDays(now, created), limit))
				continue
			}
			var vd verdict
			if pw, ok := v.Password.Get(); !ok {
				vd.unknown("user %s: console password status unknown: %s", v.Name, v.Password.Why())
			} else if pw {
				checkLastUse(&vd, "user "+v.Name+": console password", v.PasswordLastUsed, func() (*time.Time, string) {
					if t, ok := v.PasswordLastChanged.Get(); ok && t != nil {
						return t, ""
					}
					if c, ok := v.Created.Get(); ok {
						return &c, ""
					}
					return nil, "neither password change nor user creation time is known"
				}, stale, now, limit)
			}
			if keys, ok := v.Keys.Get(); !ok {
				vd.unknown("user %s: %s", v.Name, v.Keys.Why())
			} else {
				for _, k := range keys {
					if !k.Active {
						continue
					}
					k := k
					checkLastUse(&vd, "user "+v.Name+": active "+k.ID, k.LastUsed, func() (*time.Time, string) {
						if k.Created != nil {
							return k.Created, ""
						}
						if c, ok := v.Created.Get(); ok {
							return &c, ""
						}
						return nil, "key creation time unknown"
					}, stale, now, limit)
				}
			}
			out = append(out, vd.result(v.ARN, globalRegion, "user "+v.Name+": every enabled credential was used within "+strconv.Itoa(limit)+" days"))
		}
		return out
	}
}

// checkLastUse judges one credential's last use. baseline gives the time a
// never-used credential counts from.
func checkLastUse(vd *verdict, what string, last core.Val[*time.Time], baseline func() (*time.Time, string),
	stale func(time.Time) bool, now time.Time, limit int) {
	t, ok := last.Get()
	switch {
	case !ok:
		vd.unknown("%s last use unknown: %s", what, last.Why())
	case t != nil && stale(*t):
		vd.fail("%s last used %d days ago (limit %d)", what, ageDays(now, *t), limit)
	case t == nil:
		b, why := baseline()
		switch {
		case b == nil:
			vd.unknown("%s never used and %s", what, why)
		case stale(*b):
			vd.fail("%s never used since it was set %d days ago (limit %d)", what, ageDays(now, *b), limit)
		}
	}
}

func checkSingleActiveKey(s *model.Snapshot) []Result {
	views, unk := iamUserViews(s)
	if unk != nil {
		return unk
	}
	out := make([]Result, 0, len(views))
	for _, v := range views {
		keys, ok := v.Keys.Get()
		if !ok {
			out = append(out, UnknownR(v.ARN, globalRegion, "user %s: %s", v.Name, v.Keys.Why()))
			continue
		}
		n := 0
		for _, k := range keys {
			if k.Active {
				n++
			}
		}
		if n > 1 {
			out = append(out, FailR(v.ARN, globalRegion, "user %s has %d active access keys", v.Name, n))
		} else {
			out = append(out, PassR(v.ARN, globalRegion, "user %s has %s", v.Name, plural(n, "active access key", "active access keys")))
		}
	}
	return out
}

// passwordPolicy unwraps the account password policy. nil with no result
// means "no custom policy": IAM's default (8 characters, nothing else).
func passwordPolicy(s *model.Snapshot) (*iam.PasswordPolicy, []Result) {
	pp, ok := s.IAM.PasswordPolicy.Get()
	if !ok {
		return nil, []Result{UnknownR(accountARN(s), globalRegion, "password policy unreadable: %s", s.IAM.PasswordPolicy.Why())}
	}
	return pp, nil
}

func checkPasswordMinLength(s *model.Snapshot) []Result {
	pp, unk := passwordPolicy(s)
	switch {
	case unk != nil:
		return unk
	case pp == nil:
		return []Result{FailR(accountARN(s), globalRegion, "no custom password policy: IAM's default accepts 8-character passwords (need 14)")}
	case pp.MinimumPasswordLength < 14:
		return []Result{FailR(accountARN(s), globalRegion, "minimum password length is %d (need 14 or more)", pp.MinimumPasswordLength)}
	}
	return []Result{PassR(accountARN(s), globalRegion, "minimum password length is %d", pp.MinimumPasswordLength)}
}

func checkPasswordReuse(s *model.Snapshot) []Result {
	pp, unk := passwordPolicy(s)
	switch {
	case unk != nil:
		return unk
	case pp == nil:
		return []Result{FailR(accountARN(s), globalRegion, "no custom password policy, so password reuse is not prevented (need 24)")}
	case pp.PasswordReusePrevention < 24:
		return []Result{FailR(accountARN(s), globalRegion, "password reuse prevention remembers %d passwords (need 24)", pp.PasswordReusePrevention)}
	}
	return []Result{PassR(accountARN(s), globalRegion, "password reuse prevention remembers %d passwords", pp.PasswordReusePrevention)}
}

func checkPasswordStrong(s *model.Snapshot) []Result {
	pp, unk := passwordPolicy(s)
	if unk != nil {
		return unk
	}
	if pp == nil {
		return []Result{FailR(accountARN(s), globalRegion, "no custom password policy: no character-class requirements, 8-character minimum")}
	}
	var missing []string
	if !pp.RequireUppercaseCharacters {
		missing = append(missing, "uppercase letters")
	}
	if !pp.RequireLowercaseCharacters {
		missing = append(missing, "lowercase letters")
	}
	if !pp.RequireNumbers {
		missing = append(missing, "numbers")
	}
	if !pp.RequireSymbols {
		missing = append(missing, "symbols")
	}
	if pp.MinimumPasswordLength < 8 {
		missing = append(missing, "a minimum length of 8 (is "+strconv.Itoa(int(pp.MinimumPasswordLength))+")")
	}
	if len(missing) > 0 {
		return []Result{FailR(accountARN(s), globalRegion, "password policy does not require %s", strings.Join(missing, ", "))}
	}
	return []Result{PassR(accountARN(s), globalRegion, "password policy requires upper- and lowercase letters, numbers, symbols and %d characters", pp.MinimumPasswordLength)}
}

func checkUserDirectPolicies(s *model.Snapshot) []Result {
	users, unk := knownList(s.IAM.Users, iamARN(s, "user/*"), globalRegion, "IAM users")
	if unk != nil {
		return unk
	}
	out := make([]Result, 0, len(users))
	for _, u := range users {
		arn := orARN(u.ARN, userPathARN(s, u))
		var names []string
		for _, p := range u.AttachedPolicies {
			names = append(names, "managed "+p.Name)
		}
		for _, p := range u.InlinePolicies {
			names = append(names, "inline "+p.Name)
		}
		if len(names) > 0 {
			out = append(out, FailR(arn, globalRegion, "user %s has policies attached directly: %s", u.Name, strings.Join(names, ", ")))
		} else {
			out = append(out, PassR(arn, globalRegion, "user %s has no directly attached policies", u.Name))
		}
	}
	return out
}

// boundaryARNs returns the ARNs of policies used as permissions boundaries,
// for exempting them (FSBP IAM.1's excludePermissionBoundaryPolicy). Unknown
// user/role lists simply exempt nothing, which errs towards FAIL.
func boundaryARNs(s *model.Snapshot) map[string]bool {
	out := map[string]bool{}
	if users, ok := s.IAM.Users.Get(); ok {
		for _, u := range users {
			if u.PermissionsBoundary != "" {
				out[u.PermissionsBoundary] = true
			}
		}
	}
	if roles, ok := s.IAM.Roles.Get(); ok {
		for _, r := range roles {
			if r.PermissionsBoundary != "" {
				out[r.PermissionsBoundary] = true
			}
		}
	}
	return out
}

func policyARN(s *model.Snapshot, p iam.ManagedPolicy) string {
	return orARN(p.ARN, iamPathARN(s, "policy", p.Path, p.Name))
}

func checkCustomerPolicyAdmin(s *model.Snapshot) []Result {
	return checkCustomerPolicies(s, func(arn, name, doc string) Result {
		admin, err := adminByEffect(s, doc)
		switch {
		case err != nil:
			return UnknownR(arn, globalRegion, "policy %s: %v", name, err)
		case admin:
			return FailR(arn, globalRegion, "policy %s allows every action on Resource \"*\" (\"*:*\", judged by the IAM engine)", name)
		}
		return PassR(arn, globalRegion, "policy %s does not grant full administrative privileges", name)
	})
}

// adminByEffect decides whether a policy document grants full
// administrative privileges ("*:*") by what it does, not how it is written:
// the IAM engine, with the document as a principal's only identity policy,
// must allow every action of the admin probe set that privilege-escalation
// analysis uses (privesc.AdminProbes: every access level of the services an
// account's security rests on, plus an action no policy names, which only a
// wildcard grant allows) on Resource "*".
//
// Conditions are read as the requester can shape them: an Allow whose
// conditions can be satisfied (source IP, MFA, tags, …) still grants admin,
// and a Deny conditioned on such keys can be avoided. Only the time is
// fixed (the snapshot's collection time), so an expired grant is not admin.
// An unconditional Deny that removes any probe (or everything) cancels it.
func adminByEffect(s *model.Snapshot, doc string) (bool, error) {
	// Fast path: a document without any '*' cannot grant every action.
	if !strings.Contains(doc, "*") && !strings.Contains(doc, "%2A") && !strings.Contains(doc, "%2a") {
		return false, nil
	}
	doc = strings.TrimSpace(doc)
	if strings.HasPrefix(doc, "%7B") || strings.HasPrefix(doc, "%7b") {
		dec, err := url.QueryUnescape(doc)
		if err != nil {
			return false, fmt.Errorf("url-decode policy document: %w", err)
		}
		doc = dec
	}
	pol, err := iameval.ParseString(doc)
	if err != nil {
		return false, err
	}
	pol.Name = "policy"
	timeKeys := func(k string) bool { return k == "aws:currenttime" || k == "aws:epochtime" }
	relaxed := iameval.NewRelaxer(timeKeys).Policy(pol)
	now := s.CollectedAt
	if now.IsZero() {
		now = time.Now().UTC()
	}
	acct := s.AccountID
	if !iameval.IsAccountID(acct) {
		acct = "000000000000"
	}
	p, err := iameval.ParsePrincipal(s.ARNPrefix() + ":iam::" + acct + ":user/demarc-admin-probe")
	if err != nil {
		return false, err
	}
	ps := &iameval.PolicySet{Identity: []*iameval.Policy{relaxed}}
	base := &iameval.Request{Principal: p, Action: "demarc:probe", Resource: "*", Time: now}
	if err := base.Prepare(); err != nil {
		return false, err
	}
	for _, act := range privesc.AdminProbes {
		o, err := iameval.Decide(base.WithAction(strings.ToLower(act)), ps)
		if err != nil || o != iameval.Allowed {
			return false, err
		}
	}
	return true, nil
}

func checkWildcardServiceActions(s *model.Snapshot) []Result {
	return checkCustomerPolicies(s, func(arn, name, doc string) Result {
		acts, err := serviceWildcardActions(doc)
		switch {
		case err != nil:
			return UnknownR(arn, globalRegion, "policy %s: %v", name, err)
		case len(acts) > 0:
			return FailR(arn, globalRegion, "policy %s allows wildcard service actions: %s", name, strings.Join(acts, ", "))
		}
		return PassR(arn, globalRegion, "policy %s allows no \"service:*\" actions", name)
	})
}

// checkCustomerPolicies applies judge to the default version of every
// customer managed policy, exempting policies used only as boundaries.
func checkCustomerPolicies(s *model.Snapshot, judge func(arn, name, doc string) Result) []Result {
	policies, unk := knownList(s.IAM.Policies, iamARN(s, "policy/*"), globalRegion, "IAM managed policies")
	if unk != nil {
		return unk
	}
	boundaries := boundaryARNs(s)
	var out []Result
	for _, p := range policies {
		if p.AWSManaged {
			continue
		}
		arn := policyARN(s, p)
		if p.AttachmentCount == 0 && boundaries[arn] {
			out = append(out, PassR(arn, globalRegion, "policy %s is used only as a permissions boundary, which grants nothing by itself", p.Name))
			continue
		}
		doc := p.DefaultDocument()
		if doc == "" {
			out = append(out, UnknownR(arn, globalRegion, "policy %s: default version document not collected", p.Name))
			continue
		}
		out = append(out, judge(arn, p.Name, doc))
	}
	return out
}

// adminPolicyARNSuffix identifies AWS's AdministratorAccess in any partition.
const adminPolicyARNSuffix = ":iam::aws:policy/AdministratorAccess"

func checkAttachedAdminPolicies(s *model.Snapshot) []Result {
	var out []Result
	if policies, ok := s.IAM.Policies.Get(); ok {
		for _, p := range policies {
			if p.AttachmentCount == 0 {
				continue
			}
			arn := policyARN(s, p)
			doc := p.DefaultDocument()
			var admin bool
			var err error
			switch {
			case doc == "" && strings.HasSuffix(arn, adminPolicyARNSuffix):
				admin = true
			case doc == "":
				out = append(out, UnknownR(arn, globalRegion, "attached policy %s: default version document not collected", p.Name))
				continue
			default:
				admin, err = adminByEffect(s, doc)
			}
			switch {
			case err != nil:
				out = append(out, UnknownR(arn, globalRegion, "attached policy %s: %v", p.Name, err))
			case admin:
				out = append(out, FailR(arn, globalRegion, "policy %s allows \"*\" on \"*\" and is attached to %s", p.Name, plural(int(p.AttachmentCount), "principal", "principals")))
			default:
				out = append(out, PassR(arn, globalRegion, "attached policy %s does not grant full administrative privileges", p.Name))
			}
		}
	} else {
		out = append(out, UnknownR(iamARN(s, "policy/*"), globalRegion, "IAM managed policies unreadable: %s", s.IAM.Policies.Why()))
	}
	type inline struct {
		kind, name, arn string
		policies        []iam.InlinePolicy
	}
	var principals []inline
	if users, ok := s.IAM.Users.Get(); ok {
		for _, u := range users {
			principals = append(principals, inline{"user", u.Name, orARN(u.ARN, userPathARN(s, u)), u.InlinePolicies})
		}
	} else {
		out = append(out, UnknownR(iamARN(s, "user/*"), globalRegion, "IAM users (inline policies) unreadable: %s", s.IAM.Users.Why()))
	}
	if groups, ok := s.IAM.Groups.Get(); ok {
		for _, g := range groups {
			principals = append(principals, inline{"group", g.Name, orARN(g.ARN, iamPathARN(s, "group", g.Path, g.Name)), g.InlinePolicies})
		}
	} else {
		out = append(out, UnknownR(iamARN(s, "group/*"), globalRegion, "IAM groups (inline policies) unreadable: %s", s.IAM.Groups.Why()))
	}
	if roles, ok := s.IAM.Roles.Get(); ok {
		for _, r := range roles {
			principals = append(principals, inline{"role", r.Name, orARN(r.ARN, iamPathARN(s, "role", r.Path, r.Name)), r.InlinePolicies})
		}
	} else {
		out = append(out, UnknownR(iamARN(s, "role/*"), globalRegion, "IAM roles (inline policies) unreadable: %s", s.IAM.Roles.Why()))
	}
	for _, p := range principals {
		if len(p.policies) == 0 {
			continue
		}
		var vd verdict
		for _, ip := range p.policies {
			admin, err := adminByEffect(s, ip.Document)
			switch {
			case err != nil:
				vd.unknown("%s %s inline policy %s: %v", p.kind, p.name, ip.Name, err)
			case admin:
				vd.fail("%s %s has inline policy %s allowing \"*\" on \"*\"", p.kind, p.name, ip.Name)
			}
		}
		out = append(out, vd.result(p.arn, globalRegion, p.kind+" "+p.name+": no inline policy grants full administrative privileges"))
	}
	return out
}

// supportPolicySuffix identifies AWSSupportAccess in any partition.
const supportPolicySuffix = ":iam::aws:policy/AWSSupportAccess"

func checkSupportRole(s *model.Snapshot) []Result {
	arn := accountARN(s)
	roles, ok := s.IAM.Roles.Get()
	if !ok {
		return []Result{UnknownR(arn, globalRegion, "IAM roles unreadable: %s", s.IAM.Roles.Why())}
	}
	var names []string
	for _, r := range roles {
		for _, p := range r.AttachedPolicies {
			if strings.HasSuffix(p.ARN, supportPolicySuffix) {
				names = append(names, r.Name)
			}
		}
	}
	if len(names) == 0 {
		return []Result{FailR(arn, globalRegion, "no role has the AWSSupportAccess policy attached")}
	}
	sort.Strings(names)
	return []Result{PassR(arn, globalRegion, "AWSSupportAccess is attached to role(s): %s", strings.Join(names, ", "))}
}
