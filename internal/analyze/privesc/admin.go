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

// inCeiling reports whether the principal could be allowed a probe at
// most: the same principal with Allow "*" on "*", no boundary, under the
// same SCPs and RCPs and credential context. Without organization
// policies every probe is in the ceiling.
func (a *Analysis) inCeiling(p *principal, c Cred, act string) bool {
	if len(a.scps[true]) == 0 && len(a.rcps[true]) == 0 {
		return true
	}
	k := nodeKey(p, c, nil) + "|" + act
	if v, ok := a.ceilings[k]; ok {
		return v
	}
	synthetic := &node{p: p, cred: c, identity: []*iam.Policy{a.allowAll}}
	v := a.allowed(&request{n: synthetic, action: act, resource: "*", mode: resNone, tagsKnown: true})
	a.ceilings[k] = v
	return v
}

// isAdmin reports whether the node is admin-equivalent: allowed every
// probe of its ceiling, which is not empty.
func (a *Analysis) isAdmin(n *node) bool {
	if n.admin != 0 {
		return n.admin > 0
	}
	n.admin = -1
	// Cheap first: a probe no Allow statement names must be one the
	// ceiling excludes.
	named := 0
	for _, act := range AdminProbes {
		if n.canDo(act) {
			named++
		} else if a.inCeiling(n.p, n.cred, act) {
			return false
		}
	}
	if named == 0 {
		return false
	}
	inCeiling := 0
	for _, act := range AdminProbes {
		if !n.canDo(act) || !a.inCeiling(n.p, n.cred, act) {
			continue
		}
		inCeiling++
		if !a.allowed(&request{n: n, action: act, resource: "*", mode: resNone, tagsKnown: true}) {
			return false
		}
	}
	if inCeiling == 0 {
		return false
	}
	n.admin = 1
	return true
}
