package checks

import (
	"fmt"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudfront"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/shield"
)

// addSyntheticEdge gives a synthetic snapshot CloudFront distributions (a
// few per 1,000 resources) over its buckets and a custom origin, with a mix
// of outcomes for every CloudFront control, and an active Shield Advanced
// subscription that protects every other internet-facing resource. It runs
// after the load balancer and EC2 generators, whose resources it protects.
func addSyntheticEdge(s *model.Snapshot, acct string, n int) {
	var buckets []string
	for _, b := range s.S3.Buckets.V {
		buckets = append(buckets, b.Name)
	}
	if len(buckets) == 0 {
		buckets = []string{"missing"}
	}
	count := max(3, n/1000)
	dists := make([]cloudfront.Distribution, 0, count)
	for i := 0; i < count; i++ {
		id := fmt.Sprintf("E%012d", i)
		bucket := buckets[i%len(buckets)]
		if i%7 == 6 {
			bucket = fmt.Sprintf("deleted-%d", i) // not the account's: CloudFront.12 fails
		}
		viewer := []string{cloudfront.ViewerRedirectToHTTPS, cloudfront.ViewerHTTPSOnly, cloudfront.ViewerAllowAll}[i%3]
		c := cloudfront.Config{
			DefaultCacheBehavior: cloudfront.CacheBehavior{TargetOriginID: "s3", ViewerProtocolPolicy: viewer},
			CacheBehaviors:       []cloudfront.CacheBehavior{{PathPattern: "/api/*", TargetOriginID: "app", ViewerProtocolPolicy: cloudfront.ViewerHTTPSOnly}},
			Origins: []cloudfront.Origin{
				{ID: "s3", DomainName: bucket + ".s3.amazonaws.com", S3: &cloudfront.S3OriginConfig{}},
				{ID: "app", DomainName: fmt.Sprintf("app%d.example.com", i), Custom: &cloudfront.CustomOriginConfig{HTTPPort: 80, HTTPSPort: 443,
					OriginProtocolPolicy: []string{cloudfront.OriginHTTPSOnly, cloudfront.OriginMatchViewer, cloudfront.OriginHTTPOnly}[i%3],
					OriginSSLProtocols:   [][]string{{"TLSv1.2"}, {"SSLv3", "TLSv1"}}[i%2]}},
			},
		}
		if i%2 == 0 {
			c.DefaultRootObject = "index.html"
			c.Origins[0].OriginAccessControlID = "EOAC"
			c.Logging = cloudfront.Logging{Enabled: true, Bucket: buckets[0] + ".s3.amazonaws.com"}
			c.WebACLID = "arn:aws:wafv2:us-east-1:" + acct + ":global/webacl/edge/1"
			c.OriginGroups = []cloudfront.OriginGroup{{ID: "fo", Members: []string{"s3", "app"}, FailoverStatusCodes: []int32{503}}}
		} else {
			c.Origins[0].S3.OriginAccessIdentity = "origin-access-identity/cloudfront/E1"
		}
		if i%4 < 2 {
			c.ViewerCertificate = cloudfront.ViewerCertificate{ACMCertificateARN: "arn:aws:acm:us-east-1:" + acct + ":certificate/" + id,
				SSLSupportMethod: []string{cloudfront.SSLSupportSNI, cloudfront.SSLSupportVIP}[i%2], MinimumProtocolVersion: "TLSv1.2_2021"}
		} else {
			c.ViewerCertificate = cloudfront.ViewerCertificate{CloudFrontDefaultCertificate: true, MinimumProtocolVersion: "TLSv1"}
		}
		dists = append(dists, cloudfront.Distribution{
			Meta: core.Meta{ARN: "arn:aws:cloudfront::" + acct + ":distribution/" + id, Account: acct, Region: core.GlobalRegion},
			ID:   id, DomainName: fmt.Sprintf("d%d.cloudfront.net", i), Status: "Deployed", Enabled: i%5 != 4,
			Config: core.Known(c),
		})
	}
	s.CloudFront.Distributions = core.Known(dists)
	for i := range s.EC2 {
		if !s.EC2[i].Addresses.Ok {
			s.EC2[i].Addresses = core.Known([]ec2.Address{})
		}
	}
	res, _ := internetFacing(s)
	var ps []shield.Protection
	for i, r := range res {
		if i%3 == 2 {
			continue // unprotected
		}
		id := fmt.Sprintf("p-%d", i)
		ps = append(ps, shield.Protection{Meta: core.Meta{ARN: "arn:aws:shield::" + acct + ":protection/" + id, Account: acct, Region: core.GlobalRegion},
			ID: id, Name: r.what, ResourceARN: r.arn})
	}
	s.Shield = shield.State{
		Subscription:      core.Known(shield.Subscription{State: shield.StateActive, AutoRenew: "ENABLED"}),
		Protections:       core.Known(ps),
		EmergencyContacts: core.Known([]shield.EmergencyContact{}),
		DRTAccess:         core.Known(shield.DRTAccess{}),
	}
}
