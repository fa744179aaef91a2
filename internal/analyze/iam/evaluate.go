package iam

import (
	"fmt"
	"strings"
)

// Outcome is the final decision.
type Outcome uint8

// Outcomes. The zero value is ImplicitDeny: an Outcome nobody set never
// reads as Allow.
const (
	ImplicitDeny Outcome = iota
	Allowed
	ExplicitDeny
)

func (o Outcome) String() string {
	switch o {
	case Allowed:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// MarshalText renders the outcome as "Allow", "ExplicitDeny" or "ImplicitDeny".
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// PolicyKind names the policy types of the evaluation logic.
type PolicyKind string

// Policy kinds.
const (
	KindIdentity PolicyKind = "identity"
	KindResource PolicyKind = "resource"
	KindBoundary PolicyKind = "permissions-boundary"
	KindSession  PolicyKind = "session"
	KindSCP      PolicyKind = "scp"
	KindRCP      PolicyKind = "rcp"
)

// Level is one level of an organization's policy hierarchy (root, each OU,
// the account) with the SCPs or RCPs attached there.
type Level struct {
	Name     string
	Policies []*Policy
}

// PolicySet is everything that applies to a request besides the request.
type PolicySet struct {
	// Identity policies of the principal: user inline and attached, group
	// policies, or the role's inline and attached policies.
	Identity []*Policy
	// Resource is the resource-based policy (bucket policy, key policy, role
	// trust policy, …), nil when the resource has none.
	Resource *Policy
	// Boundary is the principal's permissions boundary, nil when none.
	Boundary *Policy
	// Session is the session policy of a role or federated-user session.
	Session *Policy
	// SCPs apply to the principal's account, RCPs to the resource's
	// account: one Level per node from the root to the account. Nil when
	// the account is not in an organization (or the policy type is off).
	SCPs []Level
	RCPs []Level
	// RequireResourcePolicy makes the resource policy's explicit allow
	// mandatory, as for KMS key policies and role trust policies (which
	// demarc recognizes by itself) for resource types it does not know.
	RequireResourcePolicy bool
}

// StatementRef identifies a statement that matched the request.
type StatementRef struct {
	Kind   PolicyKind `json:"policy_kind"`
	Policy string     `json:"policy"`
	Level  string     `json:"level,omitempty"`
	Index  int        `json:"statement_index"`
	Sid    string     `json:"sid,omitempty"`
	Effect string     `json:"effect"`
}

func (s StatementRef) String() string {
	var b strings.Builder
	b.WriteString(string(s.Kind))
	b.WriteString(" policy")
	if s.Policy != "" {
		fmt.Fprintf(&b, " %q", s.Policy)
	}
	if s.Level != "" {
		fmt.Fprintf(&b, " at level %s", s.Level)
	}
	fmt.Fprintf(&b, " statement %d", s.Index)
	if s.Sid != "" {
		fmt.Fprintf(&b, " (Sid %q)", s.Sid)
	}
	return b.String()
}

// Decision is an Outcome with its explanation.
type Decision struct {
	Outcome Outcome
	// Reasons explain the outcome in order, one sentence each.
	Reasons []string
	// Matched lists every statement that matched the request, allows and
	// denies, in evaluation order.
	Matched []StatementRef
	// Missing lists the required allows that were absent (for ImplicitDeny).
	Missing []string
	// Notes record assumptions the engine made (e.g. the resource account).
	Notes           []string
	CrossAccount    bool
	ResourceAccount string
}

// Explanation joins the reasons into one human sentence.
func (d *Decision) Explanation() string { return strings.Join(d.Reasons, "; ") }

// Decide returns the outcome only. It does not allocate for a prepared
// request and policies without variables; use it when deciding many
// requests (who-can, privilege paths).
func Decide(req *Request, ps *PolicySet) (Outcome, error) {
	if err := req.Prepare(); err != nil {
		return ImplicitDeny, err
	}
	ev := evalCtx{req: req, ps: ps}
	return ev.run(), nil
}

// Evaluate returns the outcome with its explanation.
func Evaluate(req *Request, ps *PolicySet) (Decision, error) {
	if err := req.Prepare(); err != nil {
		return Decision{}, err
	}
	d := Decision{}
	ev := evalCtx{req: req, ps: ps, d: &d}
	d.Outcome = ev.run()
	return d, nil
}

type evalCtx struct {
	req *Request
	ps  *PolicySet
	d   *Decision // nil: outcome only

	scpApplied, rcpApplied bool
}

func (ev *evalCtx) explain() bool { return ev.d != nil }

func (ev *evalCtx) reason(format string, a ...any) {
	if ev.d != nil {
		ev.d.Reasons = append(ev.d.Reasons, fmt.Sprintf(format, a...))
	}
}

func (ev *evalCtx) missing(format string, a ...any) {
	if ev.d != nil {
		m := fmt.Sprintf(format, a...)
		ev.d.Missing = append(ev.d.Missing, m)
		ev.d.Reasons = append(ev.d.Reasons, m)
	}
}

func (ev *evalCtx) note(format string, a ...any) {
	if ev.d != nil {
		ev.d.Notes = append(ev.d.Notes, fmt.Sprintf(format, a...))
	}
}

// scanResult is what one policy contributes.
type scanResult struct {
	allow  bool
	deny   bool
	grant  grantKind // best grant among matching Allow statements (principal-checked policies)
	allows []StatementRef
	denies []StatementRef
}

// scan evaluates every statement of p. principals says whether the
// statements' Principal/NotPrincipal elements decide applicability
// (resource policies and RCPs); elsewhere they are ignored, as AWS rejects
// them in identity policies and SCPs.
func (ev *evalCtx) scan(p *Policy, kind PolicyKind, level string, principals bool) scanResult {
	var r scanResult
	if p == nil {
		return r
	}
	pr := ev.req.prep
	for _, st := range p.Statements {
		g := grantDirect
		if principals {
			g = ev.principalApplies(st, kind)
			if g == grantNone {
				continue
			}
		}
		if !st.HasResource && !principals {
			// Identity policies, boundaries, session policies and SCPs must
			// name a Resource (AWS rejects them otherwise); a statement
			// without one is applied when it denies, ignored when it allows.
			if st.Effect == Allow {
				if ev.explain() {
					ev.note("%s statement %d has no Resource element and is ignored", kind, st.Index)
				}
				continue
			}
		}
		if !st.matches(ev, pr) {
			continue
		}
		if st.Effect == Deny {
			r.deny = true
			if !ev.explain() {
				return r
			}
			r.denies = append(r.denies, ev.ref(p, st, kind, level))
			continue
		}
		r.allow = true
		if g > r.grant {
			r.grant = g
		}
		if ev.explain() {
			r.allows = append(r.allows, ev.ref(p, st, kind, level))
		}
	}
	if ev.explain() {
		ev.d.Matched = append(ev.d.Matched, r.denies...)
		ev.d.Matched = append(ev.d.Matched, r.allows...)
	}
	return r
}

func (ev *evalCtx) ref(p *Policy, st *Statement, kind PolicyKind, level string) StatementRef {
	return StatementRef{Kind: kind, Policy: p.Name, Level: level, Index: st.Index, Sid: st.Sid, Effect: st.Effect.String()}
}

// principalApplies decides whether a principal-bearing statement applies to
// the requester, and how it names them.
func (ev *evalCtx) principalApplies(st *Statement, kind PolicyKind) grantKind {
	p := &ev.req.Principal
	spec := st.Principal
	if spec == nil {
		// RCPs must say "Principal": "*"; one that omits it is read as
		// "*" (an RCP allow grants nothing by itself). In a resource policy
		// a statement without Principal is invalid: deny statements are
		// applied and allow statements are not, so the malformed policy
		// can only take access away.
		if kind == KindRCP || st.Effect == Deny {
			return grantDirect
		}
		return grantNone
	}
	if !st.NotPrincipal {
		return spec.grantFor(p)
	}
	listed, links := spec.chainListed(p)
	if st.Effect == Deny {
		// NotPrincipal with Deny always denies an IAM principal that has a
		// permissions boundary, whatever it lists
		// (access_policies_boundaries.html). Otherwise the principal is
		// exempt only when every link of its chain (account, role, session
		// or account, user) is listed: AWS may check each link in turn
		// (reference_policies_elements_notprincipal.html).
		if ev.ps.Boundary != nil && p.isIAM() {
			return grantDirect
		}
		if listed == links {
			return grantNone
		}
		return grantDirect
	}
	// NotPrincipal with Allow: applies to principals of which no link is
	// listed.
	if listed > 0 {
		return grantNone
	}
	return grantDirect
}

// matches tests action, resource and conditions.
func (st *Statement) matches(ev *evalCtx, pr *prepared) bool {
	m := false
	for i := range st.actions {
		if st.actions[i].match(pr.action) {
			m = true
			break
		}
	}
	if m == st.NotAction {
		return false
	}
	if st.HasResource {
		// Uncertain resource patterns resolve toward denying: lenient
		// matching widens a Deny's Resource and an Allow's NotResource.
		lenient := (st.Effect == Deny) != st.NotResource
		m = false
		for i := range st.resources {
			if st.resources[i].match(ev.req.Resource, &pr.res, pr.resIsARN, ev.req, lenient) {
				m = true
				break
			}
		}
		if m == st.NotResource {
			return false
		}
	}
	for _, c := range st.Conditions {
		if !c.eval(ev) {
			return false
		}
	}
	return true
}

// rcpServices are the services whose resources RCPs restrict
// (AWS Organizations User Guide, "List of AWS services that support RCPs").
var rcpServices = map[string]bool{
	"s3": true, "sts": true, "kms": true, "sqs": true, "secretsmanager": true,
	"ecr": true, "aoss": true, "cognito-idp": true, "cognito-identity": true,
	"logs": true, "dynamodb": true,
}

var trustActions = map[string]bool{
	"sts:assumerole": true, "sts:assumerolewithsaml": true, "sts:assumerolewithwebidentity": true,
	"sts:tagsession": true, "sts:setsourceidentity": true, "sts:setcontext": true,
}

// requiredResourcePolicy names the resource policy that must allow
// explicitly even in the same account: KMS key policies and role trust
// policies (reference_policies_evaluation-logic.html, "Resource-based
// policies" step).
func (ev *evalCtx) requiredResourcePolicy() string {
	pr := ev.req.prep
	switch {
	case pr.service == "kms" && pr.resIsARN && pr.res[2] == "kms":
		return "KMS key policy"
	case trustActions[pr.action] && pr.resIsARN && pr.res[2] == "iam" && strings.HasPrefix(pr.res[5], "role/"):
		return "role trust policy"
	case ev.ps.RequireResourcePolicy:
		return "resource policy"
	}
	return ""
}

func (ev *evalCtx) run() Outcome {
	o := ev.decide()
	if o == Allowed && ev.explain() {
		if ev.scpApplied {
			ev.reason("SCPs allow at every level (%s)", levelNames(ev.ps.SCPs))
		}
		if ev.rcpApplied {
			ev.reason("RCPs allow at every level (%s)", levelNames(ev.ps.RCPs))
		}
	}
	return o
}

func levelNames(levels []Level) string {
	names := make([]string, len(levels))
	for i, lv := range levels {
		names[i] = levelName(lv, i)
	}
	return strings.Join(names, ", ")
}

func (ev *evalCtx) decide() Outcome {
	req, ps, pr := ev.req, ev.ps, ev.req.prep
	p := &req.Principal
	iamPrincipal := p.isIAM()
	cross := iamPrincipal && pr.resAccount != "" && p.Account != pr.resAccount
	if ev.explain() {
		ev.d.CrossAccount = cross
		ev.d.ResourceAccount = pr.resAccount
		if pr.accountGuess {
			ev.note("resource account unknown (no resource_account and none in the ARN): assumed to be the principal's account %s", pr.resAccount)
		}
	}
	scpApply := len(ps.SCPs) > 0 && iamPrincipal && !p.ManagementAccount && !p.ServiceLinkedRole
	rcpApply := len(ps.RCPs) > 0 && !req.ResourceInManagementAccount && !p.ServiceLinkedRole && rcpServices[pr.service]
	ev.scpApplied, ev.rcpApplied = scpApply, rcpApply
	if ev.explain() {
		if len(ps.SCPs) > 0 && !scpApply {
			ev.note("SCPs do not apply: %s", scpExemption(p))
		}
		if len(ps.RCPs) > 0 && !rcpApply {
			ev.note("RCPs do not apply: %s", rcpExemption(req, pr))
		}
		if ps.Session != nil && !p.isSession() {
			ev.note("session policy ignored: the principal (%s) is not a session", p.Type)
		}
		if ps.Boundary != nil && !iamPrincipal {
			ev.note("permissions boundary ignored: the principal (%s) is not an IAM identity", p.Type)
		}
	}

	// 1. Deny evaluation: an explicit deny in any applicable policy wins.
	denied := false
	var id, bound, sess, res scanResult
	if iamPrincipal && p.Type != PrincipalRoot {
		for _, pol := range ps.Identity {
			r := ev.scan(pol, KindIdentity, "", false)
			id.allow = id.allow || r.allow
			id.allows = append(id.allows, r.allows...)
			if r.deny {
				denied = true
				if !ev.explain() {
					return ExplicitDeny
				}
			}
		}
	}
	useBoundary := ps.Boundary != nil && iamPrincipal && p.Type != PrincipalRoot
	if useBoundary {
		bound = ev.scan(ps.Boundary, KindBoundary, "", false)
		if bound.deny && !ev.explain() {
			return ExplicitDeny
		}
		denied = denied || bound.deny
	}
	useSession := ps.Session != nil && p.isSession()
	if useSession {
		sess = ev.scan(ps.Session, KindSession, "", false)
		if sess.deny && !ev.explain() {
			return ExplicitDeny
		}
		denied = denied || sess.deny
	}
	if ps.Resource != nil {
		res = ev.scan(ps.Resource, KindResource, "", true)
		if res.deny && !ev.explain() {
			return ExplicitDeny
		}
		denied = denied || res.deny
	}
	var scpLevels, rcpLevels []bool
	if scpApply {
		scpLevels = make([]bool, 0, 8)
		for i, lv := range ps.SCPs {
			ok := false
			for _, pol := range lv.Policies {
				r := ev.scan(pol, KindSCP, levelName(lv, i), false)
				ok = ok || r.allow
				if r.deny {
					if !ev.explain() {
						return ExplicitDeny
					}
					denied = true
				}
			}
			scpLevels = append(scpLevels, ok)
		}
	}
	if rcpApply {
		rcpLevels = make([]bool, 0, 8)
		for i, lv := range ps.RCPs {
			ok := false
			for _, pol := range lv.Policies {
				r := ev.scan(pol, KindRCP, levelName(lv, i), true)
				ok = ok || r.allow
				if r.deny {
					if !ev.explain() {
						return ExplicitDeny
					}
					denied = true
				}
			}
			rcpLevels = append(rcpLevels, ok)
		}
	}
	if denied {
		for _, m := range ev.d.Matched {
			if m.Effect == "Deny" {
				ev.reason("explicitly denied by %s", m)
			}
		}
		return ExplicitDeny
	}

	// 2. RCPs: every level from the root to the resource's account must allow.
	for i, ok := range rcpLevels {
		if !ok {
			ev.missing("no RCP at level %s allows %s on %s", levelName(ps.RCPs[i], i), req.Action, req.Resource)
			return ImplicitDeny
		}
	}
	// 3. SCPs: likewise for the principal's account.
	for i, ok := range scpLevels {
		if !ok {
			ev.missing("no SCP at level %s allows %s", levelName(ps.SCPs[i], i), req.Action)
			return ImplicitDeny
		}
	}

	// 4. Principals without identity policies: only the resource policy grants.
	if !iamPrincipal {
		if res.grant != grantNone {
			ev.reason("allowed by the resource policy, which grants %s", principalLabel(p))
			ev.allowedBy(res.allows)
			return Allowed
		}
		if ps.Resource == nil {
			ev.missing("%s has no identity-based policies and the resource has no resource policy", principalLabel(p))
		} else {
			ev.missing("no resource policy statement allows %s", principalLabel(p))
		}
		return ImplicitDeny
	}
	if p.Type == PrincipalRoot && trustActions[pr.action] {
		// AWS answers "Roles may not be assumed by root accounts".
		ev.missing("the root user cannot assume roles")
		return ImplicitDeny
	}

	// Identity side: identity policies, permissions boundary, session policy.
	idAllow := id.allow
	if p.Type == PrincipalRoot {
		idAllow = true
	}
	boundOK := !useBoundary || bound.allow
	sessOK := true
	sessWhy := ""
	if p.isSession() {
		switch {
		case useSession:
			sessOK = sess.allow
			sessWhy = "the session policy does not allow the action"
		case p.Type == PrincipalFederatedUser:
			// A federated-user session without a session policy has no
			// permissions (reference_policies_evaluation-logic.html, step
			// "Session policies").
			sessOK = false
			sessWhy = "a federated-user session without a session policy has no permissions"
		}
	}
	required := ev.requiredResourcePolicy()

	if cross {
		// Cross-account: the trusted account's identity side and the
		// trusting account's resource policy must both allow
		// (reference_policies_evaluation-logic-cross-account.html).
		ok := true
		if !idAllow {
			ev.missing("cross-account request: no identity-based policy in account %s allows %s on %s", p.Account, req.Action, req.Resource)
			ok = false
		}
		if !boundOK {
			ev.missing("cross-account request: the permissions boundary does not allow %s", req.Action)
			ok = false
		}
		if !sessOK {
			ev.missing("cross-account request: %s", sessWhy)
			ok = false
		}
		if res.grant == grantNone {
			what := "resource policy"
			if required != "" {
				what = required
			}
			if ps.Resource == nil {
				ev.missing("cross-account request: the resource in account %s has no %s to allow the principal", pr.resAccount, what)
			} else {
				ev.missing("cross-account request: the %s in account %s does not allow %s", what, pr.resAccount, principalLabel(p))
			}
			ok = false
		}
		if !ok {
			return ImplicitDeny
		}
		ev.reason("cross-account request allowed: the identity side in account %s and the resource policy in account %s both allow", p.Account, pr.resAccount)
		ev.allowedBy(id.allows)
		ev.allowedBy(res.allows)
		return Allowed
	}

	// Same account. A resource policy that names the user, the session or
	// "*" grants on its own; one that names the role ARN is still limited
	// by the boundary and the session policy; one that names the account
	// delegates to the identity policies.
	switch res.grant {
	case grantDirect:
		ev.reason("allowed by the resource policy, which names %s directly (not limited by identity policies, permissions boundary or session policy)", principalLabel(p))
		ev.allowedBy(res.allows)
		return Allowed
	case grantLimited:
		if boundOK && sessOK {
			ev.reason("allowed by the resource policy, which names the role ARN (limited by the permissions boundary and session policy, which allow)")
			ev.allowedBy(res.allows)
			return Allowed
		}
	}
	if required != "" && res.grant == grantNone {
		if ps.Resource == nil {
			ev.missing("a %s must allow explicitly, even in the same account, and none was supplied", required)
		} else {
			ev.missing("the %s does not allow %s (it must allow the principal or the account explicitly)", required, principalLabel(p))
		}
		return ImplicitDeny
	}
	ok := true
	if !idAllow {
		if res.grant == grantAccount {
			ev.missing("no identity-based policy allows %s on %s (the resource policy names only the account, which delegates to identity-based policies)", req.Action, req.Resource)
		} else {
			ev.missing("no identity-based policy allows %s on %s", req.Action, req.Resource)
		}
		ok = false
	}
	if !boundOK {
		ev.missing("the permissions boundary does not allow %s on %s", req.Action, req.Resource)
		ok = false
	}
	if !sessOK {
		ev.missing("%s", sessWhy)
		ok = false
	}
	if !ok {
		return ImplicitDeny
	}
	if p.Type == PrincipalRoot {
		ev.reason("allowed: the root user has full access in its own account")
	} else {
		ev.reason("allowed by identity-based policy")
	}
	if useBoundary {
		ev.reason("the permissions boundary allows")
	}
	if useSession {
		ev.reason("the session policy allows")
	}
	if res.grant == grantAccount && required != "" {
		ev.reason("the %s allows the account, delegating to identity-based policies", required)
	}
	ev.allowedBy(id.allows)
	ev.allowedBy(res.allows)
	return Allowed
}

// allowedBy adds the allowing statements to the reasons.
func (ev *evalCtx) allowedBy(refs []StatementRef) {
	for _, r := range refs {
		ev.reason("allow: %s", r)
	}
}

func levelName(lv Level, i int) string {
	if lv.Name != "" {
		return lv.Name
	}
	if i == 0 {
		return "root"
	}
	return fmt.Sprintf("%d", i)
}

func principalLabel(p *Principal) string {
	switch p.Type {
	case PrincipalAnonymous:
		return "anonymous principal"
	case PrincipalService:
		return "service principal " + p.ARN
	}
	return p.ARN
}

func scpExemption(p *Principal) string {
	switch {
	case p.ServiceLinkedRole:
		return "service-linked roles are not restricted by SCPs"
	case p.ManagementAccount:
		return "principals of the management account are not restricted by SCPs"
	}
	return fmt.Sprintf("the principal (%s) is not an IAM identity in a member account", p.Type)
}

func rcpExemption(req *Request, pr *prepared) string {
	switch {
	case req.ResourceInManagementAccount:
		return "resources in the management account are not restricted by RCPs"
	case req.Principal.ServiceLinkedRole:
		return "requests by service-linked roles are not restricted by RCPs"
	}
	return fmt.Sprintf("service %q does not support RCPs", pr.service)
}
