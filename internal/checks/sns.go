package checks

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/sns"
)

// SNS stores messages until they are delivered; encrypting them at rest
// with a KMS key, and logging whether they were delivered, are the
// customer's settings.

func snsRules() []Rule {
	return []Rule{{
		ID:             "sns-topic-kms-encryption",
		Title:          "SNS topics are encrypted at rest with AWS KMS",
		Service:        "sns",
		Severity:       Medium,
		Responsibility: LayerData,
		Frameworks:     map[string][]string{FSBP: {"SNS.1"}},
		Description: "Server-side encryption with a KMS key (the AWS managed alias/aws/sns or a customer managed key) " +
			"encrypts messages while SNS stores them; without it a topic's messages are not encrypted with a key " +
			"you control or audit.",
		Remediation: "  aws sns set-topic-attributes --topic-arn ARN --attribute-name KmsMasterKeyId --attribute-value alias/aws/sns\n" +
			"Terraform: resource \"aws_sns_topic\" \"t\" { kms_master_key_id = aws_kms_key.sns.id }",
		Links: []string{"https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
			"https://docs.aws.amazon.com/securityhub/latest/userguide/sns-controls.html#sns-1"},
		Check: checkSNSEncryption,
	}, {
		ID:             "sns-topic-delivery-status-logging",
		Title:          "SNS topics log the delivery status of notification messages",
		Service:        "sns",
		Severity:       Medium,
		Responsibility: LayerLogging,
		Frameworks:     map[string][]string{FSBP: {"SNS.2"}},
		Description: "Delivery status logging (an IAM role for success and/or failure feedback on at least one protocol: " +
			"application, Firehose, HTTP/S, Lambda or SQS) writes to CloudWatch Logs whether each message reached its endpoint " +
			"(AWS Config rule sns-topic-message-delivery-notification-enabled). Note: Security Hub retired control SNS.2 in " +
			"April 2024; demarc still reports it as documented.",
		Remediation: "  aws sns set-topic-attributes --topic-arn ARN --attribute-name SQSFailureFeedbackRoleArn --attribute-value ROLE_ARN\n" +
			"  (likewise HTTPFailureFeedbackRoleArn, LambdaFailureFeedbackRoleArn, …, and <Protocol>SuccessFeedbackRoleArn with a sample rate)\n" +
			"Terraform: resource \"aws_sns_topic\" \"t\" { sqs_failure_feedback_role_arn = aws_iam_role.sns_feedback.arn,\n" +
			"  sqs_success_feedback_role_arn = aws_iam_role.sns_feedback.arn, sqs_success_feedback_sample_rate = 100 }",
		Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/sns-controls.html#sns-2",
			"https://docs.aws.amazon.com/config/latest/developerguide/sns-topic-message-delivery-notification-enabled.html",
			"https://docs.aws.amazon.com/sns/latest/dg/sns-topic-attributes.html"},
		Check: checkSNSDeliveryStatusLogging,
	}}
}

func snsRegions(s *model.Snapshot) svcRegions[sns.Region, sns.Topic] {
	return svcRegions[sns.Region, sns.Topic]{
		service: "sns", what: "SNS topics", wildcard: "*", regions: s.SNS,
		name: func(r *sns.Region) string { return r.Name },
		list: func(r *sns.Region) core.Val[[]sns.Topic] { return r.Topics },
	}
}

func checkSNSEncryption(s *model.Snapshot) []Result {
	return snsRegions(s).eachItem(s, func(region string, t sns.Topic) *Result {
		arn, region := orARN(t.ARN, regionalARN(s, "sns", region, t.Name)), regionOr(t.Meta, region)
		a, ok := t.Attributes.Get()
		switch {
		case !ok:
			return rp(UnknownR(arn, region, "topic %s: attributes unreadable: %s", t.Name, t.Attributes.Why()))
		case a.KMSMasterKeyID != "":
			return rp(PassR(arn, region, "topic %s is encrypted with KMS key %s", t.Name, a.KMSMasterKeyID))
		}
		return rp(FailR(arn, region, "topic %s is not encrypted at rest with a KMS key", t.Name))
	})
}

func checkSNSDeliveryStatusLogging(s *model.Snapshot) []Result {
	return snsRegions(s).eachItem(s, func(region string, t sns.Topic) *Result {
		arn, region := orARN(t.ARN, regionalARN(s, "sns", region, t.Name)), regionOr(t.Meta, region)
		a, ok := t.Attributes.Get()
		if !ok {
			return rp(UnknownR(arn, region, "topic %s: attributes unreadable: %s", t.Name, t.Attributes.Why()))
		}
		var on []string
		for _, d := range a.DeliveryStatusLogging {
			var kinds []string
			if d.SuccessFeedbackRoleARN != "" {
				kinds = append(kinds, "success")
			}
			if d.FailureFeedbackRoleARN != "" {
				kinds = append(kinds, "failure")
			}
			if len(kinds) > 0 {
				on = append(on, d.Protocol+" ("+strings.Join(kinds, " and ")+")")
			}
		}
		if len(on) == 0 {
			return rp(FailR(arn, region, "topic %s does not log the delivery status of its messages for any protocol", t.Name))
		}
		return rp(PassR(arn, region, "topic %s logs delivery status for %s", t.Name, strings.Join(on, ", ")))
	})
}
