package checks

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/privesc"
	"github.com/demarc-sec/demarc/internal/model"
)

// privescRules are the rules built on the privilege-escalation analysis.
// No CIS or FSBP control asks for escalation paths (their IAM controls
// judge policies one at a time), so Frameworks stays empty.
func privescRules() []Rule {
	return []Rule{
		{
			ID:             "iam-privesc-path-to-admin",
			Title:          "No IAM user or role can escalate to administrator",
			Service:        "iam",
			Severity:       High,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{},
			Description: "A principal that is not an administrator can still become one by chaining techniques: changing its own " +
				"policies (iam:PutUserPolicy, iam:CreatePolicyVersion, …), taking over another principal's credentials " +
				"(iam:CreateAccessKey, login profiles), assuming roles, or passing a powerful role to a compute service it " +
				"controls (iam:PassRole with Lambda, EC2, Glue, CloudFormation, …). Every hop is decided by the IAM policy " +
				"engine, so conditions, permissions boundaries, SCPs and explicit denies count. The finding shows the shortest " +
				"path; `demarc iam paths` shows the statements that allow each hop (docs/privesc.md).",
			Remediation: "Break the first hop of the path: remove or scope the permission it uses (resource ARNs instead of \"*\", " +
				"iam:PassedToService and iam:PolicyARN conditions), attach a permissions boundary that excludes IAM write actions, " +
				"or deny the technique with an SCP. Inspect the path with:\n" +
				"  demarc iam paths --snapshot SNAPSHOT --from PRINCIPAL_ARN\n" +
				"Terraform: narrow the statement in the aws_iam_policy / aws_iam_role_policy that grants the hop's action, e.g.\n" +
				"  condition { test = \"StringEquals\" variable = \"iam:PassedToService\" values = [\"lambda.amazonaws.com\"] }",
			Links: []string{
				"https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/",
				"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
				"https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
			},
			Check: checkPrivescPaths,
		},
	}
}

func checkPrivescPaths(s *model.Snapshot) []Result {
	if !s.IAM.Users.Ok && !s.IAM.Roles.Ok {
		return []Result{UnknownR(iamARN(s, "user/*"), globalRegion,
			"IAM users and roles not collected (%s): escalation paths cannot be analyzed", s.IAM.Users.Why())}
	}
	a := privesc.New(s, privesc.Options{})
	verdicts := a.Verdicts()
	if len(verdicts) == 0 {
		if inc := a.Incomplete(); len(inc) > 0 {
			return []Result{UnknownR(iamARN(s, "user/*"), globalRegion, "no principals to analyze: %s", strings.Join(inc, "; "))}
		}
		return []Result{PassR(accountARN(s), globalRegion, "the account has no IAM users or roles")}
	}
	techniques := len(privesc.Catalogue())
	out := make([]Result, 0, len(verdicts))
	for _, v := range verdicts {
		switch {
		case v.Path != nil:
			n := len(v.Path.Hops)
			hops := "hops"
			if n == 1 {
				hops = "hop"
			}
			msg := "can become administrator in %d %s: %s"
			last := v.Path.Hops[n-1]
			args := []any{n, hops, v.Path.Summary()}
			if last.To != "" {
				msg += " (ends as %s)"
				args = append(args, last.To)
			}
			for _, h := range v.Path.Hops {
				if len(h.Assumes) > 0 {
					msg += "; assumes: %s"
					args = append(args, strings.Join(h.Assumes, "; "))
					break
				}
			}
			out = append(out, FailR(v.ARN, globalRegion, msg, args...))
		case v.Admin:
			out = append(out, PassR(v.ARN, globalRegion,
				"already admin-equivalent: escalation does not apply (whether it should be admin is for the admin-policy rules)"))
		case len(v.Unknown) > 0:
			out = append(out, UnknownR(v.ARN, globalRegion, "no escalation path found, but the answer rests on missing data: %s",
				strings.Join(firstN(v.Unknown, 3), "; ")))
		default:
			out = append(out, PassR(v.ARN, globalRegion, "no path to administrator with the %d techniques of the catalogue", techniques))
		}
	}
	return out
}

func firstN(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(append([]string(nil), list[:n]...), "…")
}
