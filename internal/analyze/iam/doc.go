// Package iam is demarc's offline IAM policy evaluation engine: it parses
// policy documents and decides whether a request is allowed, explicitly
// denied or implicitly denied, exactly as AWS documents its policy
// evaluation logic:
//
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//
// It is pure Go and never imports the AWS SDK; the snapshot adapter
// (snapshot.go) turns model values into engine input so that who-can,
// privilege-escalation and exposure analyses can reuse it.
//
// # Shape of the API
//
// Policies are parsed and compiled once (Parse), grouped in a PolicySet
// (identity policies, resource policy, permissions boundary, session policy,
// SCP and RCP levels), and evaluated against many Requests. A Request is
// prepared once (Prepare: principal-derived global condition keys, lowercased
// context keys, split resource ARN); Decide answers the outcome alone without
// allocating, Evaluate adds the explanation (which statements allowed or
// denied, which required allow was missing).
//
// # Conservative choices
//
// A false Allow is the worst error a security tool can make. Where AWS's
// documentation leaves room ("might deny"), the engine takes the reading that
// denies, and says so in the explanation. The choices are listed in
// docs/iam-simulate.md.
package iam
