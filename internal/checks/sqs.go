package checks

import (
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/sqs"
)

// SQS stores messages until they are consumed; server-side encryption is
// the customer's setting (new queues get SSE-SQS by default, older ones may
// have none).

func sqsRules() []Rule {
	return []Rule{{
		ID:             "sqs-queue-encrypted",
		Title:          "SQS queues are encrypted at rest",
		Service:        "sqs",
		Severity:       Medium,
		Responsibility: LayerData,
		Frameworks:     map[string][]string{FSBP: {"SQS.1"}},
		Description: "Server-side encryption, with SQS-owned keys (SSE-SQS) or a KMS key (SSE-KMS), encrypts messages while " +
			"the queue stores them. Queues created before SSE-SQS became the default may have neither.",
		Remediation: "  aws sqs set-queue-attributes --queue-url URL --attributes SqsManagedSseEnabled=true\n" +
			"  # or with a KMS key: --attributes KmsMasterKeyId=alias/aws/sqs\n" +
			"Terraform: resource \"aws_sqs_queue\" \"q\" { sqs_managed_sse_enabled = true }  # or kms_master_key_id = ...",
		Links: []string{"https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
			"https://docs.aws.amazon.com/securityhub/latest/userguide/sqs-controls.html#sqs-1"},
		Check: checkSQSEncryption,
	}}
}

func sqsRegions(s *model.Snapshot) svcRegions[sqs.Region, sqs.Queue] {
	return svcRegions[sqs.Region, sqs.Queue]{
		service: "sqs", what: "SQS queues", wildcard: "*", regions: s.SQS,
		name: func(r *sqs.Region) string { return r.Name },
		list: func(r *sqs.Region) core.Val[[]sqs.Queue] { return r.Queues },
	}
}

func checkSQSEncryption(s *model.Snapshot) []Result {
	return sqsRegions(s).eachItem(s, func(region string, q sqs.Queue) *Result {
		arn, region := orARN(q.ARN, regionalARN(s, "sqs", region, q.Name)), regionOr(q.Meta, region)
		a, ok := q.Attributes.Get()
		switch {
		case !ok:
			return rp(UnknownR(arn, region, "queue %s: attributes unreadable: %s", q.Name, q.Attributes.Why()))
		case a.KMSMasterKeyID != "":
			return rp(PassR(arn, region, "queue %s is encrypted with KMS key %s (SSE-KMS)", q.Name, a.KMSMasterKeyID))
		case a.SQSManagedSSE:
			return rp(PassR(arn, region, "queue %s is encrypted with SQS-owned keys (SSE-SQS)", q.Name))
		}
		return rp(FailR(arn, region, "queue %s is not encrypted at rest", q.Name))
	})
}
