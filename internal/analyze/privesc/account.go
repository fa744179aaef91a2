package privesc

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/iam"
	"github.com/demarc-sec/demarc/internal/model"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
)

// principal is an IAM user or role of the snapshot, with what the
// techniques need to know about it beyond its policies.
type principal struct {
	sp     *iam.SnapshotPrincipal
	arn    string
	name   string
	isUser bool
	tags   map[string]string

	// Users.
	groups []string // group names
	// loginKnown/hasLogin: whether the user has a console password.
	loginKnown, hasLogin bool
	// mfaPossible: the user has an MFA device (or the list is unknown), so
	// it can obtain MFA-authenticated sessions.
	mfaPossible bool
	// accessKeys is the number of access keys, -1 when unknown.
	accessKeys int

	// Roles.
	serviceLinked bool
	// inProfile: the role is in an instance profile; profileUnknown: the
	// snapshot cannot tell.
	inProfile, profileUnknown bool
	// trustNamesAWS: the trust policy names an AWS principal (not only
	// services), so a session of the role may have been started with MFA.
	trustNamesAWS bool
	// What the trust policy names, as a filter before the engine decides:
	// trustDirectAny for "*", NotPrincipal or an ID demarc cannot resolve
	// (anyone may be allowed without an identity allow), trustAccount for
	// the account itself (callers need their own sts:AssumeRole allow),
	// trustNamed for principal ARNs.
	trustDirectAny, trustAccount bool
	trustNamed                   map[string]bool

	// fresh: a user or role the attacker creates (not in the snapshot).
	fresh bool

	boundaryARN string
	// managed lists the ARNs of the managed policies that apply, directly
	// or through a group.
	managed []string
}

// group is an IAM group with its policies (named as the IAM engine's
// snapshot adapter names them, so node identities stay comparable).
type group struct {
	name, arn string
	policies  []*iam.Policy
	members   []*principal
	unknown   []string
}

// managedPolicy is a customer-managed policy with its stored versions.
type managedPolicy struct {
	arn        string
	awsManaged bool
	versions   []policyVersion // non-default versions, parsed
	count      int             // number of stored versions
	tags       map[string]string
	holders    []*principal
}

type policyVersion struct {
	id  string
	pol *iam.Policy
}

// instance is a running EC2 instance of the snapshot (or a stand-in for a
// region whose instances were not collected).
type instance struct {
	arn, id, region string
	tags            map[string]string
	roles           []*principal // roles of its instance profile
	hasProfile      bool
	managed         bool   // registered with SSM (or unknown)
	assumed         string // what the stand-in takes for granted
}

// function is a Lambda function of the snapshot.
type function struct {
	arn, region string
	tags        map[string]string
	role        *principal // nil when the role is not in the snapshot
}

// index holds the snapshot facts the search needs.
type index struct {
	acct      *iam.Account
	account   string
	partition string
	regions   []string

	principals []*principal // sorted by ARN
	byARN      map[string]*principal
	users      []*principal
	roles      []*principal
	groups     []*group // sorted by name
	policies   []*managedPolicy
	// adminPols are attachable managed policies that grant everything on
	// their own, by ARN (AdministratorAccess-like customer policies).
	adminPols []adminPolicy
	// Roles by what their trust policy names (see principal.trustNamed).
	trustedBy    map[string][]*principal
	trustAnyone  []*principal
	trustAccount []*principal
	instances    []*instance
	functions    []*function
	// functionsUnknown lists regions whose functions were not collected.
	functionsUnknown []string
	anyFnPolicy      bool

	// incomplete lists what makes "no path" unprovable for every principal.
	incomplete []string
}

func buildIndex(s *model.Snapshot, acct *iam.Account) *index {
	ix := &index{acct: acct, account: acct.ID, partition: acct.Partition, byARN: map[string]*principal{}}
	ix.regions = append(ix.regions, s.Regions...)
	if len(ix.regions) == 0 {
		ix.regions = []string{"us-east-1"}
	}
	sort.Strings(ix.regions)
	for _, v := range []struct {
		ok   bool
		what string
		why  string
	}{
		{s.IAM.Users.Ok, "IAM users", s.IAM.Users.Why()},
		{s.IAM.Roles.Ok, "IAM roles", s.IAM.Roles.Why()},
		{s.IAM.Groups.Ok, "IAM groups", s.IAM.Groups.Why()},
		{s.IAM.Policies.Ok, "IAM managed policies", s.IAM.Policies.Why()},
	} {
		if !v.ok {
			ix.incomplete = append(ix.incomplete, fmt.Sprintf("%s not collected (%s)", v.what, v.why))
		}
	}
	for _, sp := range acct.Principals {
		p := &principal{sp: sp, arn: sp.Principal.ARN, name: sp.Principal.Name, tags: sp.Principal.Tags,
			isUser: sp.Principal.Type == iam.PrincipalUser, accessKeys: -1}
		ix.principals = append(ix.principals, p)
		ix.byARN[p.arn] = p
	}
	// Policies the engine's adapter already parsed, by name (managed
	// policies are named by ARN, group inline policies by group and name).
	known := map[string]*iam.Policy{}
	for _, sp := range acct.Principals {
		for _, pol := range sp.Identity {
			known[pol.Name] = pol
		}
	}
	ix.loadUsers(s)
	ix.loadRoles(s)
	ix.loadGroups(s, known)
	ix.fillAdministratorAccess(s)
	ix.loadPolicies(s, known)
	ix.loadInstances(s)
	ix.loadFunctions(s)
	return ix
}

func (ix *index) loadUsers(s *model.Snapshot) {
	users, _ := s.IAM.Users.Get()
	for i := range users {
		u := &users[i]
		p := ix.byARN[u.ARN]
		if p == nil {
			continue
		}
		ix.users = append(ix.users, p)
		p.groups = append(p.groups, u.Groups...)
		p.boundaryARN = u.PermissionsBoundary
		if has, ok := u.LoginProfile.Get(); ok {
			p.loginKnown, p.hasLogin = true, has
		}
		if devs, ok := u.MFADevices.Get(); ok {
			p.mfaPossible = len(devs) > 0
		} else {
			p.mfaPossible = true // unknown: do not rule MFA sessions out
		}
		if keys, ok := u.AccessKeys.Get(); ok {
			p.accessKeys = len(keys)
		}
		for _, ap := range u.AttachedPolicies {
			p.managed = append(p.managed, ap.ARN)
		}
	}
	sort.Slice(ix.users, func(i, j int) bool { return ix.users[i].arn < ix.users[j].arn })
}

func (ix *index) loadRoles(s *model.Snapshot) {
	roles, _ := s.IAM.Roles.Get()
	profiles, profilesKnown := s.IAM.InstanceProfiles.Get()
	inProfile := map[string]bool{}
	for _, ip := range profiles {
		for _, r := range ip.Roles {
			inProfile[r] = true
		}
	}
	for i := range roles {
		r := &roles[i]
		p := ix.byARN[r.ARN]
		if p == nil {
			continue
		}
		ix.roles = append(ix.roles, p)
		p.serviceLinked = r.ServiceLinked()
		p.boundaryARN = r.PermissionsBoundary
		p.inProfile = len(r.InstanceProfiles) > 0 || inProfile[r.ARN]
		p.profileUnknown = !p.inProfile && !profilesKnown
		for _, ap := range r.AttachedPolicies {
			p.managed = append(p.managed, ap.ARN)
		}
		trust, _, unknown := ix.acct.ResourcePolicy(r.ARN, actionAssume)
		if len(unknown) > 0 {
			p.trustDirectAny = true
		}
		if trust != nil {
			p.indexTrust(trust, ix.account)
		}
	}
	sort.Slice(ix.roles, func(i, j int) bool { return ix.roles[i].arn < ix.roles[j].arn })
	ix.trustedBy = map[string][]*principal{}
	for _, p := range ix.roles {
		for arn := range p.trustNamed {
			ix.trustedBy[arn] = append(ix.trustedBy[arn], p)
		}
		if p.trustDirectAny {
			ix.trustAnyone = append(ix.trustAnyone, p)
		}
		if p.trustAccount {
			ix.trustAccount = append(ix.trustAccount, p)
		}
	}
}

func (p *principal) indexTrust(trust *iam.Policy, account string) {
	p.trustNamed = map[string]bool{}
	for _, st := range trust.Statements {
		spec := st.Principal
		if spec == nil || st.Effect != iam.Allow {
			continue
		}
		if st.NotPrincipal || spec.Wildcard {
			p.trustDirectAny, p.trustNamesAWS = true, true
			continue
		}
		if len(spec.AWS) > 0 || len(spec.Federated) > 0 {
			p.trustNamesAWS = true
		}
		for _, v := range spec.AWS {
			f := strings.SplitN(v, ":", 6)
			switch {
			case iam.IsAccountID(v):
				p.trustAccount = p.trustAccount || v == account
			case len(f) == 6 && f[2] == "iam" && f[5] == "root":
				p.trustAccount = p.trustAccount || f[4] == account
			case len(f) == 6:
				p.trustNamed[principalKey(v)] = true
			default:
				p.trustDirectAny = true // a unique ID demarc cannot resolve
			}
		}
	}
}

// principalKey normalizes a user or role ARN to type, account and name, so
// that a trust policy naming a role with or without its path (or one of
// its sessions) still selects it; the engine decides the exact match.
func principalKey(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 {
		return arn
	}
	res := f[5]
	kind := res
	if i := strings.IndexByte(res, '/'); i >= 0 {
		kind = res[:i]
	}
	name := res[strings.LastIndexByte(res, '/')+1:]
	if kind == "assumed-role" {
		parts := strings.Split(res, "/")
		if len(parts) >= 2 {
			kind, name = "role", parts[1]
		}
	}
	return kind + "|" + f[4] + "|" + name
}

func (ix *index) loadGroups(s *model.Snapshot, parsed map[string]*iam.Policy) {
	gs, _ := s.IAM.Groups.Get()
	pols, _ := s.IAM.Policies.Get()
	docs := map[string]string{}
	for i := range pols {
		docs[pols[i].ARN] = pols[i].DefaultDocument()
	}
	for i := range gs {
		g := &gs[i]
		grp := &group{name: g.Name, arn: g.ARN}
		if grp.arn == "" {
			path := g.Path
			if path == "" {
				path = "/"
			}
			grp.arn = "arn:" + ix.partition + ":iam::" + ix.account + ":group" + path + g.Name
		}
		owner := "group/" + g.Name
		for _, ip := range g.InlinePolicies {
			name := owner + " inline policy " + ip.Name
			p, ok := parsed[name]
			if !ok {
				var err error
				if p, err = iam.ParseString(ip.Document); err != nil {
					grp.unknown = append(grp.unknown, fmt.Sprintf("%s: %v", name, err))
					continue
				}
				p.Name = name
			}
			grp.policies = append(grp.policies, p)
		}
		for _, ap := range g.AttachedPolicies {
			p, ok := parsed[ap.ARN]
			if !ok {
				doc := docs[ap.ARN]
				if doc == "" && ap.ARN == ix.administratorAccess() {
					doc = allowAllDoc // documented content; hand-built snapshots often omit it
				}
				if doc == "" {
					grp.unknown = append(grp.unknown, fmt.Sprintf("%s: managed policy %s not in the snapshot", owner, ap.ARN))
					continue
				}
				var err error
				if p, err = iam.ParseString(doc); err != nil {
					grp.unknown = append(grp.unknown, fmt.Sprintf("%s: managed policy %s: %v", owner, ap.ARN, err))
					continue
				}
				p.Name = ap.ARN
				parsed[ap.ARN] = p
			}
			grp.policies = append(grp.policies, p)
		}
		ix.groups = append(ix.groups, grp)
		for _, u := range ix.users {
			for _, name := range u.groups {
				if name == g.Name {
					grp.members = append(grp.members, u)
					u.managed = append(u.managed, attachedARNs(g.AttachedPolicies)...)
				}
			}
		}
	}
	sort.Slice(ix.groups, func(i, j int) bool { return ix.groups[i].name < ix.groups[j].name })
}

func attachedARNs(aps []modeliam.AttachedPolicy) []string {
	out := make([]string, len(aps))
	for i, ap := range aps {
		out[i] = ap.ARN
	}
	return out
}

func (ix *index) administratorAccess() string {
	return "arn:" + ix.partition + ":iam::aws:policy/AdministratorAccess"
}

// fillAdministratorAccess supplies the AWS-managed AdministratorAccess
// policy when a principal has it attached (or as its boundary) but the
// snapshot does not hold its document: its content is documented and
// fixed (Allow "*" on "*"), so treating it as unknown would only hide
// admins and the paths to them.
func (ix *index) fillAdministratorAccess(s *model.Snapshot) {
	arn := ix.administratorAccess()
	pols, _ := s.IAM.Policies.Get()
	for i := range pols {
		if pols[i].ARN == arn && pols[i].DefaultDocument() != "" {
			return
		}
	}
	pol := iam.MustParse(allowAllDoc)
	pol.Name = arn
	for _, p := range ix.principals {
		attached := contains(p.managed, arn)
		if !attached && p.boundaryARN != arn {
			continue
		}
		sp := *p.sp
		if attached {
			sp.Identity = append(append([]*iam.Policy(nil), sp.Identity...), pol)
		}
		if p.boundaryARN == arn {
			sp.Boundary = pol
		}
		sp.Unknown = nil
		for _, u := range p.sp.Unknown {
			if !strings.Contains(u, arn) {
				sp.Unknown = append(sp.Unknown, u)
			}
		}
		p.sp = &sp
	}
}

// awsManagedARN reports whether a policy ARN is AWS-managed
// (arn:aws:iam::aws:policy/…), which customers cannot version.
func awsManagedARN(arn string) bool {
	f := strings.SplitN(arn, ":", 6)
	return len(f) == 6 && f[2] == "iam" && f[4] == "aws"
}

func (ix *index) loadPolicies(s *model.Snapshot, parsed map[string]*iam.Policy) {
	pols, _ := s.IAM.Policies.Get()
	holders := map[string][]*principal{}
	for _, p := range ix.principals {
		seen := map[string]bool{}
		for _, arn := range p.managed {
			if !seen[arn] {
				seen[arn] = true
				holders[arn] = append(holders[arn], p)
			}
		}
	}
	for i := range pols {
		mp := &pols[i]
		if mp.IsAttachable {
			pol := parsed[mp.ARN]
			if doc := mp.DefaultDocument(); pol == nil && strings.Contains(doc, `"*"`) {
				if p, err := iam.ParseString(doc); err == nil {
					p.Name, pol = mp.ARN, p
				}
			}
			if pol != nil && grantsEverything(pol) {
				ix.adminPols = append(ix.adminPols, adminPolicy{arn: mp.ARN, pol: pol})
			}
		}
		if mp.AWSManaged || awsManagedARN(mp.ARN) {
			continue // customers cannot create or select versions of AWS-managed policies
		}
		h := holders[mp.ARN]
		if len(h) == 0 {
			continue
		}
		m := &managedPolicy{arn: mp.ARN, count: len(mp.Versions), tags: mp.Tags, holders: h}
		for _, v := range mp.Versions {
			if v.IsDefault || v.VersionID == mp.DefaultVersionID {
				continue
			}
			pol, err := iam.ParseString(v.Document)
			if err != nil {
				continue // AWS stored it, so it parsed there; a version we cannot read grants nothing here
			}
			pol.Name = mp.ARN + " version " + v.VersionID
			m.versions = append(m.versions, policyVersion{id: v.VersionID, pol: pol})
		}
		ix.policies = append(ix.policies, m)
	}
	sort.Slice(ix.policies, func(i, j int) bool { return ix.policies[i].arn < ix.policies[j].arn })
	sort.Slice(ix.adminPols, func(i, j int) bool { return ix.adminPols[i].arn < ix.adminPols[j].arn })
}

type adminPolicy struct {
	arn string
	pol *iam.Policy
}

// grantsEverything reports whether a policy has an unconditioned Allow of
// "*" on "*" (a cheap first test; the engine decides what attaching it
// gives).
func grantsEverything(p *iam.Policy) bool {
	for _, st := range p.Statements {
		if st.Effect != iam.Allow || st.NotAction || st.NotResource || len(st.Conditions) > 0 {
			continue
		}
		if contains(st.Actions, "*") && contains(st.Resources, "*") {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (ix *index) loadInstances(s *model.Snapshot) {
	profiles, profilesKnown := s.IAM.InstanceProfiles.Get()
	profileRoles := map[string][]*principal{}
	for _, ip := range profiles {
		for _, r := range ip.Roles {
			if p := ix.byARN[r]; p != nil {
				profileRoles[ip.ARN] = append(profileRoles[ip.ARN], p)
			}
		}
	}
	roles, _ := s.IAM.Roles.Get()
	for _, r := range roles {
		for _, ip := range r.InstanceProfiles {
			if p := ix.byARN[r.ARN]; p != nil && !containsP(profileRoles[ip], p) {
				profileRoles[ip] = append(profileRoles[ip], p)
			}
		}
	}
	managed := map[string]map[string]bool{} // region → instance IDs; nil map: unknown
	for _, r := range s.SSM {
		if mis, ok := r.ManagedInstances.Get(); ok {
			set := map[string]bool{}
			for _, mi := range mis {
				set[mi.ID] = true
			}
			managed[r.Name] = set
		}
	}
	seen := map[string]bool{}
	for _, r := range s.EC2 {
		insts, ok := r.Instances.Get()
		if !ok {
			continue
		}
		seen[r.Name] = true
		for _, in := range insts {
			if in.State != "running" && in.State != "pending" && in.State != "" {
				continue // a stopped instance runs nothing until someone starts it
			}
			arn := in.ARN
			if arn == "" {
				arn = "arn:" + ix.partition + ":ec2:" + r.Name + ":" + ix.account + ":instance/" + in.ID
			}
			x := &instance{arn: arn, id: in.ID, region: r.Name, tags: in.Tags, hasProfile: in.IAMInstanceProfile != ""}
			x.roles = profileRoles[in.IAMInstanceProfile]
			if x.hasProfile && len(x.roles) == 0 {
				x.roles, x.assumed = ix.unresolvedProfile(in.IAMInstanceProfile, profilesKnown)
			}
			if set, known := managed[r.Name]; known {
				x.managed = set[in.ID]
			} else {
				x.managed = true
			}
			ix.instances = append(ix.instances, x)
		}
	}
	// A region whose instances were not collected may hold any instance:
	// stand-ins keep the techniques that need one from being ruled out.
	var profiled []*principal
	for _, p := range ix.roles {
		if p.inProfile || p.profileUnknown {
			profiled = append(profiled, p)
		}
	}
	for _, region := range ix.regions {
		if seen[region] {
			continue
		}
		arn := "arn:" + ix.partition + ":ec2:" + region + ":" + ix.account + ":instance/*"
		why := "EC2 instances in " + region + " were not collected: assumes an instance exists there"
		ix.instances = append(ix.instances,
			&instance{arn: arn, id: "*", region: region, hasProfile: true, roles: profiled, managed: true, assumed: why + " with this role's instance profile"},
			&instance{arn: arn, id: "*", region: region, managed: true, assumed: why + " without an instance profile"})
	}
}

// unresolvedProfile guesses the roles of an instance profile the snapshot
// does not describe: the role of the same name (the console's convention),
// or, when instance profiles were not collected at all, any role that may
// be in one.
func (ix *index) unresolvedProfile(arn string, profilesKnown bool) ([]*principal, string) {
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	for _, p := range ix.roles {
		if p.name == name {
			return []*principal{p}, "instance profile " + arn + " is not in the snapshot: assumes it holds the role of the same name"
		}
	}
	if profilesKnown {
		return nil, ""
	}
	var out []*principal
	for _, p := range ix.roles {
		if p.inProfile || p.profileUnknown {
			out = append(out, p)
		}
	}
	return out, "instance profiles were not collected: assumes profile " + arn + " may hold this role"
}

func containsP(list []*principal, p *principal) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

func (ix *index) loadFunctions(s *model.Snapshot) {
	seen := map[string]bool{}
	for _, r := range s.Lambda {
		fns, ok := r.Functions.Get()
		if !ok {
			continue
		}
		seen[r.Name] = true
		for _, f := range fns {
			fn := &function{arn: f.ARN, region: r.Name, tags: f.Tags, role: ix.byARN[f.Role]}
			if fn.region == "" {
				fn.region = f.Region
			}
			if text, ok := f.Policy.Get(); !ok || strings.TrimSpace(text) != "" {
				ix.anyFnPolicy = true
			}
			ix.functions = append(ix.functions, fn)
		}
	}
	for _, region := range ix.regions {
		if !seen[region] {
			ix.functionsUnknown = append(ix.functionsUnknown, region)
		}
	}
	sort.Slice(ix.functions, func(i, j int) bool { return ix.functions[i].arn < ix.functions[j].arn })
}
