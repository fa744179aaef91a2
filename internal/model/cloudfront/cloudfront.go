// Package cloudfront is the snapshot model of Amazon CloudFront, a global
// service: every web distribution with the parts of its configuration that
// the customer secures — viewer and origin protocols, certificates, origins
// and how CloudFront reaches them (origin access control), logging, the
// AWS WAF web ACL, and origin failover groups.
package cloudfront

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// State is the CloudFront part of the snapshot.
type State struct {
	// Distributions are every distribution of the account
	// (ListDistributions), each with its configuration.
	Distributions core.Val[[]Distribution] `json:"distributions"`
}

// Viewer protocol policies (ViewerProtocolPolicy).
const (
	ViewerAllowAll        = "allow-all"
	ViewerRedirectToHTTPS = "redirect-to-https"
	ViewerHTTPSOnly       = "https-only"
)

// Origin protocol policies of a custom origin (OriginProtocolPolicy).
const (
	OriginHTTPOnly    = "http-only"
	OriginMatchViewer = "match-viewer"
	OriginHTTPSOnly   = "https-only"
)

// SSL support methods of a custom certificate (SSLSupportMethod).
const (
	SSLSupportSNI      = "sni-only"
	SSLSupportVIP      = "vip"       // dedicated IP addresses
	SSLSupportStaticIP = "static-ip" // only with CloudFront's approval
)

// Distribution is one web distribution. Meta.ARN is
// arn:aws:cloudfront::ACCOUNT:distribution/ID and Meta.Region is "global".
type Distribution struct {
	core.Meta
	ID         string   `json:"id"`
	DomainName string   `json:"domain_name"` // dxxxx.cloudfront.net
	Status     string   `json:"status,omitempty"`
	Enabled    bool     `json:"enabled"`
	Aliases    []string `json:"aliases,omitempty"`
	// Staging is true for the staging distribution of a continuous
	// deployment.
	Staging bool `json:"staging,omitempty"`
	// Config is the distribution configuration (GetDistributionConfig).
	Config core.Val[Config] `json:"config"`
}

// Config is the part of a DistributionConfig the rules read.
type Config struct {
	// DefaultRootObject is "" when none is configured.
	DefaultRootObject    string            `json:"default_root_object"`
	ViewerCertificate    ViewerCertificate `json:"viewer_certificate"`
	DefaultCacheBehavior CacheBehavior     `json:"default_cache_behavior"`
	// CacheBehaviors are the ordered (path-pattern) cache behaviours.
	CacheBehaviors []CacheBehavior `json:"cache_behaviors,omitempty"`
	// Logging is standard (legacy) access logging to an S3 bucket.
	Logging Logging `json:"logging"`
	// WebACLID is the AWS WAF web ACL: a WAFv2 web ACL ARN or a WAF Classic
	// web ACL ID; "" when none is associated.
	WebACLID     string        `json:"web_acl_id,omitempty"`
	Origins      []Origin      `json:"origins"`
	OriginGroups []OriginGroup `json:"origin_groups,omitempty"`
}

// ViewerCertificate is how the distribution serves HTTPS to viewers.
type ViewerCertificate struct {
	// CloudFrontDefaultCertificate is true when the distribution uses the
	// *.cloudfront.net certificate.
	CloudFrontDefaultCertificate bool   `json:"cloudfront_default_certificate"`
	ACMCertificateARN            string `json:"acm_certificate_arn,omitempty"`
	IAMCertificateID             string `json:"iam_certificate_id,omitempty"`
	// SSLSupportMethod is sni-only, vip or static-ip; AWS reports it for
	// custom certificates only.
	SSLSupportMethod string `json:"ssl_support_method,omitempty"`
	// MinimumProtocolVersion is the security policy, e.g. TLSv1.2_2021.
	MinimumProtocolVersion string `json:"minimum_protocol_version,omitempty"`
	// CertificateSource is the deprecated cloudfront | acm | iam field.
	CertificateSource string `json:"certificate_source,omitempty"`
}

// Custom reports whether the distribution serves a certificate of its own
// (from ACM or IAM) rather than CloudFront's default one.
func (v ViewerCertificate) Custom() bool {
	if v.CloudFrontDefaultCertificate {
		return false
	}
	return v.ACMCertificateARN != "" || v.IAMCertificateID != "" ||
		v.CertificateSource == "acm" || v.CertificateSource == "iam"
}

// CacheBehavior is the default or one ordered cache behaviour.
type CacheBehavior struct {
	// PathPattern is "" for the default cache behaviour.
	PathPattern string `json:"path_pattern,omitempty"`
	// TargetOriginID is an origin ID or an origin group ID.
	TargetOriginID string `json:"target_origin_id"`
	// ViewerProtocolPolicy is allow-all, redirect-to-https or https-only.
	ViewerProtocolPolicy string `json:"viewer_protocol_policy"`
}

// Logging is a distribution's standard (legacy) logging configuration.
type Logging struct {
	Enabled bool   `json:"enabled"`
	Bucket  string `json:"bucket,omitempty"` // bucket.s3.amazonaws.com
	Prefix  string `json:"prefix,omitempty"`
}

// Origin is one origin of a distribution. Exactly one of S3, Custom and
// VPCOriginID is normally set.
type Origin struct {
	ID         string `json:"id"`
	DomainName string `json:"domain_name"`
	OriginPath string `json:"origin_path,omitempty"`
	// S3 is set when the origin is configured as an Amazon S3 origin
	// (S3OriginConfig).
	S3 *S3OriginConfig `json:"s3,omitempty"`
	// Custom is set for a custom origin (CustomOriginConfig): a web server,
	// a load balancer, an S3 website endpoint, …
	Custom *CustomOriginConfig `json:"custom,omitempty"`
	// VPCOriginID is set for a VPC origin (a private ALB, NLB or instance).
	VPCOriginID string `json:"vpc_origin_id,omitempty"`
	// OriginAccessControlID is the origin access control (OAC) CloudFront
	// signs its requests to the origin with; "" when none.
	OriginAccessControlID string `json:"origin_access_control_id,omitempty"`
	// BucketExists is, for an origin on an S3 REST endpoint, whether that
	// bucket exists in any account (s3:HeadBucket: 404 means it does not).
	// It is unknown for other origins and when the check failed.
	BucketExists core.Val[bool] `json:"bucket_exists"`
}

// S3OriginConfig is the configuration of an Amazon S3 origin.
type S3OriginConfig struct {
	// OriginAccessIdentity is "origin-access-identity/cloudfront/ID" for the
	// legacy origin access identity (OAI), "" when none.
	OriginAccessIdentity string `json:"origin_access_identity,omitempty"`
}

// CustomOriginConfig is the configuration of a custom origin.
type CustomOriginConfig struct {
	HTTPPort  int32 `json:"http_port,omitempty"`
	HTTPSPort int32 `json:"https_port,omitempty"`
	// OriginProtocolPolicy is http-only, match-viewer or https-only.
	OriginProtocolPolicy string `json:"origin_protocol_policy"`
	// OriginSSLProtocols are the protocols CloudFront may use to the origin
	// over HTTPS: SSLv3, TLSv1, TLSv1.1, TLSv1.2.
	OriginSSLProtocols []string `json:"origin_ssl_protocols,omitempty"`
}

// OriginGroup is a failover group: a primary and a secondary origin.
type OriginGroup struct {
	ID string `json:"id"`
	// Members are the origin IDs, primary first.
	Members []string `json:"members"`
	// FailoverStatusCodes are the HTTP status codes that trigger failover.
	FailoverStatusCodes []int32 `json:"failover_status_codes,omitempty"`
}

// S3Bucket returns the bucket name of an origin whose domain is an S3 REST
// endpoint (bucket.s3.amazonaws.com, bucket.s3.REGION.amazonaws.com,
// bucket.s3-REGION.amazonaws.com, bucket.s3.dualstack.REGION.amazonaws.com,
// and the .amazonaws.com.cn forms). ok is false for any other domain,
// including S3 website endpoints, access points and Multi-Region Access
// Points.
func (o Origin) S3Bucket() (bucket string, ok bool) {
	bucket, website, ok := ParseS3Domain(o.DomainName)
	if !ok || website {
		return "", false
	}
	return bucket, true
}

// IsS3Origin reports whether the origin reaches Amazon S3 through its REST
// API: configured as an S3 origin, or a custom origin on a bucket's REST
// endpoint. S3 website endpoints are custom origins and do not count.
func (o Origin) IsS3Origin() bool {
	if o.S3 != nil {
		return true
	}
	if o.VPCOriginID != "" {
		return false
	}
	_, ok := o.S3Bucket()
	return ok
}

// IsCustomOrigin reports whether the origin is a custom origin
// (CustomOriginConfig), which includes S3 website endpoints.
func (o Origin) IsCustomOrigin() bool { return o.Custom != nil && o.S3 == nil }

// ParseS3Domain splits an S3 endpoint host name into the bucket name and
// whether it is a static website endpoint. ok is false when the host is not
// a bucket endpoint of Amazon S3.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHostingBuckets.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html
func ParseS3Domain(domain string) (bucket string, website, ok bool) {
	host := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	rest, found := strings.CutSuffix(host, ".amazonaws.com")
	if !found {
		if rest, found = strings.CutSuffix(host, ".amazonaws.com.cn"); !found {
			return "", false, false
		}
	}
	// The bucket is everything before the last ".s3" label that starts the
	// endpoint part: bucket names may contain dots, endpoint parts may not
	// contain ".s3" again.
	i := strings.LastIndex(rest, ".s3")
	if i <= 0 {
		return "", false, false
	}
	bucket, tail := rest[:i], rest[i+len(".s3"):]
	switch {
	case tail == "" || strings.HasPrefix(tail, "."):
		// bucket.s3, bucket.s3.REGION, bucket.s3.dualstack.REGION
	case strings.HasPrefix(tail, "-website"):
		website = true
	case strings.HasPrefix(tail, "-accesspoint"), strings.HasPrefix(tail, "-global"),
		strings.HasPrefix(tail, "-object-lambda"), strings.HasPrefix(tail, "-control"),
		strings.HasPrefix(tail, "-outposts"):
		return "", false, false
	case strings.HasPrefix(tail, "-"):
		// bucket.s3-REGION (legacy), bucket.s3-accelerate, bucket.s3-external-1
	default:
		return "", false, false
	}
	return bucket, website, true
}

// Behaviors returns the default cache behaviour followed by the ordered ones.
func (c Config) Behaviors() []CacheBehavior {
	return append([]CacheBehavior{c.DefaultCacheBehavior}, c.CacheBehaviors...)
}
