// Package exposure finds the resources of an AWS account snapshot that are
// public or shared with other accounts, offline, in the manner of IAM Access
// Analyzer: S3 buckets (bucket policy, ACL and Block Public Access at account
// and bucket level), KMS key policies, SQS queue, SNS topic, Lambda function,
// ECR repository and Secrets Manager secret policies, IAM role trust
// policies, EBS snapshots (createVolumePermission) and RDS DB and cluster
// snapshots (the "restore" attribute).
//
// # What "public" means
//
// A resource policy statement is public under Amazon S3's definition
// ("The meaning of public",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status),
// which demarc applies to every resource policy: an Allow statement is
// non-public only when its principal is fixed (an account, a user or role
// ARN, a service) or when its Principal "*" is constrained by a condition
// that fixes one of the keys aws:SourceIp, aws:SourceArn, aws:SourceVpc,
// aws:SourceVpce, aws:SourceOwner, aws:SourceAccount, aws:PrincipalAccount,
// aws:PrincipalArn, aws:PrincipalOrgID, aws:userid (outside the pattern
// "AROLEID:*"), s3:DataAccessPointArn or s3:DataAccessPointAccount (plus
// kms:CallerAccount for key policies). A fixed value has no wildcard and no
// policy variable; the operator must require the key (no …IfExists, no
// ForAllValues:, no negated operator). demarc also treats an aws:SourceIp
// range wider than /8 (IPv4) or /32 (IPv6) as public: such a range is "the
// internet" for practical purposes. NotPrincipal with Allow is public.
//
// Statements that are not public but name other accounts, their principals
// or other organizations are cross-account grants. Grants to the resource's
// own account, to its own organization (aws:PrincipalOrgID) and to AWS
// services are not exposure; grants restricted only by network keys
// (aws:SourceVpc, aws:SourceVpce, aws:SourceIp) are reported as network
// grants.
//
// # The engine's part
//
// Which actions a public or cross-account grant really gives is asked of the
// IAM engine (internal/analyze/iam): the granting statement, stripped of its
// conditions, together with the policy's unconditional Deny statements, is
// evaluated for an anonymous principal (public) or for a principal of the
// other account, for every catalogued action of the resource's service. A
// grant whose actions are all denied is cancelled.
//
// # Unknowns
//
// A policy, ACL, Block Public Access setting or sharing attribute that was
// not collected makes the resource's answer unknown (never "private"),
// unless a public grant that nothing can block is already known.
package exposure
