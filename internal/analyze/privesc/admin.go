package privesc

import "github.com/demarc-sec/demarc/internal/analyze/iam"

// AdminProbes is the representative action set of the admin definition:
// every access level (List, Read, Write, Permissions management, Tagging)
// of the services an account's security rests on, plus an action no policy
// names, which only a wildcard grant ("*", or NotAction) allows. Each is
// asked on resource "*".
//
// A principal is admin-equivalent when the engine allows it every probe
// that its ceiling allows: the same principal with an identity policy of
// Allow "*" on "*" and no permissions boundary, under the same SCPs and
// credential context. So an organization guardrail that denies, say,
// cloudtrail:StopLogging to everyone does not stop anyone from counting as
// admin, while a permissions boundary or an explicit deny on the principal
// does. A principal whose ceiling allows nothing is never admin.
var AdminProbes = []string{
	"iam:ListRoles",
	"iam:GetAccountAuthorizationDetails",
	"iam:CreateUser",
	"iam:CreateAccessKey",
	"iam:PassRole",
	"iam:PutRolePolicy",
	"iam:AttachUserPolicy",
	"iam:TagRole",
	"sts:AssumeRole",
	"organizations:DescribeOrganization",
	"s3:ListAllMyBuckets",
	"s3:GetObject",
	"s3:PutBucketPolicy",
	"s3:DeleteBucket",
	"ec2:DescribeInstances",
	"ec2:RunInstances",
	"ec2:TerminateInstances",
	"ec2:CreateTags",
	"kms:CreateKey",
	"kms:Decrypt",
	"lambda:CreateFunction",
	"lambda:UpdateFunctionCode",
	"dynamodb:Scan",
	"rds:DeleteDBInstance",
	"secretsmanager:GetSecretValue",
	"ssm:SendCommand",
	"cloudformation:CreateStack",
	"cloudtrail:StopLogging",
	"logs:DeleteLogGroup",
	"demarc-probe:AnyUnlistedAction",
}

// ceiling returns the probes the principal could be allowed at most in a
// credential context.
func (a *Analysis) ceiling(p *principal, c Cred) []string {
	k := nodeKey(p, c, nil)
	if v, ok := a.ceilings[k]; ok {
		return v
	}
	synthetic := &node{p: p, cred: c, identity: []*iam.Policy{a.allowAll}}
	var out []string
	for _, act := range AdminProbes {
		if a.allowed(&request{n: synthetic, action: act, resource: "*", mode: resNone, tagsKnown: true}) {
			out = append(out, act)
		}
	}
	a.ceilings[k] = out
	return out
}

// isAdmin reports whether the node is admin-equivalent.
func (a *Analysis) isAdmin(n *node) bool {
	if n.admin != 0 {
		return n.admin > 0
	}
	ceil := a.ceiling(n.p, n.cred)
	ok := len(ceil) > 0
	for _, act := range ceil {
		if !n.canDo(act) {
			ok = false
			break
		}
	}
	if ok {
		for _, act := range ceil {
			if !a.allowed(&request{n: n, action: act, resource: "*", mode: resNone, tagsKnown: true}) {
				ok = false
				break
			}
		}
	}
	n.admin = -1
	if ok {
		n.admin = 1
	}
	return ok
}
