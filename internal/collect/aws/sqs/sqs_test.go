package sqs

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

const queuePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awssqs.NewFromConfig(m.Config("eu-north-1"))
	dlq := kittest.Must(c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: sdk.String("a-dlq"),
		Attributes: map[string]string{"SqsManagedSseEnabled": "true"}}))
	dlqAttrs := kittest.Must(c.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}}))
	dlqARN := dlqAttrs.Attributes["QueueArn"]
	kittest.Must(c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: sdk.String("b-jobs"), Attributes: map[string]string{
		"KmsMasterKeyId": "alias/aws/sqs", "Policy": queuePolicy, "SqsManagedSseEnabled": "false",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"5"}`}}))
	kittest.Must(c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: sdk.String("c-plain"),
		Attributes: map[string]string{"SqsManagedSseEnabled": "false"}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-north-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	qs := kittest.Known(t, "queues", snap.SQS[0].Queues)
	if len(qs) != 3 || qs[0].Name != "a-dlq" || qs[1].Name != "b-jobs" || qs[2].Name != "c-plain" {
		t.Fatalf("queues = %+v", qs)
	}
	if qs[0].ARN != dlqARN || qs[0].ARN != "arn:aws:sqs:eu-north-1:"+m.Env.AccountID+":a-dlq" {
		t.Errorf("dlq meta = %+v", qs[0].Meta)
	}
	if a := kittest.Known(t, "dlq", qs[0].Attributes); !a.SQSManagedSSE || !a.Encrypted() {
		t.Errorf("dlq = %+v", a)
	}
	if a := kittest.Known(t, "jobs", qs[1].Attributes); a.KMSMasterKeyID != "alias/aws/sqs" || !strings.Contains(a.Policy, `"sqs:SendMessage"`) ||
		a.DeadLetterTargetARN != dlqARN || !a.Encrypted() {
		t.Errorf("jobs = %+v", a)
	}
	if a := kittest.Known(t, "plain", qs[2].Attributes); a.Encrypted() || a.Policy != "" {
		t.Errorf("plain = %+v", a)
	}
}
