package exposure

import (
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
)

// Kind is a resource type exposure analysis covers.
type Kind string

// Resource kinds.
const (
	S3Bucket           Kind = "s3-bucket"
	KMSKey             Kind = "kms-key"
	SQSQueue           Kind = "sqs-queue"
	SNSTopic           Kind = "sns-topic"
	LambdaFunction     Kind = "lambda-function"
	ECRRepository      Kind = "ecr-repository"
	Secret             Kind = "secretsmanager-secret"
	EFSFileSystem      Kind = "efs-file-system"
	IAMRole            Kind = "iam-role"
	EBSSnapshot        Kind = "ebs-snapshot"
	RDSSnapshot        Kind = "rds-snapshot"
	RDSClusterSnapshot Kind = "rds-cluster-snapshot"
)

// Kinds lists every kind, in report order.
var Kinds = []Kind{S3Bucket, KMSKey, SQSQueue, SNSTopic, LambdaFunction, ECRRepository, Secret, EFSFileSystem, IAMRole, EBSSnapshot, RDSSnapshot, RDSClusterSnapshot}

// Scope says whom a grant reaches.
type Scope string

// Grant scopes.
const (
	// ScopePublic: anyone, anonymous users or every AWS account.
	ScopePublic Scope = "public"
	// ScopeAccount: another AWS account (Account).
	ScopeAccount Scope = "account"
	// ScopePrincipal: a user, role or session of another account.
	ScopePrincipal Scope = "principal"
	// ScopeOrganization: every account of an organization (OrgID).
	ScopeOrganization Scope = "organization"
	// ScopeUnidentified: a principal whose account demarc cannot tell (a
	// canonical user ID, an aws:userid, an ARN without an account).
	ScopeUnidentified Scope = "unidentified"
	// ScopeNetwork: anyone inside a network (VPC, VPC endpoint, IP range).
	ScopeNetwork Scope = "network"
	// ScopeService: an AWS service principal.
	ScopeService Scope = "service"
)

// Grant is one way a resource is reachable from outside its account.
type Grant struct {
	Scope Scope `json:"scope"`
	// Principal is the grantee as written ("*", an account, an ARN, a
	// group URI, an organization ID, a network).
	Principal string `json:"principal"`
	Account   string `json:"account,omitempty"`
	OrgID     string `json:"org_id,omitempty"`
	// Via names the mechanism: "bucket policy statement 1 (Sid \"x\")",
	// "bucket ACL", "createVolumePermission", "restore attribute".
	Via string `json:"via"`
	// Actions are the actions granted: confirmed by the engine and
	// expanded over the catalogue for policy grants, or the permission
	// names of ACLs and sharing attributes.
	Actions []string `json:"actions,omitempty"`
	// Conditions are the statement's conditions (operator key values), as
	// context for a reader.
	Conditions []string `json:"conditions,omitempty"`
	// Blocked: a setting neutralizes the grant (BlockedBy says which).
	Blocked   bool   `json:"blocked,omitempty"`
	BlockedBy string `json:"blocked_by,omitempty"`
	// BlockUnknown: whether a setting neutralizes the grant is unknown.
	BlockUnknown bool `json:"block_unknown,omitempty"`
}

// Effective reports whether the grant is known to be in force.
func (g Grant) Effective() bool { return !g.Blocked && !g.BlockUnknown }

// Finding is the exposure of one resource.
type Finding struct {
	Kind    Kind    `json:"kind"`
	ARN     string  `json:"arn"`
	Region  string  `json:"region"`
	Account string  `json:"account"`
	Name    string  `json:"name,omitempty"`
	Grants  []Grant `json:"grants"`
	// Unknown lists what could not be read or decided; a resource with
	// unknowns and no effective public grant has no definite answer.
	Unknown []string `json:"unknown,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// Public returns the public grants in force.
func (f *Finding) Public() []Grant {
	return f.filter(func(g Grant) bool { return g.Scope == ScopePublic && g.Effective() })
}

// External returns the grants in force to other accounts, principals,
// organizations or unidentified grantees.
func (f *Finding) External() []Grant {
	return f.filter(func(g Grant) bool { return g.External() && g.Effective() })
}

// External reports whether the grant reaches outside the account and its
// organization (other than to the public or a service).
func (g Grant) External() bool {
	switch g.Scope {
	case ScopeAccount, ScopePrincipal, ScopeOrganization, ScopeUnidentified:
		return true
	}
	return false
}

// MaybeBlocked returns grants whose neutralization is unknown.
func (f *Finding) MaybeBlocked() []Grant {
	return f.filter(func(g Grant) bool { return g.BlockUnknown })
}

func (f *Finding) filter(keep func(Grant) bool) []Grant {
	var out []Grant
	for _, g := range f.Grants {
		if keep(g) {
			out = append(out, g)
		}
	}
	return out
}

// Gap is a list of resources that could not be read (a whole kind in a
// region): every resource in it has an unknown answer.
type Gap struct {
	Kind   Kind   `json:"kind"`
	Region string `json:"region"`
	// ARN is a wildcard over the kind ("arn:aws:kms:us-east-1:ACCT:key/*").
	ARN    string `json:"arn"`
	Reason string `json:"reason"`
}

// Report is the exposure of every covered resource of a snapshot.
type Report struct {
	Account  string    `json:"account"`
	OrgID    string    `json:"org_id,omitempty"`
	Findings []Finding `json:"findings"`
	Gaps     []Gap     `json:"gaps"`
}

// Of returns the findings and gaps of one kind.
func (r *Report) Of(k Kind) ([]Finding, []Gap) {
	var fs []Finding
	var gs []Gap
	for _, f := range r.Findings {
		if f.Kind == k {
			fs = append(fs, f)
		}
	}
	for _, g := range r.Gaps {
		if g.Kind == k {
			gs = append(gs, g)
		}
	}
	return fs, gs
}

// Analyze finds the public and cross-account grants of every covered
// resource of the snapshot.
func Analyze(s *model.Snapshot) *Report { return AnalyzeKinds(s, Kinds...) }

// AnalyzeKinds analyzes only the resources of the given kinds.
func AnalyzeKinds(s *model.Snapshot, kinds ...Kind) *Report {
	a := newAnalyzer(s)
	want := map[Kind]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	for _, w := range []struct {
		kinds []Kind
		run   func()
	}{
		{[]Kind{S3Bucket}, a.buckets},
		{[]Kind{KMSKey}, a.keys},
		{[]Kind{SQSQueue}, a.queues},
		{[]Kind{SNSTopic}, a.topics},
		{[]Kind{LambdaFunction}, a.functions},
		{[]Kind{ECRRepository}, a.repositories},
		{[]Kind{Secret}, a.secrets},
		{[]Kind{EFSFileSystem}, a.fileSystems},
		{[]Kind{IAMRole}, a.roles},
		{[]Kind{EBSSnapshot}, a.ebsSnapshots},
		{[]Kind{RDSSnapshot, RDSClusterSnapshot}, a.rdsSnapshots},
	} {
		for _, k := range w.kinds {
			if want[k] {
				w.run()
				break
			}
		}
	}
	r := &Report{Account: s.AccountID, OrgID: a.orgID}
	for _, f := range a.findings {
		if want[f.Kind] {
			r.Findings = append(r.Findings, f)
		}
	}
	for _, g := range a.gaps {
		if want[g.Kind] {
			r.Gaps = append(r.Gaps, g)
		}
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		sort.SliceStable(f.Grants, func(x, y int) bool {
			gx, gy := f.Grants[x], f.Grants[y]
			if gx.Scope != gy.Scope {
				return gx.Scope < gy.Scope
			}
			if gx.Principal != gy.Principal {
				return gx.Principal < gy.Principal
			}
			return gx.Via < gy.Via
		})
		if f.Grants == nil {
			f.Grants = []Grant{}
		}
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		if r.Findings[i].Kind != r.Findings[j].Kind {
			return kindRank(r.Findings[i].Kind) < kindRank(r.Findings[j].Kind)
		}
		return r.Findings[i].ARN < r.Findings[j].ARN
	})
	sort.SliceStable(r.Gaps, func(i, j int) bool {
		if r.Gaps[i].Kind != r.Gaps[j].Kind {
			return kindRank(r.Gaps[i].Kind) < kindRank(r.Gaps[j].Kind)
		}
		return r.Gaps[i].ARN < r.Gaps[j].ARN
	})
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Gaps == nil {
		r.Gaps = []Gap{}
	}
	return r
}

func kindRank(k Kind) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// Trusted reports whether a grant goes to a trusted party: an account
// listed in trusted, or the snapshot's own organization (an
// aws:PrincipalOrgID grant to one's own organization is the documented way
// to share within it). Unidentified grantees are never trusted.
func Trusted(g Grant, trusted []string, ownOrg string) bool {
	switch g.Scope {
	case ScopeOrganization:
		return ownOrg != "" && g.OrgID == ownOrg
	case ScopeAccount, ScopePrincipal:
		for _, t := range trusted {
			if strings.TrimSpace(t) == g.Account {
				return true
			}
		}
	}
	return false
}
