package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

func cloudtrailFixtures() map[string]fixture {
	return map[string]fixture{
		"cloudtrail-multi-region-management-events": failWhen(func(s *model.Snapshot) { trailAt(s, 0).IsMultiRegion = false }),
		"cloudtrail-enabled": failWhen(func(s *model.Snapshot) {
			trailAt(s, 0).Status = core.Known(cloudtrail.Status{IsLogging: false})
		}),
		"cloudtrail-log-file-validation": failWhen(func(s *model.Snapshot) { trailAt(s, 0).LogFileValidation = false }),
		"cloudtrail-kms-encryption":      failWhen(func(s *model.Snapshot) { trailAt(s, 0).KMSKeyID = "" }),
		"cloudtrail-cloudwatch-logs":     failWhen(func(s *model.Snapshot) { trailAt(s, 0).CloudWatchLogsLogGroupARN = "" }),
		"cloudtrail-s3-object-write-events": failWhen(func(s *model.Snapshot) {
			trailAt(s, 0).Selectors.V.Basic[0].DataResources = nil
		}),
		"cloudtrail-s3-object-read-events": failWhen(func(s *model.Snapshot) {
			trailAt(s, 0).Selectors.V.Basic[0].ReadWriteType = "WriteOnly"
		}),
		"cloudtrail-bucket-not-public": failWhen(func(s *model.Snapshot) {
			noBPA(s)
			grantPublic(bucketAt(s, 0), s3.AllUsersURI, "READ")
		}),
		"cloudtrail-bucket-access-logging": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Logging = core.Known[*s3.Logging](nil)
		}),
	}
}

func TestMultiRegionTrailSelectors(t *testing.T) {
	adv := func(fields ...cloudtrail.FieldSelector) cloudtrail.AdvancedSelector {
		return cloudtrail.AdvancedSelector{Name: "s", Fields: fields}
	}
	mgmt := cloudtrail.FieldSelector{Field: "eventCategory", Equals: []string{"Management"}}
	cases := []struct {
		name string
		sel  cloudtrail.Selectors
		want Status
	}{
		{"basic All", cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{{ReadWriteType: "All", IncludeManagementEvents: true}}}, Pass},
		{"basic WriteOnly", cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{{ReadWriteType: "WriteOnly", IncludeManagementEvents: true}}}, Fail},
		{"basic ReadOnly + WriteOnly", cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{
			{ReadWriteType: "ReadOnly", IncludeManagementEvents: true}, {ReadWriteType: "WriteOnly", IncludeManagementEvents: true}}}, Pass},
		{"basic management excluded", cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{{ReadWriteType: "All", IncludeManagementEvents: false}}}, Fail},
		{"basic excludes KMS events", cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{
			{ReadWriteType: "All", IncludeManagementEvents: true, ExcludeSources: []string{"kms.amazonaws.com"}}}}, Fail},
		{"advanced management, no readOnly field", cloudtrail.Selectors{Advanced: []cloudtrail.AdvancedSelector{adv(mgmt)}}, Pass},
		{"advanced readOnly true only", cloudtrail.Selectors{Advanced: []cloudtrail.AdvancedSelector{
			adv(mgmt, cloudtrail.FieldSelector{Field: "readOnly", Equals: []string{"true"}})}}, Fail},
		{"advanced read and write selectors", cloudtrail.Selectors{Advanced: []cloudtrail.AdvancedSelector{
			adv(mgmt, cloudtrail.FieldSelector{Field: "readOnly", Equals: []string{"true"}}),
			adv(mgmt, cloudtrail.FieldSelector{Field: "readOnly", Equals: []string{"false"}})}}, Pass},
		{"advanced excludes a source", cloudtrail.Selectors{Advanced: []cloudtrail.AdvancedSelector{
			adv(mgmt, cloudtrail.FieldSelector{Field: "eventSource", NotEquals: []string{"rdsdata.amazonaws.com"}})}}, Fail},
		{"data events only", cloudtrail.Selectors{Advanced: []cloudtrail.AdvancedSelector{
			adv(cloudtrail.FieldSelector{Field: "eventCategory", Equals: []string{"Data"}})}}, Fail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			trailAt(s, 0).Selectors = core.Known(c.sel)
			res := run(t, "cloudtrail-multi-region-management-events", s)
			if res[0].Status != c.want {
				t.Errorf("got %s (%s), want %s", res[0].Status, res[0].Message, c.want)
			}
		})
	}
}

func TestTrailUnknowns(t *testing.T) {
	s := compliantSnapshot()
	trailAt(s, 0).Status = core.Unknown[cloudtrail.Status](core.ReasonAccessDenied)
	only(t, run(t, "cloudtrail-multi-region-management-events", s), Unknown)
	only(t, run(t, "cloudtrail-enabled", s), Unknown)
	// Per-bucket data events: the trail covers them but may not be logging.
	only(t, run(t, "cloudtrail-s3-object-read-events", s), Unknown)

	// A second, fully good trail makes the answer certain despite the first.
	good := compliantTrail()
	good.Name, good.ARN = "second", "arn:aws:cloudtrail:us-east-1:"+acct+":trail/second"
	s.CloudTrail.Trails.V = append(s.CloudTrail.Trails.V, good)
	only(t, run(t, "cloudtrail-multi-region-management-events", s), Pass)

	s = compliantSnapshot()
	s.CloudTrail.Trails = core.Unknown[[]cloudtrail.Trail](core.ReasonAccessDenied)
	for _, r := range cloudtrailRules() {
		only(t, r.Check(s), Unknown)
	}

	s = compliantSnapshot()
	s.CloudTrail.Trails = core.Known([]cloudtrail.Trail{})
	only(t, run(t, "cloudtrail-multi-region-management-events", s), Fail)
	only(t, run(t, "cloudtrail-enabled", s), Fail)
	only(t, run(t, "cloudtrail-s3-object-write-events", s), Fail)
}

func TestS3DataEventCoverage(t *testing.T) {
	field := func(f string, eq ...string) cloudtrail.FieldSelector {
		return cloudtrail.FieldSelector{Field: f, Equals: eq}
	}
	cases := []struct {
		name        string
		sel         cloudtrail.Selectors
		read, write Status
	}{
		{"basic all buckets", cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{{ReadWriteType: "All",
			DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::"}}}}}}, Pass, Pass},
		{"basic this bucket, writes only", cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{{ReadWriteType: "WriteOnly",
			DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::trail-logs/"}}}}}}, Fail, Pass},
		{"basic prefix only", cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{{ReadWriteType: "All",
			DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::trail-logs/logs/"}}}}}}, Fail, Fail},
		{"advanced all S3 objects", cloudtrail.Selectors{Advanced: []cloudtrail.AdvancedSelector{{Fields: []cloudtrail.FieldSelector{
			field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object")}}}}, Pass, Pass},
		{"advanced bucket prefix, reads", cloudtrail.Selectors{Advanced: []cloudtrail.AdvancedSelector{{Fields: []cloudtrail.FieldSelector{
			field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object"), field("readOnly", "true"),
			{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::trail-logs/"}}}}}}, Pass, Fail},
		{"advanced narrowed by event name", cloudtrail.Selectors{Advanced: []cloudtrail.AdvancedSelector{{Fields: []cloudtrail.FieldSelector{
			field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object"), field("eventName", "PutObject")}}}}, Fail, Fail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			trailAt(s, 0).Selectors = core.Known(c.sel)
			for id, want := range map[string]Status{"cloudtrail-s3-object-read-events": c.read, "cloudtrail-s3-object-write-events": c.write} {
				for _, r := range run(t, id, s) {
					if r.ResourceARN == "arn:aws:s3:::trail-logs" && r.Status != want {
						t.Errorf("%s: got %s (%s), want %s", id, r.Status, r.Message, want)
					}
				}
			}
		})
	}

	// A single-region trail covers buckets of its own region only.
	s := compliantSnapshot()
	trailAt(s, 0).IsMultiRegion = false
	got := map[string]Status{}
	for _, r := range run(t, "cloudtrail-s3-object-write-events", s) {
		got[r.Region] = r.Status
	}
	if got["us-east-1"] != Pass || got["eu-west-1"] != Fail {
		t.Errorf("single-region coverage: %v", got)
	}
}

func TestTrailBucketElsewhere(t *testing.T) {
	s := compliantSnapshot()
	trailAt(s, 0).S3BucketName = "central-logging-in-another-account"
	only(t, run(t, "cloudtrail-bucket-not-public", s), Unknown)
	only(t, run(t, "cloudtrail-bucket-access-logging", s), Unknown)

	// A public policy neutralized by RestrictPublicBuckets is not public.
	s = compliantSnapshot()
	b := bucketAt(s, 0)
	b.Policy, b.PolicyStatusPublic = core.Known(publicReadPolicy), core.Known(true)
	b.PublicAccessBlock = core.Known(&s3.PublicAccessBlock{RestrictPublicBuckets: true, IgnorePublicAcls: true})
	s.S3.AccountPublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
	only(t, run(t, "cloudtrail-bucket-not-public", s), Pass)
}
