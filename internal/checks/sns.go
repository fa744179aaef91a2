package checks

import (
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/sns"
)

// SNS stores messages until they are delivered; encrypting them at rest
// with a KMS key is the customer's setting.

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
