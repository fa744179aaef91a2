// Package sns is the snapshot model of Amazon SNS, one Region at a time:
// topics with their access policy and encryption, and subscriptions (which
// CIS section 4 needs to tell whether an alarm notifies anyone).
package sns

import (
	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the SNS state of one region.
type Region struct {
	Name          string                   `json:"name"`
	Topics        core.Val[[]Topic]        `json:"topics"`
	Subscriptions core.Val[[]Subscription] `json:"subscriptions"`
}

// Topic is one topic. Meta.ARN is the topic ARN.
type Topic struct {
	core.Meta
	Name       string                    `json:"name"`
	Attributes core.Val[TopicAttributes] `json:"attributes"`
}

// TopicAttributes are the GetTopicAttributes fields rules need.
type TopicAttributes struct {
	// Policy is the topic's access policy.
	Policy string `json:"policy"`
	// KMSMasterKeyID is the key of server-side encryption ("" = not
	// encrypted at rest with KMS).
	KMSMasterKeyID         string `json:"kms_master_key_id,omitempty"`
	Owner                  string `json:"owner,omitempty"`
	DisplayName            string `json:"display_name,omitempty"`
	FIFO                   bool   `json:"fifo"`
	SignatureVersion       string `json:"signature_version,omitempty"`
	SubscriptionsConfirmed int    `json:"subscriptions_confirmed"`
	SubscriptionsPending   int    `json:"subscriptions_pending"`
	// DeliveryStatusLogging is the delivery status logging of each
	// protocol that has any (the <Protocol>SuccessFeedbackRoleArn,
	// <Protocol>FailureFeedbackRoleArn and <Protocol>SuccessFeedbackSampleRate
	// attributes), sorted by protocol.
	DeliveryStatusLogging []DeliveryStatusLogging `json:"delivery_status_logging,omitempty"`
}

// DeliveryStatusLogging is the delivery status logging of one protocol
// (https://docs.aws.amazon.com/sns/latest/dg/sns-topic-attributes.html).
type DeliveryStatusLogging struct {
	Protocol                  string `json:"protocol"` // Application | Firehose | HTTP | Lambda | SQS
	SuccessFeedbackRoleARN    string `json:"success_feedback_role_arn,omitempty"`
	FailureFeedbackRoleARN    string `json:"failure_feedback_role_arn,omitempty"`
	SuccessFeedbackSampleRate string `json:"success_feedback_sample_rate,omitempty"`
}

// Subscription is one subscription.
type Subscription struct {
	// ARN is the subscription ARN, or "PendingConfirmation".
	ARN      string `json:"arn"`
	TopicARN string `json:"topic_arn"`
	Protocol string `json:"protocol"`
	// Endpoint is where messages go; for http(s) the query string and
	// user info are removed (they may carry credentials).
	Endpoint string `json:"endpoint,omitempty"`
	Owner    string `json:"owner,omitempty"`
}

// Confirmed reports whether the subscriber confirmed the subscription.
func (s Subscription) Confirmed() bool {
	return s.ARN != "" && s.ARN != "PendingConfirmation" && s.ARN != "Deleted"
}
