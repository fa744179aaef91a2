// Package model is demarc's typed snapshot of one AWS account: everything the
// collectors read, in one value that the analyzers and checks take as input.
//
// The per-service types live in sub-packages (model/iam, model/s3, …); the
// shared Meta and unknown-aware Val live in model/core.
package model

import (
	"sort"
	"time"

	"github.com/demarc-sec/demarc/internal/model/acm"
	"github.com/demarc-sec/demarc/internal/model/apigateway"
	"github.com/demarc-sec/demarc/internal/model/autoscaling"
	"github.com/demarc-sec/demarc/internal/model/backup"
	"github.com/demarc-sec/demarc/internal/model/cloudfront"
	"github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/ecr"
	"github.com/demarc-sec/demarc/internal/model/efs"
	"github.com/demarc-sec/demarc/internal/model/eks"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
	"github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/identitycenter"
	"github.com/demarc-sec/demarc/internal/model/kms"
	"github.com/demarc-sec/demarc/internal/model/lambda"
	"github.com/demarc-sec/demarc/internal/model/logs"
	"github.com/demarc-sec/demarc/internal/model/organizations"
	"github.com/demarc-sec/demarc/internal/model/rds"
	"github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/model/secretsmanager"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
	"github.com/demarc-sec/demarc/internal/model/shield"
	"github.com/demarc-sec/demarc/internal/model/sns"
	"github.com/demarc-sec/demarc/internal/model/sqs"
	"github.com/demarc-sec/demarc/internal/model/ssm"
	"github.com/demarc-sec/demarc/internal/model/wafclassic"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

// SchemaVersion is the snapshot format version written by this build.
//
// Changelog:
//
//	1: first version (IAM, S3, EC2/VPC, CloudTrail, security-service enablement).
//	   Services and fields added since (KMS … Auto Scaling; EFS, CloudFront,
//	   Shield, API Gateway, WAF Classic, Identity Center, the FSBP fields) are
//	   additive: a snapshot written before them reads them as not collected,
//	   so the rules that need them say UNKNOWN, never PASS. A change that
//	   alters the meaning of an existing field bumps the version.
const SchemaVersion = 1

// Snapshot is one account, many regions.
type Snapshot struct {
	SchemaVersion int       `json:"schema_version"`
	DemarcVersion string    `json:"demarc_version"`
	CollectedAt   time.Time `json:"collected_at"`
	AccountID     string    `json:"account_id"`
	Partition     string    `json:"partition"` // aws | aws-cn | aws-us-gov
	// CallerARN is the identity that collected the snapshot.
	CallerARN string `json:"caller_arn,omitempty"`
	// Regions are the regions collected, sorted.
	Regions []string `json:"regions"`
	// Partial is true when collection stopped early (e.g. Ctrl-C).
	Partial bool `json:"partial,omitempty"`

	IAM        iam.Account        `json:"iam"`
	S3         s3.Account         `json:"s3"`
	EC2        []ec2.Region       `json:"ec2"`
	ELBv2      []elbv2.Region     `json:"elbv2,omitempty"`
	CloudTrail cloudtrail.Account `json:"cloudtrail"`
	Security   []secsvc.Region    `json:"security_services"`

	// Services read region by region by collectors that own their field:
	// one element per collected region, in Regions order.
	KMS            []kms.Region            `json:"kms,omitempty"`
	RDS            []rds.Region            `json:"rds,omitempty"`
	Lambda         []lambda.Region         `json:"lambda,omitempty"`
	DynamoDB       []dynamodb.Region       `json:"dynamodb,omitempty"`
	SNS            []sns.Region            `json:"sns,omitempty"`
	SQS            []sqs.Region            `json:"sqs,omitempty"`
	ECR            []ecr.Region            `json:"ecr,omitempty"`
	EKS            []eks.Region            `json:"eks,omitempty"`
	Logs           []logs.Region           `json:"logs,omitempty"` // CloudWatch Logs + metric alarms
	Backup         []backup.Region         `json:"backup,omitempty"`
	ACM            []acm.Region            `json:"acm,omitempty"`
	SecretsManager []secretsmanager.Region `json:"secretsmanager,omitempty"`
	SSM            []ssm.Region            `json:"ssm,omitempty"`
	AutoScaling    []autoscaling.Region    `json:"autoscaling,omitempty"`
	APIGateway     []apigateway.Region     `json:"apigateway,omitempty"`
	EFS            []efs.Region            `json:"efs,omitempty"`
	// WAFv2 holds regional web ACLs per region and the CloudFront scope.
	WAFv2 wafv2.State `json:"wafv2"`
	// WAFClassic holds the AWS WAF Classic global and regional resources.
	WAFClassic wafclassic.State `json:"waf_classic"`
	// IdentityCenter is what ListInstances answered in each region.
	IdentityCenter []identitycenter.Region `json:"identity_center,omitempty"`
	// Organizations is global: the organization as the account sees it.
	Organizations organizations.State `json:"organizations"`
	// CloudFront is global: every distribution with its configuration.
	CloudFront cloudfront.State `json:"cloudfront"`
	// Shield is global: the Shield Advanced subscription and protections.
	Shield shield.State `json:"shield"`

	// Errors lists every read that failed, for coverage reporting.
	Errors []core.CollectError `json:"errors,omitempty"`
}

// New returns an empty snapshot for the account.
func New(accountID, partition string, regions []string) *Snapshot {
	r := append([]string(nil), regions...)
	sort.Strings(r)
	return &Snapshot{
		SchemaVersion: SchemaVersion,
		AccountID:     accountID,
		Partition:     partition,
		Regions:       r,
	}
}

// Normalize sorts every list so that output is deterministic regardless of
// the order in which concurrent collectors finished.
func (s *Snapshot) Normalize() {
	sort.Strings(s.Regions)
	sortRegionSlices(s)
	core.SortCollectErrors(s.Errors)
}

// EC2Region returns the EC2 state of a region, or nil.
func (s *Snapshot) EC2Region(name string) *ec2.Region {
	for i := range s.EC2 {
		if s.EC2[i].Name == name {
			return &s.EC2[i]
		}
	}
	return nil
}

// ARNPrefix returns "arn:<partition>" for building ARNs.
func (s *Snapshot) ARNPrefix() string {
	p := s.Partition
	if p == "" {
		p = "aws"
	}
	return "arn:" + p
}
