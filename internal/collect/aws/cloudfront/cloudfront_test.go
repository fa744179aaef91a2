package cloudfront

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awscf "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	cfm "github.com/demarc-sec/demarc/internal/model/cloudfront"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// distConfig builds a distribution configuration for moto.
func distConfig(ref string, origins []types.Origin, def *types.DefaultCacheBehavior) *types.DistributionConfig {
	return &types.DistributionConfig{
		CallerReference:      sdk.String(ref),
		Comment:              sdk.String(ref),
		Enabled:              sdk.Bool(true),
		Origins:              &types.Origins{Quantity: sdk.Int32(int32(len(origins))), Items: origins},
		DefaultCacheBehavior: def,
	}
}

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	s := sdk.String
	s3c := awss3.NewFromConfig(m.Config("us-east-1"), func(o *awss3.Options) { o.UsePathStyle = true })
	kittest.Must(s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("site-content")}))
	cf := awscf.NewFromConfig(m.Config("us-east-1"))

	// A static site on S3 with a default root object, logging, a custom
	// certificate, HTTPS to viewers and a failover group.
	site := distConfig("site", []types.Origin{
		{Id: s("primary"), DomainName: s("site-content.s3.us-east-1.amazonaws.com"), S3OriginConfig: &types.S3OriginConfig{OriginAccessIdentity: s("")}},
		{Id: s("gone"), DomainName: s("deleted-bucket-xyz.s3.amazonaws.com"), S3OriginConfig: &types.S3OriginConfig{OriginAccessIdentity: s("")}},
	}, &types.DefaultCacheBehavior{TargetOriginId: s("primary"), ViewerProtocolPolicy: types.ViewerProtocolPolicyRedirectToHttps})
	site.DefaultRootObject = s("index.html")
	site.Logging = &types.LoggingConfig{Enabled: sdk.Bool(true), Bucket: s("logs.s3.amazonaws.com"), Prefix: s("cf/"), IncludeCookies: sdk.Bool(false)}
	site.ViewerCertificate = &types.ViewerCertificate{CloudFrontDefaultCertificate: sdk.Bool(false),
		ACMCertificateArn: s("arn:aws:acm:us-east-1:" + m.Env.AccountID + ":certificate/c1"),
		SSLSupportMethod:  types.SSLSupportMethodSniOnly, MinimumProtocolVersion: types.MinimumProtocolVersionTLSv122021}
	site.WebACLId = s("arn:aws:wafv2:us-east-1:" + m.Env.AccountID + ":global/webacl/edge/1")
	site.OriginGroups = &types.OriginGroups{Quantity: sdk.Int32(1), Items: []types.OriginGroup{{
		Id:               s("failover"),
		FailoverCriteria: &types.OriginGroupFailoverCriteria{StatusCodes: &types.StatusCodes{Quantity: sdk.Int32(1), Items: []int32{503}}},
		Members: &types.OriginGroupMembers{Quantity: sdk.Int32(2), Items: []types.OriginGroupMember{
			{OriginId: s("primary")}, {OriginId: s("gone")}}},
	}}}
	siteOut := kittest.Must(cf.CreateDistribution(ctx, &awscf.CreateDistributionInput{DistributionConfig: site}))

	// An API behind a custom origin over plain HTTP, allow-all to viewers.
	api := distConfig("api", []types.Origin{{
		Id: s("app"), DomainName: s("app.example.com"),
		CustomOriginConfig: &types.CustomOriginConfig{HTTPPort: sdk.Int32(80), HTTPSPort: sdk.Int32(443),
			OriginProtocolPolicy: types.OriginProtocolPolicyMatchViewer,
			OriginSslProtocols:   &types.OriginSslProtocols{Quantity: sdk.Int32(2), Items: []types.SslProtocol{types.SslProtocolSSLv3, types.SslProtocolTLSv1}}},
	}}, &types.DefaultCacheBehavior{TargetOriginId: s("app"), ViewerProtocolPolicy: types.ViewerProtocolPolicyAllowAll})
	api.CacheBehaviors = &types.CacheBehaviors{Quantity: sdk.Int32(1), Items: []types.CacheBehavior{{
		PathPattern: s("/secure/*"), TargetOriginId: s("app"), ViewerProtocolPolicy: types.ViewerProtocolPolicyHttpsOnly,
	}}}
	apiOut := kittest.Must(cf.CreateDistribution(ctx, &awscf.CreateDistributionInput{DistributionConfig: api}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"us-east-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	dists := kittest.Known(t, "distributions", snap.CloudFront.Distributions)
	if len(dists) != 2 {
		t.Fatalf("distributions = %+v", dists)
	}
	byID := map[string]cfm.Distribution{}
	for _, d := range dists {
		byID[d.ID] = d
		if d.Region != core.GlobalRegion || d.Account != m.Env.AccountID || d.ARN == "" {
			t.Errorf("meta = %+v", d.Meta)
		}
	}
	sd := byID[sdk.ToString(siteOut.Distribution.Id)]
	// moto 5.2 reports arn:aws:cloudfront:ACCOUNT:… (no empty region
	// field); the collector always builds AWS's form.
	if sd.ARN != "arn:aws:cloudfront::"+m.Env.AccountID+":distribution/"+sd.ID || !sd.Enabled || sd.DomainName == "" {
		t.Errorf("site = %+v", sd)
	}
	c := kittest.Known(t, "site config", sd.Config)
	if c.DefaultRootObject != "index.html" || !c.Logging.Enabled || c.Logging.Bucket != "logs.s3.amazonaws.com" ||
		c.WebACLID == "" || c.DefaultCacheBehavior.ViewerProtocolPolicy != cfm.ViewerRedirectToHTTPS {
		t.Errorf("site config = %+v", c)
	}
	if v := c.ViewerCertificate; v.CloudFrontDefaultCertificate || !v.Custom() || v.SSLSupportMethod != cfm.SSLSupportSNI || v.MinimumProtocolVersion != "TLSv1.2_2021" {
		t.Errorf("viewer certificate = %+v", v)
	}
	if len(c.OriginGroups) != 1 || len(c.OriginGroups[0].Members) != 2 || c.OriginGroups[0].Members[0] != "primary" {
		t.Errorf("origin groups = %+v", c.OriginGroups)
	}
	if len(c.Origins) != 2 {
		t.Fatalf("origins = %+v", c.Origins)
	}
	for _, o := range c.Origins {
		// moto 5.2 leaves S3OriginConfig out of its answers; the S3 REST
		// domain still makes these S3 origins.
		if !o.IsS3Origin() || o.Custom != nil {
			t.Errorf("origin %s is not an S3 origin: %+v", o.ID, o)
		}
		want := o.ID == "primary"
		if got := kittest.Known(t, "bucket exists "+o.ID, o.BucketExists); got != want {
			t.Errorf("origin %s bucket exists = %v, want %v", o.ID, got, want)
		}
	}
	ad := byID[sdk.ToString(apiOut.Distribution.Id)]
	ac := kittest.Known(t, "api config", ad.Config)
	if ac.DefaultRootObject != "" || ac.Logging.Enabled || ac.WebACLID != "" || len(ac.OriginGroups) != 0 {
		t.Errorf("api config = %+v", ac)
	}
	if len(ac.CacheBehaviors) != 1 || ac.CacheBehaviors[0].ViewerProtocolPolicy != cfm.ViewerHTTPSOnly || ac.CacheBehaviors[0].PathPattern != "/secure/*" ||
		ac.DefaultCacheBehavior.ViewerProtocolPolicy != cfm.ViewerAllowAll {
		t.Errorf("api behaviours = %+v / %+v", ac.DefaultCacheBehavior, ac.CacheBehaviors)
	}
	o := ac.Origins[0]
	if o.Custom == nil || o.Custom.OriginProtocolPolicy != cfm.OriginMatchViewer || len(o.Custom.OriginSSLProtocols) != 2 ||
		o.Custom.OriginSSLProtocols[0] != "SSLv3" || o.IsS3Origin() || o.BucketExists.Ok {
		t.Errorf("api origin = %+v (custom %+v)", o, o.Custom)
	}
	if !ac.ViewerCertificate.CloudFrontDefaultCertificate || ac.ViewerCertificate.Custom() {
		t.Errorf("api certificate = %+v", ac.ViewerCertificate)
	}
}

// cfFake lists two pages of distributions and refuses the configuration of
// the second.
type cfFake struct{ listErr error }

func (f cfFake) ListDistributions(_ context.Context, in *awscf.ListDistributionsInput, _ ...func(*awscf.Options)) (*awscf.ListDistributionsOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	page := func(id string, next *string) *awscf.ListDistributionsOutput {
		return &awscf.ListDistributionsOutput{DistributionList: &types.DistributionList{
			IsTruncated: sdk.Bool(next != nil), NextMarker: next,
			Items: []types.DistributionSummary{{Id: sdk.String(id), DomainName: sdk.String(id + ".cloudfront.net"), Enabled: sdk.Bool(true)}},
		}}
	}
	if in.Marker == nil {
		return page("E2", sdk.String("m1")), nil
	}
	return page("E1", nil), nil
}

func (cfFake) GetDistributionConfig(_ context.Context, in *awscf.GetDistributionConfigInput, _ ...func(*awscf.Options)) (*awscf.GetDistributionConfigOutput, error) {
	if sdk.ToString(in.Id) == "E2" {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not allowed"}
	}
	return &awscf.GetDistributionConfigOutput{DistributionConfig: &types.DistributionConfig{
		Origins: &types.Origins{Quantity: sdk.Int32(4), Items: []types.Origin{
			{Id: sdk.String("missing"), DomainName: sdk.String("missing.s3.eu-west-1.amazonaws.com"), S3OriginConfig: &types.S3OriginConfig{}},
			{Id: sdk.String("elsewhere"), DomainName: sdk.String("elsewhere.s3-eu-west-1.amazonaws.com"), S3OriginConfig: &types.S3OriginConfig{}},
			{Id: sdk.String("denied"), DomainName: sdk.String("denied.s3.amazonaws.com"), S3OriginConfig: &types.S3OriginConfig{},
				OriginAccessControlId: sdk.String("EOAC")},
			{Id: sdk.String("site"), DomainName: sdk.String("www.example.com.s3-website-us-east-1.amazonaws.com"),
				CustomOriginConfig: &types.CustomOriginConfig{OriginProtocolPolicy: types.OriginProtocolPolicyHttpOnly}},
		}},
		DefaultCacheBehavior: &types.DefaultCacheBehavior{TargetOriginId: sdk.String("missing"), ViewerProtocolPolicy: types.ViewerProtocolPolicyHttpsOnly},
	}}, nil
}

// bucketFake answers HeadBucket as S3 does for a bucket that does not
// exist (404), one in another region (301 with the region header), and one
// the caller may not read (403 without the header). The collector asks
// concurrently, so the call counts are guarded.
type bucketFake struct {
	mu    *sync.Mutex
	calls map[string]int
}

func newBucketFake() bucketFake { return bucketFake{mu: &sync.Mutex{}, calls: map[string]int{}} }

func (f bucketFake) count(bucket string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[bucket]
}

func httpError(status int, region string) error {
	h := http.Header{}
	if region != "" {
		h.Set("X-Amz-Bucket-Region", region)
	}
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: h}},
		Err: errors.New(http.StatusText(status))}
}

func (f bucketFake) HeadBucket(_ context.Context, in *awss3.HeadBucketInput, _ ...func(*awss3.Options)) (*awss3.HeadBucketOutput, error) {
	f.mu.Lock()
	f.calls[sdk.ToString(in.Bucket)]++
	f.mu.Unlock()
	switch sdk.ToString(in.Bucket) {
	case "missing":
		return nil, httpError(http.StatusNotFound, "")
	case "elsewhere":
		return nil, httpError(http.StatusMovedPermanently, "eu-west-1")
	case "denied":
		return nil, httpError(http.StatusForbidden, "")
	}
	return &awss3.HeadBucketOutput{}, nil
}

func TestCollectFake(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	b := newBucketFake()
	st, err := CollectState(context.Background(), env, cfFake{}, b, "arn:aws", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	dists := kittest.Known(t, "distributions", st.Distributions)
	if len(dists) != 2 || dists[0].ID != "E1" || dists[1].ID != "E2" {
		t.Fatalf("want both pages, sorted: %+v", dists)
	}
	if dists[0].ARN != "arn:aws:cloudfront::111122223333:distribution/E1" {
		t.Errorf("constructed ARN = %s", dists[0].ARN)
	}
	// A denied configuration is unknown, never an empty (compliant-looking) one.
	if dists[1].Config.Ok || dists[1].Config.Why() != "access denied (cloudfront:GetDistributionConfig)" {
		t.Errorf("E2 config = %+v", dists[1].Config)
	}
	c := kittest.Known(t, "E1 config", dists[0].Config)
	exists := map[string]core.Val[bool]{}
	for _, o := range c.Origins {
		exists[o.ID] = o.BucketExists
	}
	if v := exists["missing"]; !v.Ok || v.V {
		t.Errorf("missing bucket = %+v, want known false", v)
	}
	if v := exists["elsewhere"]; !v.Ok || !v.V {
		t.Errorf("bucket in another region = %+v, want known true", v)
	}
	if v := exists["denied"]; v.Ok || v.Why() != "access denied (s3:HeadBucket)" {
		t.Errorf("403 without a region = %+v, want unknown", v)
	}
	if v := exists["site"]; v.Ok {
		t.Errorf("a website endpoint is not checked: %+v", v)
	}
	if b.count("www.example.com") != 0 || b.count("missing") != 1 {
		t.Errorf("HeadBucket calls = %v", b.calls)
	}
	if !c.ViewerCertificate.CloudFrontDefaultCertificate {
		t.Error("no ViewerCertificate element means CloudFront's default certificate")
	}
	var ops []string
	for _, e := range env.Errors() {
		ops = append(ops, e.Service+":"+e.Operation)
	}
	if len(ops) != 2 {
		t.Errorf("recorded errors = %v", ops)
	}
}

func TestListDenied(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	st, err := CollectState(context.Background(), env, cfFake{listErr: &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}},
		newBucketFake(), "arn:aws", "us-east-1")
	if err == nil || st.Distributions.Ok || st.Distributions.Why() != "access denied (cloudfront:ListDistributions)" {
		t.Errorf("err %v, distributions %+v", err, st.Distributions)
	}
}

func TestPartition(t *testing.T) {
	snap := model.New("111122223333", "aws-us-gov", []string{"us-gov-west-1"})
	if err := New().Collect(context.Background(), &aws.Env{AccountID: "111122223333"}, "us-gov-west-1", snap); err != nil {
		t.Fatal(err)
	}
	if snap.CloudFront.Distributions.Ok || snap.CloudFront.Distributions.Why() == "" {
		t.Errorf("GovCloud: %+v", snap.CloudFront.Distributions)
	}
	if APIRegion("aws") != "us-east-1" || APIRegion("aws-cn") != "cn-northwest-1" {
		t.Error("APIRegion")
	}
}
