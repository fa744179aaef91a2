// Package s3 collects S3 into the snapshot: every bucket the caller can
// list, with its region, policy, AWS's public-policy verdict, Block Public
// Access, default encryption, versioning (and MFA delete), server access
// logging, ACL, ownership controls, lifecycle, replication (with each
// destination's region), event notifications, Object Lock and tags; and from
// S3 Control the account-level Block Public Access configuration and every
// region's access points with their own Block Public Access settings.
//
// S3 is global (one ListBuckets for the account) but each bucket lives in a
// region and answers only there, so per-bucket reads use a client for the
// bucket's region. A read that fails leaves only its own field Unknown.
package s3

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	"golang.org/x/sync/errgroup"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	s3m "github.com/demarc-sec/demarc/internal/model/s3"
)

// service is the service name used in unknown reasons ("access denied (s3:…)").
const service = "s3"

// bucketConcurrency bounds the buckets read at once; each costs ~14 calls.
const bucketConcurrency = 8

// errEmptyResponse stands for a successful call whose answer lacks the data
// asked for: the value is then unknown, never a default.
var errEmptyResponse = errors.New("response without the expected data")

type collector struct{}

// New returns the S3 collector.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

// Collect reads S3 into snap.S3. It returns an error only when the bucket
// list itself could not be read.
func (collector) Collect(ctx context.Context, env *aws.Env, region string, snap *model.Snapshot) error {
	clients := &clientCache{env: env, byRegion: map[string]*awss3.Client{}}
	var acct s3m.Account
	acct.AccountPublicAccessBlock = accountPublicAccessBlock(ctx, env, region)
	partition := env.Partition
	if partition == "" {
		partition = "aws"
	}
	acct.AccessPoints = collectAccessPoints(ctx, env, snap.Regions, partition)

	listed, err := listBuckets(ctx, clients.get(region))
	if err != nil {
		acct.Buckets = core.Unknown[[]s3m.Bucket](env.Unknown(service, core.GlobalRegion, "ListBuckets", "", err))
		snap.S3 = acct
		return fmt.Errorf("collect s3 buckets: %w", err)
	}
	buckets := make([]s3m.Bucket, len(listed))
	var g errgroup.Group
	g.SetLimit(bucketConcurrency)
	for i, lb := range listed {
		g.Go(func() error {
			// Goroutine i writes only buckets[i].
			buckets[i] = readBucket(ctx, env, clients, region, partition, lb)
			return nil
		})
	}
	_ = g.Wait()
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].Name < buckets[j].Name })
	resolveDestinations(ctx, env, clients.get(region), region, buckets)
	acct.Buckets = core.Known(buckets)
	snap.S3 = acct
	return nil
}

// clientCache holds one S3 client per region: a bucket answers only at its
// own region's endpoint.
type clientCache struct {
	env      *aws.Env
	mu       sync.Mutex
	byRegion map[string]*awss3.Client
}

func (c *clientCache) get(region string) *awss3.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.byRegion[region]
	if !ok {
		cl = awss3.NewFromConfig(c.env.Config(region), func(o *awss3.Options) {
			// A custom endpoint (an emulator, a proxy) cannot serve
			// <bucket>.<host> virtual-hosted names.
			o.UsePathStyle = c.env.EndpointOverride
		})
		c.byRegion[region] = cl
	}
	return cl
}

// listBuckets reads every page of ListBuckets. A failed page fails the list:
// a partial list would hide buckets from every rule.
func listBuckets(ctx context.Context, client *awss3.Client) ([]s3types.Bucket, error) {
	var out []s3types.Bucket
	p := awss3.NewListBucketsPaginator(client, &awss3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Buckets...)
	}
	return out, nil
}

// accountPublicAccessBlock reads the account-level Block Public Access
// configuration. S3 Control answers NoSuchPublicAccessBlockConfiguration when
// none is set: Known(nil).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html
func accountPublicAccessBlock(ctx context.Context, env *aws.Env, region string) core.Val[*s3m.PublicAccessBlock] {
	client := awss3control.NewFromConfig(env.Config(region))
	out, err := client.GetPublicAccessBlock(ctx, &awss3control.GetPublicAccessBlockInput{AccountId: sdkaws.String(env.AccountID)})
	switch {
	case aws.ErrorCode(err) == "NoSuchPublicAccessBlockConfiguration":
		return core.Known[*s3m.PublicAccessBlock](nil)
	case err == nil && out.PublicAccessBlockConfiguration == nil:
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[*s3m.PublicAccessBlock](env.Unknown("s3control", core.GlobalRegion, "GetPublicAccessBlock", env.AccountID, err))
	}
	c := out.PublicAccessBlockConfiguration
	return core.Known(&s3m.PublicAccessBlock{
		BlockPublicAcls:       sdkaws.ToBool(c.BlockPublicAcls),
		IgnorePublicAcls:      sdkaws.ToBool(c.IgnorePublicAcls),
		BlockPublicPolicy:     sdkaws.ToBool(c.BlockPublicPolicy),
		RestrictPublicBuckets: sdkaws.ToBool(c.RestrictPublicBuckets),
	})
}
