package iam

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Request is one authorization question: may Principal perform Action on
// Resource, given the request context?
//
// Call Prepare once before evaluating a Request many times or from several
// goroutines; Evaluate and Decide prepare an unprepared Request themselves.
type Request struct {
	Principal Principal
	Action    string // service:Action, case-insensitive
	Resource  string // ARN, or "*" for actions without a resource
	// ResourceAccount owns the resource. When empty, the account field of
	// the resource ARN is used; when that is empty too (S3 buckets), the
	// resource is taken to be in the principal's account and the
	// explanation says so.
	ResourceAccount string
	// ResourceInManagementAccount: RCPs do not apply to resources in the
	// organization's management account.
	ResourceInManagementAccount bool
	// Context holds request context keys (case-insensitive names) and their
	// values. Explicit values override the keys demarc infers from the
	// principal.
	Context map[string][]string
	// Time, when set, supplies aws:CurrentTime and aws:EpochTime unless the
	// context sets them.
	Time time.Time

	prep *prepared
}

// prepared is what Prepare derives once per request.
type prepared struct {
	action       string // lowercased
	service      string // lowercased service prefix
	res          arnFields
	resIsARN     bool
	resAccount   string
	accountGuess bool // resource account assumed to be the principal's
	ctx          map[string][]string
}

// Prepare validates the request and derives the lowercased action, the
// split resource ARN and the full request context (inferred global keys
// overlaid with the explicit Context).
func (r *Request) Prepare() error {
	if r.prep != nil {
		return nil
	}
	if r.Principal.Type == "" {
		p, err := ParsePrincipal(r.Principal.ARN)
		if err != nil {
			return err
		}
		keep := r.Principal
		r.Principal = mergePrincipal(p, keep)
	}
	if strings.TrimSpace(r.Action) == "" {
		return fmt.Errorf("request has no action")
	}
	if r.Resource == "" {
		return fmt.Errorf("request has no resource (use \"*\" for actions that take none)")
	}
	pr := &prepared{action: strings.ToLower(strings.TrimSpace(r.Action))}
	if i := strings.IndexByte(pr.action, ':'); i > 0 {
		pr.service = pr.action[:i]
	}
	pr.res, pr.resIsARN = splitARN(r.Resource)
	pr.resAccount = r.ResourceAccount
	if pr.resAccount == "" && pr.resIsARN {
		pr.resAccount = pr.res[4]
	}
	if pr.resAccount == "" && r.Principal.Account != "" {
		pr.resAccount, pr.accountGuess = r.Principal.Account, true
	}
	pr.ctx = make(map[string][]string, len(r.Context)+8)
	r.inferKeys(pr)
	for k, v := range r.Context {
		pr.ctx[strings.ToLower(k)] = v
	}
	r.prep = pr
	return nil
}

// mergePrincipal keeps the optional facts a caller set on a principal whose
// type was left for ParsePrincipal to infer.
func mergePrincipal(p, keep Principal) Principal {
	p.UserID = keep.UserID
	p.Tags = keep.Tags
	p.OrgID = keep.OrgID
	p.MFA = keep.MFA
	p.CanonicalUser = keep.CanonicalUser
	p.SourceUserARN = keep.SourceUserARN
	p.ManagementAccount = keep.ManagementAccount
	p.ServiceLinkedRole = p.ServiceLinkedRole || keep.ServiceLinkedRole
	if keep.RoleARN != "" {
		p.RoleARN = keep.RoleARN
	}
	return p
}

// inferKeys fills the global condition keys AWS derives from the principal
// (reference_policies_condition-keys.html and the principal key table in
// reference_policies_variables.html).
func (r *Request) inferKeys(pr *prepared) {
	p := &r.Principal
	// One backing array holds every inferred single value.
	backing := make([]string, 0, 12+len(p.Tags))
	set := func(k, v string) {
		backing = append(backing, v)
		n := len(backing)
		pr.ctx[k] = backing[n-1 : n : n]
	}
	switch p.Type {
	case PrincipalUser:
		set("aws:username", p.Name)
		set("aws:principalarn", p.ARN)
		set("aws:principaltype", "User")
		if p.UserID != "" {
			set("aws:userid", p.UserID)
		}
	case PrincipalRole, PrincipalAssumedRole:
		// For role sessions aws:PrincipalArn is the role, not the session.
		set("aws:principalarn", p.RoleARN)
		set("aws:principaltype", "AssumedRole")
		if p.UserID != "" && p.SessionName != "" {
			set("aws:userid", p.UserID+":"+p.SessionName)
		}
	case PrincipalFederatedUser:
		set("aws:principalarn", p.ARN)
		set("aws:principaltype", "FederatedUser")
		set("aws:userid", p.Account+":"+p.Name)
	case PrincipalRoot:
		set("aws:principalarn", p.ARN)
		set("aws:principaltype", "Account")
		set("aws:userid", p.Account)
	case PrincipalAnonymous:
		set("aws:principaltype", "Anonymous")
		set("aws:userid", "anonymous")
	case PrincipalService:
		set("aws:principalisawsservice", "true")
		set("aws:principalservicename", p.ARN)
	}
	if p.isIAM() {
		set("aws:principalaccount", p.Account)
		set("aws:principalisawsservice", "false")
		if p.OrgID != "" {
			set("aws:principalorgid", p.OrgID)
		}
		if p.MFA != "" {
			set("aws:multifactorauthpresent", strings.ToLower(p.MFA))
		}
		for k, v := range p.Tags {
			set("aws:principaltag/"+strings.ToLower(k), v)
		}
	}
	if pr.resAccount != "" && !pr.accountGuess {
		set("aws:resourceaccount", pr.resAccount)
	}
	if !r.Time.IsZero() {
		set("aws:currenttime", r.Time.UTC().Format(time.RFC3339))
		set("aws:epochtime", strconv.FormatInt(r.Time.Unix(), 10))
	}
}

// lookup returns the values of a lowercased context key.
func (r *Request) lookup(key string) ([]string, bool) {
	v, ok := r.prep.ctx[key]
	return v, ok && len(v) > 0
}

// lookupOne resolves a policy variable: only single-valued keys can be
// variables (reference_policies_variables.html).
func (r *Request) lookupOne(key string) (string, bool) {
	v, ok := r.prep.ctx[key]
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// ContextValue returns the effective value(s) of a context key after
// inference, for explanations and tests.
func (r *Request) ContextValue(key string) ([]string, bool) {
	if err := r.Prepare(); err != nil {
		return nil, false
	}
	return r.lookup(strings.ToLower(key))
}
