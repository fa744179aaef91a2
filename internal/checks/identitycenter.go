package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/identitycenter"
)

// IAM Identity Center permission sets are the IAM roles the workforce signs
// in with, provisioned into every account they are assigned to. Whom they
// grant what is the customer's side of the model. No FSBP or CIS control
// covers them; the rule below follows AWS's least-privilege guidance
// ("restrict administrator privileges to a small, trusted group",
// https://docs.aws.amazon.com/wellarchitected/latest/framework/sec_permissions_least_privileges.html)
// and asks for a review, at low severity, of every permission set that
// grants full administrator access.

// adminPolicyName is the AWS managed policy that grants every action on
// every resource (arn:PARTITION:iam::aws:policy/AdministratorAccess).
const adminPolicyName = "AdministratorAccess"

func identityCenterRules() []Rule {
	return []Rule{
		{
			ID:             "identitycenter-permission-set-admin",
			Title:          "IAM Identity Center permission sets granting full administrator access are reviewed",
			Service:        "identitycenter",
			Severity:       Low,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{},
			Description: "A permission set with the AWS managed AdministratorAccess policy, or an inline policy allowing " +
				"\"*\" on \"*\", makes everyone assigned to it an administrator of every account it is provisioned to. " +
				"Such permission sets FAIL so that they are reviewed and kept to a small, trusted group (break-glass " +
				"access); the others PASS. Customer managed policies of a permission set are defined in each target " +
				"account, not in Identity Center, so a set that relies on them is UNKNOWN. Permissions boundaries are " +
				"not read. Session duration is recorded but not judged: AWS sets the default (1 hour) and the maximum " +
				"(12 hours) and publishes no stricter threshold.",
			Remediation: "Replace full access with job-function or customer managed policies, and keep admin sets for a few people:\n" +
				"  aws sso-admin detach-managed-policy-from-permission-set --instance-arn INSTANCE --permission-set-arn PS \\\n" +
				"      --managed-policy-arn arn:aws:iam::aws:policy/AdministratorAccess\n" +
				"  aws sso-admin attach-managed-policy-to-permission-set --instance-arn INSTANCE --permission-set-arn PS \\\n" +
				"      --managed-policy-arn arn:aws:iam::aws:policy/job-function/ViewOnlyAccess\n" +
				"  aws sso-admin provision-permission-set --instance-arn INSTANCE --permission-set-arn PS --target-type ALL_PROVISIONED_ACCOUNTS\n" +
				"Terraform: resource \"aws_ssoadmin_managed_policy_attachment\" \"a\" { instance_arn = ..., permission_set_arn = ...\n" +
				"  managed_policy_arn = \"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess\" }  # not AdministratorAccess",
			Links: []string{"https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsets.html",
				"https://docs.aws.amazon.com/wellarchitected/latest/framework/sec_permissions_least_privileges.html"},
			Check: checkIdentityCenterAdmin,
		},
	}
}

// eachPermissionSet calls judge for every permission set of every Identity
// Center instance, once per ARN (an instance replicated to several regions
// is listed by each). A region that was not collected, or whose instances or
// permission sets could not be read, is UNKNOWN. An account without an
// instance has nothing to judge.
func eachPermissionSet(s *model.Snapshot, judge func(inst identitycenter.Instance, ps identitycenter.PermissionSet) Result) []Result {
	byName := map[string]*identitycenter.Region{}
	names := snapshotRegions(s)
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	for i := range s.IdentityCenter {
		n := s.IdentityCenter[i].Name
		if byName[n] == nil {
			byName[n] = &s.IdentityCenter[i]
		}
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	wild := s.ARNPrefix() + ":sso:::instance/*"
	var out []Result
	doneInst, donePS := map[string]bool{}, map[string]bool{}
	for _, name := range names {
		r := byName[name]
		if r == nil {
			out = append(out, UnknownR(wild, name, "IAM Identity Center in region %s was not collected", name))
			continue
		}
		insts, unk := knownList(r.Instances, wild, name, "IAM Identity Center instances in "+name)
		if unk != nil {
			out = append(out, unk...)
			continue
		}
		for _, inst := range insts {
			if doneInst[inst.ARN] {
				continue
			}
			doneInst[inst.ARN] = true
			sets, unk := knownList(inst.PermissionSets, inst.ARN, regionOr(inst.Meta, name), "permission sets of "+inst.ARN)
			if unk != nil {
				out = append(out, unk...)
				continue
			}
			for _, ps := range sets {
				if donePS[ps.ARN] {
					continue
				}
				donePS[ps.ARN] = true
				res := judge(inst, ps)
				res.ResourceARN, res.Region = ps.ARN, regionOr(ps.Meta, regionOr(inst.Meta, name))
				out = append(out, res)
			}
		}
	}
	return out
}

func checkIdentityCenterAdmin(s *model.Snapshot) []Result {
	return eachPermissionSet(s, func(_ identitycenter.Instance, ps identitycenter.PermissionSet) Result {
		name := ps.ARN
		if d, ok := ps.Details.Get(); ok && d.Name != "" {
			name = d.Name
		}
		var grants, unknown []string
		if mps, ok := ps.ManagedPolicies.Get(); ok {
			for _, mp := range mps {
				if isAWSAdminPolicy(mp.ARN, mp.Name) {
					grants = append(grants, "the AWS managed policy "+adminPolicyName)
				}
			}
		} else {
			unknown = append(unknown, "AWS managed policies unreadable: "+ps.ManagedPolicies.Why())
		}
		if doc, ok := ps.InlinePolicy.Get(); ok {
			if strings.TrimSpace(doc) != "" {
				admin, err := grantsFullAdmin(doc)
				switch {
				case err != nil:
					unknown = append(unknown, "inline policy unparsable: "+err.Error())
				case admin:
					grants = append(grants, "an inline policy allowing \"*\" on \"*\"")
				}
			}
		} else {
			unknown = append(unknown, "inline policy unreadable: "+ps.InlinePolicy.Why())
		}
		if refs, ok := ps.CustomerManagedPolicies.Get(); ok {
			if len(refs) > 0 {
				var names []string
				for _, r := range refs {
					names = append(names, orStr(r.Path, "/")+r.Name)
				}
				unknown = append(unknown, "customer managed policies "+strings.Join(names, ", ")+
					" are defined in each target account and not judged here")
			}
		} else {
			unknown = append(unknown, "customer managed policies unreadable: "+ps.CustomerManagedPolicies.Why())
		}

		switch {
		case len(grants) > 0:
			return Result{Status: Fail, Message: fmt.Sprintf("permission set %s grants full administrator access (%s)%s: review who is assigned it",
				name, strings.Join(grants, ", "), provisionedText(ps))}
		case len(unknown) > 0:
			return Result{Status: Unknown, Message: fmt.Sprintf("permission set %s: %s", name, strings.Join(unknown, "; "))}
		}
		return Result{Status: Pass, Message: fmt.Sprintf("permission set %s does not grant full administrator access", name)}
	})
}

// isAWSAdminPolicy reports whether a managed policy is AWS's
// AdministratorAccess (in any partition).
func isAWSAdminPolicy(arn, name string) bool {
	if arn == "" {
		return name == adminPolicyName
	}
	return strings.HasPrefix(arn, "arn:") && strings.HasSuffix(arn, ":iam::aws:policy/"+adminPolicyName)
}

// provisionedText says where a permission set is provisioned, for messages.
func provisionedText(ps identitycenter.PermissionSet) string {
	acc, ok := ps.ProvisionedAccounts.Get()
	switch {
	case !ok:
		return ""
	case len(acc) == 0:
		return ", not provisioned to any account"
	case len(acc) <= 5:
		return ", provisioned to " + strings.Join(acc, ", ")
	}
	return ", provisioned to " + plural(len(acc), "account", "accounts")
}
