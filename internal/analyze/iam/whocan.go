package iam

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Grantee is one principal allowed to perform an action on a resource, with
// the statements that grant it.
type Grantee struct {
	// Principal is the ARN ("anonymous" for unauthenticated requests, "*"
	// for any authenticated principal of any account, a service name for a
	// service principal).
	Principal string        `json:"principal"`
	Type      PrincipalType `json:"type"`
	Account   string        `json:"account,omitempty"`
	Decision  Outcome       `json:"decision"`
	// Conditional: the grant holds only for requests that satisfy
	// conditions on keys the requester shapes (source IP, MFA, request
	// tags, …), listed in Conditions. An unconditional grant holds for every
	// request of the principal.
	Conditional bool     `json:"conditional"`
	Conditions  []string `json:"conditions,omitempty"`
	// GrantedBy lists the identity- and resource-policy statements that
	// allow (empty for a root user acting in its own account).
	GrantedBy []StatementRef `json:"granted_by"`
	// Via says which side grants: "identity", "resource" or "both".
	Via string `json:"via"`
	// External: the principal is not in the snapshot (another account, a
	// service, anonymous); its own side is assumed to allow.
	External bool     `json:"external"`
	Reasons  []string `json:"reasons"`
	// Unknowns are gaps that could make this answer wrong (e.g. a policy of
	// the principal that could not be read might deny).
	Unknowns []string `json:"unknowns,omitempty"`
}

// WhoCanResult answers "who can perform Action on Resource".
type WhoCanResult struct {
	Action          string    `json:"action"`
	Resource        string    `json:"resource"`
	ResourceAccount string    `json:"resource_account,omitempty"`
	Principals      []Grantee `json:"principals"`
	// Unknowns are gaps that could hide a principal: principals whose
	// policies could not all be read, resource policies not collected,
	// organization policies not evaluated.
	Unknowns []string `json:"unknowns"`
	// Evaluated counts the principals asked.
	Evaluated int `json:"evaluated"`
}

// WhoCanOptions tune a who-can question.
type WhoCanOptions struct {
	// Context holds request context keys the caller knows (e.g.
	// aws:SourceIp); every other request-shaped key is free.
	Context map[string][]string
	// Time supplies aws:CurrentTime; zero means time.Now.
	Time time.Time
}

// whoCandidate is one principal to ask about.
type whoCandidate struct {
	p        Principal
	identity []*Policy
	boundary *Policy
	unknown  []string
	external bool
	// keys names the KeyFilter deciding which condition keys are known
	// for this principal: "principal", "external" or "anyone".
	keys string
}

// WhoCan lists every principal the engine allows to perform action on
// resource: the snapshot's users and roles, the account's root user, and the
// principals the resource's policy names (other accounts, their users and
// roles, services, identity providers, anonymous users and "any principal").
// Principals outside the snapshot are evaluated as if their own identity
// side allowed (it cannot be seen), which can only over-report.
//
// A grant that holds only when the requester satisfies conditions it shapes
// (source IP, MFA, request tags) is listed as conditional, with the keys.
func (a *Account) WhoCan(action, resource string, opts WhoCanOptions) (*WhoCanResult, error) {
	action, resource = strings.TrimSpace(action), strings.TrimSpace(resource)
	if action == "" || resource == "" {
		return nil, fmt.Errorf("who-can needs an action and a resource")
	}
	if !strings.Contains(action, ":") || strings.ContainsAny(action, "*?") {
		return nil, fmt.Errorf("action %q: want one service:Action, without wildcards", action)
	}
	now := opts.Time
	if now.IsZero() {
		now = time.Now().UTC()
	}
	res := &WhoCanResult{Action: action, Resource: resource}
	rp, resAcct, ru := a.ResourcePolicy(resource, action)
	res.ResourceAccount = resAcct
	res.Unknowns = append(res.Unknowns, ru...)
	if rp == nil && resAcct == "" && hasResourcePolicies(resource) {
		res.Unknowns = append(res.Unknowns, fmt.Sprintf("resource %s is not in the snapshot: its resource-based policy (if any) is unknown", resource))
	}
	res.Unknowns = append(res.Unknowns, a.Unknown...)
	if rp != nil {
		for _, w := range rp.Warnings {
			res.Unknowns = append(res.Unknowns, rp.Name+": "+w)
		}
	}
	inMgmt := false
	useRCPs := resAcct == a.ID || (resAcct == "" && resourceAccountOf(resource) == a.ID)
	if useRCPs {
		inMgmt = a.ManagementAccount
	}

	ctxKnown := PrincipalKeys(a.OrgID != "", opts.Context)
	external := func(k string) bool {
		// Outside the snapshot the principal's tags and organization are
		// unknown too.
		if strings.HasPrefix(k, "aws:principaltag/") || k == "aws:principalorgid" {
			return false
		}
		return ctxKnown(k)
	}
	anyone := func(k string) bool {
		// "Any principal" stands for every principal of every account: none
		// of the principal's keys is fixed.
		switch {
		case strings.HasPrefix(k, "aws:principal"), k == "aws:username", k == "aws:userid":
			return false
		}
		return ctxKnown(k)
	}
	filters := map[string]KeyFilter{"principal": ctxKnown, "external": external, "anyone": anyone}
	relaxers := map[string]*Relaxer{}
	for name, f := range filters {
		relaxers[name] = NewRelaxer(f)
	}

	var cands []whoCandidate
	seen := map[string]bool{}
	for _, sp := range a.Principals {
		cands = append(cands, whoCandidate{p: sp.Principal, identity: sp.Identity, boundary: sp.Boundary, unknown: sp.Unknown, keys: "principal"})
		seen[sp.Principal.ARN] = true
	}
	rootARN := "arn:" + a.Partition + ":iam::" + a.ID + ":root"
	if IsAccountID(a.ID) {
		if sp, err := a.Lookup(rootARN); err == nil {
			cands = append(cands, whoCandidate{p: sp.Principal, keys: "principal"})
			seen[rootARN] = true
		}
	}
	allowAll := &Policy{Name: "(assumed: the principal's own account allows)", Statements: []*Statement{allowAllStatement()}}
	if rp != nil {
		for _, c := range a.resourcePolicyCandidates(rp, seen) {
			switch {
			case c.p.Type == PrincipalAnonymous || c.p.Type == PrincipalService || c.p.Type == PrincipalWebIdentity:
				c.keys = "principal"
			case c.p.ARN == "*":
				c.keys = "anyone"
				c.identity = []*Policy{allowAll}
			default:
				c.keys = "external"
				c.identity = []*Policy{allowAll}
			}
			cands = append(cands, c)
		}
	}

	for _, c := range cands {
		res.Evaluated++
		req := &Request{Principal: c.p, Action: action, Resource: resource, ResourceAccount: resAcct,
			ResourceInManagementAccount: inMgmt, Context: opts.Context, Time: now}
		if c.p.ARN == "*" {
			// Any principal of an account outside the snapshot: the
			// account is unknown, never this one.
			req.Principal.Account = "000000000000"
		}
		ps := &PolicySet{Identity: c.identity, Boundary: c.boundary, Resource: rp}
		if !c.external && c.p.Account == a.ID {
			ps.SCPs = a.SCPs
		}
		if useRCPs {
			ps.RCPs = a.RCPs
		}
		if err := req.Prepare(); err != nil {
			res.Unknowns = append(res.Unknowns, fmt.Sprintf("principal %s: %v", c.p.ARN, err))
			continue
		}
		o, _ := Decide(req, ps)
		conditional := false
		var rps *PolicySet
		if o != Allowed {
			rps = relaxers[c.keys].Set(ps)
			if o2, _ := Decide(req, rps); o2 == Allowed {
				conditional = true
			}
		}
		if o != Allowed && !conditional {
			if len(c.unknown) > 0 {
				res.Unknowns = append(res.Unknowns, fmt.Sprintf("%s is not allowed as far as the snapshot shows, but: %s", c.p.ARN, strings.Join(c.unknown, "; ")))
			}
			continue
		}
		g := Grantee{Principal: c.p.ARN, Type: c.p.Type, Account: c.p.Account, Decision: Allowed,
			External: c.external, Unknowns: c.unknown, GrantedBy: []StatementRef{}}
		if c.p.Type == PrincipalAnonymous {
			g.Principal = "anonymous"
		}
		if c.p.ARN == "*" {
			g.Account = ""
		}
		evalSet := ps
		if conditional {
			evalSet = rps
		}
		d, _ := Evaluate(req, evalSet)
		g.Reasons = d.Reasons
		idSide, resSide := false, false
		keys := map[string]string{}
		for _, m := range d.Matched {
			if m.Effect != "Allow" {
				continue
			}
			switch m.Kind {
			case KindIdentity:
				if m.Policy == allowAll.Name {
					continue // the assumed allow of an outside principal is no grant
				}
				idSide = true
			case KindResource:
				resSide = true
			default:
				continue
			}
			g.GrantedBy = append(g.GrantedBy, m)
			if conditional {
				if st := ps.Statement(m); st != nil {
					for _, k := range FreeKeys(st, filters[c.keys]) {
						keys[strings.ToLower(k)] = k
					}
				}
			}
		}
		if conditional {
			g.Conditional = true
			sd, _ := Evaluate(req, ps)
			for _, m := range sd.Matched {
				if m.Effect != "Deny" {
					continue
				}
				if st := ps.Statement(m); st != nil {
					for _, k := range FreeKeys(st, filters[c.keys]) {
						keys[strings.ToLower(k)] = k
					}
				}
			}
			for _, k := range keys {
				g.Conditions = append(g.Conditions, k)
			}
			sort.Strings(g.Conditions)
		}
		switch {
		case idSide && resSide:
			g.Via = "both"
		case resSide:
			g.Via = "resource"
		default:
			g.Via = "identity"
		}
		if c.external {
			g.Unknowns = append(g.Unknowns, externalNote(c.p))
		}
		res.Principals = append(res.Principals, g)
	}
	sort.SliceStable(res.Principals, func(i, j int) bool { return res.Principals[i].Principal < res.Principals[j].Principal })
	res.Unknowns = dedupeSorted(res.Unknowns)
	if res.Principals == nil {
		res.Principals = []Grantee{}
	}
	return res, nil
}

func externalNote(p Principal) string {
	switch p.Type {
	case PrincipalAnonymous:
		return "anonymous requests carry no identity policies: the resource policy alone decides"
	case PrincipalService:
		return "a service principal acts on behalf of any account unless the statement's conditions (aws:SourceAccount, aws:SourceArn) limit it"
	case PrincipalWebIdentity:
		return "identities of this provider must still assume a role; who can obtain tokens is decided outside AWS"
	}
	if p.ARN == "*" {
		return "any principal of any AWS account: their own identity policies and SCPs (not in this snapshot) were assumed to allow"
	}
	return fmt.Sprintf("account %s is not in this snapshot: its identity policies and SCPs were assumed to allow", p.Account)
}

// resourcePolicyCandidates lists the principals an Allow statement of the
// resource policy names that the snapshot does not hold: other accounts and
// their principals, services, identity providers, and for "*" both the
// anonymous principal and any authenticated principal.
func (a *Account) resourcePolicyCandidates(rp *Policy, seen map[string]bool) []whoCandidate {
	var out []whoCandidate
	add := func(p Principal, external bool) {
		if seen[p.ARN] {
			return
		}
		seen[p.ARN] = true
		out = append(out, whoCandidate{p: p, external: external})
	}
	for _, st := range rp.Statements {
		if st.Effect != Allow || st.Principal == nil {
			continue
		}
		spec := st.Principal
		if spec.Wildcard || st.NotPrincipal {
			add(Principal{ARN: "anonymous", Type: PrincipalAnonymous}, true)
			if !seen["*"] {
				seen["*"] = true
				out = append(out, whoCandidate{p: Principal{ARN: "*", Type: PrincipalRoot, Partition: a.Partition}, external: true})
			}
			if st.NotPrincipal {
				continue
			}
		}
		for _, v := range spec.AWS {
			if v == "*" {
				continue
			}
			p, err := ParsePrincipal(v)
			if err != nil || p.Type == PrincipalAnonymous {
				continue
			}
			if p.Account == a.ID {
				continue // principals of this account are asked from the snapshot
			}
			add(p, true)
		}
		for _, v := range spec.Service {
			add(Principal{ARN: v, Type: PrincipalService}, true)
		}
		for _, v := range spec.Federated {
			add(Principal{ARN: v, Type: PrincipalWebIdentity}, true)
		}
	}
	return out
}

func allowAllStatement() *Statement {
	p := MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	return p.Statements[0]
}

func dedupeSorted(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	sort.Strings(s)
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}
