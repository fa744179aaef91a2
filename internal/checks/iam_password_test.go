package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/iam"
)

func iamPasswordFixtures() map[string]fixture {
	return map[string]fixture{
		"iam-password-policy-pci": failWhen(func(s *model.Snapshot) { s.IAM.PasswordPolicy.V.MaxPasswordAge = 0 }),
	}
}

// TestPasswordPolicyPCI encodes IAM.10's fixed minimums: upper, lower,
// numbers, 7 characters, 4 remembered passwords, expiry within 90 days;
// symbols are not among them.
func TestPasswordPolicyPCI(t *testing.T) {
	pci := func() *iam.PasswordPolicy {
		return &iam.PasswordPolicy{MinimumPasswordLength: 7, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
			RequireNumbers: true, PasswordReusePrevention: 4, ExpirePasswords: true, MaxPasswordAge: 90}
	}
	cases := []struct {
		name string
		edit func(p *iam.PasswordPolicy)
		want Status
		has  string
	}{
		{"exact minimums, no symbols", func(*iam.PasswordPolicy) {}, Pass, "7 characters"},
		{"6 characters", func(p *iam.PasswordPolicy) { p.MinimumPasswordLength = 6 }, Fail, "minimum length is 6"},
		{"no uppercase", func(p *iam.PasswordPolicy) { p.RequireUppercaseCharacters = false }, Fail, "uppercase"},
		{"no lowercase", func(p *iam.PasswordPolicy) { p.RequireLowercaseCharacters = false }, Fail, "lowercase"},
		{"no numbers", func(p *iam.PasswordPolicy) { p.RequireNumbers = false }, Fail, "numbers"},
		{"3 remembered", func(p *iam.PasswordPolicy) { p.PasswordReusePrevention = 3 }, Fail, "remembers 3"},
		{"never expires", func(p *iam.PasswordPolicy) { p.ExpirePasswords, p.MaxPasswordAge = false, 0 }, Fail, "never expire"},
		{"91 days", func(p *iam.PasswordPolicy) { p.MaxPasswordAge = 91 }, Fail, "after 91 days"},
		{"30 days, 24 remembered, 14 characters", func(p *iam.PasswordPolicy) {
			p.MaxPasswordAge, p.PasswordReusePrevention, p.MinimumPasswordLength = 30, 24, 14
		}, Pass, ""},
	}
	rule := ruleByID(t, "iam-password-policy-pci")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			p := pci()
			c.edit(p)
			s.IAM.PasswordPolicy = core.Known(p)
			res := rule.Check(s)
			if len(res) != 1 || res[0].Status != c.want || !strings.Contains(res[0].Message, c.has) {
				t.Errorf("got %+v, want %s with %q", res, c.want, c.has)
			}
		})
	}
	s := compliantSnapshot()
	s.IAM.PasswordPolicy = core.Known[*iam.PasswordPolicy](nil)
	if res := rule.Check(s); len(res) != 1 || res[0].Status != Fail {
		t.Errorf("no custom policy: %+v", res)
	}
	s.IAM.PasswordPolicy = core.Unknown[*iam.PasswordPolicy](core.ReasonAccessDenied)
	if res := rule.Check(s); len(res) != 1 || res[0].Status != Unknown {
		t.Errorf("unreadable policy: %+v", res)
	}
}
