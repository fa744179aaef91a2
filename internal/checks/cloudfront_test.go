package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudfront"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/model/shield"
)

// compliantDistribution serves the world's "data" bucket through origin
// access control, with a failover custom origin over TLS 1.2, and every
// setting the CloudFront controls ask for.
func compliantDistribution() cloudfront.Distribution {
	return cloudfront.Distribution{
		Meta: core.Meta{ARN: "arn:aws:cloudfront::" + acct + ":distribution/EDGE1", Account: acct, Region: core.GlobalRegion},
		ID:   "EDGE1", DomainName: "d111111abcdef8.cloudfront.net", Status: "Deployed", Enabled: true,
		Aliases: []string{"www.example.com"},
		Config: core.Known(cloudfront.Config{
			DefaultRootObject: "index.html",
			ViewerCertificate: cloudfront.ViewerCertificate{
				ACMCertificateARN: regionalARNOf("acm", "us-east-1", "certificate/edge"), SSLSupportMethod: cloudfront.SSLSupportSNI,
				MinimumProtocolVersion: "TLSv1.2_2021", CertificateSource: "acm",
			},
			DefaultCacheBehavior: cloudfront.CacheBehavior{TargetOriginID: "failover", ViewerProtocolPolicy: cloudfront.ViewerRedirectToHTTPS},
			CacheBehaviors: []cloudfront.CacheBehavior{
				{PathPattern: "/api/*", TargetOriginID: "app", ViewerProtocolPolicy: cloudfront.ViewerHTTPSOnly},
			},
			Logging:  cloudfront.Logging{Enabled: true, Bucket: logBucket + ".s3.amazonaws.com", Prefix: "cf/"},
			WebACLID: regionalARNOf("wafv2", "us-east-1", "global/webacl/edge/1"),
			Origins: []cloudfront.Origin{
				{ID: "data", DomainName: "data.s3.eu-west-1.amazonaws.com", S3: &cloudfront.S3OriginConfig{}, OriginAccessControlID: "E2OAC"},
				{ID: "app", DomainName: "app.example.com", Custom: &cloudfront.CustomOriginConfig{HTTPPort: 80, HTTPSPort: 443,
					OriginProtocolPolicy: cloudfront.OriginHTTPSOnly, OriginSSLProtocols: []string{"TLSv1.2"}}},
			},
			OriginGroups: []cloudfront.OriginGroup{{ID: "failover", Members: []string{"data", "app"}, FailoverStatusCodes: []int32{500, 502, 503, 504}}},
		}),
	}
}

// addCompliantEdge adds the CloudFront distribution and an active Shield
// Advanced subscription protecting every internet-facing resource of the
// world. It must run after every helper that adds load balancers, Elastic
// IPs or distributions, so it is the last call in compliantSnapshot.
func addCompliantEdge(s *model.Snapshot) {
	if !s.CloudFront.Distributions.Ok {
		s.CloudFront.Distributions = core.Known([]cloudfront.Distribution{compliantDistribution()})
	}
	for _, r := range testRegions {
		if ec := s.EC2Region(r); ec != nil && !ec.Addresses.Ok {
			ec.Addresses = core.Known([]ec2.Address{})
		}
	}
	s.Shield = shieldProtecting(s)
}

// shieldProtecting is an active subscription protecting every resource
// internetFacing finds in s.
func shieldProtecting(s *model.Snapshot) shield.State {
	res, _ := internetFacing(s)
	ps := make([]shield.Protection, 0, len(res))
	for i, r := range res {
		id := "p" + string(rune('a'+i%26))
		ps = append(ps, shield.Protection{
			Meta: core.Meta{ARN: "arn:aws:shield::" + acct + ":protection/" + id, Account: acct, Region: core.GlobalRegion},
			ID:   id, Name: r.what, ResourceARN: r.arn,
		})
	}
	return shield.State{
		Subscription:      core.Known(shield.Subscription{State: shield.StateActive, ARN: "arn:aws:shield::" + acct + ":subscription/s1", AutoRenew: "ENABLED"}),
		Protections:       core.Known(ps),
		EmergencyContacts: core.Known([]shield.EmergencyContact{{Email: "soc@example.com"}}),
		DRTAccess:         core.Known(shield.DRTAccess{RoleARN: "arn:aws:iam::" + acct + ":role/drt"}),
	}
}

// distCfg is the configuration of the world's distribution.
func distCfg(s *model.Snapshot) *cloudfront.Config { return &s.CloudFront.Distributions.V[0].Config.V }

func originNamed(c *cloudfront.Config, id string) *cloudfront.Origin {
	for i := range c.Origins {
		if c.Origins[i].ID == id {
			return &c.Origins[i]
		}
	}
	panic("no origin " + id)
}

func edgeFixtures() map[string]fixture {
	return map[string]fixture{
		"cloudfront-default-root-object": failWhen(func(s *model.Snapshot) { distCfg(s).DefaultRootObject = "" }),
		"cloudfront-viewer-https": failWhen(func(s *model.Snapshot) {
			distCfg(s).CacheBehaviors[0].ViewerProtocolPolicy = cloudfront.ViewerAllowAll
		}),
		"cloudfront-origin-failover": failWhen(func(s *model.Snapshot) { distCfg(s).OriginGroups = nil }),
		"cloudfront-access-logging":  failWhen(func(s *model.Snapshot) { distCfg(s).Logging = cloudfront.Logging{} }),
		"cloudfront-waf-enabled":     failWhen(func(s *model.Snapshot) { distCfg(s).WebACLID = "" }),
		"cloudfront-custom-certificate": failWhen(func(s *model.Snapshot) {
			distCfg(s).ViewerCertificate = cloudfront.ViewerCertificate{CloudFrontDefaultCertificate: true, MinimumProtocolVersion: "TLSv1", CertificateSource: "cloudfront"}
		}),
		"cloudfront-sni": failWhen(func(s *model.Snapshot) { distCfg(s).ViewerCertificate.SSLSupportMethod = cloudfront.SSLSupportVIP }),
		"cloudfront-origin-https": failWhen(func(s *model.Snapshot) {
			originNamed(distCfg(s), "app").Custom.OriginProtocolPolicy = cloudfront.OriginHTTPOnly
		}),
		"cloudfront-origin-no-sslv3": failWhen(func(s *model.Snapshot) {
			o := originNamed(distCfg(s), "app")
			o.Custom.OriginSSLProtocols = []string{"SSLv3", "TLSv1.2"}
		}),
		"cloudfront-s3-origin-exists": failWhen(func(s *model.Snapshot) {
			originNamed(distCfg(s), "data").DomainName = "data-old.s3.eu-west-1.amazonaws.com"
		}),
		"cloudfront-s3-origin-access-control": failWhen(func(s *model.Snapshot) { originNamed(distCfg(s), "data").OriginAccessControlID = "" }),
		"shield-advanced-resources-protected": failWhen(func(s *model.Snapshot) {
			s.Shield.Protections.V = s.Shield.Protections.V[1:]
		}),
		"shield-advanced-subscription": failWhen(func(s *model.Snapshot) {
			s.Shield.Subscription = core.Known(shield.Subscription{State: shield.StateInactive})
			s.Shield.Protections = core.Known([]shield.Protection{})
		}),
	}
}

// edgeRule runs one rule by ID over s.
func edgeRule(t *testing.T, id string, s *model.Snapshot) []Result {
	t.Helper()
	r, ok := Default().Get(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return r.Check(s)
}

// edgeStatuses summarises results as "PASS", "FAIL UNKNOWN", … ("" for none).
func edgeStatuses(rs []Result) string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r.Status))
	}
	return strings.Join(out, " ")
}

// withDist replaces the world's distribution configuration.
func withDist(edit func(c *cloudfront.Config)) *model.Snapshot {
	s := compliantSnapshot()
	edit(distCfg(s))
	return s
}

var customOnly = func(c *cloudfront.Config) {
	c.Origins = c.Origins[1:] // only the custom origin
	c.OriginGroups = nil
	c.DefaultCacheBehavior.TargetOriginID = "app"
}

func TestCloudFrontApplicability(t *testing.T) {
	for _, tc := range []struct {
		name, rule string
		edit       func(c *cloudfront.Config)
		want       string
	}{
		// CloudFront.1 applies to distributions with S3 origins only.
		{"root object, custom origins only", "cloudfront-default-root-object", func(c *cloudfront.Config) {
			customOnly(c)
			c.DefaultRootObject = ""
		}, ""},
		{"root object, S3 website origin only", "cloudfront-default-root-object", func(c *cloudfront.Config) {
			c.Origins = []cloudfront.Origin{{ID: "site", DomainName: "data.s3-website-eu-west-1.amazonaws.com",
				Custom: &cloudfront.CustomOriginConfig{OriginProtocolPolicy: cloudfront.OriginHTTPOnly}}}
			c.DefaultRootObject = ""
		}, ""},
		{"root object, S3 REST origin without S3OriginConfig", "cloudfront-default-root-object", func(c *cloudfront.Config) {
			c.Origins[0].S3 = nil
			c.DefaultRootObject = ""
		}, "FAIL"},
		{"viewer allow-all on the default behaviour", "cloudfront-viewer-https", func(c *cloudfront.Config) {
			c.DefaultCacheBehavior.ViewerProtocolPolicy = cloudfront.ViewerAllowAll
		}, "FAIL"},
		{"origin group of one", "cloudfront-origin-failover", func(c *cloudfront.Config) {
			c.OriginGroups[0].Members = c.OriginGroups[0].Members[:1]
		}, "FAIL"},
		{"logging enabled without a bucket", "cloudfront-access-logging", func(c *cloudfront.Config) { c.Logging.Bucket = "" }, "FAIL"},
		{"IAM certificate is custom", "cloudfront-custom-certificate", func(c *cloudfront.Config) {
			c.ViewerCertificate = cloudfront.ViewerCertificate{IAMCertificateID: "ASCA1", SSLSupportMethod: cloudfront.SSLSupportSNI, CertificateSource: "iam"}
		}, "PASS"},
		// CloudFront.8 does not apply on the default certificate.
		{"SNI on the default certificate", "cloudfront-sni", func(c *cloudfront.Config) {
			c.ViewerCertificate = cloudfront.ViewerCertificate{CloudFrontDefaultCertificate: true}
		}, ""},
		{"static-ip is not SNI", "cloudfront-sni", func(c *cloudfront.Config) {
			c.ViewerCertificate.SSLSupportMethod = cloudfront.SSLSupportStaticIP
		}, "FAIL"},
		// CloudFront.9: match-viewer is fine unless viewers may use HTTP.
		{"match-viewer with HTTPS viewers", "cloudfront-origin-https", func(c *cloudfront.Config) {
			c.Origins[1].Custom.OriginProtocolPolicy = cloudfront.OriginMatchViewer
		}, "PASS"},
		{"match-viewer with allow-all", "cloudfront-origin-https", func(c *cloudfront.Config) {
			c.Origins[1].Custom.OriginProtocolPolicy = cloudfront.OriginMatchViewer
			c.DefaultCacheBehavior.ViewerProtocolPolicy = cloudfront.ViewerAllowAll
		}, "FAIL"},
		{"S3 website endpoint is a custom origin over HTTP", "cloudfront-origin-https", func(c *cloudfront.Config) {
			c.Origins[1] = cloudfront.Origin{ID: "app", DomainName: "data.s3-website-eu-west-1.amazonaws.com",
				Custom: &cloudfront.CustomOriginConfig{OriginProtocolPolicy: cloudfront.OriginHTTPOnly}}
		}, "FAIL"},
		{"no custom origin for CloudFront.9", "cloudfront-origin-https", func(c *cloudfront.Config) {
			c.Origins = c.Origins[:1]
			c.OriginGroups = nil
		}, ""},
		{"no custom origin for CloudFront.10", "cloudfront-origin-no-sslv3", func(c *cloudfront.Config) {
			c.Origins = c.Origins[:1]
		}, ""},
		{"TLSv1 alone is not SSLv3", "cloudfront-origin-no-sslv3", func(c *cloudfront.Config) {
			c.Origins[1].Custom.OriginSSLProtocols = []string{"TLSv1"}
		}, "PASS"},
		// CloudFront.13: OAI is not OAC; a custom origin on a REST endpoint is an S3 origin without OAC.
		{"OAI only", "cloudfront-s3-origin-access-control", func(c *cloudfront.Config) {
			c.Origins[0].OriginAccessControlID = ""
			c.Origins[0].S3.OriginAccessIdentity = "origin-access-identity/cloudfront/E1"
		}, "FAIL"},
		{"custom origin on an S3 REST endpoint", "cloudfront-s3-origin-access-control", func(c *cloudfront.Config) {
			c.Origins[1] = cloudfront.Origin{ID: "app", DomainName: "data.s3.amazonaws.com",
				Custom: &cloudfront.CustomOriginConfig{OriginProtocolPolicy: cloudfront.OriginHTTPSOnly}}
		}, "FAIL"},
		{"no S3 origin for CloudFront.13", "cloudfront-s3-origin-access-control", customOnly, ""},
		{"no S3 origin for CloudFront.12", "cloudfront-s3-origin-exists", customOnly, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := edgeStatuses(edgeRule(t, tc.rule, withDist(tc.edit))); got != tc.want {
				t.Errorf("%s = %q, want %q", tc.rule, got, tc.want)
			}
		})
	}
}

// CloudFront.12 joins the origin with the account's buckets and with S3's
// own answer (HeadBucket) about buckets in any account.
func TestCloudFrontS3OriginExists(t *testing.T) {
	for _, tc := range []struct {
		name    string
		domain  string
		exists  core.Val[bool]
		buckets bool // the account's bucket list is known
		want    Status
	}{
		{"own bucket", "data.s3.eu-west-1.amazonaws.com", core.Val[bool]{}, true, Pass},
		{"own bucket, legacy regional domain", "data.s3-eu-west-1.amazonaws.com", core.Val[bool]{}, true, Pass},
		{"S3 says it is gone", "data.s3.eu-west-1.amazonaws.com", core.Known(false), true, Fail},
		{"not ours, existence unchecked", "someone.s3.amazonaws.com", core.Unknown[bool]("access denied (s3:HeadBucket)"), true, Fail},
		{"not ours, exists elsewhere", "partner.s3.amazonaws.com", core.Known(true), true, Pass},
		{"bucket list unknown, existence unchecked", "data.s3.amazonaws.com", core.Val[bool]{}, false, Unknown},
		{"bucket list unknown, S3 says gone", "data.s3.amazonaws.com", core.Known(false), false, Fail},
		{"bucket list unknown, exists", "data.s3.amazonaws.com", core.Known(true), false, Pass},
		{"access point alias", "web-abc123-s3alias.s3.eu-west-1.amazonaws.com", core.Val[bool]{}, true, Unknown},
		{"S3 origin naming no bucket", "media.example.com", core.Val[bool]{}, true, Unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := withDist(func(c *cloudfront.Config) {
				c.Origins[0].DomainName = tc.domain
				c.Origins[0].BucketExists = tc.exists
			})
			if !tc.buckets {
				s.S3.Buckets = core.Unknown[[]s3.Bucket]("access denied (s3:ListBuckets)")
			}
			rs := edgeRule(t, "cloudfront-s3-origin-exists", s)
			if len(rs) != 1 || rs[0].Status != tc.want || rs[0].Message == "" {
				t.Fatalf("got %+v, want one %s", rs, tc.want)
			}
		})
	}
}

func TestCloudFrontUnknowns(t *testing.T) {
	rules := cloudfrontRules()
	s := compliantSnapshot()
	s.CloudFront.Distributions = core.Unknown[[]cloudfront.Distribution]("access denied (cloudfront:ListDistributions)")
	for _, r := range rules {
		rs := r.Check(s)
		if len(rs) != 1 || rs[0].Status != Unknown || !strings.Contains(rs[0].Message, "access denied") ||
			rs[0].ResourceARN != "arn:aws:cloudfront::"+acct+":distribution/*" {
			t.Errorf("%s with the list unknown: %+v", r.ID, rs)
		}
	}
	s = compliantSnapshot()
	s.CloudFront.Distributions.V[0].Config = core.Unknown[cloudfront.Config]("access denied (cloudfront:GetDistributionConfig)")
	for _, r := range rules {
		rs := r.Check(s)
		if len(rs) != 1 || rs[0].Status != Unknown || rs[0].ResourceARN != "arn:aws:cloudfront::"+acct+":distribution/EDGE1" {
			t.Errorf("%s with the configuration unknown: %+v", r.ID, rs)
		}
	}
	s = compliantSnapshot()
	s.CloudFront.Distributions = core.Known([]cloudfront.Distribution{})
	for _, r := range rules {
		if rs := r.Check(s); len(rs) != 0 {
			t.Errorf("%s without distributions: %+v", r.ID, rs)
		}
	}
}
