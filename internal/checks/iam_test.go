package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/iam"
)

func iamFixtures() map[string]fixture {
	return map[string]fixture{
		"iam-root-mfa-enabled": failWhen(func(s *model.Snapshot) {
			reportRow(s, iam.RootUserName).MFAActive = false
			s.IAM.Summary.V["AccountMFAEnabled"] = 0
		}),
		"iam-root-hardware-mfa": failWhen(func(s *model.Snapshot) {
			s.IAM.VirtualMFA.V = append(s.IAM.VirtualMFA.V, iam.VirtualMFADevice{
				SerialNumber: "arn:aws:iam::" + acct + ":mfa/root-account-mfa-device", User: "arn:aws:iam::" + acct + ":root"})
		}),
		"iam-user-console-mfa": failWhen(func(s *model.Snapshot) {
			userAt(s, 0).MFADevices = core.Known([]iam.MFADevice{})
			reportRow(s, "alice").MFAActive = false
		}),
		"iam-user-mfa-enabled": failWhen(func(s *model.Snapshot) {
			userAt(s, 0).MFADevices = core.Known([]iam.MFADevice{})
		}),
		"iam-access-keys-rotated": failWhen(func(s *model.Snapshot) {
			userAt(s, 0).AccessKeys.V[0].CreateDate = ago(120)
		}),
		"iam-credentials-unused-45-days": failWhen(func(s *model.Snapshot) {
			userAt(s, 0).AccessKeys.V[0].LastUsed = core.Known(agoP(60))
		}),
		"iam-credentials-unused-90-days": failWhen(func(s *model.Snapshot) {
			u := userAt(s, 0)
			u.AccessKeys.V[0].CreateDate = ago(200)
			u.AccessKeys.V[0].LastUsed = core.Known(agoP(120))
		}),
		"iam-user-single-active-key": failWhen(func(s *model.Snapshot) {
			u := userAt(s, 0)
			u.AccessKeys.V = append(u.AccessKeys.V, iam.AccessKey{ID: "AKIAALICE2", Status: "Active", CreateDate: ago(5), LastUsed: core.Known(agoP(1))})
		}),
		"iam-password-policy-min-length": failWhen(func(s *model.Snapshot) { s.IAM.PasswordPolicy.V.MinimumPasswordLength = 8 }),
		"iam-password-policy-reuse":      failWhen(func(s *model.Snapshot) { s.IAM.PasswordPolicy.V.PasswordReusePrevention = 5 }),
		"iam-password-policy-strong":     failWhen(func(s *model.Snapshot) { s.IAM.PasswordPolicy.V.RequireSymbols = false }),
		"iam-user-no-direct-policies": failWhen(func(s *model.Snapshot) {
			userAt(s, 0).InlinePolicies = []iam.InlinePolicy{{Name: "extra", Document: readOnlyPolicy}}
		}),
		"iam-customer-policy-no-full-admin": failWhen(func(s *model.Snapshot) {
			s.IAM.Policies.V = append(s.IAM.Policies.V, managedPolicy("break-glass", adminPolicy, 0, false))
		}),
		"iam-no-full-admin-attached": failWhen(func(s *model.Snapshot) {
			p := managedPolicy("AdministratorAccess", adminPolicy, 1, true)
			p.ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
			s.IAM.Policies.V = append(s.IAM.Policies.V, p)
		}),
		"iam-policy-no-wildcard-service-actions": failWhen(func(s *model.Snapshot) {
			s.IAM.Policies.V[0].Versions[0].Document = `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
		}),
		"iam-support-role": failWhen(func(s *model.Snapshot) { s.IAM.Roles.V[0].AttachedPolicies = nil }),
	}
}

func managedPolicy(name, doc string, attachments int32, awsManaged bool) iam.ManagedPolicy {
	return iam.ManagedPolicy{
		Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":policy/" + name}, Name: name, Path: "/", DefaultVersionID: "v1",
		AttachmentCount: attachments, IsAttachable: true, AWSManaged: awsManaged,
		Versions: []iam.PolicyVersion{{VersionID: "v1", IsDefault: true, Document: doc}},
	}
}

// run checks one rule by ID and returns its results.
func run(t *testing.T, id string, s *model.Snapshot) []Result {
	t.Helper()
	r, ok := Default().Get(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return r.Check(s)
}

// statuses counts results by status.
func statuses(res []Result) map[Status]int {
	m := map[Status]int{}
	for _, r := range res {
		m[r.Status]++
	}
	return m
}

// only asserts every result has the given status and returns the messages.
func only(t *testing.T, res []Result, want Status) string {
	t.Helper()
	if len(res) == 0 {
		t.Fatalf("no results, want %s", want)
	}
	var msgs []string
	for _, r := range res {
		if r.Status != want {
			t.Errorf("got %s (%s: %s), want %s", r.Status, r.ResourceARN, r.Message, want)
		}
		msgs = append(msgs, r.Message)
	}
	return strings.Join(msgs, "\n")
}

func TestRootSignals(t *testing.T) {
	t.Run("report says MFA, live summary says none: FAIL", func(t *testing.T) {
		s := compliantSnapshot()
		s.IAM.Summary.V["AccountMFAEnabled"] = 0
		only(t, run(t, "iam-root-mfa-enabled", s), Fail)
	})
	t.Run("report unreadable, summary says MFA: PASS", func(t *testing.T) {
		s := compliantSnapshot()
		s.IAM.CredentialReport = core.Unknown[[]iam.CredentialReportRow](core.ReasonAccessDenied)
		only(t, run(t, "iam-root-mfa-enabled", s), Pass)
	})
	t.Run("both unreadable: UNKNOWN with reasons", func(t *testing.T) {
		s := compliantSnapshot()
		s.IAM.CredentialReport = core.Unknown[[]iam.CredentialReportRow](core.ReasonAccessDenied)
		s.IAM.Summary = core.Unknown[map[string]int32](core.ReasonThrottled)
		msg := only(t, run(t, "iam-root-mfa-enabled", s), Unknown)
		if !strings.Contains(msg, "access denied") || !strings.Contains(msg, "throttled") {
			t.Errorf("reasons missing: %s", msg)
		}
	})
	t.Run("root keys seen only in the credential report: FAIL", func(t *testing.T) {
		s := compliantSnapshot()
		reportRow(s, iam.RootUserName).AccessKey2Active = true
		only(t, run(t, "iam-root-access-keys", s), Fail)
	})
	t.Run("hardware MFA needs MFA at all", func(t *testing.T) {
		s := compliantSnapshot()
		reportRow(s, iam.RootUserName).MFAActive = false
		only(t, run(t, "iam-root-hardware-mfa", s), Fail)
	})
	t.Run("unassigned root-named virtual device does not count", func(t *testing.T) {
		s := compliantSnapshot()
		s.IAM.VirtualMFA.V = append(s.IAM.VirtualMFA.V, iam.VirtualMFADevice{SerialNumber: "arn:aws:iam::" + acct + ":mfa/root-account-mfa-device"})
		only(t, run(t, "iam-root-hardware-mfa", s), Pass)
	})
	t.Run("custom-named virtual device assigned to root: FAIL", func(t *testing.T) {
		s := compliantSnapshot()
		s.IAM.VirtualMFA.V = append(s.IAM.VirtualMFA.V, iam.VirtualMFADevice{SerialNumber: "arn:aws:iam::" + acct + ":mfa/my-phone", User: "arn:aws:iam::" + acct + ":root"})
		only(t, run(t, "iam-root-hardware-mfa", s), Fail)
	})
}

func TestConsoleMFAOnlyForPasswordUsers(t *testing.T) {
	s := compliantSnapshot()
	u := userAt(s, 0)
	u.LoginProfile = core.Known(false)
	u.MFADevices = core.Known([]iam.MFADevice{})
	reportRow(s, "alice").PasswordEnabled = false
	reportRow(s, "alice").MFAActive = false
	only(t, run(t, "iam-user-console-mfa", s), Pass)

	// Login profile unreadable and user not in the report: UNKNOWN, not PASS.
	s = compliantSnapshot()
	userAt(s, 0).LoginProfile = core.Unknown[bool](core.ReasonAccessDenied)
	s.IAM.CredentialReport = core.Known([]iam.CredentialReportRow{})
	only(t, run(t, "iam-user-console-mfa", s), Unknown)

	// Users unreadable but the report lists them: the report decides.
	s = compliantSnapshot()
	s.IAM.Users = core.Unknown[[]iam.User](core.ReasonAccessDenied)
	reportRow(s, "alice").MFAActive = false
	only(t, run(t, "iam-user-console-mfa", s), Fail)
}

func TestKeyRotationOnlyActiveKeys(t *testing.T) {
	s := compliantSnapshot()
	u := userAt(s, 0)
	u.AccessKeys.V = append(u.AccessKeys.V, iam.AccessKey{ID: "AKIAOLD", Status: "Inactive", CreateDate: ago(900), LastUsed: core.Known[*time.Time](nil)})
	only(t, run(t, "iam-access-keys-rotated", s), Pass)
	only(t, run(t, "iam-credentials-unused-45-days", s), Pass)

	u.AccessKeys.V[0].CreateDate = ago(91)
	only(t, run(t, "iam-access-keys-rotated", s), Fail)
	u.AccessKeys.V[0].CreateDate = ago(89)
	only(t, run(t, "iam-access-keys-rotated", s), Pass)
}

func TestTimeRulesNeedCollectionTime(t *testing.T) {
	s := compliantSnapshot()
	s.CollectedAt = time.Time{}
	for _, id := range []string{"iam-access-keys-rotated", "iam-credentials-unused-45-days", "iam-credentials-unused-90-days"} {
		only(t, run(t, id, s), Unknown)
	}
}

func TestUnusedCredentials(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(s *model.Snapshot)
		want45 Status
		want90 Status
	}{
		{"recent use", func(s *model.Snapshot) {}, Pass, Pass},
		{"young user with never-used key", func(s *model.Snapshot) {
			u := userAt(s, 0)
			u.CreateDate = ago(10)
			u.AccessKeys.V[0].LastUsed = core.Known[*time.Time](nil)
			reportRow(s, "alice").UserCreationTime = agoP(10)
		}, Pass, Pass},
		{"password never used, set 60 days ago", func(s *model.Snapshot) {
			userAt(s, 0).PasswordLastUsed = nil
			r := reportRow(s, "alice")
			r.PasswordLastUsed, r.PasswordLastChanged = nil, agoP(60)
		}, Fail, Pass},
		{"password last used exactly 45 days ago", func(s *model.Snapshot) {
			userAt(s, 0).PasswordLastUsed = agoP(45)
			reportRow(s, "alice").PasswordLastUsed = agoP(45)
		}, Fail, Pass},
		{"key never used, created 100 days ago", func(s *model.Snapshot) {
			k := &userAt(s, 0).AccessKeys.V[0]
			k.CreateDate, k.LastUsed = ago(100), core.Known[*time.Time](nil)
		}, Fail, Fail},
		{"key last use unreadable", func(s *model.Snapshot) {
			userAt(s, 0).AccessKeys.V[0].LastUsed = core.Unknown[*time.Time](core.ReasonAccessDenied)
		}, Unknown, Unknown},
		{"stale report but fresh user listing: the later use wins", func(s *model.Snapshot) {
			reportRow(s, "alice").PasswordLastUsed = agoP(80)
		}, Pass, Pass},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.mutate(s)
			only(t, run(t, "iam-credentials-unused-45-days", s), c.want45)
			only(t, run(t, "iam-credentials-unused-90-days", s), c.want90)
		})
	}
}

func TestPasswordPolicyAbsent(t *testing.T) {
	s := compliantSnapshot()
	s.IAM.PasswordPolicy = core.Known[*iam.PasswordPolicy](nil)
	for _, id := range []string{"iam-password-policy-min-length", "iam-password-policy-reuse", "iam-password-policy-strong"} {
		only(t, run(t, id, s), Fail)
	}
	s.IAM.PasswordPolicy = core.Unknown[*iam.PasswordPolicy](core.ReasonAccessDenied)
	only(t, run(t, "iam-password-policy-min-length", s), Unknown)
}

func TestAdminPolicies(t *testing.T) {
	cases := []struct {
		doc   string
		admin bool
	}{
		{adminPolicy, true},
		{`{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","*"],"Resource":["arn:aws:s3:::x","*"]}]}`, true},
		{`{"Statement":[{"Effect":"Allow","Action":"*:*","Resource":"*"}]}`, true},
		{`%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D`, true},
		{`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::x/*"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, false},
	}
	for _, c := range cases {
		got, err := grantsFullAdmin(c.doc)
		if err != nil || got != c.admin {
			t.Errorf("grantsFullAdmin(%s) = %v, %v; want %v", c.doc, got, err, c.admin)
		}
	}
	if _, err := grantsFullAdmin(`{"Statement":*}`); err == nil {
		t.Error("malformed document accepted")
	}

	// A malformed customer policy is UNKNOWN, not PASS.
	s := compliantSnapshot()
	s.IAM.Policies.V = append(s.IAM.Policies.V, managedPolicy("broken", `{"Statement":[*]}`, 1, false))
	if st := statuses(run(t, "iam-customer-policy-no-full-admin", s)); st[Unknown] != 1 {
		t.Errorf("statuses %v, want one UNKNOWN", st)
	}

	// A policy used only as a permissions boundary is exempt from IAM.1.
	s = compliantSnapshot()
	p := managedPolicy("boundary", adminPolicy, 0, false)
	s.IAM.Policies.V = append(s.IAM.Policies.V, p)
	userAt(s, 0).PermissionsBoundary = p.ARN
	only(t, run(t, "iam-customer-policy-no-full-admin", s), Pass)

	// Inline admin policy on a role fails CIS 1.15.
	s = compliantSnapshot()
	s.IAM.Roles.V[0].InlinePolicies = []iam.InlinePolicy{{Name: "god", Document: adminPolicy}}
	if st := statuses(run(t, "iam-no-full-admin-attached", s)); st[Fail] != 1 {
		t.Errorf("statuses %v, want one FAIL", st)
	}

	// AdministratorAccess attached without its document is still known admin.
	s = compliantSnapshot()
	admin := managedPolicy("AdministratorAccess", "", 2, true)
	admin.ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
	s.IAM.Policies.V = append(s.IAM.Policies.V, admin)
	if st := statuses(run(t, "iam-no-full-admin-attached", s)); st[Fail] != 1 {
		t.Errorf("statuses %v, want one FAIL", st)
	}
}

func TestWildcardServiceActions(t *testing.T) {
	acts, err := serviceWildcardActions(`{"Statement":[{"Effect":"Allow","Action":["s3:*","ec2:Describe*","iam:Get*"],"Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}`)
	if err != nil || strings.Join(acts, ",") != "s3:*" {
		t.Errorf("got %v, %v; want [s3:*]", acts, err)
	}
}

func TestSupportRoleNeedsRole(t *testing.T) {
	s := compliantSnapshot()
	s.IAM.Roles.V[0].AttachedPolicies = nil
	// Attached to a user instead: CIS asks for a role.
	userAt(s, 0).AttachedPolicies = []iam.AttachedPolicy{{Name: "AWSSupportAccess", ARN: supportPolicy}}
	only(t, run(t, "iam-support-role", s), Fail)
	s.IAM.Roles = core.Unknown[[]iam.Role](core.ReasonAccessDenied)
	only(t, run(t, "iam-support-role", s), Unknown)
}

func TestWildcardMatch(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"s3:Get*", "s3:GetObject", true},
		{"S3:GET*", "s3:getobject", true},
		{"s3:*Object", "s3:PutObject", true},
		{"s3:?etObject", "s3:GetObject", true},
		{"s3:Put*", "s3:GetObject", false},
		{"*", "*anything", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
	}
	for _, c := range cases {
		if got := wildcardMatch(c.p, c.s); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add(adminPolicy)
	f.Add(readOnlyPolicy)
	f.Add(tlsDenyPolicy("b"))
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"NotAction":"s3:x","Resource":"*","Condition":{"Bool":{"k":[true,1]}}}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		// Must never panic; errors are fine.
		_, _ = parsePolicy(doc)
		_, _ = grantsFullAdmin(doc)
		_, _ = serviceWildcardActions(doc)
	})
}
