package exposure

import (
	"sort"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/ecr"
	"github.com/demarc-sec/demarc/internal/model/efs"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/kms"
	"github.com/demarc-sec/demarc/internal/model/lambda"
	"github.com/demarc-sec/demarc/internal/model/organizations"
	"github.com/demarc-sec/demarc/internal/model/rds"
	"github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/model/secretsmanager"
	"github.com/demarc-sec/demarc/internal/model/sns"
	"github.com/demarc-sec/demarc/internal/model/sqs"
)

const (
	acct   = "111122223333"
	other  = "444455556666"
	ownOrg = "o-own12345"
	region = "us-east-1"
	bucket = "arn:aws:s3:::example-bucket"
	keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	queue  = "arn:aws:sqs:us-east-1:111122223333:jobs"
	topic  = "arn:aws:sns:us-east-1:111122223333:alerts"
	fnARN  = "arn:aws:lambda:us-east-1:111122223333:function:api"
	repo   = "arn:aws:ecr:us-east-1:111122223333:repository/app"
	secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"
	fsARN  = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123456789abcdef0"
	role   = "arn:aws:iam::111122223333:role/deploy"
	ebsARN = "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-1"
	rdsARN = "arn:aws:rds:us-east-1:111122223333:snapshot:db-snap"
	rdsCl  = "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:cl-snap"
)

// AWS documentation the cases encode.
const (
	docPublic    = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status"
	docBPA       = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-options"
	docACL       = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#specifying-grantee-predefined-groups"
	docOwnership = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html"
	docKMS       = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
	docKMSCaller = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account"
	docSQS       = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html"
	docSNS       = "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html"
	docLambda    = "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"
	docECR       = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html"
	docSecrets   = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html"
	// EFS file system policies: IAM principals and elasticfilesystem:Client*
	// actions; without a policy the default grants any NFS client that can
	// reach a mount target (a network question, not a policy grant).
	docEFS       = "https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html"
	docTrust     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html"
	docOIDC      = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub"
	docAnalyzer  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html"
	docEBS       = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html"
	docRDS       = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html"
	docPrincipal = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
	docNotPrinc  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
)

func pol(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// st builds a statement; principal and cond are raw JSON ("" to omit).
func st(effect, principal, action, resource, cond string) string {
	s := `{"Effect":"` + effect + `"`
	if principal != "" {
		s += `,"Principal":` + principal
	}
	s += `,"Action":` + jsv(action)
	if resource != "" {
		s += `,"Resource":` + jsv(resource)
	}
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return s + "}"
}

func jsv(v string) string {
	if strings.HasPrefix(v, "[") {
		return v
	}
	return `"` + v + `"`
}

const star = `"*"`

func base() *model.Snapshot {
	s := model.New(acct, "aws", []string{region})
	s.Organizations.Organization = core.Known(&organizations.Organization{ID: ownOrg, FeatureSet: "ALL", ManagementAccountID: "999988887777"})
	return s
}

func noBPA(s *model.Snapshot) {
	s.S3.AccountPublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
}

func bucketSnap(policy string, mut func(*model.Snapshot, *s3.Bucket)) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		noBPA(s)
		b := s3.Bucket{Meta: core.Meta{ARN: bucket, Account: acct, Region: region}, Name: "example-bucket",
			Policy: core.Known(policy), PolicyStatusPublic: core.Unknown[bool]("not collected"),
			PublicAccessBlock: core.Known[*s3.PublicAccessBlock](nil),
			ACL:               core.Known(s3.ACL{OwnerID: "owner", Grants: []s3.Grant{{GranteeType: "CanonicalUser", GranteeID: "owner", Permission: "FULL_CONTROL"}}}),
			ObjectOwnership:   core.Known("BucketOwnerPreferred")}
		if mut != nil {
			mut(s, &b)
		}
		s.S3.Buckets = core.Known([]s3.Bucket{b})
		return s
	}
}

func withACL(grants ...s3.Grant) func(*model.Snapshot, *s3.Bucket) {
	return func(_ *model.Snapshot, b *s3.Bucket) {
		b.ACL = core.Known(s3.ACL{OwnerID: "owner", Grants: append([]s3.Grant{{GranteeType: "CanonicalUser", GranteeID: "owner", Permission: "FULL_CONTROL"}}, grants...)})
	}
}

func keySnap(policy string) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		s.KMS = []kms.Region{{Name: region, Keys: core.Known([]kms.Key{{Meta: core.Meta{ARN: keyARN, Account: acct, Region: region}, ID: "1234abcd", Policy: core.Known(policy)}})}}
		return s
	}
}

func queueSnap(policy string) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		s.SQS = []sqs.Region{{Name: region, Queues: core.Known([]sqs.Queue{{Meta: core.Meta{ARN: queue, Account: acct, Region: region}, Name: "jobs",
			Attributes: core.Known(sqs.QueueAttributes{Policy: policy})}})}}
		return s
	}
}

func topicSnap(policy string) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		s.SNS = []sns.Region{{Name: region, Topics: core.Known([]sns.Topic{{Meta: core.Meta{ARN: topic, Account: acct, Region: region}, Name: "alerts",
			Attributes: core.Known(sns.TopicAttributes{Policy: policy})}})}}
		return s
	}
}

func fnSnap(policy string) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		s.Lambda = []lambda.Region{{Name: region, Functions: core.Known([]lambda.Function{{Meta: core.Meta{ARN: fnARN, Account: acct, Region: region}, Name: "api",
			Policy: core.Known(policy), URLs: core.Known([]lambda.FunctionURL{})}})}}
		return s
	}
}

func repoSnap(policy string) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		s.ECR = []ecr.Region{{Name: region, Repositories: core.Known([]ecr.Repository{{Meta: core.Meta{ARN: repo, Account: acct, Region: region}, Name: "app", Policy: core.Known(policy)}})}}
		return s
	}
}

func secretSnap(policy string) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		s.SecretsManager = []secretsmanager.Region{{Name: region, Secrets: core.Known([]secretsmanager.Secret{{Meta: core.Meta{ARN: secret, Account: acct, Region: region}, Name: "db", Policy: core.Known(policy)}})}}
		return s
	}
}

func fsSnap(policy core.Val[string]) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		s.EFS = []efs.Region{{Name: region, FileSystems: core.Known([]efs.FileSystem{{Meta: core.Meta{ARN: fsARN, Account: acct, Region: region},
			ID: "fs-0123456789abcdef0", Policy: policy}})}}
		return s
	}
}

func roleSnap(trust string) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		s.IAM.Roles = core.Known([]modeliam.Role{{Meta: core.Meta{ARN: role, Account: acct, Region: core.GlobalRegion}, Name: "deploy", Path: "/", AssumeRolePolicy: trust}})
		return s
	}
}

func ebsSnap(perms core.Val[[]ec2.VolumePermission]) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		s.EC2 = []ec2.Region{{Name: region, Snapshots: core.Known([]ec2.Snapshot{{Meta: core.Meta{ARN: ebsARN, Account: acct, Region: region}, ID: "snap-1", OwnerID: acct, CreateVolumePermissions: perms}})}}
		return s
	}
}

func rdsSnap(accts core.Val[[]string], cluster bool) func() *model.Snapshot {
	return func() *model.Snapshot {
		s := base()
		r := rds.Region{Name: region, Snapshots: core.Known([]rds.Snapshot{}), ClusterSnapshots: core.Known([]rds.Snapshot{})}
		if cluster {
			r.ClusterSnapshots = core.Known([]rds.Snapshot{{Meta: core.Meta{ARN: rdsCl, Account: acct, Region: region}, ID: "cl-snap", RestoreAccounts: accts}})
		} else {
			r.Snapshots = core.Known([]rds.Snapshot{{Meta: core.Meta{ARN: rdsARN, Account: acct, Region: region}, ID: "db-snap", RestoreAccounts: accts}})
		}
		s.RDS = []rds.Region{r}
		return s
	}
}

type expoCase struct {
	name  string
	doc   string
	build func() *model.Snapshot
	arn   string
	// public: an effective public grant; external: the effective grants to
	// other accounts, principals, organizations or unidentified grantees
	// (their Principal, sorted); unknown: the finding has unknowns.
	public   bool
	external []string
	unknown  bool
	check    func(t *testing.T, f Finding)
}

func hasGrant(scope Scope, blocked bool) func(t *testing.T, f Finding) {
	return func(t *testing.T, f Finding) {
		for _, g := range f.Grants {
			if g.Scope == scope && g.Blocked == blocked {
				return
			}
		}
		t.Errorf("no %s grant with blocked=%v: %+v", scope, blocked, f.Grants)
	}
}

func actionsInclude(acts ...string) func(t *testing.T, f Finding) {
	return func(t *testing.T, f Finding) {
		for _, g := range f.Grants {
			if g.Scope != ScopePublic && !g.External() {
				continue
			}
			have := map[string]bool{}
			for _, a := range g.Actions {
				have[a] = true
			}
			for _, a := range acts {
				if !have[a] {
					t.Errorf("grant %s lacks action %s: %v", g.Principal, a, g.Actions)
				}
			}
			return
		}
		t.Errorf("no public or external grant: %+v", f.Grants)
	}
}

var s3Get = `"s3:GetObject"`

func goldenCases() []expoCase {
	obj := bucket + "/*"
	cond := func(op, key, val string) string { return `{"` + op + `":{"` + key + `":` + jsv(val) + `}}` }
	return []expoCase{
		// S3: the meaning of public.
		{name: "s3 principal star is public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, "")), nil), arn: bucket, public: true,
			check: actionsInclude("s3:GetObject")},
		{name: "s3 principal AWS star is public", doc: docPrincipal, build: bucketSnap(pol(st("Allow", `{"AWS":"*"}`, "s3:GetObject", obj, "")), nil), arn: bucket, public: true},
		{name: "s3 StringLike aws:SourceVpc vpc-* is public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:PutObject", obj, cond("StringLike", "aws:SourceVpc", "vpc-*"))), nil), arn: bucket, public: true},
		{name: "s3 StringEquals fixed aws:SourceVpc is not public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:PutObject", obj, cond("StringEquals", "aws:SourceVpc", "vpc-91237329"))), nil), arn: bucket,
			check: hasGrant(ScopeNetwork, false)},
		{name: "s3 fixed aws:SourceVpce is not public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringEquals", "aws:SourceVpce", "vpce-1a2b3c4d"))), nil), arn: bucket},
		{name: "s3 aws:SourceIp CIDR set is not public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("IpAddress", "aws:SourceIp", `["203.0.113.0/24","2001:db8::/48"]`))), nil), arn: bucket},
		{name: "s3 aws:SourceIp 0.0.0.0/0 is public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("IpAddress", "aws:SourceIp", "0.0.0.0/0"))), nil), arn: bucket, public: true},
		{name: "s3 aws:SourceIp ::/0 is public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("IpAddress", "aws:SourceIp", "::/0"))), nil), arn: bucket, public: true},
		{name: "s3 NotIpAddress does not restrict", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))), nil), arn: bucket, public: true},
		{name: "s3 IfExists does not restrict", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringEqualsIfExists", "aws:SourceVpce", "vpce-1a2b3c4d"))), nil), arn: bucket, public: true},
		{name: "s3 ForAllValues does not restrict", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("ForAllValues:StringEquals", "aws:PrincipalOrgID", ownOrg))), nil), arn: bucket, public: true},
		{name: "s3 policy variable is not fixed", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringEquals", "aws:PrincipalAccount", "${aws:PrincipalTag/acct}"))), nil), arn: bucket, public: true},
		{name: "s3 negated operator does not restrict", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringNotEquals", "aws:PrincipalAccount", acct))), nil), arn: bucket, public: true},
		{name: "s3 condition on an unlisted key does not restrict", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("Bool", "aws:SecureTransport", "true"))), nil), arn: bucket, public: true},
		{name: "s3 own organization is not public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringEquals", "aws:PrincipalOrgID", ownOrg))), nil), arn: bucket, external: []string{ownOrg}},
		{name: "s3 foreign organization is a cross-account grant", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringEquals", "aws:PrincipalOrgID", "o-foreign999"))), nil), arn: bucket, external: []string{"o-foreign999"}},
		{name: "s3 fixed aws:PrincipalAccount names the account", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringEquals", "aws:PrincipalAccount", other))), nil), arn: bucket, external: []string{other}},
		{name: "s3 own aws:SourceAccount is internal", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:PutObject", obj, cond("StringEquals", "aws:SourceAccount", acct))), nil), arn: bucket},
		{name: "s3 aws:SourceArn of another account", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:PutObject", obj, cond("ArnEquals", "aws:SourceArn", "arn:aws:cloudtrail:us-east-1:"+other+":trail/org"))), nil), arn: bucket,
			external: []string{"arn:aws:cloudtrail:us-east-1:" + other + ":trail/org"}},
		{name: "s3 wildcard aws:PrincipalArn is public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/reader"))), nil), arn: bucket, public: true},
		{name: "s3 aws:userid outside AROLEID:* is fixed", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringLike", "aws:userid", "AROAEXAMPLEID:*"))), nil), arn: bucket,
			external: []string{"aws:userid AROAEXAMPLEID:*"}},
		{name: "s3 aws:userid wildcard is public", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringLike", "aws:userid", "*:admin"))), nil), arn: bucket, public: true},
		{name: "s3 s3:DataAccessPointAccount fixed", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("StringEquals", "s3:DataAccessPointAccount", acct))), nil), arn: bucket},
		{name: "s3 s3:DataAccessPointArn with wildcard name but fixed account", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, cond("ArnLike", "s3:DataAccessPointArn", "arn:aws:s3:us-west-2:"+acct+":accesspoint/*"))), nil), arn: bucket},
		{name: "s3 fixed principal of another account", doc: docPublic, build: bucketSnap(pol(st("Allow", `{"AWS":"arn:aws:iam::`+other+`:root"}`, "s3:GetObject", obj, "")), nil), arn: bucket, external: []string{"arn:aws:iam::" + other + ":root"},
			check: actionsInclude("s3:GetObject")},
		{name: "s3 own account principal is internal", doc: docPublic, build: bucketSnap(pol(st("Allow", `{"AWS":"arn:aws:iam::`+acct+`:role/app"}`, "s3:*", obj, "")), nil), arn: bucket},
		{name: "s3 service principal is not exposure", doc: docPublic, build: bucketSnap(pol(st("Allow", `{"Service":"cloudtrail.amazonaws.com"}`, "s3:PutObject", obj, "")), nil), arn: bucket,
			check: hasGrant(ScopeService, false)},
		{name: "s3 NotPrincipal with Allow is public", doc: docNotPrinc, build: bucketSnap(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"s3:GetObject","Resource":"`+obj+`"}]}`, nil), arn: bucket, public: true},
		{name: "s3 public policy blocked by bucket RestrictPublicBuckets", doc: docBPA, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, "")), func(_ *model.Snapshot, b *s3.Bucket) {
			b.PublicAccessBlock = core.Known(&s3.PublicAccessBlock{RestrictPublicBuckets: true})
		}), arn: bucket, check: hasGrant(ScopePublic, true)},
		{name: "s3 public policy blocked by account RestrictPublicBuckets", doc: docBPA, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, "")), func(s *model.Snapshot, _ *s3.Bucket) {
			s.S3.AccountPublicAccessBlock = core.Known(&s3.PublicAccessBlock{RestrictPublicBuckets: true})
		}), arn: bucket, check: hasGrant(ScopePublic, true)},
		{name: "s3 BlockPublicPolicy alone does not affect an existing policy", doc: docBPA, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, "")), func(_ *model.Snapshot, b *s3.Bucket) {
			b.PublicAccessBlock = core.Known(&s3.PublicAccessBlock{BlockPublicPolicy: true, BlockPublicAcls: true})
		}), arn: bucket, public: true},
		{name: "s3 public policy with unreadable Block Public Access is unknown", doc: docBPA, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, "")), func(_ *model.Snapshot, b *s3.Bucket) {
			b.PublicAccessBlock = core.Unknown[*s3.PublicAccessBlock]("access denied")
		}), arn: bucket, unknown: true},
		{name: "s3 documented example: public statement makes RestrictPublicBuckets cut Account-2 too", doc: docPublic, build: bucketSnap(pol(
			st("Allow", `{"Service":"cloudtrail.amazonaws.com"}`, "s3:PutObject", obj, ""),
			st("Allow", `{"AWS":"`+other+`"}`, "s3:GetObject", obj, ""),
			st("Allow", star, "s3:GetObject", obj, "")), func(_ *model.Snapshot, b *s3.Bucket) {
			b.PublicAccessBlock = core.Known(&s3.PublicAccessBlock{RestrictPublicBuckets: true})
		}), arn: bucket, check: func(t *testing.T, f Finding) {
			for _, g := range f.Grants {
				if (g.Scope == ScopeService) == g.Blocked {
					t.Errorf("grant %s blocked=%v", g.Principal, g.Blocked)
				}
			}
		}},
		{name: "s3 documented example: without the public statement Account-2 keeps access", doc: docPublic, build: bucketSnap(pol(
			st("Allow", `{"Service":"cloudtrail.amazonaws.com"}`, "s3:PutObject", obj, ""),
			st("Allow", `{"AWS":"`+other+`"}`, "s3:GetObject", obj, "")), func(_ *model.Snapshot, b *s3.Bucket) {
			b.PublicAccessBlock = core.Known(&s3.PublicAccessBlock{RestrictPublicBuckets: true})
		}), arn: bucket, external: []string{other}},
		{name: "s3 AWS policy status public wins", doc: docPublic, build: bucketSnap(pol(st("Allow", `{"AWS":"`+other+`"}`, "s3:GetObject", obj, "")), func(_ *model.Snapshot, b *s3.Bucket) {
			b.PolicyStatusPublic = core.Known(true)
		}), arn: bucket, public: true, external: []string{other}},
		{name: "s3 unconditional deny cancels the public grant", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, ""), st("Deny", star, "s3:*", obj, "")), nil), arn: bucket},
		{name: "s3 conditional deny (TLS) does not cancel", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:GetObject", obj, ""), st("Deny", star, "s3:*", obj, cond("Bool", "aws:SecureTransport", "false"))), nil), arn: bucket, public: true},
		{name: "s3 public s3:* gives read and write", doc: docPublic, build: bucketSnap(pol(st("Allow", star, "s3:*", `["`+bucket+`","`+obj+`"]`, "")), nil), arn: bucket, public: true,
			check: actionsInclude("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:PutBucketPolicy")},
		{name: "s3 policy not collected is unknown", doc: docPublic, build: bucketSnap("", func(_ *model.Snapshot, b *s3.Bucket) { b.Policy = core.Unknown[string]("access denied") }), arn: bucket, unknown: true},
		// S3 ACLs.
		{name: "s3 ACL AllUsers is public", doc: docACL, build: bucketSnap("", withACL(s3.Grant{GranteeType: "Group", GranteeURI: s3.AllUsersURI, Permission: "READ"})), arn: bucket, public: true},
		{name: "s3 ACL AuthenticatedUsers is public", doc: docACL, build: bucketSnap("", withACL(s3.Grant{GranteeType: "Group", GranteeURI: s3.AuthenticatedUsersURI, Permission: "WRITE"})), arn: bucket, public: true},
		{name: "s3 ACL public grant ignored by IgnorePublicAcls", doc: docBPA, build: bucketSnap("", func(s *model.Snapshot, b *s3.Bucket) {
			withACL(s3.Grant{GranteeType: "Group", GranteeURI: s3.AllUsersURI, Permission: "READ"})(s, b)
			s.S3.AccountPublicAccessBlock = core.Known(&s3.PublicAccessBlock{IgnorePublicAcls: true})
		}), arn: bucket, check: hasGrant(ScopePublic, true)},
		{name: "s3 ACLs disabled by bucket owner enforced", doc: docOwnership, build: bucketSnap("", func(s *model.Snapshot, b *s3.Bucket) {
			withACL(s3.Grant{GranteeType: "Group", GranteeURI: s3.AllUsersURI, Permission: "READ"})(s, b)
			b.ObjectOwnership = core.Known("BucketOwnerEnforced")
		}), arn: bucket},
		{name: "s3 ACL log delivery group is a service", doc: docACL, build: bucketSnap("", withACL(s3.Grant{GranteeType: "Group", GranteeURI: LogDeliveryURI, Permission: "WRITE"})), arn: bucket,
			check: hasGrant(ScopeService, false)},
		{name: "s3 ACL other canonical user is cross-account", doc: docACL, build: bucketSnap("", withACL(s3.Grant{GranteeType: "CanonicalUser", GranteeID: "79a59df900b949e5", Permission: "READ"})), arn: bucket,
			external: []string{"canonical user 79a59df900b949e5"}},
		{name: "s3 ACL not collected is unknown", doc: docACL, build: bucketSnap("", func(_ *model.Snapshot, b *s3.Bucket) { b.ACL = core.Unknown[s3.ACL]("access denied") }), arn: bucket, unknown: true},
		// KMS.
		{name: "kms key policy open to everyone is public", doc: docAnalyzer, build: keySnap(pol(st("Allow", `{"AWS":"*"}`, "kms:*", "*", ""))), arn: keyARN, public: true,
			check: actionsInclude("kms:Decrypt")},
		{name: "kms AWS managed key pattern with own kms:CallerAccount", doc: docKMSCaller, build: keySnap(pol(st("Allow", `{"AWS":"*"}`, `["kms:Encrypt","kms:Decrypt"]`, "*",
			`{"StringEquals":{"kms:CallerAccount":"`+acct+`","kms:ViaService":"ec2.us-east-1.amazonaws.com"}}`))), arn: keyARN},
		{name: "kms kms:CallerAccount of another account", doc: docKMSCaller, build: keySnap(pol(st("Allow", `{"AWS":"*"}`, "kms:Decrypt", "*", cond("StringEquals", "kms:CallerAccount", other)))), arn: keyARN, external: []string{other}},
		{name: "kms default key policy is internal", doc: docKMS, build: keySnap(pol(st("Allow", `{"AWS":"arn:aws:iam::`+acct+`:root"}`, "kms:*", "*", ""))), arn: keyARN},
		{name: "kms key policy not collected is unknown", doc: docKMS, build: func() *model.Snapshot {
			s := keySnap("")()
			s.KMS[0].Keys.V[0].Policy = core.Unknown[string]("access denied")
			return s
		}, arn: keyARN, unknown: true},
		// SQS, SNS.
		{name: "sqs queue open to everyone is public", doc: docSQS, build: queueSnap(pol(st("Allow", star, "sqs:SendMessage", queue, ""))), arn: queue, public: true,
			check: actionsInclude("sqs:SendMessage")},
		{name: "sqs queue for a topic of another account", doc: docSQS, build: queueSnap(pol(st("Allow", star, "sqs:SendMessage", queue, cond("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:"+other+":events")))), arn: queue,
			external: []string{"arn:aws:sns:us-east-1:" + other + ":events"}},
		{name: "sns default topic policy (AWS:SourceOwner) is internal", doc: docSNS, build: topicSnap(pol(st("Allow", `{"AWS":"*"}`, `["SNS:Publish","SNS:Subscribe"]`, topic, cond("StringEquals", "AWS:SourceOwner", acct)))), arn: topic},
		{name: "sns topic open to everyone is public", doc: docSNS, build: topicSnap(pol(st("Allow", star, "sns:Subscribe", topic, ""))), arn: topic, public: true},
		// Lambda.
		{name: "lambda function open to everyone is public", doc: docLambda, build: fnSnap(pol(st("Allow", star, "lambda:InvokeFunction", fnARN, ""))), arn: fnARN, public: true,
			check: actionsInclude("lambda:InvokeFunction")},
		{name: "lambda service principal with source account is internal", doc: docLambda, build: fnSnap(pol(st("Allow", `{"Service":"s3.amazonaws.com"}`, "lambda:InvokeFunction", fnARN, cond("StringEquals", "AWS:SourceAccount", acct)))), arn: fnARN},
		{name: "lambda another account", doc: docLambda, build: fnSnap(pol(st("Allow", `{"AWS":"`+other+`"}`, "lambda:InvokeFunction", fnARN, ""))), arn: fnARN, external: []string{other}},
		// ECR, Secrets Manager.
		{name: "ecr repository open to everyone is public", doc: docECR, build: repoSnap(pol(st("Allow", star, `["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]`, "", ""))), arn: repo, public: true,
			check: actionsInclude("ecr:BatchGetImage")},
		{name: "ecr own organization", doc: docECR, build: repoSnap(pol(st("Allow", star, "ecr:BatchGetImage", "", cond("StringEquals", "aws:PrincipalOrgID", ownOrg)))), arn: repo, external: []string{ownOrg}},
		{name: "secret shared with a role of another account", doc: docSecrets, build: secretSnap(pol(st("Allow", `{"AWS":"arn:aws:iam::`+other+`:role/reader"}`, "secretsmanager:GetSecretValue", "*", ""))), arn: secret,
			external: []string{"arn:aws:iam::" + other + ":role/reader"}, check: actionsInclude("secretsmanager:GetSecretValue")},
		// EFS file system policies.
		{name: "efs policy granting mount to everyone is public", doc: docEFS,
			build: fsSnap(core.Known(pol(st("Allow", star, `["elasticfilesystem:ClientMount","elasticfilesystem:ClientWrite"]`, fsARN, "")))), arn: fsARN, public: true,
			check: actionsInclude("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")},
		{name: "efs policy shared with another account", doc: docEFS,
			build: fsSnap(core.Known(pol(st("Allow", `{"AWS":"`+other+`"}`, "elasticfilesystem:ClientMount", fsARN, "")))), arn: fsARN, external: []string{other}},
		{name: "efs without a file system policy grants nothing through IAM", doc: docEFS, build: fsSnap(core.Known("")), arn: fsARN},
		{name: "efs policy not collected is unknown", doc: docEFS, build: fsSnap(core.Unknown[string]("access denied (elasticfilesystem:DescribeFileSystemPolicy)")), arn: fsARN, unknown: true},
		// IAM trust policies.
		{name: "trust policy open to every AWS principal is public", doc: docAnalyzer, build: roleSnap(pol(st("Allow", `{"AWS":"*"}`, "sts:AssumeRole", "", ""))), arn: role, public: true,
			check: actionsInclude("sts:AssumeRole")},
		{name: "trust policy with only sts:ExternalId is still public", doc: docTrust, build: roleSnap(pol(st("Allow", `{"AWS":"*"}`, "sts:AssumeRole", "", cond("StringEquals", "sts:ExternalId", "12345")))), arn: role, public: true},
		{name: "trust policy for another account with an external ID", doc: docTrust, build: roleSnap(pol(st("Allow", `{"AWS":"`+other+`"}`, "sts:AssumeRole", "", cond("StringEquals", "sts:ExternalId", "12345")))), arn: role, external: []string{other}},
		{name: "trust policy for GitHub OIDC without a subject is public", doc: docOIDC, build: roleSnap(pol(st("Allow", `{"Federated":"arn:aws:iam::`+acct+`:oidc-provider/token.actions.githubusercontent.com"}`, "sts:AssumeRoleWithWebIdentity", "",
			cond("StringEquals", "token.actions.githubusercontent.com:aud", "sts.amazonaws.com")))), arn: role, public: true},
		{name: "trust policy for GitHub OIDC pinned to a repository", doc: docOIDC, build: roleSnap(pol(st("Allow", `{"Federated":"arn:aws:iam::`+acct+`:oidc-provider/token.actions.githubusercontent.com"}`, "sts:AssumeRoleWithWebIdentity", "",
			`{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"}}`))), arn: role},
		{name: "trust policy for a service is internal", doc: docAnalyzer, build: roleSnap(pol(st("Allow", `{"Service":"ec2.amazonaws.com"}`, "sts:AssumeRole", "", ""))), arn: role},
		// EBS and RDS snapshots.
		{name: "ebs snapshot shared with all is public", doc: docEBS, build: ebsSnap(core.Known([]ec2.VolumePermission{{Group: "all"}})), arn: ebsARN, public: true},
		{name: "ebs snapshot shared with an account", doc: docEBS, build: ebsSnap(core.Known([]ec2.VolumePermission{{UserID: other}})), arn: ebsARN, external: []string{other}},
		{name: "ebs snapshot permissions not collected", doc: docEBS, build: ebsSnap(core.Unknown[[]ec2.VolumePermission]("access denied")), arn: ebsARN, unknown: true},
		{name: "rds snapshot restorable by all is public", doc: docRDS, build: rdsSnap(core.Known([]string{"all"}), false), arn: rdsARN, public: true},
		{name: "rds snapshot shared with an account", doc: docRDS, build: rdsSnap(core.Known([]string{other}), false), arn: rdsARN, external: []string{other}},
		{name: "rds cluster snapshot restorable by all is public", doc: docRDS, build: rdsSnap(core.Known([]string{"all"}), true), arn: rdsCl, public: true},
		{name: "rds snapshot restore attribute not collected", doc: docRDS, build: rdsSnap(core.Unknown[[]string]("access denied"), false), arn: rdsARN, unknown: true},
	}
}

func TestExposureGolden(t *testing.T) {
	cases := goldenCases()
	if len(cases) < 40 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.HasPrefix(tc.doc, "https://docs.aws.amazon.com/") {
				t.Fatalf("case cites no AWS documentation: %q", tc.doc)
			}
			r := Analyze(tc.build())
			var f *Finding
			for i := range r.Findings {
				if r.Findings[i].ARN == tc.arn {
					f = &r.Findings[i]
				}
			}
			if f == nil {
				t.Fatalf("no finding for %s; findings %+v gaps %+v", tc.arn, r.Findings, r.Gaps)
			}
			if got := len(f.Public()) > 0; got != tc.public {
				t.Errorf("public = %v, want %v (%s)\ngrants %+v\nnotes %v", got, tc.public, tc.doc, f.Grants, f.Notes)
			}
			var ext []string
			for _, g := range f.External() {
				ext = append(ext, g.Principal)
			}
			sort.Strings(ext)
			if strings.Join(ext, ",") != strings.Join(tc.external, ",") {
				t.Errorf("external = %v, want %v (%s)\ngrants %+v", ext, tc.external, tc.doc, f.Grants)
			}
			if got := len(f.Unknown) > 0; got != tc.unknown {
				t.Errorf("unknown = %v (%v), want %v", got, f.Unknown, tc.unknown)
			}
			if tc.check != nil {
				tc.check(t, *f)
			}
		})
	}
}
