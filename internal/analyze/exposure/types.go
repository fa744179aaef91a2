package exposure

import (
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/ecr"
	"github.com/demarc-sec/demarc/internal/model/efs"
	"github.com/demarc-sec/demarc/internal/model/kms"
	"github.com/demarc-sec/demarc/internal/model/lambda"
	"github.com/demarc-sec/demarc/internal/model/rds"
	"github.com/demarc-sec/demarc/internal/model/secretsmanager"
	"github.com/demarc-sec/demarc/internal/model/sns"
	"github.com/demarc-sec/demarc/internal/model/sqs"
)

// Short names for the per-region model types the walkers take.
type (
	kmsRegion     = kms.Region
	sqsRegion     = sqs.Region
	snsRegion     = sns.Region
	lambdaRegion  = lambda.Region
	ecrRegion     = ecr.Region
	secretsRegion = secretsmanager.Region
	efsRegion     = efs.Region
	ec2Region     = ec2.Region
	rdsRegion     = rds.Region
	rdsSnapshot   = rds.Snapshot
)
