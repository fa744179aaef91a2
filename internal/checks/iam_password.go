package checks

import (
	"strconv"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
)

// FSBP IAM.10: the account password policy meets the PCI DSS v3.2.1
// minimums. It is not IAM.7 (iam-password-policy-strong): IAM.10's values
// are fixed (no parameters), it asks for password expiry and reuse
// prevention, and it does not ask for symbols or 8 characters; nor is it
// CIS 1.7/1.8 (14 characters, 24 remembered passwords).
// https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-10

// The IAM.10 minimums, from the control's documented configuration.
const (
	pciMinPasswordLength = 7  // MinimumPasswordLength: 7 or longer
	pciPasswordReuse     = 4  // PasswordReusePrevention: 4
	pciMaxPasswordAge    = 90 // MaxPasswordAge: 90 days
)

func iamPasswordRules() []Rule {
	return []Rule{
		{
			ID:             "iam-password-policy-pci",
			Title:          "The password policy meets the PCI DSS minimums",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"IAM.10"}},
			Description: "FSBP IAM.10 requires the account password policy to demand uppercase and lowercase letters and numbers, at least " +
				strconv.Itoa(pciMinPasswordLength) + " characters, no reuse of the last " + strconv.Itoa(pciPasswordReuse) +
				" passwords, and expiry after at most " + strconv.Itoa(pciMaxPasswordAge) + " days. An account without a custom policy fails " +
				"(IAM's default sets none of these).",
			Remediation: "  aws iam update-account-password-policy --minimum-password-length 14 --require-uppercase-characters \\\n" +
				"      --require-lowercase-characters --require-numbers --require-symbols --password-reuse-prevention 24 --max-password-age 90\n" +
				"Terraform: resource \"aws_iam_account_password_policy\" \"p\" { minimum_password_length = 14, require_uppercase_characters = true,\n" +
				"  require_lowercase_characters = true, require_numbers = true, require_symbols = true, password_reuse_prevention = 24,\n" +
				"  max_password_age = 90 }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-10",
				"https://docs.aws.amazon.com/config/latest/developerguide/iam-password-policy.html"},
			Check: checkPasswordPCI,
		},
	}
}

func checkPasswordPCI(s *model.Snapshot) []Result {
	pp, unk := passwordPolicy(s)
	if unk != nil {
		return unk
	}
	if pp == nil {
		return []Result{FailR(accountARN(s), globalRegion, "no custom password policy: no character-class requirements, no reuse prevention, passwords never expire")}
	}
	var gaps []string
	if !pp.RequireUppercaseCharacters {
		gaps = append(gaps, "uppercase letters are not required")
	}
	if !pp.RequireLowercaseCharacters {
		gaps = append(gaps, "lowercase letters are not required")
	}
	if !pp.RequireNumbers {
		gaps = append(gaps, "numbers are not required")
	}
	if pp.MinimumPasswordLength < pciMinPasswordLength {
		gaps = append(gaps, "minimum length is "+strconv.Itoa(int(pp.MinimumPasswordLength))+" (need "+strconv.Itoa(pciMinPasswordLength)+")")
	}
	if pp.PasswordReusePrevention < pciPasswordReuse {
		gaps = append(gaps, "reuse prevention remembers "+strconv.Itoa(int(pp.PasswordReusePrevention))+" passwords (need "+strconv.Itoa(pciPasswordReuse)+")")
	}
	// IAM sets ExpirePasswords exactly when MaxPasswordAge is above 0, so
	// the age alone decides; 0 means passwords never expire.
	switch {
	case pp.MaxPasswordAge <= 0:
		gaps = append(gaps, "passwords never expire (need at most "+strconv.Itoa(pciMaxPasswordAge)+" days)")
	case pp.MaxPasswordAge > pciMaxPasswordAge:
		gaps = append(gaps, "passwords expire after "+strconv.Itoa(int(pp.MaxPasswordAge))+" days (need at most "+strconv.Itoa(pciMaxPasswordAge)+")")
	}
	if len(gaps) > 0 {
		return []Result{FailR(accountARN(s), globalRegion, "password policy is below the PCI DSS minimums: %s", strings.Join(gaps, "; "))}
	}
	return []Result{PassR(accountARN(s), globalRegion, "password policy requires upper- and lowercase letters and numbers, %d characters, remembers %d passwords and expires them after %d days",
		pp.MinimumPasswordLength, pp.PasswordReusePrevention, pp.MaxPasswordAge)}
}
