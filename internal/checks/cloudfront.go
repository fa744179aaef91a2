package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudfront"
)

// CloudFront runs the edge; what it serves, over which protocols, with which
// certificate, from which origins and how it authenticates to them, is the
// customer's configuration. The rules encode AWS Security Hub's CloudFront
// controls (https://docs.aws.amazon.com/securityhub/latest/userguide/cloudfront-controls.html).
// A distribution a control does not apply to gets no result, as Security
// Hub reports it NOT_APPLICABLE.

const cfControlsDoc = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudfront-controls.html"

// cfUpdate is the read-modify-write every CloudFront remediation goes
// through on the command line.
const cfUpdate = "  aws cloudfront get-distribution-config --id ID > dist.json   # note the ETag; edit .DistributionConfig\n" +
	"  aws cloudfront update-distribution --id ID --if-match ETAG --distribution-config file://config.json\n"

func cloudfrontRules() []Rule {
	return []Rule{
		{
			ID:             "cloudfront-default-root-object",
			Title:          "CloudFront distributions with S3 origins have a default root object",
			Service:        "cloudfront",
			Severity:       High,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.1"}},
			Description: "Without a default root object, a request for the distribution's root URL is passed to the origin " +
				"as is; on an S3 origin that can list the bucket's contents. Security Hub evaluates distributions with " +
				"S3 origins only; distributions whose origins are all custom origins get no result.",
			Remediation: "Set DefaultRootObject (e.g. index.html) in the distribution configuration:\n" + cfUpdate +
				"Terraform: resource \"aws_cloudfront_distribution\" \"d\" { default_root_object = \"index.html\" ... }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DefaultRootObject.html",
				cfControlsDoc + "#cloudfront-1"},
			Check: checkCFRootObject,
		},
		{
			ID:             "cloudfront-viewer-https",
			Title:          "CloudFront distributions require HTTPS from viewers",
			Service:        "cloudfront",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.3"}},
			Description: "Every cache behaviour, the default one and each path pattern, must use the viewer protocol policy " +
				"https-only or redirect-to-https; allow-all serves content over plain HTTP.",
			Remediation: "Set ViewerProtocolPolicy to redirect-to-https (or https-only) on the default and every ordered cache behaviour:\n" + cfUpdate +
				"Terraform: default_cache_behavior { viewer_protocol_policy = \"redirect-to-https\" ... } and the same in every ordered_cache_behavior.",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html",
				cfControlsDoc + "#cloudfront-3"},
			Check: checkCFViewerHTTPS,
		},
		{
			ID:             "cloudfront-origin-failover",
			Title:          "CloudFront distributions have origin failover configured",
			Service:        "cloudfront",
			Severity:       Low,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.4"}},
			Description: "An origin group with two origins lets CloudFront fail over to the secondary origin when the primary " +
				"is unavailable or answers with the failover status codes.",
			Remediation: "Add a second origin and an origin group (primary, secondary, failover status codes), and point a cache behaviour at the group:\n" + cfUpdate +
				"Terraform: origin_group { origin_id = \"failover\" failover_criteria { status_codes = [500, 502, 503, 504] }\n" +
				"  member { origin_id = \"primary\" } member { origin_id = \"secondary\" } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html",
				cfControlsDoc + "#cloudfront-4"},
			Check: checkCFFailover,
		},
		{
			ID:             "cloudfront-access-logging",
			Title:          "CloudFront distributions have access logging enabled",
			Service:        "cloudfront",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.5"}},
			Description: "Standard access logs record every viewer request (time, client IP, path, status) to an S3 bucket, " +
				"for security audits and investigations. Security Hub's check reads the distribution's standard (legacy) " +
				"logging configuration.",
			Remediation: "Enable standard logging to an S3 bucket (ACLs enabled on the log bucket):\n" + cfUpdate +
				"  # \"Logging\": {\"Enabled\": true, \"IncludeCookies\": false, \"Bucket\": \"LOGBUCKET.s3.amazonaws.com\", \"Prefix\": \"cf/\"}\n" +
				"Terraform: logging_config { bucket = \"LOGBUCKET.s3.amazonaws.com\" prefix = \"cf/\" include_cookies = false }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html",
				cfControlsDoc + "#cloudfront-5"},
			Check: checkCFLogging,
		},
		{
			ID:             "cloudfront-waf-enabled",
			Title:          "CloudFront distributions are associated with an AWS WAF web ACL",
			Service:        "cloudfront",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.6"}},
			Description: "A web ACL (AWS WAF or WAF Classic) inspects requests at the edge before they reach the origin. The " +
				"distribution must name one.",
			Remediation: "Associate a CLOUDFRONT-scope web ACL (created in us-east-1):\n" + cfUpdate +
				"  # \"WebACLId\": \"arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID\"\n" +
				"Terraform: resource \"aws_cloudfront_distribution\" \"d\" { web_acl_id = aws_wafv2_web_acl.edge.arn ... }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-awswaf.html",
				cfControlsDoc + "#cloudfront-6"},
			Check: checkCFWAF,
		},
		{
			ID:             "cloudfront-custom-certificate",
			Title:          "CloudFront distributions use a custom SSL/TLS certificate",
			Service:        "cloudfront",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.7"}},
			Description: "A distribution on CloudFront's default *.cloudfront.net certificate FAILs; one serving its own " +
				"certificate from ACM (or IAM) for its alternate domain names PASSes.",
			Remediation: "Request an ACM certificate in us-east-1 for the alternate domain name and attach it:\n" +
				"  aws acm request-certificate --region us-east-1 --domain-name www.example.com --validation-method DNS\n" + cfUpdate +
				"  # \"ViewerCertificate\": {\"ACMCertificateArn\": \"ARN\", \"SSLSupportMethod\": \"sni-only\", \"MinimumProtocolVersion\": \"TLSv1.2_2021\"}\n" +
				"Terraform: aliases = [\"www.example.com\"]\n" +
				"  viewer_certificate { acm_certificate_arn = aws_acm_certificate.www.arn ssl_support_method = \"sni-only\" minimum_protocol_version = \"TLSv1.2_2021\" }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html",
				cfControlsDoc + "#cloudfront-7"},
			Check: checkCFCustomCert,
		},
		{
			ID:             "cloudfront-sni",
			Title:          "CloudFront distributions with custom certificates serve HTTPS with SNI",
			Service:        "cloudfront",
			Severity:       Low,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.8"}},
			Description: "A distribution with its own certificate should use SSL support method sni-only; dedicated IP " +
				"addresses (vip) FAIL. Distributions on the default certificate get no result.",
			Remediation: "Set SSLSupportMethod to sni-only:\n" + cfUpdate +
				"Terraform: viewer_certificate { ssl_support_method = \"sni-only\" ... }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-https-dedicated-ip-or-sni.html",
				cfControlsDoc + "#cloudfront-8"},
			Check: checkCFSNI,
		},
		{
			ID:             "cloudfront-origin-https",
			Title:          "CloudFront distributions encrypt traffic to custom origins",
			Service:        "cloudfront",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.9"}},
			Description: "A custom origin with origin protocol policy http-only FAILs, and so does one with match-viewer " +
				"when the distribution's viewer protocol policy is allow-all (a cache behaviour accepts plain HTTP, which " +
				"CloudFront would then forward unencrypted). Distributions without custom origins get no result.",
			Remediation: "Set OriginProtocolPolicy to https-only on every custom origin (the origin needs a valid certificate):\n" + cfUpdate +
				"Terraform: origin { custom_origin_config { origin_protocol_policy = \"https-only\" origin_ssl_protocols = [\"TLSv1.2\"] http_port = 80 https_port = 443 } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html",
				cfControlsDoc + "#cloudfront-9"},
			Check: checkCFOriginHTTPS,
		},
		{
			ID:             "cloudfront-origin-no-sslv3",
			Title:          "CloudFront distributions do not use SSLv3 to custom origins",
			Service:        "cloudfront",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.10"}},
			Description: "SSL 3.0 is deprecated (RFC 7568). A custom origin whose OriginSslProtocols include SSLv3 FAILs. " +
				"Distributions without custom origins get no result.",
			Remediation: "Allow only TLSv1.2 to the origin:\n" + cfUpdate +
				"  # \"OriginSslProtocols\": {\"Quantity\": 1, \"Items\": [\"TLSv1.2\"]}\n" +
				"Terraform: custom_origin_config { origin_ssl_protocols = [\"TLSv1.2\"] ... }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html",
				cfControlsDoc + "#cloudfront-10"},
			Check: checkCFNoSSLv3,
		},
		{
			ID:             "cloudfront-s3-origin-exists",
			Title:          "CloudFront distributions do not point to non-existent S3 buckets",
			Service:        "cloudfront",
			Severity:       High,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.12"}},
			Description: "If an S3 origin's bucket was deleted, anyone can create a bucket of that name and serve their content " +
				"through the distribution. An origin bucket PASSes when it is one of the account's buckets or S3 confirms " +
				"it exists (HeadBucket); it FAILs when S3 says it does not exist, or when it is not among the account's " +
				"buckets and its existence could not be confirmed. S3 website endpoints are not evaluated, as in Security Hub.",
			Remediation: "Point the origin at an existing bucket you own (or recreate the bucket in your account at once):\n" + cfUpdate +
				"Terraform: origin { domain_name = aws_s3_bucket.site.bucket_regional_domain_name origin_access_control_id = aws_cloudfront_origin_access_control.s3.id ... }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HowToUpdateDistribution.html",
				cfControlsDoc + "#cloudfront-12"},
			Check: checkCFS3OriginExists,
		},
		{
			ID:             "cloudfront-s3-origin-access-control",
			Title:          "CloudFront distributions with S3 origins use origin access control",
			Service:        "cloudfront",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"CloudFront.13"}},
			Description: "With origin access control (OAC) CloudFront signs its requests to the bucket, so the bucket policy " +
				"can refuse everyone else. Every S3 origin (an S3 REST endpoint; website endpoints are custom origins) " +
				"must have an OAC; the legacy origin access identity (OAI) does not count. Distributions without S3 " +
				"origins get no result.",
			Remediation: "Create an OAC, attach it to each S3 origin, and allow the cloudfront.amazonaws.com principal with AWS:SourceArn in the bucket policy:\n" +
				"  aws cloudfront create-origin-access-control --origin-access-control-config \\\n" +
				"      Name=s3-oac,SigningProtocol=sigv4,SigningBehavior=always,OriginAccessControlOriginType=s3\n" + cfUpdate +
				"Terraform: resource \"aws_cloudfront_origin_access_control\" \"s3\" { name = \"s3-oac\" origin_access_control_origin_type = \"s3\"\n" +
				"  signing_behavior = \"always\" signing_protocol = \"sigv4\" }  and  origin { origin_access_control_id = aws_cloudfront_origin_access_control.s3.id ... }",
			Links: []string{"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html",
				cfControlsDoc + "#cloudfront-13"},
			Check: checkCFOAC,
		},
	}
}

// cfWildcard is the resource of an UNKNOWN result when the distribution
// list itself is unknown.
func cfWildcard(s *model.Snapshot) string {
	return s.ARNPrefix() + ":cloudfront::" + s.AccountID + ":distribution/*"
}

func cfARN(s *model.Snapshot, d cloudfront.Distribution) string {
	return orARN(d.ARN, s.ARNPrefix()+":cloudfront::"+s.AccountID+":distribution/"+d.ID)
}

// eachDistribution judges every distribution with a known configuration;
// judge returns nil when the control does not apply. An unreadable list or
// configuration is UNKNOWN.
func eachDistribution(judge func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		dists, unk := knownList(s.CloudFront.Distributions, cfWildcard(s), globalRegion, "CloudFront distributions")
		if unk != nil {
			return unk
		}
		var out []Result
		for _, d := range dists {
			arn := cfARN(s, d)
			c, ok := d.Config.Get()
			if !ok {
				out = append(out, UnknownR(arn, globalRegion, "distribution %s: configuration unreadable: %s", d.ID, d.Config.Why()))
				continue
			}
			if r := judge(d, c, arn); r != nil {
				out = append(out, *r)
			}
		}
		return out
	}
}

func s3Origins(c cloudfront.Config) []cloudfront.Origin {
	var out []cloudfront.Origin
	for _, o := range c.Origins {
		if o.IsS3Origin() {
			out = append(out, o)
		}
	}
	return out
}

func customOrigins(c cloudfront.Config) []cloudfront.Origin {
	var out []cloudfront.Origin
	for _, o := range c.Origins {
		if o.IsCustomOrigin() {
			out = append(out, o)
		}
	}
	return out
}

var checkCFRootObject = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	if len(s3Origins(c)) == 0 {
		return nil // custom origins only: not applicable
	}
	if strings.TrimSpace(c.DefaultRootObject) == "" {
		return rp(FailR(arn, globalRegion, "distribution %s has S3 origins and no default root object", d.ID))
	}
	return rp(PassR(arn, globalRegion, "distribution %s returns %s for its root URL", d.ID, c.DefaultRootObject))
})

var checkCFViewerHTTPS = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	var bad []string
	for _, b := range c.Behaviors() {
		switch b.ViewerProtocolPolicy {
		case cloudfront.ViewerHTTPSOnly, cloudfront.ViewerRedirectToHTTPS:
		default:
			// allow-all, or a value this build does not know: not proven HTTPS.
			bad = append(bad, fmt.Sprintf("%s (%s)", behaviorName(b), orStr(b.ViewerProtocolPolicy, "no policy")))
		}
	}
	if len(bad) > 0 {
		return rp(FailR(arn, globalRegion, "distribution %s accepts plain HTTP from viewers: %s", d.ID, strings.Join(bad, ", ")))
	}
	return rp(PassR(arn, globalRegion, "distribution %s requires HTTPS on all %s", d.ID, plural(len(c.Behaviors()), "cache behaviour", "cache behaviours")))
})

func behaviorName(b cloudfront.CacheBehavior) string {
	if b.PathPattern == "" {
		return "default cache behaviour"
	}
	return "cache behaviour " + b.PathPattern
}

var checkCFFailover = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	for _, g := range c.OriginGroups {
		if len(g.Members) >= 2 {
			return rp(PassR(arn, globalRegion, "distribution %s fails over within origin group %s (%s)", d.ID, g.ID, strings.Join(g.Members, ", ")))
		}
	}
	if len(c.OriginGroups) > 0 {
		return rp(FailR(arn, globalRegion, "distribution %s has no origin group with two origins", d.ID))
	}
	return rp(FailR(arn, globalRegion, "distribution %s has no origin group: no origin failover", d.ID))
})

var checkCFLogging = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	if !c.Logging.Enabled || c.Logging.Bucket == "" {
		return rp(FailR(arn, globalRegion, "distribution %s does not have standard access logging enabled", d.ID))
	}
	return rp(PassR(arn, globalRegion, "distribution %s logs to %s", d.ID, c.Logging.Bucket))
})

var checkCFWAF = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	if strings.TrimSpace(c.WebACLID) == "" {
		return rp(FailR(arn, globalRegion, "distribution %s is not associated with an AWS WAF web ACL", d.ID))
	}
	return rp(PassR(arn, globalRegion, "distribution %s is protected by web ACL %s", d.ID, c.WebACLID))
})

var checkCFCustomCert = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	v := c.ViewerCertificate
	if !v.Custom() {
		return rp(FailR(arn, globalRegion, "distribution %s uses CloudFront's default certificate", d.ID))
	}
	return rp(PassR(arn, globalRegion, "distribution %s uses its own certificate %s", d.ID, certName(v)))
})

func certName(v cloudfront.ViewerCertificate) string {
	switch {
	case v.ACMCertificateARN != "":
		return v.ACMCertificateARN
	case v.IAMCertificateID != "":
		return "IAM server certificate " + v.IAMCertificateID
	}
	return "(" + v.CertificateSource + ")"
}

var checkCFSNI = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	v := c.ViewerCertificate
	if !v.Custom() {
		return nil // default certificate: not applicable
	}
	if v.SSLSupportMethod != cloudfront.SSLSupportSNI {
		return rp(FailR(arn, globalRegion, "distribution %s serves its certificate with SSL support method %s, not SNI",
			d.ID, orStr(v.SSLSupportMethod, "(not reported)")))
	}
	return rp(PassR(arn, globalRegion, "distribution %s serves HTTPS with SNI", d.ID))
})

var checkCFOriginHTTPS = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	custom := customOrigins(c)
	if len(custom) == 0 {
		return nil
	}
	// As Security Hub words it, match-viewer fails when "the viewer protocol
	// policy is allow-all": any cache behaviour of the distribution.
	allowAll := false
	for _, b := range c.Behaviors() {
		if b.ViewerProtocolPolicy == cloudfront.ViewerAllowAll {
			allowAll = true
		}
	}
	var bad []string
	for _, o := range custom {
		switch p := o.Custom.OriginProtocolPolicy; {
		case p == cloudfront.OriginHTTPSOnly:
		case p == cloudfront.OriginMatchViewer && !allowAll:
		case p == cloudfront.OriginMatchViewer:
			bad = append(bad, fmt.Sprintf("%s (match-viewer while viewers may use HTTP)", o.ID))
		default:
			bad = append(bad, fmt.Sprintf("%s (%s)", o.ID, orStr(p, "no origin protocol policy")))
		}
	}
	if len(bad) > 0 {
		return rp(FailR(arn, globalRegion, "distribution %s may send unencrypted traffic to custom origins: %s", d.ID, strings.Join(bad, ", ")))
	}
	return rp(PassR(arn, globalRegion, "distribution %s reaches its %s over HTTPS", d.ID, plural(len(custom), "custom origin", "custom origins")))
})

var checkCFNoSSLv3 = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	custom := customOrigins(c)
	if len(custom) == 0 {
		return nil
	}
	var bad []string
	for _, o := range custom {
		for _, p := range o.Custom.OriginSSLProtocols {
			if strings.EqualFold(p, "SSLv3") {
				bad = append(bad, o.ID)
				break
			}
		}
	}
	if len(bad) > 0 {
		return rp(FailR(arn, globalRegion, "distribution %s allows SSLv3 to custom origins: %s", d.ID, strings.Join(bad, ", ")))
	}
	return rp(PassR(arn, globalRegion, "distribution %s does not allow SSLv3 to its %s", d.ID, plural(len(custom), "custom origin", "custom origins")))
})

func checkCFS3OriginExists(s *model.Snapshot) []Result {
	owned, ownedOK := map[string]bool{}, false
	if bs, ok := s.S3.Buckets.Get(); ok {
		ownedOK = true
		for _, b := range bs {
			owned[strings.ToLower(b.Name)] = true
		}
	}
	return eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
		var v verdict
		n := 0
		for _, o := range c.Origins {
			bucket, ok := o.S3Bucket()
			if !ok {
				if o.S3 != nil {
					// An S3 origin on a domain that names no bucket.
					n++
					v.unknown("origin %s: no bucket name in %s", o.ID, o.DomainName)
				}
				continue
			}
			n++
			exists, known := o.BucketExists.Get()
			switch {
			case known && !exists:
				v.fail("origin %s points to bucket %s, which does not exist", o.ID, bucket)
			case ownedOK && owned[bucket], known && exists:
			case isAccessPointAlias(bucket):
				v.unknown("origin %s: %s is an access point alias, whose bucket could not be checked: %s", o.ID, bucket, o.BucketExists.Why())
			case ownedOK:
				v.fail("origin %s points to bucket %s, which is not one of this account's buckets; whether it exists "+
					"elsewhere could not be checked (%s)", o.ID, bucket, o.BucketExists.Why())
			default:
				v.unknown("origin %s: bucket %s: the account's buckets are unreadable (%s) and its existence was not "+
					"checked (%s)", o.ID, bucket, s.S3.Buckets.Why(), o.BucketExists.Why())
			}
		}
		if n == 0 {
			return nil // no S3 REST origin: not applicable
		}
		r := v.result(arn, globalRegion, fmt.Sprintf("distribution %s: every S3 origin bucket exists", d.ID))
		if r.Status != Pass {
			r.Message = "distribution " + d.ID + ": " + r.Message
		}
		return &r
	})(s)
}

// isAccessPointAlias reports whether a name is an S3 access point alias (or
// an Object Lambda one), which S3 accepts where a bucket name goes but which
// never appears in the bucket list.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-alias.html
func isAccessPointAlias(name string) bool {
	return strings.HasSuffix(name, "-s3alias") || strings.HasSuffix(name, "--ol-s3")
}

var checkCFOAC = eachDistribution(func(d cloudfront.Distribution, c cloudfront.Config, arn string) *Result {
	origins := s3Origins(c)
	if len(origins) == 0 {
		return nil
	}
	var bad []string
	for _, o := range origins {
		if strings.TrimSpace(o.OriginAccessControlID) == "" {
			what := "no origin access control"
			if o.S3 != nil && o.S3.OriginAccessIdentity != "" {
				what = "a legacy origin access identity, no origin access control"
			}
			bad = append(bad, fmt.Sprintf("%s (%s)", o.ID, what))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		return rp(FailR(arn, globalRegion, "distribution %s has S3 origins without origin access control: %s", d.ID, strings.Join(bad, ", ")))
	}
	return rp(PassR(arn, globalRegion, "distribution %s signs requests to its %s with origin access control", d.ID, plural(len(origins), "S3 origin", "S3 origins")))
})
