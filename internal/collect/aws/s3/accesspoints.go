package s3

import (
	"context"
	"sort"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model/core"
	s3m "github.com/demarc-sec/demarc/internal/model/s3"
)

// accessPointAPI is the part of the S3 Control client that reads access
// points; an interface so tests can fail single calls.
type accessPointAPI interface {
	awss3control.ListAccessPointsAPIClient
	GetAccessPoint(context.Context, *awss3control.GetAccessPointInput, ...func(*awss3control.Options)) (*awss3control.GetAccessPointOutput, error)
}

// collectAccessPoints reads the access points of every region: S3 Control
// lists only the access points of the region it is called in.
func collectAccessPoints(ctx context.Context, env *aws.Env, regions []string, partition string) []s3m.AccessPointRegion {
	out, _ := kit.PerRegion(ctx, env, "s3control", regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (s3m.AccessPointRegion, error) {
			return accessPointRegion(ctx, env, awss3control.NewFromConfig(env.Config(region)), region, partition), nil
		})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// accessPointRegion reads one region's access points, each with its own
// Block Public Access configuration. A failed list leaves the region's list
// Unknown; a failed GetAccessPoint leaves only that access point's
// configuration Unknown.
func accessPointRegion(ctx context.Context, env *aws.Env, c accessPointAPI, region, partition string) s3m.AccessPointRegion {
	r := s3m.AccessPointRegion{Name: region}
	p := awss3control.NewListAccessPointsPaginator(c, &awss3control.ListAccessPointsInput{AccountId: sdkaws.String(env.AccountID)})
	listed, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awss3control.ListAccessPointsOutput) []s3ctltypes.AccessPoint {
		return o.AccessPointList
	})
	if err != nil {
		r.AccessPoints = core.Unknown[[]s3m.AccessPoint](env.Unknown("s3control", region, "ListAccessPoints", "", err))
		return r
	}
	aps := make([]s3m.AccessPoint, len(listed))
	kit.Each(ctx, len(listed), kit.ItemConcurrency, func(ctx context.Context, i int) {
		aps[i] = readAccessPoint(ctx, env, c, region, partition, listed[i])
	})
	sort.Slice(aps, func(i, j int) bool { return aps[i].Name < aps[j].Name })
	r.AccessPoints = core.Known(aps)
	return r
}

func readAccessPoint(ctx context.Context, env *aws.Env, c accessPointAPI, region, partition string, in s3ctltypes.AccessPoint) s3m.AccessPoint {
	name := sdkaws.ToString(in.Name)
	ap := s3m.AccessPoint{
		Meta:            core.Meta{ARN: sdkaws.ToString(in.AccessPointArn), Account: env.AccountID, Region: region},
		Name:            name,
		Bucket:          sdkaws.ToString(in.Bucket),
		BucketAccountID: sdkaws.ToString(in.BucketAccountId),
		NetworkOrigin:   string(in.NetworkOrigin),
	}
	if ap.ARN == "" {
		ap.ARN = "arn:" + partition + ":s3:" + region + ":" + env.AccountID + ":accesspoint/" + name
	}
	if v := in.VpcConfiguration; v != nil {
		ap.VPCID = sdkaws.ToString(v.VpcId)
	}
	out, err := c.GetAccessPoint(ctx, &awss3control.GetAccessPointInput{AccountId: sdkaws.String(env.AccountID), Name: sdkaws.String(name)})
	if err == nil && out.PublicAccessBlockConfiguration == nil {
		// Every access point has a configuration (all four settings on
		// unless turned off at creation); a missing one is not "off".
		err = errEmptyResponse
	}
	if err != nil {
		ap.PublicAccessBlock = core.Unknown[*s3m.PublicAccessBlock](env.Unknown("s3control", region, "GetAccessPoint", ap.ARN, err))
		return ap
	}
	pc := out.PublicAccessBlockConfiguration
	ap.PublicAccessBlock = core.Known(&s3m.PublicAccessBlock{
		BlockPublicAcls:       sdkaws.ToBool(pc.BlockPublicAcls),
		IgnorePublicAcls:      sdkaws.ToBool(pc.IgnorePublicAcls),
		BlockPublicPolicy:     sdkaws.ToBool(pc.BlockPublicPolicy),
		RestrictPublicBuckets: sdkaws.ToBool(pc.RestrictPublicBuckets),
	})
	return ap
}
