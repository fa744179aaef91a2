package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/kms"
)

func compliantKeyDetails() kms.KeyDetails {
	return kms.KeyDetails{Description: "application data", Manager: "CUSTOMER", State: "Enabled", Enabled: true,
		Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", CreationDate: agoP(700)}
}

// addCompliantKMS gives every key in the world readable, compliant metadata
// and rotation, adds an AWS managed key (which the rotation rule skips), and
// creates known empty regions where no helper did.
func addCompliantKMS(s *model.Snapshot) {
	for _, r := range testRegions {
		found := false
		for i := range s.KMS {
			found = found || s.KMS[i].Name == r
		}
		if !found {
			s.KMS = append(s.KMS, kms.Region{Name: r, Keys: core.Known([]kms.Key{})})
		}
	}
	for ri := range s.KMS {
		keys := &s.KMS[ri].Keys
		for i := range keys.V {
			k := &keys.V[i]
			if !k.Details.Ok {
				k.Details = core.Known(compliantKeyDetails())
			}
			if !k.Rotation.Ok {
				k.Rotation = core.Known(kms.Rotation{Supported: true, Enabled: true, PeriodDays: 365, NextRotation: agoP(-100)})
			}
			if !k.Aliases.Ok {
				k.Aliases = core.Known([]string{})
			}
		}
		if s.KMS[ri].Name == monRegion {
			aws := compliantKeyDetails()
			aws.Manager, aws.Description = "AWS", "Default key that protects my SNS data when no other key is defined"
			keys.V = append(keys.V, kms.Key{
				Meta: core.Meta{ARN: "arn:aws:kms:" + monRegion + ":" + acct + ":key/aws-sns", Account: acct, Region: monRegion}, ID: "aws-sns",
				Details: core.Known(aws), Aliases: core.Known([]string{"alias/aws/sns"}), Rotation: core.Known(kms.Rotation{Supported: true, Enabled: true}),
				Policy: core.Known(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],` +
					`"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"` + acct + `","kms:ViaService":"sns.` + monRegion + `.amazonaws.com"}}}]}`),
			})
		}
	}
}

// firstCustomerKey returns the world's first customer managed key.
func firstCustomerKey(s *model.Snapshot) *kms.Key {
	for ri := range s.KMS {
		for i := range s.KMS[ri].Keys.V {
			if k := &s.KMS[ri].Keys.V[i]; k.Details.V.Manager == "CUSTOMER" {
				return k
			}
		}
	}
	panic("no customer managed key in the world")
}

const decryptAllPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}]}`

func kmsFixtures() map[string]fixture {
	return map[string]fixture{
		"kms-key-rotation-enabled": failWhen(func(s *model.Snapshot) {
			firstCustomerKey(s).Rotation = core.Known(kms.Rotation{Supported: true, Enabled: false})
		}),
		"kms-key-not-pending-deletion": failWhen(func(s *model.Snapshot) {
			k := firstCustomerKey(s)
			k.Details.V.State, k.Details.V.Enabled, k.Details.V.DeletionDate, k.Details.V.PendingWindowDays = "PendingDeletion", false, agoP(-7), 7
		}),
		"kms-customer-policy-no-decrypt-all-keys": failWhen(func(s *model.Snapshot) {
			s.IAM.Policies.V[0].Versions[0].Document = decryptAllPolicy
		}),
		"kms-inline-policy-no-decrypt-all-keys": failWhen(func(s *model.Snapshot) {
			s.IAM.Roles.V[0].InlinePolicies = []iam.InlinePolicy{{Name: "decrypt", Document: decryptAllPolicy}}
		}),
	}
}

func TestDecryptAllKeys(t *testing.T) {
	cases := []struct {
		name, doc string
		want      int
	}{
		{"named key", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:123456789012:key/k1"}}`, 0},
		{"all keys by ARN", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:*:123456789012:key/*"}}`, 1},
		{"kms:* on *", `{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`, 2},
		{"wildcard action", `{"Statement":{"Effect":"Allow","Action":"kms:Re*","Resource":"*"}}`, 1},
		{"admin", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, 2},
		{"conditions ignored, as in Security Hub", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}}`, 1},
		{"NotAction without kms", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, 2},
		{"NotAction excluding kms", `{"Statement":{"Effect":"Allow","NotAction":"kms:*","Resource":"*"}}`, 0},
		{"NotResource one key", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","NotResource":"arn:aws:kms:us-east-1:123456789012:key/k1"}}`, 1},
		{"deny", `{"Statement":{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}}`, 0},
		{"other service on *", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, 0},
		{"alias resource", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:123456789012:alias/*"}}`, 0},
	}
	for _, c := range cases {
		got, err := decryptAllKeys(c.doc)
		if err != nil || len(got) != c.want {
			t.Errorf("%s: got %v (err %v), want %d actions", c.name, got, err, c.want)
		}
	}
}

func TestKMSRotationScope(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(k *kms.Key)
		want   Status
	}{
		{"asymmetric key not judged", func(k *kms.Key) {
			k.Details.V.Spec, k.Rotation = "RSA_2048", core.Known(kms.Rotation{})
		}, ""},
		{"imported material not judged", func(k *kms.Key) {
			k.Details.V.Origin, k.Rotation = "EXTERNAL", core.Known(kms.Rotation{})
		}, ""},
		{"pending deletion not judged", func(k *kms.Key) {
			k.Details.V.State, k.Rotation = "PendingDeletion", core.Known(kms.Rotation{Supported: true})
		}, ""},
		{"disabled key still judged", func(k *kms.Key) {
			k.Details.V.State, k.Details.V.Enabled, k.Rotation = "Disabled", false, core.Known(kms.Rotation{Supported: true})
		}, Fail},
		{"details unreadable", func(k *kms.Key) { k.Details = core.Unknown[kms.KeyDetails]("access denied") }, Unknown},
		{"rotation unreadable", func(k *kms.Key) { k.Rotation = core.Unknown[kms.Rotation]("access denied") }, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			k := firstCustomerKey(s)
			c.mutate(k)
			var got Status
			for _, r := range checkKMSRotation(s) {
				if r.ResourceARN == k.ARN {
					got = r.Status
				}
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
