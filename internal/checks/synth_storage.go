package checks

import (
	"fmt"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
	"github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/model/sns"
)

// addSyntheticStorageFSBP fills in what the FSBP S3, DynamoDB and SNS
// configuration rules read, with a mix of outcomes: bucket lifecycle,
// replication (cross-Region, same-Region, none), notifications and Object
// Lock; a few access points per region (some with Block Public Access
// partly off); scalable targets for some provisioned tables; a few DAX
// clusters per region; and delivery status logging on some topics.
func addSyntheticStorageFSBP(s *model.Snapshot, acct string, n int) {
	for i := range s.S3.Buckets.V {
		b := &s.S3.Buckets.V[i]
		switch i % 3 {
		case 0:
			b.Lifecycle = core.Known[*s3.Lifecycle](nil)
		default:
			b.Lifecycle = core.Known(&s3.Lifecycle{Rules: []s3.LifecycleRule{{ID: "expire", Status: []string{"Enabled", "Disabled"}[i%2], ExpirationDays: 365}}})
		}
		dest := syntheticRegions[(i+1)%len(syntheticRegions)]
		if i%4 == 1 {
			dest = b.Region
		}
		if i%5 == 0 {
			b.Replication = core.Known[*s3.Replication](nil)
		} else {
			b.Replication = core.Known(&s3.Replication{Rules: []s3.ReplicationRule{{ID: "r", Status: "Enabled",
				DestinationBucket: "arn:aws:s3:::" + b.Name + "-replica", DestinationRegion: dest}}})
		}
		b.Notifications = core.Known(s3.Notifications{EventBridge: i%2 == 0})
		b.ObjectLock = core.Known[*s3.ObjectLock](nil)
		if i%6 == 0 {
			b.ObjectLock = core.Known(&s3.ObjectLock{Enabled: true, DefaultMode: "GOVERNANCE", DefaultDays: 7})
		}
	}
	perRegion := max(2, n/2000/len(syntheticRegions))
	for _, region := range syntheticRegions {
		aps := make([]s3.AccessPoint, 0, perRegion)
		for i := 0; i < perRegion; i++ {
			name := fmt.Sprintf("ap-%d", i)
			aps = append(aps, s3.AccessPoint{
				Meta: core.Meta{ARN: "arn:aws:s3:" + region + ":" + acct + ":accesspoint/" + name, Account: acct, Region: region},
				Name: name, Bucket: "bucket-00000", NetworkOrigin: "Internet",
				PublicAccessBlock: core.Known(&s3.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true,
					BlockPublicPolicy: i%3 != 2, RestrictPublicBuckets: i%3 != 2}),
			})
		}
		s.S3.AccessPoints = append(s.S3.AccessPoints, s3.AccessPointRegion{Name: region, AccessPoints: core.Known(aps)})
	}
	for ri := range s.DynamoDB {
		r := &s.DynamoDB[ri]
		var targets []dynamodb.ScalableTarget
		for i := range r.Tables.V {
			t := &r.Tables.V[i]
			if t.Details.Ok && t.Details.V.BillingMode == "" && i%2 == 0 {
				targets = append(targets,
					dynamodb.ScalableTarget{ResourceID: "table/" + t.Name, Dimension: dynamodb.DimTableRead, Min: 5, Max: 50},
					dynamodb.ScalableTarget{ResourceID: "table/" + t.Name, Dimension: dynamodb.DimTableWrite, Min: 5, Max: 50})
			}
		}
		if !r.ScalableTargets.Ok {
			r.ScalableTargets = core.Known(targets)
		}
		if !r.DAXClusters.Ok {
			clusters := make([]dynamodb.DAXCluster, 0, 2)
			for i := 0; i < 2; i++ {
				name := fmt.Sprintf("dax-%d", i)
				clusters = append(clusters, dynamodb.DAXCluster{
					Meta: core.Meta{ARN: "arn:aws:dax:" + r.Name + ":" + acct + ":cache/" + name, Account: acct, Region: r.Name},
					Name: name, Status: "available", SSEStatus: []string{"ENABLED", "DISABLED"}[i], EndpointEncryption: []string{"TLS", "NONE"}[(i+ri)%2],
				})
			}
			r.DAXClusters = core.Known(clusters)
		}
	}
	for ri := range s.SNS {
		for i := range s.SNS[ri].Topics.V {
			if i%2 == 1 {
				s.SNS[ri].Topics.V[i].Attributes.V.DeliveryStatusLogging = []sns.DeliveryStatusLogging{{
					Protocol: "Lambda", FailureFeedbackRoleARN: "arn:aws:iam::" + acct + ":role/sns-feedback"}}
			}
		}
	}
}
