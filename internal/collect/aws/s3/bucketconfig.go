package s3

import (
	"context"
	"sort"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model/core"
	s3m "github.com/demarc-sec/demarc/internal/model/s3"
)

// The configurations below each have a documented "none configured" error
// code, which is a known absence (Known(nil)); any other failure leaves the
// field Unknown.

// lifecycle is Known(nil) on NoSuchLifecycleConfiguration.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html
func (r *bucketReader) lifecycle(ctx context.Context) core.Val[*s3m.Lifecycle] {
	out, err := r.client.GetBucketLifecycleConfiguration(ctx, &awss3.GetBucketLifecycleConfigurationInput{Bucket: sdkaws.String(r.name)})
	if aws.ErrorCode(err) == "NoSuchLifecycleConfiguration" {
		return core.Known[*s3m.Lifecycle](nil)
	}
	if err != nil {
		return core.Unknown[*s3m.Lifecycle](r.unknown("GetBucketLifecycleConfiguration", err))
	}
	lc := &s3m.Lifecycle{Rules: make([]s3m.LifecycleRule, 0, len(out.Rules))}
	for _, rule := range out.Rules {
		lc.Rules = append(lc.Rules, convLifecycleRule(rule))
	}
	return core.Known(lc)
}

func convLifecycleRule(in s3types.LifecycleRule) s3m.LifecycleRule {
	out := s3m.LifecycleRule{ID: sdkaws.ToString(in.ID), Status: string(in.Status), Prefix: sdkaws.ToString(in.Prefix)}
	if f := in.Filter; f != nil {
		switch {
		case f.Prefix != nil:
			out.Prefix = *f.Prefix
		case f.And != nil && f.And.Prefix != nil:
			out.Prefix = *f.And.Prefix
		}
	}
	if e := in.Expiration; e != nil {
		out.ExpirationDays = int(sdkaws.ToInt32(e.Days))
		out.ExpirationDate = e.Date
		out.ExpiredObjectDeleteMarker = sdkaws.ToBool(e.ExpiredObjectDeleteMarker)
	}
	for _, t := range in.Transitions {
		out.Transitions = append(out.Transitions, s3m.LifecycleTransition{
			Days: int(sdkaws.ToInt32(t.Days)), Date: t.Date, StorageClass: string(t.StorageClass)})
	}
	if e := in.NoncurrentVersionExpiration; e != nil {
		out.NoncurrentExpirationDays = int(sdkaws.ToInt32(e.NoncurrentDays))
	}
	for _, t := range in.NoncurrentVersionTransitions {
		out.NoncurrentTransitions = append(out.NoncurrentTransitions, s3m.LifecycleTransition{
			Days: int(sdkaws.ToInt32(t.NoncurrentDays)), StorageClass: string(t.StorageClass)})
	}
	if a := in.AbortIncompleteMultipartUpload; a != nil {
		out.AbortIncompleteMultipartUploadDays = int(sdkaws.ToInt32(a.DaysAfterInitiation))
	}
	return out
}

// replication is Known(nil) on ReplicationConfigurationNotFoundError.
// Destination regions are filled in later (resolveDestinations), once every
// bucket's region is known.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketReplication.html
func (r *bucketReader) replication(ctx context.Context) core.Val[*s3m.Replication] {
	out, err := r.client.GetBucketReplication(ctx, &awss3.GetBucketReplicationInput{Bucket: sdkaws.String(r.name)})
	switch {
	case aws.ErrorCode(err) == "ReplicationConfigurationNotFoundError":
		return core.Known[*s3m.Replication](nil)
	case err == nil && out.ReplicationConfiguration == nil:
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[*s3m.Replication](r.unknown("GetBucketReplication", err))
	}
	c := out.ReplicationConfiguration
	rep := &s3m.Replication{Role: sdkaws.ToString(c.Role), Rules: make([]s3m.ReplicationRule, 0, len(c.Rules))}
	for _, rule := range c.Rules {
		rr := s3m.ReplicationRule{ID: sdkaws.ToString(rule.ID), Status: string(rule.Status), Priority: int(sdkaws.ToInt32(rule.Priority))}
		if d := rule.Destination; d != nil {
			rr.DestinationBucket = sdkaws.ToString(d.Bucket)
			rr.DestinationAccount = sdkaws.ToString(d.Account)
		}
		rep.Rules = append(rep.Rules, rr)
	}
	return core.Known(rep)
}

// notifications: a bucket without a configuration answers an empty one.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html
func (r *bucketReader) notifications(ctx context.Context) core.Val[s3m.Notifications] {
	out, err := r.client.GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: sdkaws.String(r.name)})
	if err != nil {
		return core.Unknown[s3m.Notifications](r.unknown("GetBucketNotificationConfiguration", err))
	}
	n := s3m.Notifications{EventBridge: out.EventBridgeConfiguration != nil}
	add := func(kind string, id, arn *string, events []s3types.Event) {
		t := s3m.NotificationTarget{Kind: kind, ID: sdkaws.ToString(id), ARN: sdkaws.ToString(arn), Events: make([]string, 0, len(events))}
		for _, e := range events {
			t.Events = append(t.Events, string(e))
		}
		sort.Strings(t.Events)
		n.Targets = append(n.Targets, t)
	}
	for _, c := range out.TopicConfigurations {
		add(s3m.NotifyTopic, c.Id, c.TopicArn, c.Events)
	}
	for _, c := range out.QueueConfigurations {
		add(s3m.NotifyQueue, c.Id, c.QueueArn, c.Events)
	}
	for _, c := range out.LambdaFunctionConfigurations {
		add(s3m.NotifyLambda, c.Id, c.LambdaFunctionArn, c.Events)
	}
	sort.SliceStable(n.Targets, func(i, j int) bool {
		a, b := n.Targets[i], n.Targets[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.ARN != b.ARN {
			return a.ARN < b.ARN
		}
		return a.ID < b.ID
	})
	return core.Known(n)
}

// objectLock is Known(nil) on ObjectLockConfigurationNotFoundError (Object
// Lock was never enabled on the bucket).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLockConfiguration.html
func (r *bucketReader) objectLock(ctx context.Context) core.Val[*s3m.ObjectLock] {
	out, err := r.client.GetObjectLockConfiguration(ctx, &awss3.GetObjectLockConfigurationInput{Bucket: sdkaws.String(r.name)})
	switch {
	case aws.ErrorCode(err) == "ObjectLockConfigurationNotFoundError":
		return core.Known[*s3m.ObjectLock](nil)
	case err == nil && out.ObjectLockConfiguration == nil:
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[*s3m.ObjectLock](r.unknown("GetObjectLockConfiguration", err))
	}
	c := out.ObjectLockConfiguration
	ol := &s3m.ObjectLock{Enabled: c.ObjectLockEnabled == s3types.ObjectLockEnabledEnabled}
	if c.Rule != nil && c.Rule.DefaultRetention != nil {
		d := c.Rule.DefaultRetention
		ol.DefaultMode = string(d.Mode)
		ol.DefaultDays = int(sdkaws.ToInt32(d.Days))
		ol.DefaultYears = int(sdkaws.ToInt32(d.Years))
	}
	return core.Known(ol)
}

// resolveDestinations fills in the region of every replication destination:
// from the account's own bucket list, or else from S3 itself (HeadBucket
// names a bucket's region in x-amz-bucket-region even when it refuses the
// caller, as it does for other accounts' buckets). A destination whose
// region cannot be found keeps "" (unknown), never a guess.
func resolveDestinations(ctx context.Context, env *aws.Env, client *awss3.Client, home string, buckets []s3m.Bucket) {
	own := make(map[string]string, len(buckets))
	for _, b := range buckets {
		own[b.Name] = b.Region
	}
	foreign := map[string]string{}
	for _, b := range buckets {
		rep, ok := b.Replication.Get()
		if !ok || rep == nil {
			continue
		}
		for i := range rep.Rules {
			name := rep.Rules[i].DestinationName()
			if region, mine := own[name]; mine && region != "" {
				rep.Rules[i].DestinationRegion = region
				continue
			}
			if name == "" {
				continue
			}
			region, seen := foreign[name]
			if !seen {
				region = headBucketRegion(ctx, env, client, home, name)
				foreign[name] = region
			}
			rep.Rules[i].DestinationRegion = region
		}
	}
}

func headBucketRegion(ctx context.Context, env *aws.Env, client *awss3.Client, home, name string) string {
	out, err := client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: sdkaws.String(name)})
	if err == nil {
		if r := sdkaws.ToString(out.BucketRegion); r != "" {
			return r
		}
		err = errEmptyResponse
	}
	if r := redirectRegion(err); r != "" {
		return r
	}
	env.Unknown(service, home, "HeadBucket", name, err)
	return ""
}
