package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

func s3Fixtures() map[string]fixture {
	return mergeFixtures(s3FSBPFixtures(), map[string]fixture{
		"s3-account-public-access-block": failWhen(func(s *model.Snapshot) {
			s.S3.AccountPublicAccessBlock.V.RestrictPublicBuckets = false
		}),
		"s3-bucket-public-access-block": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).PublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
		}),
		"s3-bucket-no-public-read": failWhen(func(s *model.Snapshot) {
			noBPA(s)
			grantPublic(bucketAt(s, 0), s3.AllUsersURI, "READ")
		}),
		"s3-bucket-no-public-write": failWhen(func(s *model.Snapshot) {
			noBPA(s)
			grantPublic(bucketAt(s, 0), s3.AllUsersURI, "WRITE")
		}),
		"s3-bucket-default-encryption": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Encryption = core.Known[*s3.Encryption](nil)
		}),
		"s3-bucket-kms-encryption": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Encryption = core.Known(&s3.Encryption{Rules: []s3.EncryptionRule{{SSEAlgorithm: "AES256"}}})
		}),
		"s3-bucket-versioning": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Versioning = core.Known(s3.Versioning{Status: "Suspended"})
		}),
		"s3-bucket-mfa-delete": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Versioning = core.Known(s3.Versioning{Status: "Enabled", MFADelete: "Disabled"})
		}),
		"s3-bucket-deny-insecure-transport": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Policy = core.Known("")
		}),
		"s3-bucket-access-logging": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Logging = core.Known[*s3.Logging](nil)
		}),
		"s3-bucket-acls-disabled": failWhen(func(s *model.Snapshot) {
			b := bucketAt(s, 0)
			b.ObjectOwnership = core.Known("ObjectWriter")
			b.ACL.V.Grants = append(b.ACL.V.Grants, s3.Grant{GranteeType: "CanonicalUser", GranteeID: "partner", Permission: "READ"})
		}),
	})
}

// noBPA turns Block Public Access off everywhere.
func noBPA(s *model.Snapshot) {
	s.S3.AccountPublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
	for i := range s.S3.Buckets.V {
		s.S3.Buckets.V[i].PublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
	}
}

func grantPublic(b *s3.Bucket, uri, perm string) {
	b.ObjectOwnership = core.Known("BucketOwnerPreferred")
	b.ACL.V.Grants = append(b.ACL.V.Grants, s3.Grant{GranteeType: "Group", GranteeURI: uri, Permission: perm})
}

const publicReadPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::trail-logs/*"}]}`

func TestBucketPublicWithBPA(t *testing.T) {
	type want struct{ read, write Status }
	cases := []struct {
		name    string
		mutate  func(s *model.Snapshot, b *s3.Bucket)
		want    want
		msgPart string
	}{
		{"public-read ACL, no BPA", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			grantPublic(b, s3.AllUsersURI, "READ")
		}, want{Fail, Pass}, "AllUsers READ"},
		{"AuthenticatedUsers FULL_CONTROL, no BPA", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			grantPublic(b, s3.AuthenticatedUsersURI, "FULL_CONTROL")
		}, want{Fail, Fail}, "AuthenticatedUsers"},
		{"public ACL neutralized by bucket IgnorePublicAcls", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			grantPublic(b, s3.AllUsersURI, "READ")
			b.PublicAccessBlock = core.Known(&s3.PublicAccessBlock{IgnorePublicAcls: true})
		}, want{Pass, Pass}, "IgnorePublicAcls (bucket level) neutralizes"},
		{"public ACL, BlockPublicAcls only (does not affect existing ACLs)", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			grantPublic(b, s3.AllUsersURI, "READ")
			b.PublicAccessBlock = core.Known(&s3.PublicAccessBlock{BlockPublicAcls: true})
		}, want{Fail, Pass}, "AllUsers READ"},
		{"public read policy, no BPA", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			b.Policy, b.PolicyStatusPublic = core.Known(publicReadPolicy), core.Known(true)
		}, want{Fail, Pass}, "bucket policy"},
		{"public policy neutralized by account RestrictPublicBuckets", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			s.S3.AccountPublicAccessBlock = core.Known(&s3.PublicAccessBlock{RestrictPublicBuckets: true})
			b.Policy, b.PolicyStatusPublic = core.Known(publicReadPolicy), core.Known(true)
		}, want{Pass, Pass}, "RestrictPublicBuckets (account level) limits access"},
		{"public policy, BlockPublicPolicy only (existing policy still applies)", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			b.PublicAccessBlock = core.Known(&s3.PublicAccessBlock{BlockPublicPolicy: true})
			b.Policy, b.PolicyStatusPublic = core.Known(publicReadPolicy), core.Known(true)
		}, want{Fail, Pass}, "bucket policy"},
		{"public policy, account BPA unreadable: UNKNOWN", func(s *model.Snapshot, b *s3.Bucket) {
			s.S3.AccountPublicAccessBlock = core.Unknown[*s3.PublicAccessBlock](core.ReasonAccessDenied)
			b.PublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
			b.Policy, b.PolicyStatusPublic = core.Known(publicReadPolicy), core.Known(true)
		}, want{Unknown, Pass}, "access denied"},
		{"public policy, bucket restricts even though account BPA unreadable", func(s *model.Snapshot, b *s3.Bucket) {
			s.S3.AccountPublicAccessBlock = core.Unknown[*s3.PublicAccessBlock](core.ReasonAccessDenied)
			b.PublicAccessBlock = core.Known(&s3.PublicAccessBlock{RestrictPublicBuckets: true, IgnorePublicAcls: true})
			b.Policy, b.PolicyStatusPublic = core.Known(publicReadPolicy), core.Known(true)
		}, want{Pass, Pass}, ""},
		{"policy status public but policy text unreadable: assume read and write", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			b.Policy, b.PolicyStatusPublic = core.Unknown[string](core.ReasonAccessDenied), core.Known(true)
		}, want{Fail, Fail}, ""},
		{"policy status unreadable, policy has no public statement", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			b.PolicyStatusPublic = core.Unknown[bool](core.ReasonAccessDenied)
		}, want{Pass, Pass}, ""},
		// Without AWS's verdict, demarc's own reading of "public" decides.
		{"policy status unreadable, policy has a public read statement: FAIL read", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			b.Policy, b.PolicyStatusPublic = core.Known(publicReadPolicy), core.Unknown[bool](core.ReasonAccessDenied)
		}, want{Fail, Pass}, ""},
		{"ACL unreadable: UNKNOWN", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			b.ACL = core.Unknown[s3.ACL](core.ReasonAccessDenied)
		}, want{Unknown, Unknown}, "bucket ACL unreadable"},
		{"ACL unreadable but IgnorePublicAcls on: PASS", func(s *model.Snapshot, b *s3.Bucket) {
			b.ACL = core.Unknown[s3.ACL](core.ReasonAccessDenied)
		}, want{Pass, Pass}, ""},
		{"public write policy with wildcard action", func(s *model.Snapshot, b *s3.Bucket) {
			noBPA(s)
			b.Policy = core.Known(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:Put*","Resource":"arn:aws:s3:::trail-logs/*"}]}`)
			b.PolicyStatusPublic = core.Known(true)
		}, want{Pass, Fail}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.mutate(s, bucketAt(s, 0))
			for _, x := range []struct {
				id   string
				want Status
			}{{"s3-bucket-no-public-read", c.want.read}, {"s3-bucket-no-public-write", c.want.write}} {
				res := run(t, x.id, s)
				if res[0].Status != x.want {
					t.Errorf("%s: got %s (%s), want %s", x.id, res[0].Status, res[0].Message, x.want)
				}
				if c.msgPart != "" && x.id == "s3-bucket-no-public-read" && !strings.Contains(res[0].Message, c.msgPart) {
					t.Errorf("%s: message %q lacks %q", x.id, res[0].Message, c.msgPart)
				}
			}
		})
	}
}

func TestDenyInsecureTransport(t *testing.T) {
	stmt := func(body string) string { return `{"Statement":[` + body + `]}` }
	cases := []struct {
		name   string
		policy string
		want   Status
	}{
		{"canonical", tlsDenyPolicy(logBucket), Pass},
		{"principal AWS *, action *, resource bucket*", stmt(`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"*","Resource":"arn:aws:s3:::trail-logs*","Condition":{"Bool":{"aws:SecureTransport":false}}}`), Pass},
		{"BoolIfExists", stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"],"Condition":{"BoolIfExists":{"aws:securetransport":["false"]}}}`), Pass},
		{"objects only", stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::trail-logs/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), Fail},
		{"only GetObject denied", stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), Fail},
		{"narrowed by a second condition", stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"},"StringEquals":{"aws:PrincipalAccount":"1"}}}`), Fail},
		{"allow with SecureTransport true is not a deny", stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}`), Fail},
		{"only one principal", stmt(`{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:*","Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), Fail},
		{"TLS version condition does not deny plain HTTP", stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"],"Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}}`), Fail},
		{"malformed", `{"Statement":[`, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			bucketAt(s, 0).Policy = core.Known(c.policy)
			res := run(t, "s3-bucket-deny-insecure-transport", s)
			if res[0].Status != c.want {
				t.Errorf("got %s (%s), want %s", res[0].Status, res[0].Message, c.want)
			}
		})
	}
}

func TestBucketACLsDisabled(t *testing.T) {
	// ACLs enabled but granting only the owner: not used to manage access.
	s := compliantSnapshot()
	bucketAt(s, 0).ObjectOwnership = core.Known("BucketOwnerPreferred")
	msg := only(t, run(t, "s3-bucket-acls-disabled", s)[:1], Pass)
	if !strings.Contains(msg, "BucketOwnerEnforced") {
		t.Errorf("message should suggest BucketOwnerEnforced: %s", msg)
	}
	// Ownership unknown and ACL unknown: UNKNOWN.
	s = compliantSnapshot()
	b := bucketAt(s, 0)
	b.ObjectOwnership = core.Unknown[string](core.ReasonAccessDenied)
	b.ACL = core.Unknown[s3.ACL](core.ReasonAccessDenied)
	only(t, run(t, "s3-bucket-acls-disabled", s)[:1], Unknown)
}

func TestBucketEncryptionMessagesAreHonest(t *testing.T) {
	s := compliantSnapshot()
	bucketAt(s, 0).Encryption = core.Known[*s3.Encryption](nil)
	res := run(t, "s3-bucket-default-encryption", s)
	if res[0].Status != Fail || !strings.Contains(res[0].Message, "January 2023") {
		t.Errorf("got %s %q", res[0].Status, res[0].Message)
	}
	bucketAt(s, 0).Encryption = core.Known(&s3.Encryption{Rules: []s3.EncryptionRule{{SSEAlgorithm: "AES256"}}})
	only(t, run(t, "s3-bucket-default-encryption", s), Pass)
}

func TestMFADeleteNeedsVersioning(t *testing.T) {
	s := compliantSnapshot()
	bucketAt(s, 0).Versioning = core.Known(s3.Versioning{Status: "Suspended", MFADelete: "Enabled"})
	res := run(t, "s3-bucket-mfa-delete", s)
	if res[0].Status != Fail {
		t.Errorf("got %s %q", res[0].Status, res[0].Message)
	}
}

func TestBucketListUnknown(t *testing.T) {
	s := compliantSnapshot()
	s.S3.Buckets = core.Unknown[[]s3.Bucket](core.ReasonAccessDenied)
	for _, r := range s3Rules() {
		if r.ID == "s3-account-public-access-block" || r.ID == "s3-access-point-public-access-block" {
			// Account-level and access point settings do not come from the bucket list.
			continue
		}
		msg := only(t, r.Check(s), Unknown)
		if !strings.Contains(msg, "access denied") {
			t.Errorf("%s: reason missing: %s", r.ID, msg)
		}
	}
}

// Without AWS's GetBucketPolicyStatus verdict (moto does not implement it;
// an auditor may lack the permission), demarc decides publicness itself
// from the documented meaning of "public" rather than giving up.
func TestBucketPublicWithoutPolicyStatus(t *testing.T) {
	var rule Rule
	for _, r := range All() {
		if r.ID == "s3-bucket-no-public-read" {
			rule = r
		}
	}
	for name, tc := range map[string]struct {
		policy string
		want   Status
	}{
		"public":          {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`, Fail},
		"vpce-restricted": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}`, Pass},
		"org-restricted":  {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}`, Pass},
	} {
		t.Run(name, func(t *testing.T) {
			s := compliantSnapshot()
			s.S3.AccountPublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
			for i := range s.S3.Buckets.V {
				b := &s.S3.Buckets.V[i]
				b.PublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
				b.PolicyStatusPublic = core.Unknown[bool]("service error (s3:GetBucketPolicyStatus)")
				if b.Name == "data" {
					b.Policy = core.Known(tc.policy)
				}
			}
			for _, x := range rule.Check(s) {
				if strings.Contains(x.ResourceARN, ":::data") && x.Status != tc.want {
					t.Errorf("%s: %s", x.Status, x.Message)
				}
			}
		})
	}
}
