package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
	"github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/model/sns"
)

// addCompliantStorageFSBP makes the compliant world hold for the FSBP
// S3 (S3.6-S3.19), DynamoDB (DynamoDB.1, .3, .7) and SNS (SNS.2) rules: every
// bucket has lifecycle, cross-Region replication, event notifications and
// Object Lock; every region has known access point, scalable target and
// DAX lists, with one compliant access point and DAX cluster; provisioned
// tables scale; every topic logs delivery status. It runs last in
// compliantSnapshot, so it also patches what other helpers added.
func addCompliantStorageFSBP(s *model.Snapshot) {
	for i := range s.S3.Buckets.V {
		b := &s.S3.Buckets.V[i]
		other := "us-east-1"
		if b.Region == other {
			other = "us-west-2"
		}
		b.Lifecycle = core.Known(&s3.Lifecycle{Rules: []s3.LifecycleRule{{
			ID: "archive", Status: "Enabled", NoncurrentExpirationDays: 90,
			Transitions: []s3.LifecycleTransition{{Days: 90, StorageClass: "GLACIER"}},
		}}})
		b.Replication = core.Known(&s3.Replication{Role: "arn:aws:iam::" + acct + ":role/s3-replication", Rules: []s3.ReplicationRule{{
			ID: "crr", Status: "Enabled", Priority: 1, DestinationBucket: "arn:aws:s3:::" + b.Name + "-replica", DestinationRegion: other,
		}}})
		b.Notifications = core.Known(s3.Notifications{EventBridge: true})
		b.ObjectLock = core.Known(&s3.ObjectLock{Enabled: true, DefaultMode: "GOVERNANCE", DefaultDays: 30})
	}
	for _, r := range testRegions {
		ensureRegion(&s.S3.AccessPoints, r, func(n string) s3.AccessPointRegion {
			return s3.AccessPointRegion{Name: n, AccessPoints: core.Known([]s3.AccessPoint{})}
		}, func(x *s3.AccessPointRegion) string { return x.Name })
		ensureRegion(&s.DynamoDB, r, func(n string) dynamodb.Region {
			return dynamodb.Region{Name: n, Tables: core.Known([]dynamodb.Table{})}
		}, func(x *dynamodb.Region) string { return x.Name })
	}
	for i := range s.S3.AccessPoints {
		r := &s.S3.AccessPoints[i]
		if r.Name == svcRegion && r.AccessPoints.Ok && len(r.AccessPoints.V) == 0 {
			r.AccessPoints.V = append(r.AccessPoints.V, s3.AccessPoint{
				Meta: core.Meta{ARN: "arn:aws:s3:" + svcRegion + ":" + acct + ":accesspoint/analytics", Account: acct, Region: svcRegion},
				Name: "analytics", Bucket: "data", BucketAccountID: acct, NetworkOrigin: "VPC", VPCID: "vpc-1",
			})
		}
		for j := range r.AccessPoints.V {
			r.AccessPoints.V[j].PublicAccessBlock = core.Known(&s3.PublicAccessBlock{
				BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true})
		}
	}
	for ri := range s.DynamoDB {
		r := &s.DynamoDB[ri]
		if !r.ScalableTargets.Ok {
			r.ScalableTargets = core.Known([]dynamodb.ScalableTarget{})
		}
		if !r.DAXClusters.Ok {
			r.DAXClusters = core.Known([]dynamodb.DAXCluster{})
		}
		if r.Name == svcRegion && len(r.DAXClusters.V) == 0 {
			r.DAXClusters.V = append(r.DAXClusters.V, dynamodb.DAXCluster{
				Meta: core.Meta{ARN: regionalARNOf("dax", svcRegion, "cache/sessions"), Account: acct, Region: svcRegion},
				Name: "sessions", Status: "available", SSEStatus: "ENABLED", EndpointEncryption: "TLS",
			})
		}
		for i := range r.DAXClusters.V {
			r.DAXClusters.V[i].SSEStatus, r.DAXClusters.V[i].EndpointEncryption = "ENABLED", "TLS"
		}
		for _, t := range r.Tables.V {
			if d := t.Details.V; !strings.EqualFold(d.BillingMode, "PAY_PER_REQUEST") {
				r.ScalableTargets.V = append(r.ScalableTargets.V, tableTargets(t.Name, d.GlobalSecondaryIndexes...)...)
			}
		}
	}
	for ri := range s.SNS {
		for i := range s.SNS[ri].Topics.V {
			s.SNS[ri].Topics.V[i].Attributes.V.DeliveryStatusLogging = []sns.DeliveryStatusLogging{{
				Protocol: "SQS", SuccessFeedbackRoleARN: "arn:aws:iam::" + acct + ":role/sns-feedback",
				FailureFeedbackRoleARN: "arn:aws:iam::" + acct + ":role/sns-feedback", SuccessFeedbackSampleRate: "100",
			}}
		}
	}
}

// tableTargets are the scalable targets that make a provisioned table (and
// its indexes) scale.
func tableTargets(table string, indexes ...string) []dynamodb.ScalableTarget {
	out := []dynamodb.ScalableTarget{
		{ResourceID: "table/" + table, Dimension: dynamodb.DimTableRead, Min: 5, Max: 100},
		{ResourceID: "table/" + table, Dimension: dynamodb.DimTableWrite, Min: 5, Max: 100},
	}
	for _, g := range indexes {
		out = append(out,
			dynamodb.ScalableTarget{ResourceID: "table/" + table + "/index/" + g, Dimension: dynamodb.DimIndexRead, Min: 5, Max: 100},
			dynamodb.ScalableTarget{ResourceID: "table/" + table + "/index/" + g, Dimension: dynamodb.DimIndexWrite, Min: 5, Max: 100})
	}
	return out
}

func accessPoint(s *model.Snapshot) *s3.AccessPoint {
	for ri := range s.S3.AccessPoints {
		if len(s.S3.AccessPoints[ri].AccessPoints.V) > 0 {
			return &s.S3.AccessPoints[ri].AccessPoints.V[0]
		}
	}
	panic("no access point in the compliant world")
}

func s3FSBPFixtures() map[string]fixture {
	return map[string]fixture{
		"s3-bucket-policy-cross-account-actions": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Policy = core.Known(`{"Version":"2012-10-17","Statement":[{"Sid":"Partner","Effect":"Allow",` +
				`"Principal":{"AWS":"arn:aws:iam::` + partnerAcct + `:root"},"Action":["s3:GetObject","s3:PutBucketPolicy"],"Resource":"*"}]}`)
		}),
		"s3-bucket-cross-region-replication": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Replication = core.Known[*s3.Replication](nil)
		}),
		"s3-versioned-bucket-lifecycle": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Lifecycle = core.Known[*s3.Lifecycle](nil)
		}),
		"s3-bucket-event-notifications": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Notifications = core.Known(s3.Notifications{})
		}),
		"s3-bucket-lifecycle": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).Lifecycle.V.Rules[0].Status = "Disabled"
		}),
		"s3-bucket-object-lock": failWhen(func(s *model.Snapshot) {
			bucketAt(s, 0).ObjectLock = core.Known[*s3.ObjectLock](nil)
		}),
		"s3-access-point-public-access-block": failWhen(func(s *model.Snapshot) {
			accessPoint(s).PublicAccessBlock.V.RestrictPublicBuckets = false
		}),
	}
}

// statusFor returns the status of the one result about arn.
func statusFor(t *testing.T, res []Result, arn string) (Status, string) {
	t.Helper()
	var got []Result
	for _, r := range res {
		if r.ResourceARN == arn {
			got = append(got, r)
		}
	}
	if len(got) != 1 {
		t.Fatalf("want one result for %s, got %+v", arn, res)
	}
	return got[0].Status, got[0].Message
}

func TestBucketCrossAccountActions(t *testing.T) {
	const bucketARN = "arn:aws:s3:::trail-logs"
	stmt := func(principal, action, extra string) string {
		return `{"Version":"2012-10-17","Statement":[` + `{"Effect":"Allow","Principal":` + principal + `,` + action +
			`,"Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"]` + extra + `}]}`
	}
	other := `{"AWS":"arn:aws:iam::` + partnerAcct + `:role/writer"}`
	cases := []struct {
		name   string
		policy string
		acl    *core.Val[s3.ACL]
		want   Status
	}{
		{"no policy", "", nil, Pass},
		{"other account, harmless actions", stmt(other, `"Action":["s3:GetObject","s3:PutObject"]`, ""), nil, Pass},
		{"other account, PutBucketPolicy", stmt(other, `"Action":"s3:PutBucketPolicy"`, ""), nil, Fail},
		{"other account by ID, PutObjectAcl", stmt(`{"AWS":"`+partnerAcct+`"}`, `"Action":"s3:PutObjectAcl"`, ""), nil, Fail},
		{"other account, s3:Put* covers PutBucketAcl", stmt(other, `"Action":"s3:Put*"`, ""), nil, Fail},
		{"other account, s3:*", stmt(other, `"Action":"s3:*"`, ""), nil, Fail},
		{"other account, lower-case action", stmt(other, `"Action":"s3:putencryptionconfiguration"`, ""), nil, Fail},
		{"other account, NotAction leaves DeleteBucketPolicy", stmt(other, `"NotAction":["s3:PutBucketPolicy","s3:PutBucketAcl"]`, ""), nil, Fail},
		{"other account, NotAction excludes them all", stmt(other, `"NotAction":["s3:PutBucket*","s3:DeleteBucketPolicy","s3:PutEncryptionConfiguration","s3:PutObjectAcl"]`, ""), nil, Pass},
		// The control reads only the Principal element, not conditions.
		{"other account with a condition", stmt(other, `"Action":"s3:PutBucketPolicy"`, `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`), nil, Fail},
		{"everyone", stmt(`"*"`, `"Action":"s3:PutBucketAcl"`, ""), nil, Fail},
		{"NotPrincipal", `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"s3:PutBucketPolicy","Resource":"*"}]}`, nil, Fail},
		{"same account", stmt(`{"AWS":"arn:aws:iam::`+acct+`:role/admin"}`, `"Action":"s3:*"`, ""), nil, Pass},
		{"service principal", stmt(`{"Service":"logging.s3.amazonaws.com"}`, `"Action":"s3:PutObjectAcl"`, ""), nil, Pass},
		{"deny to other account", `{"Statement":[{"Effect":"Deny","Principal":` + other + `,"Action":"s3:*","Resource":"*"}]}`, nil, Pass},
		{"CloudFront OAI reading", stmt(`{"AWS":"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1"}`, `"Action":"s3:GetObject"`, ""), nil, Pass},
		{"CloudFront OAI writing ACLs", stmt(`{"AWS":"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1"}`, `"Action":"s3:PutObjectAcl"`, ""), nil, Fail},
		{"canonical user is the owner", stmt(`{"CanonicalUser":"owner1"}`, `"Action":"s3:PutBucketAcl"`, ""), nil, Pass},
		{"canonical user of another account", stmt(`{"CanonicalUser":"c0ffee"}`, `"Action":"s3:PutBucketAcl"`, ""), nil, Fail},
		{"canonical user, ACL unreadable", stmt(`{"CanonicalUser":"owner1"}`, `"Action":"s3:PutBucketAcl"`, ""), ptrVal(core.Unknown[s3.ACL]("access denied")), Unknown},
		{"unique ID of a deleted principal", stmt(`{"AWS":"AROAEXAMPLEID"}`, `"Action":"s3:PutBucketPolicy"`, ""), nil, Unknown},
		{"unparsable policy", `{"Statement":`, nil, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			b := bucketAt(s, 0)
			b.Policy = core.Known(c.policy)
			if c.acl != nil {
				b.ACL = *c.acl
			}
			st, msg := statusFor(t, checkBucketCrossAccountActions(s3BlacklistedActions)(s), bucketARN)
			if st != c.want {
				t.Errorf("got %s (%s), want %s", st, msg, c.want)
			}
		})
	}
	s := compliantSnapshot()
	bucketAt(s, 0).Policy = core.Unknown[string]("access denied")
	if st, _ := statusFor(t, checkBucketCrossAccountActions(s3BlacklistedActions)(s), bucketARN); st != Unknown {
		t.Errorf("unreadable policy: %s", st)
	}
	// A custom pattern list (the Config rule parameter) matches patterns.
	s = compliantSnapshot()
	bucketAt(s, 0).Policy = core.Known(stmt(other, `"Action":"s3:GetBucketLocation"`, ""))
	if st, _ := statusFor(t, checkBucketCrossAccountActions([]string{"s3:GetBucket*"})(s), bucketARN); st != Fail {
		t.Errorf("s3:GetBucket* pattern: %s", st)
	}
}

func ptrVal[T any](v core.Val[T]) *core.Val[T] { return &v }

func TestBucketCrossRegionReplication(t *testing.T) {
	const arn = "arn:aws:s3:::trail-logs" // in us-east-1
	rule := func(status, dest, region string) s3.ReplicationRule {
		return s3.ReplicationRule{Status: status, DestinationBucket: "arn:aws:s3:::" + dest, DestinationRegion: region}
	}
	cases := []struct {
		name   string
		rules  []s3.ReplicationRule
		region string
		want   Status
	}{
		{"to another region", []s3.ReplicationRule{rule("Enabled", "far", "eu-central-1")}, "us-east-1", Pass},
		{"same region only", []s3.ReplicationRule{rule("Enabled", "near", "us-east-1")}, "us-east-1", Fail},
		{"cross-region rule disabled", []s3.ReplicationRule{rule("Disabled", "far", "eu-central-1"), rule("Enabled", "near", "us-east-1")}, "us-east-1", Fail},
		{"no rules", nil, "us-east-1", Fail},
		// "data" is the world's bucket in eu-west-1: its region comes from the bucket list.
		{"destination region from the bucket list", []s3.ReplicationRule{rule("Enabled", "data", "")}, "us-east-1", Pass},
		{"destination region unknown", []s3.ReplicationRule{rule("Enabled", "elsewhere", "")}, "us-east-1", Unknown},
		{"one known cross-region rule wins over an unknown one", []s3.ReplicationRule{rule("Enabled", "elsewhere", ""), rule("Enabled", "far", "ap-south-1")}, "us-east-1", Pass},
		{"bucket region unknown", []s3.ReplicationRule{rule("Enabled", "far", "eu-central-1")}, "", Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			b := bucketAt(s, 0)
			b.Region = c.region
			b.Replication = core.Known(&s3.Replication{Rules: c.rules})
			if st, msg := statusFor(t, checkBucketCrossRegionReplication(s), arn); st != c.want {
				t.Errorf("got %s (%s), want %s", st, msg, c.want)
			}
		})
	}
	s := compliantSnapshot()
	bucketAt(s, 0).Replication = core.Unknown[*s3.Replication]("access denied")
	if st, _ := statusFor(t, checkBucketCrossRegionReplication(s), arn); st != Unknown {
		t.Errorf("unreadable replication: %s", st)
	}
}

func TestVersionedBucketLifecycle(t *testing.T) {
	const arn = "arn:aws:s3:::trail-logs"
	// Suspended or never-enabled versioning is outside the control.
	for _, status := range []string{"", "Suspended"} {
		s := compliantSnapshot()
		b := bucketAt(s, 0)
		b.Versioning = core.Known(s3.Versioning{Status: status})
		b.Lifecycle = core.Known[*s3.Lifecycle](nil)
		for _, r := range checkVersionedBucketLifecycle(s) {
			if r.ResourceARN == arn {
				t.Errorf("versioning %q judged: %+v", status, r)
			}
		}
	}
	s := compliantSnapshot()
	bucketAt(s, 0).Versioning = core.Unknown[s3.Versioning]("access denied")
	bucketAt(s, 0).Lifecycle = core.Known[*s3.Lifecycle](nil)
	if st, _ := statusFor(t, checkVersionedBucketLifecycle(s), arn); st != Unknown {
		t.Errorf("unknown versioning: %s", st)
	}
	s = compliantSnapshot()
	bucketAt(s, 0).Lifecycle = core.Unknown[*s3.Lifecycle]("access denied")
	if st, _ := statusFor(t, checkVersionedBucketLifecycle(s), arn); st != Unknown {
		t.Errorf("unknown lifecycle: %s", st)
	}
	s = compliantSnapshot()
	bucketAt(s, 0).Lifecycle.V.Rules[0].Status = "Disabled"
	if st, _ := statusFor(t, checkVersionedBucketLifecycle(s), arn); st != Fail {
		t.Errorf("only disabled rules: %s", st)
	}
}

func TestBucketLifecycleParameters(t *testing.T) {
	const arn = "arn:aws:s3:::trail-logs"
	// The world's rule: transition to GLACIER after 90 days, no expiration.
	for _, c := range []struct {
		p    lifecycleParams
		want Status
	}{
		{lifecycleParams{}, Pass},
		{lifecycleParams{TransitionDays: 90}, Pass},
		{lifecycleParams{StorageClass: "glacier"}, Pass},
		{lifecycleParams{TransitionDays: 90, StorageClass: "GLACIER"}, Pass},
		{lifecycleParams{TransitionDays: 30}, Fail},
		{lifecycleParams{StorageClass: "STANDARD_IA"}, Fail},
		{lifecycleParams{ExpirationDays: 365}, Fail},
	} {
		s := compliantSnapshot()
		if st, msg := statusFor(t, checkBucketLifecycle(c.p)(s), arn); st != c.want {
			t.Errorf("%+v: got %s (%s), want %s", c.p, st, msg, c.want)
		}
	}
	s := compliantSnapshot()
	bucketAt(s, 0).Lifecycle = core.Known[*s3.Lifecycle](nil)
	if st, _ := statusFor(t, checkBucketLifecycle(lifecycleParams{})(s), arn); st != Fail {
		t.Errorf("no lifecycle: %s", st)
	}
	bucketAt(s, 0).Lifecycle = core.Unknown[*s3.Lifecycle]("throttled")
	if st, _ := statusFor(t, checkBucketLifecycle(lifecycleParams{})(s), arn); st != Unknown {
		t.Errorf("unknown lifecycle: %s", st)
	}
}

func TestBucketEventNotifications(t *testing.T) {
	const arn = "arn:aws:s3:::trail-logs"
	queue := s3.Notifications{Targets: []s3.NotificationTarget{{Kind: s3.NotifyQueue, ARN: "arn:aws:sqs:us-east-1:" + acct + ":q",
		Events: []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"}}}}
	for _, c := range []struct {
		name   string
		n      core.Val[s3.Notifications]
		events []string
		want   Status
	}{
		{"eventbridge", core.Known(s3.Notifications{EventBridge: true}), nil, Pass},
		{"eventbridge covers every type", core.Known(s3.Notifications{EventBridge: true}), []string{"s3:ObjectRestore:Completed"}, Pass},
		{"queue", core.Known(queue), nil, Pass},
		{"wildcard covers a subtype", core.Known(queue), []string{"s3:ObjectCreated:Put", "s3:ObjectRemoved:Delete"}, Pass},
		{"subtype does not cover the wildcard", core.Known(queue), []string{"s3:ObjectRemoved:*"}, Fail},
		{"none", core.Known(s3.Notifications{}), nil, Fail},
		{"unknown", core.Unknown[s3.Notifications]("access denied"), nil, Unknown},
	} {
		s := compliantSnapshot()
		bucketAt(s, 0).Notifications = c.n
		if st, msg := statusFor(t, checkBucketEventNotifications(c.events)(s), arn); st != c.want {
			t.Errorf("%s: got %s (%s), want %s", c.name, st, msg, c.want)
		}
	}
}

func TestBucketObjectLock(t *testing.T) {
	const arn = "arn:aws:s3:::trail-logs"
	for _, c := range []struct {
		name string
		ol   core.Val[*s3.ObjectLock]
		mode string
		want Status
	}{
		{"enabled without default retention", core.Known(&s3.ObjectLock{Enabled: true}), "", Pass},
		{"governance", core.Known(&s3.ObjectLock{Enabled: true, DefaultMode: "GOVERNANCE"}), "", Pass},
		{"mode parameter matches", core.Known(&s3.ObjectLock{Enabled: true, DefaultMode: "COMPLIANCE"}), "COMPLIANCE", Pass},
		{"mode parameter differs", core.Known(&s3.ObjectLock{Enabled: true, DefaultMode: "GOVERNANCE"}), "COMPLIANCE", Fail},
		{"mode parameter, no default retention", core.Known(&s3.ObjectLock{Enabled: true}), "GOVERNANCE", Fail},
		{"configuration without ObjectLockEnabled", core.Known(&s3.ObjectLock{}), "", Fail},
		{"never enabled", core.Known[*s3.ObjectLock](nil), "", Fail},
		{"unknown", core.Unknown[*s3.ObjectLock]("access denied"), "", Unknown},
	} {
		s := compliantSnapshot()
		bucketAt(s, 0).ObjectLock = c.ol
		if st, msg := statusFor(t, checkBucketObjectLock(c.mode)(s), arn); st != c.want {
			t.Errorf("%s: got %s (%s), want %s", c.name, st, msg, c.want)
		}
	}
}

func TestAccessPointBPA(t *testing.T) {
	s := compliantSnapshot()
	ap := accessPoint(s)
	ap.PublicAccessBlock = core.Unknown[*s3.PublicAccessBlock]("access denied (s3control:GetAccessPoint)")
	if st, _ := statusFor(t, checkAccessPointBPA(s), ap.ARN); st != Unknown {
		t.Errorf("unreadable access point: %s", st)
	}
	// A region whose list is unknown is UNKNOWN, never silent.
	s = compliantSnapshot()
	s.S3.AccessPoints[0].AccessPoints = core.Unknown[[]s3.AccessPoint]("access denied (s3control:ListAccessPoints)")
	wild := "arn:aws:s3:" + s.S3.AccessPoints[0].Name + ":" + acct + ":accesspoint/*"
	if st, _ := statusFor(t, checkAccessPointBPA(s), wild); st != Unknown {
		t.Errorf("unknown list: %s", st)
	}
	// A region with no access points yields no result.
	s = compliantSnapshot()
	for _, r := range checkAccessPointBPA(s) {
		if !strings.Contains(r.ResourceARN, ":accesspoint/analytics") {
			t.Errorf("unexpected result %+v", r)
		}
	}
}
