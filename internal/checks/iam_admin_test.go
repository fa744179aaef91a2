package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model/iam"
)

// adminByEffect judges "*:*" by what the engine allows, not by the text
// (CIS 1.15, FSBP IAM.1;
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
func TestAdminByEffect(t *testing.T) {
	s := compliantSnapshot()
	cases := []struct {
		name string
		doc  string
		want bool
	}{
		{"Action * on *", adminPolicy, true},
		{"Action *:*", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*:*","Resource":"*"}]}`, true},
		{"mixed list with *", `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","*"],"Resource":["arn:aws:s3:::x","*"]}]}`, true},
		{"url-encoded", `%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D`, true},
		{"satisfiable condition still grants admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`, true},
		{"MFA condition still grants admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, true},
		{"avoidable deny does not cancel", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`, true},
		{"NotAction with an unconditional Deny of nothing relevant", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"demarc:none","Resource":"*"}]}`, true},
		{"deny everything cancels", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}`, false},
		{"deny of IAM removes admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`, false},
		{"expired grant", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2001-01-01T00:00:00Z"}}}]}`, false},
		{"deny only", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, false},
		{"NotAction iam:*", `{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`, false},
		{"scoped resource", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::x/*"}]}`, false},
		{"one service", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, false},
		{"no wildcard", readOnlyPolicy, false},
	}
	for _, c := range cases {
		got, err := adminByEffect(s, c.doc)
		if err != nil || got != c.want {
			t.Errorf("%s: adminByEffect = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := adminByEffect(s, `{"Statement":*}`); err == nil {
		t.Error("malformed document accepted")
	}
}

// The rules follow the engine: a conditioned admin policy now fails, a
// cancelled one passes.
func TestAdminRulesByEffect(t *testing.T) {
	conditioned := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	cancelled := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}`

	s := compliantSnapshot()
	s.IAM.Policies.V = append(s.IAM.Policies.V, managedPolicy("office-admin", conditioned, 1, false))
	if st := statuses(run(t, "iam-customer-policy-no-full-admin", s)); st[Fail] != 1 {
		t.Errorf("conditioned admin: %v", st)
	}
	if st := statuses(run(t, "iam-no-full-admin-attached", s)); st[Fail] != 1 {
		t.Errorf("conditioned admin attached: %v", st)
	}

	s = compliantSnapshot()
	s.IAM.Policies.V = append(s.IAM.Policies.V, managedPolicy("neutered", cancelled, 1, false))
	only(t, run(t, "iam-customer-policy-no-full-admin", s), Pass)

	s = compliantSnapshot()
	s.IAM.Roles.V[0].InlinePolicies = []iam.InlinePolicy{{Name: "cond", Document: conditioned}}
	if st := statuses(run(t, "iam-no-full-admin-attached", s)); st[Fail] != 1 {
		t.Errorf("inline conditioned admin: %v", st)
	}
}
