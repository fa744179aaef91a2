// Package sns collects Amazon SNS in every region: topics with their access
// policy, encryption key and delivery status logging, and subscriptions.
package sns

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	snsm "github.com/demarc-sec/demarc/internal/model/sns"
)

const service = "sns"

// API is the part of the SNS client the collector uses.
type API interface {
	awssns.ListTopicsAPIClient
	awssns.ListSubscriptionsAPIClient
	GetTopicAttributes(context.Context, *awssns.GetTopicAttributesInput, ...func(*awssns.Options)) (*awssns.GetTopicAttributesOutput, error)
}

type collector struct{}

// New returns the SNS collector. It is global to the runner and reads every
// region of the snapshot itself, writing only snap.SNS.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (snsm.Region, error) {
			return CollectRegion(ctx, env, awssns.NewFromConfig(env.Config(region)), region)
		})
	snap.SNS = regions
	return err
}

// CollectRegion reads topics and subscriptions of one region. The error is
// non-nil only when neither could be listed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, region string) (snsm.Region, error) {
	r := snsm.Region{Name: region}
	tp := awssns.NewListTopicsPaginator(c, &awssns.ListTopicsInput{})
	topics, terr := kit.All(ctx, tp.HasMorePages, tp.NextPage, func(o *awssns.ListTopicsOutput) []types.Topic { return o.Topics })
	if terr != nil {
		r.Topics = core.Unknown[[]snsm.Topic](env.Unknown(service, region, "ListTopics", "", terr))
	} else {
		out := make([]snsm.Topic, len(topics))
		kit.Each(ctx, len(topics), kit.ItemConcurrency, func(ctx context.Context, i int) {
			out[i] = readTopic(ctx, env, c, region, sdk.ToString(topics[i].TopicArn))
		})
		sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
		r.Topics = core.Known(out)
	}

	sp := awssns.NewListSubscriptionsPaginator(c, &awssns.ListSubscriptionsInput{})
	subs, serr := kit.All(ctx, sp.HasMorePages, sp.NextPage, func(o *awssns.ListSubscriptionsOutput) []types.Subscription { return o.Subscriptions })
	if serr != nil {
		r.Subscriptions = core.Unknown[[]snsm.Subscription](env.Unknown(service, region, "ListSubscriptions", "", serr))
	} else {
		out := make([]snsm.Subscription, 0, len(subs))
		for _, s := range subs {
			out = append(out, convSubscription(s))
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].TopicARN != out[j].TopicARN {
				return out[i].TopicARN < out[j].TopicARN
			}
			if out[i].ARN != out[j].ARN {
				return out[i].ARN < out[j].ARN
			}
			return out[i].Endpoint < out[j].Endpoint
		})
		r.Subscriptions = core.Known(out)
	}
	if terr != nil && serr != nil {
		return r, terr
	}
	return r, nil
}

func readTopic(ctx context.Context, env *aws.Env, c API, region, arn string) snsm.Topic {
	t := snsm.Topic{Meta: core.Meta{ARN: arn, Account: env.AccountID, Region: region}, Name: arn[strings.LastIndex(arn, ":")+1:]}
	if parts := strings.Split(arn, ":"); len(parts) >= 6 && parts[4] != "" {
		t.Account = parts[4]
	}
	out, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: sdk.String(arn)})
	switch {
	case err != nil:
		t.Attributes = core.Unknown[snsm.TopicAttributes](env.Unknown(service, region, "GetTopicAttributes", arn, err))
	case out == nil || out.Attributes == nil:
		t.Attributes = core.Unknown[snsm.TopicAttributes]("not reported (sns:GetTopicAttributes)")
	default:
		t.Attributes = core.Known(convAttributes(out.Attributes))
	}
	return t
}

func convAttributes(a map[string]string) snsm.TopicAttributes {
	n := func(k string) int { v, _ := strconv.Atoi(a[k]); return v }
	return snsm.TopicAttributes{
		Policy:                 a["Policy"],
		KMSMasterKeyID:         a["KmsMasterKeyId"],
		Owner:                  a["Owner"],
		DisplayName:            a["DisplayName"],
		FIFO:                   a["FifoTopic"] == "true",
		SignatureVersion:       a["SignatureVersion"],
		SubscriptionsConfirmed: n("SubscriptionsConfirmed"),
		SubscriptionsPending:   n("SubscriptionsPending"),
		DeliveryStatusLogging:  deliveryStatusLogging(a),
	}
}

// deliveryProtocols are the attribute-name prefixes of delivery status
// logging, in sorted order
// (https://docs.aws.amazon.com/sns/latest/dg/sns-topic-attributes.html).
var deliveryProtocols = []string{"Application", "Firehose", "HTTP", "Lambda", "SQS"}

// deliveryStatusLogging returns the protocols with any delivery status
// logging attribute set; none is an empty (known) list.
func deliveryStatusLogging(a map[string]string) []snsm.DeliveryStatusLogging {
	var out []snsm.DeliveryStatusLogging
	for _, p := range deliveryProtocols {
		d := snsm.DeliveryStatusLogging{
			Protocol:                  p,
			SuccessFeedbackRoleARN:    a[p+"SuccessFeedbackRoleArn"],
			FailureFeedbackRoleARN:    a[p+"FailureFeedbackRoleArn"],
			SuccessFeedbackSampleRate: a[p+"SuccessFeedbackSampleRate"],
		}
		if d.SuccessFeedbackRoleARN != "" || d.FailureFeedbackRoleARN != "" {
			out = append(out, d)
		}
	}
	return out
}

func convSubscription(s types.Subscription) snsm.Subscription {
	proto := sdk.ToString(s.Protocol)
	return snsm.Subscription{
		ARN:      sdk.ToString(s.SubscriptionArn),
		TopicARN: sdk.ToString(s.TopicArn),
		Protocol: proto,
		Endpoint: redactEndpoint(proto, sdk.ToString(s.Endpoint)),
		Owner:    sdk.ToString(s.Owner),
	}
}

// redactEndpoint removes user info, query and fragment from HTTP(S)
// endpoints: webhook URLs often carry tokens there.
func redactEndpoint(protocol, endpoint string) string {
	if protocol != "http" && protocol != "https" {
		return endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	return u.String()
}
