package s3

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	s3m "github.com/demarc-sec/demarc/internal/model/s3"
)

// configFake answers the bucket-configuration reads with the documented
// "none configured" codes, refusals and odd answers moto cannot produce.
func configFake(w http.ResponseWriter, r *http.Request) {
	xmlOK := func(body string) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+body)
	}
	fail := func(status int, code string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>fake</Message></Error>`, code)
		}
	}
	if r.Method == http.MethodPost && r.URL.Path == "/" {
		xmlOK(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/x</Arn><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
		return
	}
	bucket := strings.Trim(r.URL.Path, "/")
	q := r.URL.Query()
	if r.Method == http.MethodHead {
		switch bucket {
		case "foreign-a":
			// Another account's bucket: refused, but S3 names its region.
			w.Header().Set("x-amz-bucket-region", "sa-east-1")
			fail(http.StatusForbidden, "")
		default:
			fail(http.StatusNotFound, "")
		}
		return
	}
	switch bucket {
	case "denied":
		fail(http.StatusForbidden, "AccessDenied")
		return
	case "broken":
		// Not the documented "none" codes: the value is unknown.
		switch {
		case q.Has("lifecycle"):
			fail(http.StatusNotFound, "NoSuchBucket")
		case q.Has("replication"):
			fail(http.StatusInternalServerError, "InternalError")
		default:
			fail(http.StatusServiceUnavailable, "ServiceUnavailable")
		}
		return
	case "none":
		switch {
		case q.Has("lifecycle"):
			fail(http.StatusNotFound, "NoSuchLifecycleConfiguration")
		case q.Has("replication"):
			fail(http.StatusNotFound, "ReplicationConfigurationNotFoundError")
		case q.Has("notification"):
			xmlOK(`<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`)
		case q.Has("object-lock"):
			fail(http.StatusNotFound, "ObjectLockConfigurationNotFoundError")
		}
		return
	case "full":
		switch {
		case q.Has("lifecycle"):
			xmlOK(`<LifecycleConfiguration><Rule><ID>legacy</ID><Prefix>old/</Prefix><Status>Enabled</Status>` +
				`<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>` +
				`<Rule><ID>tagged</ID><Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Disabled</Status>` +
				`<NoncurrentVersionTransition><NoncurrentDays>10</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition></Rule></LifecycleConfiguration>`)
		case q.Has("replication"):
			xmlOK(`<ReplicationConfiguration><Role>arn:aws:iam::111122223333:role/r</Role>` +
				`<Rule><ID>a</ID><Status>Enabled</Status><Priority>1</Priority><Destination><Bucket>arn:aws:s3:::foreign-a</Bucket><Account>444455556666</Account></Destination></Rule>` +
				`<Rule><ID>b</ID><Status>Enabled</Status><Priority>2</Priority><Destination><Bucket>arn:aws:s3:::foreign-b</Bucket></Destination></Rule>` +
				`<Rule><ID>c</ID><Status>Enabled</Status><Priority>3</Priority><Destination><Bucket>arn:aws:s3:::foreign-a</Bucket></Destination></Rule>` +
				`</ReplicationConfiguration>`)
		case q.Has("notification"):
			xmlOK(`<NotificationConfiguration><EventBridgeConfiguration></EventBridgeConfiguration>` +
				`<CloudFunctionConfiguration><Id>fn</Id><CloudFunction>arn:aws:lambda:us-east-1:111122223333:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>` +
				`<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:111122223333:q</Queue><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>` +
				`</NotificationConfiguration>`)
		case q.Has("object-lock"):
			xmlOK(`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>`)
		}
		return
	}
	fail(http.StatusBadRequest, "NotImplemented")
}

func fakeConfigEnv(t *testing.T) (*aws.Env, *awss3.Client) {
	t.Helper()
	motoEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(configFake))
	t.Cleanup(srv.Close)
	env, err := aws.NewEnv(context.Background(), aws.Options{Endpoint: srv.URL, MaxAttempts: 1, RatePerService: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return env, awss3.NewFromConfig(env.Config("us-east-1"), pathStyle)
}

func TestCollectConfigurationsFake(t *testing.T) {
	env, client := fakeConfigEnv(t)
	ctx := context.Background()
	read := func(name string) s3m.Bucket {
		r := &bucketReader{env: env, client: client, name: name, region: "us-east-1"}
		return s3m.Bucket{Name: name, Lifecycle: r.lifecycle(ctx), Replication: r.replication(ctx),
			Notifications: r.notifications(ctx), ObjectLock: r.objectLock(ctx)}
	}

	// The documented "none configured" answers are known absences.
	none := read("none")
	if v, ok := none.Lifecycle.Get(); !ok || v != nil {
		t.Errorf("none lifecycle = %+v", none.Lifecycle)
	}
	if v, ok := none.Replication.Get(); !ok || v != nil {
		t.Errorf("none replication = %+v", none.Replication)
	}
	if v, ok := none.Notifications.Get(); !ok || v.Enabled() {
		t.Errorf("none notifications = %+v", none.Notifications)
	}
	if v, ok := none.ObjectLock.Get(); !ok || v != nil {
		t.Errorf("none object lock = %+v", none.ObjectLock)
	}

	// A refusal, another 404 code, a server error or an empty success are
	// unknown, with the reason.
	for _, name := range []string{"denied", "broken"} {
		b := read(name)
		for field, v := range map[string]struct {
			ok  bool
			why string
		}{
			"lifecycle":     {b.Lifecycle.Ok, b.Lifecycle.Why()},
			"replication":   {b.Replication.Ok, b.Replication.Why()},
			"notifications": {b.Notifications.Ok, b.Notifications.Why()},
			"object lock":   {b.ObjectLock.Ok, b.ObjectLock.Why()},
		} {
			if v.ok {
				t.Errorf("%s %s is known", name, field)
			}
			if name == "denied" && !strings.HasPrefix(v.why, "access denied (s3:Get") {
				t.Errorf("%s %s: %q", name, field, v.why)
			}
		}
	}
	if why := read("broken").Lifecycle.Why(); why != "not supported (s3:GetBucketLifecycleConfiguration)" {
		t.Errorf("NoSuchBucket is not \"no lifecycle\": %q", why)
	}

	full := read("full")
	lc, _ := full.Lifecycle.Get()
	if lc == nil || len(lc.Rules) != 2 {
		t.Fatalf("full lifecycle = %+v", full.Lifecycle)
	}
	if r := lc.Rules[0]; r.ID != "legacy" || r.Prefix != "old/" || !r.Enabled() || r.AbortIncompleteMultipartUploadDays != 2 {
		t.Errorf("legacy rule = %+v", r)
	}
	if r := lc.Rules[1]; r.Prefix != "a/" || r.Enabled() || len(r.NoncurrentTransitions) != 1 || r.NoncurrentTransitions[0].Days != 10 {
		t.Errorf("tagged rule = %+v", r)
	}
	n, _ := full.Notifications.Get()
	if !n.EventBridge || len(n.Targets) != 2 || n.Targets[0].Kind != s3m.NotifyLambda || n.Targets[1].Kind != s3m.NotifyQueue ||
		n.Targets[1].Events[0] != "s3:ObjectRemoved:*" {
		t.Errorf("full notifications = %+v", full.Notifications)
	}
	if ol, _ := full.ObjectLock.Get(); ol == nil || !ol.Enabled || ol.DefaultMode != "COMPLIANCE" || ol.DefaultYears != 1 {
		t.Errorf("full object lock = %+v", full.ObjectLock)
	}

	// Destinations outside the account: the refusal's region header places
	// foreign-a (asked once for two rules); foreign-b stays unknown and the
	// failure is recorded.
	resolveDestinations(ctx, env, client, "us-east-1", []s3m.Bucket{full})
	rep, _ := full.Replication.Get()
	if rep == nil || len(rep.Rules) != 3 {
		t.Fatalf("full replication = %+v", full.Replication)
	}
	if r := rep.Rules[0]; r.DestinationRegion != "sa-east-1" || r.DestinationAccount != "444455556666" || r.DestinationName() != "foreign-a" {
		t.Errorf("rule a = %+v", r)
	}
	if r := rep.Rules[1]; r.DestinationRegion != "" {
		t.Errorf("rule b = %+v, want an unknown region", r)
	}
	if r := rep.Rules[2]; r.DestinationRegion != "sa-east-1" {
		t.Errorf("rule c = %+v", r)
	}
	heads := 0
	for _, e := range env.Errors() {
		if e.Operation == "HeadBucket" {
			heads++
			if e.Resource != "foreign-b" {
				t.Errorf("HeadBucket error for %s", e.Resource)
			}
		}
	}
	if heads != 1 {
		t.Errorf("HeadBucket errors = %d, want 1 (foreign-b)", heads)
	}
}

// fakeAccessPoints is an accessPointAPI with canned answers.
type fakeAccessPoints struct {
	listErr error
	pages   [][]s3ctltypes.AccessPoint
	get     map[string]*awss3control.GetAccessPointOutput // nil entry: denied
}

func (f *fakeAccessPoints) ListAccessPoints(_ context.Context, in *awss3control.ListAccessPointsInput, _ ...func(*awss3control.Options)) (*awss3control.ListAccessPointsOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	i := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &i)
	}
	out := &awss3control.ListAccessPointsOutput{AccessPointList: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = sdkaws.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

func (f *fakeAccessPoints) GetAccessPoint(_ context.Context, in *awss3control.GetAccessPointInput, _ ...func(*awss3control.Options)) (*awss3control.GetAccessPointOutput, error) {
	out, ok := f.get[*in.Name]
	if !ok || out == nil {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}
	}
	return out, nil
}

func TestAccessPointRegionFake(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333"}
	ctx := context.Background()
	on, off := sdkaws.Bool(true), sdkaws.Bool(false)

	denied := &fakeAccessPoints{listErr: &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}}
	r := accessPointRegion(ctx, env, denied, "eu-west-1", "aws")
	if r.Name != "eu-west-1" || r.AccessPoints.Ok || r.AccessPoints.Why() != "access denied (s3control:ListAccessPoints)" {
		t.Errorf("denied list = %+v", r)
	}

	f := &fakeAccessPoints{
		pages: [][]s3ctltypes.AccessPoint{
			{{Name: sdkaws.String("zeta"), Bucket: sdkaws.String("b"), NetworkOrigin: s3ctltypes.NetworkOriginVpc,
				VpcConfiguration: &s3ctltypes.VpcConfiguration{VpcId: sdkaws.String("vpc-1")}}},
			{{Name: sdkaws.String("alpha"), Bucket: sdkaws.String("b"), AccessPointArn: sdkaws.String("arn:aws:s3:eu-west-1:111122223333:accesspoint/alpha")},
				{Name: sdkaws.String("empty"), Bucket: sdkaws.String("b")}},
		},
		get: map[string]*awss3control.GetAccessPointOutput{
			"alpha": {PublicAccessBlockConfiguration: &s3ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: on, IgnorePublicAcls: on, BlockPublicPolicy: off}},
			"empty": {},
			// zeta: denied
		},
	}
	r = accessPointRegion(ctx, env, f, "eu-west-1", "aws")
	aps, ok := r.AccessPoints.Get()
	if !ok || len(aps) != 3 || aps[0].Name != "alpha" || aps[1].Name != "empty" || aps[2].Name != "zeta" {
		t.Fatalf("access points = %+v", r.AccessPoints)
	}
	if b, ok := aps[0].PublicAccessBlock.Get(); !ok || b.All() || !b.IgnorePublicAcls || b.RestrictPublicBuckets {
		t.Errorf("alpha BPA = %+v", aps[0].PublicAccessBlock)
	}
	if aps[1].PublicAccessBlock.Ok || !strings.HasPrefix(aps[1].PublicAccessBlock.Why(), "service error") {
		t.Errorf("an answer without a configuration must be unknown: %+v", aps[1].PublicAccessBlock)
	}
	z := aps[2]
	if z.PublicAccessBlock.Ok || z.PublicAccessBlock.Why() != "access denied (s3control:GetAccessPoint)" ||
		z.ARN != "arn:aws:s3:eu-west-1:111122223333:accesspoint/zeta" || z.VPCID != "vpc-1" || z.NetworkOrigin != "VPC" || z.Region != "eu-west-1" {
		t.Errorf("zeta = %+v", z)
	}
}
