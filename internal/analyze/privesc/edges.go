package privesc

import (
	"fmt"
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/iam"
)

// edgeKind is how an edge changes what the attacker controls.
type edgeKind uint8

const (
	// edgeBecome: the attacker gains the target principal (credentials, or
	// code running as the role).
	edgeBecome edgeKind = iota + 1
	// edgeModify: the target principal's permissions change (mod); the
	// attacker profits only when it controls the target too.
	edgeModify
	// edgeJoin: any user the attacker controls can join a group.
	edgeJoin
)

// edge is one technique that works from a node.
type edge struct {
	tech   *Technique
	from   *node
	kind   edgeKind
	target *principal // become/modify; nil for join
	cred   Cred       // become: the credential context gained
	mods   []mod      // become: the changes the new node starts with
	mod    mod        // modify/join
	via    string     // the resource acted on, when it is not the target
	reqs   []*request // the questions whose Allow makes the edge, for explanations
	// assumes says what the edge takes for granted that the snapshot cannot
	// show.
	assumes []string
}

// binding fills a step's resource template.
type binding struct {
	target     *principal
	targetARN  string
	targetTags map[string]string
	region     string
	name       string
	inst       *instance
	fn         *function
	policyARN  string // iam:PolicyARN of an attach step
	boundary   string // iam:PermissionsBoundary
}

// execOrder is the order techniques are tried from a node: changes to
// the node's own principal first (they most often end a search at once),
// the costly walks over every managed policy last. Order does not affect
// which path is shortest, only how soon the search can stop.
var execOrder = func() []*Technique {
	rank := map[Target]int{TargetUser: 0, TargetRole: 0, TargetNewPrincipal: 1, TargetGroup: 2, TargetGroupJoin: 2,
		TargetServiceRole: 3, TargetInstanceRole: 3, TargetFunctionRole: 3, TargetResourceRole: 3, TargetPolicy: 4}
	var out []*Technique
	for r := 0; r <= 4; r++ {
		for i := range catalogue {
			if rank[catalogue[i].Target] == r {
				out = append(out, &catalogue[i])
			}
		}
	}
	return out
}()

// expand calls fn for every edge from the node, computing techniques
// lazily (and once) until fn returns false.
func (a *Analysis) expand(n *node, fn func(*edge) bool) bool {
	for i := 0; i < len(n.edges); i++ {
		if !fn(n.edges[i]) {
			return false
		}
	}
	for n.next < len(execOrder) {
		t := execOrder[n.next]
		start := len(n.edges)
		if a.mayUse(n, t) {
			a.techniqueEdges(n, t)
		}
		n.next++
		for _, e := range n.edges[start:] {
			if !fn(e) {
				return false
			}
		}
	}
	return true
}

// edgesOf computes every edge of a node.
func (a *Analysis) edgesOf(n *node) []*edge {
	a.expand(n, func(*edge) bool { return true })
	return n.edges
}

func (a *Analysis) techniqueEdges(n *node, t *Technique) {
	switch t.Target {
	case TargetUser, TargetRole:
		a.principalEdges(n, t)
	case TargetNewPrincipal:
		a.freshEdges(n, t)
	case TargetGroup:
		a.groupEdges(n, t)
	case TargetGroupJoin:
		a.joinEdges(n, t)
	case TargetPolicy:
		a.policyEdges(n, t)
	case TargetServiceRole:
		a.serviceRoleEdges(n, t)
	case TargetInstanceRole:
		a.instanceRoleEdges(n, t)
	case TargetFunctionRole:
		a.functionRoleEdges(n, t)
	case TargetResourceRole:
		a.resourceRoleEdges(n, t)
	}
}

// mayUse filters techniques the node cannot possibly use: every step's
// action must be named by one of its Allow statements, unless a resource
// policy could grant it without one (trust and function policies).
func (a *Analysis) mayUse(n *node, t *Technique) bool {
	for _, st := range t.Steps {
		switch {
		case st.Action == actionAssume, st.Action == actionInvokeFn:
		case st.Resource == OnFunction && a.ix.anyFnPolicy:
		case !n.canDo(st.Action):
			return false
		}
	}
	return true
}

// resourceOf renders a step's resource; tagsKnown says whether the
// resource's tags are known (an existing resource of the snapshot).
func (a *Analysis) resourceOf(st Step, b *binding) (res string, tagsKnown bool) {
	switch st.Resource {
	case OnTarget:
		return b.targetARN, true
	case OnInstance:
		return b.inst.arn, b.inst.assumed == ""
	case OnFunction:
		return b.fn.arn, b.fn.role != nil || b.fn.region != ""
	case OnAny:
		return "*", true
	}
	// A resource the attacker names: its tags are the attacker's choice.
	return a.render(st.Resource, b), false
}

// req builds the request of one step.
func (a *Analysis) req(n *node, t *Technique, st Step, b *binding) *request {
	r := &request{n: n, action: st.Action, mode: resSnapshot}
	r.resource, r.tagsKnown = a.resourceOf(st, b)
	extra := map[string][]string{}
	tags := func(m map[string]string, prefixes ...string) {
		for k, v := range m {
			for _, pre := range prefixes {
				extra[pre+k] = []string{v}
			}
		}
	}
	switch st.Resource {
	case OnTarget:
		tags(b.targetTags, "aws:ResourceTag/", "iam:ResourceTag/")
	case OnInstance:
		tags(b.inst.tags, "aws:ResourceTag/", "ec2:ResourceTag/")
	case OnFunction:
		tags(b.fn.tags, "aws:ResourceTag/")
	}
	switch {
	case st.Action == actionPassRole:
		extra["iam:PassedToService"] = []string{t.Service}
	case st.Action == actionCreateESM:
		extra["lambda:FunctionArn"] = []string{a.render(tplFunction, b)}
	case strings.HasPrefix(st.Action, "iam:Attach") && b.policyARN != "":
		extra["iam:PolicyARN"] = []string{b.policyARN}
	}
	if b.boundary != "" {
		extra["iam:PermissionsBoundary"] = []string{b.boundary}
	}
	if len(extra) > 0 {
		r.extra = extra
	}
	return r
}

func (a *Analysis) render(tpl string, b *binding) string {
	region := b.region
	if region == "" {
		region = a.ix.regions[0]
	}
	name := b.name
	if name == "" {
		name = "demarc-probe"
	}
	return strings.NewReplacer("{partition}", a.ix.partition, "{account}", a.ix.account,
		"{region}", region, "{name}", name).Replace(tpl)
}

// try decides every step of a technique under a binding; it returns the
// requests when all are allowed.
func (a *Analysis) try(n *node, t *Technique, steps []Step, b *binding, tweak func(Step, *request)) []*request {
	for _, st := range steps {
		if res, _ := a.resourceOf(st, b); !a.possible(n, st.Action, res) {
			return nil
		}
	}
	out := make([]*request, 0, len(steps))
	for _, st := range steps {
		r := a.req(n, t, st, b)
		if tweak != nil {
			tweak(st, r)
		}
		if !a.allowed(r) {
			return nil
		}
		out = append(out, r)
	}
	return out
}

func (a *Analysis) add(e *edge) { e.from.edges = append(e.from.edges, e) }

// possible is a cheap filter before the engine: without a resource
// policy that could grant it, a request needs an identity Allow statement
// whose action and resource patterns match.
func (a *Analysis) possible(n *node, action, resource string) bool {
	switch {
	case action == actionAssume, action == actionInvokeFn:
		return true // trust and function policies grant on their own
	case a.ix.anyFnPolicy && strings.HasPrefix(resource, "arn:"+a.ix.partition+":lambda:"):
		return true
	}
	return n.mightAllow(action, resource)
}

// principalEdges handles techniques on one user or role, the node's own
// principal first.
func (a *Analysis) principalEdges(n *node, t *Technique) {
	targets := a.ix.users
	if t.Target == TargetRole {
		targets = a.ix.roles
	}
	if contains(needs(t), string(NeedTrust)) {
		targets = a.assumable(n)
	} else if (t.Target == TargetUser) == n.p.isUser && !n.p.fresh {
		targets = append([]*principal{n.p}, targets...)
	}
	for i, p := range targets {
		self := p == n.p
		if self && i > 0 {
			continue // done first
		}
		if p.serviceLinked {
			continue // AWS does not let customers change or assume service-linked roles
		}
		b := &binding{target: p, targetARN: p.arn, targetTags: p.tags}
		switch t.Gain {
		case GainBecome:
			if self {
				continue
			}
			a.becomeEdges(n, t, p, b)
		case GainArbitraryPolicy:
			if p.boundaryARN != "" {
				b.boundary = p.boundaryARN
			}
			if strings.Contains(t.Steps[0].Action, ":Attach") {
				a.attachEdge(n, t, p, b)
				continue
			}
			if reqs := a.try(n, t, t.Steps, b, nil); reqs != nil {
				pol := a.writtenPolicy(t, p)
				a.add(&edge{tech: t, from: n, kind: edgeModify, target: p, reqs: reqs,
					mod: mod{kind: modAddPolicy, key: "add:" + pol.Name, pol: pol}})
			}
		case GainBoundaryLifted:
			if p.boundaryARN == "" {
				continue
			}
			if strings.Contains(t.Steps[0].Action, ":Put") {
				b.boundary = a.adminPolicy // the boundary being set
			}
			if reqs := a.try(n, t, t.Steps, b, nil); reqs != nil {
				a.add(&edge{tech: t, from: n, kind: edgeModify, target: p, reqs: reqs,
					mod: mod{kind: modDropBoundary, key: "noboundary"}})
			}
		}
	}
}

// writtenPolicy is the inline policy an attacker writes: everything.
func (a *Analysis) writtenPolicy(t *Technique, p *principal) *iam.Policy {
	return a.synthetic("inline policy written with "+t.Steps[0].Action, allowAllDoc)
}

// attachEdge tries AdministratorAccess, then the account's own policies
// that grant everything, as the policy to attach (iam:PolicyARN).
func (a *Analysis) attachEdge(n *node, t *Technique, p *principal, b *binding) {
	for _, cand := range a.attachable() {
		b.policyARN = cand.arn
		if reqs := a.try(n, t, t.Steps, b, nil); reqs != nil {
			a.add(&edge{tech: t, from: n, kind: edgeModify, target: p, reqs: reqs, via: cand.arn,
				mod: mod{kind: modAddPolicy, key: "add:" + cand.arn, pol: cand.pol}})
			return
		}
	}
}

func (a *Analysis) attachable() []adminPolicy {
	return append([]adminPolicy{{arn: a.adminPolicy, pol: a.allowAll}}, a.ix.adminPols...)
}

// freshEdges: the attacker creates a user or role with a policy of its
// choice and takes it over.
func (a *Analysis) freshEdges(n *node, t *Technique) {
	isRole := t.Steps[0].Action == "iam:CreateRole"
	attach := strings.Contains(t.Steps[1].Action, ":Attach")
	var tweak func(Step, *request)
	if isRole {
		own := a.ownTrustPolicy(n.p)
		tweak = func(st Step, r *request) {
			if st.Action == actionAssume {
				r.mode, r.override = resOverride, own
			}
		}
	}
	pols := []adminPolicy{{arn: "", pol: a.writtenPolicy(t, nil)}}
	if attach {
		pols = a.attachable()
	}
	for _, c := range a.candidates(n, t) {
		b := &binding{region: c.region, name: c.name}
		for _, pol := range pols {
			b.policyARN = pol.arn
			reqs := a.try(n, t, t.Steps, b, tweak)
			if reqs == nil {
				continue
			}
			p := a.freshPrincipal(a.render(t.Steps[0].Resource, b), isRole)
			cred := CredLongTerm
			if isRole {
				cred = CredSession
				if n.cred == CredSessionMFA {
					cred = CredSessionMFA
				}
			}
			key := "add:" + pol.pol.Name
			a.add(&edge{tech: t, from: n, kind: edgeBecome, target: p, cred: cred, reqs: reqs, via: pol.arn,
				mods: []mod{{kind: modAddPolicy, key: key, pol: pol.pol}}})
			return
		}
	}
}

// freshPrincipal is a user or role that does not exist yet.
func (a *Analysis) freshPrincipal(arn string, isRole bool) *principal {
	if p, ok := a.fresh[arn]; ok {
		return p
	}
	pr, err := iam.ParsePrincipal(arn)
	if err != nil {
		pr = iam.Principal{ARN: arn}
	}
	pr.OrgID = a.ix.acct.OrgID
	pr.ManagementAccount = a.ix.acct.ManagementAccount
	p := &principal{sp: &iam.SnapshotPrincipal{Principal: pr}, arn: arn, name: pr.Name, isUser: !isRole, fresh: true, accessKeys: 1}
	a.fresh[arn] = p
	return p
}

// becomeEdges handles credential takeover and role assumption.
func (a *Analysis) becomeEdges(n *node, t *Technique, p *principal, b *binding) {
	steps := t.Steps
	cred := CredSession
	switch t.ID {
	case "iam:CreateAccessKey":
		cred = CredLongTerm
		if p.accessKeys >= 2 {
			// A user holds at most two keys: one must go first.
			steps = append([]Step{{Action: "iam:DeleteAccessKey", Resource: OnTarget}}, steps...)
			if !n.canDo("iam:DeleteAccessKey") {
				return
			}
		}
	case "iam:CreateLoginProfile":
		if p.loginKnown && p.hasLogin {
			return
		}
	case "iam:UpdateLoginProfile":
		if p.loginKnown && !p.hasLogin {
			return
		}
	}
	var tweak func(Step, *request)
	if contains(needs(t), string(NeedTrust)) {
		if n.cred == CredSessionMFA {
			cred = CredSessionMFA // the caller can pass its MFA on (documented choice)
		}
	}
	if contains(needs(t), string(NeedOwnTrust)) {
		own := a.ownTrustPolicy(n.p)
		tweak = func(st Step, r *request) {
			if st.Action == actionAssume {
				r.mode, r.override = resOverride, own
			}
		}
		if n.cred == CredSessionMFA {
			cred = CredSessionMFA
		}
	}
	if reqs := a.try(n, t, steps, b, tweak); reqs != nil {
		a.add(&edge{tech: t, from: n, kind: edgeBecome, target: p, cred: cred, reqs: reqs})
	}
}

// assumable lists the roles whose trust policy may allow the node, in ARN
// order: those naming it, naming anyone, or naming the account (which then
// needs the caller's own sts:AssumeRole allow). A filter: the engine
// decides.
func (a *Analysis) assumable(n *node) []*principal {
	seen := map[*principal]bool{}
	for _, p := range a.ix.trustedBy[principalKey(n.p.arn)] {
		seen[p] = true
	}
	for _, p := range a.ix.trustAnyone {
		seen[p] = true
	}
	if n.canDo(actionAssume) {
		for _, p := range a.ix.trustAccount {
			seen[p] = true
		}
	}
	out := make([]*principal, 0, len(seen))
	for _, p := range a.ix.roles {
		if seen[p] {
			out = append(out, p)
		}
	}
	return out
}

func needs(t *Technique) []string {
	out := make([]string, len(t.Needs))
	for i, x := range t.Needs {
		out[i] = string(x)
	}
	return out
}

const allowAllDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// synthetic parses (once) a policy the attacker writes, named for the
// explanations.
func (a *Analysis) synthetic(name, doc string) *iam.Policy {
	if pol, ok := a.synth[name]; ok {
		return pol
	}
	pol := iam.MustParse(doc)
	pol.Name = name
	a.synth[name] = pol
	return pol
}

// ownTrustPolicy is the trust policy an attacker writes for itself.
func (a *Analysis) ownTrustPolicy(p *principal) *iam.Policy {
	return a.synthetic("trust policy rewritten to name "+p.arn,
		fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":%q},"Action":"sts:AssumeRole"}]}`, p.arn))
}

// ownFunctionPolicy is the function-policy statement lambda:AddPermission
// adds for the attacker.
func (a *Analysis) ownFunctionPolicy(p *principal) *iam.Policy {
	return a.synthetic("function policy statement added with lambda:AddPermission for "+p.arn,
		fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"AddedWithAddPermission","Effect":"Allow","Principal":{"AWS":%q},"Action":"lambda:InvokeFunction","Resource":"*"}]}`, p.arn))
}

// groupEdges: a policy change on a group reaches its members.
func (a *Analysis) groupEdges(n *node, t *Technique) {
	for _, g := range a.ix.groups {
		b := &binding{targetARN: g.arn}
		var reqs []*request
		var pol *iam.Policy
		var key string
		if strings.Contains(t.Steps[0].Action, ":Attach") {
			for _, cand := range a.attachable() {
				b.policyARN = cand.arn
				if reqs = a.try(n, t, t.Steps, b, nil); reqs != nil {
					pol, key = cand.pol, "add:"+cand.arn
					break
				}
			}
		} else if reqs = a.try(n, t, t.Steps, b, nil); reqs != nil {
			pol = a.writtenPolicy(t, nil)
			key = "add:" + pol.Name
		}
		if reqs == nil {
			continue
		}
		members := append([]*principal(nil), g.members...)
		if n.p.isUser && n.memberOf(g) && !containsP(members, n.p) {
			members = append(members, n.p)
		}
		for _, m := range members {
			a.add(&edge{tech: t, from: n, kind: edgeModify, target: m, reqs: reqs, via: g.arn,
				mod: mod{kind: modAddPolicy, key: key, pol: pol}})
		}
	}
}

// joinEdges: iam:AddUserToGroup lets any user the attacker controls join.
func (a *Analysis) joinEdges(n *node, t *Technique) {
	for _, g := range a.ix.groups {
		if len(g.policies) == 0 {
			continue
		}
		if reqs := a.try(n, t, t.Steps, &binding{targetARN: g.arn}, nil); reqs != nil {
			a.add(&edge{tech: t, from: n, kind: edgeJoin, reqs: reqs, via: g.arn,
				mod: mod{kind: modJoinGroup, key: "group:" + g.name, group: g}})
		}
	}
}

// policyEdges: new or other versions of a customer-managed policy reach
// every principal it is attached to.
func (a *Analysis) policyEdges(n *node, t *Technique) {
	for _, mp := range a.ix.policies {
		b := &binding{targetARN: mp.arn, targetTags: mp.tags}
		steps := t.Steps
		if t.ID == "iam:CreatePolicyVersion" && mp.count >= 5 {
			// Five stored versions is the limit: one must be deleted first.
			steps = append([]Step{{Action: "iam:DeletePolicyVersion", Resource: OnTarget}}, steps...)
		}
		reqs := a.try(n, t, steps, b, nil)
		if reqs == nil {
			continue
		}
		var mods []mod
		if t.Gain == GainArbitraryPolicy {
			pol := a.newVersionPolicy(mp.arn)
			mods = append(mods, mod{kind: modReplacePolicy, key: "ver:" + mp.arn + ":new", target: mp.arn, pol: pol})
		} else {
			for _, v := range mp.versions {
				mods = append(mods, mod{kind: modReplacePolicy, key: "ver:" + mp.arn + ":" + v.id, target: mp.arn, pol: v.pol})
			}
		}
		for _, h := range mp.holders {
			for _, m := range mods {
				a.add(&edge{tech: t, from: n, kind: edgeModify, target: h, reqs: reqs, via: mp.arn, mod: m})
			}
		}
	}
}

func (a *Analysis) newVersionPolicy(arn string) *iam.Policy {
	return a.synthetic(arn+" (new default version written by the attacker)", allowAllDoc)
}

// trusts reports whether a role's trust policy lets a service assume it.
func (a *Analysis) trusts(p *principal, service string) (bool, *request) {
	r := &request{action: actionAssume, resource: p.arn, mode: resSnapshot, service: service, tagsKnown: true}
	k := p.arn + "|" + service
	ok, seen := a.trustCache[k]
	if !seen {
		ok = a.allowed(r)
		a.trustCache[k] = ok
	}
	return ok, r
}

// serviceRoleEdges: iam:PassRole of a role the service trusts, plus the
// service's own actions (on a new resource, an existing instance or an
// existing function).
func (a *Analysis) serviceRoleEdges(n *node, t *Technique) {
	var pass Step
	var other []Step
	for _, st := range t.Steps {
		if st.Action == actionPassRole {
			pass = st
		} else {
			other = append(other, st)
		}
	}
	// The service-side steps do not depend on the role: decide them once.
	type site struct {
		b       *binding
		reqs    []*request
		assumes string
	}
	var sites []site
	switch {
	case stepsUse(other, OnInstance):
		for _, in := range a.ix.instances {
			wantProfile := contains(needs(t), string(NeedInstanceWithProfile))
			if in.hasProfile != wantProfile {
				continue
			}
			b := &binding{inst: in, region: in.region}
			if reqs := a.try(n, t, other, b, nil); reqs != nil {
				sites = append(sites, site{b: b, reqs: reqs, assumes: in.assumed})
				break
			}
		}
	case stepsUse(other, OnFunction):
		for _, fn := range a.functionsFor(nil) {
			b := &binding{fn: fn, region: fn.region}
			if reqs := a.try(n, t, other, b, nil); reqs != nil {
				sites = append(sites, site{b: b, reqs: reqs})
				break
			}
		}
	default:
		var tweak func(Step, *request)
		if contains(needs(t), string(NeedOwnFunctionPolicy)) {
			own := a.ownFunctionPolicy(n.p)
			tweak = func(st Step, r *request) {
				if st.Action == actionInvokeFn {
					r.mode, r.override = resOverride, own
				}
			}
		}
		for _, c := range a.candidates(n, t) {
			b := &binding{region: c.region, name: c.name}
			if reqs := a.try(n, t, other, b, tweak); reqs != nil {
				sites = append(sites, site{b: b, reqs: reqs})
				break
			}
		}
	}
	if len(sites) == 0 {
		return
	}
	s := sites[0]
	for _, p := range a.ix.roles {
		if p == n.p || p.serviceLinked {
			continue
		}
		if contains(needs(t), string(NeedInstanceProfile)) && !p.inProfile && !p.profileUnknown {
			continue
		}
		if contains(needs(t), string(NeedNoInstanceProfile)) && p.inProfile {
			continue
		}
		if s.b.fn != nil && s.b.fn.role == p {
			continue // the function already runs as the role: lambda:UpdateFunctionCode covers it
		}
		ok, trustReq := a.trusts(p, t.Service)
		if !ok {
			continue
		}
		b := *s.b
		b.target, b.targetARN, b.targetTags = p, p.arn, p.tags
		pr := a.req(n, t, pass, &b)
		if !a.allowed(pr) {
			continue
		}
		e := &edge{tech: t, from: n, kind: edgeBecome, target: p, cred: CredSession,
			reqs: append(append([]*request{pr}, s.reqs...), trustReq)}
		if s.b.inst != nil {
			e.via = s.b.inst.arn
		} else if s.b.fn != nil {
			e.via = s.b.fn.arn
		}
		e.assumes = appendNonEmpty(e.assumes, s.assumes, t.Assumes)
		if contains(needs(t), string(NeedInstanceProfile)) && p.profileUnknown {
			e.assumes = append(e.assumes, "instance profiles were not collected: assumes the role is in one")
		}
		a.add(e)
	}
}

func stepsUse(steps []Step, res string) bool {
	for _, st := range steps {
		if st.Resource == res {
			return true
		}
	}
	return false
}

func appendNonEmpty(list []string, s ...string) []string {
	for _, x := range s {
		if x != "" {
			list = append(list, x)
		}
	}
	return list
}

// instanceRoleEdges: code execution on a running instance yields the
// roles of its instance profile.
func (a *Analysis) instanceRoleEdges(n *node, t *Technique) {
	for _, in := range a.ix.instances {
		if !in.hasProfile || len(in.roles) == 0 {
			continue
		}
		if contains(needs(t), string(NeedManagedInstance)) && !in.managed {
			continue
		}
		b := &binding{inst: in, region: in.region}
		reqs := a.try(n, t, t.Steps, b, nil)
		if reqs == nil {
			continue
		}
		for _, p := range in.roles {
			if p == n.p {
				continue
			}
			a.add(&edge{tech: t, from: n, kind: edgeBecome, target: p, cred: CredSession, reqs: reqs, via: in.arn,
				assumes: appendNonEmpty(nil, in.assumed, t.Assumes)})
		}
	}
}

// functionsFor lists the functions whose role is p (nil: every function),
// with stand-ins for regions whose functions were not collected.
func (a *Analysis) functionsFor(p *principal) []*function {
	var out []*function
	for _, fn := range a.ix.functions {
		if p == nil || fn.role == p {
			out = append(out, fn)
		}
	}
	for _, region := range a.ix.functionsUnknown {
		out = append(out, &function{arn: "arn:" + a.ix.partition + ":lambda:" + region + ":" + a.ix.account + ":function:*", role: p})
	}
	return out
}

// functionRoleEdges: changing an existing function's code or layers yields
// its execution role.
func (a *Analysis) functionRoleEdges(n *node, t *Technique) {
	for _, fn := range a.ix.functions {
		if fn.role == nil || fn.role == n.p {
			continue
		}
		b := &binding{fn: fn, region: fn.region}
		if reqs := a.try(n, t, t.Steps, b, nil); reqs != nil {
			a.add(&edge{tech: t, from: n, kind: edgeBecome, target: fn.role, cred: CredSession, reqs: reqs, via: fn.arn,
				assumes: appendNonEmpty(nil, t.Assumes)})
		}
	}
	if len(a.ix.functionsUnknown) == 0 {
		return
	}
	// Functions of some regions were not collected: any role Lambda may
	// assume could be the execution role of one of them.
	for _, region := range a.ix.functionsUnknown {
		stand := &function{arn: "arn:" + a.ix.partition + ":lambda:" + region + ":" + a.ix.account + ":function:*"}
		reqs := a.try(n, t, t.Steps, &binding{fn: stand, region: region}, nil)
		if reqs == nil {
			continue
		}
		for _, p := range a.ix.roles {
			if p == n.p || p.serviceLinked {
				continue
			}
			if ok, trustReq := a.trusts(p, svcLambda); ok {
				a.add(&edge{tech: t, from: n, kind: edgeBecome, target: p, cred: CredSession, reqs: append(reqs, trustReq), via: stand.arn,
					assumes: appendNonEmpty([]string{"Lambda functions in " + region + " were not collected: assumes one runs with this role"}, t.Assumes)})
			}
		}
		return
	}
}

// resourceRoleEdges: code execution through an existing resource the
// snapshot does not inventory; the edge assumes such a resource runs with
// a role the service may assume.
func (a *Analysis) resourceRoleEdges(n *node, t *Technique) {
	var reqs []*request
	for _, c := range a.candidates(n, t) {
		if reqs = a.try(n, t, t.Steps, &binding{region: c.region, name: c.name}, nil); reqs != nil {
			break
		}
	}
	if reqs == nil {
		return
	}
	for _, p := range a.ix.roles {
		if p == n.p || p.serviceLinked {
			continue
		}
		if ok, trustReq := a.trusts(p, t.Service); ok {
			a.add(&edge{tech: t, from: n, kind: edgeBecome, target: p, cred: CredSession, reqs: append(append([]*request(nil), reqs...), trustReq),
				assumes: appendNonEmpty(nil, t.Assumes)})
		}
	}
}
