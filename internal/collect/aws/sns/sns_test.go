package sns

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

const topicPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"SNS:Publish","Resource":"*"}]}`

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awssns.NewFromConfig(m.Config("ap-southeast-2"))
	alarms := kittest.Must(c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: sdk.String("alarms"),
		Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sns", "Policy": topicPolicy}}))
	kittest.Must(c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: sdk.String("plain")}))

	kittest.Must(c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: alarms.TopicArn, Protocol: sdk.String("email"), Endpoint: sdk.String("sec@example.com")}))
	kittest.Must(c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: alarms.TopicArn, Protocol: sdk.String("https"),
		Endpoint: sdk.String("https://user:pw@hooks.example.com/x?token=SECRET")}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"ap-southeast-2"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	r := snap.SNS[0]
	topics := kittest.Known(t, "topics", r.Topics)
	if len(topics) != 2 || topics[0].Name != "alarms" || topics[1].Name != "plain" || topics[0].ARN != *alarms.TopicArn ||
		topics[0].Account != m.Env.AccountID {
		t.Fatalf("topics = %+v", topics)
	}
	a := kittest.Known(t, "alarms attributes", topics[0].Attributes)
	if a.KMSMasterKeyID != "alias/aws/sns" || a.Policy != topicPolicy {
		t.Errorf("alarms = %+v", a)
	}

	if p := kittest.Known(t, "plain attributes", topics[1].Attributes); p.KMSMasterKeyID != "" || p.Policy == "" || len(p.DeliveryStatusLogging) != 0 {
		t.Errorf("plain = %+v (AWS always returns a default policy)", p)
	}
	subs := kittest.Known(t, "subscriptions", r.Subscriptions)
	if len(subs) != 2 {
		t.Fatalf("subscriptions = %+v", subs)
	}
	for _, s := range subs {
		if s.TopicARN != *alarms.TopicArn {
			t.Errorf("subscription %+v", s)
		}
		switch s.Protocol {
		case "email":
			if s.Endpoint != "sec@example.com" {
				t.Errorf("email endpoint %q", s.Endpoint)
			}
		case "https":
			if s.Endpoint != "https://hooks.example.com/x" {
				t.Errorf("https endpoint not redacted: %q", s.Endpoint)
			}
		}
	}
}

func TestRedactEndpoint(t *testing.T) {
	for _, tc := range []struct{ proto, in, want string }{
		{"https", "https://a:b@h.example/p?k=v#f", "https://h.example/p"},
		{"http", "http://h.example/p", "http://h.example/p"},
		{"sqs", "arn:aws:sqs:eu-west-1:111122223333:q", "arn:aws:sqs:eu-west-1:111122223333:q"},
		{"https", "://bad", "(unparsable URL)"},
	} {
		if got := redactEndpoint(tc.proto, tc.in); got != tc.want {
			t.Errorf("redactEndpoint(%s, %s) = %s, want %s", tc.proto, tc.in, got, tc.want)
		}
	}
}

// moto 5.2.1 stores but never returns the delivery status logging
// attributes, so their conversion is tested on GetTopicAttributes-shaped
// maps.
func TestDeliveryStatusLogging(t *testing.T) {
	const role = "arn:aws:iam::111122223333:role/sns-feedback"
	a := convAttributes(map[string]string{
		"SQSFailureFeedbackRoleArn": role, "SQSSuccessFeedbackRoleArn": role, "SQSSuccessFeedbackSampleRate": "10",
		"HTTPFailureFeedbackRoleArn": role,
		// A sample rate alone logs nothing.
		"LambdaSuccessFeedbackSampleRate": "100",
	})
	d := a.DeliveryStatusLogging
	if len(d) != 2 || d[0].Protocol != "HTTP" || d[0].FailureFeedbackRoleARN != role || d[0].SuccessFeedbackRoleARN != "" ||
		d[1].Protocol != "SQS" || d[1].SuccessFeedbackRoleARN != role || d[1].SuccessFeedbackSampleRate != "10" {
		t.Errorf("delivery status logging = %+v", d)
	}
	if d := convAttributes(map[string]string{"Policy": "{}"}).DeliveryStatusLogging; len(d) != 0 {
		t.Errorf("no attributes: %+v", d)
	}
}
