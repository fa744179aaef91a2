package checks

import (
	"github.com/demarc-sec/demarc/internal/model"
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
			Remediation:    "Sign in as root, open Security credentials, and delete the root access keys. There is no CLI for root keys; verify with: aws iam get-account-summary --query SummaryMap.AccountAccessKeysPresent",
			Links:          []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html"},
			Check:          checkRootAccessKeys,
		},
	}
}

func rootARN(s *model.Snapshot) string { return s.ARNPrefix() + ":iam::" + s.AccountID + ":root" }

func checkRootAccessKeys(s *model.Snapshot) []Result {
	arn := rootARN(s)
	sum, ok := s.IAM.Summary.Get()
	if !ok {
		return []Result{UnknownR(arn, "global", "account summary unreadable: %s", s.IAM.Summary.Why())}
	}
	n, present := sum["AccountAccessKeysPresent"]
	if !present {
		return []Result{UnknownR(arn, "global", "account summary has no AccountAccessKeysPresent")}
	}
	if n > 0 {
		return []Result{FailR(arn, "global", "the root user has access keys")}
	}
	return []Result{PassR(arn, "global", "the root user has no access keys")}
}
