package cloudtrail

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	ctm "github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// must keeps fixture code short; a failed setup call panics, which fails
// the test (cleanups, including stopping moto, still run).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestCollectorMoto(t *testing.T) {
	srv := moto.Start(t)
	isolateAWSEnv(t)
	t.Run("trails in two regions", func(t *testing.T) { testMotoTrails(t, srv) })
	t.Run("denied in one region", func(t *testing.T) { testMotoDenied(t, srv) })
}

func makeBucket(t *testing.T, ctx context.Context, srv *moto.Server, account, region, name string) {
	t.Helper()
	s3c := awss3.NewFromConfig(srv.Config(region, account), func(o *awss3.Options) { o.UsePathStyle = true })
	in := &awss3.CreateBucketInput{Bucket: sdk.String(name)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	must(s3c.CreateBucket(ctx, in))
}

func testMotoTrails(t *testing.T, srv *moto.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	account := moto.NewAccount(t)
	makeBucket(t, ctx, srv, account, "us-east-1", "trail-logs-"+account)

	use1 := awsct.NewFromConfig(srv.Config("us-east-1", account))
	multi := must(use1.CreateTrail(ctx, &awsct.CreateTrailInput{Name: sdk.String("org-wide"), S3BucketName: sdk.String("trail-logs-" + account),
		IsMultiRegionTrail: sdk.Bool(true), EnableLogFileValidation: sdk.Bool(true), IncludeGlobalServiceEvents: sdk.Bool(true),
		KmsKeyId: sdk.String("arn:aws:kms:us-east-1:" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		TagsList: []types.Tag{{Key: sdk.String("team"), Value: sdk.String("sec")}},
	}))
	must(use1.StartLogging(ctx, &awsct.StartLoggingInput{Name: multi.Name}))
	must(use1.PutEventSelectors(ctx, &awsct.PutEventSelectorsInput{TrailName: multi.TrailARN, EventSelectors: []types.EventSelector{{
		ReadWriteType: types.ReadWriteTypeAll, IncludeManagementEvents: sdk.Bool(true),
		DataResources: []types.DataResource{{Type: sdk.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}},
	}}}))

	euw1 := awsct.NewFromConfig(srv.Config("eu-west-1", account))
	local := must(euw1.CreateTrail(ctx, &awsct.CreateTrailInput{Name: sdk.String("eu-local"), S3BucketName: sdk.String("trail-logs-" + account)}))
	must(euw1.PutEventSelectors(ctx, &awsct.PutEventSelectorsInput{TrailName: local.TrailARN, AdvancedEventSelectors: []types.AdvancedEventSelector{{
		Name: sdk.String("mgmt"), FieldSelectors: []types.AdvancedFieldSelector{{Field: sdk.String("eventCategory"), Equals: []string{"Management"}}},
	}}}))
	// A region-local trail outside the collected regions must not appear.
	apne1 := awsct.NewFromConfig(srv.Config("ap-northeast-1", account))
	must(apne1.CreateTrail(ctx, &awsct.CreateTrailInput{Name: sdk.String("elsewhere"), S3BucketName: sdk.String("trail-logs-" + account)}))

	regions := []string{"eu-west-1", "us-east-1"}
	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: srv.URL, Regions: regions,
		HTTPClient: &faultClient{inner: srv.HTTPClient(account)}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := aws.Run(ctx, env, regions, []aws.Collector{New()}, aws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) != 0 {
		t.Errorf("collect errors: %+v", snap.Errors)
	}
	ct := snap.CloudTrail
	if !slices.Equal(ct.RegionsRead, regions) {
		t.Errorf("regions read = %v", ct.RegionsRead)
	}
	trails, ok := ct.Trails.Get()
	if !ok {
		t.Fatalf("trails unknown: %s", ct.Trails.Why())
	}
	var arns []string
	for _, tr := range trails {
		arns = append(arns, tr.ARN)
	}
	want := []string{*local.TrailARN, *multi.TrailARN}
	slices.Sort(want)
	if !slices.Equal(arns, want) {
		t.Fatalf("trail ARNs = %v, want %v (multi-region trail once, local trail, nothing from ap-northeast-1)", arns, want)
	}
	byName := map[string]ctm.Trail{}
	for _, tr := range trails {
		byName[tr.Name] = tr
	}
	m := byName["org-wide"]
	if m.HomeRegion != "us-east-1" || m.Region != "us-east-1" || m.Account != account || !m.IsMultiRegion || !m.LogFileValidation ||
		!m.IncludeGlobalServiceEvents || !strings.Contains(m.KMSKeyID, "1234abcd") || m.S3BucketName != "trail-logs-"+account {
		t.Errorf("multi-region trail = %+v", m)
	}
	if m.Tags["team"] != "sec" {
		t.Errorf("tags = %v", m.Tags)
	}
	if st, ok := m.Status.Get(); !ok || !st.IsLogging {
		t.Errorf("status = %+v", m.Status)
	}
	sel, ok := m.Selectors.Get()
	if !ok || len(sel.Basic) != 1 || !sel.Basic[0].IncludeManagementEvents || sel.Basic[0].ReadWriteType != "All" ||
		len(sel.Basic[0].DataResources) != 1 || sel.Basic[0].DataResources[0].Type != "AWS::S3::Object" {
		t.Errorf("selectors = %+v", m.Selectors)
	}
	l := byName["eu-local"]
	if l.HomeRegion != "eu-west-1" || l.IsMultiRegion || l.LogFileValidation || l.KMSKeyID != "" {
		t.Errorf("local trail = %+v", l)
	}
	if st, ok := l.Status.Get(); !ok || st.IsLogging {
		t.Errorf("local status = %+v, want known not logging", l.Status)
	}
	lsel, ok := l.Selectors.Get()
	if !ok || len(lsel.Advanced) != 1 || lsel.Advanced[0].Name != "mgmt" ||
		lsel.Advanced[0].Fields[0].Field != "eventCategory" || !slices.Equal(lsel.Advanced[0].Fields[0].Equals, []string{"Management"}) {
		t.Errorf("local selectors = %+v", l.Selectors)
	}
}

// cloudTrailDenied answers CloudTrail JSON calls for one region and target
// with AccessDeniedException.
func cloudTrailDenied(region, target string) func(*http.Request, []byte) *http.Response {
	return func(r *http.Request, _ []byte) *http.Response {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), "."+target) &&
			strings.Contains(r.Header.Get("Authorization"), "/"+region+"/cloudtrail/") {
			return fakeResponse(http.StatusBadRequest, "application/x-amz-json-1.1",
				`{"__type":"AccessDeniedException","message":"User is not authorized to perform: cloudtrail:`+target+`"}`, nil)
		}
		return nil
	}
}

func testMotoDenied(t *testing.T, srv *moto.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	account := moto.NewAccount(t)
	makeBucket(t, ctx, srv, account, "us-east-1", "logs-"+account)
	use1 := awsct.NewFromConfig(srv.Config("us-east-1", account))
	tr := must(use1.CreateTrail(ctx, &awsct.CreateTrailInput{Name: sdk.String("main"), S3BucketName: sdk.String("logs-" + account)}))

	regions := []string{"eu-west-1", "us-east-1"}
	deniedDescribe := cloudTrailDenied("eu-west-1", "DescribeTrails")
	deniedStatus := cloudTrailDenied("us-east-1", "GetTrailStatus")
	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: srv.URL, Regions: regions,
		HTTPClient: &faultClient{inner: srv.HTTPClient(account),
			fault: func(r *http.Request, b []byte) *http.Response {
				if resp := deniedDescribe(r, b); resp != nil {
					return resp
				}
				return deniedStatus(r, b)
			}}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := aws.Run(ctx, env, regions, []aws.Collector{New()}, aws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ct := snap.CloudTrail
	if !slices.Equal(ct.RegionsRead, []string{"us-east-1"}) {
		t.Errorf("regions read = %v, want only us-east-1", ct.RegionsRead)
	}
	trails, ok := ct.Trails.Get()
	if !ok || len(trails) != 1 || trails[0].ARN != *tr.TrailARN {
		t.Fatalf("trails = %+v", ct.Trails)
	}
	if trails[0].Status.Ok || trails[0].Status.Why() != "access denied (cloudtrail:GetTrailStatus)" {
		t.Errorf("status = %+v, want unknown access denied", trails[0].Status)
	}
	if !trails[0].Selectors.Ok {
		t.Errorf("selectors should be known: %+v", trails[0].Selectors)
	}
	if len(snap.Errors) != 2 {
		t.Errorf("errors = %+v", snap.Errors)
	}
	for _, e := range snap.Errors {
		if e.Reason != core.ReasonAccessDenied {
			t.Errorf("error = %+v", e)
		}
	}
}
