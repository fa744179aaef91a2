package iam

import (
	"sort"
	"strings"
	"sync"
)

// KeyFilter reports whether the value of a (lowercased) condition key is
// known for the question being asked. Keys it rejects are "free": the
// requester shapes them (aws:SourceIp, aws:RequestedRegion, MFA, request
// tags, …).
type KeyFilter func(lowerKey string) bool

// inferredKeys are the global keys the engine derives from the principal and
// the resource account (request.go, inferKeys), plus the time keys when the
// request carries a time.
var inferredKeys = map[string]bool{
	"aws:username": true, "aws:userid": true, "aws:principalarn": true, "aws:principalaccount": true,
	"aws:principaltype": true, "aws:principalisawsservice": true, "aws:principalservicename": true,
	"aws:resourceaccount": true, "aws:currenttime": true, "aws:epochtime": true,
}

// PrincipalKeys is the KeyFilter of questions about a known principal: the
// keys the engine infers from who the principal is (name, ID, ARN, account,
// type, tags, and the organization when orgKnown) are known; everything
// else is shaped by the request. extra names more known keys (the context
// the caller supplied).
func PrincipalKeys(orgKnown bool, extra map[string][]string) KeyFilter {
	known := map[string]bool{}
	for k := range extra {
		known[strings.ToLower(k)] = true
	}
	return func(k string) bool {
		switch {
		case inferredKeys[k], known[k]:
			return true
		case strings.HasPrefix(k, "aws:principaltag/"):
			return true
		case k == "aws:principalorgid":
			return orgKnown
		}
		return false
	}
}

// Relaxer rewrites policies for the "the requester satisfies what it can
// shape" reading of conditions: an Allow statement loses its conditions on
// free keys, and a Deny statement that tests a free key is dropped (the
// requester shapes the request so that it does not apply). Both can only
// widen what is allowed, so comparing a strict and a relaxed decision tells
// a grant that holds for every request from one that holds for some.
//
// A Relaxer caches rewritten policies and is safe for concurrent use.
type Relaxer struct {
	known KeyFilter
	mu    sync.Mutex
	cache map[*Policy]*Policy
}

// NewRelaxer returns a Relaxer treating the keys known accepts as known.
func NewRelaxer(known KeyFilter) *Relaxer {
	return &Relaxer{known: known, cache: map[*Policy]*Policy{}}
}

// Policy returns the relaxed policy (p itself when nothing changes).
func (r *Relaxer) Policy(p *Policy) *Policy {
	if p == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if q, ok := r.cache[p]; ok {
		return q
	}
	q := p
	var stmts []*Statement
	changed := false
	for i, st := range p.Statements {
		free := len(FreeKeys(st, r.known)) > 0
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
		if st.Effect == Deny {
			continue
		}
		ns := *st // keeps the compiled action and resource patterns
		ns.Conditions = nil
		for _, c := range st.Conditions {
			if r.known(c.key) {
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
	r.cache[p] = q
	return q
}

// Set returns a relaxed copy of a policy set.
func (r *Relaxer) Set(ps *PolicySet) *PolicySet {
	out := *ps
	out.Identity = make([]*Policy, len(ps.Identity))
	for i, p := range ps.Identity {
		out.Identity[i] = r.Policy(p)
	}
	out.Resource = r.Policy(ps.Resource)
	out.Boundary = r.Policy(ps.Boundary)
	out.Session = r.Policy(ps.Session)
	out.SCPs = r.levels(ps.SCPs)
	out.RCPs = r.levels(ps.RCPs)
	return &out
}

func (r *Relaxer) levels(lv []Level) []Level {
	if lv == nil {
		return nil
	}
	out := make([]Level, len(lv))
	for i, l := range lv {
		out[i] = Level{Name: l.Name, Policies: make([]*Policy, len(l.Policies))}
		for j, p := range l.Policies {
			out[i].Policies[j] = r.Policy(p)
		}
	}
	return out
}

// FreeKeys returns the statement's condition keys (as written, sorted,
// de-duplicated) that known rejects.
func FreeKeys(st *Statement, known KeyFilter) []string {
	var out []string
	for _, c := range st.Conditions {
		if !known(c.key) {
			out = append(out, c.Key)
		}
	}
	if len(out) > 1 {
		sort.Strings(out)
		j := 1
		for i := 1; i < len(out); i++ {
			if !strings.EqualFold(out[i], out[j-1]) {
				out[j] = out[i]
				j++
			}
		}
		out = out[:j]
	}
	return out
}

// Statement returns the statement a reference names within a policy set
// (nil when the set has no such policy or statement). Policies are matched
// by name and kind.
func (ps *PolicySet) Statement(ref StatementRef) *Statement {
	find := func(p *Policy) *Statement {
		if p == nil || p.Name != ref.Policy || ref.Index < 0 || ref.Index >= len(p.Statements) {
			return nil
		}
		if st := p.Statements[ref.Index]; st.Index == ref.Index {
			return st
		}
		for _, st := range p.Statements {
			if st.Index == ref.Index {
				return st
			}
		}
		return nil
	}
	var cands []*Policy
	switch ref.Kind {
	case KindIdentity:
		cands = ps.Identity
	case KindResource:
		cands = []*Policy{ps.Resource}
	case KindBoundary:
		cands = []*Policy{ps.Boundary}
	case KindSession:
		cands = []*Policy{ps.Session}
	case KindSCP, KindRCP:
		lv := ps.SCPs
		if ref.Kind == KindRCP {
			lv = ps.RCPs
		}
		for _, l := range lv {
			cands = append(cands, l.Policies...)
		}
	}
	for _, p := range cands {
		if st := find(p); st != nil {
			return st
		}
	}
	return nil
}
