package iam

import (
	"fmt"
	"strings"
)

// PrincipalType is the kind of identity that makes a request.
type PrincipalType string

// Principal types. Role stands for "a session of this role" when the exact
// session is unknown (a role ARN given as the requester).
const (
	PrincipalUser          PrincipalType = "User"
	PrincipalRole          PrincipalType = "Role"
	PrincipalAssumedRole   PrincipalType = "AssumedRole"
	PrincipalFederatedUser PrincipalType = "FederatedUser"
	PrincipalRoot          PrincipalType = "Root"
	PrincipalAnonymous     PrincipalType = "Anonymous"
	PrincipalService       PrincipalType = "Service"
	// PrincipalWebIdentity is a SAML or OIDC identity provider assuming a
	// role (AssumeRoleWithSAML / AssumeRoleWithWebIdentity).
	PrincipalWebIdentity PrincipalType = "WebIdentity"
)

// Principal is the requester.
type Principal struct {
	// ARN of the user, role, session, federated user or root; the service
	// name for a service principal; the provider for a web identity.
	ARN       string
	Type      PrincipalType
	Partition string
	Account   string
	// Name is the user, role or federated-user name.
	Name string
	// RoleARN is the role of a role session (arn:…:iam::acct:role/name).
	RoleARN     string
	SessionName string

	// Optional facts that feed global condition keys; empty when unknown.
	UserID string // AIDA… for users; the role ID (AROA…) for role sessions
	Tags   map[string]string
	OrgID  string
	// MFA is "true" or "false" when known (aws:MultiFactorAuthPresent).
	MFA           string
	CanonicalUser string
	// SourceUserARN is the IAM user who called GetFederationToken, for a
	// federated-user session.
	SourceUserARN string

	// ManagementAccount: the principal belongs to the organization's
	// management account, where SCPs do not apply.
	ManagementAccount bool
	// ServiceLinkedRole: SCPs and RCPs do not restrict service-linked roles.
	ServiceLinkedRole bool
}

// webIdentityProviders are Federated principal names that are not AWS
// service principals even though some end in amazonaws.com.
var webIdentityProviders = map[string]bool{
	"cognito-identity.amazonaws.com": true,
	"www.amazon.com":                 true,
	"graph.facebook.com":             true,
	"accounts.google.com":            true,
	"appleid.apple.com":              true,
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool { return len(s) == 12 && isDigits(s) }

// ParsePrincipal infers a principal's type, account and names from its ARN
// (or "*"/"anonymous", an account ID, a service principal name).
func ParsePrincipal(s string) (Principal, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "*" || strings.EqualFold(s, "anonymous"):
		return Principal{ARN: "*", Type: PrincipalAnonymous}, nil
	case IsAccountID(s):
		return Principal{ARN: "arn:aws:iam::" + s + ":root", Type: PrincipalRoot, Partition: "aws", Account: s}, nil
	case strings.HasPrefix(s, "arn:"):
		return parsePrincipalARN(s)
	case webIdentityProviders[strings.ToLower(s)]:
		return Principal{ARN: s, Type: PrincipalWebIdentity}, nil
	case strings.Contains(s, ".") && !strings.ContainsAny(s, " :/*"):
		return Principal{ARN: s, Type: PrincipalService}, nil
	}
	return Principal{}, fmt.Errorf("principal %q: want an IAM user, role, assumed-role session, federated-user or root ARN, an account ID, a service principal name or \"*\"", s)
}

func parsePrincipalARN(s string) (Principal, error) {
	f, ok := splitARN(s)
	if !ok {
		return Principal{}, fmt.Errorf("principal %q is not a valid ARN", s)
	}
	p := Principal{ARN: s, Partition: f[1], Account: f[4]}
	res := f[5]
	bad := func(why string) (Principal, error) {
		return Principal{}, fmt.Errorf("principal %q: %s", s, why)
	}
	switch f[2] {
	case "iam":
		switch {
		case res == "root":
			p.Type = PrincipalRoot
		case strings.HasPrefix(res, "user/"):
			p.Type = PrincipalUser
			p.Name = lastPathElem(res)
		case strings.HasPrefix(res, "role/"):
			p.Type = PrincipalRole
			p.Name = lastPathElem(res)
			p.RoleARN = s
			p.ServiceLinkedRole = strings.HasPrefix(res, "role/aws-service-role/")
		case strings.HasPrefix(res, "saml-provider/"), strings.HasPrefix(res, "oidc-provider/"):
			p.Type = PrincipalWebIdentity
			return p, nil
		default:
			return bad("IAM ARN is not a user, role, root or identity provider")
		}
	case "sts":
		switch {
		case strings.HasPrefix(res, "assumed-role/"):
			rest := strings.TrimPrefix(res, "assumed-role/")
			i := strings.IndexByte(rest, '/')
			if i <= 0 || i == len(rest)-1 {
				return bad("assumed-role ARN must be assumed-role/ROLE/SESSION")
			}
			p.Type = PrincipalAssumedRole
			p.Name, p.SessionName = rest[:i], rest[i+1:]
			p.RoleARN = "arn:" + p.Partition + ":iam::" + p.Account + ":role/" + p.Name
			p.ServiceLinkedRole = strings.HasPrefix(p.Name, "AWSServiceRoleFor")
		case strings.HasPrefix(res, "federated-user/"):
			p.Type = PrincipalFederatedUser
			p.Name = strings.TrimPrefix(res, "federated-user/")
			if p.Name == "" {
				return bad("federated-user ARN has no name")
			}
		default:
			return bad("STS ARN is not an assumed-role or federated-user session")
		}
	default:
		return bad(fmt.Sprintf("service %q does not make requests as a principal", f[2]))
	}
	if !IsAccountID(p.Account) {
		return bad(fmt.Sprintf("account %q is not a 12-digit account ID", p.Account))
	}
	if p.Type != PrincipalRoot && p.Name == "" {
		return bad("no name")
	}
	return p, nil
}

func lastPathElem(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// isIAM reports whether the principal is an IAM identity that carries
// identity-based policies (or, for root, implicit full access).
func (p *Principal) isIAM() bool {
	switch p.Type {
	case PrincipalUser, PrincipalRole, PrincipalAssumedRole, PrincipalFederatedUser, PrincipalRoot:
		return true
	}
	return false
}

// isSession reports whether session policies apply to the principal.
func (p *Principal) isSession() bool {
	switch p.Type {
	case PrincipalRole, PrincipalAssumedRole, PrincipalFederatedUser:
		return true
	}
	return false
}

// grantKind says how a resource-based policy's Principal named the
// requester, which decides whether implicit denies elsewhere still limit the
// grant (reference_policies_evaluation-logic.html, "Resource-based policies"
// step, and access_policies_boundaries.html).
type grantKind uint8

const (
	grantNone grantKind = iota
	// grantAccount: the account principal (111122223333 or …:root). This
	// delegates to the account: the identity's own policies must allow.
	grantAccount
	// grantLimited: the role ARN for a role session, or the user ARN for a
	// federated-user session created by that user. Not limited by the
	// identity policy's implicit deny, but limited by the permissions
	// boundary and the session policy.
	grantLimited
	// grantDirect: the user ARN, the role-session ARN, the federated-user
	// ARN, "*", a service or web identity: the grant stands on its own in
	// the same account.
	grantDirect
)

func (g grantKind) String() string {
	switch g {
	case grantAccount:
		return "account principal"
	case grantLimited:
		return "role ARN"
	case grantDirect:
		return "principal named directly"
	}
	return "none"
}

// accountOf returns the account an AWS principal value names as a whole
// ("111122223333" or "arn:aws:iam::111122223333:root"), or "".
func accountOf(v string) string {
	if IsAccountID(v) {
		return v
	}
	if f, ok := splitARN(v); ok && f[2] == "iam" && f[5] == "root" {
		return f[4]
	}
	return ""
}

// namesRole reports whether v is the ARN of the principal's role (a role ARN
// may carry a path that the session ARN does not show).
func (p *Principal) namesRole(v string) bool {
	if p.RoleARN == "" {
		return false
	}
	if v == p.RoleARN {
		return true
	}
	f, ok := splitARN(v)
	if !ok || f[2] != "iam" || !strings.HasPrefix(f[5], "role/") {
		return false
	}
	return f[1] == p.Partition && f[4] == p.Account && lastPathElem(f[5]) == p.Name
}

// grantFor returns how spec names the principal (the strongest way when
// several values match).
func (spec *PrincipalSpec) grantFor(p *Principal) grantKind {
	if spec.Wildcard {
		return grantDirect
	}
	best := grantNone
	up := func(g grantKind) {
		if g > best {
			best = g
		}
	}
	switch p.Type {
	case PrincipalAnonymous:
		return grantNone
	case PrincipalService:
		for _, v := range spec.Service {
			if strings.EqualFold(v, p.ARN) {
				return grantDirect
			}
		}
		return grantNone
	case PrincipalWebIdentity:
		for _, v := range spec.Federated {
			if v == p.ARN {
				return grantDirect
			}
		}
		return grantNone
	}
	for _, v := range spec.AWS {
		if acct := accountOf(v); acct != "" {
			if acct == p.Account {
				if p.Type == PrincipalRoot {
					up(grantDirect)
				} else {
					up(grantAccount)
				}
			}
			continue
		}
		switch {
		case p.Type == PrincipalRole && p.namesRole(v):
			// A role given as the requester stands for its sessions: the
			// role ARN grant is limited by boundary and session policy.
			up(grantLimited)
		case v == p.ARN:
			up(grantDirect)
		case p.UserID != "" && v == p.UserID && p.Type == PrincipalUser:
			up(grantDirect)
		case p.Type == PrincipalAssumedRole && p.namesRole(v):
			up(grantLimited)
		case p.Type == PrincipalFederatedUser && p.SourceUserARN != "" && v == p.SourceUserARN:
			up(grantLimited)
		}
	}
	if p.CanonicalUser != "" {
		for _, v := range spec.CanonicalUser {
			if v == p.CanonicalUser {
				// A canonical user ID names an account.
				if p.Type == PrincipalRoot {
					up(grantDirect)
				} else {
					up(grantAccount)
				}
			}
		}
	}
	return best
}

// chainListed reports, for NotPrincipal, how many links of the principal's
// identity chain (session, role, account; or user, account) the spec lists,
// and how many links there are. AWS may check the account, then the role,
// then the session (reference_policies_elements_notprincipal.html).
func (spec *PrincipalSpec) chainListed(p *Principal) (listed, links int) {
	if spec.Wildcard {
		return 1, 1
	}
	has := func(pred func(string) bool) bool {
		for _, v := range spec.AWS {
			if pred(v) {
				return true
			}
		}
		return false
	}
	count := func(ok bool) {
		links++
		if ok {
			listed++
		}
	}
	switch p.Type {
	case PrincipalAnonymous:
		count(false)
		return
	case PrincipalService:
		ok := false
		for _, v := range spec.Service {
			ok = ok || strings.EqualFold(v, p.ARN)
		}
		count(ok)
		return
	case PrincipalWebIdentity:
		ok := false
		for _, v := range spec.Federated {
			ok = ok || v == p.ARN
		}
		count(ok)
		return
	}
	acct := has(func(v string) bool { return accountOf(v) == p.Account })
	if p.CanonicalUser != "" {
		for _, v := range spec.CanonicalUser {
			acct = acct || v == p.CanonicalUser
		}
	}
	count(acct)
	switch p.Type {
	case PrincipalUser, PrincipalFederatedUser:
		count(has(func(v string) bool { return v == p.ARN || (p.UserID != "" && v == p.UserID) }))
	case PrincipalAssumedRole:
		count(has(p.namesRole))
		count(has(func(v string) bool { return v == p.ARN }))
	case PrincipalRole:
		count(has(p.namesRole))
	}
	return
}
