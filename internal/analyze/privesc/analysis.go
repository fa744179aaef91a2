package privesc

import (
	"fmt"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/analyze/iam"
	"github.com/demarc-sec/demarc/internal/model"
)

// Options tune an analysis.
type Options struct {
	// Now is the request time (aws:CurrentTime, and aws:TokenIssueTime of
	// the sessions the attacker starts). Zero: the snapshot's collection
	// time, or the current time when the snapshot has none.
	Now time.Time
	// SCPs, when non-nil, replace the service control policies the
	// snapshot's organization data yields (root first, one Level per node
	// down to the account). Use it to ask "what if this SCP were attached",
	// or when the snapshot could not read the organization.
	SCPs []iam.Level
	// MaxHops bounds a path (default 8).
	MaxHops int
}

// Analysis answers privilege-escalation questions about one snapshot. It
// builds the graph lazily and caches every engine answer; it is not safe
// for concurrent use.
type Analysis struct {
	ix      *index
	opts    Options
	now     string
	scps    map[bool][]iam.Level // rewritten per tagsKnown
	rcps    map[bool][]iam.Level
	rw      map[bool]*rewriter
	credCtx [3]map[string][]string
	nodes   map[string]*node

	allowAll    *iam.Policy
	adminPolicy string // arn:PARTITION:iam::aws:policy/AdministratorAccess
	trustCache  map[string]bool
	synth       map[string]*iam.Policy
	ceilings    map[string]bool
	searched    map[string]*searchResult
	fresh       map[string]*principal
}

// New indexes a snapshot for privilege-path questions.
func New(s *model.Snapshot, opts Options) *Analysis {
	acct := iam.NewAccount(s)
	if opts.MaxHops <= 0 {
		opts.MaxHops = 8
	}
	if opts.Now.IsZero() {
		opts.Now = s.CollectedAt
		if opts.Now.IsZero() {
			opts.Now = time.Now()
		}
	}
	a := &Analysis{
		ix:         buildIndex(s, acct),
		opts:       opts,
		now:        opts.Now.UTC().Format(time.RFC3339),
		scps:       map[bool][]iam.Level{},
		rcps:       map[bool][]iam.Level{},
		rw:         map[bool]*rewriter{},
		nodes:      map[string]*node{},
		trustCache: map[string]bool{},
		synth:      map[string]*iam.Policy{},
		ceilings:   map[string]bool{},
		searched:   map[string]*searchResult{},
		fresh:      map[string]*principal{},
	}
	a.adminPolicy = "arn:" + acct.Partition + ":iam::aws:policy/AdministratorAccess"
	a.allowAll = iam.MustParse(allowAllDoc)
	a.allowAll.Name = a.adminPolicy
	orgKnown := s.Organizations.Organization.Ok
	scps := acct.SCPs
	if opts.SCPs != nil {
		scps = opts.SCPs
	}
	for _, tags := range []bool{true, false} {
		rw := newRewriter(keyClass{orgKnown: orgKnown, tagsKnown: tags})
		a.rw[tags] = rw
		a.scps[tags] = rw.levels(scps)
		a.rcps[tags] = rw.levels(acct.RCPs)
	}
	for c := CredLongTerm; c <= CredSessionMFA; c++ {
		a.credCtx[c] = c.context(a.now)
	}
	return a
}

// Incomplete lists what the snapshot lacks for "no path" to be proven for
// any principal (IAM lists not collected).
func (a *Analysis) Incomplete() []string { return append([]string(nil), a.ix.incomplete...) }

// Account returns the account ID of the snapshot.
func (a *Analysis) Account() string { return a.ix.account }

// resMode says where a request's resource-based policy comes from.
type resMode uint8

const (
	resSnapshot resMode = iota // the snapshot's policy for the resource, if any
	resNone                    // none (a resource the attacker creates)
	resOverride                // a policy the attacker wrote (trust or function policy)
)

// request is one authorization question of a technique step.
type request struct {
	n         *node
	action    string
	resource  string
	extra     map[string][]string
	mode      resMode
	override  *iam.Policy
	tagsKnown bool
	// service, when set, asks for the service principal instead of the
	// node (does the role's trust policy let the service assume it?).
	service string
}

// build assembles the engine input.
func (a *Analysis) build(r *request) (*iam.Request, *iam.PolicySet) {
	rw := a.rw[r.tagsKnown]
	var res *iam.Policy
	switch r.mode {
	case resSnapshot:
		pol, _, _ := a.ix.acct.ResourcePolicy(r.resource, r.action)
		res = rw.policy(pol)
	case resOverride:
		res = rw.policy(r.override)
	}
	resAcct := a.ix.account
	if f := strings.SplitN(r.resource, ":", 6); len(f) == 6 && iam.IsAccountID(f[4]) {
		resAcct = f[4]
	}
	if r.service != "" {
		ctx := map[string][]string{"aws:SourceAccount": {a.ix.account}}
		for k, v := range r.extra {
			ctx[k] = v
		}
		req := &iam.Request{Principal: iam.Principal{ARN: r.service, Type: iam.PrincipalService}, Action: r.action,
			Resource: r.resource, ResourceAccount: resAcct, Context: ctx, Time: a.opts.Now}
		return req, &iam.PolicySet{Resource: res}
	}
	n := r.n
	p := n.p.sp.Principal
	if p.Type == iam.PrincipalRole {
		p.SessionName = "demarc-privesc"
	}
	p.MFA = "" // the credential context says it
	ctx := a.credCtx[n.cred]
	if len(r.extra) > 0 {
		merged := make(map[string][]string, len(ctx)+len(r.extra))
		for k, v := range ctx {
			merged[k] = v
		}
		for k, v := range r.extra {
			merged[k] = v
		}
		ctx = merged
	}
	req := &iam.Request{Principal: p, Action: r.action, Resource: r.resource, ResourceAccount: resAcct,
		Context: ctx, Time: a.opts.Now, ResourceInManagementAccount: a.ix.acct.ManagementAccount}
	i := 0
	if r.tagsKnown {
		i = 1
	}
	if !n.rwDone[i] {
		n.rwIdentity[i], n.rwBoundary[i], n.rwDone[i] = rw.policies(n.identity), rw.policy(n.boundary), true
	}
	ps := &iam.PolicySet{Identity: n.rwIdentity[i], Boundary: n.rwBoundary[i], Resource: res}
	if p.Account == a.ix.account {
		ps.SCPs = a.scps[r.tagsKnown]
	}
	if resAcct == a.ix.account {
		ps.RCPs = a.rcps[r.tagsKnown]
	}
	return req, ps
}

// allowed asks the engine.
func (a *Analysis) allowed(r *request) bool {
	req, ps := a.build(r)
	o, err := iam.Decide(req, ps)
	return err == nil && o == iam.Allowed
}

// Permission is one statement that allows a step of a hop.
type Permission struct {
	Policy string `json:"policy"`
	// Statement is the statement's Sid, or its 0-based index when it has
	// none.
	Statement  any    `json:"statement"`
	Action     string `json:"action"`
	Resource   string `json:"resource"`
	PolicyKind string `json:"policy_kind"`
	// Principal is set when the statement allows someone other than the
	// attacker: the service a passed role must trust.
	Principal string `json:"principal,omitempty"`
}

// explain returns the allowing statements of a request.
func (a *Analysis) explain(r *request) []Permission {
	req, ps := a.build(r)
	d, err := iam.Evaluate(req, ps)
	if err != nil || d.Outcome != iam.Allowed {
		// Decided as allowed during the search; reaching here is a bug, and
		// saying so beats an empty explanation.
		return []Permission{{Policy: fmt.Sprintf("(explanation unavailable: %v %s)", err, d.Outcome), Statement: "", Action: r.action, Resource: r.resource}}
	}
	var out []Permission
	seen := map[string]bool{}
	for _, m := range d.Matched {
		if m.Effect != "Allow" {
			continue
		}
		k := string(m.Kind) + "|" + m.Policy + "|" + m.Level + "|" + fmt.Sprint(m.Index)
		if seen[k] {
			continue
		}
		seen[k] = true
		var stmt any = m.Index
		if m.Sid != "" {
			stmt = m.Sid
		}
		pol := m.Policy
		if m.Level != "" {
			pol += " (" + m.Level + ")"
		}
		out = append(out, Permission{Policy: pol, Statement: stmt, Action: r.action, Resource: r.resource,
			PolicyKind: string(m.Kind), Principal: r.service})
	}
	if len(out) == 0 {
		out = append(out, Permission{Policy: "(no statement recorded)", Statement: "", Action: r.action, Resource: r.resource, Principal: r.service})
	}
	return out
}
