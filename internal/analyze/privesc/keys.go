package privesc

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/iam"
)

// Cred is the kind of credentials a principal acts with. Condition keys
// such as aws:MultiFactorAuthPresent and aws:TokenIssueTime depend on it
// (reference_policies_condition-keys.html):
//
//   - an IAM user's long-term access keys carry neither key: a Bool
//     condition on aws:MultiFactorAuthPresent does not match, so an Allow
//     that requires MFA never holds for them;
//   - temporary credentials (a console sign-in, sts:GetSessionToken,
//     sts:AssumeRole, a role session a service obtains) carry
//     aws:TokenIssueTime and aws:MultiFactorAuthPresent, "true" only when
//     MFA was used to obtain them.
type Cred uint8

// Credential contexts.
const (
	// CredLongTerm: an IAM user's access key.
	CredLongTerm Cred = iota
	// CredSession: temporary credentials obtained without MFA.
	CredSession
	// CredSessionMFA: temporary credentials obtained with MFA: a user with
	// an MFA device (console sign-in, or sts:GetSessionToken/AssumeRole with
	// the device's code), or a role session such a user started.
	CredSessionMFA
)

func (c Cred) String() string {
	switch c {
	case CredLongTerm:
		return "long-term access key"
	case CredSession:
		return "session without MFA"
	case CredSessionMFA:
		return "session with MFA"
	}
	return "?"
}

// context returns the credential-dependent request context.
func (c Cred) context(now string) map[string][]string {
	ctx := map[string][]string{"aws:ViaAWSService": {"false"}}
	switch c {
	case CredSession:
		ctx["aws:MultiFactorAuthPresent"] = []string{"false"}
		ctx["aws:TokenIssueTime"] = []string{now}
	case CredSessionMFA:
		ctx["aws:MultiFactorAuthPresent"] = []string{"true"}
		ctx["aws:MultiFactorAuthAge"] = []string{"0"}
		ctx["aws:TokenIssueTime"] = []string{now}
	}
	return ctx
}

// knownKeys are the condition keys (lowercased) whose value — present or
// absent — demarc knows for every request it asks the engine: the
// principal's identity and tags (inferred by the engine), the credential
// context, the time, and the keys a technique step sets itself.
var knownKeys = map[string]bool{
	"aws:username": true, "aws:userid": true, "aws:principalarn": true, "aws:principalaccount": true,
	"aws:principaltype": true, "aws:principalisawsservice": true, "aws:principalservicename": true,
	"aws:multifactorauthpresent": true, "aws:multifactorauthage": true, "aws:tokenissuetime": true,
	"aws:currenttime": true, "aws:epochtime": true,
	"aws:viaawsservice": true, "aws:calledvia": true, "aws:calledviafirst": true, "aws:calledvialast": true,
	"aws:resourceaccount": true, "aws:sourceaccount": true,
	"iam:policyarn": true, "iam:permissionsboundary": true, "iam:passedtoservice": true,
	"lambda:functionarn": true,
}

// keyClass decides whether a condition key is known. tagsKnown says whether
// the request's resource tags are known (an existing resource of the
// snapshot) or chosen by the attacker / unknown.
type keyClass struct {
	orgKnown  bool
	tagsKnown bool
}

func (kc keyClass) known(key string) bool {
	k := strings.ToLower(key)
	if knownKeys[k] {
		return true
	}
	switch {
	case strings.HasPrefix(k, "aws:principaltag/"):
		return true
	case k == "aws:principalorgid":
		return kc.orgKnown
	case strings.Contains(k, ":resourcetag/"):
		return kc.tagsKnown
	}
	return false
}

// rewriter applies the attacker-satisfies reading of conditions on keys
// demarc cannot know (see the package documentation): Allow statements lose
// those conditions, Deny statements that depend on them are dropped. Both
// can only widen what is allowed, so a path is never hidden by a value
// demarc had to guess. Policies are rewritten once and cached.
type rewriter struct {
	kc    keyClass
	cache map[*iam.Policy]*iam.Policy
}

func newRewriter(kc keyClass) *rewriter {
	return &rewriter{kc: kc, cache: map[*iam.Policy]*iam.Policy{}}
}

func (rw *rewriter) policy(p *iam.Policy) *iam.Policy {
	if p == nil {
		return nil
	}
	if q, ok := rw.cache[p]; ok {
		return q
	}
	q := p
	changed := false
	var stmts []*iam.Statement
	for i, st := range p.Statements {
		free := false
		for _, c := range st.Conditions {
			if !rw.kc.known(c.Key) {
				free = true
				break
			}
		}
		if !free {
			if changed {
				stmts = append(stmts, st)
			}
			continue
		}
		if !changed {
			changed = true
			stmts = append(stmts, p.Statements[:i]...)
		}
		if st.Effect == iam.Deny {
			continue // the attacker shapes the request so the deny does not apply
		}
		ns := *st // keeps the compiled action and resource patterns
		ns.Conditions = nil
		for _, c := range st.Conditions {
			if rw.kc.known(c.Key) {
				ns.Conditions = append(ns.Conditions, c)
			}
		}
		stmts = append(stmts, &ns)
	}
	if changed {
		cp := *p
		cp.Statements = stmts
		q = &cp
	}
	rw.cache[p] = q
	return q
}

func (rw *rewriter) policies(ps []*iam.Policy) []*iam.Policy {
	out := make([]*iam.Policy, len(ps))
	for i, p := range ps {
		out[i] = rw.policy(p)
	}
	return out
}

func (rw *rewriter) levels(lv []iam.Level) []iam.Level {
	if lv == nil {
		return nil
	}
	out := make([]iam.Level, len(lv))
	for i, l := range lv {
		out[i] = iam.Level{Name: l.Name, Policies: rw.policies(l.Policies)}
	}
	return out
}
