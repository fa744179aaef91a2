package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/ecr"
	"github.com/demarc-sec/demarc/internal/model/kms"
	"github.com/demarc-sec/demarc/internal/model/lambda"
	"github.com/demarc-sec/demarc/internal/model/rds"
	"github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/model/secretsmanager"
	"github.com/demarc-sec/demarc/internal/model/sns"
	"github.com/demarc-sec/demarc/internal/model/sqs"
)

const (
	// partnerAcct is the compliant world's trusted partner (its EBS
	// snapshot is shared with it); strangerAcct is trusted by nobody.
	partnerAcct  = "210987654321"
	strangerAcct = "444455556666"
)

// exposureOptions trust the compliant world's partner account.
var exposureOptions = Options{TrustedAccounts: []string{partnerAcct}}

func xpol(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func xallow(principal, action, resource, cond string) string {
	s := `{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `"`
	if resource != "" {
		s += `,"Resource":"` + resource + `"`
	}
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return s + "}"
}

func regionalARNOf(service, region, res string) string {
	return "arn:aws:" + service + ":" + region + ":" + acct + ":" + res
}

// addCompliantExposure gives the compliant world one private resource of
// every kind the exposure rules cover in its first region (the others are
// collected and empty), and trust policies for its roles.
func addCompliantExposure(s *model.Snapshot) {
	rootP := `{"AWS":"arn:aws:iam::` + acct + `:root"}`
	for _, r := range testRegions[:1] {
		key := regionalARNOf("kms", r, "key/k-"+r)
		s.KMS = append(s.KMS, kms.Region{Name: r, Keys: core.Known([]kms.Key{{Meta: core.Meta{ARN: key, Account: acct, Region: r}, ID: "k-" + r,
			Policy: core.Known(xpol(xallow(rootP, "kms:*", "*", "")))}})})
		q := regionalARNOf("sqs", r, "jobs")
		s.SQS = append(s.SQS, sqs.Region{Name: r, Queues: core.Known([]sqs.Queue{{Meta: core.Meta{ARN: q, Account: acct, Region: r}, Name: "jobs",
			Attributes: core.Known(sqs.QueueAttributes{Policy: xpol(xallow(`{"Service":"sns.amazonaws.com"}`, "sqs:SendMessage", q,
				`{"ArnEquals":{"aws:SourceArn":"`+regionalARNOf("sns", r, "alerts")+`"}}`))})}})})
		t := regionalARNOf("sns", r, "alerts")
		s.SNS = append(s.SNS, sns.Region{Name: r, Topics: core.Known([]sns.Topic{{Meta: core.Meta{ARN: t, Account: acct, Region: r}, Name: "alerts",
			Attributes: core.Known(sns.TopicAttributes{Policy: xpol(xallow(`{"AWS":"*"}`, "SNS:Publish", t, `{"StringEquals":{"AWS:SourceOwner":"`+acct+`"}}`))})}}),
			Subscriptions: core.Known([]sns.Subscription{})})
		fn := regionalARNOf("lambda", r, "function:api")
		s.Lambda = append(s.Lambda, lambda.Region{Name: r, Functions: core.Known([]lambda.Function{{Meta: core.Meta{ARN: fn, Account: acct, Region: r}, Name: "api",
			Policy: core.Known(xpol(xallow(`{"Service":"s3.amazonaws.com"}`, "lambda:InvokeFunction", fn, `{"StringEquals":{"AWS:SourceAccount":"`+acct+`"}}`))),
			URLs:   core.Known([]lambda.FunctionURL{})}})})
		s.ECR = append(s.ECR, ecr.Region{Name: r, Repositories: core.Known([]ecr.Repository{{Meta: core.Meta{ARN: regionalARNOf("ecr", r, "repository/app"), Account: acct, Region: r}, Name: "app",
			Policy: core.Known(xpol(xallow(`"*"`, "ecr:BatchGetImage", "", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`))), LifecyclePolicy: core.Known("")}})})
		s.SecretsManager = append(s.SecretsManager, secretsmanager.Region{Name: r, Secrets: core.Known([]secretsmanager.Secret{{
			Meta: core.Meta{ARN: regionalARNOf("secretsmanager", r, "secret:db-AbCdEf"), Account: acct, Region: r}, Name: "db", RotationEnabled: true,
			Policy: core.Known("")}})})
		s.RDS = append(s.RDS, rds.Region{Name: r, Instances: core.Known([]rds.Instance{}), Clusters: core.Known([]rds.Cluster{}),
			Snapshots: core.Known([]rds.Snapshot{{Meta: core.Meta{ARN: regionalARNOf("rds", r, "snapshot:nightly"), Account: acct, Region: r}, ID: "nightly",
				Type: "manual", Encrypted: true, RestoreAccounts: core.Known([]string{partnerAcct})}}),
			ClusterSnapshots: core.Known([]rds.Snapshot{})})
	}
	for _, r := range testRegions[1:] {
		s.KMS = append(s.KMS, kms.Region{Name: r, Keys: core.Known([]kms.Key{})})
		s.SQS = append(s.SQS, sqs.Region{Name: r, Queues: core.Known([]sqs.Queue{})})
		s.SNS = append(s.SNS, sns.Region{Name: r, Topics: core.Known([]sns.Topic{}), Subscriptions: core.Known([]sns.Subscription{})})
		s.Lambda = append(s.Lambda, lambda.Region{Name: r, Functions: core.Known([]lambda.Function{})})
		s.ECR = append(s.ECR, ecr.Region{Name: r, Repositories: core.Known([]ecr.Repository{})})
		s.SecretsManager = append(s.SecretsManager, secretsmanager.Region{Name: r, Secrets: core.Known([]secretsmanager.Secret{})})
		s.RDS = append(s.RDS, rds.Region{Name: r, Instances: core.Known([]rds.Instance{}), Clusters: core.Known([]rds.Cluster{}),
			Snapshots: core.Known([]rds.Snapshot{}), ClusterSnapshots: core.Known([]rds.Snapshot{})})
	}
	if roles, ok := s.IAM.Roles.Get(); ok {
		for i := range roles {
			if roles[i].AssumeRolePolicy == "" {
				roles[i].AssumeRolePolicy = xpol(xallow(rootP, "sts:AssumeRole", "", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`))
			}
		}
	}
}

// exposureBreak makes the first resource of a kind public (public true) or
// shared with an untrusted account.
func exposureBreak(id string, public bool) func(s *model.Snapshot) {
	principal := `"*"`
	if !public {
		principal = `{"AWS":"` + strangerAcct + `"}`
	}
	return func(s *model.Snapshot) {
		r := testRegions[0]
		switch id {
		case "s3-bucket":
			b := bucketAt(s, 0)
			b.Policy = core.Known(xpol(xallow(principal, "s3:GetObject", b.ARN+"/*", "")))
			b.PublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
			s.S3.AccountPublicAccessBlock = core.Known(&s3.PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true})
		case "kms-key":
			s.KMS[0].Keys.V[0].Policy = core.Known(xpol(xallow(principal, "kms:Decrypt", "*", "")))
		case "sqs-queue":
			q := &s.SQS[0].Queues.V[0]
			q.Attributes = core.Known(sqs.QueueAttributes{Policy: xpol(xallow(principal, "sqs:SendMessage", q.ARN, ""))})
		case "sns-topic":
			t := &s.SNS[0].Topics.V[0]
			t.Attributes = core.Known(sns.TopicAttributes{Policy: xpol(xallow(principal, "sns:Subscribe", t.ARN, ""))})
		case "lambda-function":
			f := &s.Lambda[0].Functions.V[0]
			f.Policy = core.Known(xpol(xallow(principal, "lambda:InvokeFunction", f.ARN, "")))
		case "ecr-repository":
			s.ECR[0].Repositories.V[0].Policy = core.Known(xpol(xallow(principal, "ecr:BatchGetImage", "", "")))
		case "secretsmanager-secret":
			s.SecretsManager[0].Secrets.V[0].Policy = core.Known(xpol(xallow(principal, "secretsmanager:GetSecretValue", "*", "")))
		case "efs-file-system":
			fs := efsAt(s, r)
			fs.Policy = core.Known(xpol(xallow(principal, "elasticfilesystem:ClientMount", fs.ARN, "")))
		case "iam-role":
			s.IAM.Roles.V[0].AssumeRolePolicy = xpol(xallow(principal, "sts:AssumeRole", "", ""))
		case "ebs-snapshot":
			perm := ec2.VolumePermission{Group: "all"}
			if !public {
				perm = ec2.VolumePermission{UserID: strangerAcct}
			}
			ec2At(s, r).Snapshots.V[0].CreateVolumePermissions = core.Known([]ec2.VolumePermission{perm})
		case "rds-snapshot", "rds-cluster-snapshot":
			who := "all"
			if !public {
				who = strangerAcct
			}
			sn := rds.Snapshot{Meta: core.Meta{ARN: regionalARNOf("rds", r, "cluster-snapshot:c1"), Account: acct, Region: r}, ID: "c1",
				RestoreAccounts: core.Known([]string{who})}
			for i := range s.RDS {
				if s.RDS[i].Name != r {
					continue
				}
				if id == "rds-snapshot" {
					s.RDS[i].Snapshots.V[0].RestoreAccounts = core.Known([]string{who})
				} else {
					s.RDS[i].ClusterSnapshots = core.Known([]rds.Snapshot{sn})
				}
			}
		default:
			panic("no exposure fixture for " + id)
		}
	}
}

func exposureFixtures() map[string]fixture {
	out := map[string]fixture{}
	for _, k := range exposureKinds {
		for _, public := range []bool{true, false} {
			id := "exposure-" + k.id + "-public"
			if !public {
				id = "exposure-" + k.id + "-cross-account"
			}
			f := failWhen(exposureBreak(k.id, public))
			f.opts = exposureOptions
			out[id] = f
		}
	}
	return out
}

func runWith(t *testing.T, id string, o Options, s *model.Snapshot) []Result {
	t.Helper()
	r, ok := DefaultWith(o).Get(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return r.Check(s)
}

// A public resource also fails the cross-account rule; an untrusted share
// does not fail the public rule; a trusted share passes.
func TestExposureRulesInteract(t *testing.T) {
	s := compliantSnapshot()
	exposureBreak("kms-key", true)(s)
	if st := statuses(runWith(t, "exposure-kms-key-cross-account", exposureOptions, s)); st[Fail] != 1 {
		t.Errorf("public key: cross-account statuses %v", st)
	}
	s = compliantSnapshot()
	exposureBreak("kms-key", false)(s)
	if st := statuses(runWith(t, "exposure-kms-key-public", exposureOptions, s)); st[Fail] != 0 {
		t.Errorf("shared key: public statuses %v", st)
	}
	msg := only(t, runWith(t, "exposure-kms-key-cross-account", Options{TrustedAccounts: []string{partnerAcct, strangerAcct}}, s), Pass)
	if !strings.Contains(msg, "trusted account "+strangerAcct) {
		t.Errorf("message %q", msg)
	}
	// Without trusted_accounts, every other account is untrusted.
	s = compliantSnapshot()
	if st := statuses(runWith(t, "exposure-ebs-snapshot-cross-account", Options{}, s)); st[Fail] == 0 {
		t.Errorf("EBS share without trusted accounts: %v", st)
	}
}

// Blocked public grants pass with a note; unreadable Block Public Access
// is UNKNOWN, never PASS.
func TestExposureS3BlockPublicAccess(t *testing.T) {
	s := compliantSnapshot()
	b := bucketAt(s, 0)
	b.Policy = core.Known(xpol(xallow(`"*"`, "s3:GetObject", b.ARN+"/*", "")))
	msg := only(t, runWith(t, "exposure-s3-bucket-public", exposureOptions, s), Pass)
	if !strings.Contains(msg, "blocked by") {
		t.Errorf("message %q", msg)
	}
	b.PublicAccessBlock = core.Unknown[*s3.PublicAccessBlock](core.ReasonAccessDenied)
	s.S3.AccountPublicAccessBlock = core.Unknown[*s3.PublicAccessBlock](core.ReasonAccessDenied)
	if st := statuses(runWith(t, "exposure-s3-bucket-public", exposureOptions, s)); st[Unknown] != 1 || st[Fail] != 0 {
		t.Errorf("statuses %v", st)
	}
}

// The example in the rule messages names who and what.
func TestExposureMessages(t *testing.T) {
	s := compliantSnapshot()
	exposureBreak("sqs-queue", false)(s)
	res := runWith(t, "exposure-sqs-queue-cross-account", exposureOptions, s)
	var msgs []string
	for _, r := range res {
		if r.Status == Fail {
			msgs = append(msgs, r.Message)
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "account "+strangerAcct) || !strings.Contains(msgs[0], "sqs:SendMessage") {
		t.Errorf("messages %q", msgs)
	}
}
