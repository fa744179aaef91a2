package cloudtrail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	ctm "github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// fakeCT is one region's CloudTrail endpoint.
type fakeCT struct {
	region   string
	trails   []types.Trail
	status   map[string]*awsct.GetTrailStatusOutput
	sel      map[string]*awsct.GetEventSelectorsOutput
	tagPages [][]types.ResourceTag
	fail     map[string]error

	mu    sync.Mutex
	calls []string // "Op name" as called in this region
}

func (f *fakeCT) record(op, arg string) error {
	f.mu.Lock()
	f.calls = append(f.calls, op+" "+arg)
	f.mu.Unlock()
	return f.fail[op]
}

func (f *fakeCT) DescribeTrails(_ context.Context, in *awsct.DescribeTrailsInput, _ ...func(*awsct.Options)) (*awsct.DescribeTrailsOutput, error) {
	if !sdk.ToBool(in.IncludeShadowTrails) {
		return nil, errors.New("shadow trails must be included")
	}
	if err := f.record("DescribeTrails", ""); err != nil {
		return nil, err
	}
	return &awsct.DescribeTrailsOutput{TrailList: f.trails}, nil
}

func (f *fakeCT) GetTrailStatus(_ context.Context, in *awsct.GetTrailStatusInput, _ ...func(*awsct.Options)) (*awsct.GetTrailStatusOutput, error) {
	if err := f.record("GetTrailStatus", sdk.ToString(in.Name)); err != nil {
		return nil, err
	}
	if o, ok := f.status[sdk.ToString(in.Name)]; ok {
		return o, nil
	}
	return nil, &smithy.GenericAPIError{Code: "TrailNotFoundException", Message: "not home: " + f.region}
}

func (f *fakeCT) GetEventSelectors(_ context.Context, in *awsct.GetEventSelectorsInput, _ ...func(*awsct.Options)) (*awsct.GetEventSelectorsOutput, error) {
	if err := f.record("GetEventSelectors", sdk.ToString(in.TrailName)); err != nil {
		return nil, err
	}
	if o, ok := f.sel[sdk.ToString(in.TrailName)]; ok {
		return o, nil
	}
	return nil, &smithy.GenericAPIError{Code: "TrailNotFoundException", Message: "not home: " + f.region}
}

func (f *fakeCT) ListTags(_ context.Context, in *awsct.ListTagsInput, _ ...func(*awsct.Options)) (*awsct.ListTagsOutput, error) {
	if err := f.record("ListTags", strings.Join(in.ResourceIdList, ",")); err != nil {
		return nil, err
	}
	i := 0
	if tok := sdk.ToString(in.NextToken); tok != "" {
		fmt.Sscanf(tok, "p%d", &i)
	}
	if i >= len(f.tagPages) {
		return &awsct.ListTagsOutput{}, nil
	}
	out := &awsct.ListTagsOutput{ResourceTagList: f.tagPages[i]}
	if i+1 < len(f.tagPages) {
		out.NextToken = sdk.String(fmt.Sprintf("p%d", i+1))
	}
	return out, nil
}

const (
	acct     = "111122223333"
	multiARN = "arn:aws:cloudtrail:us-east-1:111122223333:trail/all"
	euARN    = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/eu"
	orgARN   = "arn:aws:cloudtrail:us-east-1:999988887777:trail/org"
)

func multiTrail() types.Trail {
	return types.Trail{TrailARN: sdk.String(multiARN), Name: sdk.String("all"), HomeRegion: sdk.String("us-east-1"),
		IsMultiRegionTrail: sdk.Bool(true), LogFileValidationEnabled: sdk.Bool(true), S3BucketName: sdk.String("logs"),
		KmsKeyId: sdk.String("arn:aws:kms:us-east-1:111122223333:key/k"), IncludeGlobalServiceEvents: sdk.Bool(true),
		CloudWatchLogsLogGroupArn: sdk.String("arn:aws:logs:us-east-1:111122223333:log-group:ct:*"),
		CloudWatchLogsRoleArn:     sdk.String("arn:aws:iam::111122223333:role/ct")}
}

func fakes() map[string]*fakeCT {
	delivered := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	orgTrail := types.Trail{TrailARN: sdk.String(orgARN), Name: sdk.String("org"), HomeRegion: sdk.String("us-east-1"),
		IsMultiRegionTrail: sdk.Bool(true), IsOrganizationTrail: sdk.Bool(true)}
	return map[string]*fakeCT{
		"us-east-1": {region: "us-east-1", trails: []types.Trail{multiTrail(), orgTrail},
			status: map[string]*awsct.GetTrailStatusOutput{
				multiARN: {IsLogging: sdk.Bool(true), LatestDeliveryTime: &delivered},
				orgARN:   {IsLogging: sdk.Bool(true)},
			},
			sel: map[string]*awsct.GetEventSelectorsOutput{
				multiARN: {EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll, IncludeManagementEvents: sdk.Bool(true),
					ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}},
				orgARN: {},
			},
			tagPages: [][]types.ResourceTag{
				{{ResourceId: sdk.String(multiARN), TagsList: []types.Tag{{Key: sdk.String("a"), Value: sdk.String("1")}}}},
				{{ResourceId: sdk.String(multiARN), TagsList: []types.Tag{{Key: sdk.String("b"), Value: sdk.String("2")}, {}}}},
			},
		},
		"eu-west-1": {region: "eu-west-1", trails: []types.Trail{multiTrail(),
			{TrailARN: sdk.String(euARN), Name: sdk.String("eu"), HomeRegion: sdk.String("eu-west-1")}},
			status: map[string]*awsct.GetTrailStatusOutput{euARN: {IsLogging: sdk.Bool(false)}},
			sel: map[string]*awsct.GetEventSelectorsOutput{euARN: {AdvancedEventSelectors: []types.AdvancedEventSelector{{
				Name: sdk.String("data"), FieldSelectors: []types.AdvancedFieldSelector{
					{Field: sdk.String("eventCategory"), Equals: []string{"Data"}},
					{Field: sdk.String("resources.ARN"), StartsWith: []string{"arn:aws:s3:::b/"}, NotEndsWith: []string{".tmp"}},
				}}}}},
		},
	}
}

func clientsOf(m map[string]*fakeCT) func(string) API {
	return func(r string) API {
		f, ok := m[r]
		if !ok {
			panic("no client for " + r)
		}
		return f
	}
}

func TestCollectAccountMergesAndReadsFromHome(t *testing.T) {
	m := fakes()
	env := &aws.Env{AccountID: acct}
	got, err := CollectAccount(context.Background(), env, clientsOf(m), []string{"us-east-1", "eu-west-1"}, "arn:aws")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.RegionsRead, []string{"eu-west-1", "us-east-1"}) {
		t.Errorf("regions read = %v", got.RegionsRead)
	}
	trails := got.Trails.V
	if !got.Trails.Ok || len(trails) != 3 || trails[0].ARN != euARN || trails[1].ARN != multiARN || trails[2].ARN != orgARN {
		t.Fatalf("trails = %+v", got.Trails)
	}
	eu, all, org := trails[0], trails[1], trails[2]
	want := ctm.Trail{Meta: core.Meta{ARN: multiARN, Account: acct, Region: "us-east-1", Tags: map[string]string{"a": "1", "b": "2"}},
		Name: "all", HomeRegion: "us-east-1", IsMultiRegion: true, IncludeGlobalServiceEvents: true, LogFileValidation: true,
		KMSKeyID: "arn:aws:kms:us-east-1:111122223333:key/k", S3BucketName: "logs",
		CloudWatchLogsLogGroupARN: "arn:aws:logs:us-east-1:111122223333:log-group:ct:*", CloudWatchLogsRoleARN: "arn:aws:iam::111122223333:role/ct"}
	want.Status, want.Selectors = all.Status, all.Selectors
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Errorf("multi-region trail\n got %+v\nwant %+v", all, want)
	}
	if st := all.Status.V; !all.Status.Ok || !st.IsLogging || st.LatestDeliveryTime == nil {
		t.Errorf("status = %+v", all.Status)
	}
	if s := all.Selectors.V; !all.Selectors.Ok || len(s.Basic) != 1 || !s.Basic[0].IncludeManagementEvents ||
		!slices.Equal(s.Basic[0].ExcludeSources, []string{"kms.amazonaws.com"}) {
		t.Errorf("selectors = %+v", all.Selectors)
	}
	if eu.Region != "eu-west-1" || !eu.Status.Ok || eu.Status.V.IsLogging || len(eu.Selectors.V.Advanced) != 1 ||
		!slices.Equal(eu.Selectors.V.Advanced[0].Fields[1].NotEndsWith, []string{".tmp"}) {
		t.Errorf("eu trail = %+v", eu)
	}
	if org.Account != "999988887777" || !org.IsOrganizationTrail || !org.Selectors.Ok {
		t.Errorf("org trail = %+v", org)
	}
	// Details were asked of the home region only.
	for _, c := range m["eu-west-1"].calls {
		if strings.Contains(c, multiARN) {
			t.Errorf("eu-west-1 was asked about the us-east-1 trail: %s", c)
		}
	}
	if len(env.Errors()) != 0 {
		t.Errorf("errors = %+v", env.Errors())
	}
}

func TestCollectAccountFailures(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	t.Run("every region fails", func(t *testing.T) {
		m := fakes()
		m["us-east-1"].fail = map[string]error{"DescribeTrails": denied}
		m["eu-west-1"].fail = map[string]error{"DescribeTrails": &smithy.GenericAPIError{Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid"}}
		got, err := CollectAccount(context.Background(), &aws.Env{AccountID: acct}, clientsOf(m), []string{"us-east-1", "eu-west-1"}, "arn:aws")
		if err == nil {
			t.Fatal("want an error")
		}
		if got.Trails.Ok || got.Trails.Why() != "access denied (cloudtrail:DescribeTrails)" || len(got.RegionsRead) != 0 {
			t.Errorf("account = %+v", got)
		}
	})
	t.Run("one region fails", func(t *testing.T) {
		m := fakes()
		m["eu-west-1"].fail = map[string]error{"DescribeTrails": denied}
		got, err := CollectAccount(context.Background(), &aws.Env{AccountID: acct}, clientsOf(m), []string{"us-east-1", "eu-west-1"}, "arn:aws")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Trails.Ok || len(got.Trails.V) != 2 || !slices.Equal(got.RegionsRead, []string{"us-east-1"}) {
			t.Errorf("account = %+v", got)
		}
	})
	t.Run("details fail per trail", func(t *testing.T) {
		m := fakes()
		m["us-east-1"].fail = map[string]error{"GetEventSelectors": denied, "ListTags": denied}
		env := &aws.Env{AccountID: acct}
		got, err := CollectAccount(context.Background(), env, clientsOf(m), []string{"us-east-1"}, "arn:aws")
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range got.Trails.V {
			if !tr.Status.Ok || tr.Selectors.Ok || tr.Selectors.Why() != "access denied (cloudtrail:GetEventSelectors)" || tr.Tags != nil {
				t.Errorf("trail = %+v", tr)
			}
		}
		if n := len(env.Errors()); n != 4 {
			t.Errorf("%d errors, want 4 (selectors + tags for 2 trails): %+v", n, env.Errors())
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		got, err := CollectAccount(ctx, &aws.Env{AccountID: acct}, clientsOf(fakes()), []string{"us-east-1"}, "arn:aws")
		if !errors.Is(err, context.Canceled) || got.Trails.Ok {
			t.Errorf("err = %v, trails = %+v", err, got.Trails)
		}
	})
}

func TestConvNilSafety(t *testing.T) {
	tr := convTrail(trailARN("arn:aws", acct, "eu-west-1", types.Trail{}), acct, "eu-west-1", types.Trail{})
	if tr.ARN != "arn:aws:cloudtrail:eu-west-1:111122223333:trail/" || tr.HomeRegion != "eu-west-1" || tr.Account != acct {
		t.Errorf("trail = %+v", tr)
	}
	if tr.Status.Ok || tr.Selectors.Ok {
		t.Error("status/selectors must start unknown")
	}
	if s := convStatus(nil); s.Ok {
		t.Error("nil status must be unknown")
	}
	if s := convStatus(&awsct.GetTrailStatusOutput{}); s.Ok {
		t.Error("status without IsLogging must be unknown, not 'not logging'")
	}
	if s := convSelectors(nil); s.Ok {
		t.Error("nil selectors must be unknown")
	}
	s := convSelectors(&awsct.GetEventSelectorsOutput{EventSelectors: []types.EventSelector{{DataResources: []types.DataResource{{}}}},
		AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{{}}}}})
	if !s.Ok || s.V.Basic[0].IncludeManagementEvents || len(s.V.Advanced[0].Fields) != 1 {
		t.Errorf("selectors = %+v", s)
	}
	if accountOfARN("nonsense") != "" || accountOfARN(orgARN) != "999988887777" {
		t.Error("accountOfARN")
	}
}
