package iam

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/iamdata"
	"github.com/demarc-sec/demarc/internal/model"
)

// Scopes of an action grant.
const (
	// ScopeAll: allowed on any resource ("*").
	ScopeAll = "all"
	// ScopeResources: allowed only on the listed resource patterns.
	ScopeResources = "resources"
)

// AdminProbeUnlisted is an action no catalogue or policy names: only a
// wildcard grant ("*", "svc:*" does not count, NotAction does) allows it.
// It is the same probe internal/analyze/privesc uses, so that a principal
// admin-equivalent here is an administrator there too.
const AdminProbeUnlisted = "demarc-probe:AnyUnlistedAction"

// Admin bases.
const (
	AdminAllActions = "all-actions"
	AdminIAMPerms   = "iam-permissions-management"
)

// ActionGrant is one allowed action.
type ActionGrant struct {
	Action string              `json:"action"`
	Level  iamdata.AccessLevel `json:"access_level"`
	Scope  string              `json:"scope"`
	// Resources are the resource patterns of a ScopeResources grant.
	Resources []string `json:"resources,omitempty"`
	// Conditional: the grant needs request conditions the requester shapes
	// (Conditions lists the keys).
	Conditional bool     `json:"conditional,omitempty"`
	Conditions  []string `json:"conditions,omitempty"`
}

// LevelPermissions counts a service's allowed actions of one access level.
type LevelPermissions struct {
	Level iamdata.AccessLevel `json:"access_level"`
	// Allowed counts the actions allowed in any way; Total the catalogued
	// actions of this level.
	Allowed int           `json:"allowed"`
	Total   int           `json:"total"`
	Actions []ActionGrant `json:"actions"`
}

// ServicePermissions is what a principal may do in one service.
type ServicePermissions struct {
	Service string `json:"service"`
	Name    string `json:"name"`
	// Full: every catalogued action of the service is allowed on "*"
	// without conditions.
	Full   bool               `json:"full"`
	Levels []LevelPermissions `json:"levels"`
}

// Usage is what the snapshot says about when a principal was last active.
type Usage struct {
	// Known is false when the snapshot lacks the last-used data.
	Known bool `json:"known"`
	// LastUsed is nil when the principal was never used (Known true).
	LastUsed *time.Time `json:"last_used,omitempty"`
	// Source names the data: "role last used", "password and access keys".
	Source string `json:"source,omitempty"`
	// Unused: known to be inactive for at least UnusedDays (or never used
	// and older than that).
	Unused     bool   `json:"unused"`
	UnusedDays int    `json:"unused_days"`
	Note       string `json:"note,omitempty"`
}

// Permissions are a principal's effective identity-based permissions.
type Permissions struct {
	Principal string        `json:"principal"`
	Type      PrincipalType `json:"type"`
	Account   string        `json:"account,omitempty"`
	// Services lists every service with at least one allowed action,
	// sorted by prefix.
	Services []ServicePermissions `json:"services"`
	// Totals counts allowed actions per access level across services.
	Totals []LevelCount `json:"totals"`
	// AdminEquivalent: the engine allows everything the organization's
	// guardrails leave to anyone in the principal's place
	// (AdminAllActions), or every IAM permissions-management action on "*"
	// (AdminIAMPerms: the principal can grant itself anything).
	AdminEquivalent bool   `json:"admin_equivalent"`
	AdminBasis      string `json:"admin_basis,omitempty"`
	AdminReason     string `json:"admin_reason"`
	// Sensitive are the granted actions of access level Permissions
	// management plus selected Write actions (SensitiveWriteActions).
	Sensitive []string `json:"sensitive_actions"`
	// UnusedSensitive are the sensitive actions of a principal known to be
	// unused (Usage.Unused).
	UnusedSensitive []string `json:"unused_sensitive_actions"`
	Usage           Usage    `json:"usage"`
	// Uncatalogued lists allowed action patterns that name no action of the
	// catalogue (a service or action newer than it): not counted above.
	Uncatalogued []string `json:"uncatalogued_grants"`
	Notes        []string `json:"notes"`
	Unknowns     []string `json:"unknowns"`
}

// LevelCount is a count of actions at one access level.
type LevelCount struct {
	Level   iamdata.AccessLevel `json:"access_level"`
	Allowed int                 `json:"allowed"`
}

// SensitiveWriteActions are Write-level actions counted as sensitive beside
// every Permissions-management action: they hand out credentials or code
// execution as another principal, or switch off detection and logging.
var SensitiveWriteActions = []string{
	"iam:PassRole", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
	"iam:CreateUser", "iam:CreateRole", "iam:AddUserToGroup", "iam:DeactivateMFADevice",
	"sts:AssumeRole", "sts:GetFederationToken",
	"ec2:RunInstances", "ec2:ModifyInstanceAttribute", "ec2-instance-connect:SendSSHPublicKey",
	"lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
	"ssm:SendCommand", "ssm:StartSession",
	"cloudformation:CreateStack", "cloudformation:UpdateStack",
	"glue:CreateDevEndpoint", "glue:UpdateDevEndpoint", "codebuild:StartBuild",
	"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors",
	"guardduty:DeleteDetector", "guardduty:UpdateDetector",
	"config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel",
	"ec2:DeleteFlowLogs", "logs:DeleteLogGroup", "logs:DeleteLogStream",
	"kms:ScheduleKeyDeletion", "kms:DisableKey",
	"s3:DeleteBucket", "organizations:LeaveOrganization", "securityhub:DisableSecurityHub",
}

// PermissionsOptions tune Permissions.
type PermissionsOptions struct {
	// Context holds request context keys the caller knows; others are free.
	Context map[string][]string
	// Time is "now" for the request and for usage; zero: the snapshot's
	// collection time, else time.Now.
	Time time.Time
	// UnusedDays: a principal inactive this long is unused; default 90.
	UnusedDays int
}

// Permissions computes a principal's effective identity-based permissions:
// every catalogued action its policies could allow, decided by the engine
// on resource "*" (with permissions boundary and SCPs), then on the
// resource patterns its statements name; grants that need request
// conditions are marked conditional. Resource-based policies grant more on
// individual resources; who-can answers those.
func (a *Account) Permissions(s *model.Snapshot, arn string, opts PermissionsOptions) (*Permissions, error) {
	if err := iamdata.Err(); err != nil {
		return nil, err
	}
	sp, err := a.Lookup(strings.TrimSpace(arn))
	if err != nil {
		return nil, err
	}
	p := sp.Principal
	switch p.Type {
	case PrincipalUser, PrincipalRole, PrincipalAssumedRole, PrincipalRoot:
	default:
		return nil, fmt.Errorf("principal %s (%s): effective permissions are computed for IAM users, roles and the root user", arn, p.Type)
	}
	if p.Account != a.ID {
		return nil, fmt.Errorf("principal %s belongs to account %s, not to this snapshot's account %s", arn, p.Account, a.ID)
	}
	now := opts.Time
	if now.IsZero() {
		now = s.CollectedAt
	}
	if now.IsZero() {
		now = time.Now().UTC()
	}
	if opts.UnusedDays <= 0 {
		opts.UnusedDays = 90
	}
	out := &Permissions{Principal: p.ARN, Type: p.Type, Account: p.Account,
		Sensitive: []string{}, UnusedSensitive: []string{}, Uncatalogued: []string{}}
	out.Unknowns = append(out.Unknowns, sp.Unknown...)
	out.Unknowns = append(out.Unknowns, a.Unknown...)

	ps := &PolicySet{Identity: sp.Identity, Boundary: sp.Boundary, SCPs: a.SCPs}
	known := PrincipalKeys(a.OrgID != "", opts.Context)
	relaxed := NewRelaxer(known).Set(ps)
	base := &Request{Principal: p, Action: "demarc:probe", Resource: "*", Context: opts.Context, Time: now}
	if err := base.Prepare(); err != nil {
		return nil, err
	}

	// Candidate actions: those an Allow identity statement names (every
	// action for the root user).
	var allows []*Statement
	for _, pol := range sp.Identity {
		for _, st := range pol.Statements {
			if st.Effect == Allow && st.HasResource {
				allows = append(allows, st)
			}
		}
	}
	out.Uncatalogued = uncatalogued(allows)

	grants := map[string][]ActionGrant{} // service → grants
	allowedStrict := map[string]bool{}
	deleg := delegateToIAM(p.Partition, p.Account)
	for _, svc := range iamdata.Services() {
		for _, act := range svc.Actions {
			name := act.String()
			lname := strings.ToLower(name)
			var named []*Statement
			if p.Type != PrincipalRoot {
				for _, st := range allows {
					if st.namesAction(lname) {
						named = append(named, st)
					}
				}
				if len(named) == 0 {
					continue
				}
			}
			req := base.WithAction(lname)
			g := ActionGrant{Action: name, Level: act.Level}
			switch {
			case decide(req, ps):
				g.Scope = ScopeAll
				allowedStrict[lname] = true
			case decide(req, relaxed):
				g.Scope, g.Conditional = ScopeAll, true
				g.Conditions = conditionsOf(req, ps, relaxed, known)
			default:
				res, cond, conds := scopedGrants(p, name, named, ps, relaxed, deleg, known, opts.Context, now)
				if len(res) == 0 {
					continue
				}
				g.Scope, g.Resources, g.Conditional, g.Conditions = ScopeResources, res, cond, conds
			}
			grants[svc.Prefix] = append(grants[svc.Prefix], g)
		}
	}

	// Services, levels and totals.
	totals := map[iamdata.AccessLevel]int{}
	for _, svc := range iamdata.Services() {
		gs := grants[svc.Prefix]
		if len(gs) == 0 {
			continue
		}
		sv := ServicePermissions{Service: svc.Prefix, Name: svc.Name}
		full := true
		byLevel := map[iamdata.AccessLevel]*LevelPermissions{}
		for _, act := range svc.Actions {
			lp := byLevel[act.Level]
			if lp == nil {
				lp = &LevelPermissions{Level: act.Level, Actions: []ActionGrant{}}
				byLevel[act.Level] = lp
			}
			lp.Total++
			if !allowedStrict[strings.ToLower(act.String())] {
				full = false
			}
		}
		for _, g := range gs {
			lp := byLevel[g.Level]
			lp.Allowed++
			lp.Actions = append(lp.Actions, g)
			totals[g.Level]++
			if g.Level == iamdata.PermissionsManagement || isSensitiveWrite(g.Action) {
				out.Sensitive = append(out.Sensitive, g.Action)
			}
		}
		for _, l := range iamdata.Levels {
			if lp := byLevel[l]; lp != nil && lp.Allowed > 0 {
				sv.Levels = append(sv.Levels, *lp)
			}
		}
		sv.Full = full
		out.Services = append(out.Services, sv)
	}
	for _, l := range iamdata.Levels {
		out.Totals = append(out.Totals, LevelCount{Level: l, Allowed: totals[l]})
	}
	if out.Services == nil {
		out.Services = []ServicePermissions{}
	}
	sort.Strings(out.Sensitive)

	a.judgeAdmin(out, p, ps, base, allowedStrict)
	out.Usage = principalUsage(s, p, now, opts.UnusedDays)
	if out.Usage.Unused {
		out.UnusedSensitive = append(out.UnusedSensitive, out.Sensitive...)
	}
	out.Notes = append(out.Notes,
		"service last-accessed data (iam:GenerateServiceLastAccessedDetails) is not collected: for a principal in use, demarc cannot tell which granted actions it actually uses",
		"resource-based policies (bucket, key, queue policies, …) can grant more on individual resources: use `demarc iam who-can` for a resource",
		"resource-scoped grants assume the resource's own policy (key policy, trust policy) delegates to IAM")
	if p.Type == PrincipalRoot {
		out.Notes = append(out.Notes, "the root user has every permission in its own account, limited only by SCPs and resource policies")
	}
	out.Unknowns = dedupeSorted(out.Unknowns)
	return out, nil
}

func decide(req *Request, ps *PolicySet) bool {
	o, err := Decide(req, ps)
	return err == nil && o == Allowed
}

// WithAction returns a copy of a prepared request asking another
// (lowercased) action on the same resource, without preparing the context
// again: the cheap way to ask many actions about one principal and resource.
// The request must have been prepared (Prepare, Decide or Evaluate).
func (r *Request) WithAction(lowerAction string) *Request {
	if r.prep == nil {
		if err := r.Prepare(); err != nil {
			cp := *r
			cp.Action = lowerAction
			return &cp
		}
	}
	cp := *r
	pr := *r.prep
	pr.action = lowerAction
	pr.service = ""
	if i := strings.IndexByte(lowerAction, ':'); i > 0 {
		pr.service = lowerAction[:i]
	}
	cp.prep = &pr
	cp.Action = lowerAction
	return &cp
}

// namesAction reports whether the statement's Action (or NotAction) element
// covers the lowercased action.
func (st *Statement) namesAction(lowerAction string) bool {
	m := false
	for i := range st.actions {
		if st.actions[i].match(lowerAction) {
			m = true
			break
		}
	}
	return m != st.NotAction
}

// uncatalogued lists Action values of Allow statements that name no
// catalogued action.
func uncatalogued(allows []*Statement) []string {
	seen := map[string]bool{}
	for _, st := range allows {
		if st.NotAction {
			continue
		}
		for _, a := range st.Actions {
			if !seen[a] && len(iamdata.Expand(a)) == 0 {
				seen[a] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// conditionsOf names the free keys a conditional grant depends on: those of
// the relaxed allows that matched and of the strict denies that matched.
func conditionsOf(req *Request, ps, relaxed *PolicySet, known KeyFilter) []string {
	keys := map[string]string{}
	d, _ := Evaluate(req, relaxed)
	sd, _ := Evaluate(req, ps)
	for _, m := range d.Matched {
		if m.Effect == "Allow" {
			if st := ps.Statement(m); st != nil {
				for _, k := range FreeKeys(st, known) {
					keys[strings.ToLower(k)] = k
				}
			}
		}
	}
	for _, m := range sd.Matched {
		if m.Effect == "Deny" {
			if st := ps.Statement(m); st != nil {
				for _, k := range FreeKeys(st, known) {
					keys[strings.ToLower(k)] = k
				}
			}
		}
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// delegateToIAM stands for a resource's own policy that delegates to the
// account's IAM policies (the default KMS key policy, a trust policy naming
// the account), so a resource-scoped identity grant can be judged on the
// identity side alone.
func delegateToIAM(partition, account string) *Policy {
	p := MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:` + partition + `:iam::` + account + `:root"},"Action":"*","Resource":"*"}]}`)
	p.Name = "(assumed: the resource's policy delegates to IAM)"
	return p
}

// scopedGrants decides an action on the resource patterns of the Allow
// statements naming it.
func scopedGrants(p Principal, action string, named []*Statement, ps, relaxed *PolicySet, deleg *Policy, known KeyFilter, ctx map[string][]string, now time.Time) (resources []string, conditional bool, conds []string) {
	seen := map[string]bool{}
	strictAny := false
	keys := map[string]string{}
	for _, st := range named {
		if st.NotResource {
			continue // a NotResource allow already answered on "*"
		}
		for _, r := range st.Resources {
			if r == "*" || seen[r] {
				continue
			}
			seen[r] = true
			probe := substituteVars(r, p, ctx)
			req := &Request{Principal: p, Action: action, Resource: probe, ResourceAccount: p.Account, Context: ctx, Time: now}
			if err := req.Prepare(); err != nil {
				continue
			}
			withRes := *ps
			withRes.Resource = deleg
			relRes := *relaxed
			relRes.Resource = withRes.Resource
			switch {
			case decide(req, &withRes):
				resources = append(resources, r)
				strictAny = true
			case decide(req, &relRes):
				resources = append(resources, r)
				for _, k := range conditionsOf(req, &withRes, &relRes, known) {
					keys[strings.ToLower(k)] = k
				}
			}
		}
	}
	sort.Strings(resources)
	if len(resources) > 0 && !strictAny {
		conditional = true
		for _, k := range keys {
			conds = append(conds, k)
		}
		sort.Strings(conds)
	}
	return resources, conditional, conds
}

// substituteVars resolves the principal's own policy variables in a
// resource pattern (${aws:username}, ${aws:PrincipalTag/team}, …) so the
// pattern can be asked as a resource; unresolved variables stay, and the
// engine then does not match, as AWS does not.
func substituteVars(r string, p Principal, ctx map[string][]string) string {
	if !strings.Contains(r, "${") {
		return r
	}
	req := &Request{Principal: p, Action: "demarc:probe", Resource: "*", Context: ctx}
	if req.Prepare() != nil {
		return r
	}
	var b strings.Builder
	for {
		i := strings.Index(r, "${")
		if i < 0 {
			b.WriteString(r)
			break
		}
		j := strings.IndexByte(r[i:], '}')
		if j < 0 {
			b.WriteString(r)
			break
		}
		b.WriteString(r[:i])
		body := r[i+2 : i+j]
		key, def, hasDef := body, "", false
		if k, d, ok := strings.Cut(body, ","); ok {
			d = strings.TrimSpace(d)
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				key, def, hasDef = k, d[1:len(d)-1], true
			}
		}
		key = strings.TrimSpace(key)
		switch {
		case key == "*" || key == "?" || key == "$":
			b.WriteString(key)
		default:
			if v, ok := req.lookupOne(strings.ToLower(key)); ok {
				b.WriteString(v)
			} else if hasDef {
				b.WriteString(def)
			} else {
				b.WriteString(r[i : i+j+1])
			}
		}
		r = r[i+j+1:]
	}
	return b.String()
}

// judgeAdmin decides admin-equivalence. The ceiling is the same principal
// with an identity policy of Allow "*" on "*" and no boundary under the
// same SCPs: the principal is admin-equivalent when the engine allows it
// every catalogued action (and the unlisted probe) that the ceiling allows
// on "*". So an SCP that denies some action to everyone does not stop anyone
// from being admin, while a boundary or a deny on the principal does.
func (a *Account) judgeAdmin(out *Permissions, p Principal, ps *PolicySet, base *Request, allowed map[string]bool) {
	ceiling := &PolicySet{Identity: []*Policy{delegateAll()}, SCPs: ps.SCPs}
	ceilingN := 0
	admin := true
	missing := ""
	check := func(lname, display string) {
		creq := base.WithAction(lname)
		if !decide(creq, ceiling) {
			return
		}
		ceilingN++
		ok := allowed[lname]
		if !ok && lname == strings.ToLower(AdminProbeUnlisted) {
			ok = decide(base.WithAction(lname), ps)
		}
		if !ok && admin {
			admin = false
			missing = display
		}
	}
	for _, svc := range iamdata.Services() {
		for _, act := range svc.Actions {
			if !admin {
				break
			}
			check(strings.ToLower(act.String()), act.String())
		}
	}
	if admin {
		check(strings.ToLower(AdminProbeUnlisted), AdminProbeUnlisted+" (any action a wildcard would grant)")
	}
	switch {
	case ceilingN == 0:
		out.AdminReason = "the organization's guardrails (SCPs) allow nothing to a principal in this place"
	case admin:
		out.AdminEquivalent, out.AdminBasis = true, AdminAllActions
		out.AdminReason = fmt.Sprintf("allowed every one of the %d actions (and any unlisted action) that SCPs leave to an administrator, on \"*\", without conditions", ceilingN)
	default:
		iamPM := 0
		iamAll := true
		if svc, ok := iamdata.ServiceByPrefix("iam"); ok {
			for _, act := range svc.Actions {
				if act.Level != iamdata.PermissionsManagement {
					continue
				}
				iamPM++
				if !allowed[strings.ToLower(act.String())] {
					iamAll = false
				}
			}
		}
		if iamPM > 0 && iamAll {
			out.AdminEquivalent, out.AdminBasis = true, AdminIAMPerms
			out.AdminReason = fmt.Sprintf("allowed all %d IAM permissions-management actions on \"*\": it can grant itself any permission (privilege-escalation analysis reports this as a one-step path); not every action itself (%s is not allowed on \"*\" without conditions)", iamPM, missing)
			return
		}
		out.AdminReason = fmt.Sprintf("not admin-equivalent: %s is not allowed on \"*\" without conditions", missing)
	}
}

func delegateAll() *Policy {
	p := MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	p.Name = "(ceiling: Allow * on *)"
	return p
}

var sensitiveWrite = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range SensitiveWriteActions {
		m[strings.ToLower(a)] = true
	}
	return m
}()

func isSensitiveWrite(action string) bool { return sensitiveWrite[strings.ToLower(action)] }

// principalUsage reads last-activity data: RoleLastUsed for roles, the
// console password and access keys for users.
func principalUsage(s *model.Snapshot, p Principal, now time.Time, days int) Usage {
	u := Usage{UnusedDays: days}
	limit := now.Add(-time.Duration(days) * 24 * time.Hour)
	switch p.Type {
	case PrincipalRole, PrincipalAssumedRole:
		roles, ok := s.IAM.Roles.Get()
		if !ok {
			u.Note = "IAM roles not collected: " + s.IAM.Roles.Why()
			return u
		}
		for _, r := range roles {
			if r.ARN != p.RoleARN && r.Name != p.Name {
				continue
			}
			last, ok := r.LastUsed.Get()
			if !ok {
				u.Note = "role last used unknown: " + r.LastUsed.Why()
				return u
			}
			u.Known, u.Source, u.LastUsed = true, "role last used", last
			switch {
			case last == nil && !r.CreateDate.IsZero() && r.CreateDate.After(limit):
				u.Note = "never used, but created less than the unused period ago"
			case last == nil:
				u.Unused = true
				u.Note = "never used (within IAM's tracking period)"
			case last.Before(limit):
				u.Unused = true
			}
			return u
		}
		u.Note = "role not found in the snapshot"
	case PrincipalUser:
		users, ok := s.IAM.Users.Get()
		if !ok {
			u.Note = "IAM users not collected: " + s.IAM.Users.Why()
			return u
		}
		for _, usr := range users {
			if usr.ARN != p.ARN {
				continue
			}
			var last *time.Time
			later := func(t *time.Time) {
				if t != nil && (last == nil || t.After(*last)) {
					last = t
				}
			}
			later(usr.PasswordLastUsed)
			keys, kok := usr.AccessKeys.Get()
			var gaps []string
			if !kok {
				gaps = append(gaps, "access keys not collected: "+usr.AccessKeys.Why())
			}
			for _, k := range keys {
				lu, ok := k.LastUsed.Get()
				if !ok {
					gaps = append(gaps, "last use of access key "+k.ID+" unknown: "+k.LastUsed.Why())
					continue
				}
				later(lu)
			}
			u.Source, u.LastUsed = "console password and access keys", last
			if last != nil && !last.Before(limit) {
				u.Known = true // a recent use settles it, whatever else is unknown
				return u
			}
			if len(gaps) > 0 {
				u.Note = strings.Join(gaps, "; ")
				return u
			}
			u.Known = true
			switch {
			case last == nil && !usr.CreateDate.IsZero() && usr.CreateDate.After(limit):
				u.Note = "never used, but created less than the unused period ago"
			case last == nil:
				u.Unused = true
				u.Note = "never signed in and no access key ever used"
			default:
				u.Unused = true
			}
			return u
		}
		u.Note = "user not found in the snapshot"
	default:
		u.Note = "no last-used data for this principal type"
	}
	return u
}
