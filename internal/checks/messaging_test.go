package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/sns"
	"github.com/demarc-sec/demarc/internal/model/sqs"
)

func snsTopic(s *model.Snapshot) *sns.Topic {
	for ri := range s.SNS {
		if len(s.SNS[ri].Topics.V) > 0 {
			return &s.SNS[ri].Topics.V[0]
		}
	}
	panic("no SNS topic in the compliant world")
}

func sqsQueue(s *model.Snapshot) *sqs.Queue {
	for ri := range s.SQS {
		if len(s.SQS[ri].Queues.V) > 0 {
			return &s.SQS[ri].Queues.V[0]
		}
	}
	panic("no SQS queue in the compliant world")
}

func messagingFixtures() map[string]fixture {
	return map[string]fixture{
		"sns-topic-kms-encryption": failWhen(func(s *model.Snapshot) { snsTopic(s).Attributes.V.KMSMasterKeyID = "" }),
		"sns-topic-delivery-status-logging": failWhen(func(s *model.Snapshot) {
			// A sample rate without a feedback role logs nothing.
			snsTopic(s).Attributes.V.DeliveryStatusLogging = []sns.DeliveryStatusLogging{{Protocol: "HTTP", SuccessFeedbackSampleRate: "100"}}
		}),
		"sqs-queue-encrypted": failWhen(func(s *model.Snapshot) {
			a := &sqsQueue(s).Attributes.V
			a.SQSManagedSSE, a.KMSMasterKeyID = false, ""
		}),
	}
}

func TestMessagingEncryption(t *testing.T) {
	s := compliantSnapshot()
	q, topic := sqsQueue(s), snsTopic(s)
	statusOf := func(res []Result, arn string) Status {
		for _, r := range res {
			if r.ResourceARN == arn {
				return r.Status
			}
		}
		t.Fatalf("no result for %s in %+v", arn, res)
		return ""
	}
	q.Attributes.V.SQSManagedSSE, q.Attributes.V.KMSMasterKeyID = false, "alias/aws/sqs"
	if st := statusOf(checkSQSEncryption(s), q.ARN); st != Pass {
		t.Errorf("SSE-KMS queue: %s", st)
	}
	q.Attributes = core.Unknown[sqs.QueueAttributes]("access denied")
	topic.Attributes = core.Unknown[sns.TopicAttributes]("access denied")
	if st := statusOf(checkSQSEncryption(s), q.ARN); st != Unknown {
		t.Errorf("queue attributes unknown: %s", st)
	}
	if st := statusOf(checkSNSEncryption(s), topic.ARN); st != Unknown {
		t.Errorf("topic attributes unknown: %s", st)
	}
}

func TestSNSDeliveryStatusLogging(t *testing.T) {
	s := compliantSnapshot()
	topic := snsTopic(s)
	topic.Attributes.V.DeliveryStatusLogging = []sns.DeliveryStatusLogging{{Protocol: "Lambda", FailureFeedbackRoleARN: "arn:aws:iam::" + acct + ":role/f"}}
	if st, msg := statusFor(t, checkSNSDeliveryStatusLogging(s), topic.ARN); st != Pass {
		t.Errorf("failure logging only: %s %s", st, msg)
	}
	topic.Attributes.V.DeliveryStatusLogging = nil
	if st, msg := statusFor(t, checkSNSDeliveryStatusLogging(s), topic.ARN); st != Fail {
		t.Errorf("no logging: %s %s", st, msg)
	}
	topic.Attributes = core.Unknown[sns.TopicAttributes]("access denied")
	if st, msg := statusFor(t, checkSNSDeliveryStatusLogging(s), topic.ARN); st != Unknown {
		t.Errorf("attributes unknown: %s %s", st, msg)
	}
}
