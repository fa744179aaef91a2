// Package sqs collects Amazon SQS queues in every region: access policy and
// server-side encryption (SSE-KMS or SSE-SQS).
package sqs

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	sqsm "github.com/demarc-sec/demarc/internal/model/sqs"
)

const service = "sqs"

// API is the part of the SQS client the collector uses.
type API interface {
	awssqs.ListQueuesAPIClient
	GetQueueAttributes(context.Context, *awssqs.GetQueueAttributesInput, ...func(*awssqs.Options)) (*awssqs.GetQueueAttributesOutput, error)
}

type collector struct{}

// New returns the SQS collector. It is global to the runner and reads every
// region of the snapshot itself, writing only snap.SQS.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (sqsm.Region, error) {
			return CollectRegion(ctx, env, awssqs.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.SQS = regions
	return err
}

// CollectRegion reads the queues of one region. The error is non-nil only
// when the queues could not be listed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (sqsm.Region, error) {
	r := sqsm.Region{Name: region}
	// ListQueues pages only when MaxResults is set; without it AWS returns
	// at most 1000 queues and no token.
	p := awssqs.NewListQueuesPaginator(c, &awssqs.ListQueuesInput{MaxResults: sdk.Int32(1000)})
	urls, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awssqs.ListQueuesOutput) []string { return o.QueueUrls })
	if err != nil {
		r.Queues = core.Unknown[[]sqsm.Queue](env.Unknown(service, region, "ListQueues", "", err))
		return r, err
	}
	queues := make([]sqsm.Queue, len(urls))
	kit.Each(ctx, len(urls), kit.ItemConcurrency, func(ctx context.Context, i int) {
		queues[i] = readQueue(ctx, env, c, arnPrefix, region, urls[i])
	})
	sort.Slice(queues, func(i, j int) bool { return queues[i].URL < queues[j].URL })
	r.Queues = core.Known(queues)
	return r, nil
}

func readQueue(ctx context.Context, env *aws.Env, c API, arnPrefix, region, u string) sqsm.Queue {
	name := strings.TrimSuffix(u, "/")
	name = name[strings.LastIndex(name, "/")+1:]
	q := sqsm.Queue{
		Meta: core.Meta{ARN: arnPrefix + ":sqs:" + region + ":" + env.AccountID + ":" + name, Account: env.AccountID, Region: region},
		Name: name,
		URL:  u,
	}
	out, err := c.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: sdk.String(u),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	switch {
	case err != nil:
		q.Attributes = core.Unknown[sqsm.QueueAttributes](env.Unknown(service, region, "GetQueueAttributes", q.ARN, err))
	case out == nil || out.Attributes == nil:
		q.Attributes = core.Unknown[sqsm.QueueAttributes]("not reported (sqs:GetQueueAttributes)")
	default:
		a := out.Attributes
		if arn := a["QueueArn"]; arn != "" {
			q.ARN = arn
			if parts := strings.Split(arn, ":"); len(parts) >= 6 && parts[4] != "" {
				q.Account = parts[4]
			}
		}
		q.Attributes = core.Known(convAttributes(a))
	}
	return q
}

func convAttributes(a map[string]string) sqsm.QueueAttributes {
	out := sqsm.QueueAttributes{
		Policy:         a["Policy"],
		KMSMasterKeyID: a["KmsMasterKeyId"],
		SQSManagedSSE:  a["SqsManagedSseEnabled"] == "true",
		FIFO:           a["FifoQueue"] == "true",
	}
	if rp := a["RedrivePolicy"]; rp != "" {
		var v struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		}
		if json.Unmarshal([]byte(rp), &v) == nil {
			out.DeadLetterTargetARN = v.DeadLetterTargetArn
		}
	}
	return out
}
