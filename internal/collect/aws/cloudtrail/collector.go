// Package cloudtrail collects the account's CloudTrail trails.
//
// Trails are regional resources, but a multi-region or organization trail is
// visible ("shadow trail") in every region. The collector asks every
// collected region with DescribeTrails(includeShadowTrails=true), merges the
// answers by trail ARN, and then reads each trail's status, event selectors
// and tags from its home region, the only region that answers authoritatively
// for it.
package cloudtrail

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"golang.org/x/sync/errgroup"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
	ctm "github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// service is the IAM service prefix used in reasons.
const service = "cloudtrail"

// concurrency bounds the regions / trails read at once.
const concurrency = 4

// API is the part of the CloudTrail client the collector uses.
type API interface {
	DescribeTrails(context.Context, *awsct.DescribeTrailsInput, ...func(*awsct.Options)) (*awsct.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *awsct.GetTrailStatusInput, ...func(*awsct.Options)) (*awsct.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *awsct.GetEventSelectorsInput, ...func(*awsct.Options)) (*awsct.GetEventSelectorsOutput, error)
	awsct.ListTagsAPIClient
}

type collector struct{}

// New returns the CloudTrail collector. It is global (run once) but reads
// every region of the snapshot.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return "cloudtrail" }
func (collector) Regional() bool { return false }

// Collect fills snap.CloudTrail.
func (collector) Collect(ctx context.Context, env *aws.Env, region string, snap *model.Snapshot) error {
	regions := snap.Regions
	if len(regions) == 0 {
		regions = []string{region}
	}
	clients := map[string]API{}
	var mu sync.Mutex
	clientFor := func(r string) API {
		mu.Lock()
		defer mu.Unlock()
		c, ok := clients[r]
		if !ok {
			c = awsct.NewFromConfig(env.Config(r))
			clients[r] = c
		}
		return c
	}
	acct, err := CollectAccount(ctx, env, clientFor, regions, snap.ARNPrefix())
	snap.CloudTrail = acct
	return err
}

// CollectAccount reads the trails visible in regions. clientFor returns a
// client for a region (it must be safe for concurrent use). The error is
// non-nil only when no region could be read or ctx was canceled.
func CollectAccount(ctx context.Context, env *aws.Env, clientFor func(region string) API, regions []string, arnPrefix string) (ctm.Account, error) {
	type answer struct {
		region string
		trails []types.Trail
		reason string
	}
	answers := make([]answer, len(regions))
	var g errgroup.Group
	g.SetLimit(concurrency)
	for i, r := range regions {
		g.Go(func() error {
			answers[i].region = r
			out, err := clientFor(r).DescribeTrails(ctx, &awsct.DescribeTrailsInput{IncludeShadowTrails: sdk.Bool(true)})
			if err != nil {
				answers[i].reason = env.Unknown(service, r, "DescribeTrails", "", err)
				return nil
			}
			if out != nil {
				answers[i].trails = out.TrailList
			}
			return nil
		})
	}
	_ = g.Wait()

	var acct ctm.Account
	acct.RegionsRead = []string{}
	byARN := map[string]types.Trail{}
	seenIn := map[string]string{} // ARN → a region where the trail was seen
	firstReason := ""
	sort.Slice(answers, func(i, j int) bool { return answers[i].region < answers[j].region })
	for _, a := range answers {
		if a.reason != "" {
			if firstReason == "" {
				firstReason = a.reason
			}
			continue
		}
		acct.RegionsRead = append(acct.RegionsRead, a.region)
		for _, t := range a.trails {
			arn := trailARN(arnPrefix, env.AccountID, a.region, t)
			if _, dup := byARN[arn]; !dup {
				byARN[arn] = t
				seenIn[arn] = a.region
			}
		}
	}
	if err := ctx.Err(); err != nil {
		acct.Trails = core.Unknown[[]ctm.Trail](core.ReasonCanceled)
		return acct, fmt.Errorf("collect cloudtrail: %w", err)
	}
	if len(acct.RegionsRead) == 0 {
		acct.Trails = core.Unknown[[]ctm.Trail](firstReason)
		return acct, fmt.Errorf("collect cloudtrail: DescribeTrails failed in every region (%s)", firstReason)
	}

	arns := make([]string, 0, len(byARN))
	for arn := range byARN {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	trails := make([]ctm.Trail, len(arns))
	g = errgroup.Group{}
	g.SetLimit(concurrency)
	for i, arn := range arns {
		g.Go(func() error {
			t := convTrail(arn, env.AccountID, seenIn[arn], byARN[arn])
			readDetails(ctx, env, clientFor(t.HomeRegion), &t)
			trails[i] = t
			return nil
		})
	}
	_ = g.Wait()
	acct.Trails = core.Known(trails)
	if err := ctx.Err(); err != nil {
		return acct, fmt.Errorf("collect cloudtrail: %w", err)
	}
	return acct, nil
}

// trailARN is the trail's ARN, or one built from its name and home region
// when the answer left it out (so the trail is still de-duplicated and
// reported rather than dropped).
func trailARN(arnPrefix, account, seenRegion string, t types.Trail) string {
	if a := sdk.ToString(t.TrailARN); a != "" {
		return a
	}
	home := sdk.ToString(t.HomeRegion)
	if home == "" {
		home = seenRegion
	}
	return arnPrefix + ":cloudtrail:" + home + ":" + account + ":trail/" + sdk.ToString(t.Name)
}

// accountOfARN returns the account field of an ARN, or "".
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		return parts[4]
	}
	return ""
}

// convTrail maps DescribeTrails' view of a trail. Status and selectors start
// unknown and are filled by readDetails.
func convTrail(arn, account, seenRegion string, t types.Trail) ctm.Trail {
	home := sdk.ToString(t.HomeRegion)
	if home == "" {
		home = seenRegion
	}
	// An organization trail seen from a member account belongs to the
	// management account: the ARN says whose it is.
	owner := accountOfARN(arn)
	if owner == "" {
		owner = account
	}
	return ctm.Trail{
		Meta:                       core.Meta{ARN: arn, Account: owner, Region: home},
		Name:                       sdk.ToString(t.Name),
		HomeRegion:                 home,
		IsMultiRegion:              sdk.ToBool(t.IsMultiRegionTrail),
		IsOrganizationTrail:        sdk.ToBool(t.IsOrganizationTrail),
		IncludeGlobalServiceEvents: sdk.ToBool(t.IncludeGlobalServiceEvents),
		LogFileValidation:          sdk.ToBool(t.LogFileValidationEnabled),
		KMSKeyID:                   sdk.ToString(t.KmsKeyId),
		S3BucketName:               sdk.ToString(t.S3BucketName),
		CloudWatchLogsLogGroupARN:  sdk.ToString(t.CloudWatchLogsLogGroupArn),
		CloudWatchLogsRoleARN:      sdk.ToString(t.CloudWatchLogsRoleArn),
	}
}

// readDetails reads status, selectors and tags of one trail from its home
// region. Each read fails on its own; tags are optional (no rule depends on
// them), so their failure is recorded but leaves the trail intact.
func readDetails(ctx context.Context, env *aws.Env, c API, t *ctm.Trail) {
	st, err := c.GetTrailStatus(ctx, &awsct.GetTrailStatusInput{Name: sdk.String(t.ARN)})
	if err != nil {
		t.Status = core.Unknown[ctm.Status](env.Unknown(service, t.HomeRegion, "GetTrailStatus", t.ARN, err))
	} else {
		t.Status = convStatus(st)
	}
	sel, err := c.GetEventSelectors(ctx, &awsct.GetEventSelectorsInput{TrailName: sdk.String(t.ARN)})
	if err != nil {
		t.Selectors = core.Unknown[ctm.Selectors](env.Unknown(service, t.HomeRegion, "GetEventSelectors", t.ARN, err))
	} else {
		t.Selectors = convSelectors(sel)
	}
	p := awsct.NewListTagsPaginator(c, &awsct.ListTagsInput{ResourceIdList: []string{t.ARN}})
	tags := map[string]string{}
	for n := 0; p.HasMorePages() && n < 100; n++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			env.Unknown(service, t.HomeRegion, "ListTags", t.ARN, err)
			return
		}
		for _, rt := range out.ResourceTagList {
			if id := sdk.ToString(rt.ResourceId); id != "" && id != t.ARN {
				continue
			}
			for _, tag := range rt.TagsList {
				if tag.Key != nil {
					tags[*tag.Key] = sdk.ToString(tag.Value)
				}
			}
		}
	}
	if len(tags) > 0 {
		t.Tags = tags
	}
}

// convStatus maps GetTrailStatus. A missing IsLogging is unknown, not "off".
func convStatus(o *awsct.GetTrailStatusOutput) core.Val[ctm.Status] {
	if o == nil || o.IsLogging == nil {
		return core.Unknown[ctm.Status]("not reported (cloudtrail:GetTrailStatus)")
	}
	s := ctm.Status{
		IsLogging:           *o.IsLogging,
		LatestDeliveryError: sdk.ToString(o.LatestDeliveryError),
	}
	if o.LatestDeliveryTime != nil {
		v := o.LatestDeliveryTime.UTC()
		s.LatestDeliveryTime = &v
	}
	if o.LatestCloudWatchLogsDeliveryTime != nil {
		v := o.LatestCloudWatchLogsDeliveryTime.UTC()
		s.LatestCloudWatchDelivery = &v
	}
	return core.Known(s)
}

// convSelectors maps GetEventSelectors (a trail has basic or advanced
// selectors, never both).
func convSelectors(o *awsct.GetEventSelectorsOutput) core.Val[ctm.Selectors] {
	if o == nil {
		return core.Unknown[ctm.Selectors]("not reported (cloudtrail:GetEventSelectors)")
	}
	var s ctm.Selectors
	for _, e := range o.EventSelectors {
		es := ctm.EventSelector{
			ReadWriteType: string(e.ReadWriteType),
			// A selector that does not say whether it includes management
			// events is read as not including them: the reading under which
			// a "management events are logged" check cannot wrongly pass.
			IncludeManagementEvents: sdk.ToBool(e.IncludeManagementEvents),
			ExcludeSources:          append([]string(nil), e.ExcludeManagementEventSources...),
		}
		for _, d := range e.DataResources {
			es.DataResources = append(es.DataResources, ctm.DataResource{
				Type:   sdk.ToString(d.Type),
				Values: append([]string{}, d.Values...),
			})
		}
		s.Basic = append(s.Basic, es)
	}
	for _, a := range o.AdvancedEventSelectors {
		as := ctm.AdvancedSelector{Name: sdk.ToString(a.Name), Fields: []ctm.FieldSelector{}}
		for _, f := range a.FieldSelectors {
			as.Fields = append(as.Fields, ctm.FieldSelector{
				Field:         sdk.ToString(f.Field),
				Equals:        f.Equals,
				NotEquals:     f.NotEquals,
				StartsWith:    f.StartsWith,
				NotStartsWith: f.NotStartsWith,
				EndsWith:      f.EndsWith,
				NotEndsWith:   f.NotEndsWith,
			})
		}
		s.Advanced = append(s.Advanced, as)
	}
	return core.Known(s)
}
