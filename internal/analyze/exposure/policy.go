package exposure

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"

	"github.com/demarc-sec/demarc/internal/analyze/iam"
	"github.com/demarc-sec/demarc/internal/iamdata"
	"github.com/demarc-sec/demarc/internal/model"
)

// analyzer walks one snapshot.
type analyzer struct {
	s         *model.Snapshot
	acct      string
	partition string
	orgID     string
	// bucketOwner maps bucket names to their account, to resolve
	// account-less S3 ARNs in aws:SourceArn conditions.
	bucketOwner map[string]string
	findings    []Finding
	gaps        []Gap
}

func newAnalyzer(s *model.Snapshot) *analyzer {
	a := &analyzer{s: s, acct: s.AccountID, partition: s.Partition, bucketOwner: map[string]string{}}
	if a.partition == "" {
		a.partition = "aws"
	}
	if org, ok := s.Organizations.Organization.Get(); ok && org != nil {
		a.orgID = org.ID
	}
	if bs, ok := s.S3.Buckets.Get(); ok {
		for _, b := range bs {
			owner := b.Account
			if owner == "" {
				owner = a.acct
			}
			a.bucketOwner[b.Name] = owner
		}
	}
	return a
}

func (a *analyzer) gap(k Kind, region, arn, format string, args ...any) {
	a.gaps = append(a.gaps, Gap{Kind: k, Region: region, ARN: arn, Reason: fmt.Sprintf(format, args...)})
}

// regionalARN is a wildcard ARN over a kind in a region, for gaps.
func (a *analyzer) regionalARN(service, region, resource string) string {
	return "arn:" + a.partition + ":" + service + ":" + region + ":" + a.acct + ":" + resource
}

// fixedKeys are the condition keys whose fixed value makes a Principal "*"
// statement non-public (S3 "The meaning of public"), lowercased, with what
// they fix. kms:CallerAccount plays the role of aws:PrincipalAccount in key
// policies (AWS managed keys' policies rely on it).
var fixedKeys = map[string]keyRole{
	"aws:sourceip":              roleNetwork,
	"aws:sourcevpc":             roleNetwork,
	"aws:sourcevpce":            roleNetwork,
	"aws:sourcearn":             roleARN,
	"aws:principalarn":          roleARN,
	"s3:dataaccesspointarn":     roleARN,
	"aws:sourceaccount":         roleAccount,
	"aws:sourceowner":           roleAccount,
	"aws:principalaccount":      roleAccount,
	"s3:dataaccesspointaccount": roleAccount,
	"kms:calleraccount":         roleAccount,
	"aws:principalorgid":        roleOrg,
	"aws:userid":                roleUserID,
}

type keyRole uint8

const (
	roleNetwork keyRole = iota + 1
	roleARN
	roleAccount
	roleOrg
	roleUserID
)

// restriction is a condition that fixes one of the keys.
type restriction struct {
	role   keyRole
	key    string
	values []string
}

// restrictionOf reports whether a condition fixes one of the listed keys:
// a positive operator that requires the key (no IfExists, no ForAllValues,
// which passes on a missing key), values without wildcards or policy
// variables, and for aws:SourceIp a range narrower than the internet.
func restrictionOf(c *iam.Condition, kind Kind) (restriction, bool) {
	key := strings.ToLower(c.Key)
	role, ok := fixedKeys[key]
	if !ok || (key == "kms:calleraccount" && kind != KMSKey) {
		return restriction{}, false
	}
	op := strings.ToLower(c.Operator)
	if set, rest, has := strings.Cut(op, ":"); has {
		if set != "foranyvalue" {
			return restriction{}, false
		}
		op = rest
	}
	if strings.HasSuffix(op, "ifexists") {
		return restriction{}, false
	}
	switch op {
	case "stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike":
		if role == roleNetwork && key == "aws:sourceip" {
			return restriction{}, false
		}
	case "ipaddress":
		if key != "aws:sourceip" {
			return restriction{}, false
		}
	default:
		return restriction{}, false
	}
	if len(c.Values) == 0 {
		return restriction{}, false
	}
	for _, v := range c.Values {
		if !fixedValue(key, v) {
			return restriction{}, false
		}
	}
	return restriction{role: role, key: c.Key, values: c.Values}, true
}

// fixedValue decides whether one condition value is fixed.
func fixedValue(key, v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || strings.Contains(v, "${") {
		return false
	}
	switch key {
	case "aws:sourceip":
		p, ok := parsePrefix(v)
		if !ok {
			return false
		}
		// Narrower than /8 (IPv4) or /32 (IPv6): anything wider is, for
		// practical purposes, the internet.
		if p.Addr().Is4() {
			return p.Bits() >= 8
		}
		return p.Bits() >= 32
	case "aws:userid":
		// "AROLEID:*" names the sessions of one role: fixed.
		if i := strings.IndexByte(v, ':'); i > 0 && v[i+1:] == "*" {
			return !strings.ContainsAny(v[:i], "*?")
		}
	case "s3:dataaccesspointarn":
		// The access point name may be a wildcard as long as the account
		// is fixed.
		f := strings.SplitN(v, ":", 6)
		return len(f) == 6 && iam.IsAccountID(f[4]) && !strings.ContainsAny(strings.Join(f[:5], ":"), "*?")
	}
	return !strings.ContainsAny(v, "*?")
}

func parsePrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if ip, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(ip, ip.BitLen()), true
	}
	return netip.Prefix{}, false
}

// who is one grantee a statement names.
type who struct {
	scope     Scope
	principal string
	account   string
	org       string
	// engine is the principal to ask the engine about; nil to skip.
	engine *iam.Principal
}

// webIdentityAudience names, per public identity provider, the condition
// key prefix that must pin the token's audience or subject; without it, any
// user of the provider (any GitHub repository, any Cognito pool) may assume
// the role.
var webIdentityAudience = map[string][]string{
	"cognito-identity.amazonaws.com":      {"cognito-identity.amazonaws.com:aud"},
	"accounts.google.com":                 {"accounts.google.com:aud", "accounts.google.com:oaud", "accounts.google.com:sub"},
	"graph.facebook.com":                  {"graph.facebook.com:app_id", "graph.facebook.com:id"},
	"www.amazon.com":                      {"www.amazon.com:app_id", "www.amazon.com:user_id"},
	"token.actions.githubusercontent.com": {"token.actions.githubusercontent.com:sub"},
	"gitlab.com":                          {"gitlab.com:sub"},
	"app.terraform.io":                    {"app.terraform.io:sub"},
}

// federatedWho classifies a Federated principal of a trust policy.
func (a *analyzer) federatedWho(v string, st *iam.Statement, owner string) (who, bool) {
	host := strings.ToLower(v)
	acct := ""
	if f := strings.SplitN(v, ":", 6); len(f) == 6 && strings.HasPrefix(f[0], "arn") {
		acct = f[4]
		switch {
		case strings.HasPrefix(f[5], "oidc-provider/"):
			host = strings.ToLower(strings.TrimPrefix(f[5], "oidc-provider/"))
		case strings.HasPrefix(f[5], "saml-provider/"):
			host = ""
		}
		if acct != "" && acct != owner {
			return who{scope: ScopeAccount, principal: v, account: acct}, true
		}
	}
	keys, public := webIdentityAudience[host]
	if !public {
		return who{}, false // an identity provider of the account itself
	}
	for _, c := range st.Conditions {
		op := strings.ToLower(c.Operator)
		if strings.Contains(op, "ifexists") || strings.HasPrefix(op, "forallvalues:") || strings.Contains(op, "not") {
			continue
		}
		for _, k := range keys {
			if !strings.EqualFold(c.Key, k) {
				continue
			}
			fixed := len(c.Values) > 0
			for _, val := range c.Values {
				// A subject may use wildcards below the owner
				// ("repo:org/*"), but not for the owner itself.
				t := strings.TrimSpace(val)
				if t == "" || t == "*" || strings.HasPrefix(t, "repo:*") || strings.Contains(t, "${") {
					fixed = false
				}
			}
			if fixed {
				return who{}, false
			}
		}
	}
	p := iam.Principal{ARN: v, Type: iam.PrincipalWebIdentity}
	return who{scope: ScopePublic, principal: v + " (any identity of this provider)", engine: &p}, true
}

// statementWhos lists the grantees outside the owner's account that an
// Allow statement names.
func (a *analyzer) statementWhos(st *iam.Statement, kind Kind, owner string) []who {
	spec := st.Principal
	anyone := iam.Principal{ARN: "*", Type: iam.PrincipalAnonymous}
	if st.NotPrincipal {
		return []who{{scope: ScopePublic, principal: "NotPrincipal (everyone not listed)", engine: &anyone}}
	}
	if spec.Wildcard {
		return a.wildcardWhos(st, kind, owner, &anyone)
	}
	var out []who
	for _, v := range spec.AWS {
		out = append(out, a.awsWho(v, owner)...)
	}
	for _, v := range spec.Service {
		out = append(out, who{scope: ScopeService, principal: v})
	}
	for _, v := range spec.Federated {
		if w, ok := a.federatedWho(v, st, owner); ok {
			out = append(out, w)
		}
	}
	for _, v := range spec.CanonicalUser {
		out = append(out, who{scope: ScopeUnidentified, principal: "canonical user " + v})
	}
	return out
}

// externalPrincipal stands for "some principal of that account" (a role:
// the root user cannot assume roles, and a grant to an account reaches
// every principal its administrators allow).
func externalPrincipal(account string) *iam.Principal {
	if !iam.IsAccountID(account) {
		account = "000000000000"
	}
	p, err := iam.ParsePrincipal("arn:aws:iam::" + account + ":role/demarc-any-principal")
	if err != nil {
		panic(err) // a constant shape; cannot fail for a 12-digit account
	}
	return &p
}

// awsWho classifies one value of a Principal's AWS list.
func (a *analyzer) awsWho(v, owner string) []who {
	v = strings.TrimSpace(v)
	if strings.ContainsAny(v, "*?") {
		anyone := iam.Principal{ARN: "*", Type: iam.PrincipalAnonymous}
		return []who{{scope: ScopePublic, principal: v, engine: &anyone}}
	}
	p, err := iam.ParsePrincipal(v)
	if err != nil || p.Account == "" {
		return []who{{scope: ScopeUnidentified, principal: v}}
	}
	if p.Account == owner {
		return nil
	}
	if p.Type == iam.PrincipalRoot {
		return []who{{scope: ScopeAccount, principal: v, account: p.Account, engine: externalPrincipal(p.Account)}}
	}
	return []who{{scope: ScopePrincipal, principal: v, account: p.Account, engine: &p}}
}

// wildcardWhos classifies a Principal "*" statement by its restricting
// conditions.
func (a *analyzer) wildcardWhos(st *iam.Statement, kind Kind, owner string, anyone *iam.Principal) []who {
	var rs []restriction
	for _, c := range st.Conditions {
		if r, ok := restrictionOf(c, kind); ok {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return []who{{scope: ScopePublic, principal: "*", engine: anyone}}
	}
	var accounts, arns, orgs, userids, network []string
	for _, r := range rs {
		switch r.role {
		case roleAccount:
			accounts = append(accounts, r.values...)
		case roleARN:
			arns = append(arns, r.values...)
		case roleOrg:
			orgs = append(orgs, r.values...)
		case roleUserID:
			userids = append(userids, r.values...)
		case roleNetwork:
			for _, v := range r.values {
				network = append(network, r.key+"="+v)
			}
		}
	}
	var out []who
	switch {
	case len(accounts) > 0 || len(arns) > 0:
		for _, acct := range uniq(accounts) {
			if acct == owner {
				continue
			}
			if !iam.IsAccountID(acct) {
				out = append(out, who{scope: ScopeUnidentified, principal: acct})
				continue
			}
			out = append(out, who{scope: ScopeAccount, principal: acct, account: acct, engine: externalPrincipal(acct)})
		}
		for _, arn := range uniq(arns) {
			acct := a.arnAccount(arn)
			switch {
			case acct == owner:
			case acct == "":
				out = append(out, who{scope: ScopeUnidentified, principal: arn})
			default:
				out = append(out, who{scope: ScopePrincipal, principal: arn, account: acct, engine: externalPrincipal(acct)})
			}
		}
	case len(orgs) > 0:
		for _, o := range uniq(orgs) {
			out = append(out, who{scope: ScopeOrganization, principal: o, org: o, engine: externalPrincipal("000000000000")})
		}
	case len(userids) > 0:
		for _, u := range uniq(userids) {
			out = append(out, who{scope: ScopeUnidentified, principal: "aws:userid " + u})
		}
	default:
		out = append(out, who{scope: ScopeNetwork, principal: strings.Join(uniq(network), ", "), engine: externalPrincipal("000000000000")})
	}
	return out
}

// arnAccount returns the account an ARN belongs to: its account field, or
// the owner of an S3 bucket of the snapshot.
func (a *analyzer) arnAccount(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 {
		return ""
	}
	if iam.IsAccountID(f[4]) {
		return f[4]
	}
	if f[2] == "s3" && f[4] == "" {
		name := f[5]
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[:i]
		}
		return a.bucketOwner[name]
	}
	return ""
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		v = strings.TrimSpace(v)
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// policyInput is one resource policy to analyze.
type policyInput struct {
	what      string   // "bucket policy", "key policy", …
	text      string   // the document
	owner     string   // the resource's account
	services  []string // service prefixes whose actions apply to the resource
	resources []string // resource ARNs to ask the engine about
}

// policyGrants analyzes a resource policy into the finding's grants.
func (a *analyzer) policyGrants(f *Finding, kind Kind, in policyInput) {
	if strings.TrimSpace(in.text) == "" {
		return
	}
	pol, err := iam.ParseString(in.text)
	if err != nil {
		f.Unknown = append(f.Unknown, fmt.Sprintf("%s cannot be read: %v", in.what, err))
		return
	}
	pol.Name = in.what
	var denies []*iam.Statement
	for _, st := range pol.Statements {
		if st.Effect == iam.Deny && len(st.Conditions) == 0 {
			denies = append(denies, st)
		}
	}
	for _, st := range pol.Statements {
		if st.Effect != iam.Allow {
			continue
		}
		if st.Principal == nil {
			f.Notes = append(f.Notes, fmt.Sprintf("%s %s has no Principal and grants nothing", in.what, stmtLabel(st)))
			continue
		}
		via := in.what + " " + stmtLabel(st)
		for _, w := range a.statementWhos(st, kind, in.owner) {
			g := Grant{Scope: w.scope, Principal: w.principal, Account: w.account, OrgID: w.org, Via: via, Conditions: conditionText(st)}
			if w.scope != ScopeService && w.engine != nil {
				acts, cancelled := a.confirm(pol, st, denies, *w.engine, in)
				if cancelled {
					f.Notes = append(f.Notes, fmt.Sprintf("%s grants %s nothing: unconditional Deny statements cancel it", via, w.principal))
					continue
				}
				g.Actions = acts
			} else {
				g.Actions = writtenActions(st)
			}
			f.Grants = append(f.Grants, g)
		}
	}
}

func stmtLabel(st *iam.Statement) string {
	if st.Sid != "" {
		return fmt.Sprintf("statement %d (Sid %q)", st.Index, st.Sid)
	}
	return fmt.Sprintf("statement %d", st.Index)
}

func conditionText(st *iam.Statement) []string {
	var out []string
	for _, c := range st.Conditions {
		out = append(out, fmt.Sprintf("%s %s=%s", c.Operator, c.Key, strings.Join(c.Values, "|")))
	}
	sort.Strings(out)
	return out
}

func writtenActions(st *iam.Statement) []string {
	out := append([]string(nil), st.Actions...)
	if st.NotAction {
		for i := range out {
			out[i] = "NOT " + out[i]
		}
	}
	sort.Strings(out)
	return out
}

// confirm asks the engine which actions of the resource's services the
// statement (without its conditions, whose effect the classification
// already weighed) gives the principal, after the policy's unconditional
// denies. cancelled is true when the statement names catalogued actions but
// the engine allows none.
func (a *analyzer) confirm(pol *iam.Policy, st *iam.Statement, denies []*iam.Statement, p iam.Principal, in policyInput) (actions []string, cancelled bool) {
	stripped := *st
	stripped.Conditions = nil
	sub := &iam.Policy{Name: pol.Name, Version: pol.Version, Statements: append([]*iam.Statement{&stripped}, denies...)}
	ps := &iam.PolicySet{Resource: sub}
	if p.Type != iam.PrincipalAnonymous && p.Type != iam.PrincipalWebIdentity && p.Type != iam.PrincipalService {
		// A user or role of the other account: its own side is assumed to
		// allow (it is not in the snapshot).
		ps.Identity = []*iam.Policy{allowAllPolicy}
	}
	bases := make([]*iam.Request, 0, len(in.resources))
	for _, r := range in.resources {
		req := &iam.Request{Principal: p, Action: "demarc:probe", Resource: r, ResourceAccount: in.owner}
		if req.Prepare() == nil {
			bases = append(bases, req)
		}
	}
	pats := make([]string, len(st.Actions))
	for i, pat := range st.Actions {
		pats[i] = strings.ToLower(pat)
	}
	named := false
	for _, svc := range in.services {
		sv, lower := serviceActions(svc)
		for i, act := range sv.Actions {
			la := lower[i]
			if !namesAction(pats, st.NotAction, la) {
				continue
			}
			named = true
			for _, base := range bases {
				if o, err := iam.Decide(base.WithAction(la), ps); err == nil && o == iam.Allowed {
					actions = append(actions, act.String())
					break
				}
			}
		}
	}
	if !named {
		return writtenActions(st), false
	}
	return actions, len(actions) == 0
}

var allowAllPolicy = func() *iam.Policy {
	p := iam.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	p.Name = "(assumed: the other account allows its principal)"
	return p
}()

// namesAction reports whether lowercased Action (or NotAction) patterns
// cover a lowercased action.
func namesAction(pats []string, not bool, la string) bool {
	m := false
	for _, pat := range pats {
		if iamdata.Match(pat, la) {
			m = true
			break
		}
	}
	return m != not
}

var (
	svcMu    sync.Mutex
	svcLower = map[string][]string{}
)

// serviceActions returns a service's catalogued actions and their
// lowercased "service:action" names (computed once per service).
func serviceActions(prefix string) (iamdata.Service, []string) {
	sv, ok := iamdata.ServiceByPrefix(prefix)
	if !ok {
		return iamdata.Service{}, nil
	}
	svcMu.Lock()
	defer svcMu.Unlock()
	lower, ok := svcLower[prefix]
	if !ok {
		lower = make([]string, len(sv.Actions))
		for i, a := range sv.Actions {
			lower[i] = strings.ToLower(a.String())
		}
		svcLower[prefix] = lower
	}
	return sv, lower
}
