package s3

import (
	"context"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	s3m "github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// TestCollectConfigurationsMoto creates buckets with and without lifecycle,
// replication, notification and Object Lock configurations, and access
// points, in moto, and reads them back through the collector: a
// configuration that is absent must be Known(nil)/empty, never Unknown, and
// one that is present must come back field for field.
func TestCollectConfigurationsMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	s := sdkaws.String
	use := m.Config("us-east-1")
	c := awss3.NewFromConfig(use, pathStyle)
	eu := awss3.NewFromConfig(m.Config("eu-west-1"), pathStyle)
	// A second account owns a bucket that "versioned" replicates to.
	other := moto.NewAccount(t)
	oc := awss3.NewFromConfig(m.Server.Config("ap-southeast-2", other), pathStyle)

	enabled := &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}
	kittest.Must(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("versioned")}))
	kittest.Must(c.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: s("versioned"), VersioningConfiguration: enabled}))
	kittest.Must(eu.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("replica"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}))
	kittest.Must(eu.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: s("replica"), VersioningConfiguration: enabled}))
	kittest.Must(oc.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("partner-replica-" + other),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintApSoutheast2}}))
	kittest.Must(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("locked"), ObjectLockEnabledForBucket: sdkaws.Bool(true)}))
	kittest.Must(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("plain")}))

	kittest.Must(c.PutBucketLifecycleConfiguration(ctx, &awss3.PutBucketLifecycleConfigurationInput{Bucket: s("versioned"),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{
			{
				ID: s("logs"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: s("logs/")},
				Expiration:                  &s3types.LifecycleExpiration{Days: sdkaws.Int32(365)},
				Transitions:                 []s3types.Transition{{Days: sdkaws.Int32(30), StorageClass: s3types.TransitionStorageClassStandardIa}},
				NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{NoncurrentDays: sdkaws.Int32(7)},
			},
			{ID: s("off"), Status: s3types.ExpirationStatusDisabled, Filter: &s3types.LifecycleRuleFilter{Prefix: s("tmp/")},
				Expiration: &s3types.LifecycleExpiration{Days: sdkaws.Int32(1)}},
		}}}))
	kittest.Must(c.PutBucketReplication(ctx, &awss3.PutBucketReplicationInput{Bucket: s("versioned"),
		ReplicationConfiguration: &s3types.ReplicationConfiguration{
			Role: s("arn:aws:iam::" + m.Env.AccountID + ":role/replication"),
			Rules: []s3types.ReplicationRule{
				{ID: s("dr"), Status: s3types.ReplicationRuleStatusEnabled, Priority: sdkaws.Int32(1),
					Filter:                  &s3types.ReplicationRuleFilter{Prefix: s("")},
					DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled},
					Destination:             &s3types.Destination{Bucket: s("arn:aws:s3:::replica")}},
				{ID: s("partner"), Status: s3types.ReplicationRuleStatusDisabled, Priority: sdkaws.Int32(2),
					Filter:                  &s3types.ReplicationRuleFilter{Prefix: s("shared/")},
					DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled},
					Destination:             &s3types.Destination{Bucket: s("arn:aws:s3:::partner-replica-" + other), Account: s(other)}},
			}}}))
	topic := "arn:aws:sns:us-east-1:" + m.Env.AccountID + ":bucket-events"
	kittest.Must(c.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{Bucket: s("versioned"),
		SkipDestinationValidation: sdkaws.Bool(true),
		NotificationConfiguration: &s3types.NotificationConfiguration{
			TopicConfigurations: []s3types.TopicConfiguration{{Id: s("deletes"), TopicArn: s(topic),
				Events: []s3types.Event{s3types.EventS3ObjectRemoved, s3types.EventS3ObjectCreatedPut}}},
		}}))
	kittest.Must(c.PutObjectLockConfiguration(ctx, &awss3.PutObjectLockConfigurationInput{Bucket: s("locked"),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
			Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeGovernance, Days: sdkaws.Int32(3)}}}}))

	ctl := awss3control.NewFromConfig(use)
	kittest.Must(ctl.CreateAccessPoint(ctx, &awss3control.CreateAccessPointInput{AccountId: s(m.Env.AccountID), Name: s("closed-ap"), Bucket: s("plain")}))
	kittest.Must(ctl.CreateAccessPoint(ctx, &awss3control.CreateAccessPointInput{AccountId: s(m.Env.AccountID), Name: s("open-ap"), Bucket: s("plain"),
		PublicAccessBlockConfiguration: &s3ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: sdkaws.Bool(true), IgnorePublicAcls: sdkaws.Bool(true),
			BlockPublicPolicy: sdkaws.Bool(false), RestrictPublicBuckets: sdkaws.Bool(false)}}))

	// One region: moto's S3 Control keeps access points account-wide and
	// would list them again in every region.
	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"us-east-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	for _, e := range m.Env.Errors() {
		// moto 5.2.1 has no GetBucketPolicyStatus (see TestCollectMoto).
		if e.Operation != "GetBucketPolicyStatus" {
			t.Errorf("collect error: %+v", e)
		}
	}
	buckets := kittest.Known(t, "buckets", snap.S3.Buckets)
	byName := map[string]s3m.Bucket{}
	for _, b := range buckets {
		byName[b.Name] = b
	}

	v := byName["versioned"]
	lc := kittest.Known(t, "versioned lifecycle", v.Lifecycle)
	if lc == nil || len(lc.Rules) != 2 {
		t.Fatalf("versioned lifecycle = %+v", lc)
	}
	r0, r1 := lc.Rules[0], lc.Rules[1]
	if r0.ID != "logs" || !r0.Enabled() || r0.Prefix != "logs/" || r0.ExpirationDays != 365 || r0.NoncurrentExpirationDays != 7 ||
		len(r0.Transitions) != 1 || r0.Transitions[0].Days != 30 || r0.Transitions[0].StorageClass != "STANDARD_IA" {
		t.Errorf("lifecycle rule 0 = %+v", r0)
	}
	if r1.ID != "off" || r1.Enabled() || r1.Prefix != "tmp/" {
		t.Errorf("lifecycle rule 1 = %+v", r1)
	}
	rep := kittest.Known(t, "versioned replication", v.Replication)
	if rep == nil || len(rep.Rules) != 2 || !strings.HasSuffix(rep.Role, ":role/replication") {
		t.Fatalf("versioned replication = %+v", rep)
	}
	for _, r := range rep.Rules {
		switch r.ID {
		case "dr":
			// An own bucket: its region comes from the bucket list.
			if !r.Enabled() || r.DestinationBucket != "arn:aws:s3:::replica" || r.DestinationRegion != "eu-west-1" {
				t.Errorf("dr rule = %+v", r)
			}
		case "partner":
			// Another account's bucket: its region comes from HeadBucket.
			if r.Enabled() || r.DestinationAccount != other || r.DestinationRegion != "ap-southeast-2" {
				t.Errorf("partner rule = %+v", r)
			}
		default:
			t.Errorf("unexpected rule %+v", r)
		}
	}
	// moto 5.2.1 stores an EventBridgeConfiguration as an empty dict and
	// then never returns it; TestCollectConfigurationsFake covers it.
	n := kittest.Known(t, "versioned notifications", v.Notifications)
	if len(n.Targets) != 1 || n.Targets[0].Kind != s3m.NotifyTopic || n.Targets[0].ARN != topic ||
		strings.Join(n.Targets[0].Events, ",") != "s3:ObjectCreated:Put,s3:ObjectRemoved:*" || !n.Enabled() {
		t.Errorf("versioned notifications = %+v", n)
	}

	lock := kittest.Known(t, "locked object lock", byName["locked"].ObjectLock)
	if lock == nil || !lock.Enabled || lock.DefaultMode != "GOVERNANCE" || lock.DefaultDays != 3 {
		t.Errorf("locked object lock = %+v", lock)
	}

	// Known absence, field by field.
	p := byName["plain"]
	if x := kittest.Known(t, "plain lifecycle", p.Lifecycle); x != nil {
		t.Errorf("plain lifecycle = %+v, want Known(nil)", x)
	}
	if x := kittest.Known(t, "plain replication", p.Replication); x != nil {
		t.Errorf("plain replication = %+v, want Known(nil)", x)
	}
	if x := kittest.Known(t, "plain notifications", p.Notifications); x.Enabled() {
		t.Errorf("plain notifications = %+v, want none", x)
	}
	if x := kittest.Known(t, "plain object lock", p.ObjectLock); x != nil {
		t.Errorf("plain object lock = %+v, want Known(nil)", x)
	}

	if len(snap.S3.AccessPoints) != 1 || snap.S3.AccessPoints[0].Name != "us-east-1" {
		t.Fatalf("access point regions = %+v", snap.S3.AccessPoints)
	}
	aps := kittest.Known(t, "access points", snap.S3.AccessPoints[0].AccessPoints)
	if len(aps) != 2 || aps[0].Name != "closed-ap" || aps[1].Name != "open-ap" {
		t.Fatalf("access points = %+v", aps)
	}
	for _, ap := range aps {
		if ap.Bucket != "plain" || ap.Region != "us-east-1" || !strings.HasSuffix(ap.ARN, ":accesspoint/"+ap.Name) || ap.NetworkOrigin != "Internet" {
			t.Errorf("access point meta = %+v", ap)
		}
	}
	if b := kittest.Known(t, "closed-ap BPA", aps[0].PublicAccessBlock); !b.All() {
		t.Errorf("closed-ap BPA = %+v, want all on (the default)", b)
	}
	if b := kittest.Known(t, "open-ap BPA", aps[1].PublicAccessBlock); b == nil || !b.BlockPublicAcls || b.BlockPublicPolicy || b.RestrictPublicBuckets {
		t.Errorf("open-ap BPA = %+v", b)
	}
}
