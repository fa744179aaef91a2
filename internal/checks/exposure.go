package checks

import (
	"fmt"
	"sort"
	"strings"

	xp "github.com/demarc-sec/demarc/internal/analyze/exposure"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// exposureKind describes one resource type of the exposure rules.
type exposureKind struct {
	kind    xp.Kind
	id      string // rule ID stem: "exposure-<id>-public", "exposure-<id>-cross-account"
	service string
	noun    string // "S3 bucket"
	// publicSeverity: most kinds are critical when public; messaging
	// resources (queues, topics) high.
	publicSeverity Severity
	layer          string
	// publicControls are the framework controls the public rule automates.
	publicControls map[string][]string
	links          []string
	fixPublic      string
	fixCross       string
}

var exposureKinds = []exposureKind{
	{kind: xp.S3Bucket, id: "s3-bucket", service: "s3", noun: "S3 bucket", publicSeverity: Critical, layer: LayerData,
		publicControls: map[string][]string{},
		links:          []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status"},
		fixPublic: "Remove the public statement or ACL grant and turn on Block Public Access:\n" +
			"  aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration \\\n" +
			"      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
			"Terraform: resource \"aws_s3_bucket_public_access_block\" \"b\" { bucket = aws_s3_bucket.b.id, block_public_acls = true,\n" +
			"  ignore_public_acls = true, block_public_policy = true, restrict_public_buckets = true }",
		fixCross: "Remove the statement (or ACL grant) for the external account, or add the account to trusted_accounts in demarc.yaml:\n" +
			"  aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json\n" +
			"Terraform: aws_s3_bucket_policy with only the principals you expect."},
	{kind: xp.KMSKey, id: "kms-key", service: "kms", noun: "KMS key", publicSeverity: Critical, layer: LayerData,
		publicControls: map[string][]string{FSBP: {"KMS.5"}},
		links:          []string{"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html", "https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-5"},
		fixPublic: "Replace Principal \"*\" in the key policy by the accounts and roles that need the key (or fix kms:CallerAccount):\n" +
			"  aws kms put-key-policy --key-id KEY --policy-name default --policy file://key-policy.json\n" +
			"Terraform: resource \"aws_kms_key\" \"k\" { policy = data.aws_iam_policy_document.key.json }",
		fixCross: "Remove the external account from the key policy, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws kms put-key-policy --key-id KEY --policy-name default --policy file://key-policy.json"},
	{kind: xp.SQSQueue, id: "sqs-queue", service: "sqs", noun: "SQS queue", publicSeverity: High, layer: LayerData,
		publicControls: map[string][]string{},
		links:          []string{"https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html"},
		fixPublic: "Restrict the queue policy to named principals, or to aws:SourceArn/aws:SourceAccount for service senders:\n" +
			"  aws sqs set-queue-attributes --queue-url URL --attributes file://policy-attribute.json\n" +
			"Terraform: resource \"aws_sqs_queue_policy\" \"q\" { policy = data.aws_iam_policy_document.q.json }",
		fixCross: "Remove the external account from the queue policy, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws sqs set-queue-attributes --queue-url URL --attributes file://policy-attribute.json"},
	{kind: xp.SNSTopic, id: "sns-topic", service: "sns", noun: "SNS topic", publicSeverity: High, layer: LayerData,
		publicControls: map[string][]string{FSBP: {"SNS.4"}},
		links:          []string{"https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html", "https://docs.aws.amazon.com/securityhub/latest/userguide/sns-controls.html#sns-4"},
		fixPublic: "Restrict the topic policy (e.g. the default AWS:SourceOwner condition, or named principals):\n" +
			"  aws sns set-topic-attributes --topic-arn ARN --attribute-name Policy --attribute-value file://policy.json\n" +
			"Terraform: resource \"aws_sns_topic_policy\" \"t\" { arn = aws_sns_topic.t.arn, policy = data.aws_iam_policy_document.t.json }",
		fixCross: "Remove the external account from the topic policy, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws sns set-topic-attributes --topic-arn ARN --attribute-name Policy --attribute-value file://policy.json"},
	{kind: xp.LambdaFunction, id: "lambda-function", service: "lambda", noun: "Lambda function", publicSeverity: Critical, layer: LayerIAM,
		publicControls: map[string][]string{FSBP: {"Lambda.1"}},
		links:          []string{"https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html", "https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-1"},
		fixPublic: "Remove the public permission (or add aws:SourceArn/aws:SourceAccount for service invokers):\n" +
			"  aws lambda remove-permission --function-name FN --statement-id SID\n" +
			"Terraform: aws_lambda_permission with principal and source_arn / source_account set.",
		fixCross: "Remove the permission for the external account, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws lambda remove-permission --function-name FN --statement-id SID"},
	{kind: xp.ECRRepository, id: "ecr-repository", service: "ecr", noun: "ECR repository", publicSeverity: Critical, layer: LayerData,
		publicControls: map[string][]string{},
		links:          []string{"https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html"},
		fixPublic: "Restrict the repository policy to named accounts or your organization (aws:PrincipalOrgID):\n" +
			"  aws ecr set-repository-policy --repository-name REPO --policy-text file://policy.json\n" +
			"Terraform: resource \"aws_ecr_repository_policy\" \"r\" { repository = aws_ecr_repository.r.name, policy = data.aws_iam_policy_document.r.json }",
		fixCross: "Remove the external account from the repository policy, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws ecr set-repository-policy --repository-name REPO --policy-text file://policy.json"},
	{kind: xp.Secret, id: "secretsmanager-secret", service: "secretsmanager", noun: "Secrets Manager secret", publicSeverity: Critical, layer: LayerData,
		publicControls: map[string][]string{},
		links:          []string{"https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html"},
		fixPublic: "Restrict the secret's resource policy to named principals (and turn on public-policy blocking):\n" +
			"  aws secretsmanager put-resource-policy --secret-id SECRET --resource-policy file://policy.json --block-public-policy\n" +
			"Terraform: resource \"aws_secretsmanager_secret_policy\" \"s\" { block_public_policy = true, policy = ... }",
		fixCross: "Remove the external account from the secret's policy, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws secretsmanager put-resource-policy --secret-id SECRET --resource-policy file://policy.json"},
	{kind: xp.EFSFileSystem, id: "efs-file-system", service: "efs", noun: "EFS file system", publicSeverity: Critical, layer: LayerData,
		publicControls: map[string][]string{},
		links: []string{"https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html",
			"https://docs.aws.amazon.com/efs/latest/ug/access-control-block-public-access.html"},
		fixPublic: "Name the principals in the file system policy (or require aws:PrincipalOrgID / aws:SourceVpc); EFS blocks new public policies by default:\n" +
			"  aws efs put-file-system-policy --file-system-id FS --policy file://policy.json\n" +
			"Terraform: resource \"aws_efs_file_system_policy\" \"p\" { file_system_id = aws_efs_file_system.f.id, policy = data.aws_iam_policy_document.p.json }",
		fixCross: "Remove the external account from the file system policy, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws efs put-file-system-policy --file-system-id FS --policy file://policy.json"},
	{kind: xp.IAMRole, id: "iam-role", service: "iam", noun: "IAM role", publicSeverity: Critical, layer: LayerIAM,
		publicControls: map[string][]string{},
		links:          []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html", "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"},
		fixPublic: "Name the trusted principals in the trust policy; for OIDC providers pin the subject (e.g. token.actions.githubusercontent.com:sub):\n" +
			"  aws iam update-assume-role-policy --role-name ROLE --policy-document file://trust.json\n" +
			"Terraform: resource \"aws_iam_role\" \"r\" { assume_role_policy = data.aws_iam_policy_document.trust.json }",
		fixCross: "Remove the external account from the trust policy (use sts:ExternalId for third parties), or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws iam update-assume-role-policy --role-name ROLE --policy-document file://trust.json"},
	{kind: xp.EBSSnapshot, id: "ebs-snapshot", service: "ec2", noun: "EBS snapshot", publicSeverity: Critical, layer: LayerData,
		publicControls: map[string][]string{},
		links:          []string{"https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html"},
		fixPublic: "  aws ec2 modify-snapshot-attribute --snapshot-id SNAP --attribute createVolumePermission --operation-type remove --group-names all\n" +
			"  aws ec2 enable-snapshot-block-public-access --state block-all-sharing",
		fixCross: "Stop sharing with the account, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws ec2 modify-snapshot-attribute --snapshot-id SNAP --attribute createVolumePermission --operation-type remove --user-ids ACCOUNT"},
	{kind: xp.RDSSnapshot, id: "rds-snapshot", service: "rds", noun: "RDS DB snapshot", publicSeverity: Critical, layer: LayerData,
		publicControls: map[string][]string{FSBP: {"RDS.1"}},
		links:          []string{"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html", "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-1"},
		fixPublic:      "  aws rds modify-db-snapshot-attribute --db-snapshot-identifier SNAP --attribute-name restore --values-to-remove all",
		fixCross: "Stop sharing with the account, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws rds modify-db-snapshot-attribute --db-snapshot-identifier SNAP --attribute-name restore --values-to-remove ACCOUNT"},
	{kind: xp.RDSClusterSnapshot, id: "rds-cluster-snapshot", service: "rds", noun: "RDS DB cluster snapshot", publicSeverity: Critical, layer: LayerData,
		publicControls: map[string][]string{FSBP: {"RDS.1"}},
		links:          []string{"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-share-snapshot.html", "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-1"},
		fixPublic:      "  aws rds modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier SNAP --attribute-name restore --values-to-remove all",
		fixCross: "Stop sharing with the account, or add it to trusted_accounts in demarc.yaml:\n" +
			"  aws rds modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier SNAP --attribute-name restore --values-to-remove ACCOUNT"},
}

// exposureRules are the public and cross-account rules, two per resource
// type, backed by internal/analyze/exposure. Cross-account grants are judged
// against o.TrustedAccounts: with none configured, every other account is
// untrusted, as IAM Access Analyzer treats it.
func exposureRules(o Options) []Rule {
	var out []Rule
	for _, k := range exposureKinds {
		k := k
		out = append(out, Rule{
			ID:             "exposure-" + k.id + "-public",
			Title:          k.noun + "s are not public",
			Service:        k.service,
			Severity:       k.publicSeverity,
			Responsibility: k.layer,
			Frameworks:     k.publicControls,
			Description: "A " + k.noun + " is public when its policy (or ACL, or sharing attribute) grants access to anyone: Principal \"*\" " +
				"without a condition fixing the caller's account, organization, ARN, source ARN, VPC, VPC endpoint or IP range (S3's " +
				"definition of a public policy), NotPrincipal with Allow, an AllUsers/AuthenticatedUsers ACL grant, or sharing with \"all\". " +
				"Block Public Access settings that neutralize a grant are taken into account.",
			Remediation: k.fixPublic,
			Links:       k.links,
			Check:       func(s *model.Snapshot) []Result { return checkExposure(s, k, o, true) },
		}, Rule{
			ID:             "exposure-" + k.id + "-cross-account",
			Title:          k.noun + "s are shared only with trusted accounts",
			Service:        k.service,
			Severity:       Medium,
			Responsibility: k.layer,
			Frameworks:     map[string][]string{},
			Description: "Grants to other AWS accounts, their users and roles, and other organizations must go to accounts listed in " +
				"trusted_accounts (demarc.yaml); a grant to your own organization (aws:PrincipalOrgID) is trusted. Grantees demarc cannot " +
				"identify (canonical user IDs, aws:userid values) are untrusted. Public resources fail too: every account can reach them.",
			Remediation: k.fixCross,
			Links:       k.links,
			Check:       func(s *model.Snapshot) []Result { return checkExposure(s, k, o, false) },
		})
	}
	return out
}

func checkExposure(s *model.Snapshot, k exposureKind, o Options, public bool) []Result {
	r := xp.AnalyzeKinds(s, k.kind)
	findings, gaps := r.Of(k.kind)
	var out []Result
	for _, g := range gaps {
		out = append(out, UnknownR(g.ARN, g.Region, "%s", g.Reason))
	}
	for i := range findings {
		f := &findings[i]
		if public {
			out = append(out, judgePublic(f, k))
		} else {
			out = append(out, judgeCross(f, k, o, r.OrgID))
		}
	}
	if len(out) == 0 {
		out = append(out, PassR(s.ARNPrefix()+":"+k.service+"::"+s.AccountID+":"+k.id+"/*", globalRegion, "no %ss in the snapshot", k.noun))
	}
	return out
}

func resourceName(f *xp.Finding, k exposureKind) string {
	name := f.Name
	if name == "" {
		name = f.ARN
	}
	return k.noun + " " + name
}

func judgePublic(f *xp.Finding, k exposureKind) Result {
	region := regionOr(core.Meta{Region: f.Region}, globalRegion)
	what := resourceName(f, k)
	if pub := f.Public(); len(pub) > 0 {
		return FailR(f.ARN, region, "%s is public: %s", what, describeGrants(pub))
	}
	var unk []string
	for _, g := range f.MaybeBlocked() {
		if g.Scope == xp.ScopePublic {
			unk = append(unk, "a public grant ("+describeGrant(g)+") may or may not be blocked")
		}
	}
	unk = append(unk, f.Unknown...)
	if len(unk) > 0 {
		return UnknownR(f.ARN, region, "cannot tell whether %s is public: %s", what, strings.Join(dedupeStrings(unk), "; "))
	}
	msg := what + " is not public"
	var blocked []string
	for _, g := range f.Grants {
		if g.Scope == xp.ScopePublic && g.Blocked {
			blocked = append(blocked, describeGrant(g)+" is blocked by "+g.BlockedBy)
		}
	}
	if len(blocked) > 0 {
		msg += " (" + strings.Join(blocked, "; ") + ")"
	}
	return PassR(f.ARN, region, "%s", msg)
}

func judgeCross(f *xp.Finding, k exposureKind, o Options, ownOrg string) Result {
	region := regionOr(core.Meta{Region: f.Region}, globalRegion)
	what := resourceName(f, k)
	var untrusted, trusted []xp.Grant
	for _, g := range f.External() {
		if xp.Trusted(g, o.TrustedAccounts, ownOrg) {
			trusted = append(trusted, g)
		} else {
			untrusted = append(untrusted, g)
		}
	}
	pub := f.Public()
	if len(untrusted) > 0 || len(pub) > 0 {
		var parts []string
		if len(pub) > 0 {
			parts = append(parts, "public, so every account can reach it: "+describeGrants(pub))
		}
		if len(untrusted) > 0 {
			parts = append(parts, "shared with untrusted "+describeGrants(untrusted))
		}
		return FailR(f.ARN, region, "%s is %s", what, strings.Join(parts, "; "))
	}
	var unk []string
	for _, g := range f.MaybeBlocked() {
		if g.External() && !xp.Trusted(g, o.TrustedAccounts, ownOrg) || g.Scope == xp.ScopePublic {
			unk = append(unk, "a grant ("+describeGrant(g)+") may or may not be blocked")
		}
	}
	unk = append(unk, f.Unknown...)
	if len(unk) > 0 {
		return UnknownR(f.ARN, region, "cannot tell whom %s is shared with: %s", what, strings.Join(dedupeStrings(unk), "; "))
	}
	if len(trusted) > 0 {
		return PassR(f.ARN, region, "%s is shared only with trusted %s", what, describeGrants(trusted))
	}
	return PassR(f.ARN, region, "%s is not shared with other accounts", what)
}

// describeGrants renders grants for a message, most telling first.
func describeGrants(gs []xp.Grant) string {
	parts := make([]string, 0, len(gs))
	for _, g := range gs {
		parts = append(parts, describeGrant(g))
	}
	sort.Strings(parts)
	return strings.Join(dedupeStrings(parts), "; ")
}

func describeGrant(g xp.Grant) string {
	who := g.Principal
	switch g.Scope {
	case xp.ScopeAccount:
		who = "account " + g.Account
		if g.Principal != g.Account {
			who += " (" + g.Principal + ")"
		}
	case xp.ScopePrincipal:
		who = "principal " + g.Principal
	case xp.ScopeOrganization:
		who = "organization " + g.OrgID
	case xp.ScopeUnidentified:
		who = "unidentified grantee " + g.Principal
	case xp.ScopePublic:
		who = "anyone (" + g.Principal + ")"
	}
	acts := g.Actions
	more := ""
	if len(acts) > 6 {
		more = fmt.Sprintf(" and %d more", len(acts)-6)
		acts = acts[:6]
	}
	s := who + " via " + g.Via
	if len(acts) > 0 {
		s += ": " + strings.Join(acts, ", ") + more
	}
	return s
}

func dedupeStrings(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
