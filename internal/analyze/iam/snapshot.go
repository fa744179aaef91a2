package iam

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/organizations"
)

// SnapshotPrincipal is an IAM user or role of a snapshot with the policies
// that apply to it: for a user its inline and attached policies and those of
// its groups; for a role its inline and attached policies.
type SnapshotPrincipal struct {
	Principal Principal
	Identity  []*Policy
	Boundary  *Policy
	// Unknown lists what could not be read (a missing or malformed policy
	// document). A decision for the principal may then be wrong: callers
	// must report it as UNKNOWN rather than pass.
	Unknown []string
}

// Account indexes one snapshot for the engine: its principals with their
// identity policies, the resource policies of the resources it holds, and
// the SCPs and RCPs that apply to it. Policies are parsed once, so who-can
// and privilege-path analyses can evaluate many requests cheaply.
type Account struct {
	ID        string
	Partition string
	// Principals are the account's users and roles, sorted by ARN.
	Principals []*SnapshotPrincipal
	// SCPs and RCPs are the levels (root → OUs → account) of the
	// organization policies that apply to this account; nil when the
	// account is not in an organization, the policy type is not enabled,
	// or they could not be read (then Unknown says so).
	SCPs, RCPs []Level
	OrgID      string
	// ManagementAccount: the snapshot is of the organization's management
	// account, where SCPs and RCPs do not apply.
	ManagementAccount bool
	// Unknown lists account-wide gaps (organization policies, lists that
	// could not be collected).
	Unknown []string

	byARN      map[string]*SnapshotPrincipal
	roleByName map[string]*SnapshotPrincipal
	resources  map[string]*resourceEntry
	buckets    map[string]*resourceEntry
	trust      map[string]*resourceEntry // role ARN → trust policy
	aliases    map[string]string         // alias ARN → key ARN
	managed    map[string]*modeliam.ManagedPolicy
	parsed     map[string]*Policy
}

// resourceEntry is a resource-based policy as the snapshot holds it.
type resourceEntry struct {
	arn     string
	kind    string // "bucket policy", "key policy", …
	account string
	text    string
	known   bool
	reason  string
}

// PrincipalsFromSnapshot returns the snapshot's users and roles with their
// policies, sorted by ARN.
func PrincipalsFromSnapshot(s *model.Snapshot) []*SnapshotPrincipal {
	return NewAccount(s).Principals
}

// NewAccount indexes a snapshot.
func NewAccount(s *model.Snapshot) *Account {
	a := &Account{
		ID:         s.AccountID,
		Partition:  s.Partition,
		byARN:      map[string]*SnapshotPrincipal{},
		roleByName: map[string]*SnapshotPrincipal{},
		resources:  map[string]*resourceEntry{},
		buckets:    map[string]*resourceEntry{},
		trust:      map[string]*resourceEntry{},
		aliases:    map[string]string{},
		managed:    map[string]*modeliam.ManagedPolicy{},
		parsed:     map[string]*Policy{},
	}
	if a.Partition == "" {
		a.Partition = "aws"
	}
	a.loadOrganization(s)
	a.loadIAM(s)
	a.loadResources(s)
	sort.Slice(a.Principals, func(i, j int) bool { return a.Principals[i].Principal.ARN < a.Principals[j].Principal.ARN })
	sort.Strings(a.Unknown)
	return a
}

func (a *Account) unknown(format string, args ...any) {
	a.Unknown = append(a.Unknown, fmt.Sprintf(format, args...))
}

// parse parses a policy document once per key.
func (a *Account) parse(key, name, text string) (*Policy, error) {
	if p, ok := a.parsed[key]; ok {
		return p, nil
	}
	p, err := ParseString(text)
	if err != nil {
		return nil, err
	}
	p.Name = name
	a.parsed[key] = p
	return p, nil
}

func (a *Account) loadIAM(s *model.Snapshot) {
	pols, ok := s.IAM.Policies.Get()
	if !ok {
		a.unknown("IAM managed policies not collected (%s): attached policies cannot be evaluated", s.IAM.Policies.Why())
	}
	for i := range pols {
		a.managed[pols[i].ARN] = &pols[i]
	}
	groups := map[string]*modeliam.Group{}
	gs, gok := s.IAM.Groups.Get()
	for i := range gs {
		groups[gs[i].Name] = &gs[i]
	}
	users, ok := s.IAM.Users.Get()
	if !ok {
		a.unknown("IAM users not collected (%s)", s.IAM.Users.Why())
	}
	for i := range users {
		u := &users[i]
		sp := &SnapshotPrincipal{Principal: Principal{
			ARN: u.ARN, Type: PrincipalUser, Partition: a.Partition, Account: a.acct(u.Account),
			Name: u.Name, UserID: u.UserID, Tags: u.Tags, OrgID: a.OrgID, ManagementAccount: a.ManagementAccount,
		}}
		owner := "user/" + u.Name
		a.addInline(sp, owner, u.InlinePolicies)
		a.addAttached(sp, owner, u.AttachedPolicies)
		for _, g := range u.Groups {
			grp, found := groups[g]
			switch {
			case !gok:
				sp.Unknown = append(sp.Unknown, fmt.Sprintf("policies of group %q unknown: IAM groups not collected (%s)", g, s.IAM.Groups.Why()))
			case !found:
				sp.Unknown = append(sp.Unknown, fmt.Sprintf("group %q not in the snapshot: its policies are unknown", g))
			default:
				a.addInline(sp, "group/"+g, grp.InlinePolicies)
				a.addAttached(sp, "group/"+g, grp.AttachedPolicies)
			}
		}
		a.addBoundary(sp, u.PermissionsBoundary)
		a.addPrincipal(sp)
	}
	roles, ok := s.IAM.Roles.Get()
	if !ok {
		a.unknown("IAM roles not collected (%s)", s.IAM.Roles.Why())
	}
	for i := range roles {
		r := &roles[i]
		sp := &SnapshotPrincipal{Principal: Principal{
			ARN: r.ARN, Type: PrincipalRole, Partition: a.Partition, Account: a.acct(r.Account),
			Name: r.Name, RoleARN: r.ARN, UserID: r.RoleID, Tags: r.Tags, OrgID: a.OrgID,
			ManagementAccount: a.ManagementAccount, ServiceLinkedRole: r.ServiceLinked(),
		}}
		owner := "role/" + r.Name
		a.addInline(sp, owner, r.InlinePolicies)
		a.addAttached(sp, owner, r.AttachedPolicies)
		a.addBoundary(sp, r.PermissionsBoundary)
		a.addPrincipal(sp)
		a.roleByName[r.Name] = sp
		a.trust[r.ARN] = &resourceEntry{arn: r.ARN, kind: "role trust policy", account: a.acct(r.Account),
			text: r.AssumeRolePolicy, known: true}
	}
}

func (a *Account) acct(id string) string {
	if id != "" {
		return id
	}
	return a.ID
}

func (a *Account) addPrincipal(sp *SnapshotPrincipal) {
	a.Principals = append(a.Principals, sp)
	a.byARN[sp.Principal.ARN] = sp
}

func (a *Account) addInline(sp *SnapshotPrincipal, owner string, inline []modeliam.InlinePolicy) {
	for _, ip := range inline {
		name := owner + " inline policy " + ip.Name
		p, err := a.parse(sp.Principal.ARN+"#"+owner+"#"+ip.Name, name, ip.Document)
		if err != nil {
			sp.Unknown = append(sp.Unknown, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		sp.Identity = append(sp.Identity, p)
	}
}

func (a *Account) managedPolicy(arn string) (*Policy, error) {
	mp, ok := a.managed[arn]
	if !ok {
		return nil, fmt.Errorf("managed policy %s is not in the snapshot", arn)
	}
	doc := mp.DefaultDocument()
	if doc == "" {
		return nil, fmt.Errorf("managed policy %s has no default version document in the snapshot", arn)
	}
	return a.parse(arn, arn, doc)
}

func (a *Account) addAttached(sp *SnapshotPrincipal, owner string, attached []modeliam.AttachedPolicy) {
	for _, ap := range attached {
		p, err := a.managedPolicy(ap.ARN)
		if err != nil {
			sp.Unknown = append(sp.Unknown, fmt.Sprintf("%s: %v", owner, err))
			continue
		}
		sp.Identity = append(sp.Identity, p)
	}
}

func (a *Account) addBoundary(sp *SnapshotPrincipal, arn string) {
	if arn == "" {
		return
	}
	p, err := a.managedPolicy(arn)
	if err != nil {
		// A boundary that cannot be read must still limit: an empty
		// boundary allows nothing, which can only under-report access,
		// and the gap is recorded.
		sp.Unknown = append(sp.Unknown, fmt.Sprintf("permissions boundary: %v", err))
		sp.Boundary = &Policy{Name: arn + " (unreadable)"}
		return
	}
	sp.Boundary = p
}

func (a *Account) loadResources(s *model.Snapshot) {
	add := func(arn, kind, account, text string, known bool, reason string) {
		if arn == "" {
			return
		}
		a.resources[arn] = &resourceEntry{arn: arn, kind: kind, account: a.acct(account), text: text, known: known, reason: reason}
	}
	if bs, ok := s.S3.Buckets.Get(); ok {
		for _, b := range bs {
			text, known := b.Policy.Get()
			a.buckets[b.Name] = &resourceEntry{arn: "arn:" + a.Partition + ":s3:::" + b.Name, kind: "bucket policy",
				account: a.acct(b.Account), text: text, known: known, reason: b.Policy.Why()}
		}
	} else {
		a.unknown("S3 buckets not collected (%s): bucket policies unknown", s.S3.Buckets.Why())
	}
	for _, r := range s.KMS {
		keys, _ := r.Keys.Get()
		for _, k := range keys {
			text, known := k.Policy.Get()
			add(k.ARN, "KMS key policy", k.Account, text, known, k.Policy.Why())
			if als, ok := k.Aliases.Get(); ok {
				if f, isARN := splitARN(k.ARN); isARN {
					for _, al := range als {
						a.aliases["arn:"+f[1]+":kms:"+f[3]+":"+f[4]+":"+al] = k.ARN
					}
				}
			}
		}
	}
	for _, r := range s.SQS {
		qs, _ := r.Queues.Get()
		for _, q := range qs {
			at, known := q.Attributes.Get()
			add(q.ARN, "queue policy", q.Account, at.Policy, known, q.Attributes.Why())
		}
	}
	for _, r := range s.SNS {
		ts, _ := r.Topics.Get()
		for _, t := range ts {
			at, known := t.Attributes.Get()
			add(t.ARN, "topic policy", t.Account, at.Policy, known, t.Attributes.Why())
		}
	}
	for _, r := range s.Lambda {
		fs, _ := r.Functions.Get()
		for _, f := range fs {
			text, known := f.Policy.Get()
			add(f.ARN, "function policy", f.Account, text, known, f.Policy.Why())
		}
	}
	for _, r := range s.ECR {
		rs, _ := r.Repositories.Get()
		for _, rp := range rs {
			text, known := rp.Policy.Get()
			add(rp.ARN, "repository policy", rp.Account, text, known, rp.Policy.Why())
		}
	}
	for _, r := range s.SecretsManager {
		ss, _ := r.Secrets.Get()
		for _, sc := range ss {
			text, known := sc.Policy.Get()
			add(sc.ARN, "secret policy", sc.Account, text, known, sc.Policy.Why())
		}
	}
}

// loadOrganization builds the SCP and RCP levels that apply to the account.
func (a *Account) loadOrganization(s *model.Snapshot) {
	st := &s.Organizations
	org, ok := st.Organization.Get()
	if !ok {
		a.unknown("organization membership unknown (%s): SCPs and RCPs not evaluated", st.Organization.Why())
		return
	}
	if org == nil {
		return // not in an organization
	}
	a.OrgID = org.ID
	a.ManagementAccount = org.ManagementAccountID == a.ID
	if org.FeatureSet != "" && org.FeatureSet != "ALL" {
		return // consolidated billing only: no SCPs or RCPs
	}
	if a.ManagementAccount {
		return // SCPs and RCPs do not apply to the management account
	}
	path, err := a.orgPath(st)
	if err != nil {
		a.unknown("organization policies not evaluated: %v", err)
		return
	}
	roots, _ := st.Roots.Get()
	enabled := func(t string) bool {
		for _, r := range roots {
			if r.ID == path[0].id {
				return r.PolicyTypeEnabled(t)
			}
		}
		return false
	}
	build := func(t string, v []organizations.Policy, known bool, why string) []Level {
		if !enabled(t) {
			return nil
		}
		if !known {
			a.unknown("%s policies not collected (%s): not evaluated", t, why)
			return nil
		}
		levels := make([]Level, len(path))
		for i, node := range path {
			levels[i].Name = node.name
		}
		for _, pol := range v {
			targets, ok := pol.Targets.Get()
			if !ok {
				a.unknown("targets of %s %s unknown: organization policies not evaluated", t, pol.ID)
				return nil
			}
			for _, tg := range targets {
				for i, node := range path {
					if tg.ID != node.id {
						continue
					}
					text, ok := pol.Content.Get()
					if !ok {
						a.unknown("content of %s %s unknown: organization policies not evaluated", t, pol.ID)
						return nil
					}
					p, err := a.parse("org#"+pol.ID, pol.Name+" ("+pol.ID+")", text)
					if err != nil {
						a.unknown("%s %s: %v: organization policies not evaluated", t, pol.ID, err)
						return nil
					}
					levels[i].Policies = append(levels[i].Policies, p)
				}
			}
		}
		return levels
	}
	if len(roots) == 0 {
		a.unknown("organization roots not collected (%s): SCP/RCP enablement unknown", st.Roots.Why())
		return
	}
	scps, sok := st.SCPs.Get()
	a.SCPs = build(organizations.TypeSCP, scps, sok, st.SCPs.Why())
	rcps, rok := st.RCPs.Get()
	a.RCPs = build(organizations.TypeRCP, rcps, rok, st.RCPs.Why())
}

type orgNode struct{ id, name string }

// orgPath returns the nodes from the root down to the account.
func (a *Account) orgPath(st *organizations.State) ([]orgNode, error) {
	accts, ok := st.Accounts.Get()
	if !ok {
		return nil, fmt.Errorf("organization accounts not collected (%s)", st.Accounts.Why())
	}
	parent := ""
	for _, ac := range accts {
		if ac.ID == a.ID {
			parent = ac.ParentID
		}
	}
	if parent == "" {
		return nil, fmt.Errorf("the account's place in the organization is unknown")
	}
	ous, _ := st.OrganizationalUnits.Get()
	byID := map[string]organizations.OrganizationalUnit{}
	for _, ou := range ous {
		byID[ou.ID] = ou
	}
	path := []orgNode{{id: a.ID, name: "account " + a.ID}}
	for depth := 0; parent != ""; depth++ {
		if depth > 10 {
			return nil, fmt.Errorf("organization tree has a cycle")
		}
		if strings.HasPrefix(parent, "r-") {
			path = append(path, orgNode{id: parent, name: "root " + parent})
			break
		}
		ou, ok := byID[parent]
		if !ok {
			return nil, fmt.Errorf("OU %s not in the snapshot", parent)
		}
		path = append(path, orgNode{id: ou.ID, name: "OU " + ou.ID + " (" + ou.Name + ")"})
		parent = ou.ParentID
	}
	if !strings.HasPrefix(path[len(path)-1].id, "r-") {
		return nil, fmt.Errorf("organization root not reached")
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, nil
}

// Lookup returns the snapshot principal for an ARN. A role-session ARN
// resolves to its role, with the session name kept; a principal of another
// account comes back without policies and with an Unknown entry.
func (a *Account) Lookup(arn string) (*SnapshotPrincipal, error) {
	if sp, ok := a.byARN[arn]; ok {
		return sp, nil
	}
	p, err := ParsePrincipal(arn)
	if err != nil {
		return nil, err
	}
	if p.Type == PrincipalAssumedRole && p.Account == a.ID {
		role, ok := a.roleByName[p.Name]
		if !ok {
			return nil, fmt.Errorf("role %q of session %s is not in the snapshot", p.Name, arn)
		}
		sess := *role
		sess.Principal.ARN = arn
		sess.Principal.Type = PrincipalAssumedRole
		sess.Principal.SessionName = p.SessionName
		return &sess, nil
	}
	switch p.Type {
	case PrincipalRoot:
		if p.Account == a.ID {
			p.OrgID, p.ManagementAccount = a.OrgID, a.ManagementAccount
			return &SnapshotPrincipal{Principal: p}, nil
		}
	case PrincipalAnonymous, PrincipalService, PrincipalWebIdentity:
		return &SnapshotPrincipal{Principal: p}, nil
	}
	if p.Account == a.ID {
		return nil, fmt.Errorf("principal %s is not in the snapshot of account %s", arn, a.ID)
	}
	return &SnapshotPrincipal{Principal: p, Unknown: []string{
		fmt.Sprintf("principal %s belongs to account %s, not in this snapshot: its identity policies are unknown (evaluated as none)", arn, p.Account),
	}}, nil
}

// ResourcePolicy returns the resource-based policy that governs action on
// resource, the resource's account ("" when the resource is not in the
// snapshot) and what could not be read.
func (a *Account) ResourcePolicy(resource, action string) (pol *Policy, account string, unknown []string) {
	var e *resourceEntry
	f, isARN := splitARN(resource)
	switch {
	case !isARN:
	case trustActions[strings.ToLower(action)] && f[2] == "iam":
		e = a.trust[resource]
	case f[2] == "s3" && f[4] == "":
		name := f[5]
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[:i]
		}
		e = a.buckets[name]
	case f[2] == "kms" && strings.HasPrefix(f[5], "alias/"):
		e = a.resources[a.aliases[resource]]
	case f[2] == "lambda":
		e = a.resources[resource]
		if e == nil {
			// A qualified function ARN (…:function:name:alias) carries the
			// policy of the function in this model.
			if i := strings.LastIndexByte(resource, ':'); i > 0 && strings.Count(f[5], ":") == 2 {
				e = a.resources[resource[:i]]
			}
		}
	default:
		e = a.resources[resource]
	}
	if e == nil {
		return nil, "", nil
	}
	if !e.known {
		return nil, e.account, []string{fmt.Sprintf("%s of %s not collected (%s)", e.kind, e.arn, e.reason)}
	}
	if strings.TrimSpace(e.text) == "" {
		return nil, e.account, nil
	}
	p, err := a.parse("res#"+e.arn, e.kind+" of "+e.arn, e.text)
	if err != nil {
		return nil, e.account, []string{fmt.Sprintf("%s of %s: %v", e.kind, e.arn, err)}
	}
	return p, e.account, nil
}

// Simulation assembles the engine input for one question against the
// snapshot. unknown lists every gap that could make the answer wrong.
func (a *Account) Simulation(principalARN, action, resource string, ctx map[string][]string) (req *Request, ps *PolicySet, unknown []string, err error) {
	sp, err := a.Lookup(principalARN)
	if err != nil {
		return nil, nil, nil, err
	}
	unknown = append(unknown, sp.Unknown...)
	rp, resAcct, ru := a.ResourcePolicy(resource, action)
	unknown = append(unknown, ru...)
	if rp == nil && resAcct == "" && hasResourcePolicies(resource) {
		unknown = append(unknown, fmt.Sprintf("resource %s is not in the snapshot: its resource-based policy (if any) is unknown", resource))
	}
	req = &Request{Principal: sp.Principal, Action: action, Resource: resource, ResourceAccount: resAcct, Context: ctx}
	ps = &PolicySet{Identity: sp.Identity, Boundary: sp.Boundary, Resource: rp}
	if sp.Principal.Account == a.ID {
		ps.SCPs = a.SCPs
	}
	if resAcct == a.ID || (resAcct == "" && resourceAccountOf(resource) == a.ID) {
		ps.RCPs = a.RCPs
		req.ResourceInManagementAccount = a.ManagementAccount
	}
	unknown = append(unknown, a.Unknown...)
	if err := req.Prepare(); err != nil {
		return nil, nil, nil, err
	}
	return req, ps, unknown, nil
}

func resourceAccountOf(resource string) string {
	if f, ok := splitARN(resource); ok {
		return f[4]
	}
	return ""
}

// hasResourcePolicies reports whether the resource is of a type that can
// carry a resource-based policy demarc reads.
func hasResourcePolicies(resource string) bool {
	f, ok := splitARN(resource)
	if !ok {
		return false
	}
	switch f[2] {
	case "s3", "kms", "sqs", "sns", "lambda", "ecr", "secretsmanager":
		return true
	case "iam":
		return strings.HasPrefix(f[5], "role/")
	}
	return false
}
