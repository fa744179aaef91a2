// Package cloudfront collects Amazon CloudFront, a global service served
// from us-east-1: every distribution (ListDistributions) with its full
// configuration (GetDistributionConfig), and, for each origin on an S3 REST
// endpoint, whether the bucket exists at all (s3:HeadBucket), so a rule can
// find distributions that point at a bucket anyone could register.
package cloudfront

import (
	"context"
	"errors"
	"net/http"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awscf "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	cfm "github.com/demarc-sec/demarc/internal/model/cloudfront"
	"github.com/demarc-sec/demarc/internal/model/core"
)

const service = "cloudfront"

// API is the part of the CloudFront client the collector uses.
type API interface {
	awscf.ListDistributionsAPIClient
	GetDistributionConfig(context.Context, *awscf.GetDistributionConfigInput, ...func(*awscf.Options)) (*awscf.GetDistributionConfigOutput, error)
}

// BucketAPI is the S3 call that tells whether an origin bucket exists.
type BucketAPI interface {
	HeadBucket(context.Context, *awss3.HeadBucketInput, ...func(*awss3.Options)) (*awss3.HeadBucketOutput, error)
}

type collector struct{}

// New returns the CloudFront collector. It is global: called once, it
// writes only snap.CloudFront.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

// APIRegion is the region whose endpoint serves CloudFront's control plane
// in a partition, or "" where CloudFront is not offered (GovCloud).
// https://docs.aws.amazon.com/general/latest/gr/cf_region.html
func APIRegion(partition string) string {
	switch partition {
	case "", "aws":
		return "us-east-1"
	case "aws-cn":
		return "cn-northwest-1"
	}
	return ""
}

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	region := APIRegion(snap.Partition)
	if region == "" {
		snap.CloudFront.Distributions = core.Unknown[[]cfm.Distribution](core.ReasonNotSupported +
			" (CloudFront is not offered in partition " + snap.Partition + ")")
		return nil
	}
	cfg := env.Config(region)
	buckets := awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		// A custom endpoint (an emulator, a proxy) cannot serve
		// <bucket>.<host> virtual-hosted names.
		o.UsePathStyle = env.EndpointOverride
	})
	st, err := CollectState(ctx, env, awscf.NewFromConfig(cfg), buckets, snap.ARNPrefix(), region)
	snap.CloudFront = st
	return err
}

// CollectState reads every distribution through c (a client of region) and
// checks the origin buckets through b. The error is non-nil only when the
// distributions could not be listed.
func CollectState(ctx context.Context, env *aws.Env, c API, b BucketAPI, arnPrefix, region string) (cfm.State, error) {
	p := awscf.NewListDistributionsPaginator(c, &awscf.ListDistributionsInput{})
	sums, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awscf.ListDistributionsOutput) []types.DistributionSummary {
		if o.DistributionList == nil {
			return nil
		}
		return o.DistributionList.Items
	})
	if err != nil {
		return cfm.State{Distributions: core.Unknown[[]cfm.Distribution](env.Unknown(service, region, "ListDistributions", "", err))}, err
	}
	dists := make([]cfm.Distribution, len(sums))
	kit.Each(ctx, len(sums), kit.ItemConcurrency, func(ctx context.Context, i int) {
		dists[i] = readDistribution(ctx, env, c, arnPrefix, region, sums[i])
	})
	checkBuckets(ctx, env, b, region, dists)
	sort.Slice(dists, func(i, j int) bool { return dists[i].ID < dists[j].ID })
	return cfm.State{Distributions: core.Known(dists)}, nil
}

func readDistribution(ctx context.Context, env *aws.Env, c API, arnPrefix, region string, s types.DistributionSummary) cfm.Distribution {
	id := sdk.ToString(s.Id)
	// The canonical form, as AWS reports it and as Shield and WAF name the
	// distribution; built rather than copied so an emulator's variant
	// cannot break the joins.
	arn := arnPrefix + ":cloudfront::" + env.AccountID + ":distribution/" + id
	d := cfm.Distribution{
		Meta:       core.Meta{ARN: arn, Account: env.AccountID, Region: core.GlobalRegion},
		ID:         id,
		DomainName: sdk.ToString(s.DomainName),
		Status:     sdk.ToString(s.Status),
		Enabled:    sdk.ToBool(s.Enabled),
		Staging:    sdk.ToBool(s.Staging),
	}
	if s.Aliases != nil {
		d.Aliases = append([]string(nil), s.Aliases.Items...)
		sort.Strings(d.Aliases)
	}
	out, err := c.GetDistributionConfig(ctx, &awscf.GetDistributionConfigInput{Id: sdk.String(id)})
	switch {
	case err != nil:
		d.Config = core.Unknown[cfm.Config](env.Unknown(service, region, "GetDistributionConfig", arn, err))
	case out == nil || out.DistributionConfig == nil:
		d.Config = core.Unknown[cfm.Config]("not reported (cloudfront:GetDistributionConfig)")
	default:
		d.Config = core.Known(convConfig(out.DistributionConfig))
		if e := out.DistributionConfig.Enabled; e != nil {
			d.Enabled = *e
		}
	}
	return d
}

func convConfig(in *types.DistributionConfig) cfm.Config {
	out := cfm.Config{DefaultRootObject: sdk.ToString(in.DefaultRootObject), WebACLID: sdk.ToString(in.WebACLId), Origins: []cfm.Origin{}}
	if v := in.ViewerCertificate; v != nil {
		out.ViewerCertificate = cfm.ViewerCertificate{
			CloudFrontDefaultCertificate: sdk.ToBool(v.CloudFrontDefaultCertificate),
			ACMCertificateARN:            sdk.ToString(v.ACMCertificateArn),
			IAMCertificateID:             sdk.ToString(v.IAMCertificateId),
			SSLSupportMethod:             string(v.SSLSupportMethod),
			MinimumProtocolVersion:       string(v.MinimumProtocolVersion),
			CertificateSource:            string(v.CertificateSource),
		}
	} else {
		// Without a ViewerCertificate element CloudFront uses its default
		// certificate (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html).
		out.ViewerCertificate.CloudFrontDefaultCertificate = true
	}
	if b := in.DefaultCacheBehavior; b != nil {
		out.DefaultCacheBehavior = cfm.CacheBehavior{TargetOriginID: sdk.ToString(b.TargetOriginId), ViewerProtocolPolicy: string(b.ViewerProtocolPolicy)}
	}
	if in.CacheBehaviors != nil {
		for _, b := range in.CacheBehaviors.Items {
			out.CacheBehaviors = append(out.CacheBehaviors, cfm.CacheBehavior{
				PathPattern:          sdk.ToString(b.PathPattern),
				TargetOriginID:       sdk.ToString(b.TargetOriginId),
				ViewerProtocolPolicy: string(b.ViewerProtocolPolicy),
			})
		}
	}
	if l := in.Logging; l != nil {
		out.Logging = cfm.Logging{Enabled: sdk.ToBool(l.Enabled), Bucket: sdk.ToString(l.Bucket), Prefix: sdk.ToString(l.Prefix)}
	}
	if in.Origins != nil {
		for _, o := range in.Origins.Items {
			out.Origins = append(out.Origins, convOrigin(o))
		}
	}
	if in.OriginGroups != nil {
		for _, g := range in.OriginGroups.Items {
			og := cfm.OriginGroup{ID: sdk.ToString(g.Id), Members: []string{}}
			if g.Members != nil {
				for _, m := range g.Members.Items {
					og.Members = append(og.Members, sdk.ToString(m.OriginId))
				}
			}
			if f := g.FailoverCriteria; f != nil && f.StatusCodes != nil {
				og.FailoverStatusCodes = append([]int32(nil), f.StatusCodes.Items...)
			}
			out.OriginGroups = append(out.OriginGroups, og)
		}
	}
	return out
}

func convOrigin(o types.Origin) cfm.Origin {
	out := cfm.Origin{
		ID:                    sdk.ToString(o.Id),
		DomainName:            sdk.ToString(o.DomainName),
		OriginPath:            sdk.ToString(o.OriginPath),
		OriginAccessControlID: sdk.ToString(o.OriginAccessControlId),
	}
	if s := o.S3OriginConfig; s != nil {
		out.S3 = &cfm.S3OriginConfig{OriginAccessIdentity: sdk.ToString(s.OriginAccessIdentity)}
	}
	if c := o.CustomOriginConfig; c != nil {
		cc := &cfm.CustomOriginConfig{
			HTTPPort:             sdk.ToInt32(c.HTTPPort),
			HTTPSPort:            sdk.ToInt32(c.HTTPSPort),
			OriginProtocolPolicy: string(c.OriginProtocolPolicy),
		}
		if c.OriginSslProtocols != nil {
			for _, p := range c.OriginSslProtocols.Items {
				cc.OriginSSLProtocols = append(cc.OriginSSLProtocols, string(p))
			}
		}
		out.Custom = cc
	}
	if v := o.VpcOriginConfig; v != nil {
		out.VPCOriginID = sdk.ToString(v.VpcOriginId)
	}
	return out
}

// checkBuckets asks S3 once per distinct origin bucket whether it exists and
// records the answer on every origin that names it.
func checkBuckets(ctx context.Context, env *aws.Env, b BucketAPI, region string, dists []cfm.Distribution) {
	seen := map[string]bool{}
	var names []string
	for _, d := range dists {
		for _, o := range d.Config.V.Origins {
			if bucket, ok := o.S3Bucket(); ok && d.Config.Ok && !seen[bucket] {
				seen[bucket] = true
				names = append(names, bucket)
			}
		}
	}
	sort.Strings(names)
	exists := make([]core.Val[bool], len(names))
	kit.Each(ctx, len(names), kit.ItemConcurrency, func(ctx context.Context, i int) {
		exists[i] = bucketExists(ctx, env, b, region, names[i])
	})
	byName := make(map[string]core.Val[bool], len(names))
	for i, n := range names {
		byName[n] = exists[i]
	}
	for di := range dists {
		if !dists[di].Config.Ok {
			continue
		}
		origins := dists[di].Config.V.Origins
		for oi := range origins {
			if bucket, ok := origins[oi].S3Bucket(); ok {
				origins[oi].BucketExists = byName[bucket]
			}
		}
	}
}

// bucketExists tells from HeadBucket whether a bucket exists in any account.
// S3 answers 404 for a bucket that does not exist, and names the region of
// an existing bucket (x-amz-bucket-region) even when it refuses the request
// (403) or redirects it to that region (301). A 403 without the region
// header stays unknown: it may be our own permissions talking.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
func bucketExists(ctx context.Context, env *aws.Env, b BucketAPI, region, bucket string) core.Val[bool] {
	_, err := b.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: sdk.String(bucket)})
	if err == nil {
		return core.Known(true)
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		if re.HTTPStatusCode() == http.StatusNotFound {
			return core.Known(false)
		}
		if re.Response.Header.Get("X-Amz-Bucket-Region") != "" {
			return core.Known(true)
		}
	}
	return core.Unknown[bool](env.Unknown("s3", region, "HeadBucket", bucket, err))
}
