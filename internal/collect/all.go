// Package collect lists demarc's collectors. The list is explicit (no init()
// registration): a collector runs when it is named here.
package collect

import (
	"context"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/acm"
	"github.com/demarc-sec/demarc/internal/collect/aws/apigateway"
	"github.com/demarc-sec/demarc/internal/collect/aws/autoscaling"
	"github.com/demarc-sec/demarc/internal/collect/aws/backup"
	"github.com/demarc-sec/demarc/internal/collect/aws/cloudfront"
	"github.com/demarc-sec/demarc/internal/collect/aws/cloudtrail"
	"github.com/demarc-sec/demarc/internal/collect/aws/dynamodb"
	"github.com/demarc-sec/demarc/internal/collect/aws/ec2"
	"github.com/demarc-sec/demarc/internal/collect/aws/ecr"
	"github.com/demarc-sec/demarc/internal/collect/aws/efs"
	"github.com/demarc-sec/demarc/internal/collect/aws/eks"
	"github.com/demarc-sec/demarc/internal/collect/aws/elbv2"
	"github.com/demarc-sec/demarc/internal/collect/aws/iam"
	"github.com/demarc-sec/demarc/internal/collect/aws/identitycenter"
	"github.com/demarc-sec/demarc/internal/collect/aws/kms"
	"github.com/demarc-sec/demarc/internal/collect/aws/lambda"
	"github.com/demarc-sec/demarc/internal/collect/aws/logs"
	"github.com/demarc-sec/demarc/internal/collect/aws/organizations"
	"github.com/demarc-sec/demarc/internal/collect/aws/rds"
	"github.com/demarc-sec/demarc/internal/collect/aws/s3"
	"github.com/demarc-sec/demarc/internal/collect/aws/secretsmanager"
	"github.com/demarc-sec/demarc/internal/collect/aws/secsvc"
	"github.com/demarc-sec/demarc/internal/collect/aws/shield"
	"github.com/demarc-sec/demarc/internal/collect/aws/sns"
	"github.com/demarc-sec/demarc/internal/collect/aws/sqs"
	"github.com/demarc-sec/demarc/internal/collect/aws/ssm"
	"github.com/demarc-sec/demarc/internal/collect/aws/wafclassic"
	"github.com/demarc-sec/demarc/internal/collect/aws/wafv2"
	"github.com/demarc-sec/demarc/internal/model"
)

// All returns every collector in a stable order.
func All() []aws.Collector {
	cs := []aws.Collector{
		acm.New(),
		apigateway.New(),
		autoscaling.New(),
		backup.New(),
		cloudfront.New(),
		cloudtrail.New(),
		dynamodb.New(),
		ec2.New(),
		ecr.New(),
		efs.New(),
		eks.New(),
		elbv2.New(),
		iam.New(),
		identitycenter.New(),
		kms.New(),
		lambda.New(),
		logs.New(),
		organizations.New(),
		rds.New(),
		s3.New(),
		secretsmanager.New(),
		shield.New(),
		sns.New(),
		sqs.New(),
		ssm.New(),
		wafclassic.New(),
		wafv2.New(),
	}
	// The security services are six collectors, one per service.
	cs = append(cs, secsvc.Collectors()...)
	aws.CheckUnique(cs)
	return cs
}

// Options are the collection options (re-exported for the CLI).
type Options = aws.Options

// Collect resolves credentials and regions and runs every collector. The
// returned snapshot is non-nil whenever collection started, even on error
// (interrupted runs return what was read, with Partial set).
func Collect(ctx context.Context, o Options) (*model.Snapshot, error) {
	env, err := aws.NewEnv(ctx, o)
	if err != nil {
		return nil, &SetupError{Err: err}
	}
	regions, err := aws.Regions(ctx, env, o.Regions)
	if err != nil {
		return nil, &SetupError{Err: err}
	}
	return aws.Run(ctx, env, regions, All(), o)
}

// SetupError is returned when collection could not start (credentials, STS,
// region discovery).
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }
