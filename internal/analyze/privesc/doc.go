// Package privesc finds privilege-escalation paths in an AWS account
// snapshot: which IAM users and roles can become administrator (or reach a
// chosen principal), by which chain of techniques, and which policy
// statements make every hop work.
//
// # The graph
//
// Nodes are principals (IAM users and roles; a user's group policies are
// part of the user) in a credential context: an IAM user's long-term access
// keys, a temporary session without MFA, or a session with MFA. Edges are
// the techniques of the catalogue (Catalogue): credential takeover
// (iam:CreateAccessKey, login profiles), sts:AssumeRole through trust
// policies, policy changes (iam:CreatePolicyVersion, Attach/Put…Policy,
// iam:AddUserToGroup, …) and iam:PassRole to a compute service (EC2, Lambda,
// Glue, CloudFormation, Data Pipeline, CodeBuild, SageMaker, ECS) or code
// execution on an existing resource that runs as a role (SSM, EC2 Instance
// Connect, Lambda code and layers).
//
// An edge exists only if the IAM engine (internal/analyze/iam) allows every
// required action for that principal on the exact resource ARN: identity
// policies, explicit denies, permissions boundaries, SCPs and RCPs, trust
// and function policies and conditions all count. A policy change that adds
// permissions creates a node for the changed principal (the old policies
// plus the new one) so that a boundary or an SCP still limits what the
// change gives.
//
// # Conditions the snapshot cannot decide
//
// Condition keys fall in two classes (keys.go). Keys demarc knows for a
// request — who the principal is and its tags, the credential type
// (aws:MultiFactorAuthPresent, aws:TokenIssueTime), the time, the target's
// tags, iam:PassedToService, iam:PolicyARN — are evaluated by the engine.
// Every other key (aws:SourceIp, aws:RequestedRegion, aws:RequestTag/…,
// sts:ExternalId, …) depends on how the attacker shapes the request, so the
// analysis assumes the attacker satisfies it: an Allow statement conditioned
// on such a key is kept without that condition and a Deny statement
// conditioned on it is dropped. This can only add paths, never hide one.
//
// # Admin
//
// A principal is an administrator when the engine allows it every action of
// a representative probe set on "*" that the organization's guardrails
// (SCPs) leave to anyone in its place (admin.go). Principals that can grant
// themselves everything in one step are not listed as admins: they have a
// one-hop path, which is what the privilege-path rule reports.
//
// See docs/privesc.md for the technique catalogue, the credential-context
// reasoning and the known limits.
package privesc
